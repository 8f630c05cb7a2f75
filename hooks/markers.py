"""MkDocs hook: remove the docs checker's markers before rendering.

The markers (``<!--= expr -->``, ``<!--% formula check -->`` and
``<!--given: ...-->``) tie each number
to the code that proves it. They are for the checker, not the reader, and
an HTML comment inside a table cell or an abbreviation would get in the
way, so they are dropped from the Markdown here. A page the checker cannot
parse fails the build with its file and line.

Before they go, the text of every number a marker checks (``=``) or
counts as given is recorded, page by page, in
``<site_dir>/.audit/numbers.json``: ``scripts/audit_site.py`` accounts
for the numbers a reader sees with that record, so it knows what the
checker checked without parsing the Markdown again. (Text a page pulls in
with a ``--8<--`` line, such as CONTRIBUTING.md, is recorded too.) The
file is not linked from any page and holds only numbers the pages show.
"""

import json
import os
import re

from mkdocs.exceptions import PluginError

from doccheck.page import PageError, parse


def on_page_markdown(markdown, page, **_):
    path = f"docs/{page.file.src_uri}"
    try:
        parsed = parse(path, markdown)
    except PageError as exc:
        line = exc.line + _front_matter_lines(page)
        raise PluginError(f"{path}:{line}: {exc.message}") from None
    _record(page, path, parsed, markdown)
    return parsed.without_markers()


#: dest_uri -> {"source": ..., "checked": [...], "given": [...]}
_numbers = {}
SNIPPET = re.compile(r'^[ \t]*--8<--[ \t]+"([^"]+)"[ \t]*$', re.M)


def _record(page, path, parsed, markdown):
    entry = {"source": path, "checked": [], "given": []}
    pages = [parsed]
    for name in SNIPPET.findall(markdown):
        name = next(
            (f for f in (name, f"includes/{name}") if os.path.isfile(f)), ""
        )
        if name.endswith(".md"):
            with open(name, encoding="utf-8") as fh:
                try:
                    pages.append(parse(name, fh.read()))
                except PageError:
                    continue
            entry["source"] = name
    for p in pages:
        for mk in p.markers:
            if mk.kind not in ("expr", "given"):
                continue  # a formula check: the math is not a number
            kind = "given" if mk.kind == "given" else "checked"
            entry[kind] += [n.text for n in mk.numbers]
    _numbers[page.file.dest_uri] = entry


def on_pre_build(**_):
    _numbers.clear()


def on_post_build(config, **_):
    folder = os.path.join(config["site_dir"], ".audit")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "numbers.json"), "w") as fh:
        json.dump(_numbers, fh, indent=1, sort_keys=True)


def _front_matter_lines(page):
    """Lines MkDocs cut from the top (the front matter) before this hook:
    added to a line number so that it is the source file's."""
    try:
        with open(page.file.abs_src_path, encoding="utf-8-sig") as fh:
            source = fh.read()
    except (OSError, TypeError, UnicodeDecodeError):
        return 0
    m = FRONT_MATTER.match(source)
    if not m:
        return 0
    # MkDocs also drops the blank lines after it (lstrip("\n")).
    rest = source[m.end() :]
    return m.group().count("\n") + len(rest) - len(rest.lstrip("\n"))


FRONT_MATTER = re.compile(
    r"---[ \t]*\n.*?^(?:---|\.\.\.)[ \t]*\n", re.S | re.M
)


# Text included with pymdownx.snippets (CONTRIBUTING.md into
# contributing.md) is expanded after on_page_markdown, so its markers are
# still in the HTML: remove those too. Markers shown as examples inside
# code are escaped (&lt;!--) and are not touched.
HTML_MARKER = re.compile(r"<!--\s*(?:=|%|given\b).*?-->", re.S)


def on_page_content(html, **_):
    return HTML_MARKER.sub("", html)

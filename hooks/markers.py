"""MkDocs hook: remove the docs checker's markers before rendering.

The markers (``<!--= expr -->``, ``<!--% formula check -->`` and
``<!--given: ...-->``) tie each number
to the code that proves it. They are for the checker, not the reader, and
an HTML comment inside a table cell or an abbreviation would get in the
way, so they are dropped from the Markdown here. A page the checker cannot
parse fails the build with its file and line.
"""

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
    return parsed.without_markers()


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

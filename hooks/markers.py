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

The checker and MkDocs must also agree on what is code. After a page is
rendered, its code blocks are compared with the fences the checker read,
in order and by their text; where they part, the build fails at that
line. Indented code, a fence in a block quote or a raw ``<pre>`` is shown
to the reader as code but was never run; a fence the checker ran that
MkDocs does not show as code proves something the reader cannot see.
"""

import functools
import html as htmllib
import json
import os
import re

from mkdocs.exceptions import PluginError

from doccheck.page import PageError, parse
from sitecache import cached_version, folder


def on_page_markdown(markdown, page, **_):
    path = f"docs/{page.file.src_uri}"
    try:
        read = cached_read(path, markdown)
    except PageError as exc:
        line = exc.line + _front_matter_lines(page)
        raise PluginError(f"{path}:{line}: {exc.message}") from None
    _numbers[page.file.dest_uri] = read["numbers"]
    _fences_read[page.file.src_uri] = (
        path,
        _front_matter_lines(page),
        [tuple(block) for block in read["expected"]],
        markdown,
    )
    return read["text"]


def read_page(path, markdown):
    """What the build needs of a page from the checker's reading of it:
    the Markdown without markers, the numbers its markers check or give
    (``_record``), and the code blocks the checker reads
    (``expected_blocks``). Raises PageError for a page it cannot read."""
    parsed = parse(path, markdown)
    included = list(_included_pages(markdown))
    return {
        "text": parsed.without_markers(),
        "numbers": _record(path, parsed, included),
        "expected": expected_blocks(parsed, included),
    }


@functools.cache
def _cache():
    """This build's cache folder (on_pre_build forgets it): its key covers
    the checker and this hook."""
    return folder(
        "markers",
        "src/doccheck",
        "hooks/markers.py",
        common=(),
        libraries=("pyyaml",),
    )


def cached_read(path, markdown):
    """`read_page`, kept in the build cache (`sitecache`): parsing every
    page took a tenth of a warm build. One entry per version of the page's
    Markdown and of every file it includes; a page the checker cannot
    read raises PageError and is not kept."""
    parts = [f"{path}\n{markdown}".encode()]
    for m in SNIPPET.finditer(markdown):
        for name in (m.group(1), f"includes/{m.group(1)}"):
            if os.path.isfile(name):
                with open(name, "rb") as fh:
                    parts.append(name.encode() + b"\n" + fh.read())
    data = cached_version(
        _cache(),
        path,
        ".json",
        parts,
        lambda: json.dumps(read_page(path, markdown)).encode(),
    )
    return json.loads(data)


# --- the checker and the renderer must agree on every code block -----------

#: src_uri -> (path, lines cut from the top, [(line, body or None)],
#: the Markdown)
_fences_read = {}
PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.S)
TAG = re.compile(r"<[^>]+>")


def expected_blocks(parsed, included=()):
    """[(line, body)] of the code blocks the checker read, in page order;
    body is None for a listing (its `--8<--` lines become a file's text).
    The `included` pages (`_included_pages`) count where their `--8<--`
    line is."""
    blocks = [
        (f.start, None if f.is_listing else f.body) for f in parsed.fences
    ]
    for line, _, inner in included:
        blocks += [
            (line, None if f.is_listing else f.body) for f in inner.fences
        ]
    return sorted(blocks, key=lambda b: b[0])


def rendered_blocks(html):
    """The text of every <pre> block of a page's HTML."""
    return [
        htmllib.unescape(TAG.sub("", m.group(1))) for m in PRE.finditer(html)
    ]


#: pymdownx.snippets shows ``;--8<--`` as ``--8<--`` (its escape).
ESCAPED_SNIPPET = re.compile(r"^(\s*);(-{1,3}8<-{1,3})", re.M)


def _same(source, shown):
    def norm(text):
        return [ln.rstrip() for ln in text.strip("\n").splitlines()]

    return norm(ESCAPED_SNIPPET.sub(r"\1\2", source)) == norm(shown)


NOT_A_FENCE = (
    " (indented code, a fence in a block quote, raw <pre>?): write it as a"
    " ``` fence, so that it runs"
)


def _line_of(block, source, after):
    """The line of `source` after line `after` where `block` (a code block
    the checker did not read) starts, or `after` if it is not found."""
    first = next((ln.strip() for ln in block.splitlines() if ln.strip()), "")
    lines = source.splitlines()
    for n in range(after, len(lines)):
        if first and lines[n].lstrip(" \t>").strip().endswith(first):
            return n + 1
    return after


def _unread(shown, source, after):
    """(line, message) for a code block MkDocs shows after line `after`
    that is not a fence the checker read."""
    return (
        _line_of(shown, source, after),
        f"MkDocs shows a code block here ({_head(shown)!r}) that is not a "
        f"fence the checker reads{NOT_A_FENCE}",
    )


def disagreement(expected, rendered, source=""):
    """(line, message) where the checker's code blocks and the rendered
    ones part, or None: every block the reader sees must be a fence the
    checker read, with the same text. `source`, the page's Markdown, lets
    a block the checker did not read be reported at its own line."""
    for i in range(max(len(expected), len(rendered))):
        if i >= len(rendered):
            line, body = expected[i]
            return (
                line,
                "the checker reads a fence here that MkDocs does not show as "
                f"a code block ({_head(body or '')!r})",
            )
        shown = rendered[i]
        if i >= len(expected):
            return _unread(shown, source, expected[-1][0] if expected else 1)
        line, body = expected[i]
        if body is None or _same(body, shown):
            continue
        if i + 1 < len(rendered) and _same(body, rendered[i + 1]):
            return _unread(shown, source, expected[i - 1][0] if i else 1)
        return (
            line,
            f"MkDocs shows this fence as {_head(shown)!r}, not as the "
            f"checker reads it ({_head(body)!r}): make it a plain ``` fence",
        )
    return None


def _head(text):
    first = text.strip("\n").split("\n", 1)[0]
    return first[:50]


#: dest_uri -> {"source": ..., "checked": [...], "given": [...]}
_numbers = {}
SNIPPET = re.compile(r'^[ \t]*--8<--[ \t]+"([^"]+)"[ \t]*$', re.M)


def _included_pages(markdown):
    """(line, file, parsed page) of each Markdown file that a `--8<--`
    line of `markdown` pulls in (CONTRIBUTING.md into contributing.md)."""
    for m in SNIPPET.finditer(markdown):
        name = next(
            (f for f in (m.group(1), f"includes/{m.group(1)}")
             if os.path.isfile(f)),
            "",
        )  # fmt: skip
        if not name.endswith(".md"):
            continue
        with open(name, encoding="utf-8") as fh:
            try:
                page = parse(name, fh.read())
            except PageError:
                continue
        yield markdown.count("\n", 0, m.start()) + 1, name, page


def _record(path, parsed, included):
    """The numbers a page's markers check or give, as the audit reads
    them: {"source": file, "checked": [text], "given": [text]}."""
    entry = {"source": path, "checked": [], "given": []}
    pages = [parsed]
    for _, name, inner in included:
        pages.append(inner)
        entry["source"] = name
    for p in pages:
        for mk in p.markers:
            if mk.kind not in ("expr", "given"):
                continue  # a formula check: the math is not a number
            kind = "given" if mk.kind == "given" else "checked"
            entry[kind] += [n.text for n in mk.numbers]
    return entry


def on_pre_build(**_):
    _cache.cache_clear()
    _numbers.clear()
    _fences_read.clear()


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


def on_page_content(html, page=None, **_):
    read = None
    if page is not None and page.file.src_uri.endswith(".md"):
        read = _fences_read.get(page.file.src_uri)
    # The API reference's blocks come from docstrings, which
    # pytest-markdown-docs runs; the checker reads no fence there.
    if read is not None and 'class="doc doc-' not in html:
        path, cut, expected, source = read
        problem = disagreement(expected, rendered_blocks(html), source)
        if problem is not None:
            line, message = problem
            raise PluginError(f"{path}:{line + cut}: {message}")
    return HTML_MARKER.sub("", html)

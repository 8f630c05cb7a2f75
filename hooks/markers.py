"""MkDocs hook: remove the docs checker's markers before rendering.

The markers (``<!--= expr -->`` and ``<!--given: ...-->``) tie each number
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
        raise PluginError(f"{path}:{exc.line}: {exc.message}") from None
    return parsed.without_markers()


# Text included with pymdownx.snippets (CONTRIBUTING.md into
# contributing.md) is expanded after on_page_markdown, so its markers are
# still in the HTML: remove those too. Markers shown as examples inside
# code are escaped (&lt;!--) and are not touched.
HTML_MARKER = re.compile(r"<!--\s*(?:=|given\b).*?-->", re.S)


def on_page_content(html, **_):
    return HTML_MARKER.sub("", html)

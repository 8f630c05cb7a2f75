"""The checker and MkDocs must agree on every code block of a page.

hooks/markers.py compares the fences the checker read with the code
blocks the page renders to (with the site's own Markdown extensions), and
fails the build at the line where they part: a block a reader sees but no
check runs, or a fence the checker runs that the reader never sees as code.
"""

import os
from types import SimpleNamespace

import pytest
from conftest import load_file

from doccheck.page import parse

markers = load_file("hooks/markers.py")


@pytest.fixture(scope="module")
def render():
    import markdown
    from mkdocs.config import load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config("mkdocs.yml")

    def convert(text):
        md = markdown.Markdown(
            extensions=config.markdown_extensions,
            extension_configs=config.mdx_configs,
        )
        return md.convert(text)

    return convert


def _disagreement(text, render):
    page = parse("page.md", text)
    expected = markers.expected_blocks(
        page, list(markers._included_pages(text))
    )
    shown = markers.rendered_blocks(render(page.without_markers()))
    return markers.disagreement(expected, shown, text)


FENCE = "```python\nx = 1\nprint(x)\n```\n"
INDENTED = "    " + FENCE.replace("\n", "\n    ")
OUTPUT = '```text title="Output"\n1\n```\n'


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"Text.\n\n{FENCE}", id="plain"),
        pytest.param(f"!!! note\n\n{INDENTED}", id="admonition"),
        pytest.param(f"- item\n\n{INDENTED}", id="list"),
        pytest.param("~~~python\nx = 1\n~~~\n", id="tildes"),
        pytest.param(f"{FENCE}\n{OUTPUT}", id="output"),
    ],
)
def test_fences_both_read_pass(text, render):
    assert _disagreement(text, render) is None


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        # indented code: shown as code, never run
        ("Text.\n\n    x = 2\n    print(x)\n\n" + FENCE, 3, "x = 2"),
        ("Text.\n\nMore.\n\n    x = 2\n", 5, "x = 2"),
        # a fence in a block quote: the checker did not see it
        ("Text.\n\n> ```python\n> x = 1\n> ```\n", 4, "x = 1"),
        # raw HTML <pre>
        ("Text <pre>x = 3</pre> here.\n", 1, "x = 3"),
    ],
    ids=["indented-before", "indented-alone", "block-quote", "raw-pre"],
)
def test_a_code_block_the_checker_does_not_run_fails(text, line, says, render):
    problem = _disagreement(text, render)
    assert problem is not None
    assert problem[0] == line
    assert f"code block here ('{says}')" in problem[1]
    assert "``` fence" in problem[1]


def test_a_fence_shown_differently_or_not_at_all_fails():
    expected = [(3, "x = 1\n"), (9, "y = 2\n")]
    assert markers.disagreement(expected, ["x = 1", "y = 2"]) is None
    assert markers.disagreement(expected, ["x = 1", "z = 2"])[0] == 9
    missing = markers.disagreement(expected, ["x = 1"])
    assert missing[0] == 9 and "does not show" in missing[1]
    # a listing's body is the file it includes: not compared
    assert markers.disagreement([(3, None)], ["anything"]) is None
    # the escape of pymdownx.snippets is shown without its semicolon
    escaped = [(1, ';--8<-- "x.py"\n')]
    assert markers.disagreement(escaped, ['--8<-- "x.py"']) is None


def test_the_build_fails_at_the_line_in_the_source_file(tmp_path, monkeypatch):
    from mkdocs.exceptions import PluginError

    import sitecache

    monkeypatch.setattr(sitecache, "CACHE", tmp_path / "cache")

    source = tmp_path / "p.md"
    source.write_text("---\ntitle: T\n---\n\nText.\n\n    x = 2\n")
    page = SimpleNamespace(
        file=SimpleNamespace(
            src_uri="p.md", dest_uri="p/index.html", abs_src_path=str(source)
        ),
        url="p/",
    )
    markdown = "Text.\n\n    x = 2\n"  # what MkDocs hands on
    markers.on_pre_build()  # as a build does: a cache folder of its own
    markers.on_page_markdown(markdown, page=page)
    html = "<p>Text.</p>\n<pre><code>x = 2\n</code></pre>"
    with pytest.raises(PluginError, match=r"^docs/p\.md:7: MkDocs shows a"):
        markers.on_page_content(html, page=page)

"""The build's caches give what a fresh build would, and are really used.

tests/test_site.py builds the whole site a second time with the reference
page, search index and notebooks made afresh and compares it byte for
byte; these tests pin down each cache on its own, quickly.
"""

import json

import pytest
from conftest import load_file
from mkdocs.exceptions import PluginError

import sitecache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty build cache for the test."""
    monkeypatch.setattr(sitecache, "CACHE", tmp_path / "cache")
    monkeypatch.delenv(sitecache.FRESH, raising=False)
    return tmp_path / "cache"


# --- sitecache ---------------------------------------------------------------


def test_the_key_covers_the_library_versions(cache_dir, monkeypatch):
    before = sitecache.key(common=(), libraries=("numpy",))
    assert sitecache.key(common=(), libraries=("markdown",)) != before
    versions = {"numpy": "0.0.1"}
    monkeypatch.setattr(sitecache, "_version", versions.get)
    assert sitecache.key(common=(), libraries=("numpy",)) != before


def test_a_fresh_kind_gets_an_empty_folder(cache_dir, monkeypatch, tmp_path):
    warm = sitecache.folder("search", common=())
    (warm / "entry.json").write_text("{}")
    assert sitecache.folder("search", common=()) == warm
    monkeypatch.setenv(sitecache.FRESH, "notebooks search")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    fresh = sitecache.folder("search", common=())
    assert fresh != warm and not any(fresh.iterdir())
    assert sitecache.folder("figures", common=()).parent == cache_dir / (
        "figures"
    )


# --- mkdocstrings' rendering (hooks/apidocs.py) ------------------------------


class _Handler:
    """Stands in for mkdocstrings' handler: rendering records headings."""

    def __init__(self):
        self._headings = []


class _Data:
    path = "ref.activations"


def _apidocs(monkeypatch, calls):
    apidocs = load_file("hooks/apidocs.py")

    def render(handler, data, options, locale=None):
        from xml.etree.ElementTree import Element

        calls.append(data.path)
        el = Element("h2", {"id": data.path, "data-role": "module"})
        el.text = f"<code>{data.path}</code>"
        handler._headings.append(el)
        return f"<div>{data.path} at {options}</div>"

    monkeypatch.setattr(apidocs, "_render", render)
    return apidocs


def _headings(handler):
    return [(h.tag, dict(h.attrib), h.text) for h in handler._headings]


def test_a_rendering_is_served_from_the_cache(cache_dir, monkeypatch):
    calls = []
    apidocs = _apidocs(monkeypatch, calls)
    fresh, cached = _Handler(), _Handler()
    html = apidocs.render(fresh, _Data(), "level 2")
    assert apidocs.render(cached, _Data(), "level 2") == html
    assert calls == ["ref.activations"]  # the second came from the cache
    assert _headings(cached) == _headings(fresh) != []


def test_other_options_render_again(cache_dir, monkeypatch):
    calls = []
    apidocs = _apidocs(monkeypatch, calls)
    apidocs.render(_Handler(), _Data(), "level 2")
    apidocs.render(_Handler(), _Data(), "level 3")
    apidocs.render(_Handler(), _Data(), "level 2", locale="fr")
    assert len(calls) == 3


def test_a_heading_with_children_is_not_cached(cache_dir, monkeypatch):
    from xml.etree.ElementTree import Element, SubElement

    apidocs = load_file("hooks/apidocs.py")
    calls = []

    def render(handler, data, options, locale=None):
        calls.append(1)
        el = Element("h2", {"id": "x"})
        SubElement(el, "code").text = "x"
        handler._headings.append(el)
        return "<h2>x</h2>"

    monkeypatch.setattr(apidocs, "_render", render)
    apidocs.render(_Handler(), _Data(), "o")
    apidocs.render(_Handler(), _Data(), "o")
    assert len(calls) == 2


# --- the search plugin's parse (hooks/search.py) -----------------------------

PAGE = """<h1 id="t">Title</h1><p>Intro with <code>code</code>.</p>
<h2 id="a">A <em>part</em></h2><p>Text</p><ul><li>one</li></ul>
<details class="x" data-search-exclude><p>hidden</p></details>
<h2 id="b" data-search-exclude>Left out</h2><p>not indexed</p>
<script>var x = "<p>";</script><p>after</p>"""


def _parse(parser_class, html, dump):
    parser = parser_class()
    parser.feed(html)
    parser.close()
    return [dump(s) for s in parser.data], parser


def test_the_search_cache_gives_materials_sections(cache_dir):
    search = load_file("hooks/search.py")
    material, _ = _parse(search.MaterialParser, PAGE, search._dump)
    fresh, first = _parse(search.CachedParser, PAGE, search._dump)
    cached, second = _parse(search.CachedParser, PAGE, search._dump)
    assert not first._hit and second._hit
    assert cached == fresh == material
    assert [s.is_excluded() for s in second.data] == [
        s.is_excluded() for s in first.data
    ]
    # Another page is parsed, not served.
    other, third = _parse(search.CachedParser, PAGE + "<p>x</p>", search._dump)
    assert not third._hit and other != fresh


def test_old_search_entries_are_pruned(cache_dir, tmp_path):
    import os

    search = load_file("hooks/search.py")
    folder = tmp_path / "entries"
    folder.mkdir()
    for i in range(5):
        path = folder / f"{i}.json"
        path.write_text("[]")
        os.utime(path, (i, i))
    search.prune(folder, keep=2)
    assert sorted(p.name for p in folder.iterdir()) == ["3.json", "4.json"]


# --- lesson notebooks (sitenotebooks.cached_page_notebook) -------------------

LESSON = """# A lesson

Some prose.

```python
print(1 + 1)
```

```text title="Output"
2
```
"""


def test_a_page_notebook_is_cached_per_text(cache_dir):
    import nbformat

    from sitenotebooks import cached_page_notebook, page_to_notebook

    path = "docs/lessons/x.md"
    made = cached_page_notebook(path, LESSON)
    assert made == nbformat.writes(page_to_notebook(path, LESSON))
    assert cached_page_notebook(path, LESSON) == made
    (folder,) = (cache_dir / "notebooks").iterdir()
    (entry,) = folder.iterdir()
    entry.write_text(made.replace("Some prose.", "From the cache."))
    assert "From the cache." in cached_page_notebook(path, LESSON)
    edited = LESSON.replace("Some prose.", "Other prose.")
    assert "Other prose." in cached_page_notebook(path, edited)
    assert [p.name for p in folder.iterdir()] != [entry.name]  # replaced
    assert len(list(folder.iterdir())) == 1


def test_a_page_notebook_follows_the_files_it_includes(
    cache_dir, monkeypatch, tmp_path
):
    import sitenotebooks

    monkeypatch.setattr(sitenotebooks, "ROOT", tmp_path)
    (tmp_path / "code.py").write_text("x = 1\n")
    page = LESSON + '\n```python\n--8<-- "code.py"\n```\n'
    first = sitenotebooks.cached_page_notebook("docs/l.md", page)
    assert "x = 1" in first
    (tmp_path / "code.py").write_text("x = 2\n")
    assert "x = 2" in sitenotebooks.cached_page_notebook("docs/l.md", page)


# --- figures (hooks/figures.py) ----------------------------------------------


def test_cached_figures_are_read_without_the_figure_code(
    cache_dir, monkeypatch
):
    figures = load_file("hooks/figures.py")
    made = {("curve", "light"): (b"<svg/>", {"overflow_px": [0, 0, 0, 0]})}
    calls = []

    def draw_all(cache):
        calls.append(1)
        for (name, style), (svg, layout) in made.items():
            (cache / f"{name}-{style}.svg").write_bytes(svg)
            (cache / f"{name}-{style}.layout.json").write_text(
                json.dumps(layout)
            )
        return made

    monkeypatch.setattr(figures, "_draw_all", draw_all)
    assert figures.figures() == made
    assert figures.figures() == made
    assert calls == [1]
    # A file gone from the cache: everything is looked at again.
    (svg,) = (cache_dir / "figures").glob("*/curve-light.svg")
    svg.unlink()
    figures.figures()
    assert calls == [1, 1]


# --- the reference page's source listings (hooks/lean.py) --------------------


def test_source_listings_are_set_aside_and_put_back():
    lean = load_file("hooks/lean.py")
    listing = (
        '<details class="mkdocstrings-source" data-search-exclude>'
        "<summary>Source code</summary><pre>def f(): ...</pre></details>"
    )
    page = f"<h2>f</h2>{listing}<p>text</p>{listing.replace('f()', 'g()')}"
    aside = lean.set_listings_aside(page, "reference.md")
    assert "Source code" not in aside and "<p>text</p>" in aside
    assert lean.put_listings_back(aside, "reference.md") == page
    # A page without listings is left alone.
    assert lean.put_listings_back("<p>x</p>", "other.md") == "<p>x</p>"


def test_a_lost_listing_fails_the_build():
    lean = load_file("hooks/lean.py")
    listing = '<details class="mkdocstrings-source"><pre>x</pre></details>'
    aside = lean.set_listings_aside(listing * 2, "reference.md")
    cut = aside.replace(lean.LISTING.format(1), "")
    with pytest.raises(PluginError, match="2 source listings .* 1 put back"):
        lean.put_listings_back(cut, "reference.md")


# --- the labs' executed notebooks (hooks/notebooks.py) -----------------------


def test_a_lab_page_is_rewritten_only_when_its_output_changes(
    tmp_path, monkeypatch
):
    import os

    from nbformat import v4

    notebooks = load_file("hooks/notebooks.py")
    monkeypatch.setattr(notebooks, "CACHE", tmp_path)
    output = {"text": "1\n"}

    def run(path):
        cell = v4.new_code_cell("print(1)", id="cell-1")
        cell.outputs = [v4.new_output("stream", name="stdout", **output)]
        return v4.new_notebook(cells=[cell])

    monkeypatch.setattr(notebooks, "cached_lab_notebook", run)

    class Lab:
        src_uri = "labs/x.py"
        abs_src_path = str(tmp_path / "x.py")

    config = {"site_dir": str(tmp_path / "site"), "use_directory_urls": True}
    first = notebooks._run_lab(Lab, config)
    source = first.abs_src_path
    os.utime(source, (1, 1))  # as if written long ago
    second = notebooks._run_lab(Lab, config)
    assert second.abs_src_path == source
    assert os.path.getmtime(source) == 1  # unchanged: not written again
    output["text"] = "2\n"
    notebooks._run_lab(Lab, config)
    assert os.path.getmtime(source) > 1
    assert '"2\\n"' in open(source, encoding="utf-8").read()


# --- highlighted code blocks (hooks/highlight.py) ----------------------------


def _highlighter(monkeypatch, calls, **settings):
    from markdown import Markdown
    from pymdownx.highlight import Highlight

    module = load_file("hooks/highlight.py")
    real = module._highlight

    def counted(self, *args, **kwargs):
        calls.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(module, "_highlight", counted)
    # on_config installs the hook's method: put pymdownx's back after.
    monkeypatch.setattr(Highlight, "highlight", Highlight.highlight)
    config = {"title_mode": "text", "anchor_linenums": True} | settings
    return module, Highlight(md=Markdown(), **config)


def test_a_code_block_is_highlighted_once(cache_dir, monkeypatch):
    calls = []
    module, hl = _highlighter(monkeypatch, calls)
    fresh = module.highlight(hl, "x = 1\n", "python", code_block_count=3)
    module.on_post_build(None)
    module.on_config(None)  # the next build
    cached = module.highlight(hl, "x = 1\n", "python", code_block_count=3)
    assert cached == fresh and "highlight" in fresh
    assert calls == ["x = 1\n"]
    # Another block, language or position on the page: highlighted.
    module.highlight(hl, "x = 2\n", "python", code_block_count=3)
    module.highlight(hl, "x = 1\n", "text", code_block_count=3)
    module.highlight(hl, "x = 1\n", "python", code_block_count=4)
    assert len(calls) == 4


def test_what_may_stash_html_or_is_inline_is_not_cached(
    cache_dir, monkeypatch
):
    calls = []
    module, html_titles = _highlighter(monkeypatch, calls, title_mode="html")
    for _ in range(2):
        module.highlight(html_titles, "x\n", "python", title="<b>t</b>")
    _, auto = _highlighter(monkeypatch, calls, auto_title=True)
    for _ in range(2):
        module.highlight(auto, "y\n", "python")
    _, plain = _highlighter(monkeypatch, calls)
    for _ in range(2):
        module.highlight(plain, "z", "python", inline=True)
    assert calls == ["x\n", "x\n", "y\n", "y\n", "z", "z"]
    plain.extra = object()  # a setting known only by its address
    assert module.settings(plain) is None


def test_the_highlight_store_keeps_what_was_used_first(cache_dir, monkeypatch):
    calls = []
    module, hl = _highlighter(monkeypatch, calls)
    for i in range(3):
        module.highlight(hl, f"v = {i}\n", "python")
    module.on_post_build(None)
    store = module._store_path()
    assert len(json.loads(store.read_text())) == 3
    module.on_config(None)
    monkeypatch.setattr(module, "KEEP", 2)
    module.highlight(hl, "w = 0\n", "python")  # new
    module.highlight(hl, "v = 2\n", "python")  # from the store
    module.on_post_build(None)
    kept = json.loads(store.read_text())
    assert len(kept) == 2
    assert all("w" in h or "2" in h for h in kept.values())
    # A build that only read the store leaves it as it was.
    before = store.stat().st_mtime_ns
    module.on_config(None)
    module.highlight(hl, "w = 0\n", "python")
    module.on_post_build(None)
    assert store.stat().st_mtime_ns == before


# --- the checker's reading of each page (hooks/markers.py) -------------------


def test_the_checkers_reading_of_a_page_is_cached(
    cache_dir, monkeypatch, tmp_path
):
    from doccheck.page import PageError

    markers = load_file("hooks/markers.py")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inc.md").write_text("Given 7<!--given: a count -->.\n")
    page = 'It is 0.5<!--= 1 / 2 -->.\n\n--8<-- "inc.md"\n'
    fresh = markers.read_page("docs/p.md", page)
    assert markers.cached_read("docs/p.md", page) == json.loads(
        json.dumps(fresh)
    )
    assert fresh["numbers"] == {
        "source": "inc.md", "checked": ["0.5"], "given": ["7"]
    }  # fmt: skip
    (entry,) = (cache_dir / "markers").glob("*/*.json")
    served = json.loads(entry.read_text())
    served["text"] = "from the cache"
    entry.write_text(json.dumps(served))
    assert markers.cached_read("docs/p.md", page)["text"] == "from the cache"
    # An included file that changes, or an edit: read again.
    (tmp_path / "inc.md").write_text("Given 8<!--given: a count -->.\n")
    assert markers.cached_read("docs/p.md", page)["numbers"]["given"] == ["8"]
    edited = page.replace("0.5", "0.50")
    assert "0.50" in markers.cached_read("docs/p.md", edited)["text"]
    assert len(list((cache_dir / "markers").glob("*/*.json"))) == 1
    # A page the checker cannot read fails every time, and is not kept.
    broken = "```python\nx = 1\n"
    for _ in range(2):
        with pytest.raises(PageError):
            markers.cached_read("docs/p.md", broken)

"""The built site: every internal link resolves, and builds repeat.

Uses the strict build made once per session by browser_support.
"""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import REPO, require_build
from conftest import load_file

sys.path.insert(0, str(REPO / "scripts"))
from check_links import check  # noqa: E402


@pytest.mark.slow
def test_internal_links_and_anchors_resolve(site_build):
    broken, _ = check(require_build(site_build))
    assert not broken, "\n".join(
        f"{p} -> {link}: {why}" for p, link, why in broken
    )


def test_the_link_checker_finds_a_broken_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a><a href="b/">gone</a>'
        '<a href="a/#here">ok</a><a href="a/#nowhere">bad</a>'
        '<a href="https://example.org/">elsewhere</a>'
    )
    (tmp_path / "a/index.html").write_text('<h2 id="here">Here</h2>')
    broken, external = check(tmp_path)
    assert broken == [
        ("index.html", "b/", "no such file"),
        ("index.html", "a/#nowhere", "no such anchor"),
    ]
    assert external == 1


LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def _normalised(path):
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    if path.name.startswith("sitemap.xml"):
        data = LASTMOD.sub(b"<lastmod/>", data)  # the build date
    return data


@pytest.mark.slow
def test_two_builds_are_identical_apart_from_the_date(site_build, tmp_path):
    first = require_build(site_build)
    if site_build.prebuilt:
        pytest.skip("TEST_SITE_DIR given: no fresh build to compare")
    second = tmp_path / "site"
    # The second build makes afresh what the build cache would serve for
    # the reference page, the search index, the lesson notebooks, the
    # highlighted code blocks and the checker's reading of each page (the
    # figures and labs take minutes: tests/test_buildcache.py covers
    # theirs), so that a cached output that differs from a fresh one fails
    # here, whichever of the two builds found the cache warm.
    env = dict(
        os.environ,
        NO_MKDOCS_2_WARNING="1",
        SITECACHE_FRESH="mkdocstrings search notebooks highlight markers",
        TMPDIR=str(tmp_path),
    )
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(second)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    files = sorted(
        p.relative_to(first) for p in first.rglob("*") if p.is_file()
    )
    assert files == sorted(
        p.relative_to(second) for p in second.rglob("*") if p.is_file()
    )
    differ = [
        str(f)
        for f in files
        if _normalised(first / f) != _normalised(second / f)
    ]
    assert differ == []


# ---------------------------------------------------------------------------
# A light first load (hooks/katex.py, hooks/lean.py, overrides/main.html)
# ---------------------------------------------------------------------------


def _pages(site):
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("assets/", "search/")):
            continue
        yield rel, path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_math_is_rendered_when_the_site_is_built(site_build):
    site = require_build(site_build)
    assert not list(site.rglob("katex*.js")), "KaTeX's JavaScript is shipped"
    with_math = 0
    problems = []
    for rel, text in _pages(site):
        if "katex.min.js" in text or "auto-render" in text:
            problems.append(f"{rel}: loads KaTeX's JavaScript")
        has_math = 'class="katex"' in text
        links_css = "katex.min.css" in text
        if has_math != links_css:
            problems.append(
                f"{rel}: math {has_math}, KaTeX stylesheet {links_css}"
            )
        if has_math:
            with_math += 1
            if "<math" not in text:
                problems.append(f"{rel}: no MathML for screen readers")
        for raw in re.findall(r'class="arithmatex"[^>]*>\s*\\[(\[]', text):
            problems.append(f"{rel}: unrendered TeX {raw!r}")
    assert with_math >= 20, f"only {with_math} pages have rendered math"
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_lean_pages(site_build):
    """Per-page CSS, sized lazy images, one description per page, and a
    first frame that waits for the first screen of content."""
    site = require_build(site_build)
    problems = []
    descriptions = {}
    for rel, text in _pages(site):
        if "404" in rel:
            continue
        if re.search(r'<link rel="stylesheet" href="[^"]*print\.css">', text):
            problems.append(f"{rel}: print.css without media=print")
        if ("_mkdocstrings.css" in text) != ('class="doc doc-' in text):
            problems.append(f"{rel}: mkdocstrings CSS where it is not used")
        for style in re.findall(r"<style\b.*?</style>", text, re.S):
            if len(style) > 2000:
                problems.append(f"{rel}: {len(style)} bytes of inline CSS")
        for img in re.findall(r"<img\b[^>]*>", text):
            for attr in ("width=", "height=", 'loading="lazy"'):
                if attr not in img:
                    problems.append(f"{rel}: <img> without {attr}: {img[:80]}")
        markers = text.count('id="first-screen"')
        markers += text.count("e.id='first-screen'")  # after the fonts
        if markers != 1:
            problems.append(f"{rel}: not one #first-screen marker")
        if '<link rel="expect" href="#first-screen"' not in text:
            problems.append(f"{rel}: the first frame does not wait")
        meta = re.search(r'<meta name="description" content="([^"]*)"', text)
        if meta is None:
            problems.append(f"{rel}: no meta description")
        else:
            descriptions.setdefault(meta[1], []).append(rel)
    shared = {d: p for d, p in descriptions.items() if len(p) > 1}
    assert not shared, f"pages share a description: {shared}"
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_palette_css_does_not_restyle_every_element(site_build):
    """Material's rule for [data-md-color-switching] is gone from the
    built site, and the hook still finds it in Material's own file (an
    upgrade that renames it fails here, not silently)."""
    import material

    lean = load_file("hooks/lean.py")
    theme = Path(material.__file__).parent / "templates/assets/stylesheets"
    originals = list(theme.glob("palette.*.min.css"))
    assert len(originals) == 1, originals
    original = originals[0].read_text(encoding="utf-8")
    assert len(lean.SWITCHING_RULE.findall(original)) == 1, (
        "Material's palette CSS no longer has the switching rule that "
        "hooks/lean.py removes: update SWITCHING_RULE"
    )
    site = require_build(site_build)
    built = (site / "assets/stylesheets" / originals[0].name).read_text(
        encoding="utf-8"
    )
    assert "data-md-color-switching" not in built
    assert len(built) == len(original) - len(
        lean.SWITCHING_RULE.search(original)[0]
    )


def test_katex_fonts_of_a_page():
    """The fonts a page's math lays out, from KaTeX's classes: the
    regular face always, italic math for a variable, the small operators
    for an inline sum, none for math inside a closed <details>."""
    katex = load_file("hooks/katex.py")
    assert lean_marker() == katex.FIRST_SCREEN
    fonts = katex.fonts_used
    base = "assets/katex/fonts/KaTeX_"
    assert fonts("") == [base + "Main-Regular.woff2"]
    assert fonts('<span class="mord mathnormal">x</span>') == [
        base + "Main-Regular.woff2",
        base + "Math-Italic.woff2",
    ]
    assert base + "Size1-Regular.woff2" in fonts(
        '<span class="mop op-symbol small-op">&sum;</span>'
    )
    closed = '<details><span class="mord mathnormal">x</span></details>'
    assert fonts(closed) == [base + "Main-Regular.woff2"]
    opened = closed.replace("<details>", "<details open>")
    assert base + "Math-Italic.woff2" in fonts(opened)
    script = katex.first_screen_after_fonts(fonts(opened))
    assert "italic 400 1em KaTeX_Math" in script


def lean_marker():
    return load_file("hooks/lean.py").FIRST_SCREEN


def test_first_screen_marker_follows_whole_blocks():
    """The marker that holds the first frame goes after the first whole
    block past the limit: never inside a paragraph, table or formula;
    unseen text (MathML, scripts) does not count."""
    lean = load_file("hooks/lean.py")
    limit, mark = lean.FIRST_SCREEN_CHARS, lean.FIRST_SCREEN
    para = "<p>" + "x" * (limit // 3) + "</p>\n"
    assert lean.mark_first_screen(para) == para + mark  # too short: at end
    long = para * 2 + "<p>" + "y" * (limit // 2) + " <b>z</b> w</p>" + para
    out = lean.mark_first_screen(long)
    assert out.index(mark) == long.index("</p>", long.index("y")) + 4
    cell = "t" * limit
    table = f"<table><tr><td>{cell}</td></tr><tr><td>u</td></tr></table>"
    out = lean.mark_first_screen(f"<div>{table}</div><p>after</p>")
    assert out.index(mark) == out.index("</table>") + len("</table>")
    items = "".join(f"<li>{'i' * (limit // 4)}</li>" for _ in range(8))
    out = lean.mark_first_screen(f"<ul>{items}</ul>")
    assert out.count("</li>", 0, out.index(mark)) == 4
    nested = f"<ul><li><ul>{items}</ul></li></ul><p>after</p>"
    out = lean.mark_first_screen(nested)  # an inner list's items: no
    assert out.index(mark) == out.index("</ul></li>") + len("</ul></li>")
    hidden = "s<b>" * limit
    unseen = f"<script>{hidden}</script><p><math>{hidden}</math></p>"
    assert lean.mark_first_screen(unseen).endswith(mark)
    svg = f"<div><svg><path d='M0'/><text>{'v' * limit}</text></svg></div>"
    out = lean.mark_first_screen(svg + "<p>after</p>")
    assert out.index(mark) == out.index("</svg>") + len("</svg>")
    lab = f"<div class=cell><div class=in><pre>{'c' * limit}</pre></div>"
    out = lean.mark_first_screen(lab + "<div class=out>o</div></div>")
    assert out.index(mark) == out.index("</pre>") + len("</pre>")
    # A long page is read only as far as the marker.
    big = para * 4 + "<p>" + "<b>q</b>" * 200_000 + "</p>"
    assert lean.mark_first_screen(big).index(mark) == len(para) * 3 - 1


@pytest.mark.slow
def test_search_index_leaves_out_source_and_math(site_build):
    import json

    site = require_build(site_build)
    index = json.loads((site / "search/search_index.json").read_text())
    text = " ".join(d["text"] for d in index["docs"])
    assert "katex" not in text and "application/x-tex" not in text
    source = [
        d["location"] for d in index["docs"] if "def _backward(" in d["text"]
    ]
    assert not any(loc.startswith("reference/") for loc in source), source


def _figures_hook():
    return load_file("hooks/figures.py")


def _too_small(layouts):
    from sitefigures.style import MIN_PHONE_TEXT_PX, STYLES

    narrow = {s.name for s in STYLES if s.narrow}
    return [
        f"{name}-{style}: {layout['smallest_text_px']:.1f} px"
        for (name, style), layout in sorted(layouts.items())
        if style in narrow
        and layout["smallest_text_px"] is not None
        and layout["smallest_text_px"] < MIN_PHONE_TEXT_PX
    ]


def _cut_off(layouts):
    cut = []
    for (name, style), layout in sorted(layouts.items()):
        edges = [
            f"{edge} {px:.0f} px"
            for edge, px in zip(
                ("left", "right", "bottom", "top"),
                layout["overflow_px"],
                strict=True,
            )
            if px > 1
        ]
        if edges:
            cut.append(f"{name}-{style}: past the " + ", ".join(edges))
    return cut


@pytest.fixture(scope="module")
def figure_layouts():
    """The layout of every figure in every style, as the build measured it
    (hooks/figures.py keeps it in the build cache beside the SVG)."""
    return {
        key: layout for key, (_, layout) in _figures_hook().figures().items()
    }


@pytest.mark.slow
def test_figures_are_legible_on_a_phone(figure_layouts):
    """Every figure's narrow variant: no text below 11 px at 375 px."""
    small = _too_small(figure_layouts)
    assert not small, "text too small on a phone:\n" + "\n".join(small)


@pytest.mark.slow
def test_no_figure_text_is_cut_off_at_an_edge(figure_layouts):
    """Every figure in every style keeps its labels inside the image."""
    cut = _cut_off(figure_layouts)
    assert not cut, "figure text cut off (shorten or wrap it):\n" + "\n".join(
        cut
    )


def test_the_layout_checks_catch_tiny_text_and_a_label_past_the_edge():
    """The build's measurements, on figures made to fail them."""
    from sitefigures.style import STYLES, figure

    hook = _figures_hook()
    narrow = next(s for s in STYLES if s.narrow)

    def tiny(style):
        fig, ax = figure(style)
        ax.plot([0, 1], [0, 1])
        ax.set_title("small print", fontsize=4)
        return fig

    def overlong(style):
        fig, ax = figure(style)
        ax.plot([0, 1], [0, 1])
        ax.set_xlabel("a label far longer than any figure is wide " * 4)
        return fig

    def fine(style):
        fig, ax = figure(style)
        ax.plot([0, 1], [0, 1])
        return fig

    layouts = {
        (name, narrow.name): hook.drawn(draw, narrow)[1]
        for name, draw in (
            ("tiny", tiny),
            ("overlong", overlong),
            ("fine", fine),
        )
    }
    assert [s.split(":")[0] for s in _too_small(layouts)] == [
        f"tiny-{narrow.name}"
    ]
    cut = _cut_off(layouts)
    assert [s.split(":")[0] for s in cut] == [f"overlong-{narrow.name}"]
    assert "left" in cut[0] and "right" in cut[0]


def test_a_tex_error_fails_the_build_with_file_and_line(tmp_path):
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    hook = load_file("hooks/katex.py")
    src = tmp_path / "page.md"
    src.write_text("# A page\n\nFine \\(x^2\\).\n\nBroken \\(\\frac{1}{\\).\n")
    page = SimpleNamespace(
        url="page/",
        meta={},
        file=SimpleNamespace(src_uri="page.md", abs_src_path=str(src)),
    )

    def render(html):
        page.content = hook.on_page_content(html, page=page)
        hook.on_page_context({}, page=page)
        return page.content

    good = '<p>Fine <span class="arithmatex">\\(x^2\\)</span>.</p>'
    out = render(good)
    assert 'class="katex"' in out and "<math" in out and "katex.min.css" in out
    bad = '<p>Broken <span class="arithmatex">\\(\\frac{1}{\\)</span>.</p>'
    try:
        with pytest.raises(PluginError, match=r"docs/page\.md:5: TeX error"):
            render(bad)
    finally:
        hook.on_shutdown()


def test_a_page_description_is_its_first_prose_paragraph():
    lean = load_file("hooks/lean.py")
    filler = "a sentence long enough to count as prose, " * 2
    page = (
        '<p><a class="md-button" href="x">Download as a notebook</a></p>'
        f'<p>With math <span class="arithmatex">x</span>: {filler}</p>'
        "<p>Too short.</p>"
        f'<div class="admonition"><p>Inside a note: {filler}</p></div>'
        f"<p>First plain one: {filler}</p><p>Second: {filler}</p>"
    )
    # Fed in chunks of any size, the parser finds the same paragraphs.
    whole = lean._prose(lean._Paragraphs(), page, chunk=len(page))
    for chunk in (1, 7, 64, 500):
        assert lean._prose(lean._Paragraphs(), page, chunk=chunk) == whole
    assert [m for _, m in whole] == [True, False, False]
    # The first of the first three without math, shortened.
    assert lean.first_paragraph(page).startswith("First plain one: a sent")
    # No top-level prose: a paragraph inside other blocks will do.
    nested = f'<div class="admonition"><p>Only here: {filler}</p></div>'
    assert lean.first_paragraph(nested).startswith("Only here:")
    assert lean.first_paragraph("<p>short</p>") is None

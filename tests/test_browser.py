"""The built site, as a reader's browser sees it.

``test_strict_build`` and ``test_pages_match_built_site`` need no browser:
they check the output of ``mkdocs build --strict``. Everything marked
``browser`` drives the built site in headless Chromium (Debian's, at
``$CHROMIUM``), served from 127.0.0.1; no request may leave that server.

Screenshots go to ``artifacts/screenshots/`` and the full axe-core results
to ``artifacts/axe/``; neither is committed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import (
    ARTIFACTS,
    BLOCKING_IMPACTS,
    DESKTOP,
    MATH_JS,
    MODES,
    PHONE,
    SCREENSHOTS,
    QuietHandler,
    SitePage,
    axe_source,
    built_pages,
    discover_pages,
    format_violations,
    page_id,
    require_build,
    serve,
    static_problems,
)
from conftest import load_file

PAGES = discover_pages()
PAGE_PARAMS = [pytest.param(p, id=page_id(p)) for p in PAGES]


def _report(title: str, page: str, problems: list[str]) -> str:
    return f"{title} on /{page}:\n" + "\n".join(f"  {p}" for p in problems)


# ---------------------------------------------------------------------------
# No browser: the build itself
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_strict_build(site_build):
    if site_build.prebuilt:
        pytest.skip(f"not built by this run ({site_build.output})")
    assert site_build.ok, (
        f"mkdocs build --strict failed ({site_build.returncode}):\n"
        f"{site_build.output}"
    )
    problems = static_problems(site_build.directory)
    assert not problems, "the built HTML is not self-contained:\n" + (
        "\n".join(f"  {p}" for p in problems)
    )


@pytest.mark.slow
def test_pages_match_built_site(site_build):
    """The pages the browser tests visit are exactly the built pages."""
    built = built_pages(require_build(site_build))
    assert PAGES == built, (
        f"tested but not built: {sorted(set(PAGES) - set(built))}; "
        f"built but not tested: {sorted(set(built) - set(PAGES))}"
    )


# ---------------------------------------------------------------------------
# Every page: errors, network, math, phone width
# ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_page(path, visits):
    """No errors, no request off the machine, math rendered, fits a phone.

    Errors and requests are checked in both visits (light at phone width,
    dark at desktop width); math and width on the phone-width one.
    """
    problems = []
    for mode in MODES:
        v = visits.get(path, mode)
        where = f"[{mode}, {v.viewport['width']} px] "
        if v.status != 200:
            problems.append(f"{where}HTTP status {v.status}, not 200")
        problems += [where + p for p in v.problems]

    v = visits.get(path, "light")
    math = v.math
    problems += [f"math not rendered: {m}" for m in math["unrendered"]]
    problems += [f"KaTeX error: {m}" for m in math["errors"]]
    problems += [f"raw TeX delimiter in the text: {m}" for m in math["raw"]]

    width = v.overflow
    if width["scrollWidth"] > width["clientWidth"]:
        problems.append(
            f"scrolls sideways at {v.viewport['width']} px: the document "
            f"is {width['scrollWidth']} px wide, the viewport "
            f"{width['clientWidth']} px; the widest content:"
        )
        problems += [f"  {c}" for c in width["culprits"]]
    assert not problems, _report("problems", path, problems)


# ---------------------------------------------------------------------------
# Accessibility: axe-core in light and dark mode
# ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_accessibility(path, mode, visits):
    v = visits.get(path, mode)
    assert v.scheme == MODES[mode], (
        f"/{path} in {mode} mode shows colour scheme {v.scheme!r}, "
        f"expected {MODES[mode]!r}: the mode was not applied"
    )
    name = page_id(path).replace("/", "-")
    out = ARTIFACTS / "axe" / mode / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "axe": axe_source()[1],
        "page": "/" + path,
        "mode": mode,
        "viewport": v.viewport,
        "violations": v.violations,
    }
    out.write_text(json.dumps(record, indent=1))
    blocking = [x for x in v.violations if x["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe-core {axe_source()[1]}: serious or critical violations on "
        f"/{path} in {mode} mode at {v.viewport['width']} px "
        f"(all results: {out}):\n" + format_violations(blocking)
    )


# ---------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "lesson"),
    [
        ("backpropagation", "lessons/l08-backprop/"),
        ("temperature", "lessons/l18-temperature/"),
    ],
)
def test_search_finds_lesson(query, lesson, mode_contexts, site_url):
    sp = SitePage.open(mode_contexts["light"], site_url)
    try:
        sp.goto("")
        box = sp.page.locator("input.md-search__input")
        box.click()
        box.press_sequentially(query, delay=20)
        items = sp.page.locator(
            ".md-search-result__list > li.md-search-result__item"
        )
        try:
            items.first.wait_for(state="visible", timeout=10_000)
        except Exception:
            meta = sp.page.locator(".md-search-result__meta").inner_text()
            pytest.fail(
                f"search for {query!r} shows no results ({meta!r})"
                + (f"; {sp.problems()}" if sp.problems() else ""),
                pytrace=False,
            )
        results = sp.page.eval_on_selector_all(
            ".md-search-result__list > li.md-search-result__item"
            " > a.md-search-result__link",
            "as => as.map(a => [a.href, a.querySelector('h1, h2')"
            "?.textContent.trim() ?? ''])",
        )
        paths = [urlsplit(href).path.lstrip("/") for href, _ in results]
        listing = "\n".join(
            f"  {i}. /{p} {title!r}"
            for i, (p, (_, title)) in enumerate(
                zip(paths, results, strict=True), 1
            )
        )
        lessons = [p for p in paths if p.startswith("lessons/")]
        assert lessons and lessons[0] == lesson, (
            f"search for {query!r}: the first lesson found is "
            f"{lessons[0] if lessons else None!r}, expected /{lesson}; "
            f"results:\n{listing}"
        )
        # Follow that result as a reader would.
        index = paths.index(lesson)
        sp.page.locator(
            ".md-search-result__list > li.md-search-result__item"
            " > a.md-search-result__link"
        ).nth(index).click()
        sp.page.wait_for_url(f"**/{lesson}**")
        landed = urlsplit(sp.page.url).path.lstrip("/")
        assert landed == lesson, f"result led to /{landed}, not /{lesson}"
        assert not sp.problems(), _report("problems", lesson, sp.problems())
    finally:
        sp.close()


# ---------------------------------------------------------------------------
# Screenshots for people to look at (artifacts/screenshots/, not committed)
# ---------------------------------------------------------------------------

SHOTS = [
    ("home", "", "screen"),
    ("lesson-l03", "lessons/l03-layers/", "screen"),
    ("cheatsheet-print", "cheatsheet/", "print"),
]


@pytest.mark.browser
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize(
    ("name", "path", "media"),
    [pytest.param(*s, id=s[0]) for s in SHOTS],
)
def test_screenshot(name, path, media, mode, mode_contexts, site_url):
    sp = SitePage.open(mode_contexts[mode], site_url)
    try:
        if media == "print":
            sp.page.emulate_media(media="print")
        sp.goto(path, mode=mode)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        out = SCREENSHOTS / f"{name}-{mode}.png"
        sp.page.screenshot(path=str(out), full_page=True)
        problems = sp.problems()
    finally:
        sp.close()
    assert out.stat().st_size > 1000, f"empty screenshot {out}"
    assert not problems, _report("problems", path, problems)


@pytest.mark.browser
def test_network_guard_blocks_other_hosts(mode_contexts, site_url):
    """The guard itself works: a request to another origin is recorded.

    127.0.0.2 is another origin on loopback, so even a broken guard would
    send nothing off this machine.
    """
    sp = SitePage.open(mode_contexts["light"], site_url)
    try:
        sp.goto("")
        sp.page.evaluate(
            """() => new Promise(done => {
                 const img = new Image();
                 img.onload = img.onerror = done;
                 img.src = 'http://127.0.0.2:9/probe.png';
               })"""
        )
    finally:
        sp.close()
    assert sp.external == ["GET http://127.0.0.2:9/probe.png"]


@pytest.mark.browser
@pytest.mark.parametrize(
    "path", ["lessons/l08-backprop/", "glossary/", "labs/descent/"]
)
def test_math_is_there_before_any_script_runs(path, chromium, site_url):
    """Math is rendered when the site is built: with every script file
    blocked, at DOMContentLoaded, each formula is KaTeX's HTML and no TeX
    shows."""
    ctx = chromium.new_context(base_url=site_url, viewport=PHONE)
    try:
        page = ctx.new_page()
        page.route("**/*.js", lambda route: route.abort())
        page.goto(site_url + path, wait_until="domcontentloaded")
        math = page.evaluate(MATH_JS)
    finally:
        ctx.close()
    assert math["count"] > 0, f"/{path}: no math found"
    problems = [f"not rendered: {m}" for m in math["unrendered"]]
    problems += [f"raw TeX: {m}" for m in math["raw"]]
    problems += [f"KaTeX error: {m}" for m in math["errors"]]
    assert not problems, _report("math without scripts", path, problems)


# The page the stalling server holds, and for how long.
STALL_PAGE = "cheatsheet/"
STALL_S = 1.0
PAINTED_JS = "performance.getEntriesByName('first-contentful-paint').length"


class _StallingHandler(QuietHandler):
    """Serves the built site, but sends STALL_PAGE's HTML in two parts:
    up to halfway through its first screen of content, then, STALL_S
    later, the rest, as a slow network or a parser that yields would."""

    def do_GET(self):
        if self.path != "/" + STALL_PAGE:
            return super().do_GET()
        body = (Path(self.directory) / STALL_PAGE / "index.html").read_bytes()
        start = body.index(b'<article class="md-content__inner')
        cut = (start + body.index(b"first-screen", start)) // 2
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:cut])
        self.wfile.flush()
        time.sleep(STALL_S)
        self.wfile.write(body[cut:])


@pytest.mark.browser
def test_first_frame_waits_for_the_content(site_build, chromium):
    """Nothing is painted while half of a page's first screen has arrived.

    Chromium paints whatever it has parsed when the network stalls or its
    parser yields; a formula or table row parsed a moment later can make a
    painted line taller and move everything under it, the layout shift
    Lighthouse saw now and then on the cheatsheet. The page's rel="expect"
    link holds the first frame until #first-screen is parsed.
    """
    ctx = chromium.new_context(viewport=PHONE, reduced_motion="reduce")
    try:
        with serve(require_build(site_build), _StallingHandler) as url:
            page = ctx.new_page()
            page.goto(url + STALL_PAGE, wait_until="load")
            page.wait_for_function(PAINTED_JS)
            times = page.evaluate(
                """() => ({
                  paint: performance.getEntriesByName('first-paint')[0]
                    .startTime,
                  body: performance.getEntriesByType('navigation')[0]
                    .responseEnd,
                })"""
            )
    finally:
        ctx.close()
    assert times["body"] >= STALL_S * 1000, f"no stall happened: {times}"
    assert times["paint"] >= times["body"], (
        f"/{STALL_PAGE} was painted at {times['paint']:.0f} ms, before the "
        f"rest of its HTML arrived at {times['body']:.0f} ms: the first frame "
        "no longer waits for the first screen (overrides/main.html, "
        'rel="expect" blocking="render")'
    )


FIRST_SCREEN_JS = """() => {
  const mark = document.getElementById('first-screen');
  if (!mark) return null;
  mark.hidden = false;
  mark.style.display = 'block';
  const top = mark.getBoundingClientRect().top + scrollY;
  mark.hidden = true;
  const end = document.querySelector('article').getBoundingClientRect();
  return {top, height: innerHeight, atEnd: top >= end.bottom + scrollY - 1};
}"""


@pytest.mark.browser
@pytest.mark.parametrize(
    "viewport", [PHONE, DESKTOP], ids=lambda v: f"{v['width']}px"
)
def test_first_screen_holds_a_screen(viewport, chromium, site_url):
    """The first frame waits for #first-screen (see the test above); what
    comes before it must fill the window, or the text under it can still
    be painted half parsed and move."""
    ctx = chromium.new_context(base_url=site_url, viewport=viewport)
    short = []
    try:
        page = ctx.new_page()
        for path in PAGES:
            if path == "404.html":  # the theme's; held until it is parsed
                continue
            page.goto(site_url + path, wait_until="load")
            at = page.evaluate(FIRST_SCREEN_JS)
            if at is None:
                short.append(f"/{path}: no #first-screen")
            elif not at["atEnd"] and at["top"] < at["height"]:
                short.append(f"/{path}: at {at['top']:.0f} px")
    finally:
        ctx.close()
    assert not short, (
        f"#first-screen is above the bottom of a {viewport['width']} x "
        f"{viewport['height']} window; raise FIRST_SCREEN_CHARS in "
        "hooks/lean.py:\n  " + "\n  ".join(short)
    )


FONTS_JS = """async () => {
  await document.fonts.ready;
  return {
    preloaded: [...document.querySelectorAll('link[rel=preload][as=font]')]
      .map(l => l.href.split('/').pop()).sort(),
    laidOut: [...document.fonts].filter(f => f.status === 'loaded')
      .map(f => [f.family.replace(/"/g, ''), f.weight, f.style]),
  };
}"""


@pytest.mark.browser
def test_math_fonts_are_preloaded_and_used(chromium, site_url):
    """Every KaTeX font a page lays out is preloaded (hooks/katex.py reads
    which from the page's math), and every preloaded font is laid out:
    the first frame waits for them, so a missing preload costs a layout
    shift and a needless one costs bytes. (What a page fetches is no
    guide: Chromium also prefetches fonts that earlier pages of the site
    used.)"""
    faces, _ = load_file("hooks/katex.py")._katex_css()
    file_of = {face: path.rsplit("/", 1)[1] for face, path in faces.items()}
    ctx = chromium.new_context(base_url=site_url, viewport=PHONE)
    problems = []
    try:
        page = ctx.new_page()
        for path in PAGES:
            page.goto(site_url + path, wait_until="load")
            fonts = page.evaluate(FONTS_JS)
            laid_out = sorted(file_of[tuple(f)] for f in fonts["laidOut"])
            if laid_out != fonts["preloaded"]:
                problems.append(
                    f"/{path}: laid out {laid_out}, preloaded "
                    f"{fonts['preloaded']}"
                )
    finally:
        ctx.close()
    assert not problems, "KaTeX fonts:\n  " + "\n  ".join(problems)

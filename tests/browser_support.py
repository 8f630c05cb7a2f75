"""Build the site once, serve it on loopback, drive it in Chromium.

The fixtures here are imported by the test modules that use them (pytest
finds fixtures imported into a test module), so ``tests/conftest.py`` stays
small:

- ``site_build``: ``mkdocs build --strict`` into a temporary directory,
  once per session (per worker under pytest-xdist). The result records the
  exit code and the output, so a test can assert on it without a browser.
  ``TEST_SITE_DIR=path`` tests an already built site instead.
- ``site_url``: the built site served by a threaded ``http.server`` on
  127.0.0.1, on a free port.
- ``chromium``: one headless Chromium for the session, Debian's binary
  (``$CHROMIUM``, default ``/usr/bin/chromium``), never a downloaded one.
- ``mode_contexts``: one browser context per colour mode, ``light`` and
  ``dark``, made by emulating ``prefers-color-scheme`` (the site's palette
  follows the system until the reader chooses).
- ``visits``: every page is loaded once per mode (light at phone width,
  dark at desktop width) and everything checked at once; the tests that
  look at the same load share it.

``SitePage`` opens one page of the site with everything recorded that a
test may want to report: console errors, page errors, failed local
requests, and every request that tried to leave the local server (those
are aborted, so nothing ever leaves the machine).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import html.parser
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The flags that keep Chromium quiet on a closed network. Playwright adds
# --headless itself and gives every launch a fresh, empty user data dir
# (it refuses --user-data-dir in args), so those two are not repeated.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MODES = {"light": "default", "dark": "slate"}  # mode -> Material scheme
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
TIMEOUT_MS = 15_000


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def discover_pages(root: Path = REPO) -> list[str]:
    """Every page's path below the site root, from the project's files.

    The Markdown files under docs/ and the pages named in mkdocs.yml's
    ``nav`` (which also lists pages that hooks or plugins generate, such
    as notebooks), mapped to MkDocs' directory URLs: ``index.md`` is
    ``""``, ``a/b.md`` is ``a/b/``. Files MkDocs ignores by default (a part
    starting with a dot) and everything under ``assets/`` are left out;
    the theme's own ``404.html`` is added. ``test_pages_match_built_site``
    checks this list against the built site, so the two cannot drift
    apart unnoticed.
    """
    docs = root / "docs"
    sources = {md.relative_to(docs).as_posix() for md in docs.rglob("*.md")}
    sources.update(_nav_files(root / "mkdocs.yml"))
    pages = {"404.html"}
    for src in sources:
        rel = PurePosixPath(src)
        if rel.parts[0] == "assets" or any(
            p.startswith(".") for p in rel.parts
        ):
            continue
        stem = rel.with_suffix("")
        if stem.name in ("index", "README"):
            stem = stem.parent
        if stem.as_posix() == "404":
            continue
        url = stem.as_posix()
        pages.add("" if url == "." else url + "/")
    return sorted(pages)


def _nav_files(mkdocs_yml: Path) -> list[str]:
    """The local files named in mkdocs.yml's nav (tags are ignored)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda *_: None)
    config = yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader)
    found = []

    def walk(node):
        if isinstance(node, str):
            if "://" not in node and not node.startswith(("/", "#")):
                found.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)

    walk((config or {}).get("nav", []))
    return found


def built_pages(site_dir: Path) -> list[str]:
    """Every HTML page of a built site, as paths below its root."""
    pages = set()
    for file in site_dir.rglob("*.html"):
        rel = file.relative_to(site_dir)
        if rel.parts[0] in ("assets", "search"):
            continue
        if rel.name == "index.html":
            parent = rel.parent.as_posix()
            pages.add("" if parent == "." else parent + "/")
        else:
            pages.add(rel.as_posix())
    return sorted(pages)


def page_id(path: str) -> str:
    """A readable test id for a page path."""
    return path.rstrip("/") or "home"


# ---------------------------------------------------------------------------
# Build and serve
# ---------------------------------------------------------------------------


@dataclass
class SiteBuild:
    directory: Path
    returncode: int
    output: str
    prebuilt: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> SiteBuild:
    """``mkdocs build --strict`` into a fresh directory, once per run.

    Under pytest-xdist the workers share the one build: the first to ask
    builds while the others wait on a lock, and all read its result.
    With ``TEST_SITE_DIR`` set, that already built site is used instead
    (for iterating on the browser tests; ``test_strict_build`` then skips).
    """
    if os.environ.get("TEST_SITE_DIR"):
        prebuilt = Path(os.environ["TEST_SITE_DIR"]).resolve()
        return SiteBuild(prebuilt, 0, f"TEST_SITE_DIR={prebuilt}", True)
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's
    out = shared / "site"
    record = shared / "site-build.json"
    with open(shared / "site-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
            proc = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict"]
                + ["-d", str(out)],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=1200,  # a cold build trains the tiny-GPT lab
            )
            record.write_text(
                json.dumps([proc.returncode, proc.stdout + proc.stderr]),
                encoding="utf-8",
            )
    returncode, output = json.loads(record.read_text(encoding="utf-8"))
    return SiteBuild(out, returncode, output)


def require_build(build: SiteBuild) -> Path:
    if not build.ok:
        pytest.fail(
            f"mkdocs build --strict failed ({build.returncode}):\n"
            f"{build.output}",
            pytrace=False,
        )
    return build.directory


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
        ".js": "text/javascript",
        ".json": "application/json",
    }

    def log_message(self, *args):  # keep the test output clean
        pass


@contextlib.contextmanager
def serve(directory: Path, handler=QuietHandler):
    """Serve ``directory`` on 127.0.0.1 on a free port; yields the URL."""
    bound = functools.partial(handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), bound)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(site_build) -> str:
    """The built site, served on 127.0.0.1 on a free port."""
    with serve(require_build(site_build)) as url:
        yield url


# ---------------------------------------------------------------------------
# Browser
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (Debian's) for the whole session."""
    if not os.access(CHROMIUM, os.X_OK):
        why = (
            f"no Chromium at {CHROMIUM}: apt-get install chromium "
            "poppler-utils, or set CHROMIUM to the browser's path"
        )
        if os.environ.get("CI"):  # CI checks everything, or fails
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


@pytest.fixture(scope="session")
def mode_contexts(chromium, site_url):
    """One context per colour mode: {"light": ctx, "dark": ctx}."""
    contexts = {
        mode: chromium.new_context(
            base_url=site_url,
            viewport=DESKTOP,
            color_scheme=mode,
            reduced_motion="reduce",
            service_workers="block",
        )
        for mode in MODES
    }
    for ctx in contexts.values():
        ctx.set_default_timeout(TIMEOUT_MS)
    yield contexts
    for ctx in contexts.values():
        ctx.close()


@dataclass
class SitePage:
    """A page of the site opened in a context, with what went wrong."""

    page: object
    origin: str
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_local: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, context, site_url, viewport=DESKTOP) -> SitePage:
        page = context.new_page()
        page.set_viewport_size(viewport)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(site_url))
        sp = cls(page, origin)

        def guard(route):
            sp.external.append(f"{route.request.method} {route.request.url}")
            route.abort("blockedbyclient")

        # Only what is not on the local server reaches Python: the regex
        # is matched inside the browser driver, so local requests are not
        # slowed down by a round trip through this process.
        page.route(
            re.compile("^(?!" + re.escape(origin) + "/|data:|blob:)"), guard
        )
        page.on("console", sp._on_console)
        page.on("pageerror", lambda e: sp.page_errors.append(str(e)))
        page.on("response", sp._on_response)
        page.on(
            "requestfailed",
            lambda r: (
                None
                if not _same_origin(r.url, origin)
                else sp.failed_local.append(f"{r.url} ({r.failure})")
            ),
        )
        return sp

    def _on_console(self, msg):
        # "Failed to load resource" repeats a failed or blocked request,
        # which is already recorded with its URL (failed_local, external).
        if msg.type == "error" and not msg.text.startswith(
            "Failed to load resource"
        ):
            loc = msg.location or {}
            where = loc.get("url", "")
            if where:
                where = f" [{where}:{loc.get('lineNumber', 0) + 1}]"
            self.console_errors.append(f"{msg.text}{where}")

    def _on_response(self, response):
        if response.status >= 400 and _same_origin(response.url, self.origin):
            self.failed_local.append(
                f"{response.url} (HTTP {response.status})"
            )

    def goto(self, path: str, mode: str | None = None):
        """Load a page and wait until Material and KaTeX have run."""
        response = self.page.goto(self.origin + "/" + path, wait_until="load")
        # Material's bundle sets the scheme that follows the system, and
        # katex.js renders math on Material's document$; wait for both.
        self.page.wait_for_function(
            "() => typeof document$ !== 'undefined'"
            " && document.body.getAttribute('data-md-color-scheme')",
        )
        if mode is not None:
            try:
                self.page.wait_for_function(
                    "s => document.body.getAttribute("
                    "'data-md-color-scheme') === s",
                    arg=MODES[mode],
                    timeout=5_000,
                )
            except Exception:  # reported by the caller through scheme()
                pass
        try:
            self.page.wait_for_function(
                "() => [...document.querySelectorAll('.arithmatex')]"
                ".every(e => e.querySelector('.katex, .katex-error'))",
                timeout=5_000,
            )
        except Exception:  # reported by the math check with the details
            pass
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        return response

    def scheme(self) -> str | None:
        return self.page.evaluate(
            "() => document.body.getAttribute('data-md-color-scheme')"
        )

    def problems(self) -> list[str]:
        """Console and page errors, failed local and external requests."""
        out = []
        out += [f"console error: {m}" for m in self.console_errors]
        out += [f"page error: {m}" for m in self.page_errors]
        out += [f"failed local request: {u}" for u in self.failed_local]
        out += [f"request left the local server: {u}" for u in self.external]
        return out

    def close(self):
        self.page.close()


def _same_origin(url: str, origin: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return True
    return url == origin or url.startswith(origin + "/")


# ---------------------------------------------------------------------------
# In-page checks (JavaScript run in the page)
# ---------------------------------------------------------------------------

MATH_JS = r"""
() => {
  const describe = (e) => e.textContent.trim().replace(/\s+/g, ' ')
    .slice(0, 80);
  const math = [...document.querySelectorAll('.arithmatex')];
  const unrendered = math.filter(e => !e.querySelector('.katex'))
    .map(describe);
  const errors = [...document.querySelectorAll('.katex-error')]
    .map(e => `${describe(e)} -- ${e.getAttribute('title') || ''}`);
  // Visible text outside code and rendered math must hold no delimiter.
  const raw = [];
  const walker = document.createTreeWalker(document.body,
    NodeFilter.SHOW_TEXT, {
      acceptNode(node) {
        const p = node.parentElement;
        if (!p || p.closest('pre, code, script, style, textarea, .katex'))
          return NodeFilter.FILTER_REJECT;
        if (p.checkVisibility && !p.checkVisibility())
          return NodeFilter.FILTER_REJECT;
        return NodeFilter.FILTER_ACCEPT;
      }
    });
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.textContent;
    for (const d of ['$$', '\\(', '\\[']) {
      const i = t.indexOf(d);
      if (i >= 0) {
        const ctx = t.slice(Math.max(0, i - 30), i + 40)
          .replace(/\s+/g, ' ');
        raw.push(`${d} in "${ctx}"`);
      }
    }
  }
  return {count: math.length, unrendered, errors, raw};
}
"""

OVERFLOW_JS = r"""
() => {
  const de = document.documentElement;
  const cw = de.clientWidth;
  const result = {scrollWidth: de.scrollWidth, clientWidth: cw,
                  culprits: []};
  if (de.scrollWidth <= cw) return result;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    for (const c of el.classList) s += '.' + c;
    return s;
  };
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4;
         e = e.parentElement) parts.unshift(name(e));
    return parts.join(' > ');
  };
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body;
         a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const over = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= cw + 0.5) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;
    if (clipped(el)) continue;
    over.push([el, r]);
  }
  // Report the innermost culprits: those containing no other culprit.
  const set = new Set(over.map(([el]) => el));
  for (const [el, r] of over) {
    if ([...el.querySelectorAll('*')].some(c => set.has(c))) continue;
    result.culprits.push(
      `${path(el)} (right edge ${Math.round(r.right)} px): ` +
      `"${el.textContent.trim().replace(/\s+/g, ' ').slice(0, 60)}"`);
    if (result.culprits.length >= 8) break;
  }
  return result;
}
"""

SETTLE_JS = """
() => document.getAnimations().every(a => a.playState !== 'running')
"""


# ---------------------------------------------------------------------------
# Accessibility (axe-core, as bundled by the axe-playwright-python wheel)
# ---------------------------------------------------------------------------


@functools.cache
def axe_source() -> tuple[str, str]:
    """axe.min.js from the axe-playwright-python wheel, and its version.

    The wheel is pinned with its hashes in requirements.lock, so the
    script is as fixed as any other dependency and is served from disk.
    """
    from axe_playwright_python.base import AXE_FILE_PATH

    text = AXE_FILE_PATH.read_text(encoding="utf-8")
    version = text[: text.find("\n")].removeprefix("/*! axe ").strip()
    return text, version


BLOCKING_IMPACTS = ("serious", "critical")


def run_axe(page) -> list[dict]:
    """All axe-core violations on the page as it is now."""
    script, _ = axe_source()
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=script)
    return page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations)"
    )


def format_violations(violations: list[dict], limit: int = 6) -> str:
    lines = []
    for v in violations:
        lines.append(
            f"  {v['id']} ({v['impact']}): {v['help']} "
            f"[{len(v['nodes'])} node(s)] {v['helpUrl']}"
        )
        for node in v["nodes"][:limit]:
            target = " ".join(
                t if isinstance(t, str) else " >> ".join(t)
                for t in node["target"]
            )
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    - {target}")
            lines.append(f"      html: {node['html'][:160]}")
            if summary:
                lines.append(f"      why:  {summary[:300]}")
        if len(v["nodes"]) > limit:
            lines.append(f"    ... and {len(v['nodes']) - limit} more")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# One visit per page and mode, shared by the tests that look at it
# ---------------------------------------------------------------------------

# Light mode is visited at phone width and dark mode at desktop width, so
# that each layout and each colour scheme is scanned once per page.
VIEWPORTS = {"light": PHONE, "dark": DESKTOP}


@dataclass
class Visit:
    path: str
    mode: str
    viewport: dict
    status: int | None
    scheme: str | None
    problems: list[str]
    math: dict
    overflow: dict
    violations: list[dict]


def visit(context, site_url: str, path: str, mode: str) -> Visit:
    """Load one page in one mode and run every in-page check on it."""
    viewport = VIEWPORTS[mode]
    sp = SitePage.open(context, site_url, viewport=viewport)
    try:
        response = sp.goto(path, mode=mode)
        math = sp.page.evaluate(MATH_JS)
        overflow = sp.page.evaluate(OVERFLOW_JS)
        try:
            sp.page.wait_for_function(SETTLE_JS, timeout=3_000)
        except Exception:
            pass  # a running animation does not stop the scan
        violations = run_axe(sp.page)
        return Visit(
            path=path,
            mode=mode,
            viewport=viewport,
            status=response.status if response else None,
            scheme=sp.scheme(),
            problems=sp.problems(),
            math=math,
            overflow=overflow,
            violations=violations,
        )
    finally:
        sp.close()


class Visits:
    """Each (page, mode) is loaded once per session (per xdist worker)."""

    def __init__(self, contexts, site_url):
        self._contexts = contexts
        self._site_url = site_url
        self._done: dict[tuple[str, str], Visit] = {}

    def get(self, path: str, mode: str) -> Visit:
        key = (path, mode)
        if key not in self._done:
            self._done[key] = visit(
                self._contexts[mode], self._site_url, path, mode
            )
        return self._done[key]


@pytest.fixture(scope="session")
def visits(mode_contexts, site_url) -> Visits:
    return Visits(mode_contexts, site_url)


# ---------------------------------------------------------------------------
# Static checks of the built HTML (no browser)
# ---------------------------------------------------------------------------

MARKERS = ("<!--=", "<!--given")
URL_ATTRS = {
    "src",
    "href",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "ping",
    "manifest",
}
EXTERNAL_SCHEMES = {"http", "https", "ws", "wss", "ftp"}
_CSS_URL = re.compile(
    r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I
)


def _is_external(url: str, own_hosts: set[str]) -> bool:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in EXTERNAL_SCHEMES and not url.startswith(
        "//"
    ):
        return False
    host = (parts.hostname or "").lower()
    return host not in own_hosts


class _RefCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[int, str, str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRS:
                values = (
                    [c.strip().split(" ")[0] for c in value.split(",")]
                    if name == "srcset"
                    else [value]
                )
                for v in values:
                    self.refs.append((line, tag, name, v))
            elif name == "style":
                for m in _CSS_URL.finditer(value):
                    self.refs.append((line, tag, "style", m[1] or m[2]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            for m in _CSS_URL.finditer(data):
                self.refs.append(
                    (self.getpos()[0], "style", "url", m[1] or m[2])
                )


def static_problems(site_dir: Path) -> list[str]:
    """Markers left in the HTML, and references to other hosts.

    A plain outbound link (``<a href>``) is fine; anything the browser
    would load by itself (scripts, styles, images, fonts, frames, CSS
    ``url()``) must come from the site. The host of ``SITE_URL``, if set,
    counts as the site's own (canonical links point there).
    """
    own = {"127.0.0.1", "localhost"}
    if os.environ.get("SITE_URL"):
        own.add((urlsplit(os.environ["SITE_URL"]).hostname or "").lower())
    problems = []
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        text = path.read_text(encoding="utf-8")
        for no, line in enumerate(text.splitlines(), 1):
            for marker in MARKERS:
                col = line.find(marker)
                if col >= 0:
                    problems.append(
                        f"{rel}:{no}: checker marker left in the HTML: "
                        f"{line[col : col + 70]!r}"
                    )
        collector = _RefCollector()
        collector.feed(text)
        for no, tag, attr, url in collector.refs:
            if tag == "a" and attr == "href":
                continue
            if _is_external(url, own):
                problems.append(
                    f"{rel}:{no}: <{tag} {attr}> loads from another host: "
                    f"{url}"
                )
    for path in sorted(site_dir.rglob("*.css")):
        rel = path.relative_to(site_dir).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _CSS_URL.finditer(text):
            url = m[1] or m[2]
            if _is_external(url, own):
                no = text.count("\n", 0, m.start()) + 1
                problems.append(
                    f"{rel}:{no}: CSS loads from another host: {url}"
                )
    return problems

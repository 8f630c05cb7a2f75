"""MkDocs hook: render every formula to HTML while the site is built.

pymdownx.arithmatex (``generic: true``) wraps each formula of a page in
``<span class="arithmatex">\\(...\\)</span>`` or ``<div
class="arithmatex">\\[...\\]</div>``; the labs' Markdown cells keep
Jupyter's ``$...$``. Here each formula is replaced by KaTeX's output
(HTML for the eye, MathML for screen readers), so the reader's browser
runs no KaTeX and never shows raw TeX, and a page does not move when math
appears.

KaTeX is the site's vendored copy (``docs/assets/katex/katex.min.js``, kept
out of the built site), run by Node: one process for the whole build
(``hooks/katex_render.cjs``), started the first time a formula is not in
the build cache, one request per page. A TeX error fails the build with
the page's file and line.

KaTeX's stylesheet, and a preload of its two most used fonts, are linked
from the pages that have math only. The links sit at the top of the page's
content, which Material's instant navigation swaps in with the page, so
they also arrive when a reader moves from a page without math to one with.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import threading
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parent.parent
KATEX_JS = ROOT / "docs" / "assets" / "katex" / "katex.min.js"
RENDERER = Path(__file__).with_name("katex_render.cjs")
CSS = "assets/katex/katex.min.css"
FONTS = (
    "assets/katex/fonts/KaTeX_Main-Regular.woff2",
    "assets/katex/fonts/KaTeX_Math-Italic.woff2",
)

# What arithmatex emits (its TeX is HTML-escaped).
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex"(?: data-search-exclude)?>'
    r"(?P<tex>.*?)</(?P=tag)>",
    re.S,
)
# Jupyter's math in the labs' Markdown cells: $$...$$ or $...$, not
# inside code, preformatted text, scripts or styles.
SKIP = re.compile(
    r"<(pre|code|script|style|textarea)\b.*?</\1>|<[^>]+>", re.S | re.I
)
DOLLARS = re.compile(
    r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)(.+?)(?<![\s\\])\$", re.S
)


CACHE_DIR = ROOT / ".cache" / "katex"


def _cache_file() -> Path:
    """The cache of rendered formulas for this KaTeX and this renderer."""
    digest = hashlib.sha256()
    for path in (KATEX_JS, RENDERER):
        digest.update(path.read_bytes())
    return CACHE_DIR / f"{digest.hexdigest()[:16]}.json"


class _Node:
    """The one Node process that runs KaTeX for the build.

    Rendered formulas are kept in the build cache (``.cache/katex/``,
    keyed by a hash of KaTeX and of the renderer), so a build whose
    formulas have all been seen before starts no Node process at all.
    """

    def __init__(self):
        self._proc = None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, bool], dict] = {}
        self._dirty = False

    def load(self):
        try:
            entries = json.loads(_cache_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        for tex, display, html_ in entries:
            self._cache.setdefault((tex, display), {"html": html_})

    def save(self):
        if not self._dirty:
            return
        path = _cache_file()
        if path.parent.is_dir():
            for old in path.parent.glob("*.json"):
                if old != path:
                    old.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        entries = sorted(
            [tex, display, res["html"]]
            for (tex, display), res in self._cache.items()
            if "html" in res
        )
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entries, ensure_ascii=False), "utf-8")
        tmp.replace(path)
        self._dirty = False

    def start(self):
        if self._proc is not None and self._proc.poll() is None:
            return
        node = shutil.which("node")
        if node is None:
            raise PluginError(
                "hooks/katex.py: Node.js is needed to render the math "
                "(install nodejs)"
            )
        if not KATEX_JS.is_file():
            raise PluginError(
                f"hooks/katex.py: {KATEX_JS.relative_to(ROOT)} is missing "
                "(make vendor-katex)"
            )
        self._proc = subprocess.Popen(
            [node, str(RENDERER), str(KATEX_JS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )

    def render(self, items: list[tuple[str, bool]]) -> list[dict]:
        todo = sorted({i for i in items if i not in self._cache})
        if todo:
            with self._lock:
                self.start()
                self._proc.stdin.write(
                    json.dumps({"items": todo}, ensure_ascii=False) + "\n"
                )
                self._proc.stdin.flush()
                line = self._proc.stdout.readline()
            if not line:
                raise PluginError("hooks/katex.py: the Node renderer died")
            for item, result in zip(
                todo, json.loads(line)["results"], strict=True
            ):
                self._cache[item] = result
            self._dirty = True
        return [self._cache[i] for i in items]

    def stop(self):
        if self._proc is not None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None


_node = _Node()


def on_config(config, **_):
    _node.load()


def on_post_build(config, **_):
    _node.save()


def on_shutdown(**_):
    _node.stop()


def _line_of(page, tex: str) -> str:
    """The line of the page's source where `tex` is, or "?"."""
    try:
        text = Path(page.file.abs_src_path).read_text(encoding="utf-8")
    except (OSError, TypeError):
        return "?"
    first = tex.strip().splitlines()[0] if tex.strip() else tex
    at = text.find(first)
    return str(text.count("\n", 0, at) + 1) if at >= 0 else "?"


def _source(page) -> str:
    src = page.file.src_uri
    if page.file.abs_src_path and not src.endswith(".md"):
        src = posixpath.splitext(src)[0] + ".py"  # a lab's source
    return f"docs/{src}"


def _fail(page, tex: str, message: str):
    raise PluginError(
        f"{_source(page)}:{_line_of(page, tex)}: TeX error in "
        f"{tex.strip()[:80]!r}: {message}"
    )


def _links(page) -> str:
    url = page.url

    def rel(target):
        return get_relative_url(target, url)

    tags = [f'<link rel="stylesheet" href="{rel(CSS)}">']
    tags += [
        f'<link rel="preload" href="{rel(f)}" as="font" type="font/woff2"'
        " crossorigin>"
        for f in FONTS
    ]
    return "".join(tags)


def _wrap(tag: str, rendered: str) -> str:
    # KaTeX's HTML and MathML would put each formula into the search index
    # three times over (glyphs, MathML, TeX): the index, which every page
    # downloads, leaves math out.
    return f'<{tag} class="arithmatex" data-search-exclude>{rendered}</{tag}>'


def _render_arithmatex(content: str, page) -> tuple[str, int]:
    found = list(ARITHMATEX.finditer(content))
    if not found:
        return content, 0
    items = []
    for m in found:
        tex = html.unescape(m["tex"]).strip()
        display = m["tag"] == "div"
        if display and tex.startswith("\\[") and tex.endswith("\\]"):
            tex = tex[2:-2]
        elif not display and tex.startswith("\\(") and tex.endswith("\\)"):
            tex = tex[2:-2]
        else:
            _fail(page, tex, "not delimited as arithmatex writes it")
        items.append((tex.strip(), display))
    results = _node.render(items)
    out, last = [], 0
    for m, (tex, _), res in zip(found, items, results, strict=True):
        if "error" in res:
            _fail(page, tex, res["error"])
        out.append(content[last : m.start()])
        out.append(_wrap(m["tag"], res["html"]))
        last = m.end()
    out.append(content[last:])
    return "".join(out), len(found)


@event_priority(-50)  # after the other hooks have changed the HTML
def on_page_content(content, page, **_):
    # Math stays out of the search index (see _wrap); the index is made
    # from this HTML, before the formulas are rendered below.
    return content.replace(
        '<span class="arithmatex">',
        '<span class="arithmatex" data-search-exclude>',
    ).replace(
        '<div class="arithmatex">',
        '<div class="arithmatex" data-search-exclude>',
    )


@event_priority(-100)  # after Material's search has indexed the page
def on_page_context(context, page, **_):
    """Render the page's formulas. Done after the search plugin has read
    the page: KaTeX's HTML is large, and parsing it for the index would
    cost more than rendering it."""
    content, count = _render_arithmatex(page.content or "", page)
    if count:
        page.meta["has_math"] = True
        page.content = _links(page) + content
    return context


def _render_dollars(text: str, page) -> tuple[str, int]:
    """Jupyter-style $...$ math in the text outside tags and code."""
    pieces, items, last = [], [], 0
    for skip in SKIP.finditer(text + "<x>"):
        plain = text[last : skip.start()]
        for m in DOLLARS.finditer(plain):
            tex = html.unescape(m[1] if m[1] is not None else m[2])
            items.append((tex.strip(), m[1] is not None))
        pieces.append((plain, skip.group(0)))
        last = skip.end()
    if not items:
        return text, 0
    results = iter(_node.render(items))
    out = []
    for plain, tag in pieces:
        pos = 0
        for m in DOLLARS.finditer(plain):
            res = next(results)
            tex = m[1] if m[1] is not None else m[2]
            if "error" in res:
                _fail(page, html.unescape(tex), res["error"])
            box = "div" if m[1] is not None else "span"
            out.append(plain[pos : m.start()])
            out.append(_wrap(box, res["html"]))
            pos = m.end()
        out.append(plain[pos:])
        out.append(tag)
    return "".join(out)[: -len("<x>")], len(items)


ARTICLE = re.compile(
    r'(<article class="md-content__inner md-typeset">)(.*?)(</article>)',
    re.S,
)


@event_priority(-50)
def on_post_page(output, page, **_):
    """The labs: mkdocs-jupyter renders them after on_page_content."""
    if not page.file.src_uri.startswith("labs/"):
        return output
    m = ARTICLE.search(output)
    if m is None:
        return output
    body, count = _render_dollars(m[2], page)
    if not count:
        return output
    page.meta["has_math"] = True
    return (
        output[: m.start()]
        + m[1]
        + _links(page)
        + body
        + m[3]
        + output[m.end() :]
    )

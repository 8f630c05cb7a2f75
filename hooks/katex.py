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

KaTeX's stylesheet, and a preload of each KaTeX font the page's math
uses (read from the classes of KaTeX's HTML and the rules of its
stylesheet; math inside a closed ``<details>`` is not laid out, so it does
not count), are linked from the pages that have math only. The links sit
at the top of the page's content, which Material's instant navigation
swaps in with the page, so they also arrive when a reader moves from a
page without math to one with.

On a page with math, the first frame also waits for those fonts: the
empty ``#first-screen`` element that holds it (see hooks/lean.py) is
added by a small script once ``document.fonts`` has loaded them. KaTeX's
fonts use ``font-display: block``, so until a font arrives its text is
invisible but laid out in the fallback font, whose glyphs are narrower:
when the font arrived after the first paint, formulas widened, lines
wrapped anew and the page moved (a layout shift of 0.035 to 0.06 on the
cheatsheet in about one Lighthouse run in five). If the fonts take longer
than the page takes to parse, the browser renders at the end of parsing
anyway.
"""

from __future__ import annotations

import functools
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
CSS_FILE = ROOT / "docs" / CSS
#: The marker hooks/lean.py puts after the first screen of content.
FIRST_SCREEN = '<span id="first-screen" hidden></span>'

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


@functools.cache
def _katex_css():
    """(faces, rules) from KaTeX's stylesheet: faces maps (family, weight,
    style) to the woff2 file; rules is [(classes a selector needs, (family,
    weight, style))]."""
    css = CSS_FILE.read_text(encoding="utf-8")
    faces = {}
    for body in re.findall(r"@font-face\{([^}]*)\}", css):
        props = dict(re.findall(r"([\w-]+):([^;]+)", body))
        woff2 = re.search(r"url\((fonts/[^)]+\.woff2)\)", body)[1]
        faces[
            props["font-family"],
            _weight(props.get("font-weight")),
            props.get("font-style", "normal"),
        ] = posixpath.join(posixpath.dirname(CSS), woff2)
    rules = []
    rest = re.sub(r"@font-face\{[^}]*\}", "", css)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", rest):
        props = dict(
            re.findall(r"(font-family|font-weight|font-style):([^;]+)", body)
        )
        if not props:
            continue
        # What a rule leaves unset comes from .katex: Main, 400, normal.
        font = (
            props.get("font-family", "KaTeX_Main"),
            _weight(props.get("font-weight")),
            props.get("font-style", "normal"),
        )
        for selector in selectors.split(","):
            words = selector.strip().split()
            if words[:1] != [".katex"] or len(words) < 2:
                continue
            classes = frozenset(re.findall(r"\.([\w-]+)", " ".join(words[1:])))
            rules.append((classes, font))
    return faces, rules


def _weight(value) -> str:
    value = (value or "400").strip()
    return {"normal": "400", "bold": "700"}.get(value, value)


CLOSED_DETAILS = re.compile(
    r"<details(?![^>]*\bopen)[^>]*>.*?</details>", re.S
)


def fonts_used(content: str) -> list[str]:
    """The KaTeX font files that the math of ``content`` lays out: the
    regular face, and the face of every rule whose classes an element of
    its KaTeX HTML has (outside closed <details>)."""
    faces, rules = _katex_css()
    shown = CLOSED_DETAILS.sub("", content)
    used = {("KaTeX_Main", "400", "normal")}
    for attr in set(re.findall(r'class="([^"]*)"', shown)):
        classes = set(attr.split())
        used.update(font for needed, font in rules if needed <= classes)
    # A face KaTeX does not ship (a bold one, say) the browser fakes.
    return sorted(faces[f] for f in used if f in faces)


def _links(page, fonts) -> str:
    url = page.url

    def rel(target):
        return get_relative_url(target, url)

    tags = [f'<link rel="stylesheet" href="{rel(CSS)}">']
    tags += [
        f'<link rel="preload" href="{rel(f)}" as="font" type="font/woff2"'
        " crossorigin>"
        for f in fonts
    ]
    return "".join(tags)


def _font_specs(fonts) -> list[str]:
    """CSS font shorthands for document.fonts.load, one per font file."""
    faces, _ = _katex_css()
    by_file = {f: key for key, f in faces.items()}
    specs = []
    for f in fonts:
        family, weight, style = by_file[f]
        specs.append(f"{style} {weight} 1em {family}")
    return specs


def first_screen_after_fonts(fonts) -> str:
    """A script that adds the #first-screen marker once ``fonts`` have
    loaded (or failed): it stands where hooks/lean.py put the marker."""
    specs = json.dumps(_font_specs(fonts))
    return (
        "<script>(s=>{const m=()=>{const e=document.createElement('span');"
        "e.id='first-screen';e.hidden=true;s.after(e)};"
        f"document.fonts?Promise.all({specs}.map(f=>document.fonts.load(f)))"
        ".then(m,m):m()})(document.currentScript)</script>"
    )


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
        page.meta["katex_fonts"] = fonts = fonts_used(content)
        page.content = _links(page, fonts) + content
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
    """The labs' math (mkdocs-jupyter renders them after on_page_content),
    and on every page with math, the first frame held for its fonts."""
    if page.file.src_uri.startswith("labs/"):
        output = _render_lab(output, page)
    fonts = page.meta.get("katex_fonts")
    if fonts:
        if output.count(FIRST_SCREEN) != 1:
            raise PluginError(
                f"{_source(page)}: expected one first-screen marker from "
                f"hooks/lean.py, found {output.count(FIRST_SCREEN)}"
            )
        output = output.replace(FIRST_SCREEN, first_screen_after_fonts(fonts))
    return output


def _render_lab(output, page):
    m = ARTICLE.search(output)
    if m is None:
        return output
    body, count = _render_dollars(m[2], page)
    if not count:
        return output
    page.meta["has_math"] = True
    page.meta["katex_fonts"] = fonts = fonts_used(body)
    return (
        output[: m.start()]
        + m[1]
        + _links(page, fonts)
        + body
        + m[3]
        + output[m.end() :]
    )

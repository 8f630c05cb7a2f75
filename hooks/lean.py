"""MkDocs hook: make every page as light as it can be.

- Stylesheets only where they are used: mkdocstrings' on the API
  reference, the labs' small shared ``stylesheets/jupyter.css`` instead of
  the ~600 KB of JupyterLab CSS that mkdocs-jupyter inlines into each lab.
  (KaTeX's is linked by hooks/katex.py; print.css by overrides/main.html.)
  A page's own stylesheet is linked at the top of its content, which
  Material's instant navigation swaps in with the page.
- The API reference's source listings stay on the page but out of the
  search index (``data-search-exclude``), which every page downloads.
- Every image gets its width and height (from the SVG), so the page does
  not move when it loads, and ``loading="lazy"``, so the hidden twin of a
  light/dark pair is never fetched.
- Every page gets its own meta description: its front matter's
  ``description`` if it has one, else its first paragraph of prose (after
  hooks/markers.py has removed the checker's markers, so its numbers are
  the checked ones).
- The first frame shows whole blocks: an empty element, ``#first-screen``,
  follows the first top-level blocks of the article that hold more text
  than any screen shows, and overrides/main.html holds rendering until it
  is parsed (``<link rel="expect" blocking="render">``). Chromium paints
  whenever its parser yields; a formula or table row parsed a moment later
  makes a painted line taller and moves everything under it, which
  Lighthouse counts as layout shift. Waiting for the whole article instead
  delayed the glossary's first paint by 3 s, and Lighthouse could not
  measure the reference page at all.
"""

from __future__ import annotations

import base64
import html
import html.parser
import os
import posixpath
import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

MKDOCSTRINGS_CSS = "assets/_mkdocstrings.css"
FIRST_SCREEN = '<span id="first-screen" hidden></span>'
# Characters of text that fill more than a screen: a 1280 x 800 window
# shows about 2,000 of running text, a phone about 1,200.
FIRST_SCREEN_CHARS = 3000
JUPYTER_CSS = "stylesheets/jupyter.css"
DESCRIPTION_CHARS = 155


def _link(page, target: str) -> str:
    return (
        f'<link rel="stylesheet" href="{get_relative_url(target, page.url)}">'
    )


@event_priority(-100)  # after mkdocstrings has added its stylesheet
def on_config(config, **_):
    if MKDOCSTRINGS_CSS in config.extra_css:
        config.extra_css.remove(MKDOCSTRINGS_CSS)
    return config


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------

IMG = re.compile(r"<img\b[^>]*>", re.S)
SRC = re.compile(r'\ssrc="([^"]*)"')
SVG_SIZE = re.compile(
    rb'<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"[^>]*?\sheight="([\d.]+)(pt|px)?"',
    re.S,
)
UNIT = {b"pt": 4 / 3, b"px": 1.0, None: 1.0}


def svg_size(data: bytes) -> tuple[float, float] | None:
    """An SVG's width and height in CSS px, from its root element."""
    m = SVG_SIZE.search(data[:4000])
    if m is None:
        return None
    return (
        float(m[1]) * UNIT[m[2]],
        float(m[3]) * UNIT[m[4]],
    )


def _image_bytes(src: str, page, files) -> bytes | None:
    if src.startswith("data:image/svg+xml;base64,"):
        return base64.b64decode(src.split(",", 1)[1].split("#", 1)[0])
    if "://" in src or src.startswith(("data:", "/")):
        return None
    path = src.split("#", 1)[0].split("?", 1)[0]
    # MkDocs has already made links relative to the page's URL.
    base = posixpath.dirname(page.url)
    uri = posixpath.normpath(posixpath.join(base, html.unescape(path)))
    file = files.get_file_from_path(uri) if files is not None else None
    if file is None:
        return None
    try:
        return file.content_bytes
    except (OSError, TypeError):
        return None


FIGURE_SRC = re.compile(r"^(.*figures/[\w-]+-(?:light|dark))\.svg(#.*)?$")


def _narrow_twin(tag: str, page, files) -> str:
    """`tag` in a <picture> with the figure's narrow variant for phones.

    hooks/figures.py draws each figure wide and narrow
    (``figures/NAME-light.svg``, ``figures/NAME-light-narrow.svg``); the
    browser picks the narrow one up to ``NARROW_MEDIA``. Material's
    ``#only-light`` / ``#only-dark`` rules still match the <img>.
    """
    from sitefigures.sizes import NARROW_MEDIA

    src = SRC.search(tag)
    m = FIGURE_SRC.match(html.unescape(src[1])) if src else None
    if m is None:
        return tag
    narrow = m[1] + "-narrow.svg"
    data = _image_bytes(narrow, page, files)
    size = svg_size(data) if data else None
    if size is None:
        return tag
    w, h = (round(x) for x in size)
    return (
        f'<picture><source media="{NARROW_MEDIA}" srcset="{narrow}" '
        f'width="{w}" height="{h}">{tag}</picture>'
    )


def size_images(content: str, page, files) -> str:
    """Width, height, lazy loading and async decoding on every <img>;
    a figure's narrow variant for phones."""

    def fix(m):
        return _narrow_twin(_sized(m[0]), page, files)

    def _sized(tag):
        src = SRC.search(tag)
        extra = []
        if " loading=" not in tag:
            extra.append('loading="lazy"')
        if " decoding=" not in tag:
            extra.append('decoding="async"')
        if src and " height=" not in tag:
            data = _image_bytes(html.unescape(src[1]), page, files)
            size = svg_size(data) if data else None
            if size:
                w, h = size
                given = re.search(r'\swidth="(\d+)"', tag)
                if given:
                    h = h * int(given[1]) / w
                    w = int(given[1])
                else:
                    extra.append(f'width="{round(w)}"')
                extra.append(f'height="{round(h)}"')
        if not extra:
            return tag
        end = "/>" if tag.endswith("/>") else ">"
        return tag[: -len(end)].rstrip() + " " + " ".join(extra) + end

    return IMG.sub(fix, content)


# ---------------------------------------------------------------------------
# Meta description
# ---------------------------------------------------------------------------

# Elements whose paragraphs are not the page's running text.
NESTED = {
    "div", "details", "blockquote", "table", "li", "aside", "figure",
    "nav", "dd", "dt", "summary", "pre", "code",
}  # fmt: skip


class _Paragraphs(html.parser.HTMLParser):
    """The text of the top-level <p> elements, in order."""

    def __init__(self, nested=False):
        super().__init__(convert_charrefs=True)
        self.nested = nested
        self.found: list[tuple[str, bool]] = []  # (text, had math)
        self._stack: list[str] = []
        self._text: list[str] | None = None
        self._math = False
        self._skip: list[str] = []  # elements whose text is not prose

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "hr", "input", "link", "meta", "wbr"):
            return
        attrs = dict(attrs)
        cls = attrs.get("class") or ""
        if tag == "p" and (self.nested or not set(self._stack) & NESTED):
            self._text, self._math = [], False
        elif self._text is not None and (
            "md-button" in cls or "headerlink" in cls or tag == "sup"
        ):
            self._skip.append(tag)
        if self._text is not None and "arithmatex" in cls:
            self._math = True
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag not in self._stack:
            return
        while self._stack and self._stack.pop() != tag:
            pass
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()
        if tag == "p" and self._text is not None:
            text = " ".join("".join(self._text).split())
            math = self._math or "$" in text or "\\(" in text
            self.found.append((text, math))
            self._text = None

    def handle_data(self, data):
        if self._text is not None and not self._skip:
            self._text.append(data)


GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ",
    "epsilon": "ε", "partial": "∂", "sum": "Σ", "times": "×", "cdot": "·",
    "odot": "⊙", "top": "ᵀ", "infty": "∞", "approx": "≈", "leq": "≤",
    "geq": "≥", "to": "→", "ldots": "…", "dots": "…",
}  # fmt: skip


SUPERSCRIPT = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")


def plain_tex(text: str) -> str:
    """Inline TeX in a sentence as plain text (a description, not math).

    A power of digits keeps its place as superscripts: (w - 3)^2 reads
    (w - 3)², not (w - 3)2.
    """

    def math(m):
        tex = m[1]
        tex = re.sub(r"\\([A-Za-z]+)", lambda c: GREEK.get(c[1], c[1]), tex)
        tex = re.sub(
            r"\^\{([0-9+-]+)\}|\^([0-9])",
            lambda p: (p[1] or p[2]).translate(SUPERSCRIPT),
            tex,
        )
        return re.sub(r"[{}_^\\]", "", tex)

    text = re.sub(r"\\\((.*?)\\\)", math, text)
    return re.sub(r"\$(.+?)\$", math, text)


def first_paragraph(content: str) -> str | None:
    """The first paragraph of prose in a page's HTML, shortened."""
    prose = []
    # Running text first, else any <p>; the start of a page is enough.
    for nested, text in ((False, content[:20000]), (True, content)):
        prose = _prose(_Paragraphs(nested), text)
        if prose:
            break
    if not prose:
        return None
    no_math = [t for t, m in prose[:3] if not m]
    text = no_math[0] if no_math else plain_tex(prose[0][0])
    return shorten(text)


def _prose(parser, text, want=3, chunk=2000):
    """The first `want` paragraphs of prose (40 characters or more) that
    `parser` finds in `text`. It is fed a chunk at a time and stops once
    it has them: the description needs only those, and Python's HTML
    parser is slow (a quarter of a second for every page's first 20,000
    characters)."""
    prose = []
    for start in range(0, len(text), chunk):
        parser.feed(text[start : start + chunk])
        prose = [(t, m) for t, m in parser.found if len(t) >= 40]
        if len(prose) >= want:
            return prose
    parser.close()
    return [(t, m) for t, m in parser.found if len(t) >= 40]


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-–—(")
    return cut + "…"


# ---------------------------------------------------------------------------
# A tag, or a script or style with its contents (which may hold "<"), or
# a comment; the text between them is the rest.
TAG = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<(/?)([a-zA-Z][\w-]*)[^>]*>",
    re.S | re.I,
)
VOID = frozenset(
    "area br col embed hr img input link meta source track wbr".split()
)
WRAPPERS = frozenset(("div", "section"))


def mark_first_screen(article: str) -> str:
    """``article`` with FIRST_SCREEN after the first block that ends past
    FIRST_SCREEN_CHARS characters of text, or at its end.

    A block is an element inside nothing but <div>s (a paragraph, table,
    list, listing, heading, a lab's cell), or an item of such a list.
    (After an item, the marker sits inside the list, where HTML allows
    only items; browsers keep it there, and it shows nothing.) Text in
    MathML, scripts and styles is not shown and does not count."""
    stack: list[str] = []
    math = chars = last = 0
    for m in TAG.finditer(article):
        if not math:
            chars += len(html.unescape(article[last : m.start()]).strip())
        last = m.end()
        tag = (m[3] or "").lower()
        if not tag or tag in VOID or m[0].endswith("/>"):
            continue
        if not m[2]:
            stack.append(tag)
            math += tag == "math"
            continue
        if tag not in stack:
            continue
        while stack.pop() != tag:
            pass
        math -= tag == "math"
        outer = stack
        if tag == "li" and stack[-1:] in (["ul"], ["ol"]):
            outer = stack[:-1]  # an item of a top-level list
        if chars >= FIRST_SCREEN_CHARS and all(t in WRAPPERS for t in outer):
            return article[:last] + FIRST_SCREEN + article[last:]
    return article + FIRST_SCREEN


# Events
# ---------------------------------------------------------------------------

SOURCE_DETAILS = '<details class="mkdocstrings-source"'
#: The reference page's "Source code" listings: three quarters of its
#: HTML. They are set aside from the page's content while the search
#: plugin reads it (which took 0.7 s on the listings alone, to index
#: nothing: they are data-search-exclude) and put back in on_post_page.
SOURCE_LISTING = re.compile(re.escape(SOURCE_DETAILS) + r".*?</details>", re.S)
LISTING = "<!--source listing {}-->"
LISTING_MARK = re.compile(r"<!--source listing (\d+)-->")
_listings = {}  # page src_uri -> the listings set aside


def set_listings_aside(content: str, uri: str) -> str:
    found = []

    def aside(m):
        found.append(m[0])
        return LISTING.format(len(found) - 1)

    content = SOURCE_LISTING.sub(aside, content)
    _listings[uri] = found
    return content


def put_listings_back(output: str, uri: str) -> str:
    found = _listings.pop(uri, [])
    if not found:
        return output
    output, n = LISTING_MARK.subn(lambda m: found[int(m[1])], output)
    if n != len(found):
        raise PluginError(
            f"docs/{uri}: {len(found)} source listings were set aside, "
            f"{n} put back"
        )
    return output


@event_priority(-10)  # before hooks/katex.py (-50), after the markers
def on_page_content(content, page, files=None, **_):
    if not page.meta.get("description"):
        desc = first_paragraph(content)
        if desc:
            # base.html writes it as it is: escape it here.
            page.meta["description"] = html.escape(desc)
    if SOURCE_DETAILS in content:
        content = content.replace(
            SOURCE_DETAILS, SOURCE_DETAILS + " data-search-exclude"
        )
        content = set_listings_aside(content, page.file.src_uri)
    if 'class="doc doc-' in content:
        content = _link(page, MKDOCSTRINGS_CSS) + content
    return size_images(content, page, files)


# mkdocs-jupyter writes its styles into each lab's content.
STYLE = re.compile(r"<style\b[^>]*>.*?</style>\s*", re.S | re.I)
LAB_PROSE = re.compile(
    r'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"[^>]*>'
    r"(.*?)</div>",
    re.S,
)
META_DESCRIPTION = re.compile(r'<meta name="description" content="[^"]*">')
ARTICLE_OPEN = '<article class="md-content__inner md-typeset">'

_files = None


def on_files(files, **_):
    global _files
    _files = files
    return files


LAB_PLOT = re.compile(
    r'<img\b[^>]*src="data:image/svg\+xml;base64,[^"]*"[^>]*>'
)


def _lab_figures(page):
    """The site's twins of each plot of a lab, in the order shown."""
    import nbformat

    if not page.file.abs_src_path:
        return []
    nb = nbformat.read(page.file.abs_src_path, as_version=4)
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "image/svg+xml" in out.get("data", {}):
                twins = dict(out.get("metadata", {}).get("site", {}))
                twins["light"] = out["data"]["image/svg+xml"]
                found.append(twins)
    return found


def lab_plots(article: str, page, site_dir: str) -> str:
    """Each plot as files: light and dark, wide and narrow, lazy.

    sitenotebooks draws every plot of a lab in the site's four figure
    styles; here they are written beside the page and shown as the
    lesson figures are (``#only-light`` / ``#only-dark``, and a
    <picture> with the narrow variant for phones), in place of the one
    light plot inlined as base64.
    """
    from sitefigures.sizes import NARROW_MEDIA

    figures = iter(_lab_figures(page))
    folder = posixpath.join(site_dir, page.url)
    alt_of = re.compile(r'\salt="([^"]*)"')

    def replace(m):
        twins = next(figures, None)
        if twins is None or set(twins) < {"light", "dark"}:
            return m[0]
        alt = alt_of.search(m[0])
        alt = alt[1] if alt else "A plot made by the code above"
        number = replace.count = getattr(replace, "count", 0) + 1
        shown = []
        for scheme in ("light", "dark"):
            names = {}
            for variant in (scheme, f"{scheme}-narrow"):
                if variant not in twins:
                    continue
                name = f"plot-{number}-{variant}.svg"
                os.makedirs(folder, exist_ok=True)
                with open(
                    os.path.join(folder, name), "w", encoding="utf-8"
                ) as f:
                    f.write(twins[variant])
                names[variant] = (name, svg_size(twins[variant].encode()))
            src, (w, h) = names[scheme]
            img = (
                f'<img alt="{alt}" src="{src}#only-{scheme}" '
                f'width="{round(w)}" height="{round(h)}" loading="lazy" '
                'decoding="async">'
            )
            narrow = names.get(f"{scheme}-narrow")
            if narrow:
                nsrc, (nw, nh) = narrow
                img = (
                    f'<picture><source media="{NARROW_MEDIA}" '
                    f'srcset="{nsrc}" width="{round(nw)}" '
                    f'height="{round(nh)}">{img}</picture>'
                )
            shown.append(img)
        return "".join(shown)

    return LAB_PLOT.sub(replace, article)


# Material's palette stylesheet turns transitions off while the colour
# scheme switches, for every element. Its JavaScript sets the attribute on
# <body> when a page loads, too, and removes it a frame later: each change
# restyles every element of the page (12,000 on the glossary).
SWITCHING_RULE = re.compile(
    r"\[data-md-color-switching\] \*,"
    r"\[data-md-color-switching\] :after,"
    r"\[data-md-color-switching\] :before"
    r"\{transition-duration:0s!important\}"
)


def drop_switching_rule(css: str) -> str:
    """Material's palette CSS without the rule; the price is that links
    and the header fade for a fraction of a second when a reader switches
    between light and dark."""
    return SWITCHING_RULE.sub("", css)


@event_priority(-100)  # after mkdocs-jupyter has copied the notebooks
def on_post_build(config, **_):
    """The labs' downloadable notebooks without the site's plot twins;
    Material's palette CSS without the switching rule."""
    import glob

    import nbformat

    root = config["site_dir"]
    for path in glob.glob(
        os.path.join(root, "assets", "stylesheets", "palette.*.min.css")
    ):
        with open(path, encoding="utf-8") as f:
            css = f.read()
        lean = drop_switching_rule(css)
        if lean != css:
            with open(path, "w", encoding="utf-8") as f:
                f.write(lean)
    for dirpath, _dirs, names in os.walk(os.path.join(root, "labs")):
        for name in names:
            if not name.endswith(".ipynb"):
                continue
            path = os.path.join(dirpath, name)
            nb = nbformat.read(path, as_version=4)
            changed = False
            for cell in nb.cells:
                for out in cell.get("outputs", []):
                    if out.get("metadata", {}).pop("site", None) is not None:
                        changed = True
            if changed:
                nbformat.write(nb, path)


@event_priority(-10)  # before hooks/katex.py renders the labs' math
def on_post_page(output, page, config, **_):
    output = put_listings_back(output, page.file.src_uri)
    head, sep, rest = output.partition(ARTICLE_OPEN)
    if not sep:
        return output
    article, end, tail = rest.partition("</article>")
    if not page.file.src_uri.startswith("labs/"):
        return head + sep + mark_first_screen(article) + end + tail
    article = STYLE.sub("", article)
    article = lab_plots(article, page, config["site_dir"])
    article = size_images(article, page, _files)
    article = mark_first_screen(article)
    output = head + sep + _link(page, JUPYTER_CSS) + article + end + tail
    if not page.meta.get("description"):
        prose = " ".join(m[1] for m in LAB_PROSE.finditer(article))
        desc = first_paragraph(prose)
        if desc:
            tag = f'<meta name="description" content="{html.escape(desc)}">'
            output = META_DESCRIPTION.sub(lambda _: tag, output, count=1)
    return output

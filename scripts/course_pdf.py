"""The whole course as one PDF, printed by Chromium from the built site.

    python scripts/course_pdf.py [SITE_DIR] [--out PATH]

Every page of mkdocs.yml's ``nav`` (home, lessons, topics, chapters,
reference pages, labs), in nav order, is taken from the built site (its
``<article>``: math is already rendered, figures are files) and put into
one HTML document, ``SITE_DIR/course-print.html``:

- each page starts on a new sheet, under an anchor named after it;
- every id is prefixed with its page's anchor, and every link to a page of
  the course (``../l03-layers/#the-formula``) becomes a link inside the
  document (``#lessons-l03-layers--the-formula``), so links work in the
  PDF; links to anything else point at the site;
- images load at once (not lazily) and the wide figures are used;
- collapsed blocks (the self-check answers) are printed open.

Chromium (Debian's, through Playwright) prints it with the site's print
stylesheet, with page numbers in the footer, to ``SITE_DIR/downloads/
course.pdf`` (or ``--out``); the helper HTML is removed afterwards. Used by
``make pdf``.
"""

from __future__ import annotations

import argparse
import html
import os
import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "scripts"))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTICLE = re.compile(
    r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S
)
HEAD = re.compile(r"<head>(.*?)</head>", re.S)
PAGE_CSS = re.compile(r'<link rel="stylesheet" href="([^"]+)"[^>]*>')
ID = re.compile(r'\b(id|name)="([^"]*)"')
URL_ATTR = re.compile(r'\b(href|src|srcset)="([^"]*)"')


def nav_pages(root: Path = REPO) -> list[str]:
    """The built pages of the nav, in order: "", "lessons/l01-.../"..."""
    from browser_support import _nav_files

    pages = []
    for src in _nav_files(root / "mkdocs.yml"):
        stem = posixpath.splitext(src)[0]
        if stem == "index":
            pages.append("")
        elif stem.endswith("/index"):
            pages.append(stem[: -len("index")])
        else:
            pages.append(stem + "/")
    return pages


def anchor(page: str) -> str:
    return page.strip("/").replace("/", "-") or "home"


def _rewrite(body: str, page: str, pages: set[str], site_url: str) -> str:
    """Ids prefixed; links and sources made relative to the site root."""
    prefix = anchor(page)

    def fix_id(m):
        return f'{m[1]}="{prefix}--{m[2]}"'

    def fix_url(m):
        attr, value = m[1], html.unescape(m[2])
        parts = urlsplit(value)
        if parts.scheme or value.startswith(("//", "data:", "mailto:")):
            return m[0]
        if value.startswith("#"):
            return f'{attr}="#{prefix}--{value[1:]}"'
        path, _, frag = value.partition("#")
        target = posixpath.normpath(posixpath.join(page or ".", path))
        target = "" if target == "." else target
        if attr == "href":
            as_page = target.rstrip("/") + "/" if target else ""
            if path.endswith("index.html"):
                as_page = posixpath.dirname(target) + "/"
            if as_page in pages or (target == "" and "" in pages):
                name = anchor(as_page)
                return f'href="#{name}--{frag}"' if frag else f'href="#{name}"'
            if site_url:
                return f'href="{html.escape(site_url + target)}"'
        return (
            f'{attr}="{html.escape(target)}'
            + (f"#{html.escape(frag)}" if frag else "")
            + '"'
        )

    body = ID.sub(fix_id, body)
    body = URL_ATTR.sub(fix_url, body)
    # Self-check answers open: a book has no clicks.
    body = re.sub(r"<details\b(?![^>]*\bopen\b)", "<details open", body)
    return body.replace(' loading="lazy"', "")


def combined_html(site: Path, pages: list[str], site_url: str = "") -> str:
    """One document holding every page's article, in order."""
    known = set(pages)
    head = None
    css: list[str] = []
    sections = []
    for page in pages:
        text = (site / page / "index.html").read_text(encoding="utf-8")
        if head is None:
            head = HEAD.search(text)[1]
        m = ARTICLE.search(text)
        if m is None:
            raise ValueError(f"/{page}: no <article> in the built page")
        body = m[1]
        for href in PAGE_CSS.findall(body):
            target = posixpath.normpath(posixpath.join(page or ".", href))
            if target not in css:
                css.append(target)
        body = PAGE_CSS.sub("", body)
        body = _rewrite(body, page, known, site_url)
        sections.append(
            f'<section class="course-page" id="{anchor(page)}">{body}'
            "</section>"
        )
    # The home page's head, with links made relative to the site root
    # (where this document is written), and every page's own styles.
    head = re.sub(r'(href|src)="(?:\./)?([^"#:]+)"', r'\1="\2"', head)
    head = head.replace('media="print"', "")
    head = head.replace("<title>", "<title>The whole course – ")
    links = "".join(f'<link rel="stylesheet" href="{c}">' for c in css)
    style = (
        "<style>@media print{.course-page{break-before:page}"
        ".course-page:first-child{break-before:auto}"
        ".headerlink,.md-button{display:none!important}}</style>"
    )
    return (
        '<!doctype html><html lang="en"><head>'
        f"{head}{links}{style}</head>"
        '<body dir="ltr" data-md-color-scheme="default">'
        '<div class="md-container"><main class="md-main">'
        '<div class="md-main__inner md-grid"><div class="md-content">'
        '<article class="md-content__inner md-typeset">'
        + "".join(sections)
        + "</article></div></div></main></div></body></html>"
    )


FOOTER = (
    '<div style="width:100%;font-size:8pt;color:#555;text-align:center;'
    'font-family:sans-serif"><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></div>'
)


def print_course(
    site: Path, out: Path, site_url: str = "", browser=None
) -> Path:
    """Write the combined page into `site`, print it to `out`, remove it.

    `browser` is a Playwright Chromium already running (the tests pass
    theirs); without it, Debian's Chromium is started here.
    """
    from lighthouse import serve

    doc = site / "course-print.html"
    doc.write_text(
        combined_html(site, nav_pages(), site_url), encoding="utf-8"
    )
    server, base = serve(site)
    try:
        if browser is not None:
            _print(browser, base + doc.name, out)
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                own = pw.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                try:
                    _print(own, base + doc.name, out)
                finally:
                    own.close()
    finally:
        server.shutdown()
        server.server_close()
        doc.unlink(missing_ok=True)
    return out


def _print(browser, url: str, out: Path):
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        page.emulate_media(media="print")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            margin={
                "top": "14mm",
                "bottom": "16mm",
                "left": "14mm",
                "right": "14mm",
            },
            outline=True,
            tagged=True,
        )
    finally:
        context.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="site", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    site = args.site.resolve()
    out = args.out or site / "downloads" / "course.pdf"
    print_course(site, out, os.environ.get("SITE_URL", ""))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

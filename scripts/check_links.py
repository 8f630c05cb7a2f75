"""Check every internal link and anchor of a built site.

    python scripts/check_links.py site/

Reads every HTML file under the site directory and checks each href and
src that points into the site: the target file must exist (a directory
URL means its index.html), and a #fragment must be an id in the target
page. Links to other hosts are not fetched (the machine has no network);
they are only counted. The cheatsheet PDFs under downloads/ are made by
`make pdf` after the build, so links there are checked only if they
exist. Exits 1 and lists each broken link as
page -> link: reason.
"""

import html.parser
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit


class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            # Not links a reader follows: the canonical URL (the published
            # site's), and rel="expect", which names the element that holds
            # the first frame (a script may add it; tests/test_site.py
            # checks every page has one).
            if attrs.get(key) and not (
                tag == "link"
                and key == "href"
                and attrs.get("rel") in ("canonical", "expect")
            ):
                self.links.append(attrs[key])


def _parse(path, cache):
    if path not in cache:
        collector = _Collector()
        collector.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = collector
    return cache[path]


def _target(site, page, url):
    """The file a site-relative link points to."""
    base = PurePosixPath(page.relative_to(site).as_posix()).parent
    path = PurePosixPath(unquote(url.path))
    parts = []
    for part in (
        (base / path).parts if not url.path.startswith("/") else path.parts[1:]
    ):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    target = site.joinpath(*parts) if parts else site
    if target.is_dir():
        target = target / "index.html"
    return target


def _made_later(site, target):
    """A download that `make pdf` adds to the built site."""
    return (
        not target.exists()
        and target.suffix == ".pdf"
        and target.parent == site / "downloads"
    )


def check(site):
    """[(page, link, reason)] for every broken internal link."""
    site = Path(site).resolve()
    cache, broken, external = {}, [], 0
    for page in sorted(site.rglob("*.html")):
        for link in _parse(page, cache).links:
            url = urlsplit(link)
            if (
                url.scheme in ("http", "https", "mailto", "data", "javascript")
                or url.netloc
            ):
                external += url.scheme in ("http", "https")
                continue
            target = page if not url.path else _target(site, page, url)
            rel = page.relative_to(site).as_posix()
            if target is not None and _made_later(site, target):
                continue
            if target is None or not target.exists():
                broken.append((rel, link, "no such file"))
            elif url.fragment and target.suffix == ".html":
                ids = _parse(target, cache).ids
                if unquote(url.fragment) not in ids:
                    broken.append((rel, link, "no such anchor"))
    return broken, external


def main(argv):
    if len(argv) != 1:
        sys.exit(__doc__)
    broken, external = check(argv[0])
    for page, link, reason in broken:
        print(f"{page} -> {link}: {reason}")
    print(
        f"{len(broken)} broken internal link(s); {external} link(s) to "
        "other hosts not fetched"
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

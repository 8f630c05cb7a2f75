"""Audit the built site: every number a reader sees must be accounted for.

    .venv/bin/python scripts/audit_site.py [SITE_DIR]   (default: site)

After the strict build, this reads what the reader gets: the visible text
of every page, its title, alt and title attributes, the meta description,
the navigation, the search index and the text drawn into the figures'
SVG files. Every number in them must be

- inside code (``<code>``, ``<pre>``), or
- a number the docs checker checks or counts as given on the page's
  source file (matched by its text, as many times as the source has it),
  or a small integer inside math (as the checker allows), or
- on the short list of non-claims below (lesson numbers L1-L18, GPT-3,
  BP1-BP4 and the like).

Any other number is reported with the page, the element and the source
file, and the script exits 1. It does not change anything.
"""

import argparse
import collections
import html.parser
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from doccheck.page import PageError, parse  # noqa: E402

NUMBER = re.compile(
    r"(?<![\w.])[-\u2212]?(?:\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?"
    r"|\d+(?:\.\d+)?(?:[eE][-+\u2212]?\d+)?)"
)
#: Numbers that claim nothing: parts of names, and the like. Each pattern
#: is matched around the number; keep this list short and documented.
NON_CLAIMS = [
    (re.compile(r"\bL\d{1,2}\b"), "lesson number"),
    (re.compile(r"\bGPT-\d\b"), "model name"),
    (re.compile(r"\bBP\d\b"), "backprop equation name"),
    (re.compile(r"3Blue1Brown"), "channel name"),
    (re.compile(r"\b[23]D\b"), "2D/3D"),
    (re.compile(r"\bx\d\b"), "input name"),
    (re.compile(r"\bW\d\b|\bb\d\b|\ba\d\b|\bz\d\b"), "variable name"),
    (re.compile(r"\bfloat(?:16|32|64)\b|\bint(?:8|32|64)\b"), "type name"),
    (re.compile(r"\bBERT\b"), "model name"),
]
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "svg"}
MATH_CLASSES = {"arithmatex", "katex"}


class _Text(html.parser.HTMLParser):
    """Collect (element, text) pairs a reader sees, with code skipped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.found = []  # (where, text, in_math)
        self.tail = ""

    def _where(self):
        for tag, attrs in reversed(self.stack):
            if tag == "nav" or "md-nav" in attrs.get("class", ""):
                return "nav"
            if tag in ("h1", "h2", "h3", "h4", "title"):
                return tag
        return "text"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("alt", "title", "aria-label"):
            if attrs.get(name) and "<span" not in attrs[name]:
                self.found.append((f"{tag}[{name}]", attrs[name], False))
        if tag == "meta" and attrs.get("name") == "description":
            self.found.append(
                ("meta description", attrs.get("content"), False)
            )
        if tag in ("meta", "link", "img", "br", "hr", "input", "source"):
            return
        self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not data.strip():
            return
        if any(t in SKIP_TAGS for t, _ in self.stack):
            return
        math = any(
            set(a.get("class", "").split()) & MATH_CLASSES
            for _, a in self.stack
        )
        # the tail of the text before, so that GPT<abbr>-3 reads as one
        prefix = self.tail
        self.tail = data[-12:]
        self.found.append((self._where(), prefix + "\x00" + data, math))


def source_of(site, html_path):
    """The Markdown file a built page came from, or None."""
    rel = html_path.relative_to(site).as_posix()
    if rel == "index.html":
        stem = "index"
    elif rel.endswith("/index.html"):
        stem = rel[: -len("/index.html")]
    else:
        return None
    if stem == "contributing":
        return ROOT / "CONTRIBUTING.md"
    md = ROOT / "docs" / f"{stem}.md"
    return md if md.exists() else None


def accounted_numbers(md):
    """Texts of the numbers the checker checks or counts as given."""
    if md is None:
        return collections.Counter()
    text = md.read_text(encoding="utf-8")
    try:
        page = parse(md.relative_to(ROOT).as_posix(), text)
    except PageError:
        return collections.Counter()
    texts = collections.Counter()
    for mk in page.markers:
        for n in mk.numbers:
            texts[_norm(n.text)] += 1
    return texts


def _norm(text):
    return text.replace("\u2212", "-").replace(",", "")


def non_claim(text, m):
    for pattern, _ in NON_CLAIMS:
        for hit in pattern.finditer(text):
            if hit.start() <= m.start() and m.end() <= hit.end():
                return True
    return False


def audit_text(where, text, in_math, budget, problems, page, source):
    start = text.index("\x00") if "\x00" in text else 0
    text = text.replace("\x00", "")
    for m in NUMBER.finditer(text):
        if m.start() < start and m.end() <= start:
            continue  # in the text before, audited there
        shown = m.group()
        if non_claim(text, m):
            continue
        if in_math and re.fullmatch(r"\d{1,2}", shown):
            continue  # small integer constants in formulas
        key = _norm(shown)
        if budget[key] > 0:
            budget[key] -= 1
            continue
        if key.lstrip("-") != key and budget[key.lstrip("-")] > 0:
            budget[key.lstrip("-")] -= 1
            continue
        context = text[max(0, m.start() - 30) : m.end() + 30]
        problems.append(
            (page, where, shown, " ".join(context.split()), source)
        )


def audit_site(site):
    problems = []
    pages = sorted(
        p
        for p in site.rglob("*.html")
        if "assets" not in p.parts and p.name != "404.html"
    )
    for html_path in pages:
        md = source_of(site, html_path)
        budget = accounted_numbers(md)
        # titles, nav and the search index repeat page text: give each
        # place its own budget so that a heading counts in all of them
        parser = _Text()
        parser.feed(html_path.read_text(encoding="utf-8"))
        page = html_path.relative_to(site).as_posix()
        source = md.relative_to(ROOT).as_posix() if md else "(no source)"
        for where, text, math in parser.found:
            b = (
                budget
                if where in ("text", "h1", "h2", "h3", "h4")
                else (collections.Counter(budget))
            )
            audit_text(where, text or "", math, b, problems, page, source)
    index = site / "search" / "search_index.json"
    if index.exists():
        docs = json.loads(index.read_text(encoding="utf-8")).get("docs", [])
        for doc in docs:
            page = doc.get("location", "")
            md = source_of(
                site, site / (page.split("#")[0] or ".") / "index.html"
            )
            budget = accounted_numbers(md)
            text = re.sub(
                r"<code>.*?</code>|<pre>.*?</pre>",
                " ",
                doc.get("text", ""),
                flags=re.S,
            )
            text = re.sub(r"<[^>]+>", " ", text)
            source = md.relative_to(ROOT).as_posix() if md else "(none)"
            math = re.findall(r"\\\(.*?\\\)|\\\[.*?\\\]", text, re.S)
            text = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", " ", text, flags=re.S)
            b = collections.Counter(budget)
            for field, value, in_math in (
                ("search title", doc.get("title", ""), False),
                ("search text", text, False),
                *(("search math", m, True) for m in math),
            ):
                audit_text(
                    field,
                    value,
                    in_math,
                    b,
                    problems,
                    f"search:{page}",
                    source,
                )
    for svg in sorted(site.rglob("*.svg")):
        if "assets" in svg.parts:
            continue
        body = svg.read_text(encoding="utf-8", errors="replace")
        texts = re.findall(r"<text[^>]*>(.*?)</text>", body, re.S)
        texts += re.findall(r"<!--\s*(.*?)\s*-->", body)  # matplotlib
        for t in texts:
            audit_text(
                "svg text",
                re.sub(r"<[^>]+>", " ", t),
                False,
                collections.Counter(),
                problems,
                svg.relative_to(site).as_posix(),
                "src/sitefigures",
            )
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", nargs="?", default="site", type=Path)
    parser.add_argument(
        "--limit", type=int, default=40, help="list at most this many per page"
    )
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"{args.site}: no built site (run make build)")
        return 2
    problems = audit_site(args.site)
    by_page = collections.defaultdict(list)
    for p in problems:
        by_page[(p[0], p[4])].append(p)
    kinds = collections.Counter(p[1] for p in problems)
    for (page, source), rows in sorted(by_page.items()):
        print(f"{page} (source {source}): {len(rows)} unaccounted")
        for _, where, shown, context, _ in rows[: args.limit]:
            print(f"  {where}: {shown!r} in '{context}'")
    print(
        f"\n{len(problems)} unaccounted number(s) on {len(by_page)} "
        "page(s) or figure(s); by element:"
    )
    for kind, n in kinds.most_common():
        print(f"  {kind:<20}{n:>6}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

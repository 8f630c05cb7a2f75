"""Audit the built site: every number a reader sees must be accounted for.

    .venv/bin/python scripts/audit_site.py [SITE_DIR]   (default: site)

After the strict build, this reads what the reader gets: the visible text
of every page, its title, alt and title attributes, the meta description,
the navigation, the search index and the text drawn into the figures'
SVG files. Every number in them must be

- inside code (``<code>``, ``<pre>``) or math (KaTeX's HTML and MathML,
  or ``\\( \\)`` in the search index): code is run and its output
  compared, and every stating formula carries a formula check;
- a number a docs-checker marker checks (``<!--= expr -->``) or counts as
  given (``<!--given: ...-->``) on that page, matched by its text, as
  many times as the page's markers have it. ``hooks/markers.py`` records
  those texts for each page while it strips the markers, in
  ``SITE_DIR/.audit/numbers.json``; this script reads that record;
- in a figure, an axis tick label (the data's own scale, chosen by
  matplotlib), or a number the figure code computed and recorded with
  ``sitefigures.style.shown`` (``hooks/figures.py`` writes those texts
  into the SVG's ``<dc:description>``; a typed constant is not recorded);
- on the short list of non-claims below (lesson numbers L1-L18, GPT-3,
  BP1-BP4, "Figure 2", version numbers of named software and the like).

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
RECORD = Path(".audit") / "numbers.json"

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
    (re.compile(r"\bdial \d\b"), "name of a dial (figure's axes)"),
    (re.compile(r"\bW\d\b|\bb\d\b|\ba\d\b|\bz\d\b"), "variable name"),
    (re.compile(r"\bfloat(?:16|32|64)\b|\bint(?:8|32|64)\b"), "type name"),
    (re.compile(r"\bBERT\b"), "model name"),
    (re.compile(r"\bIn[\s\u00a0]\[\d+\]:"), "a notebook cell's prompt"),
    (
        re.compile(r"\b(?:Figure|Table|[Ll]esson|[Ss]tep) \d{1,2}\b"),
        "a reference to a numbered part",
    ),
    (
        re.compile(
            r"\b(?:Python|NumPy|PyTorch|MkDocs|KaTeX|Node(?:\.js)?"
            r"|Material for MkDocs) \d+(?:\.\d+)*\b"
        ),
        "version of named software",
    ),
]
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "svg", "math"}
BLOCKS = {
    "p",
    "div",
    "li",
    "td",
    "th",
    "tr",
    "table",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "title",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "article",
    "section",
    "nav",
    "header",
    "footer",
    "blockquote",
    "details",
    "summary",
    "br",
    "figcaption",
    "figure",
    "label",
    "body",
    "head",
    "main",
    "aside",
}
MATH_CLASSES = {"arithmatex", "katex", "katex-display", "katex-mathml"}
#: The labs' hidden copy of each code cell (for the copy button) is code.
CODE_CLASSES = {"clipboard-copy-txt", "highlight-ipynb"}


class _Text(html.parser.HTMLParser):
    """Collect (element, text, skipped, origin) a reader sees.

    ``skipped`` is true inside code or math. ``origin`` is the id of the
    nearest heading before the text that names a `ref` object (the
    reference page's docstrings), else None.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.found = []  # (where, text, skipped, origin)
        self.tail = ""
        self.origin = None

    def _where(self):
        for tag, attrs in reversed(self.stack):
            if tag == "nav" or "md-nav" in (attrs.get("class") or ""):
                return "nav"
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "title"):
                return tag
        return "text"

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.tail = ""  # text in another block does not run on
        attrs = {k: v or "" for k, v in attrs}
        ident = attrs.get("id", "")
        if re.fullmatch(r"ref(?:\.\w+)+", ident):
            self.origin = ident
        for name in ("alt", "title", "aria-label"):
            if attrs.get(name) and "<span" not in attrs[name]:
                self.found.append(
                    (f"{tag}[{name}]", attrs[name], False, self.origin)
                )
        if tag == "meta" and attrs.get("name") == "description":
            self.found.append(
                ("meta description", attrs.get("content"), False, None)
            )
        if tag in ("meta", "link", "img", "br", "hr", "input", "source"):
            return
        self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.tail = ""
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not data.strip():
            return
        skipped = any(t in SKIP_TAGS for t, _ in self.stack) or any(
            set(a.get("class", "").split()) & (MATH_CLASSES | CODE_CLASSES)
            for _, a in self.stack
        )
        # the tail of the text before, so that GPT<abbr>-3 reads as one
        prefix = self.tail
        self.tail = data[-12:]
        self.found.append(
            (self._where(), prefix + "\x00" + data, skipped, self.origin)
        )


def _norm(text):
    return text.replace("\u2212", "-").replace(",", "")


def non_claim(text, m):
    for pattern, _ in NON_CLAIMS:
        for hit in pattern.finditer(text):
            if hit.start() <= m.start() and m.end() <= hit.end():
                return True
    return False


def audit_text(where, text, budget, problems, page, source):
    """Report each number of `text` not in `budget` (which it spends)."""
    start = text.index("\x00") if "\x00" in text else 0
    text = text.replace("\x00", "")
    for m in NUMBER.finditer(text):
        if m.start() < start and m.end() <= start:
            continue  # in the text before, audited there
        shown = m.group()
        if non_claim(text, m):
            continue
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


def budget_of(entry):
    """Counter of the numbers a page's markers check or count as given."""
    if not entry:
        return collections.Counter()
    return collections.Counter(
        _norm(t) for t in entry.get("checked", []) + entry.get("given", [])
    )


def _source(entry, default="(no source)"):
    if not entry:
        return default
    src = entry["source"]
    if src.startswith("docs/labs/") and src.endswith(".ipynb"):
        return src[: -len(".ipynb")] + ".py"
    return src


def audit_html(markup, entry, page):
    """The unaccounted numbers of one built page (see the module doc)."""
    problems = []
    budget = budget_of(entry)
    parser = _Text()
    parser.feed(markup)
    for where, text, skipped, origin in parser.found:
        if skipped:
            continue
        source = _source(entry)
        if origin:  # a docstring on the reference page
            module = ".".join(origin.split(".")[:2])
            source = f"src/{module.replace('.', '/')}.py ({origin})"
        # titles, nav and attributes repeat page text: give each of them
        # its own budget, so that a heading counts in all of them
        b = (
            budget
            if where in ("text", "h1", "h2", "h3", "h4", "h5", "h6")
            else collections.Counter(budget)
        )
        audit_text(where, text or "", b, problems, page, source)
    return problems


def code_numbers(markup):
    """Counter of the numbers a page shows inside code or math."""
    parser = _Text()
    parser.feed(markup)
    found = collections.Counter()
    for _, text, skipped, _ in parser.found:
        if skipped:
            text = (text or "").split("\x00", 1)[-1]
            found.update(_norm(m.group()) for m in NUMBER.finditer(text))
    return found


def audit_search(docs, record, in_code=None):
    """The search index repeats each page's text; the numbers there that
    the page shows inside code or math (`in_code`: page -> Counter) are
    code there too, since the index drops the tags of some (the labs')."""
    problems = []
    in_code = in_code or {}
    for doc in docs:
        page = doc.get("location", "")
        path = page.split("#")[0]
        entry = record.get(f"{path}index.html" if path else "index.html")
        text = re.sub(
            r"<code>.*?</code>|<pre>.*?</pre>",
            " ",
            doc.get("text", ""),
            flags=re.S,
        )
        text = re.sub(r"<[^>]+>", " ", text)
        text = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", " ", text, flags=re.S)
        text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", text, flags=re.S)
        key = f"{path}index.html" if path else "index.html"
        b = budget_of(entry) + in_code.get(key, collections.Counter())
        for field, value in (
            ("search title", doc.get("title", "")),
            ("search text", text),
        ):
            audit_text(
                field, value, b, problems, f"search:{page}", _source(entry)
            )
    return problems


SVG_TOKEN = re.compile(
    r"<g\b([^>]*)>|</g>"
    r"|<!--(.*?)-->|<text\b[^>]*>(.*?)</text>"
    r"|<dc:description>(.*?)</dc:description>",
    re.S,
)
TICK_GROUP = re.compile(r"[xy]tick_\d+")
OFFSET = re.compile(r"[-+\u2212]?(?:\d+(?:\.\d+)?)?e[-+\u2212]?\d+")


def audit_svg(body, name, source):
    """The unaccounted numbers drawn as text in one figure."""
    problems = []
    groups = []
    texts = []
    computed = collections.Counter()
    for m in SVG_TOKEN.finditer(body):
        gid, comment, text, desc = m.groups()
        if m.group().startswith("</g"):
            if groups:
                groups.pop()
        elif m.group().startswith("<g"):
            ident = re.search(r'\bid="([^"]*)"', gid)
            groups.append(ident.group(1) if ident else "")
        elif desc is not None:
            computed.update(_computed(desc))
        else:
            t = comment if comment is not None else text
            tick = any(TICK_GROUP.fullmatch(g) for g in groups)
            # an axis' offset or scale ("1e12" at its end) is its ticks'
            offset = any(g.startswith("matplotlib.axis") for g in groups)
            if not tick and not (offset and OFFSET.fullmatch(t.strip())):
                texts.append(t)
    for t in texts:
        t = re.sub(r"<[^>]+>", " ", t)
        # matplotlib's mathtext (used for a log axis' 10^k) is a tick
        t = re.sub(r"\\mathdefault\{[^}]*\}", " ", t)
        audit_text("svg text", t, computed, problems, name, source)
    return problems


COMPUTED_PREFIX = "numbers computed by the figure code:"


def _computed(description):
    """Texts recorded by sitefigures.style.shown, from <dc:description>."""
    import html as _html

    description = _html.unescape(description).strip()
    if not description.startswith(COMPUTED_PREFIX):
        return []
    rest = description[len(COMPUTED_PREFIX) :]
    return [_norm(t) for t in json.loads(rest)]


def figure_sources():
    """{figure name: its module's file}, from sitefigures."""
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from sitefigures import all_figures
    except ImportError:
        return {}
    return {
        name: f"src/{draw.__module__.replace('.', '/')}.py"
        for name, draw in all_figures().items()
    }


def audit_site(site):
    site = Path(site)
    record_path = site / RECORD
    if not record_path.exists():
        raise FileNotFoundError(
            f"{record_path}: no record of the checked numbers "
            "(hooks/markers.py writes it at build time)"
        )
    record = json.loads(record_path.read_text(encoding="utf-8"))
    problems = []
    in_code = {}
    pages = sorted(
        p
        for p in site.rglob("*.html")
        if "assets" not in p.parts
        and ".audit" not in p.parts
        and p.name != "404.html"
    )
    for html_path in pages:
        page = html_path.relative_to(site).as_posix()
        markup = html_path.read_text(encoding="utf-8")
        problems += audit_html(markup, record.get(page), page)
        in_code[page] = code_numbers(markup)
    index = site / "search" / "search_index.json"
    if index.exists():
        docs = json.loads(index.read_text(encoding="utf-8")).get("docs", [])
        problems += audit_search(docs, record, in_code)
    sources = figure_sources()
    for svg in sorted(site.rglob("*.svg")):
        if "assets" in svg.parts:
            continue
        name = svg.relative_to(site).as_posix()
        stem = re.sub(r"-(?:light|dark)(?:-narrow)?$", "", svg.stem)
        problems += audit_svg(
            svg.read_text(encoding="utf-8", errors="replace"),
            name,
            sources.get(stem, "src/sitefigures"),
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
    try:
        problems = audit_site(args.site)
    except FileNotFoundError as exc:
        print(exc)
        return 2
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

"""Audit the built site: every number a reader sees must be accounted for.

    .venv/bin/python scripts/audit_site.py [SITE_DIR]   (default: site)

The docs checker reads the Markdown; this reads what the reader gets after
the strict build: the visible text of every page (the theme's 404 page
too, and text drawn in an inline SVG), its title, alt, title and
aria-label attributes, the meta description, the navigation, the search
index, the text drawn into the figures' SVG files, and the source of the
figures. Every number in them
must be accounted for by one of these rules, and nothing else:

- **Code.** A number inside ``<pre>`` (a fence, its output block, a
  docstring's example, a source listing) or inside inline ``<code>`` of
  a page: the checker runs the page's code and compares its output. On
  the API reference, inline code in a docstring is not run, so it is
  held to the rule of math (next).
- **Math** holds formulas: only integers of one or two digits (as the
  checker allows in ``$...$``), read from KaTeX's TeX annotation. A
  decimal, or a longer number, is a value that belongs in checked prose.
- **Checked and given numbers.** A number that a checker marker checks
  (``<!--= expr -->``) or counts as given (``<!--given: ...-->``) on that
  page, matched by its text, as many times as the page's markers have
  it. ``hooks/markers.py`` records those texts for each page while it
  strips the markers, in ``SITE_DIR/.audit/numbers.json``. Titles,
  attributes and the navigation repeat page text, so each of them may
  use the whole record again; the meta description and the search index
  may also use the page's math (the description writes the first
  paragraph's math as text), the search index its code too.
- **Figures** (``src/sitefigures``). A tick label that matplotlib wrote
  from the tick's position is the data's own scale. Any other text, and
  a tick label the figure code wrote itself that does not read as its
  position, may only show numbers the code computed and recorded with
  ``sitefigures.style.shown`` (``hooks/figures.py`` writes both records
  into the SVG's ``<dc:description>``). And ``shown`` may not be handed
  a literal (``shown(fig, 0.25)``): that is a typed number again.
- **Lab plots** (``labs/<lab>/plot-*.svg``) are outputs of the lab's
  code, which the build runs and shows above them: a number in one must
  also appear in that lab's code or its printed output.
- **Non-claims**: the short list ``NON_CLAIMS`` below (GPT-3,
  3Blue1Brown, 2D, a notebook cell's prompt, ...). A digit glued to
  letters (L17, BP1, x2, float64) is not read as a number at all.

Any other number is reported with the page, the element and the source
file to fix, and so is a number written so that nothing reads it
("10⁶", "¾"); the script exits 1. It changes nothing.
"""

import argparse
import ast
import collections
import html
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
#: Numbers written so that neither the checker nor this audit can read
#: them as one: a power written with superscript digits ("10⁶") and a
#: vulgar fraction other than ½. Always reported. (Subscript digits, as in
#: w₁, are names.)
UNREADABLE = re.compile(
    "(?<![\\d.])\\d+(?:\\.\\d+)?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+"
    "|[\u00bc\u00be\u2150-\u215e]"
)
#: Numbers that claim nothing: parts of names, and the like. Each pattern
#: is matched around the number; keep this list short and documented.
#: (A digit glued to letters, as in L17, BP1, x2, W1 or float64, is not
#: read as a number at all, as in the docs checker.)
NON_CLAIMS = [
    (re.compile(r"\bGPT-\d\b"), "model name"),
    (re.compile(r"3Blue1Brown"), "channel name (as in doccheck)"),
    (re.compile(r"\b[23]D\b"), "2D/3D (as in doccheck)"),
    (re.compile(r"\bIn[\s\u00a0]\[\d+\]:"), "a notebook cell's prompt"),
    (re.compile(r"^dial \d:"), "a dial's name (a figure's axis label)"),
    (re.compile(r"^404 - Not found$"), "the theme's error page heading"),
]
#: Elements whose text no reader sees as text. (An SVG drawn inline in a
#: page is read: its <text> is what it shows.)
HIDDEN = {"script", "style", "template"}
BLOCKS = {
    "p", "div", "li", "td", "th", "tr", "table", "ul", "ol", "dl", "dd",
    "dt", "title", "h1", "h2", "h3", "h4", "h5", "h6", "article",
    "section", "nav", "header", "footer", "blockquote", "details",
    "summary", "br", "figcaption", "figure", "label", "body", "head",
    "main", "aside", "pre", "math",
}  # fmt: skip
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: The labs' hidden copy of each code cell (for the copy button) is code.
CODE_CLASSES = {"clipboard-copy-txt", "highlight-ipynb"}
#: A docstring on the API reference (mkdocstrings), and its heading.
DOCSTRING, DOC_HEADING = "doc-contents", "doc-heading"

PRE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.S)
KATEX_TEX = re.compile(
    r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S
)
MATHML = re.compile(r"<math\b.*?</math>", re.S)
SPAN_TAG = re.compile(r"<span\b|</span>")
TAG = re.compile(r"<[^>]+>")


# --- reading the numbers -------------------------------------------------


def _norm(text):
    return text.replace("\u2212", "-").replace(",", "")


def numbers(text):
    """The numbers of `text`, as normalised keys."""
    return [_norm(m.group()) for m in NUMBER.finditer(text)]


def non_claim(text, m):
    for pattern, _ in NON_CLAIMS:
        for hit in pattern.finditer(text):
            if hit.start() <= m.start() and m.end() <= hit.end():
                return True
    return False


def small_integer(shown):
    """What math may hold: an integer of one or two digits (a sign
    aside), as doccheck allows between ``$...$``."""
    return re.fullmatch(r"[-\u2212]?\d{1,2}", shown) is not None


# --- the pages -----------------------------------------------------------


def _strip_katex_html(markup):
    """KaTeX's HTML rendering repeats its MathML: drop it (it is most of
    a page's tags), keep the MathML, whose annotation is the TeX."""
    out, pos = [], 0
    start = markup.find('<span class="katex-html"')
    while start != -1:
        depth, end = 0, None
        for tag in SPAN_TAG.finditer(markup, start):
            depth += 1 if tag.group() == "<span" else -1
            if depth == 0:
                end = tag.end()
                break
        if end is None:
            break
        out.append(markup[pos:start])
        pos = end
        start = markup.find('<span class="katex-html"', pos)
    out.append(markup[pos:])
    return "".join(out)


def _prepare(markup):
    """(markup with <pre> emptied and math reduced to its TeX, Counter of
    the numbers in <pre>). Both are code or math to the audit; taking
    them out before parsing keeps the audit fast."""
    in_pre = collections.Counter()

    def pre(m):
        in_pre.update(numbers(html.unescape(TAG.sub("", m.group()))))
        return "<pre></pre>"

    def math(m):
        tex = KATEX_TEX.search(m.group())
        body = tex.group(1) if tex else TAG.sub(" ", m.group())
        return f"<math>{body}</math>"

    markup = PRE.sub(pre, markup)
    markup = MATHML.sub(math, _strip_katex_html(markup))
    return markup, in_pre


class _Text(html.parser.HTMLParser):
    """Collect what a reader sees of one page, element by element.

    ``found`` holds (where, text, kind, origin): kind is "text", "code"
    (inline code of a page), "doc code" (inline code in a docstring) or
    "math"; origin is the id of the nearest heading before the text that
    names a `ref` object (the API reference's docstrings), else None.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.found = []
        self.tail = ""
        self.origin = None

    def _where(self):
        for tag, attrs in reversed(self.stack):
            if tag == "nav" or "md-nav" in (attrs.get("class") or ""):
                return "nav"
            if tag in HEADINGS or tag == "title":
                return tag
        return "text"

    def _kind(self):
        classes = set()
        tags = set()
        for tag, attrs in self.stack:
            tags.add(tag)
            classes.update((attrs.get("class") or "").split())
        if tags & HIDDEN:
            return None
        if "math" in tags:
            return "math"
        if tags & {"code", "kbd", "samp"} or classes & CODE_CLASSES:
            if DOCSTRING in classes and DOC_HEADING not in classes:
                return "doc code"  # a docstring's inline code: not run
            return "code"
        return "text"

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.tail = ""  # text in another block does not run on
        attrs = {k: v or "" for k, v in attrs}
        ident = attrs.get("id", "")
        if re.fullmatch(r"ref(?:\.\w+)+", ident):
            self.origin = ident
        for name in ("alt", "title", "aria-label"):
            value = attrs.get(name)
            if not value:
                continue
            if "<" in value:
                # HTML in an attribute (a cross-reference's tooltip shows
                # the signature as code): read it as HTML
                inner = _Text()
                inner.feed(value)
                inner.close()
                self.found += [
                    (f"{tag}[{name}]", text, kind, self.origin)
                    for _, text, kind, _ in inner.found
                ]
            else:
                self.found.append(
                    (f"{tag}[{name}]", value, "text", self.origin)
                )
        if tag == "meta" and attrs.get("name") == "description":
            self.found.append(
                ("meta description", attrs.get("content"), "text", None)
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
        kind = self._kind()
        if kind is None:
            return
        # the tail of the text before, so that GPT<abbr>-3 reads as one
        prefix = self.tail if kind == "text" else ""
        self.tail = data[-12:] if kind == "text" else ""
        self.found.append(
            (self._where(), prefix + "\x00" + data, kind, self.origin)
        )


def audit_text(where, text, budget, problems, page, source, allow=None):
    """Report each number of `text` not in `budget` (which it spends);
    `allow(shown)` passes a number without spending."""
    start = text.index("\x00") if "\x00" in text else 0
    text = text.replace("\x00", "")
    unreadable = list(UNREADABLE.finditer(text))
    for m in NUMBER.finditer(text):
        if m.end() <= start or any(
            u.start() <= m.start() < u.end() for u in unreadable
        ):
            continue  # in the text before, audited there; or below
        shown = m.group()
        if non_claim(text, m) or (allow and allow(shown)):
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
    for m in unreadable:
        if m.end() > start:
            context = text[max(0, m.start() - 30) : m.end() + 30]
            problems.append(
                (page, where, m.group(), " ".join(context.split()), source)
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


def _docstring_source(origin):
    module = ".".join(origin.split(".")[:2])
    return f"src/{module.replace('.', '/')}.py ({origin})"


class Page:
    """One built page: its problems, and the numbers it shows as code
    and as math (the search index and the description repeat them)."""

    def __init__(self, markup, entry, page):
        self.problems = []
        markup, self.in_code = _prepare(markup)
        self.in_math = collections.Counter()
        parser = _Text()
        parser.feed(markup)
        parser.close()
        budget = budget_of(entry)
        descriptions = []
        for where, text, kind, origin in parser.found:
            text = text or ""
            source = _docstring_source(origin) if origin else _source(entry)
            body = text.split("\x00", 1)[-1]
            if kind == "code":
                self.in_code.update(numbers(body))
                continue
            if kind in ("math", "doc code"):
                (self.in_math if kind == "math" else self.in_code).update(
                    numbers(body)
                )
                label = "math" if kind == "math" else "docstring code"
                audit_text(
                    label, body, collections.Counter(), self.problems,
                    page, source, allow=small_integer,
                )  # fmt: skip
                continue
            if where == "meta description":
                descriptions.append((text, source))
                continue
            # titles, nav and attributes repeat page text: each of them
            # may use the whole record again
            b = (
                budget
                if where == "text" or where in HEADINGS
                else collections.Counter(budget)
            )
            audit_text(where, text, b, self.problems, page, source)
        for text, source in descriptions:
            b = budget_of(entry) + self.in_math
            audit_text(
                "meta description", text, b, self.problems, page, source
            )


def audit_html(markup, entry, page):
    """The unaccounted numbers of one built page (see the module doc)."""
    return Page(markup, entry, page).problems


def audit_search(docs, record, shown_as_code=None):
    """The search index repeats each page's text. The numbers a page
    shows as code or math (`shown_as_code`: page -> Counter) count there
    too, since the index drops the tags of some (the labs')."""
    problems = []
    shown_as_code = shown_as_code or {}
    for doc in docs:
        page = doc.get("location", "")
        path = page.split("#")[0]
        key = f"{path}index.html" if path else "index.html"
        entry = record.get(key)
        text = re.sub(
            r"<code>.*?</code>|<pre>.*?</pre>",
            " ",
            doc.get("text", ""),
            flags=re.S,
        )
        text = re.sub(r"<[^>]+>", " ", text)
        text = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", " ", text, flags=re.S)
        text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", text, flags=re.S)
        b = budget_of(entry) + shown_as_code.get(key, collections.Counter())
        source = _source(entry)
        if "#ref." in page:
            source = _docstring_source(page.split("#", 1)[1])
        for field, value in (
            ("search title", doc.get("title", "")),
            ("search text", text),
        ):
            audit_text(field, value, b, problems, f"search:{page}", source)
    return problems


# --- figures -------------------------------------------------------------

SVG_TOKEN = re.compile(
    r"<g\b([^>]*)>|</g>"
    r"|<!--(.*?)-->|<text\b[^>]*>(.*?)</text>"
    r"|<dc:description>(.*?)</dc:description>",
    re.S,
)
TICK_GROUP = re.compile(r"[xy]tick_\d+")
OFFSET = re.compile(r"[-+\u2212]?(?:\d+(?:\.\d+)?)?e[-+\u2212]?\d+")
MATHTEXT = re.compile(r"\\mathdefault\{([^}]*)\}")
#: What hooks/figures.py writes before the figure's record.
RECORD_PREFIX = "audit record:"


def figure_record(description):
    """{"shown": [...], "ticks": [[location, label], ...]} from the text
    of an SVG's <dc:description> (see hooks/figures.py)."""
    description = html.unescape(description).strip()
    if not description.startswith(RECORD_PREFIX):
        return None
    record = json.loads(description[len(RECORD_PREFIX) :])
    return {"shown": record.get("shown", []), "ticks": record.get("ticks", [])}


def reads_as(label, location):
    """Whether a tick label is its own position, at the label's precision
    ("0.5" at 0.5, "1e6" at 1000000.0), so that it claims nothing."""
    text = _norm(MATHTEXT.sub(r"\1", label).replace("$", "")).strip()
    if not NUMBER.fullmatch(text):
        return False
    plain = "." in text and "e" not in text
    decimals = len(text.split(".")[1]) if plain else 0
    return abs(float(text) - location) <= 0.5 * 10.0**-decimals * (1 + 1e-9)


def _svg_texts(body):
    """(texts outside the axes' ticks, <dc:description> text)."""
    groups, texts, description = [], [], ""
    for m in SVG_TOKEN.finditer(body):
        gid, comment, text, desc = m.groups()
        if m.group().startswith("</g"):
            if groups:
                groups.pop()
        elif m.group().startswith("<g"):
            ident = re.search(r'\bid="([^"]*)"', gid)
            groups.append(ident.group(1) if ident else "")
        elif desc is not None:
            description = desc
        else:
            t = comment if comment is not None else text
            tick = any(TICK_GROUP.fullmatch(g) for g in groups)
            # an axis' offset or scale ("1e12" at its end) is its ticks'
            offset = any(g.startswith("matplotlib.axis") for g in groups)
            if not tick and not (offset and OFFSET.fullmatch(t.strip())):
                texts.append(MATHTEXT.sub(" ", TAG.sub(" ", t)).strip())
    return texts, description


def audit_svg(body, name, source):
    """The unaccounted numbers drawn as text in one figure of
    src/sitefigures (see the module doc)."""
    problems = []
    texts, description = _svg_texts(body)
    record = figure_record(description)
    if record is None:
        # without the record its hand-written tick labels are unknown
        return [
            (name, "svg record", "-", "no audit record: not drawn by "
             "hooks/figures.py", source)
        ]  # fmt: skip
    computed = collections.Counter(_norm(t) for t in record["shown"])
    for location, label in record["ticks"]:
        if not reads_as(label, location):
            texts.append(label)
    for t in texts:
        audit_text("svg text", t, computed, problems, name, source)
    return problems


def audit_lab_plot(body, name, source, in_lab):
    """The numbers of a plot a lab drew that its code and printed output
    (`in_lab`, a Counter) do not show."""
    problems = []
    texts, _ = _svg_texts(body)
    for t in texts:
        # the plot may repeat a number of its code as often as it likes
        audit_text(
            "lab plot text", t, collections.Counter(), problems, name,
            source, allow=lambda shown: in_lab[_norm(shown)] > 0,
        )  # fmt: skip
    return problems


def figure_sources(root=ROOT):
    """{figure name: its module's file}, read from the FIGURES dicts of
    src/sitefigures (parsed, not imported: importing draws nothing but
    costs a second)."""
    found = {}
    for path in sorted((root / "src" / "sitefigures").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and any(
                    isinstance(t, ast.Name) and t.id == "FIGURES"
                    for t in node.targets
                )
                and isinstance(node.value, ast.Dict)
            ):
                for k in node.value.keys:
                    if isinstance(k, ast.Constant):
                        found[k.value] = path.relative_to(root).as_posix()
    return found


def typed_shown(root=ROOT):
    """Calls ``shown(fig, value)`` in src/sitefigures whose value is a
    literal (no name in it): a typed number passed off as computed."""
    problems = []
    for path in sorted((root / "src" / "sitefigures").glob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", ""))
                == "shown"
            ):
                continue
            args = list(node.args[1:2]) + [
                k.value for k in node.keywords if k.arg == "value"
            ]
            for arg in args:
                if not any(
                    isinstance(n, (ast.Name, ast.Attribute))
                    for n in ast.walk(arg)
                ):
                    problems.append(
                        (
                            f"{rel}:{node.lineno}",
                            "figure code",
                            ast.unparse(arg),
                            ast.unparse(node),
                            rel,
                        )
                    )
    return problems


# --- the whole site ------------------------------------------------------


def audit_site(site, root=ROOT):
    site = Path(site)
    record_path = site / RECORD
    if not record_path.exists():
        raise FileNotFoundError(
            f"{record_path}: no record of the checked numbers "
            "(hooks/markers.py writes it at build time)"
        )
    record = json.loads(record_path.read_text(encoding="utf-8"))
    problems = []
    shown_as_code = {}
    pages = sorted(
        p
        for p in site.rglob("*.html")
        if "assets" not in p.parts and ".audit" not in p.parts
    )
    for html_path in pages:
        page = html_path.relative_to(site).as_posix()
        markup = html_path.read_text(encoding="utf-8")
        result = Page(markup, record.get(page), page)
        problems += result.problems
        shown_as_code[page] = result.in_code + result.in_math
    index = site / "search" / "search_index.json"
    if index.exists():
        docs = json.loads(index.read_text(encoding="utf-8")).get("docs", [])
        problems += audit_search(docs, record, shown_as_code)
    sources = figure_sources(root)
    for svg in sorted(site.rglob("*.svg")):
        if "assets" in svg.parts:
            continue
        name = svg.relative_to(site).as_posix()
        body = svg.read_text(encoding="utf-8", errors="replace")
        lab_page = (svg.parent / "index.html").relative_to(site).as_posix()
        entry = record.get(lab_page)
        if entry and entry["source"].startswith("docs/labs/"):
            problems += audit_lab_plot(
                body, name, _source(entry), shown_as_code[lab_page]
            )
            continue
        stem = re.sub(r"-(?:light|dark)(?:-narrow)?$", "", svg.stem)
        problems += audit_svg(body, name, sources.get(stem, "src/sitefigures"))
    problems += typed_shown(root)
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

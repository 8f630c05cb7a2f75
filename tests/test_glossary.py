"""The glossary and its tooltips: one source of truth, and no dead links.

Every term is defined once, in ``includes/abbreviations.md``, as

    *[term]:
    --8<-- [start:section]
    The definition, one line of plain text.
    --8<-- [end:section]

pymdownx.snippets appends that file to every page and drops the section
markers, so Python-Markdown's abbr extension reads ``*[term]:`` with the
definition on the next line: every ``term`` on the site gets the definition
as its tooltip. The glossary includes the same section as its text,

    ### Term {#section}

    --8<-- "abbreviations.md:section"

so the tooltip and the glossary cannot say different things. These tests
check both ends of that arrangement, and the links of the reference pages.
"""

from __future__ import annotations

import html.parser
import re
from functools import cache
from pathlib import Path

import markdown
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
ABBREVIATIONS = REPO / "includes" / "abbreviations.md"
GLOSSARY = DOCS / "glossary.md"
#: The reference pages whose links are checked here.
REFERENCE_PAGES = [
    "glossary.md",
    "formulas.md",
    "cheatsheet.md",
    "seeing-it-whole.md",
]
#: Longest tooltip, in characters: a sentence or two.
MAX_DEFINITION = 160

ENTRY = re.compile(
    r"^\*\[(?P<term>[^\]]+)\]:\n"
    r"--8<-- \[start:(?P<section>[a-z][-a-z]*)\]\n"
    r"(?P<definition>[^\n]+)\n"
    r"--8<-- \[end:(?P=section)\]\n",
    re.M,
)
HEADING = re.compile(r"^### (?P<title>.+?) \{#(?P<id>[^}]+)\}$", re.M)
INCLUDE = re.compile(r'^--8<-- "abbreviations\.md:(?P<section>[^"]+)"$', re.M)


# ---------------------------------------------------------------------------
# Reading the two files
# ---------------------------------------------------------------------------


@cache
def entries() -> dict[str, tuple[str, str]]:
    """{section: (term, definition)} from includes/abbreviations.md."""
    text = ABBREVIATIONS.read_text(encoding="utf-8")
    found = {}
    for m in ENTRY.finditer(text):
        assert m["section"] not in found, (
            f"section {m['section']!r} is defined twice"
        )
        found[m["section"]] = (m["term"], m["definition"])
    return found


@cache
def glossary_entries() -> dict[str, tuple[str, str]]:
    """{heading id: (title, body up to the next heading)} of the glossary."""
    text = GLOSSARY.read_text(encoding="utf-8")
    headings = list(re.finditer(r"^#{1,3} .*$", text, re.M))
    found = {}
    for i, h in enumerate(headings):
        m = HEADING.match(h.group())
        if not m:
            continue
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        assert m["id"] not in found, f"glossary entry #{m['id']} is twice"
        found[m["id"]] = (m["title"], text[h.end() : end])
    return found


def test_abbreviations_hold_only_well_formed_entries():
    text = ABBREVIATIONS.read_text(encoding="utf-8")
    leftover = ENTRY.sub("", text).strip()
    assert not leftover, (
        "includes/abbreviations.md must hold only entries of the form\n"
        "*[term]:\\n--8<-- [start:name]\\ndefinition\\n--8<-- [end:name]\\n"
        f"; this is left over:\n{leftover[:500]}"
    )
    terms = [term for term, _ in entries().values()]
    assert len(terms) == len(set(terms)), "a term is defined twice"
    assert len(entries()) >= 90, "the glossary has lost most of its terms"


def test_tooltips_have_no_digits_and_are_plain_short_text():
    # The docs checker cannot tie a number in a tooltip to code, so the
    # whole file holds no digit at all (section names included).
    text = ABBREVIATIONS.read_text(encoding="utf-8")
    digits = [
        (n, line)
        for n, line in enumerate(text.splitlines(), 1)
        if re.search(r"\d", line.replace("--8<--", ""))
    ]
    assert not digits, f"digits in includes/abbreviations.md: {digits}"
    problems = []
    for term, definition in entries().values():
        if len(definition) > MAX_DEFINITION:
            problems.append(
                f"{term}: {len(definition)} characters, over {MAX_DEFINITION}"
            )
        # A tooltip shows its text raw: no Markdown, no HTML, no math.
        if re.search(r"[*_`$<>\[\]\\]", definition):
            problems.append(f"{term}: markup in {definition!r}")
        if not definition[0].isupper() or not definition.endswith("."):
            problems.append(f"{term}: not a sentence: {definition!r}")
    assert not problems, "\n".join(problems)


def test_glossary_shows_every_definition_once():
    glossary = glossary_entries()
    defined = set(entries())
    problems = []
    for section, (title, body) in glossary.items():
        includes = INCLUDE.findall(body)
        if includes != [section]:
            problems.append(
                f"#{section} ({title}) must include exactly "
                f'--8<-- "abbreviations.md:{section}", found {includes}'
            )
    missing = sorted(defined - set(glossary))
    unknown = sorted(set(glossary) - defined)
    if missing:
        problems.append(f"terms with no glossary entry: {missing}")
    if unknown:
        problems.append(f"glossary entries with no definition: {unknown}")
    assert not problems, "\n".join(problems)


def test_every_glossary_entry_links_to_a_page():
    lonely = [
        f"#{section} ({title})"
        for section, (title, body) in glossary_entries().items()
        if not re.search(r"\]\((?![a-z]+:)[^)#]*\.md(#[^)]*)?\)", body)
    ]
    assert not lonely, f"entries that link to no page: {lonely}"


# ---------------------------------------------------------------------------
# Rendering, with the site's own Markdown extensions
# ---------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """mkdocs.yml's tags (!ENV, !!python/name) read as plain values."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


@cache
def site_markdown_config() -> tuple[list, dict]:
    config = yaml.load(
        (REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader
    )
    extensions, configs = [], {}
    for item in config["markdown_extensions"]:
        if isinstance(item, dict):
            ((name, options),) = item.items()
            # Options given by a tag (a Python object) keep their default.
            configs[name] = {
                k: v for k, v in (options or {}).items() if v is not None
            }
        else:
            name = item
        extensions.append(name)
    snippets = configs.setdefault("pymdownx.snippets", {})
    snippets["base_path"] = [str(REPO / p) for p in snippets["base_path"]]
    return extensions, configs


@cache
def _markdown() -> markdown.Markdown:
    extensions, configs = site_markdown_config()
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


def render(text: str) -> str:
    md = _markdown()
    md.reset()
    return md.convert(text)


class _Collector(html.parser.HTMLParser):
    """ids, hrefs, abbr titles and the text after each glossary heading."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.abbrs = set(), [], {}
        self.after_heading, self._heading, self._para = {}, None, None
        self._abbr = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if tag == "abbr":
            self._abbr = [attrs.get("title"), ""]
        if tag == "h3" and "id" in attrs:
            self._heading = attrs["id"]
        elif tag == "p" and self._heading:
            self._para, self._heading = self._heading, None
            self.after_heading[self._para] = ""

    def handle_endtag(self, tag):
        if tag == "abbr" and self._abbr:
            title, text = self._abbr
            self.abbrs.setdefault(text, set()).add(title)
            self._abbr = None
        if tag == "p":
            self._para = None

    def handle_data(self, data):
        if self._abbr is not None:
            self._abbr[1] += data
        if self._para:
            self.after_heading[self._para] += data


def collect(text: str) -> _Collector:
    collector = _Collector()
    collector.feed(render(text))
    return collector


def test_glossary_text_is_the_definition():
    """The paragraph under each glossary heading, rendered as on the site."""
    page = collect(GLOSSARY.read_text(encoding="utf-8"))
    problems = []
    for section, (_, definition) in entries().items():
        shown = " ".join(page.after_heading.get(section, "").split())
        if shown != definition:
            problems.append(
                f"glossary #{section} shows {shown!r}, not {definition!r}"
            )
    assert not problems, "\n".join(problems)


def test_every_term_gets_its_definition_as_tooltip():
    """A page that mentions every term, rendered as on the site."""
    page = collect(
        "\n\n".join(
            f"A sentence about {term} here." for term, _ in entries().values()
        )
    )
    problems = [
        f"tooltip of {term!r}: {page.abbrs.get(term) or 'none'}"
        for term, definition in entries().values()
        if page.abbrs.get(term) != {definition}
    ]
    assert not problems, "\n".join(problems)


@cache
def page_ids(relative: str) -> set[str]:
    return collect((DOCS / relative).read_text(encoding="utf-8")).ids


@pytest.mark.parametrize("page", REFERENCE_PAGES)
def test_links_resolve(page):
    """Every link to a page exists, and so does its anchor, if it has one.

    Links into the API reference are autorefs (``[name][ref.module.name]``),
    which the strict build checks itself; figures are generated at build
    time and checked by the build too, and the PDFs in downloads/ are
    printed from the built site by `make pdf`.
    """
    source = DOCS / page
    problems = []
    for href in collect(source.read_text(encoding="utf-8")).hrefs:
        if re.match(r"[a-z]+:", href) or href.startswith("figures/"):
            continue
        if href.startswith("../downloads/") and href.endswith(".pdf"):
            continue
        path, _, anchor = href.partition("#")
        if not path:
            target = source
        else:
            target = (source.parent / path).resolve()
        if not target.is_file():
            problems.append(f"{href}: no such page")
            continue
        if anchor:
            relative = target.relative_to(DOCS).as_posix()
            if anchor not in page_ids(relative):
                problems.append(f"{href}: no #{anchor} in {relative}")
    assert not problems, f"dead links on {page}:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------
# Conventions and corrected claims
# ---------------------------------------------------------------------------


def test_glossary_headings_hold_no_math():
    """Math stays out of headings (house style): no $...$ or \\(...\\)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    bad = [
        line
        for line in re.findall(r"^#{1,6} .*$", text, re.M)
        if re.search(r"\$|\\\(|\\\[", line)
    ]
    assert not bad, f"math in glossary headings: {bad}"


def _section(section: str) -> str:
    """The tooltip and the glossary body of one entry, as one text."""
    _, definition = entries()[section]
    _, body = glossary_entries()[section]
    return definition + "\n" + body


#: Claims a review found wrong, and the conventions the whole site
#: follows: (entry, pattern, must it occur?, why). The patterns read the
#: Markdown source; each was checked to fail on the text it replaced.
CLAIMS = [
    (
        "he",
        r"mean square",
        True,
        "ReLU halves E[a^2], the mean square, not the variance",
    ),
    (
        "he",
        r"zeroes about half of its inputs",
        False,
        "the reason for the factor two is the halved mean square",
    ),
    (
        "initialization",
        r"\\mathbb\{E\}\[a\^2\]",
        True,
        "Var(z) = n_in Var(W) E[a^2]",
    ),
    (
        "initialization",
        r"\\operatorname\{Var\}\(a\)",
        False,
        "Var(a) is not what the next layer's variance depends on",
    ),
    (
        "perceptron",
        r"^The first artificial neuron",
        False,
        "McCulloch and Pitts' neuron came before the perceptron",
    ),
    (
        "perceptron",
        r"McCulloch",
        True,
        "the perceptron entry names the earlier neuron",
    ),
    (
        "universal-approximation",
        r"non-polynomial",
        True,
        "the theorem needs a non-polynomial activation",
    ),
    (
        "universal-approximation",
        r"bounded",
        True,
        "the theorem holds on a bounded (compact) region",
    ),
    (
        "weight-decay",
        r"half lambda",
        True,
        "the penalty is (lambda / 2) sum W^2",
    ),
    (
        "weight-decay",
        r"2 \\lambda W",
        False,
        "the penalty's gradient is lambda W in this site's convention",
    ),
    (
        "weight-decay",
        r"\\tfrac12 \\lambda \\sum W\^2",
        True,
        "the glossary gives the penalty with its half",
    ),
    (
        "dropout",
        r"probability \$q\$",
        False,
        "dropout's p is the drop probability, as in nn.Dropout(p)",
    ),
    (
        "dropout",
        r"\$1 - p\$",
        True,
        "kept units are divided by the keep probability 1 - p",
    ),
    (
        "adam",
        r"\\hat v",
        False,
        "v is momentum's velocity; Adam's moments are m and s",
    ),
    (
        "adam",
        r"\\hat s",
        True,
        "Adam's second moment is s, as on the optimizers page",
    ),
    (
        "double-descent",
        r"live in that regime",
        False,
        "that language models are past the peak is contested",
    ),
    (
        "double-descent",
        r"contested",
        True,
        "the entry says the claim about language models is contested",
    ),
    (
        "vanishing-gradient",
        r"weight",
        True,
        "each layer's factor is a weight times a slope",
    ),
]


@pytest.mark.parametrize(
    "section, pattern, present, why",
    CLAIMS,
    ids=[f"{c[0]}:{c[1][:24]}" for c in CLAIMS],
)
def test_corrected_claims_stay_corrected(section, pattern, present, why):
    text = _section(section)
    if section == "double-descent":
        # The note on language models sits in the section's own prose.
        whole = GLOSSARY.read_text(encoding="utf-8")
        start = whole.index("## Overfitting and regularization")
        text += whole[start : whole.index("## ", start + 3)]
    found = re.search(pattern, text, re.M) is not None
    assert found == present, (
        f"#{section}: {pattern!r} {'missing' if present else 'found'}: {why}"
    )


def test_no_invented_ranking_of_regularizers():
    text = GLOSSARY.read_text(encoding="utf-8")
    assert "order of preference" not in text


def test_stuck_xor_is_not_called_a_local_minimum():
    """Stuck XOR runs slide down a valley to infinity (see L10)."""
    for path in (GLOSSARY, ABBREVIATIONS):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"local minim", text, re.I), path.name

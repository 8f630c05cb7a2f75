"""Parse a Markdown page into what the docs checker needs.

A page holds three kinds of checked things:

- python fences, run in page order in one namespace;
- output fences (```text title="Output"), each right after a python fence,
  holding exactly what that fence prints;
- numbers in prose, tables, admonitions and headings, each followed by a
  marker: ``<!--= expr -->`` ties it to an expression evaluated after the
  page's code has run, ``<!--given: why-->`` marks it as a given fact.

Everything is located by its line in the page, so every problem can be
reported as ``file:line``.
"""

import bisect
import re
from dataclasses import dataclass, field

import yaml

# --- what the parser produces ------------------------------------------------


@dataclass
class Fence:
    """A fenced code block; `start`/`end` are 1-based lines of the fences."""

    lang: str
    info: str
    start: int
    end: int
    body: str
    body_span: tuple[int, int]  # character offsets of the body in the page
    indent: str

    @property
    def is_python(self):
        return self.lang in ("python", "py", "python3")

    @property
    def title(self):
        return _title(self.info)

    @property
    def is_output(self):
        return self.lang == "text" and _title(self.info) == "Output"

    @property
    def is_listing(self):
        """A python fence that only includes source with `--8<--`."""
        lines = [ln.strip() for ln in self.body.splitlines() if ln.strip()]
        return bool(lines) and all(ln.startswith("--8<--") for ln in lines)


@dataclass
class Number:
    """A number as shown on the page, e.g. '-7.81' or '175,181,291,520'."""

    text: str
    start: int  # character offset in the page
    end: int
    line: int
    marker: "Marker | None" = None
    suffix: str = ""  # what follows: "%", "M", "B", "x", "rd", ...


@dataclass
class Marker:
    """``<!--= expr -->`` (kind 'expr') or ``<!--given-->`` (kind 'given')."""

    kind: str
    expr: str
    start: int
    end: int
    line: int
    numbers: list = field(default_factory=list)


@dataclass
class Formula:
    """A math span: ``$...$``, ``$$...$$``, ``\\(...\\)`` or ``\\[...\\]``."""

    latex: str  # without the delimiters
    start: int
    end: int
    line: int
    display: bool
    marker: "Marker | None" = None


@dataclass
class Page:
    path: str
    text: str
    meta: dict
    fences: list
    numbers: list
    markers: list
    errors: list  # (line, message) found while parsing

    lines: "_LineIndex"  # line <-> offset lookups for `text`
    body_start: int  # offset where the text after the front matter begins
    formulas: list = field(default_factory=list)

    def without_markers(self):
        """The text with every checker marker removed."""
        out, pos = [], 0
        for marker in sorted(self.markers, key=lambda m: m.start):
            out.append(self.text[pos : marker.start])
            pos = marker.end
        out.append(self.text[pos:])
        return "".join(out)


class PageError(Exception):
    """A page that cannot be parsed; carries the line."""

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


# --- patterns ----------------------------------------------------------------

FENCE_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$"
)
TITLE = re.compile(r'title="([^"]*)"')
MARKER = re.compile(r"<!--(?P<body>.*?)-->", re.S)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
MATH = re.compile(
    r"\$\$.+?\$\$|(?<![\\$\w])\$(?=\S)(?:[^$\n]|\n(?![ \t]*\n))+?(?<=\S)"
    r"\$(?![\w$])"
    r"|\\\(.+?\\\)|\\\[.+?\\\]",
    re.S,
)
LINK_TARGET = re.compile(r"\]\([^)]*\)|\]\[[^\]]*\]|\[\^[^\]]*\]")
LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S.*$", re.M)
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
ATTR_LIST = re.compile(r"\{:?\s*[.#][^}\n]*\}|\{:?\s*\w+=[^}\n]*\}")
LIST_ITEM = re.compile(r"^[ \t>]*\d+[.)](?=[ \t])", re.M)
SNIPPET = re.compile(r"^[ \t]*-{1,3}8<-{1,3}.*$", re.M)
ENTITY = re.compile(r"&#?\w+;")

# A number: digits with optional thousands commas, optional decimals and an
# optional exponent. A minus sign in front belongs to it when the sign
# itself follows a space, a bracket or an operator (see `_sign`).
NUMBER = re.compile(
    r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?"
    r"|\d+(?:\.\d+)?(?:[eE][-+\u2212]?\d+)?)"
)
MINUS = "-\u2212"
ORDINALS = {"st", "nd", "rd", "th"}
#: Numbers that are part of a name and claim nothing (documented in
#: CONTRIBUTING.md): the channel 3Blue1Brown, 2D and 3D.
NON_CLAIM = re.compile(r"3Blue1Brown|[23]D\b")
#: Forms a reader would read as a number that the checker cannot read
#: safely: each is rejected with a message that says what to write.
ODD_FORMS = (
    (
        re.compile(r"\.(?<![\w.]\.)\d+"),  # the dot first: a fast scan
        lambda t: (
            f"{t}: write a leading zero (0{t}) so that it is read "
            "and checked as a number"
        ),
    ),
    (
        re.compile("[\u00bc\u00be\u2150-\u215e]"),
        lambda t: (
            f"the fraction {t} cannot be checked: write it as "
            "digits with a marker (or in math)"
        ),
    ),
    (
        re.compile(r"\u2013(?<![^\s(\[=:<>]\u2013)(?=\d)"),
        lambda t: (
            "an en dash before a number reads as a minus: write "
            "\u2212 (or -) for a negative number, or a range as '3 to 5'"
        ),
    ),
)
NAME_DASH = re.compile(r"[A-Za-z][-\u2013]$")
UNIT = re.compile(r"[kKMBTx](?![A-Za-z])")

#: characters allowed between the numbers of one group, e.g. [0.881, 0.060]
GROUP_SEPARATOR = re.compile(r"[\s,/;+\[\]()\-\u2212\u2013\u00d7\u00b7*_]*")
#: characters allowed between a number and its marker, e.g. **0.5**)
TRAILER = re.compile(
    r"(?:[kKMBTx%](?![A-Za-z])|(?:st|nd|rd|th)(?![A-Za-z]))?[\])}%*_\s]*"
)


def _sign(prose, start):
    """True if the character before `start` is a minus sign of the number:
    after a space, a bracket or any symbol (=, \u2248, \u2264, \u00b1 ...), but
    not after a letter, a digit or a closing bracket (x-1, 3-2, (a)-1)."""
    if start == 0 or prose[start - 1] not in MINUS:
        return False
    if start == 1:
        return True
    before = prose[start - 2]
    return not (before.isalnum() or before in ")]}._'\"")


LINK_TITLE = re.compile(r"\]\([^()\s]*\s+(\"[^\"]*\"|'[^']*'|\([^)]*\))\s*\)")


def _check_link_titles(text, prose, lines, errors):
    """A number in a link or image title is shown on hover, unchecked."""
    for m in LINK_TITLE.finditer(prose):
        if re.search(r"\d", m.group(1)):
            errors.append(
                (
                    lines.line(m.start()),
                    f"number in the link title {m.group(1)}: a title "
                    "cannot carry a marker; move the number into the text",
                )
            )


LIST_START = re.compile(r"^([ \t>]*)(\d+)[.)][ \t]", re.M)


def _check_list_starts(text, prose, lines, errors):
    """An ordered list shows its first number: it must be 1."""
    previous_item_end = -1
    for m in LIST_START.finditer(prose):
        line_start = m.start()
        before = prose[previous_item_end + 1 : line_start]
        first = previous_item_end < 0 or _ends_list(before)
        if first and m.group(2) not in ("1", "0"):
            errors.append(
                (
                    lines.line(line_start),
                    f"an ordered list that starts at {m.group(2)} shows "
                    f"{m.group(2)} to the reader, unchecked: start it at "
                    "1, or write the number in the text with a marker",
                )
            )
        previous_item_end = prose.find("\n", m.end())
        if previous_item_end < 0:
            break


def _ends_list(between):
    """True if the text between two list items ends the first list."""
    lines_between = between.split("\n")
    for ln in lines_between:
        if ln.strip() and not ln.startswith((" ", "\t")):
            return True  # an unindented paragraph between them
    return False


def _title(info):
    m = TITLE.search(info)
    return m.group(1) if m else None


# --- parsing -----------------------------------------------------------------


def parse(path, text):
    """Parse page `text` (read from `path`) into a `Page`."""
    errors = []
    meta, body_start = _front_matter(path, text)
    fences = _fences(text, body_start)
    lines = _LineIndex(text)

    # Blank out (keeping newlines, so offsets and lines stay put) all that
    # is not prose, in order: front matter, fences, code spans, markers,
    # math, then link targets, HTML, attribute lists and the like.
    spans = [(0, body_start)] + [
        (lines.offset(f.start), lines.offset(f.end + 1)) for f in fences
    ]
    prose = _blank_spans(text, spans)
    _check_plain_fences(fences, errors, text)
    _check_code_width(fences, errors)
    code_spans = []
    for m in CODE_SPAN.finditer(prose):
        code_spans.append(m.span())
        if re.search(r"\d[%*)\]]*<!--\s*(?:=|%|given)", m.group()):
            errors.append(
                (
                    lines.line(m.start()),
                    "a marker inside a code span is shown literally and "
                    "checks nothing: move the number and its marker out "
                    "of the backticks (or show the example in a fence)",
                )
            )
    _check_hidden_fences(fences, prose, lines, errors)
    # Each pattern is scanned once; its matches are then blanked.
    prose = _blank_spans(prose, code_spans)
    markers, spans = [], []
    for m in MARKER.finditer(prose):
        spans.append(m.span())
        marker = _marker(m, text, lines)
        if marker is not None:
            markers.append(marker)
    prose = _blank_spans(prose, spans)
    formulas, spans = [], []
    for m in MATH.finditer(prose):
        spans.append(m.span())
        _check_math(text, m, errors, lines)
        formulas.append(_formula(m, lines))
    prose = _blank_spans(prose, spans)
    _check_link_titles(text, prose, lines, errors)
    _check_list_starts(text, prose, lines, errors)
    for pattern in (
        LINK_TARGET,
        LINK_DEF,
        HTML_TAG,
        ATTR_LIST,
        LIST_ITEM,
        SNIPPET,
        ENTITY,
    ):
        prose = pattern.sub(_blank, prose)

    for pattern, message in ODD_FORMS:
        for m in pattern.finditer(prose):
            errors.append((lines.line(m.start()), message(m.group())))
    numbers = []
    for m in NUMBER.finditer(prose):
        start = m.start()
        if NAME_DASH.search(prose[max(0, start - 2) : start]):
            continue  # the 3 of GPT-3, the 4 of BP1-BP4
        after = prose[m.end() : m.end() + 12]
        glued = re.match(r"[A-Za-z]+", after)
        suffix = ""
        if glued:
            word = glued.group()
            if UNIT.match(after):
                suffix = after[0]
            elif word in ORDINALS:
                suffix = word
            elif NON_CLAIM.match(prose, start):
                continue
            else:
                errors.append(
                    (
                        lines.line(start),
                        f"number {m.group()} is glued to '{word}': write "
                        "a space between a number and its unit, or spell "
                        "a name out (see NON_CLAIMS in doccheck.page)",
                    )
                )
                continue
        elif re.match(r"[ \t]?%", after):
            suffix = "%"
        if _sign(prose, start):
            start -= 1
        numbers.append(
            Number(
                prose[start : m.end()],
                start,
                m.end(),
                lines.line(start),
                suffix=suffix,
            )
        )

    page = Page(
        path,
        text,
        meta,
        fences,
        numbers,
        markers,
        errors,
        lines,
        body_start,
        formulas,
    )
    _attach(page, prose)
    _attach_formulas(page)
    return page


def _formula(m, lines):
    raw = m.group()
    if raw.startswith("$$"):
        latex, display = raw[2:-2], True
    elif raw.startswith("\\["):
        latex, display = raw[2:-2], True
    elif raw.startswith("\\("):
        latex, display = raw[2:-2], False
    else:
        latex, display = raw[1:-1], False
    return Formula(latex, m.start(), m.end(), lines.line(m.start()), display)


#: What may stand between a formula and its marker: $x$**,<!--% -->
FORMULA_TRAILER = re.compile(r"[\s.,;:)*_]*")


def _attach_formulas(page):
    """Give each formula marker the math span right before it."""
    for marker in page.markers:
        if marker.kind != "formula":
            continue
        before = [f for f in page.formulas if f.end <= marker.start]
        if (
            not before
            or not FORMULA_TRAILER.fullmatch(
                page.text[before[-1].end : marker.start]
            )
            or before[-1].marker is not None
        ):
            page.errors.append(
                (
                    marker.line,
                    f"formula marker <!--% {marker.expr} --> does not "
                    "follow a formula ($...$ or $$...$$)",
                )
            )
            continue
        before[-1].marker = marker


class _LineIndex:
    """Line numbers of offsets, and offsets of lines, by binary search."""

    def __init__(self, text):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.length = len(text)

    def line(self, offset):
        """1-based line of the character at `offset`."""
        return bisect.bisect_right(self.starts, offset)

    def offset(self, line):
        """Offset of the start of 1-based `line` (or the end of the text)."""
        if line - 1 < len(self.starts):
            return self.starts[line - 1]
        return self.length


NON_NEWLINE = re.compile(r"[^\n]")


def _blank(m):
    return NON_NEWLINE.sub(" ", m.group())


def _blank_spans(text, spans):
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            start = pos
        out.append(text[pos:start])
        out.append(NON_NEWLINE.sub(" ", text[start:end]))
        pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)


def _front_matter(path, text):
    bom = 1 if text.startswith("\ufeff") else 0
    if not text.startswith("---\n", bom):
        return {}, 0
    if text.startswith("---\n", bom + 4):
        return {}, bom + 8  # empty front matter
    end = text.find("\n---\n", bom + 3)
    if end < 0:
        if text.endswith("\n---") and len(text) > bom + 4:
            end = len(text) - 4
        else:
            raise PageError(
                1, "front matter opened with '---' is never closed"
            )
    try:
        meta = yaml.safe_load(text[bom + 4 : end]) or {}
    except yaml.YAMLError as exc:
        line = 1
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 2
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise PageError(
            line, f"front matter is not valid YAML: {problem}"
        ) from None
    if not isinstance(meta, dict):
        raise PageError(1, "front matter must be a mapping")
    _check_options(meta, text)
    return meta, min(end + 5, len(text))


#: The keys a page may set under `doccheck:` in its front matter.
OPTIONS = {
    "setup": "python code run before the page's fences (a string)",
    "requires": "a list of modules the page needs, e.g. [torch]",
    "timeout": "seconds the page may run (a number)",
    "formulas": "'required': every stating formula needs a marker",
}


def _check_options(meta, text):
    own = meta.get("doccheck")
    if own is None:
        return
    line = _key_line(text, "doccheck")
    if not isinstance(own, dict):
        raise PageError(
            line,
            f"'doccheck:' must be a mapping of {', '.join(OPTIONS)}, got "
            f"{type(own).__name__} {own!r:.40}",
        )
    for key, value in own.items():
        where = _key_line(text, str(key))
        if key not in OPTIONS:
            raise PageError(
                where,
                f"unknown option doccheck: {key}; the options are "
                f"{', '.join(OPTIONS)}",
            )
        ok = {
            "setup": isinstance(value, str),
            "requires": isinstance(value, list)
            and all(isinstance(v, str) for v in value),
            "timeout": isinstance(value, int | float)
            and not isinstance(value, bool)
            and 0 < value <= 3600,
            "formulas": value == "required",
        }[key]
        if not ok:
            raise PageError(
                where,
                f"doccheck: {key}: {value!r:.40} is not valid: it must be "
                f"{OPTIONS[key]}",
            )


def _key_line(text, key):
    m = re.search(rf"^[ \t]*{re.escape(key)}:", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _fences(text, body_start):
    """Find every fenced block, at any indentation (admonitions, tabs)."""
    lines = text.splitlines(keepends=True)
    fences = []
    offset = 0
    first = text.count("\n", 0, body_start)
    i = 0
    offsets = []
    for ln in lines:
        offsets.append(offset)
        offset += len(ln)
    while i < len(lines):
        if i < first:
            i += 1
            continue
        m = FENCE_OPEN.match(lines[i].rstrip("\n"))
        if not m or (m.group("fence")[0] == "`" and "`" in m.group("info")):
            i += 1
            continue
        indent, fence = m.group("indent"), m.group("fence")
        info = m.group("info").strip()
        close = re.compile(
            r"^[ \t]*"
            + re.escape(fence[0])
            + "{"
            + str(len(fence))
            + r",}\s*$"
        )
        j = i + 1
        while j < len(lines) and not close.match(lines[j].rstrip("\n")):
            j += 1
        if j == len(lines):
            raise PageError(i + 1, f"fence {fence}{info} is never closed")
        body_lines = [_dedent(ln, indent) for ln in lines[i + 1 : j]]
        lang = _lang(info)
        fences.append(
            Fence(
                lang=lang,
                info=info,
                start=i + 1,
                end=j + 1,
                body="".join(body_lines),
                body_span=(
                    offsets[i + 1] if i + 1 < len(lines) else offset,
                    offsets[j],
                ),
                indent=indent,
            )
        )
        i = j + 1
    return fences


HTML_COMMENT = re.compile(r"<!--(?!\s*(?:=|%|given\b)).*?-->", re.S)


def _check_hidden_fences(fences, prose, lines, errors):
    """A fence inside an HTML comment runs but the reader never sees it."""
    spans = [(m.start(), m.end()) for m in HTML_COMMENT.finditer(prose)]
    for f in fences:
        at = lines.offset(f.start)
        if any(a <= at < b for a, b in spans):
            errors.append(
                (
                    f.start,
                    "this fence is inside an HTML comment: the reader "
                    "never sees it, so it must not set values the page "
                    "checks; show the code, or delete it",
                )
            )


def _dedent(line, indent):
    n = 0
    while n < len(indent) and n < len(line) and line[n] in " \t":
        n += 1
    return line[n:]


#: Fence languages that are shown, not run: examples of other tools.
SHOWN_LANGUAGES = {
    "bash",
    "sh",
    "shell",
    "yaml",
    "yml",
    "toml",
    "json",
    "markdown",
    "md",
    "html",
    "css",
    "javascript",
    "js",
    "latex",
    "tex",
    "diff",
    "ini",
    "make",
    "makefile",
    "dockerfile",
}
#: Fences that look like checked code or output but would not be compared.
SESSIONS = {"console", "pycon", "python-repl", "ipython", "ipython3", "repl"}
PYTHON_ALIASES = ("python", "py", "python3")


def _lang(info):
    """The language of a fence: ```python, ``` python, ```{.python ...}."""
    if not info:
        return ""
    if info.startswith("{"):
        m = re.match(r"\{\s*\.?([\w+-]+)", info)
        return m.group(1).lower() if m else "{"
    return info.split()[0].lower()


def _check_plain_fences(fences, errors, text=""):
    """Text fences hold output, and an output must follow python code.

    Every language is run (python), compared (text title="Output"),
    shown (SHOWN_LANGUAGES) or rejected: nothing is silently ignored.
    """
    for f in fences:
        title = _title(f.info)
        if f.lang in SESSIONS:
            errors.append(
                (
                    f.start,
                    f"a ```{f.lang} block shows a session whose output is "
                    "not compared: write a ```python fence and a "
                    '```text title="Output" block after it',
                )
            )
        elif title == "Output" and f.lang != "text":
            errors.append(
                (
                    f.start,
                    f"a ```{f.lang or '(no language)'} block titled "
                    "Output is not compared: an output block is "
                    '```text title="Output"',
                )
            )
        elif (
            f.lang
            and f.lang not in PYTHON_ALIASES
            and f.lang not in SHOWN_LANGUAGES
            and f.lang not in ("text", "txt")
        ):
            errors.append(
                (
                    f.start,
                    f"fence language {f.lang!r} is neither run nor shown "
                    "as a known example: use python (run), text "
                    'title="Output", or one of '
                    + ", ".join(sorted(SHOWN_LANGUAGES)),
                )
            )
    previous = None
    for f in fences:
        if f.is_output:
            between = (
                text.splitlines()[previous.end : f.start - 1]
                if (previous is not None and text)
                else []
            )
            if (
                previous is None
                or not previous.is_python
                or previous.is_listing
                or any(ln.strip() for ln in between)
            ):
                errors.append(
                    (
                        f.start,
                        "output block has no python fence right before it",
                    )
                )
        elif f.lang in ("", "text", "txt"):
            errors.append(
                (
                    f.start,
                    "a text fence must be the output of the "
                    "python fence before it: write ```text "
                    'title="Output" (or give the fence a language)',
                )
            )
        previous = f


#: Longest code line: wider code scrolls sideways on a phone and in print.
CODE_WIDTH = 79


def _check_code_width(fences, errors):
    for f in fences:
        if not f.is_python or f.is_listing:
            continue
        for i, line in enumerate(f.body.splitlines()):
            if len(line) > CODE_WIDTH:
                errors.append(
                    (
                        f.start + 1 + i,
                        f"code line is {len(line)} "
                        f"characters long; keep it within "
                        f"{CODE_WIDTH} so that it does not scroll "
                        "sideways on a phone or in print",
                    )
                )


def _marker(m, text, lines):
    body = m.group("body").strip()
    line = lines.line(m.start())
    if body.startswith("="):
        return Marker("expr", body[1:].strip(), m.start(), m.end(), line)
    if body.startswith("%"):
        return Marker("formula", body[1:].strip(), m.start(), m.end(), line)
    if body == "given" or body.startswith("given:"):
        return Marker("given", body[6:].strip(), m.start(), m.end(), line)
    return None  # an ordinary HTML comment


def _check_math(text, m, errors, lines):
    """Math holds formulas; example values belong in checked prose."""
    for n in re.finditer(r"\d+(?:\.\d+)?", m.group()):
        if "." in n.group() or len(n.group()) > 2:
            line = lines.line(m.start() + n.start())
            errors.append(
                (
                    line,
                    f"number {n.group()} inside math cannot be "
                    "checked: keep math to symbols and small integer "
                    "constants, and write the value in prose with a "
                    "marker",
                )
            )


def _attach(page, prose):
    """Give each marker the number(s) right before it."""
    numbers = page.numbers
    for marker in page.markers:
        if marker.kind == "formula":
            continue
        # The last number that ends before the marker ...
        before = [n for n in numbers if n.end <= marker.start]
        if not before or not TRAILER.fullmatch(
            prose[before[-1].end : marker.start]
        ):
            page.errors.append(
                (
                    marker.line,
                    "marker <!--"
                    f"{'=' if marker.kind == 'expr' else ''}"
                    f"{marker.expr or 'given'}--> does not "
                    "follow a number",
                )
            )
            continue
        # ... and the numbers of its group, in page order.
        group = [before[-1]]
        for n in reversed(before[:-1]):
            if n.marker or not GROUP_SEPARATOR.fullmatch(
                prose[n.end : group[0].start]
            ):
                break
            group.insert(0, n)
        marker.numbers = group


def own_numbers(marker, count):
    """The last `count` numbers of the marker's group."""
    return marker.numbers[-count:] if count else []

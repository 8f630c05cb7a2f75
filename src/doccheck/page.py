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
NAME_DASH = re.compile(r"[A-Za-z][-\u2013]$")
UNIT = re.compile(r"[KMBTx](?![A-Za-z])")

#: characters allowed between the numbers of one group, e.g. [0.881, 0.060]
GROUP_SEPARATOR = re.compile(r"[\s,/;+\[\]()\-\u2212\u2013\u00d7\u00b7*_]*")
#: characters allowed between a number and its marker, e.g. **0.5**)
TRAILER = re.compile(r"(?:[KMBTx%](?![A-Za-z]))?[\])}%*_\s]*")


def _sign(prose, start):
    """True if the character before `start` is a minus sign of the number."""
    if start == 0 or prose[start - 1] not in MINUS:
        return False
    return start == 1 or prose[start - 2] in " \t\n([=:/<>|*~,"


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
    _check_plain_fences(fences, errors)
    _check_code_width(fences, errors)
    prose = CODE_SPAN.sub(_blank, prose)
    markers = []
    for m in MARKER.finditer(prose):
        marker = _marker(m, text, lines)
        if marker is not None:
            markers.append(marker)
    prose = MARKER.sub(_blank, prose)
    for m in MATH.finditer(prose):
        _check_math(text, m, errors, lines)
    prose = MATH.sub(_blank, prose)
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

    numbers = []
    for m in NUMBER.finditer(prose):
        start = m.start()
        if NAME_DASH.search(prose[max(0, start - 2) : start]):
            continue  # the 3 of GPT-3, the 4 of BP1-BP4
        after = prose[m.end() : m.end() + 2]
        if after[:1].isalpha() and not UNIT.match(after):
            continue  # 2D, 3rd
        if _sign(prose, start):
            start -= 1
        numbers.append(
            Number(prose[start : m.end()], start, m.end(), lines.line(start))
        )

    page = Page(
        path, text, meta, fences, numbers, markers, errors, lines, body_start
    )
    _attach(page, prose)
    return page


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
    if not text.startswith("---\n"):
        return {}, 0
    end = text.find("\n---\n", 4)
    if end < 0:
        raise PageError(1, "front matter opened with '---' is never closed")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise PageError(1, f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise PageError(1, "front matter must be a mapping")
    return meta, end + 5


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
        lang = info.split()[0].lstrip("{.").lower() if info else ""
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


def _dedent(line, indent):
    n = 0
    while n < len(indent) and n < len(line) and line[n] in " \t":
        n += 1
    return line[n:]


def _check_plain_fences(fences, errors):
    """Text fences hold output, and an output must follow python code."""
    previous = None
    for f in fences:
        if f.is_output:
            if (
                previous is None
                or not previous.is_python
                or previous.is_listing
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

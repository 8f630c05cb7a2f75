"""The printable pages, printed: one sheet each, legible, with the numbers.

The cheatsheet and "Seeing it whole" promise to print on one sheet of A4
and of US Letter. Each is printed to PDF by headless Chromium (Debian's,
as in ``browser_support``) from the site built once with
``mkdocs build --strict``, then read back with poppler:

- ``pdfinfo`` counts the pages: exactly one.
- ``pdftotext`` extracts the text: it holds the checked numbers, computed
  here from ``ref`` (not typed), and none of the site's header, navigation
  or footer.
- The smallest font size is read from the PDF's own drawing instructions
  (see `text_runs`): poppler's tools give no font sizes (``pdffonts``) or
  round them to a third of a point (``pdftohtml -xml``), and Chromium may
  shrink a page that is too wide to fit, which only the PDF shows. Every
  glyph must be at least 7 pt.
- Printed in dark mode, every glyph must still be dark on the paper.

The PDFs are kept in ``artifacts/print/`` (not committed), for people to
look at and for the site's download links.
"""

from __future__ import annotations

import math
import re
import subprocess
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from browser_support import REPO, SitePage

PRINTS = REPO / "artifacts" / "print"
#: The one-sheet pages: name -> path below the site root.
SHEETS = {"cheatsheet": "cheatsheet/", "seeing-it-whole": "seeing-it-whole/"}
FORMATS = ("A4", "Letter")
MIN_PT = 7.0
#: Text of the site's chrome; none of it may be on a printed sheet.
CHROME = (
    "Neural networks, proven by code",  # header and navigation title
    "Table of contents",  # the table of contents
    "Previous",  # footer navigation
    "Text and code of this site are released",  # footer copyright
    "Print this page",  # the print button
)


def checked_numbers() -> dict[str, list[str]]:
    """Numbers each sheet must show, as the sheet prints them, from ref."""
    from ref.activations import sigmoid
    from ref.backprop import init_normal
    from ref.descent import descend, f_prime
    from ref.examples import (
        COLD_T,
        DESCENT_ETA,
        DESCENT_STEPS,
        DESCENT_W0,
        DIGIT_OUTPUT,
        DIGIT_SIZES,
        DIGIT_TARGET,
        LOGITS,
        MSE_Y,
        MSE_Y_HAT,
        SIGMOID_Z,
    )
    from ref.losses import mse, sse
    from ref.neuron import AND, gate
    from ref.sampling import softmax_with_temperature

    params = init_normal(DIGIT_SIZES, np.random.default_rng(0))
    knobs = sum(W.size + b.size for W, b in params)
    desired = np.eye(DIGIT_SIZES[-1])[DIGIT_TARGET]
    w_last = descend(f_prime, DESCENT_W0, DESCENT_ETA, DESCENT_STEPS)[-1]
    return {
        "cheatsheet": [
            repr(float(sigmoid(SIGMOID_Z))),
            f"{gate(AND, [1.0, 1.0]):.4f}",
            f"{mse(MSE_Y_HAT, MSE_Y):.4f}",
            f"{w_last:.4f}",
            f"{softmax_with_temperature(LOGITS, COLD_T)[0]:.3f}",
        ],
        "seeing-it-whole": [
            f"{knobs:,}",
            f"{sse(DIGIT_OUTPUT, desired):.4f}",
        ],
    }


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------


def print_pdf(
    context, site_url: str, path: str, fmt: str, out: Path, mode: str = "light"
) -> Path:
    """Print the page at `path` to `out` as a reader's browser would."""
    sp = SitePage.open(context, site_url)
    try:
        sp.goto(path, mode=mode)
        out.parent.mkdir(parents=True, exist_ok=True)
        sp.page.pdf(
            path=str(out),
            format=fmt,
            print_background=True,
            prefer_css_page_size=False,
        )
        problems = sp.problems()
    finally:
        sp.close()
    assert not problems, f"problems on /{path}:\n" + "\n".join(problems)
    return out


@pytest.fixture(scope="module")
def sheets(mode_contexts, site_url) -> dict[tuple[str, str], Path]:
    """Every sheet in every format, printed once: {(name, format): pdf}."""
    return {
        (name, fmt): print_pdf(
            mode_contexts["light"],
            site_url,
            path,
            fmt,
            PRINTS / f"{name}-{fmt.lower()}.pdf",
        )
        for name, path in SHEETS.items()
        for fmt in FORMATS
    }


def poppler(tool: str, *args: str) -> str:
    proc = subprocess.run(
        [tool, *args], capture_output=True, text=True, check=True
    )
    return proc.stdout


def page_count(pdf: Path) -> int:
    info = poppler("pdfinfo", str(pdf))
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))


def page_text(pdf: Path) -> str:
    return poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-")


# ---------------------------------------------------------------------------
# Font sizes and colours, from the PDF's content streams
# ---------------------------------------------------------------------------

_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_TOKEN = re.compile(
    rb"""(?P<space>\s+|%[^\r\n]*)
    |(?P<num>[+-]?(?:\d+\.?\d*|\.\d+))
    |(?P<name>/[^\s/\[\]()<>{}%]*)
    |(?P<dict><<|>>)
    |(?P<hex><[0-9A-Fa-f\s]*>)
    |(?P<str>\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\))
    |(?P<open>\[)|(?P<close>\])
    |(?P<op>[A-Za-z'"][A-Za-z0-9*'"]*)""",
    re.X | re.S,
)


@dataclass(frozen=True)
class TextRun:
    """One text-showing operation: its font size in points, its fill."""

    size: float
    fill: tuple[float, float, float]


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """{number: (dictionary, decoded stream or None)} of a PDF file."""
    objects = {}
    for m in _OBJ.finditer(data):
        end = data.find(b"endobj", m.end())
        body = data[m.end() : end]
        stream = None
        s = re.search(rb">>\s*stream\r?\n", body)
        if s:
            head = body[: s.start() + 2]
            length = re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", head)
            start = m.end() + s.end()
            if length:
                raw = data[start : start + int(length.group(1))]
            else:  # an indirect /Length: fall back to the end marker
                raw = data[start : data.find(b"endstream", start)]
            if b"/FlateDecode" in head:
                raw = zlib.decompress(raw)
            body, stream = head, raw
        objects[int(m.group(1))] = (body, stream)
    return objects


def _xobjects(resources: bytes, objects) -> dict[bytes, int]:
    """{name: object number} of the XObjects in a resources dictionary."""
    ref = re.fullmatch(rb"\s*(\d+)\s+\d+\s+R\s*", resources)
    if ref:
        resources = objects[int(ref.group(1))][0]
    m = re.search(rb"/XObject\s*<<(.*?)>>", resources, re.S)
    if not m:
        return {}
    return {
        name: int(num)
        for name, num in re.findall(rb"/([^\s/]+)\s+(\d+)\s+\d+\s+R", m[1])
    }


def _resources(dictionary: bytes) -> bytes:
    m = re.search(rb"/Resources\s*(\d+\s+\d+\s+R|<<.*>>)", dictionary, re.S)
    return m.group(1) if m else b""


def _multiply(a, b):
    """The affine matrix a then b, each as [a, b, c, d, e, f]."""
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _operations(content: bytes):
    """(operator, operands) for each operator of a content stream."""
    operands, arrays = [], []
    for m in _TOKEN.finditer(content):
        kind, text = m.lastgroup, m.group()
        if kind in ("space", "dict"):
            continue
        if kind == "open":
            arrays.append([])
            continue
        if kind == "close":
            value = arrays.pop()
        elif kind == "op":
            if arrays:  # e.g. a stray keyword inside an array
                arrays[-1].append(text)
                continue
            yield text.decode("latin-1"), operands
            operands = []
            continue
        elif kind == "num":
            value = float(text)
        else:
            value = text
        (arrays[-1] if arrays else operands).append(value)


def _run(content, ctm, resources, objects, runs, depth=0):
    """Interpret one content stream; append a TextRun per text shown."""
    if depth > 10:
        raise ValueError("XObjects nested more than 10 deep")
    stack, fill = [], (0.0, 0.0, 0.0)
    size, tm = 0.0, [1, 0, 0, 1, 0, 0]
    xobjects = _xobjects(resources, objects)
    for op, args in _operations(content):
        if op == "q":
            stack.append((ctm, fill))
        elif op == "Q":
            ctm, fill = stack.pop()
        elif op == "cm":
            ctm = _multiply(args, ctm)
        elif op == "BT":
            tm = [1, 0, 0, 1, 0, 0]
        elif op == "Tf":
            size = args[1]
        elif op == "Tm":
            tm = list(args)
        elif op == "rg":
            fill = tuple(args)
        elif op == "g":
            fill = (args[0],) * 3
        elif op in ("Tj", "TJ", "'", '"'):
            m = _multiply(tm, ctm)
            scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
            runs.append(TextRun(round(size * scale, 3), fill))
        elif op == "Do":
            number = xobjects.get(args[0][1:])
            if number is None:
                continue
            head, stream = objects[number]
            if b"/Form" not in head or stream is None:
                continue  # an image
            matrix = re.search(rb"/Matrix\s*\[([^\]]*)\]", head)
            form = [1, 0, 0, 1, 0, 0]
            if matrix:
                form = [float(v) for v in matrix.group(1).split()]
            _run(
                stream,
                _multiply(form, ctm),
                _resources(head),
                objects,
                runs,
                depth + 1,
            )


def text_runs(pdf: Path) -> list[TextRun]:
    """Every text-showing operation of every page, with its size and fill.

    The size of a glyph on paper is the size set by ``Tf`` scaled by the
    text matrix and by every transformation in force (``cm``, including
    those of the form XObjects it is drawn in). Chromium draws in CSS
    pixels under a scaling transformation, so this is the only place where
    the size in points, after any shrinking to fit, can be read exactly.
    """
    objects = _objects(pdf.read_bytes())
    runs = []
    for head, _ in objects.values():
        if not re.search(rb"/Type\s*/Page\b", head):
            continue
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)", head)
        numbers = re.findall(rb"(\d+)\s+\d+\s+R", contents.group(1))
        content = b"\n".join(objects[int(n)][1] for n in numbers)
        _run(content, [1, 0, 0, 1, 0, 0], _resources(head), objects, runs)
    return runs


def describe_sizes(runs: list[TextRun]) -> str:
    counts = Counter(run.size for run in runs)
    return ", ".join(
        f"{size:.2f} pt x {n}" for size, n in sorted(counts.items())
    )


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------

SHEET_PARAMS = [
    pytest.param(name, fmt, id=f"{name}-{fmt}")
    for name in SHEETS
    for fmt in FORMATS
]


@pytest.mark.browser
@pytest.mark.parametrize(("name", "fmt"), SHEET_PARAMS)
def test_one_sheet(name, fmt, sheets):
    pdf = sheets[name, fmt]
    pages = page_count(pdf)
    assert pages == 1, (
        f"/{SHEETS[name]} prints on {pages} pages of {fmt}, not one: see {pdf}"
    )


@pytest.mark.browser
@pytest.mark.parametrize(("name", "fmt"), SHEET_PARAMS)
def test_smallest_type(name, fmt, sheets):
    runs = text_runs(sheets[name, fmt])
    assert runs, f"no text found in {sheets[name, fmt]}"
    smallest = min(run.size for run in runs)
    assert smallest >= MIN_PT, (
        f"/{SHEETS[name]} on {fmt} uses {smallest:.2f} pt type, below "
        f"{MIN_PT} pt; sizes used: {describe_sizes(runs)}"
    )


@pytest.mark.browser
@pytest.mark.parametrize(("name", "fmt"), SHEET_PARAMS)
def test_numbers_and_no_chrome(name, fmt, sheets):
    text = page_text(sheets[name, fmt])
    flat = " ".join(text.split())
    missing = [n for n in checked_numbers()[name] if n not in flat]
    assert not missing, (
        f"/{SHEETS[name]} printed on {fmt} lacks {missing}; its text:\n{text}"
    )
    chrome = [c for c in CHROME if c in flat]
    assert not chrome, (
        f"/{SHEETS[name]} printed on {fmt} shows site chrome {chrome}"
    )


def _luminance(rgb):
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.browser
@pytest.mark.parametrize("name", list(SHEETS))
def test_dark_mode_prints_dark_on_white(
    name, mode_contexts, site_url, tmp_path
):
    pdf = print_pdf(
        mode_contexts["dark"],
        site_url,
        SHEETS[name],
        "A4",
        tmp_path / f"{name}-dark.pdf",
        mode="dark",
    )
    assert page_count(pdf) == 1, f"in dark mode /{SHEETS[name]} spills over"
    pale = Counter(
        run.fill for run in text_runs(pdf) if _luminance(run.fill) > 0.5
    )
    assert not pale, (
        f"/{SHEETS[name]} printed from dark mode has light text "
        f"(fill colour: glyph runs): {dict(pale)}"
    )


def body_size(pdf: Path) -> float:
    """The size most of the text is set in."""
    return Counter(run.size for run in text_runs(pdf)).most_common(1)[0][0]


@pytest.mark.browser
def test_other_pages_print_at_normal_size(
    sheets, mode_contexts, site_url, tmp_path
):
    """The shrinking is scoped to the sheets: a lesson prints as usual."""
    pdf = print_pdf(
        mode_contexts["light"],
        site_url,
        "lessons/l01-sigmoid-neuron/",
        "A4",
        tmp_path / "lesson.pdf",
    )
    lesson = body_size(pdf)
    sheet = body_size(sheets["cheatsheet", "A4"])
    assert lesson >= 9.5 > sheet, (
        f"a lesson prints its text at {lesson:.2f} pt and the cheatsheet at "
        f"{sheet:.2f} pt: the cheatsheet's small type must stay on it"
    )


# ---------------------------------------------------------------------------
# The whole course as one PDF (scripts/course_pdf.py, make pdf)
# ---------------------------------------------------------------------------


@pytest.mark.browser
def test_whole_course_pdf(site_build, chromium, tmp_path):
    """Every nav page in order, page numbers, links inside the PDF."""
    import shutil
    import sys

    from browser_support import require_build

    sys.path.insert(0, str(REPO / "scripts"))
    import course_pdf

    # Printed from a copy: the helper page must not appear in the site.
    site = tmp_path / "site"
    shutil.copytree(require_build(site_build), site)
    PRINTS.mkdir(parents=True, exist_ok=True)
    pdf = course_pdf.print_course(
        site, PRINTS / "course.pdf", browser=chromium
    )
    pages = page_count(pdf)
    text = page_text(pdf)
    nav = course_pdf.nav_pages()
    assert pages >= len(nav), f"{pages} sheets for {len(nav)} pages"
    # Each page's title, each after the one before it (nav order).
    flat = " ".join(text.split())
    at, missing = 0, []
    for page in nav:
        html_text = (site / page / "index.html").read_text(encoding="utf-8")
        m = re.search(r"<h1[^>]*>(.*?)(?:<a class=|</h1>)", html_text, re.S)
        title = " ".join(re.sub(r"<[^>]+>", "", m[1]).split())
        found = flat.find(title, at)
        if found < 0:
            missing.append(title)
        else:
            at = found + 1
    assert not missing, f"titles missing or out of nav order: {missing}"
    # Page numbers in the footer, and links inside the document.
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text
    links = len(re.findall(rb"/Dest\s*[\[/(<]", pdf.read_bytes()))
    assert links >= 100, f"only {links} links inside the PDF"

"""Notebooks made from the site's sources, and a fast in-process runner.

- `page_to_notebook` turns a lesson page into a Jupyter notebook: prose
  becomes Markdown cells (checker markers removed), each python fence a
  code cell whose output is the page's checked output block.
- `lab_notebook` reads a lab (a percent-format .py file) with jupytext and
  runs it in this process: no kernel start-up, so the labs can be run on
  every build in well under a second each.

The MkDocs hook ``hooks/notebooks.py`` uses both at build time; the tests
run the same functions (and the lesson notebooks in a real kernel).
"""

import contextlib
import io
import re
import warnings
from pathlib import Path

import nbformat
from nbformat import v4

from doccheck.page import parse

ROOT = Path(__file__).resolve().parents[2]
KERNELSPEC = {
    "name": "python3",
    "display_name": "Python 3",
    "language": "python",
}

# --- lesson pages -> notebooks ---

ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?) *(\w+)(?: +"(.*)")?\s*$')
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
SNIPPET = re.compile(r'^\s*-{1,3}8<-{1,3}\s+"([^"]+)"\s*$')


def page_to_notebook(path, text):
    """A notebook with the page's prose, code and checked outputs."""
    page = parse(path, parse(path, text).without_markers())
    text = page.text
    cells = []
    pos = page.body_start
    skip_output = False
    for fence in page.fences:
        start = page.lines.offset(fence.start)
        end = page.lines.offset(fence.end + 1)
        prose = text[pos:start]
        if fence.is_output and skip_output:
            cells[-1].outputs = [
                v4.new_output("stream", name="stdout", text=fence.body)
            ]
            skip_output = False
            pos = end
            continue
        _add_markdown(cells, prose)
        if fence.is_python and not fence.is_listing:
            cells.append(v4.new_code_cell(fence.body.rstrip("\n")))
            skip_output = True
        else:
            body = _resolve_listing(fence) if fence.is_listing else fence.body
            lang = fence.lang if fence.lang not in ("", "text") else ""
            _add_markdown(cells, f"```{lang}\n{body}```\n")
            skip_output = False
        pos = end
    _add_markdown(cells, text[pos:])
    nb = v4.new_notebook(cells=_numbered(cells))
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def page_notebook_cache():
    """The build cache's folder of lesson notebooks: its key covers this
    module, the checker (whose parser reads the page) and nbformat."""
    from sitecache import folder

    return folder(
        "notebooks",
        "src/sitenotebooks",
        "src/doccheck",
        common=(),
        libraries=("nbformat",),
    )


def cached_page_notebook(path, text, cache=None):
    """`page_to_notebook(path, text)` as JSON text, from the build cache
    (`cache`, by default `page_notebook_cache()`), one entry per version
    of the page and of the files its listings include."""
    from sitecache import cached_version

    parts = [text.encode()]
    for line in text.splitlines():
        m = SNIPPET.match(line)
        if m:
            target = ROOT / m.group(1).partition(":")[0]
            parts.append(target.read_bytes() if target.is_file() else b"")
    data = cached_version(
        cache or page_notebook_cache(),
        path,
        ".ipynb",
        parts,
        lambda: nbformat.writes(page_to_notebook(path, text)).encode(),
    )
    return data.decode("utf-8")


def _numbered(cells):
    """Give cells ids from their position (nbformat's are random), so the
    same page always makes the same file."""
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i + 1}"
    return cells


def _add_markdown(cells, prose):
    prose = _admonitions(prose)
    prose = IMAGE.sub(_image, prose)
    prose = re.sub(r"\n{3,}", "\n\n", prose).strip("\n")
    if prose.strip():
        cells.append(v4.new_markdown_cell(prose))


def _admonitions(prose):
    """Material's '!!! note "Title"' blocks as Markdown block quotes."""
    out, inside = [], False
    for line in prose.splitlines():
        m = ADMONITION.match(line)
        if m:
            title = m.group(2) or m.group(1).capitalize()
            out.append(f"> **{title}**")
            out.append(">")
            inside = True
        elif inside and (line.startswith("    ") or not line.strip()):
            out.append("> " + line[4:] if line.strip() else ">")
        else:
            inside = False
            out.append(line)
    return "\n".join(out) + "\n"


def _image(m):
    alt, url = m.groups()
    if url.endswith("#only-dark"):
        return ""
    return f"*Figure: {alt} (drawn on the web page of this lesson).*"


def _resolve_listing(fence):
    """The source a listing fence includes with pymdownx.snippets."""
    parts = []
    for line in fence.body.splitlines():
        m = SNIPPET.match(line)
        if not m:
            continue
        target, _, section = m.group(1).partition(":")
        source = (ROOT / target).read_text(encoding="utf-8")
        if section:
            begin = f"--8<-- [start:{section}]"
            stop = f"--8<-- [end:{section}]"
            source = source.split(begin, 1)[1].split("\n", 1)[1]
            source = source.split(stop, 1)[0].rsplit("\n", 1)[0] + "\n"
        parts.append(source)
    return "".join(parts)


# --- labs: percent-format scripts, run in this process ---


class LabError(Exception):
    """A lab cell that raised; the message names the lab, cell and line."""


def lab_notebook(path):
    """The lab at `path` as a notebook, executed, with its outputs."""
    import jupytext

    path = Path(path)
    nb = jupytext.read(path)
    _numbered(nb.cells)
    return execute_in_process(nb, path.name)


def cached_lab_notebook(path):
    """`lab_notebook(path)`, run once per change of its inputs.

    The executed notebook is kept in the build cache (`sitecache`) under a
    hash of the lab, of the parts of `ref` it imports, of this runner and
    of the figures' style, so a new run happens whenever any of them
    changes. The site build and the lab tests share it: the tiny-GPT lab
    trains for a minute or more, and a test session that also builds the
    site needs it only once.
    """
    from sitecache import ROOT, cached, folder, ref_imports

    path = Path(path).resolve()
    lab = path.relative_to(ROOT).as_posix()
    cache = folder(
        f"labs/{path.stem}",
        lab,
        "src/sitenotebooks",
        "src/sitefigures/sizes.py",  # the plots' colours and sizes
        "src/sitefigures/style.py",
        common=ref_imports(lab),
    )
    name = path.with_suffix(".ipynb").name
    data = cached(
        cache / name,
        lambda: nbformat.writes(lab_notebook(path)).encode("utf-8"),
    )
    return nbformat.reads(data.decode("utf-8"), as_version=4)


def execute_in_process(nb, name):
    """Run the code cells of `nb` in order, in one fresh namespace.

    Printed text becomes a stream output; every matplotlib figure open
    after a cell becomes an SVG display output (and is closed). The lab
    is run once per figure style of the site (`sitefigures.style`): the
    light, wide figure is the output a notebook shows; the dark and the
    narrow (phone) drawings ride along in the output's metadata under
    ``"site"``, for the web page (hooks/lean.py), which shows the one
    that fits the reader's screen and colour scheme.
    """
    from sitefigures.style import LIGHT, STYLES

    runs = _run_all(nb, name, STYLES)
    count = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        count += 1
        text, figures = runs[LIGHT.name][index]
        outputs = []
        if text:
            outputs.append(v4.new_output("stream", name="stdout", text=text))
        for k, svg in enumerate(figures):
            out = v4.new_output(
                "display_data",
                data={"image/svg+xml": svg, "text/plain": "<Figure>"},
            )
            twins = {
                s.name: runs[s.name][index][1][k]
                for s in STYLES
                if s is not LIGHT and len(runs[s.name][index][1]) > k
            }
            if twins:
                out.metadata["site"] = twins
            outputs.append(out)
        cell.outputs = outputs
        cell.execution_count = count
    nb.metadata["kernelspec"] = KERNELSPEC
    return nb


def _run_all(nb, name, styles):
    """{style name: {cell index: (printed text, [SVG of each figure])}}.

    Each cell runs once, in the first style (the notebook's own output):
    a lab may train for a minute. Only a cell that drew a figure is run
    again in each other style, on a shallow copy of the names as they were
    before it, and only its figures are kept from those runs.
    """
    import matplotlib

    matplotlib.use("Agg")
    from threadpoolctl import threadpool_limits

    namespace = {"__name__": "__main__"}
    runs = {style.name: {} for style in styles}
    # One BLAS thread: a lab's matrices are small, and the build or the
    # test session runs other work beside it; OpenBLAS threads that
    # outnumber the free cores spin against each other (a tiny-GPT step
    # went from 0.13 s to 0.9 s on 2 busy cores).
    with threadpool_limits(limits=1, user_api="blas"):
        _run_cells(nb, name, styles, namespace, runs)
    return runs


def _run_cells(nb, name, styles, namespace, runs):
    import matplotlib.pyplot as plt

    first, others = styles[0], styles[1:]
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        before = dict(namespace)
        text, figures = _run_cell(cell, index, name, first, namespace)
        runs[first.name][index] = (text, figures)
        for style in others:
            redrawn = (
                _run_cell(cell, index, name, style, dict(before))[1]
                if figures
                else []
            )
            runs[style.name][index] = (text, redrawn)
        plt.close("all")


def _run_cell(cell, index, name, style, namespace):
    """(printed text, [SVG of each figure]) of one cell in `style`."""
    import matplotlib.pyplot as plt

    from sitefigures.style import narrow_size, rc

    filename = f"{name} (cell {index + 1})"
    out = io.StringIO()
    with plt.rc_context(rc(style)):
        try:
            with (
                contextlib.redirect_stdout(out),
                warnings.catch_warnings(),
            ):
                warnings.filterwarnings(
                    "ignore", message=".*non-interactive.*"
                )
                exec(compile(cell.source, filename, "exec"), namespace)
        except Exception as exc:
            line = _line_in(exc, filename)
            plt.close("all")
            raise LabError(
                f"{name}: cell {index + 1}, line {line}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        figures = []
        for number in plt.get_fignums():
            fig = plt.figure(number)
            if style.narrow:
                fig.set_size_inches(*narrow_size(*fig.get_size_inches()))
            figures.append(_svg(fig))
        plt.close("all")
    return out.getvalue(), figures


def _svg(fig):
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "ref"}):  # same ids every build
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _line_in(exc, filename):
    tb = exc.__traceback__
    line = "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def write(nb, path):
    """Write `nb` to `path` as .ipynb (validated)."""
    nbformat.validate(nb)
    Path(path).write_text(nbformat.writes(nb), encoding="utf-8")

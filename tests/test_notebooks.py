"""Lesson notebooks and labs: generated from the sources and run.

The lesson notebooks are run top to bottom in a real Jupyter kernel
(nbclient) and their printed outputs must equal the checked output blocks
of the page they were made from. The labs are run in-process, as the
site build runs them.
"""

import textwrap
from pathlib import Path

import nbformat
import pytest
from proofs import proof

from doccheck.page import parse
from doccheck.run import output_lines
from sitenotebooks import (
    LabError,
    cached_lab_notebook,
    execute_in_process,
    page_to_notebook,
)

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    p
    for section in ("lessons", "topics", "chapters")
    for p in (ROOT / "docs" / section).glob("*.md")
    if "```python" in p.read_text(encoding="utf-8")
)
LABS = sorted((ROOT / "docs/labs").glob("*.py"))
# Labs that train for a minute or more: kept out of the quick loop.
SLOW_LABS = {"tinygpt.py"}


def _rel(path):
    return path.relative_to(ROOT).as_posix()


def _printed(cell):
    return "".join(
        o.get("text", "") for o in cell.outputs if o.output_type == "stream"
    )


def _shown(cell):
    """A cell's printed lines, compared as the checker compares them."""
    return output_lines(_printed(cell))


# --- page -> notebook ---


def test_a_page_becomes_cells_with_its_outputs():
    text = textwrap.dedent("""\
        # Title

        Prose with 0.5<!--= x --> in it.

        ```python
        x = 0.5
        print(x)
        ```

        ```text title="Output"
        0.5
        ```

        !!! note "A note"
            Inside.
        """)
    nb = page_to_notebook("page.md", text)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds == ["markdown", "code", "markdown"]
    assert "<!--" not in nb.cells[0].source
    assert nb.cells[1].source == "x = 0.5\nprint(x)"
    assert _printed(nb.cells[1]) == "0.5\n"
    assert nb.cells[2].source == "> **A note**\n>\n> Inside."
    nbformat.validate(nb)


@pytest.fixture(scope="module")
def kernel():
    """One Python kernel for all lesson notebooks (reset between them)."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    yield km
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.mark.slow
@pytest.mark.parametrize("path", PAGES, ids=_rel)
def test_lesson_notebook_runs_and_prints_the_page_outputs(path, kernel):
    """Once passed, skipped until the page, src/ref, the code that makes
    and compares notebooks or the lock file changes (tests/proofs.py);
    CI always runs it."""
    from nbclient import NotebookClient

    proven = proof(
        "notebook-" + path.stem,
        _rel(path),
        "src/sitenotebooks",
        "src/doccheck",
        "tests/test_notebooks.py",
    )
    text = path.read_text(encoding="utf-8")
    meta = parse(_rel(path), text).meta
    for module in (meta.get("doccheck") or {}).get("requires", []):
        pytest.importorskip(module)
    expected = page_to_notebook(_rel(path), text)
    run = page_to_notebook(_rel(path), text)
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    # A fresh namespace, as if the kernel had just started.
    run.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
    NotebookClient(run, km=kernel, timeout=60).execute()
    got = [_shown(c) for c in run.cells[1:] if c.cell_type == "code"]
    want = [_shown(c) for c in expected.cells if c.cell_type == "code"]
    assert got == want
    proven.passed()


# --- labs ---


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW_LABS else p
        for p in LABS
    ],
    ids=_rel,
)
def test_lab_runs_shows_output_and_states_no_numbers(path):
    # From the build cache when the site build has run it at the same
    # inputs (see cached_lab_notebook); run here otherwise.
    nb = cached_lab_notebook(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs for c in code), "a cell shows nothing"
    # Labs are experiments: their numbers are outputs, never prose claims
    # (which no check would cover).
    prose = "\n\n".join(
        c.source for c in nb.cells if c.cell_type == "markdown"
    )
    assert [n.text for n in parse(_rel(path), prose).numbers] == []


def test_a_failing_lab_names_its_cell_and_line():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("y = 2\nz = x / 0"),
        ]
    )
    with pytest.raises(
        LabError,
        match=r"lab.py: cell 2, line 2: "
        r"ZeroDivisionError",
    ):
        execute_in_process(nb, "lab.py")


def test_notebook_outputs_are_compared_as_the_checker_compares_them():
    # A table row that ends in an empty column prints trailing spaces,
    # which the page cannot keep; a changed digit still differs.
    assert output_lines("a  1.0  \nb\n\n") == output_lines("a  1.0\nb")
    assert output_lines("a  1.0\n") != output_lines("a  1.1\n")
    assert output_lines(" indented\n") != output_lines("indented\n")

"""Every checked number and output line on every page is proven.

For each page, every one-digit change (last digit, first digit, sign,
decimal point) to a checked number and every change to an output line
must make the docs checker fail at that line, and so must at least 99 %
of the changes to a formula (a digit, a sign, a power). `make mutate`
prints the same as a table with the kill rates per page.
"""

from pathlib import Path

import pytest

from doccheck import all_pages, formulas_required
from doccheck.mutate import _number_variants, mutate_page

ROOT = Path(__file__).resolve().parents[1]
PAGES = all_pages(ROOT)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES]
)
def test_every_mutant_is_caught(path):
    rel = path.relative_to(ROOT).as_posix()
    report = mutate_page(rel, path.read_text(encoding="utf-8"))
    if report.skipped:
        pytest.skip(report.skipped)
    survivors = [
        f"{rel}:{m.line}: {m.kind}: {m.before!r} -> {m.after!r}"
        for m in report.survivors
    ]
    assert not survivors, "mutants not caught:\n" + "\n".join(survivors)
    # Formulas: a digit, a sign or a power changed in each; at least 99 %
    # of those changes must fail the page.
    fs = report.formulas
    if formulas_required(rel, {}) and fs.total:
        missed = [
            f"{rel}:{m.line}: {m.kind}: {m.after!r}"
            for m in report.formula_survivors
        ]
        assert fs.caught >= 0.99 * fs.total, (
            f"only {fs.caught} of {fs.total} formula mutants caught:\n"
            + "\n".join(missed)
        )


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("0.881", {"0.882", "1.881", "-0.881", "8.81"}),
        ("−7.81", {"−7.82", "−8.81", "7.81", "−78.1"}),
        ("124", {"125", "224", "-124", "12.4"}),
        ("5", {"6", "-5"}),
    ],
)
def test_number_variants(shown, expected):
    assert {new for _, new in _number_variants(shown)} == expected


def test_a_checker_that_misses_changes_leaves_survivors(monkeypatch):
    import doccheck.mutate as mutate
    from doccheck.run import Result

    text = "```python\nx = 0.5\n```\n\nHalf is 0.5<!--= x -->.\n"
    report = mutate_page("page.md", text)
    assert (report.total, report.caught) == (3, 3)

    # A checker blind to prose numbers passes the page unchanged but must
    # then let every mutant of it survive.
    monkeypatch.setattr(
        mutate, "check_page", lambda path, text, cache=None: Result(path)
    )
    report = mutate.mutate_page("page.md", text)
    assert (report.total, len(report.survivors)) == (3, 3)


@pytest.mark.parametrize(
    "rel", ["docs/lessons/l02-logic-gates.md", "docs/lessons/l06-mse.md"]
)
def test_mutants_checked_together_give_what_one_by_one_gives(rel, monkeypatch):
    import doccheck.mutate as mutate

    text = (ROOT / rel).read_text(encoding="utf-8")
    together = mutate.mutate_page(rel, text, cache={})
    monkeypatch.setattr(mutate, "GAP", 10**9)  # every mutant alone
    alone = mutate.mutate_page(rel, text, cache={})
    assert together.total == alone.total > 50
    assert together.caught == alone.caught
    assert [m.after for m in together.survivors] == [
        m.after for m in alone.survivors
    ]


def test_mutants_in_one_copy_are_apart_and_one_per_output_block():
    from doccheck.mutate import mutants, rounds

    text = (ROOT / "docs/lessons/l06-mse.md").read_text(encoding="utf-8")
    batches = rounds(list(mutants("l06.md", text)))
    assert max(map(len, batches)) > 1
    for batch in batches:
        for i, a in enumerate(batch):
            for b in batch[i + 1 :]:
                assert not set(a.lines) & set(b.lines)
                assert abs(a.line - b.line) >= 3


def test_a_report_on_a_neighbours_line_does_not_count_as_caught(
    monkeypatch,
):
    # A checker that reports every change two lines below it (on the next
    # paragraph's line) catches nothing; batching must not credit a mutant
    # with its neighbour's report.
    import doccheck.mutate as mutate
    from doccheck.run import Problem, Result

    text = "```python\nx = 0.5\n```\n\n" + "".join(
        f"Line {i}: 0.5<!--= x -->.\n\n" for i in range(6)
    )
    lines = text.splitlines()

    def below(path, new, cache=None):
        result = Result(path)
        for i, (a, b) in enumerate(zip(lines, new.splitlines(), strict=True)):
            if a != b:
                result.problems.append(Problem(i + 3, "moved"))
        return result

    monkeypatch.setattr(mutate, "check_page", below)
    report = mutate.mutate_page("page.md", text, base=Result("page.md"))
    assert report.total > 18
    assert len(report.survivors) == report.total

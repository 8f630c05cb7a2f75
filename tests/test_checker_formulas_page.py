r"""The formulas page checks every formula it states, and the checks bite.

docs/formulas.md is the one source: its formulas carry their markers on
the page itself (no copy here). The page must pass the docs checker with
every stating formula checked, and changing a digit, a sign or a power
in its formulas must fail it: at least 99 % of those mutants are caught,
and a failure lists the survivors.
"""

from pathlib import Path

from doccheck import formula as formulamod
from doccheck import page as pagemod
from doccheck.mutate import mutate_page
from doccheck.run import check_page

ROOT = Path(__file__).resolve().parents[1]
REL = "docs/formulas.md"
#: The page states about a hundred formulas; far fewer means markers
#: (or formulas) went missing.
MIN_CHECKED = 80
MIN_MUTANTS = 150
MIN_RATE = 0.99


def page_text():
    return (ROOT / REL).read_text(encoding="utf-8")


def _problems(result):
    return "\n".join(f"{REL}:{p.line}: {p.message}" for p in result.problems)


def test_the_formulas_page_passes_with_every_formula_checked():
    text = page_text()
    result = check_page(REL, text)
    assert result.problems == [], _problems(result)
    parsed = pagemod.parse(REL, text)
    stating = [
        f
        for f in parsed.formulas
        if formulamod.states_something(f.latex, f.display)
    ]
    unmarked = [
        f"{REL}:{f.line}: ${f.latex}$" for f in stating if f.marker is None
    ]
    assert not unmarked, "formulas without a marker:\n" + "\n".join(unmarked)
    assert result.census.formulas >= MIN_CHECKED
    # notation: is for formulas that only name things; keep them few.
    assert result.census.notation <= 6, result.census.notation


def test_the_old_l2_convention_fails_the_page():
    # Weight decay is the penalty (lambda / 2) sum W^2, gradient lambda W;
    # the old gradient 2 lambda W must not pass.
    text = page_text()
    old, new = r"gradient $\lambda W$<!--%", r"gradient $2 \lambda W$<!--%"
    assert text.count(old) == 1
    line = text[: text.index(old)].count("\n") + 1
    result = check_page(REL, text.replace(old, new))
    assert any(p.line == line for p in result.problems), _problems(result)


def test_formula_mutants_of_the_formulas_page_are_caught():
    report = mutate_page(REL, page_text())
    assert not report.skipped, report.skipped
    stats = report.formulas
    survivors = "\n".join(
        f"{REL}:{m.line}: {m.kind}: {m.after!r}"
        for m in report.formula_survivors
    )
    assert stats.total >= MIN_MUTANTS, stats
    assert stats.caught >= MIN_RATE * stats.total, (
        f"only {stats.caught} of {stats.total} formula mutants caught; "
        f"survivors:\n{survivors}"
    )

"""Mutation test of the docs: prove that a wrong number cannot pass.

For every checked number in a page's prose and every output line, make
one small change in a copy of the page and check the copy. The change
must be caught: the checker must report a problem at the changed line.
Numbers marked as given are not computed, so no check can catch a change
to them; the census counts them instead.

Mutations of a prose number: the last digit, the first digit, the sign,
and the decimal point moved one place. Mutation of an output line: its
last digit (or, for a line without digits, its last character).

The page's code is run once and its results reused for every mutant
(`check_page(cache=...)`): mutants change prose and outputs only, and
the code is deterministic, so running it again would give the same.

Usage: python -m doccheck.mutate [PAGE ...] (default: every page).
Exits 1 if any mutant survives, listing each at file:line.
"""

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from doccheck import all_pages, formulas_required, is_page
from doccheck import formula as formulamod
from doccheck import page as pagemod
from doccheck.run import check_page, scope_for, scopes_of

DIGIT = re.compile(r"\d")


@dataclass
class Mutant:
    line: int  # the line the change is on
    lines: range  # the lines where a report counts as catching it
    kind: str
    text: str  # the whole mutated page
    before: str
    after: str
    edit: tuple | None = None  # (start, end, new): `text` made from the page


def _bump(digit):
    return str((int(digit) + 1) % 10)


def _replace(text, start, end, new):
    return text[:start] + new + text[end:]


def _number_variants(shown):
    """(kind, new text) for one number as shown."""
    digits = [m.start() for m in DIGIT.finditer(shown)]
    out = []
    last, first = digits[-1], digits[0]
    out.append(
        ("last digit", _replace(shown, last, last + 1, _bump(shown[last])))
    )
    if first != last:
        out.append(
            (
                "first digit",
                _replace(shown, first, first + 1, _bump(shown[first])),
            )
        )
    if shown[0] in "-\u2212":
        out.append(("sign", shown[1:]))
    else:
        out.append(("sign", "-" + shown))
    mantissa, exp = re.match(r"([^eE]*)(.*)", shown).groups()
    bare = mantissa.lstrip("-\u2212").replace(",", "")
    sign = mantissa[: len(mantissa) - len(mantissa.lstrip("-\u2212"))]
    if "." in bare:
        i = bare.index(".")
        digits_only = bare.replace(".", "")
        if i + 1 < len(digits_only):
            moved = digits_only[: i + 1] + "." + digits_only[i + 1 :]
            moved = moved.lstrip("0") or "0"
            moved = "0" + moved if moved.startswith(".") else moved
            out.append(("decimal point", sign + moved + exp))
    elif len(bare) > 1:
        out.append(("decimal point", sign + bare[:-1] + "." + bare[-1] + exp))
    return [(kind, new) for kind, new in out if new != shown]


def mutants(path, text):
    """Every mutant of the page."""
    page = pagemod.parse(path, text)
    given = {
        n.start
        for mk in page.markers
        if mk.kind == "given"
        for n in mk.numbers[-1:]
    }
    for n in page.numbers:
        if n.start in given:
            continue  # not computed, so nothing can catch a change
        for kind, new in _number_variants(n.text):
            yield Mutant(
                n.line,
                range(n.line, n.line + 1),
                kind,
                _replace(text, n.start, n.end, new),
                n.text,
                new,
                (n.start, n.end, new),
            )
    for fence in page.fences:
        if not fence.is_output:
            continue
        offset = fence.body_span[0]
        for i, line in enumerate(fence.body.splitlines(keepends=True)):
            raw = text[offset : offset + len(line) + len(fence.indent)]
            raw_line = raw.split("\n", 1)[0]
            lineno = fence.start + 1 + i
            digits = [m.start() for m in DIGIT.finditer(raw_line)]
            if digits:
                j = digits[-1]
                new = _replace(raw_line, j, j + 1, _bump(raw_line[j]))
                kind = "output digit"
            elif raw_line.strip():
                new, kind = raw_line + "?", "output text"
            else:
                offset += len(raw_line) + 1
                continue
            yield Mutant(
                lineno,
                range(fence.start, fence.end + 1),
                kind,
                _replace(text, offset, offset + len(raw_line), new),
                raw_line.strip(),
                new.strip(),
                (offset, offset + len(raw_line), new),
            )
            offset += len(raw_line) + 1


# --- formulas ----------------------------------------------------------------

#: A number in LaTeX (not part of a command name).
LATEX_NUMBER = re.compile(r"(?<![A-Za-z\\])\d+(?:\.\d+)?")
#: A power: ^2, ^{...}, ^t (not ^\top).
POWER = re.compile(r"\^(?:(\d)|\{([^{}]*)\}|([A-Za-z]))")


def formula_variants(latex):
    """(kind, mutated latex) for one formula: digits, signs, powers."""
    out = []
    for m in LATEX_NUMBER.finditer(latex):
        j = m.end() - 1
        if latex[j] == ".":
            continue
        out.append(
            ("formula digit", _replace(latex, j, j + 1, _bump(latex[j])))
        )
    for m in re.finditer(r"(?<![\\])[-+]", latex):
        new = "+" if m.group() == "-" else "-"
        if m.group() == "-" and _leading(latex, m.start()):
            out.append(
                ("formula sign", _replace(latex, m.start(), m.end(), ""))
            )
        else:
            out.append(
                ("formula sign", _replace(latex, m.start(), m.end(), new))
            )
    for m in POWER.finditer(latex):
        if m.group(1):
            new = "^" + _bump(m.group(1))
            if new == "^0":
                new = "^{10}"
        elif m.group(2) is not None:
            if m.group(2).strip() in ("\\top", "\\intercal"):
                continue
            new = "^{" + m.group(2) + " + 1}"
        else:
            new = "^{" + m.group(3) + " + 1}"
        out.append(("formula power", _replace(latex, m.start(), m.end(), new)))
    return formulamod.distinct_variants(latex, out)


def _leading(latex, i):
    """True if the minus at `i` is a sign, not a subtraction."""
    before = latex[:i].rstrip()
    return (
        not before
        or before[-1] in "({[=,^_"
        or before.endswith(("\\left(", "\\bigl(", "\\frac{"))
    )


@dataclass
class FormulaStats:
    total: int = 0  # formula mutants tried
    caught: int = 0
    unmarked: int = 0  # formulas with no marker (their mutants survive)
    notation: int = 0  # formulas marked as notation (not mutated)


def formula_mutants(page):
    """(formula, Mutant) for every formula of the parsed `page`."""
    for f in page.formulas:
        for kind, new in formula_variants(f.latex):
            last = f.line + f.latex.count("\n") + 1
            yield (
                f,
                Mutant(
                    f.line,
                    range(f.line, last + 1),
                    kind,
                    new,
                    f.latex.strip(),
                    new.strip(),
                ),
            )


def _formula_caught(f, latex, scopes, final):
    """True if the checker reports a problem for the mutated formula."""
    if f.marker is None:
        return False
    ns = scope_for(f.marker, scopes, final)
    outcome = formulamod.check_formula(latex, f.marker.expr, ns)
    return bool(outcome.problems)


@dataclass
class PageReport:
    path: str
    total: int = 0
    caught: int = 0
    survivors: list = None
    skipped: str | None = None
    formulas: FormulaStats = None
    formula_survivors: list = None


#: Mutation reports computed in the pages' own processes this session
#: (filled by the pytest plugin), by (path, text): `mutate_page` hands
#: them out instead of running the page's code a second time.
SESSION_REPORTS = {}
#: The pytest session's pool of page processes (set by the plugin): the
#: mutation test asks it for a page's report, so each page runs once.
SESSION_POOL = None


def mutate_page(path, text, cache=None, base=None):
    """Mutate every checked number, output and formula of the page.

    `cache` and `base` are the page's run and result when the caller has
    them already (in the page's own process): the code is not run again.
    """
    if cache is None and (path, text) in SESSION_REPORTS:
        return SESSION_REPORTS.pop((path, text))
    if cache is None and SESSION_POOL is not None and is_page(path):
        result, report = SESSION_POOL.result(path, text, mutate=True)
        if report is not None:
            return report
        if result.skipped or result.problems:
            return PageReport(
                path,
                survivors=[],
                skipped=result.skipped
                or "the page fails its checks unchanged",
                formulas=FormulaStats(),
                formula_survivors=[],
            )
    report = PageReport(
        path, survivors=[], formulas=FormulaStats(), formula_survivors=[]
    )
    cache = {} if cache is None else cache
    if base is None:
        base = check_page(path, text, cache=cache)
    if base.skipped:
        report.skipped = base.skipped
        return report
    if base.problems:
        report.skipped = "the page fails its checks unchanged"
        return report
    for batch in rounds(list(mutants(path, text))):
        report.total += len(batch)
        caught = _caught_together(path, text, batch, cache)
        for m in batch:
            if id(m) in caught or _caught(path, m.text, m, cache):
                report.caught += 1
            else:
                report.survivors.append(m)
    _mutate_formulas(path, text, cache, report)
    return report


#: Mutants checked in one copy of the page must be this many lines apart.
GAP = 3


def rounds(mutants, gap=None):
    """Split `mutants` into rounds of mutants far enough apart to be
    checked in one copy of the page.

    A number's problem is reported on its own line, an output line's at
    its block; so two mutants whose lines lie `gap` or more apart (and
    never two in one output block, whose `lines` span the block) cannot
    be mistaken for each other. Checking a page costs the same with one
    change or twenty, so a page needs a few dozen checks, not thousands.
    """
    gap = GAP if gap is None else gap
    out = []  # [(mutants, occupied line ranges)]
    for m in mutants:
        for batch, taken in out:
            if (
                m.edit is not None
                and batch[0].edit is not None
                and all(
                    m.lines.start - r.stop >= gap - 1
                    or r.start - m.lines.stop >= gap - 1
                    for r in taken
                )
            ):
                batch.append(m)
                taken.append(m.lines)
                break
        else:
            out.append(([m], [m.lines]))
    return [batch for batch, _ in out]


def _caught(path, text, m, cache):
    result = check_page(path, text, cache=cache)
    return any(p.line in m.lines for p in result.problems)


def _caught_together(path, text, batch, cache):
    """The mutants of `batch` caught when all are applied at once: each
    must have a problem reported within its own lines (the gap between
    them keeps one mutant's report from landing on another's lines). The
    others are checked again one by one: a survivor is always confirmed
    alone."""
    if len(batch) < 2:
        return set()
    edits = sorted((m.edit for m in batch), reverse=True)
    for start, end, new in edits:
        text = _replace(text, start, end, new)
    result = check_page(path, text, cache=cache)
    lines = {p.line for p in result.problems}
    return {id(m) for m in batch if lines.intersection(m.lines)}


def _mutate_formulas(path, text, cache, report):
    """Change a digit, a sign and a power in every formula of the page.

    The page's code is not run again: each mutated formula is evaluated
    against the names the page's one run left (the cache).
    """
    page = pagemod.parse(path, text)
    scopes, final = scopes_of(page, cache)
    stats = report.formulas
    for f in page.formulas:
        kind = _formula_kind(f)
        if kind == "notation":
            stats.notation += 1
            continue
        if kind == "unmarked":
            stats.unmarked += 1
            if not formulamod.states_something(f.latex, f.display):
                continue  # $x$: nothing to check, nothing to mutate
        for kind_, new in formula_variants(f.latex):
            last = f.line + f.latex.count("\n")
            m = Mutant(
                f.line, range(f.line, last + 1), kind_, new, f.latex, new
            )
            stats.total += 1
            if _formula_caught(f, new, scopes, final):
                stats.caught += 1
            else:
                report.formula_survivors.append(m)


def _formula_kind(f):
    if f.marker is None:
        return "unmarked"
    try:
        spec = formulamod.parse_spec(f.marker.expr)
    except formulamod.FormulaError:
        return "checked"  # the checker reports it; mutants are caught
    return "notation" if spec.notation else "checked"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="*", type=Path)
    parser.add_argument(
        "--formulas",
        action="store_true",
        help="list surviving formula mutants on every page",
    )
    args = parser.parse_args(argv)
    root = Path.cwd()
    pages = args.pages or all_pages(root)
    total = caught = 0
    failed = False
    print(
        f"{'page':<44}{'mutants':>9}{'caught':>9}{'rate':>9}"
        f"{'formula':>9}{'caught':>9}{'rate':>9}{'unmarked':>9}"
    )
    f_total = f_caught = 0
    for path in pages:
        rel = path.resolve().relative_to(root).as_posix()
        report = mutate_page(rel, path.read_text(encoding="utf-8"))
        if report.skipped:
            print(f"{rel:<44}  skipped: {report.skipped}")
            failed = failed or "fails" in report.skipped
            continue
        rate = report.caught / report.total if report.total else 1.0
        fs = report.formulas
        f_rate = fs.caught / fs.total if fs.total else 1.0
        print(
            f"{rel:<44}{report.total:>9}{report.caught:>9}{rate:>9.1%}"
            f"{fs.total:>9}{fs.caught:>9}{f_rate:>9.1%}{fs.unmarked:>9}"
        )
        total += report.total
        caught += report.caught
        f_total += fs.total
        f_caught += fs.caught
        if args.formulas or formulas_required(rel, {}):
            for m in report.formula_survivors:
                failed = failed or formulas_required(rel, {})
                print(
                    f"  FORMULA SURVIVED {rel}:{m.line}: {m.kind}: {m.after!r}"
                )
        for m in report.survivors:
            failed = True
            print(
                f"  SURVIVED {rel}:{m.line}: {m.kind}: "
                f"{m.before!r} -> {m.after!r}"
            )
    rate = caught / total if total else 1.0
    f_rate = f_caught / f_total if f_total else 1.0
    print(
        f"{'total':<44}{total:>9}{caught:>9}{rate:>9.1%}"
        f"{f_total:>9}{f_caught:>9}{f_rate:>9.1%}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

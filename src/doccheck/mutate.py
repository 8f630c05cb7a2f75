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

from doccheck import all_pages
from doccheck import page as pagemod
from doccheck.run import check_page

DIGIT = re.compile(r"\d")


@dataclass
class Mutant:
    line: int  # the line the change is on
    lines: range  # the lines where a report counts as catching it
    kind: str
    text: str  # the whole mutated page
    before: str
    after: str


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
            )
            offset += len(raw_line) + 1


@dataclass
class PageReport:
    path: str
    total: int = 0
    caught: int = 0
    survivors: list = None
    skipped: str | None = None


def mutate_page(path, text):
    report = PageReport(path, survivors=[])
    cache = {}
    base = check_page(path, text, cache=cache)
    if base.skipped:
        report.skipped = base.skipped
        return report
    if base.problems:
        report.skipped = "the page fails its checks unchanged"
        return report
    for m in mutants(path, text):
        report.total += 1
        result = check_page(path, m.text, cache=cache)
        if any(p.line in m.lines for p in result.problems):
            report.caught += 1
        else:
            report.survivors.append(m)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="*", type=Path)
    args = parser.parse_args(argv)
    root = Path.cwd()
    pages = args.pages or all_pages(root)
    total = caught = 0
    failed = False
    print(f"{'page':<44}{'mutants':>9}{'caught':>9}{'rate':>9}")
    for path in pages:
        rel = path.resolve().relative_to(root).as_posix()
        report = mutate_page(rel, path.read_text(encoding="utf-8"))
        if report.skipped:
            print(f"{rel:<44}  skipped: {report.skipped}")
            failed = failed or "fails" in report.skipped
            continue
        rate = report.caught / report.total if report.total else 1.0
        print(f"{rel:<44}{report.total:>9}{report.caught:>9}{rate:>9.1%}")
        total += report.total
        caught += report.caught
        for m in report.survivors:
            failed = True
            print(
                f"  SURVIVED {rel}:{m.line}: {m.kind}: "
                f"{m.before!r} -> {m.after!r}"
            )
    rate = caught / total if total else 1.0
    print(f"{'total':<44}{total:>9}{caught:>9}{rate:>9.1%}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Check pages without pytest: the contributor's fastest loop.

    python -m doccheck docs/lessons/l03-layers.md [more pages]
    python -m doccheck --update docs/lessons/l03-layers.md

Prints each problem at file:line (with a diff for a stale output) and
the page's census; exits 1 if any page has a problem. --update rewrites
output blocks and numbers from the code first, as make docs-update does.
"""

import argparse
import sys
import time
from pathlib import Path

from doccheck.isolate import check_isolated
from doccheck.run import format_problems
from doccheck.source import read_page


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m doccheck", description=__doc__.split("\n")[0]
    )
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument(
        "--update",
        action="store_true",
        help="rewrite outputs and numbers from the code, then check",
    )
    args = parser.parse_args(argv)
    failed = False
    for path in args.pages:
        if not path.is_file():
            print(f"{path}: no such page")
            failed = True
            continue
        rel = path.as_posix()
        start = time.perf_counter()
        text, problem = read_page(path)
        if problem is not None:
            print(format_problems(rel, [problem]))
            failed = True
            continue
        if args.update:
            updated = check_isolated(rel, text, update=True)[0].updated_text
            if updated not in (None, text):
                path.write_text(updated, encoding="utf-8")
                text = updated
                print(f"{rel}: updated from the code")
        result = check_isolated(rel, text)[0]
        seconds = time.perf_counter() - start
        c = result.census
        if result.skipped:
            print(f"{rel}: skipped, {result.skipped}")
            continue
        if result.problems:
            failed = True
            print(format_problems(rel, result.problems))
        status = "FAILED" if result.problems else "ok"
        print(
            f"{rel}: {status}: {c.executed}/{c.fences - c.listings} fences "
            f"run, {c.outputs} outputs and {c.checked} numbers checked, "
            f"{c.given} given, {c.formulas} formulas checked "
            f"({seconds:.2f} s)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

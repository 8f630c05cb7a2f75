"""Benchmark the contributor's loop and print the figures.

    make bench            # or: .venv/bin/python scripts/bench.py

Prints wall-clock times (best of --repeat runs) for: the non-browser
test suite, a strict site build, checking one page (make check, and with
pytest), and the
docs checker's own overhead: checking every page in-process versus only
running the same code blocks. Targets on 2 cores: suite < 10 s, build
< 5 s, one page < 1 s. The build is timed warm (figures and labs cached
under a hash of their inputs, as in the contributor's loop) after one
cold build, which is printed too. Nothing here asserts: timings vary with the
machine, so they are reported, not tested.
"""

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGE = "docs/lessons/l10-training-xor.md"


def wall(cmd, repeat):
    """Best wall-clock time of `repeat` runs of `cmd` (must succeed)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True
        )
        best = min(best, time.perf_counter() - start)
        if run.returncode != 0:
            sys.exit(
                f"failed: {' '.join(cmd)}\n{run.stdout[-2000:]}"
                f"{run.stderr[-2000:]}"
            )
    return best


def checker_overhead():
    """(seconds to check all pages, seconds to only run their code)."""
    sys.path.insert(0, str(ROOT / "src"))
    from doccheck import all_pages
    from doccheck.page import parse
    from doccheck.run import check_page

    pages = [
        (p.relative_to(ROOT).as_posix(), p.read_text("utf-8"))
        for p in all_pages(ROOT)
    ]
    for rel, text in pages:  # import everything the pages use (torch...)
        check_page(rel, text)  # once, so neither timing pays for it
    start = time.perf_counter()
    for rel, text in pages:
        check_page(rel, text)
    checked = time.perf_counter() - start
    start = time.perf_counter()
    for rel, text in pages:
        namespace = {"__name__": "__doc__"}
        setup = (parse(rel, text).meta.get("doccheck") or {}).get("setup")
        with contextlib.redirect_stdout(io.StringIO()):
            if setup:
                exec(setup, namespace)
            for fence in parse(rel, text).fences:
                if fence.is_python and not fence.is_listing:
                    exec(compile(fence.body, rel, "exec"), namespace)
    only_code = time.perf_counter() - start
    return checked, only_code


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; best of {args.repeat} runs")
    py = str(BIN / "python")
    rows = [
        (
            "quick suite (make test-fast: no browser, build, kernel)",
            wall(
                [
                    py,
                    "-m",
                    "pytest",
                    "-q",
                    "-m",
                    "not browser and not slow",
                    "-p",
                    "no:randomly",
                ],
                args.repeat,
            ),
            10.0,
        ),
    ]
    with tempfile.TemporaryDirectory() as site:
        build = [str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", site]
        first = wall(build, 1)
        print(f"{'first strict build (cache as it was)':<58}{first:7.2f} s")
        rows.append(
            (
                "strict build (mkdocs build --strict)",
                wall(
                    [
                        str(BIN / "mkdocs"),
                        "build",
                        "--strict",
                        "-q",
                        "-d",
                        site,
                    ],
                    args.repeat,
                ),
                5.0,
            )
        )
    rows.append(
        (
            f"one page, make check ({PAGE})",
            wall([py, "-m", "doccheck", PAGE], args.repeat),
            1.0,
        )
    )
    rows.append(
        (
            "the same page with pytest",
            wall(
                [py, "-m", "pytest", "-q", "-p", "no:randomly", PAGE],
                args.repeat,
            ),
            2.0,
        )
    )
    for name, seconds, target in rows:
        mark = "ok" if seconds < target else "OVER"
        print(f"{name:<58}{seconds:7.2f} s  (target < {target:g} s: {mark})")
    checked, only_code = checker_overhead()
    print(f"{'checking every page in-process':<58}{checked:7.2f} s")
    print(f"{'running the same code blocks only':<58}{only_code:7.2f} s")
    print(
        f"{'docs checker overhead':<58}{checked - only_code:7.2f} s "
        f"({checked / only_code:.2f}x)"
    )


if __name__ == "__main__":
    main()

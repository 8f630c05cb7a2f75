"""Benchmark the contributor's loop and print the figures.

    make bench                  # the loop: suites, build, serve, one page
    make bench ARGS=--full      # also make test, the GPT's training run
                                # and .ci/run on a fresh clone (minutes)

Each figure is the wall-clock time of a whole command, min and median of
--repeat runs (quote the median), against the target for a 2-core
machine. The build is timed warm (with the build cache under .cache/
filled, as in the contributor's loop: see CONTRIBUTING), and so are
the suites: a long proof that passed at the same inputs is skipped
(tests/proofs.py), so each suite is also timed with REPROVE=1, which
runs every proof as CI does. "serve" starts `mkdocs serve`, appends a
comment to a page and times until the served page has it. Nothing here
asserts: timings vary with the machine and its load, so they are
reported, not tested.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGE = "docs/lessons/l10-training-xor.md"
SERVED = "lessons/l10-training-xor/"
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")


def timed(cmd, repeat, cwd=ROOT, env=ENV, timeout=3600):
    """[seconds] of `repeat` runs of `cmd`, which must succeed."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        times.append(time.perf_counter() - start)
        if run.returncode != 0:
            sys.exit(
                f"failed: {' '.join(map(str, cmd))}\n{run.stdout[-3000:]}"
                f"{run.stderr[-3000:]}"
            )
    return times


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def serve_edit_times(repeat, dirty):
    """[seconds from saving an edit to the served page showing it]."""
    port = _free_port()
    cmd = [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"]
    if dirty:
        cmd.append("--dirty")
    page = ROOT / PAGE
    original = page.read_bytes()
    url = f"http://127.0.0.1:{port}/{SERVED}"
    server = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = []
    try:
        deadline = time.monotonic() + 300
        while _get(url) is None:
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("mkdocs serve did not come up")
            time.sleep(0.2)
        time.sleep(1.0)  # let the first build's watcher settle
        for i in range(repeat):
            tag = f"bench-edit-{os.getpid()}-{i}"
            page.write_bytes(original + f"\n<!-- {tag} -->\n".encode())
            start = time.perf_counter()
            while True:
                html = _get(url)
                if html is not None and tag in html:
                    break
                if time.perf_counter() - start > 120:
                    sys.exit("the edit never reached the served page")
                time.sleep(0.05)
            times.append(time.perf_counter() - start)
            time.sleep(1.0)
    finally:
        page.write_bytes(original)
        server.terminate()
        server.wait(10)
    return times


def gpt_figures(train):
    """[(name, seconds, target)] printed by scripts/bench_gpt.py."""
    cmd = [sys.executable, str(ROOT / "scripts/bench_gpt.py")]
    if train:
        cmd.append("--train")
    run = subprocess.run(
        cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, check=True
    )
    rows = []
    step = re.search(r"median\s+([\d.]+) ms", run.stdout)
    if step:
        rows.append(
            (
                "tiny GPT: one loss_and_grads (B 32, T 16, d 64)",
                [float(step.group(1)) / 1000],
                0.060,
            )
        )
    trained = re.search(r"training run: \d+ steps in ([\d.]+) s", run.stdout)
    if trained:
        rows.append(
            (
                "tiny GPT: the chapter's whole training run",
                [float(trained.group(1))],
                60.0,
            )
        )
    return rows, run.stdout


def ci_fresh_clone():
    """[seconds] of `bash .ci/run` on a fresh clone of HEAD (warm caches)."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(
            ["git", "clone", "-q", str(ROOT), str(clone)], check=True
        )
        shared = ROOT.parent / "shared"
        if shared.is_dir():  # CI has the source notes beside the clone
            os.symlink(shared, Path(tmp) / "shared")
        env = dict(ENV, CI="true")
        return timed(["bash", ".ci/run"], 1, cwd=clone, env=env)


def row(name, times, target):
    best, median = min(times), statistics.median(times)
    unit, scale = ("ms", 1000) if target < 1 else ("s", 1)
    mark = "ok" if median <= target else "OVER"
    return (
        f"{name:<54}{best * scale:8.2f}{median * scale:9.2f} {unit:<2}"
        f"  target <= {target * scale:g} {unit}: {mark}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--full",
        action="store_true",
        help="also make test, the GPT's training and .ci/run (minutes)",
    )
    args = parser.parse_args()
    py = str(BIN / "python")
    # As make test runs it: two pytest-xdist workers.
    pytest = [py, "-m", "pytest", "-q", "-p", "no:randomly", "-n", "2"]
    reprove = dict(ENV, REPROVE="1")
    print(
        f"machine: {os.cpu_count()} cores; min and median of "
        f"{args.repeat} runs (quote the median)"
    )
    print(f"{'':<54}{'min':>8}{'median':>9}")
    rows = [
        (
            "quick loop (make test-fast)",
            timed([*pytest, "-m", "not browser and not slow"], args.repeat),
            10.0,
        ),
        (
            "every test but the browser's (pytest -m 'not browser')",
            timed([*pytest, "-m", "not browser"], args.repeat),
            15.0,
        ),
        (
            "  the same, every proof run again (REPROVE=1, as in CI)",
            timed([*pytest, "-m", "not browser"], 1, env=reprove),
            15.0,
        ),
    ]
    with tempfile.TemporaryDirectory() as site:
        build = [str(BIN / "mkdocs"), "build", "--strict", "-q", "-d", site]
        timed(build, 1)  # warm the caches
        rows.append(
            ("strict build, warm (make build)", timed(build, args.repeat), 4.0)
        )
    rows.append(
        (
            f"one page (make check PAGE={Path(PAGE).name})",
            timed([py, "-m", "doccheck", PAGE], args.repeat),
            1.0,
        )
    )
    rows.append(
        (
            "make serve: an edited page is served (--dirty)",
            serve_edit_times(args.repeat, dirty=True),
            1.0,
        )
    )
    gpt_rows, _ = gpt_figures(train=args.full)
    rows += gpt_rows
    if args.full:
        rows.append(("make test (the whole suite)", timed(pytest, 1), 90.0))
        rows.append(
            (
                "  the same, every proof run again (REPROVE=1, as in CI)",
                timed(pytest, 1, env=reprove),
                90.0,
            )
        )
        rows.append(("bash .ci/run on a fresh clone", ci_fresh_clone(), 300.0))
    for name, times, target in rows:
        print(row(name, times, target))
    shutil.rmtree(ROOT / ".pytest_cache" / "bench", ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark the tiny GPT of `ref.tinygpt` and print the figures.

    .venv/bin/python scripts/bench_gpt.py            # step time only
    .venv/bin/python scripts/bench_gpt.py --train    # and the full run

Prints the best and median wall-clock time of one `loss_and_grads` on
the chapter's configuration (B = 32, T = 16, d_model = 64, 4 heads, 2
layers, vocabulary 27; target: under 60 ms on 2 cores) and, with
--train, the time of the checkpoint's whole training run
(`train_names_model`; target: under a minute) with its best validation
loss. --write saves that run as the shipped checkpoint. Nothing here
asserts: timings depend on the machine and its load, so they are
reported, not tested. BLAS is held to one thread (set before NumPy is
imported): on two busy cores that is both faster and steadier for
matrices this small.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

from ref.tinygpt import (  # noqa: E402
    CHECKPOINT,
    NAMES_CONFIG,
    init_params,
    loss_and_grads,
    save_checkpoint,
    train_names_model,
)


def step_times(repeat):
    cfg = NAMES_CONFIG
    params = init_params(cfg, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, cfg.vocab_size, (2, 32, cfg.context))
    loss_and_grads(params, x, y, cfg)  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        loss_and_grads(params, x, y, cfg)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--train", action="store_true")
    parser.add_argument(
        "--write",
        action="store_true",
        help="save the run as src/ref/data/" + CHECKPOINT,
    )
    args = parser.parse_args()
    best, median = step_times(args.repeat)
    print(
        f"loss_and_grads, B=32 T=16 d=64 h=4 L=2 V=27: best "
        f"{best * 1e3:.1f} ms, median {median * 1e3:.1f} ms "
        f"(target < 60 ms)"
    )
    if args.train or args.write:
        start = time.perf_counter()
        params, history = train_names_model()
        seconds = time.perf_counter() - start
        steps = len(history["train"])
        print(
            f"training run: {steps} steps in {seconds:.1f} s "
            f"({seconds / steps * 1e3:.1f} ms a step with evaluations; "
            f"target < 60 s)"
        )
        print(
            f"best validation loss {history['val'].min():.4f} nats per "
            f"character at step {history['best_step']}"
        )
        if args.write:
            path = ROOT / "src" / "ref" / "data" / CHECKPOINT
            save_checkpoint(path, params, history)
            print(
                f"wrote {path.relative_to(ROOT)} "
                f"({path.stat().st_size / 1024:.0f} KiB)"
            )


if __name__ == "__main__":
    main()

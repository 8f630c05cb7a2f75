"""Long proofs run again only when something they depend on changed.

A proof such as retraining the tiny GPT from its seed takes a minute and
gives the same answer for the same inputs. Once it has passed, a marker
named by a hash of those inputs (the files it reads, all of src/ref, the
lock file and the numpy, matplotlib and Python versions and the
machine's architecture) is kept in
``.cache/proofs/``, and later runs skip it with a message saying so,
until any input changes. Under CI (``CI`` set) or with
``REPROVE=1`` it always runs: CI proves from nothing on every change.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitecache import CACHE, key

PROOFS = CACHE / "proofs"
#: Inputs of every proof besides its own: the pinned library versions.
ALWAYS = ("requirements.lock",)
SKIP_REASON = (
    "already proven at these inputs (its files, src/ref, requirements.lock);"
    " REPROVE=1 runs it again"
)


@dataclass
class Proof:
    name: str
    marker: Path

    def passed(self):
        """Record that the proof passed at these inputs, forgetting the
        inputs it passed at before."""
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        for old in self.marker.parent.glob(f"{self.name}-*"):
            if old != self.marker and _is_marker_of(old.name, self.name):
                old.unlink(missing_ok=True)
        self.marker.write_text("passed\n", encoding="utf-8")


def _is_marker_of(filename, name):
    """True if `filename` is `name` followed by a marker's digest."""
    digest = filename[len(name) + 1 :]
    return (
        filename.startswith(name + "-")
        and len(digest) == 16
        and all(c in "0123456789abcdef" for c in digest)
    )


def proof(name: str, *paths: str) -> Proof:
    """Skip the calling test if `name` already passed at these inputs
    (`paths`, relative to the repository, and all of src/ref); else
    return the `Proof` whose `passed()` the test calls at its end."""
    inputs = key(*paths, *ALWAYS)
    digest = hashlib.sha256(
        " ".join((name, inputs, sys.version, platform.machine())).encode()
    ).hexdigest()[:16]
    marker = PROOFS / f"{name}-{digest}"
    rerun = os.environ.get("CI") or os.environ.get("REPROVE")
    if marker.exists() and not rerun:
        # One reason for all, so that pytest's summary folds them into one
        # line: "SKIPPED [n] ... already proven".
        pytest.skip(SKIP_REASON)
    return Proof(name, marker)

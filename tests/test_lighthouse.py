"""Lighthouse (npm's, pinned in package.json) over the built site.

The site built once per session (``browser_support.site_build``) is
served with gzip and ``Cache-Control``, as GitHub Pages serves it, and
Lighthouse's mobile preset runs in Debian's Chromium over the pages of
``scripts/lighthouse.py`` (home, L8, L16, the glossary, the cheatsheet,
a lab and the API reference). The reports and a summary table are kept in
``artifacts/lighthouse/``.

The performance goal (95 on a quiet machine) is a benchmark, not a timed
test: the score moves by tens of points with the machine's load, so it
is recorded, and checked only against ``LIGHTHOUSE_MIN_PERFORMANCE`` when
that is set. What does not depend on the machine is held exactly:
accessibility, best practices and SEO at 100, layout shift at most 0.02,
and the bytes a first visit transfers (a lesson at most 150 KiB, any page
300 KiB).

Layout shift depends on timing after all: the cheatsheet sometimes
measures 0.035 (the same value each time, so one element moving once,
likely a font arriving after the first paint), both beside the other
browser tests and alone; most runs measure 0. That is an open bug of
issue 15, not a reason to loosen the limit. These tests carry the marker
``lighthouse`` and make test runs them on their own, after the rest of
the suite, so that the other pytest-xdist worker does not distort their
timings.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from browser_support import ARTIFACTS, CHROMIUM, REPO, require_build

sys.path.insert(0, str(REPO / "scripts"))
import lighthouse  # noqa: E402

MIN_PERFORMANCE = int(os.environ.get("LIGHTHOUSE_MIN_PERFORMANCE", "0"))
MAX_CLS = 0.02
MAX_KIB = {"lesson": 150, "page": 300}
EXACT = ("accessibility", "best-practices", "seo")


@pytest.fixture(scope="module")
def results(site_build):
    site = require_build(site_build)
    if not lighthouse.LIGHTHOUSE.exists() or not shutil.which("node"):
        pytest.fail(
            "npm's lighthouse is not installed: npm ci (it is pinned in "
            "package.json)",
            pytrace=False,
        )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}", pytrace=False)
    return lighthouse.measure(site, runs=1, out_dir=ARTIFACTS / "lighthouse")


PAGES = [pytest.param(name, id=name) for name, _, _ in lighthouse.PAGES]


@pytest.mark.browser
@pytest.mark.lighthouse
@pytest.mark.parametrize("name", PAGES)
def test_lighthouse(name, results):
    r = results[name]
    problems = []
    scores = r["scores"]
    for category in EXACT:
        if scores[category] != 100:
            problems.append(f"{category} {scores[category]}, not 100")
    perf = scores["performance"]
    if MIN_PERFORMANCE and (perf is None or perf < MIN_PERFORMANCE):
        problems.append(
            f"performance {perf}, below the floor {MIN_PERFORMANCE} "
            "(the goal is 95)"
        )
    if r["cls"] is None or r["cls"] > MAX_CLS:
        problems.append(f"layout shift {r['cls']}, above {MAX_CLS}")
    budget = MAX_KIB[r["kind"]]
    if r["transferred_kib"] > budget:
        problems.append(
            f"first load transfers {r['transferred_kib']} KiB, above "
            f"{budget} KiB"
        )
    summary = ARTIFACTS / "lighthouse" / "summary.md"
    assert not problems, (
        f"Lighthouse on {r['path']} (reports and table in {summary}):\n  "
        + "\n  ".join(problems)
        + ("\nfailed audits: " + "; ".join(r["failed"]) if r["failed"] else "")
    )


def test_the_budget_check_can_fail():
    """The figures are read from a report as the test reads them."""
    report = {
        "categories": {
            c: {"score": 0.5 if c == "seo" else 1.0}
            for c in lighthouse.CATEGORIES
        },
        "audits": {
            "cumulative-layout-shift": {"numericValue": 0.3},
            "network-requests": {
                "details": {"items": [{"transferSize": 400 * 1024}]}
            },
        },
    }
    f = lighthouse.figures(report)
    assert f["scores"]["seo"] == 50
    assert f["cls"] == 0.3
    assert f["transferred_kib"] == 400.0 > MAX_KIB["page"]

"""Shared test helpers."""

import os

import numpy as np
from threadpoolctl import threadpool_limits

# One BLAS thread in the test process: the page processes of the docs
# checker run beside it, one per core, and OpenBLAS threads that outnumber
# the cores spin against each other (a tiny-GPT training step went from
# 0.13 s to 0.9 s on 2 busy cores). The suite's matrices are small, so
# a second thread gains nothing even on an idle machine.
threadpool_limits(limits=1, user_api="blas")

# The session fixtures that build, serve and browse the site, registered
# once here so that every test module shares one build and one browser.
pytest_plugins = ["browser_support"]


def numeric_derivative(f, z, h=1e-6):
    """Central difference (f(z + h) - f(z - h)) / 2h, elementwise."""
    z = np.asarray(z, dtype=float)
    return (f(z + h) - f(z - h)) / (2 * h)


# What a newcomer's machine may lack, how a skip caused by it reads, and
# the one command that adds it.
MISSING = (
    ("torch", "PyTorch", "make install-torch"),
    ("Chromium", "Chromium", "apt-get install chromium poppler-utils"),
)


def _skips_by_cause(terminalreporter):
    found = {name: 0 for _, name, _ in MISSING}
    for report in terminalreporter.stats.get("skipped", []):
        reason = str(report.longrepr[-1]) if report.longrepr else ""
        for needle, name, _ in MISSING:
            if needle in reason:
                found[name] += 1
    return found


def pytest_terminal_summary(terminalreporter):
    found = _skips_by_cause(terminalreporter)
    for _, name, command in MISSING:
        if found[name]:
            terminalreporter.write_line(
                f"SKIPPED {found[name]} tests that need {name}: "
                f"`{command}` adds it",
                yellow=True,
            )


def pytest_sessionfinish(session, exitstatus):
    # In CI nothing may be skipped for want of a tool: that would pass a
    # run that checked less than it claims.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") and reporter is not None and exitstatus == 0:
        if any(_skips_by_cause(reporter).values()):
            session.exitstatus = 1

"""Shared test helpers."""

import os

import numpy as np
import pytest
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


def load_file(path, name=None):
    """The Python file at `path` (relative to the repository) as a fresh
    module: the hooks and scripts are files, not packages."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / path
    spec = importlib.util.spec_from_file_location(
        name or f"{path.parent.name}_{path.stem}", path
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numeric_derivative(f, z, h=1e-6):
    """Central difference (f(z + h) - f(z - h)) / 2h, elementwise."""
    z = np.asarray(z, dtype=float)
    return (f(z + h) - f(z - h)) / (2 * h)


def work_unit(nodeid):
    """The unit of work a test goes to a pytest-xdist worker in.

    A page and its mutation test make one unit: the page's process then
    computes the mutation report with the page's own run. Every other
    test goes with its file, whose module fixtures (Lighthouse's runs,
    the Jupyter kernel, the printed sheets) are then made once.
    """
    path, _, name = nodeid.partition("::")
    if name.startswith("test_every_mutant_is_caught["):
        return name.split("[", 1)[1].rsplit("]", 1)[0]
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``pytest -n N`` (make test) hands out work by `work_unit`.

    pytest-xdist's own ``--dist loadgroup`` would do this from
    ``xdist_group`` marks, but with pytest 9.2 it silently ignores them
    (pytest-xdist issue 1386), so the units are made here from node ids.
    """
    if config.getvalue("dist") not in ("load", "loadscope", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    return ByWorkUnit(config, log)


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

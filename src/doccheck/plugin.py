"""pytest plugin: every Markdown page of the site is a test.

Loaded with ``-p doccheck.plugin`` (see pyproject.toml). It collects
``docs/**/*.md`` and ``includes/*.md``, runs each page with
`doccheck.run.check_page`, fails with every problem listed at
``file:line``, and prints a census of what was checked.

``--docs-update`` rewrites output blocks and numbers from the code (the
contributor's refresh); a normal run never writes.
"""

import json
import tomllib
from pathlib import Path

import pytest

from doccheck import is_page
from doccheck.run import Problem, format_problems
from doccheck.source import read_page

CENSUS_KEY = "doccheck-census"
#: Accepted count of given (not computed) numbers per page: a ratchet.
GIVEN_FILE = "tests/given_numbers.toml"


def pytest_addoption(parser):
    group = parser.getgroup("doccheck", "docs checker")
    group.addoption(
        "--docs-update",
        action="store_true",
        default=False,
        help="rewrite output blocks and checked numbers from the code",
    )


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    """Pages are ours; pytest-markdown-docs keeps the docstrings in src/."""
    collected = yield
    if file_path.suffix != ".md":
        return collected
    kept = [
        c
        for c in collected
        if not type(c).__module__.startswith("pytest_markdown_docs")
    ]
    root = Path(parent.config.rootpath)
    try:
        rel = file_path.relative_to(root)
    except ValueError:
        return kept
    if is_page(rel):
        kept.append(PageFile.from_parent(parent, path=file_path))
    return kept


class PageFile(pytest.File):
    def collect(self):
        yield PageItem.from_parent(self, name="page")


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected
def pytest_collection_modifyitems(session, config, items):
    """Note the pages, and whether the mutation test will want them."""
    config._doccheck_pages = [i for i in items if isinstance(i, PageItem)]
    config._doccheck_mutate = any(
        i.name.startswith("test_every_mutant_is_caught") for i in items
    )
    if config._doccheck_pages or config._doccheck_mutate:
        _pool(config)


def _pool(config):
    """One pool per session: every page in its own process, run once."""
    pool = getattr(config, "_doccheck_pool", None)
    if pool is None:
        from doccheck.isolate import Pool

        pool = config._doccheck_pool = Pool()
        from doccheck import mutate as mutatemod

        mutatemod.SESSION_POOL = pool
        update = config.getoption("docs_update")
        mutate = getattr(config, "_doccheck_mutate", False) and not update
        # Under xdist each worker runs only its share: ask on demand.
        ahead = (
            [] if hasattr(config, "workerinput") else config._doccheck_pages
        )
        for item in ahead:
            rel, text, problem = item.source()
            if problem is None:
                pool.submit(rel, text, update, mutate)
    return pool


def pytest_sessionfinish(session):
    pool = getattr(session.config, "_doccheck_pool", None)
    if pool is not None:
        pool.close()
        from doccheck import mutate as mutatemod

        mutatemod.SESSION_POOL = None


class PageItem(pytest.Item):
    def source(self):
        """(relative path, text, Problem or None)."""
        rel = self.path.relative_to(self.config.rootpath).as_posix()
        text, problem = read_page(self.path)
        return rel, text, problem

    def runtest(self):
        rel, text, problem = self.source()
        if problem is not None:
            raise PageFailure(format_problems(rel, [problem]), 1)
        update = self.config.getoption("docs_update")
        # Under xdist the page is submitted only now: ask for the mutation
        # report too if the mutation test will want it, so that the page's
        # code runs once for both.
        mutate = getattr(self.config, "_doccheck_mutate", False) and not update
        result, report = _pool(self.config).result(rel, text, update, mutate)
        if report is not None:
            from doccheck.mutate import SESSION_REPORTS

            SESSION_REPORTS[(rel, text)] = report
        self.user_properties.append(
            (
                CENSUS_KEY,
                json.dumps(
                    {
                        "page": rel,
                        "skipped": result.skipped,
                        **result.census.as_dict(),
                    }
                ),
            )
        )
        if result.skipped:
            pytest.skip(f"{rel}: {result.skipped}")
        if update and result.updated_text not in (None, text):
            self.path.write_text(result.updated_text, encoding="utf-8")
        if not result.skipped:
            result.problems += _ratchet(self.config, rel, result)
        if result.problems:
            raise PageFailure(
                format_problems(rel, result.problems), len(result.problems)
            )

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PageFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"docs check: {self.path.name}"


def _accepted(config):
    path = Path(config.rootpath) / GIVEN_FILE
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh).get("pages", {})


def _ratchet(config, rel, result):
    """The count of given numbers may only go down, unless accepted."""
    accepted = _accepted(config).get(rel, 0)
    given = result.census.given
    if given == accepted:
        return []
    if given > accepted:
        message = (
            f"{given} number(s) on this page are marked given, but "
            f"{GIVEN_FILE} accepts {accepted}: compute the new ones, or "
            "have a reviewer raise the accepted count"
        )
    else:
        message = (
            f"only {given} number(s) on this page are marked given now: "
            f"lower its count in {GIVEN_FILE} from {accepted} to {given} "
            "so that it cannot creep back up"
        )
    return [Problem(1, message)]


class PageFailure(Exception):
    def __init__(self, text, count):
        super().__init__(f"{text}\n{count} problem(s) on this page")


# --- census ---

_rows = {}


def pytest_runtest_logreport(report):
    """Gather each page's census (also from xdist workers)."""
    if report.when != "call" and not report.skipped:
        return
    for key, value in report.user_properties:
        if key == CENSUS_KEY:
            row = json.loads(value)
            _rows[row["page"]] = row


def pytest_terminal_summary(terminalreporter):
    if not _rows:
        return
    tr = terminalreporter
    cols = (
        "fences",
        "executed",
        "listings",
        "outputs",
        "checked",
        "given",
        "formulas",
        "notation",
    )
    tr.section("docs census")
    tr.write_line(f"{'page':<40}" + "".join(f"{c:>9}" for c in cols))
    totals = dict.fromkeys(cols, 0)
    for page in sorted(_rows):
        row = _rows[page]
        note = "  skipped: " + row["skipped"] if row["skipped"] else ""
        tr.write_line(
            f"{page:<40}" + "".join(f"{row[c]:>9}" for c in cols) + note
        )
        for c in cols:
            totals[c] += row[c]
    tr.write_line(
        f"{'total (' + str(len(_rows)) + ' pages)':<40}"
        + "".join(f"{totals[c]:>9}" for c in cols)
    )

"""Mutation testing of src/ref: do the tests notice a one-token change?

    .venv/bin/python scripts/mutate_ref.py                 # every module
    .venv/bin/python scripts/mutate_ref.py --module losses --module optim
    .venv/bin/python scripts/mutate_ref.py --list          # sites only

Each mutant changes one token inside one function of src/ref/<m>.py:
an arithmetic operator (+ -, * /, ** -> *, // -> /, % -> //), a
comparison (< <=, > >=, == !=, in / not in, is / is not), a number
(c -> c + 1, and 1 -> 0), `and` / `or`, a dropped unary minus or `not`,
or a call (max / min, argmax / argmin, maximum / minimum, sum / mean).
Raise statements and f-strings (error messages) are left alone.

A forked child loads the mutated text as ref.<m> and runs pytest -x on
tests/test_<m>.py, quickest tests first; if they pass, on the tests of
the modules that import <m> (directly or not); if those pass too, on
the tests among them that need torch, with torch (it is blocked until
then, and imported once, because it makes every fork slower). A failing
run kills the mutant; one that runs past its time limit is a timeout.
The unmutated tests run first: they must pass, they time each test, and
they record which lines of src/ref each test runs (its fixtures' set-up
and its file's import included). A mutant meets only the tests that ran
its statement, since no other test can tell it from the original; one
that no test reaches survives with a note that says so. Tests marked
slow (end-to-end runs) are left out: the unit tests must catch a mutant.

A function is used by the pages if docs/, includes/ or CONTRIBUTING.md
import it from ref or name it as ref.<m>.<f>, or if a used function
reaches it by name within ref. Survivors in used functions make the
exit status 1. A survivor listed in scripts/mutate_ref_equivalent.txt
(`module:original -> mutant  # why it is equivalent`)
is reported as equivalent (accepted) instead.
"""

import argparse
import ast
import contextlib
import functools
import importlib.util
import io
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
import tokenize
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per child; -j does the rest

ROOT = Path(__file__).resolve().parents[1]
SRC, REF, TESTS = ROOT / "src", ROOT / "src" / "ref", ROOT / "tests"
EQUIVALENT = Path(__file__).with_name("mutate_ref_equivalent.txt")
#: Survivors that are known gaps in the tests (each needs a test that
#: kills it): listed so that the run still fails on any survivor not on
#: it. A line comes off when its test lands.
PENDING = Path(__file__).with_name("mutate_ref_pending.txt")
SKIP = {"__init__", "_checks"}
PYTEST = ["-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
# The unit tests must pin ref down on their own: the end-to-end runs
# marked slow (the tiny GPT's minute-long retraining) are left out, or
# every mutant of its training code that the unit tests miss would cost
# a minute before it is reported.
PYTEST += ["-m", "not slow"]
# A test run per mutant: half a second of pytest start-up each. Plain
# asserts (a failing one still fails; no rewriting and compiling of every
# test file in every child) and no plugins from entry points (none of
# them is needed here) take off a third of it.
PYTEST += ["--assert=plain"]
PYTEST += ["-o", "addopts=", "-o", "pythonpath="]
NEEDS_TORCH = 'importorskip("torch")'

# node type -> (the operator as written, its replacement)
BINOPS = {
    ast.Add: ("+", "-"),
    ast.Sub: ("-", "+"),
    ast.Mult: ("*", "/"),
    ast.Div: ("/", "*"),
    ast.Pow: ("**", "*"),
    ast.FloorDiv: ("//", "/"),
    ast.Mod: ("%", "//"),
}
CMPOPS = {
    ast.Lt: ("<", "<="),
    ast.LtE: ("<=", "<"),
    ast.Gt: (">", ">="),
    ast.GtE: (">=", ">"),
    ast.Eq: ("==", "!="),
    ast.NotEq: ("!=", "=="),
    ast.In: ("in", "not in"),
    ast.NotIn: ("not in", "in"),
    ast.Is: ("is", "is not"),
    ast.IsNot: ("is not", "is"),
}
BOOLOPS = {ast.And: ("and", "or"), ast.Or: ("or", "and")}
CALLS = {
    "max": "min",
    "min": "max",
    "argmax": "argmin",
    "argmin": "argmax",
    "maximum": "minimum",
    "minimum": "maximum",
    "sum": "mean",
    "mean": "sum",
}


@dataclass
class Mutant:
    module: str
    function: str
    line: int
    original: str  # the source line without its comment
    mutated: str
    source: str = field(repr=False)
    #: the lines of the statement that holds the change (of its header,
    #: for an if, for, while or with): a test that runs none of them
    #: cannot tell the mutant from the original
    lines: range = field(default=range(0), repr=False)
    status: str = "survived"  # or killed, timeout, equivalent
    reached: bool = False  # whether a test runs its statement
    cpu: float = 0.0  # seconds spent running tests on it

    @property
    def key(self):
        """module:original -> mutated, the line as it reads before and
        after: no line number, so an edit elsewhere in the file does not
        make the lists of known mutants stale."""
        return f"{self.module}:{self.original} -> {self.mutated}"

    def __str__(self):
        return (
            f"src/ref/{self.module}.py:{self.line}: {self.function}: "
            f"{self.original} -> {self.mutated}"
        )


# --- the sites ---------------------------------------------------------------


def code_lines(text):
    """The lines of text, stripped, with their comments cut off."""
    lines = text.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            lines[tok.start[0] - 1] = lines[tok.start[0] - 1][: tok.start[1]]
    return [line.strip() for line in lines]


def _walk(node):
    """ast.walk, leaving out raise statements and f-strings."""
    if not isinstance(node, (ast.Raise, ast.JoinedStr)):
        yield node
        for child in ast.iter_child_nodes(node):
            yield from _walk(child)


def _edits(node, src, at):
    """[(start, end, new)]: byte edits of src, one per mutant of node."""

    def op_after(prev, op, new):  # the operator that follows prev
        i = at(prev.end_lineno, prev.end_col_offset)
        while src[i : i + 1] in b" \t\r\n)\\" or src[i : i + 1] == b"#":
            i = src.index(b"\n", i) if src[i : i + 1] == b"#" else i + 1
        pattern = re.escape(op).replace(r"\ ", r"\s+")  # not in, is not
        match = re.compile(pattern.encode()).match(src, i)
        return [(i, match.end(), new)] if match else []

    if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in BINOPS:
        op, new = BINOPS[type(node.op)]
        if isinstance(node, ast.AugAssign):
            return op_after(node.target, op + "=", new + "=")
        return op_after(node.left, op, new)
    if isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        return [
            e
            for op, prev in zip(node.ops, sides, strict=False)
            for e in op_after(prev, *CMPOPS[type(op)])
        ]
    if isinstance(node, ast.BoolOp):
        return [
            e
            for prev in node.values[:-1]
            for e in op_after(prev, *BOOLOPS[type(node.op)])
        ]
    if isinstance(node, ast.UnaryOp) and type(node.op) in (ast.USub, ast.Not):
        start = at(node.lineno, node.col_offset)
        end = start + (1 if isinstance(node.op, ast.USub) else 3)
        while src[end : end + 1] in b" \t":
            end += 1
        return [(start, end, "")]
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        start = at(node.lineno, node.col_offset)
        end = at(node.end_lineno, node.end_col_offset)
        values = [node.value + 1] + [node.value - 1] * (node.value == 1)
        return [(start, end, repr(value)) for value in values]
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        builtin = isinstance(f, ast.Name) and name in ("max", "min")
        if name in CALLS and (isinstance(f, ast.Attribute) or builtin):
            end = at(f.end_lineno, f.end_col_offset)
            return [(end - len(name), end, CALLS[name])]
    return []


def statement_span(fn, line):
    """The lines of the innermost statement of fn that holds `line`.

    A simple statement spans all its lines; a compound one (if, for,
    while, with, try) only its header, from its first line to `line`.
    Python reports at least one of these lines as run whenever any part
    of the statement runs (a line event fires on each change of line),
    so a test that runs none of them never evaluates the changed token:
    an `or` on the second line of a condition that short-circuits still
    counts as reached through the condition's first line.
    """
    best = fn
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.stmt)
            and node is not fn
            and node.lineno <= line <= node.end_lineno
            and node.lineno >= best.lineno
        ):
            best = node
    compound = any(
        isinstance(getattr(best, name, None), list) and getattr(best, name)
        for name in ("body", "orelse", "handlers", "finalbody")
    )
    end = line if compound else best.end_lineno
    return range(best.lineno, end + 1)


def mutants_of(module):
    """Every mutant of src/ref/<module>.py, in source order."""
    text = (REF / f"{module}.py").read_text(encoding="utf-8")
    src = text.encode()
    starts = [0]
    for line in src.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def at(lineno, col):  # AST columns count UTF-8 bytes
        return starts[lineno - 1] + col

    before, found = code_lines(text), []
    for fn in ast.parse(text).body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        body = fn.body[ast.get_docstring(fn) is not None :]
        for node in (n for stmt in body for n in _walk(stmt)):
            for start, end, new in _edits(node, src, at):
                source = (src[:start] + new.encode() + src[end:]).decode()
                try:
                    ast.parse(source)
                except SyntaxError:  # not a mutant: it would not compile
                    continue
                line = src[:start].count(b"\n")
                found.append(
                    Mutant(
                        module,
                        fn.name,
                        line + 1,
                        before[line],
                        code_lines(source)[line],
                        source,
                        statement_span(fn, line + 1),
                    )
                )
    return sorted(found, key=lambda m: m.line)


# --- which functions the pages use -------------------------------------------


def _refs(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def used_by_pages(modules):
    """{(module, function)} that the pages reach, directly or through ref."""
    pages = [
        *ROOT.glob("docs/**/*.md"),
        *ROOT.glob("docs/**/*.py"),
        *ROOT.glob("includes/*.md"),
        ROOT / "CONTRIBUTING.md",
    ]
    todo = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        pattern = r"from\s+ref\.(\w+)\s+import\s+(\([^)]*\)|[^\n]*)"
        for m, names in re.findall(pattern, text):
            names = re.sub(r"\bas\s+\w+|#[^\n]*", "", names)
            todo |= {(m, name) for name in re.findall(r"\w+", names)}
        todo |= set(re.findall(r"\bref\.(\w+)\.(\w+)", text))
        for m, alias in re.findall(r"import\s+ref\.(\w+)\s+as\s+(\w+)", text):
            todo |= {(m, f) for f in re.findall(rf"\b{alias}\.(\w+)", text)}
    graph = {}  # (module, name) -> {(module, name) it names}
    for m in modules:
        tree = ast.parse((REF / f"{m}.py").read_text(encoding="utf-8"))
        local, defs = {}, {}  # name in m -> (module, name); name -> node
        for node in tree.body:
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 0
                and (node.module.startswith("ref."))
            ):
                for a in node.names:
                    local[a.asname or a.name] = (node.module[4:], a.name)
            elif isinstance(node, ast.FunctionDef):
                defs[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        defs[target.id] = node.value
        local |= {name: (m, name) for name in defs}
        for name, node in defs.items():
            graph[m, name] = {local[n] for n in _refs(node) if n in local}
    used, todo = set(), list(todo)
    while todo:
        key = todo.pop()
        if key not in used:
            used.add(key)
            todo.extend(graph.get(key, ()))
    return used


def importers(modules):
    """{m: the modules that import m, directly or through others}."""
    direct = {m: set() for m in modules}
    for m in modules:
        text = (REF / f"{m}.py").read_text(encoding="utf-8")
        for dep in re.findall(r"^from ref\.(\w+) import", text, re.M):
            direct.setdefault(dep, set()).add(m)
    result = {}
    for m in modules:
        seen, todo = set(), list(direct[m])
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.add(x)
                todo.extend(direct[x])
        result[m] = sorted(seen - {m})
    return result


def test_file(m):
    path = TESTS / f"test_{m}.py"
    return str(path) if path.exists() else None


# --- running the tests -------------------------------------------------------


DURATIONS = {}  # test node id -> seconds, from the unmutated run
#: (module, line) of src/ref -> {node ids of the tests that ran it}, from
#: the unmutated run: a mutant is tested only by the tests that reach
#: its statement
REACH = {}


class _FastestFirst:
    """pytest plugin: run the quickest tests first; -x stops at a failure.

    With `select`, only the tests with those node ids run.
    """

    def __init__(self, record=None, select=None):
        self.record, self.select, self.took = record, select, {}
        self.reach = _Reach() if record else None

    def pytest_collection_modifyitems(self, items):
        if self.select is not None:
            items[:] = [item for item in items if item.nodeid in self.select]
        items.sort(key=lambda item: DURATIONS.get(item.nodeid, 0.0))

    def pytest_runtest_logreport(self, report):
        took = self.took.get(report.nodeid, 0.0)
        self.took[report.nodeid] = took + report.duration

    def pytest_sessionfinish(self):
        if self.record:
            mine = (str(SRC), str(TESTS))
            modules = [  # what the tests import, for the parent to preload
                name
                for name, module in list(sys.modules.items())
                if module is not None
                and name != "__main__"
                and not str(getattr(module, "__file__", "")).startswith(mine)
            ]
            reach = self.reach.result() if self.reach else {}
            data = {"took": self.took, "modules": modules, "reach": reach}
            Path(self.record).write_text(json.dumps(data))


class _Reach:
    """pytest plugin for the unmutated run: the lines of src/ref each test
    runs, counting the lines its fixtures ran when they were set up (for
    an earlier test, if they are shared) and the lines its file ran when
    it was collected.
    """

    def __init__(self):
        self.stack = [set()]  # lines of what runs now: the innermost last
        self.fixtures = {}  # id(fixturedef) -> lines of its set-up
        self.collected = {}  # collector path -> lines run collecting it
        self.tests = {}  # node id -> (item, lines)
        self.prefix = str(REF) + os.sep

    def start(self):
        def local(frame, event, arg):
            if event == "line":
                self.stack[-1].add((frame.f_code.co_filename, frame.f_lineno))
            return local

        def call(frame, event, arg):
            if frame.f_code.co_filename.startswith(self.prefix):
                return local
            return None

        sys.settrace(call)
        threading.settrace(call)

    @contextlib.contextmanager
    def _into(self, lines, merge=True):
        """Lines run meanwhile go to `lines` (and, with merge, also to
        whatever was collecting them before)."""
        self.stack.append(lines)
        try:
            yield
        finally:
            self.stack.pop()
            if merge:
                self.stack[-1] |= lines

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector):
        # Per collector, not merged into its parent's: a test file's
        # import counts for its own tests, a conftest's for its folder.
        lines = self.collected.setdefault(str(collector.path), set())
        with self._into(lines, merge=False):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        lines = self.fixtures.setdefault(id(fixturedef), set())
        with self._into(lines):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        lines = set()
        self.tests[item.nodeid] = (item, lines)
        with self._into(lines):
            return (yield)

    def result(self):
        """{node id: [[module, line], ...]}"""
        sys.settrace(None)
        every = set().union(*self.fixtures.values())
        reach = {}
        for nodeid, (item, lines) in self.tests.items():
            info = getattr(item, "_fixtureinfo", None)
            if info is None:  # pytest changed: count every fixture's lines
                lines = lines | every
            else:
                for defs in info.name2fixturedefs.values():
                    for d in defs:
                        lines = lines | self.fixtures.get(id(d), set())
            for path, run in self.collected.items():
                if str(item.path).startswith(path):
                    lines = lines | run
            reach[nodeid] = sorted(
                [Path(file).stem, line] for file, line in lines
            )
        return reach


def _child(module, source, tests, torch, record, select=None):
    """In the forked child: install the mutant, run pytest, return status."""
    os.setpgid(0, 0)
    # Children run side by side, one per core: OpenBLAS threads beyond
    # that spin against each other (a tiny-GPT step went from 0.13 s to
    # 0.9 s on 2 busy cores).
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.dont_write_bytecode = True  # children leave no files behind
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if not torch:
        sys.modules["torch"] = None  # importorskip("torch") skips
        # Hidden on purpose (the torch tests run in a round of their own),
        # so the CI rule that nothing may be skipped for want of a tool
        # (tests/conftest.py) does not apply to this run.
        os.environ.pop("CI", None)
    sys.path.insert(0, str(SRC))
    os.chdir(ROOT)
    if source is not None:
        import ref

        name, path = f"ref.{module}", REF / f"{module}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        mod = sys.modules[name] = importlib.util.module_from_spec(spec)
        setattr(ref, module, mod)
        exec(compile(source, str(path), "exec"), mod.__dict__)
    plugin = _FastestFirst(record, select)
    plugins = [plugin]
    if plugin.reach:
        plugins.append(plugin.reach)
        plugin.reach.start()
    return int(pytest.main([*PYTEST, *tests], plugins=plugins))


def run(jobs, workers, done):
    """Run jobs (deque of dicts) in forked children, `workers` at a time.

    done(job, outcome, seconds) is called with outcome "pass", "fail" or
    "timeout" and returns further jobs, which run next.
    """
    running = {}
    while jobs or running:
        while jobs and len(running) < workers:
            job = jobs.popleft()
            pid = os.fork()
            if pid == 0:
                code = 3
                try:
                    code = _child(
                        job.get("module"),
                        job["source"],
                        job["tests"],
                        job["torch"],
                        job.get("record"),
                        job.get("select"),
                    )
                finally:
                    os._exit(code)
            running[pid] = (job, time.monotonic())
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        now = time.monotonic()
        if pid == 0:
            for pid, (job, start) in running.items():
                if now - start > job["timeout"] and not job.get("killed"):
                    job["killed"] = True
                    os.killpg(pid, signal.SIGKILL)
            time.sleep(0.005)
            continue
        job, start = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        if job.get("killed"):
            outcome = "timeout"
        else:  # pytest exits with 5 when no test was collected
            outcome = "pass" if code in (0, 5) else "fail"
        job["cpu"] = usage.ru_utime + usage.ru_stime
        jobs.extendleft(reversed(done(job, outcome, now - start)))


def baseline(units, workers):
    """{(tests, torch): seconds} of the unmutated tests; exit on a failure.

    Also fills DURATIONS, so that mutants meet the quickest tests first.
    """
    with tempfile.TemporaryDirectory() as tmp:
        jobs = deque(
            {
                "source": None,
                "tests": list(tests),
                "torch": torch,
                "timeout": 600,
                "record": f"{tmp}/{i}.json",
            }
            for i, (tests, torch) in enumerate(units)
        )
        seconds = {}

        def done(job, outcome, took):
            if outcome != "pass":
                print(
                    f"fail unmutated: {' '.join(job['tests'])}",
                    file=sys.stderr,
                )
                sys.exit(2)
            seconds[tuple(job["tests"]), job["torch"]] = took
            data = json.loads(Path(job["record"]).read_text())
            for nodeid, t in data["took"].items():
                DURATIONS[nodeid] = max(t, DURATIONS.get(nodeid, 0.0))
            for nodeid, lines in data["reach"].items():
                for module, line in lines:
                    REACH.setdefault((module, line), set()).add(nodeid)
            modules.update(data["modules"])
            return []

        modules = set()
        run(jobs, workers, done)
    # Import here, once, what every child would otherwise import (and
    # compile, without .pyc files) again: a fork inherits it.
    for name in sorted(modules - set(sys.modules)):
        try:
            importlib.import_module(name)
        except Exception:  # some modules only import from their package
            pass
    return seconds


def rounds_for(module, others):
    """[(tests, torch)]: own tests, then importers', then those with torch."""
    own = [f for f in [test_file(module)] if f]
    files = own + [test_file(m) for m in others if test_file(m)]
    rounds = [(tuple(own), False), (tuple(files[len(own) :]), False)]
    if importlib.util.find_spec("torch"):
        rounds.append((tuple(n for f in files for n in torch_tests(f)), True))
    return [(tests, torch) for tests, torch in rounds if tests]


def in_round(nodeid, tests):
    """Whether the test nodeid is one of tests (files, or the node ids of
    test functions, which then stand for each of their parameter sets)."""
    file, _, name = nodeid.partition("::")
    files = _files(tests)
    if file not in files:
        return False
    return files[file] is None or name.partition("[")[0] in files[file]


@functools.cache
def _files(tests):
    """{file relative to the root: {function names}, or None for all}."""
    files = {}
    for test in tests:
        path, _, function = test.partition("::")
        file = Path(path).resolve().relative_to(ROOT).as_posix()
        if not function:
            files[file] = None
        elif files.get(file, set()) is not None:
            files[file] = files.get(file, set()) | {function}
    return files


def torch_tests(path):
    """Node ids of the test functions in path that skip without torch."""
    text = Path(path).read_text(encoding="utf-8")
    return [
        f"{path}::{node.name}"
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef)
        and node.name.startswith("test")  # not a helper that needs torch
        and NEEDS_TORCH in ast.get_source_segment(text, node)
    ]


def test_mutants(mutants, workers, timeout):
    """Set each mutant's status by running the test rounds on it.

    All rounds without torch come first; torch is imported only after
    them, for the survivors, since forking a process that holds torch
    doubles the cost of every child.
    """
    every = [p.stem for p in REF.glob("*.py") if p.stem not in SKIP]
    others = importers(every)
    rounds = {m: rounds_for(m, others[m]) for m in {x.module for x in mutants}}
    finished = set()
    for torch in (False, True):
        todo = [m for m in mutants if m.status == "survived"]
        mine = {m: [r for r in rounds[m] if r[1] == torch] for m in rounds}
        todo = [m for m in todo if mine[m.module]]
        if not todo:
            continue
        if torch:
            import torch  # noqa: F401  (once here rather than in each child)
        units = {r for m in todo for r in mine[m.module]}
        seconds = baseline(sorted(units), workers)

        def make_jobs(mutant, first, mine=mine, seconds=seconds):
            """[the job of the first round from `first` that has a test
            reaching the mutant], or [] when none has one."""
            reach = set().union(
                *(REACH.get((mutant.module, n), ()) for n in mutant.lines)
            )
            for i in range(first, len(mine[mutant.module])):
                tests, torch = mine[mutant.module][i]
                select = {n for n in reach if in_round(n, tests)}
                if select:
                    mutant.reached = True
                    files = {str(ROOT / n.split("::")[0]) for n in select}
                    return [
                        {
                            "mutant": mutant,
                            "round": i,
                            "source": mutant.source,
                            "module": mutant.module,
                            "tests": sorted(files),
                            "select": select,
                            "torch": torch,
                            "timeout": timeout + 5 * seconds[tests, torch],
                        }
                    ]
            return []

        def done(job, outcome, took, mine=mine, make_jobs=make_jobs):
            mutant, i = job["mutant"], job["round"]
            mutant.cpu += job["cpu"]
            if outcome == "pass" and (later := make_jobs(mutant, i + 1)):
                return later
            mutant.status = {"pass": "survived", "fail": "killed"}.get(
                outcome, outcome
            )
            finished.add(id(mutant))
            if sys.stderr.isatty():
                print(
                    f"\r{len(finished)} mutants tested",
                    end="",
                    file=sys.stderr,
                )
            return []

        run(deque(job for m in todo for job in make_jobs(m, 0)), workers, done)
    if sys.stderr.isatty():
        print(file=sys.stderr)


# --- the report --------------------------------------------------------------


def load_equivalent(path=EQUIVALENT):
    """{key: reason} from the list of accepted equivalent mutants (or
    another list in its format, such as the pending gaps)."""
    if not path.exists():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, why = line.partition("  # ")
            key = re.sub(r"^(\w+):\d+:", r"\1:", key.strip())  # old form
            entries[key] = why.strip()
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--module",
        action="append",
        metavar="NAME",
        help="only this module of src/ref (repeatable)",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list the mutation sites, run nothing",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count(),
        help="test runs at a time (default: the number of CPUs)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        help="seconds a test run may take on top of 5 times its "
        "unmutated time (default 20)",
    )
    args = parser.parse_args(argv)
    every = sorted(p.stem for p in REF.glob("*.py") if p.stem not in SKIP)
    modules = args.module or every
    if unknown := set(modules) - set(every):
        parser.error(f"no module {', '.join(sorted(unknown))} in src/ref")
    mutants = [m for module in modules for m in mutants_of(module)]
    used = used_by_pages(every)
    if args.list:
        for m in mutants:
            print(m, "(used)" if (m.module, m.function) in used else "")
        print(f"{len(mutants)} mutants in {len(modules)} modules")
        return 0
    start = time.monotonic()
    test_mutants(mutants, args.jobs, args.timeout)
    equivalent = load_equivalent()
    for m in mutants:
        if m.status == "survived" and m.key in equivalent:
            m.status = "equivalent"
    columns = ("mutants", "killed", "timeout", "equivalent", "survived")
    print(f"{'module':<16}" + "".join(f"{c:>11}" for c in columns))
    totals = dict.fromkeys(columns, 0)
    for module in modules:
        mine = [m for m in mutants if m.module == module]
        row = {"mutants": len(mine)} | {
            c: sum(m.status == c for m in mine) for c in columns[1:]
        }
        totals = {c: totals[c] + row[c] for c in columns}
        print(f"{module:<16}" + "".join(f"{row[c]:>11}" for c in columns))
    print(f"{'total':<16}" + "".join(f"{totals[c]:>11}" for c in columns))
    scored = totals["mutants"] - totals["equivalent"]
    rate = (totals["killed"] + totals["timeout"]) / max(scored, 1)
    cpu = sum(m.cpu for m in mutants)
    print(
        f"kill rate {rate:.1%} of {scored} non-equivalent mutants; "
        f"{time.monotonic() - start:.0f} s with {args.jobs} workers, "
        f"{cpu:.0f} s CPU in tests"
    )
    pending = load_equivalent(PENDING)
    survivors = [m for m in mutants if m.status == "survived"]
    known = [m for m in survivors if m.key in pending]
    failing = [
        m
        for m in survivors
        if (m.module, m.function) in used and m.key not in pending
    ]
    for title, group in (
        ("survivors in functions the pages use", failing),
        (
            f"known gaps, each still needing a test ({PENDING.name})",
            known,
        ),
        (
            "survivors elsewhere",
            [m for m in survivors if m not in failing and m not in known],
        ),
        (
            "equivalent (accepted)",
            [m for m in mutants if m.status == "equivalent"],
        ),
    ):
        if group:
            print(f"\n{title}:")
            for m in group:
                why = equivalent.get(m.key)
                note = "" if m.reached else "  (no test runs this line)"
                print(f"{m}  # {why}" if why else f"{m}{note}")
    keys = {m.key for m in mutants}
    for listing, entries in ((EQUIVALENT, equivalent), (PENDING, pending)):
        for key in entries:
            if key.split(":")[0] in modules and key not in keys:
                print(f"warning: {listing.name}: no such mutant: {key}")
    killed_pending = [
        m.key for m in mutants if m.key in pending and m.status != "survived"
    ]
    for key in killed_pending:
        print(f"note: {PENDING.name}: now killed, remove the line: {key}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())

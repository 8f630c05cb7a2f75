"""Run one page: execute its code, compare outputs, check its numbers.

`check_page` never raises for a problem in the page: it returns every
problem as a `Problem(line, message)` so the report can list them all at
`file:line`. `update=True` also returns the page text rewritten from the
computed outputs and values (the contributor's refresh).
"""

import ast
import builtins
import contextlib
import difflib
import importlib
import io
import linecache
import sys
import traceback
from dataclasses import dataclass, field

from doccheck import numbers
from doccheck import page as pagemod


@dataclass
class Problem:
    line: int
    message: str


@dataclass
class Census:
    fences: int = 0
    executed: int = 0
    listings: int = 0
    outputs: int = 0
    checked: int = 0
    given: int = 0

    def as_dict(self):
        return dict(self.__dict__)


@dataclass
class Result:
    path: str
    problems: list = field(default_factory=list)
    census: Census = field(default_factory=Census)
    skipped: str | None = None  # reason, when a required module is missing
    updated_text: str | None = None


def missing_requirements(meta):
    """Names in the page's `doccheck: requires:` that cannot be imported."""
    needs = (meta.get("doccheck") or {}).get("requires") or []
    missing = []
    for name in needs:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def check_page(path, text, update=False, cache=None):
    """Check the page at `path` whose content is `text`.

    `cache`, a dict kept by the caller, reuses the results of running the
    page's code when the code is unchanged (the mutation test changes only
    prose and outputs, and the code is deterministic).
    """
    result = Result(path)
    try:
        page = pagemod.parse(path, text)
    except pagemod.PageError as exc:
        result.problems.append(Problem(exc.line, exc.message))
        return result
    result.problems += [Problem(ln, msg) for ln, msg in page.errors]
    missing = missing_requirements(page.meta)
    if missing:
        result.skipped = f"needs {', '.join(missing)} (not installed)"
        return result

    edits = []  # (start, end, new text) for update mode
    setup_problem, runs, final = _execute_cached(page, cache)
    if setup_problem:
        result.problems.append(setup_problem)
    scopes = _compare_runs(page, runs, result, edits)
    if result.census.executed == result.census.fences - result.census.listings:
        _check_numbers(page, scopes, final, result, edits)
    else:
        # Values depend on all the code; after a failed fence, a mismatch
        # would only be noise.
        result.census.given = sum(
            1 for mk in page.markers if mk.kind == "given"
        )
    if update:
        result.updated_text = _apply(text, edits)
    return result


# --- code --------------------------------------------------------------------


@dataclass
class Run:
    """What running one python fence gave."""

    printed: str = ""
    problem: Problem | None = None  # set if the fence raised
    namespace: dict | None = None  # the names after it ran


def _execute_cached(page, cache):
    if cache is None:
        return _execute(page)
    setup = (page.meta.get("doccheck") or {}).get("setup")
    key = (
        page.path,
        setup,
        tuple((f.start, f.body) for f in page.fences if f.is_python),
    )
    if key not in cache:
        cache[key] = _execute(page)
    return cache[key]


def _execute(page):
    """Run the setup and the python fences in page order.

    Returns (set-up problem or None, [Run or None per python fence],
    final namespace). A listing fence gets None; after the set-up or a
    fence raises, the rest are not run (None).
    """
    namespace = {"__name__": "__doc__", "__file__": page.path}
    runs = []
    setup_problem = _run_setup(page, namespace)
    failed = setup_problem is not None
    for fence in page.fences:
        if not fence.is_python:
            continue
        if fence.is_listing or failed:
            runs.append(None)
            continue
        out = io.StringIO()
        problem = _exec(page, fence, namespace, out)
        failed = failed or problem is not None
        runs.append(
            Run(out.getvalue(), problem, None if problem else dict(namespace))
        )
    return setup_problem, runs, namespace


def _run_setup(page, namespace):
    """Run the front matter's hidden set-up code; returns a Problem or None."""
    setup = (page.meta.get("doccheck") or {}).get("setup")
    if not setup:
        return None
    try:
        exec(compile(setup, f"{page.path}:front-matter", "exec"), namespace)
    except Exception as exc:  # noqa: BLE001 - reported at the page line
        return Problem(
            1, f"front matter setup raised {type(exc).__name__}: {exc}"
        )
    return None


def _compare_runs(page, runs, result, edits):
    """Compare each fence's printed output with the block after it.

    Returns [(offset, namespace)]: the names as they stood after each
    fence, so that a marker is evaluated against the code above it.
    """
    census = result.census
    fences = page.fences
    scopes = []
    python = iter(runs)
    not_run = []
    for i, fence in enumerate(fences):
        if not fence.is_python:
            continue
        census.fences += 1
        run = next(python)
        if fence.is_listing:
            census.listings += 1
            continue
        if run is None:
            not_run.append(fence)
            continue
        if run.problem:
            result.problems.append(run.problem)
            continue
        census.executed += 1
        scopes.append((page.lines.offset(fence.end + 1), run.namespace))
        following = fences[i + 1] if i + 1 < len(fences) else None
        if (
            following is not None
            and following.is_output
            and _adjacent(page.text, fence, following)
        ):
            census.outputs += 1
            _compare_output(page, following, run.printed, result, edits)
        elif run.printed:
            result.problems.append(
                Problem(
                    fence.end,
                    "this fence prints output but the page shows no "
                    '```text title="Output" block right after it; printed:\n'
                    + _indent(run.printed),
                )
            )
    if not_run:
        result.problems.append(
            Problem(
                not_run[0].start,
                f"{len(not_run)} python fence(s) from here on "
                "were not run because of the error above",
            )
        )
    return scopes


def _exec(page, fence, namespace, out):
    """Run one fence; returns None, or a Problem at the line that raised."""
    filename = page.path
    # Pad with blank lines so that line numbers in tracebacks and in
    # SyntaxErrors are the page's own.
    source = "\n" * fence.start + fence.body
    linecache.cache[filename] = (
        len(page.text),
        None,
        page.text.splitlines(True),
        filename,
    )
    try:
        code = compile(source, filename, "exec")
        with contextlib.redirect_stdout(out):
            exec(code, namespace)
    except SyntaxError as exc:
        return Problem(
            exc.lineno or fence.start,
            f"SyntaxError in python fence: {exc.msg}",
        )
    except BaseException as exc:  # noqa: BLE001 - reported with its line
        if isinstance(exc, KeyboardInterrupt):
            raise
        line, where = _page_line(exc, filename, fence)
        return Problem(
            line, f"python fence raised {type(exc).__name__}: {exc}{where}"
        )
    return None


def _page_line(exc, filename, fence):
    """The page line that raised, and where in `ref` it ended up."""
    frames = traceback.extract_tb(exc.__traceback__)
    line = fence.start
    for fr in frames:
        if fr.filename == filename:
            line = fr.lineno
    inner = [
        fr
        for fr in frames
        if fr.filename != filename and "/doccheck/" not in fr.filename
    ]
    where = ""
    if inner:
        last = inner[-1]
        where = (
            f"\n  (raised in {_short(last.filename)}:{last.lineno}, "
            f"in {last.name})"
        )
    return line, where


def _short(filename):
    for anchor in ("/src/", "/site-packages/"):
        if anchor in filename:
            return filename.split(anchor, 1)[1]
    return filename


def _adjacent(text, fence, following):
    """True if only blank lines separate the two fences."""
    lines = text.splitlines()[fence.end : following.start - 1]
    return all(not ln.strip() for ln in lines)


def _compare_output(page, fence, printed, result, edits):
    shown = fence.body.rstrip("\n").splitlines()
    got = printed.rstrip("\n").splitlines()
    shown = [ln.rstrip() for ln in shown]
    got = [ln.rstrip() for ln in got]
    if shown == got:
        return
    diff = difflib.unified_diff(
        shown, got, "page shows", "code prints", lineterm="", n=1
    )
    result.problems.append(
        Problem(
            fence.start + 1,
            "output block differs from what the code above "
            "prints (refresh with make docs-update):\n"
            + _indent("\n".join(diff)),
        )
    )
    body = "".join(fence.indent + ln + "\n" if ln else "\n" for ln in got)
    edits.append((fence.body_span[0], fence.body_span[1], body))


def _indent(text):
    return "\n".join("    " + ln for ln in text.rstrip("\n").splitlines())


# --- numbers -----------------------------------------------------------------


def _eval_marker(marker, namespace):
    try:
        tree = ast.parse(marker.expr, mode="eval")
    except SyntaxError as exc:
        return None, f"is not a valid expression: {exc.msg}"
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if not names - set(dir(builtins)):
        return None, (
            "uses no name from the page's code: a value typed "
            "into a marker proves nothing. Tie the number to "
            "code, or mark it <!--given: source-->"
        )
    try:
        return eval(compile(tree, "<marker>", "eval"), namespace), None
    except NameError as exc:
        return None, f"uses an unknown name: {exc}"
    except Exception as exc:  # noqa: BLE001 - reported at the marker
        return None, f"raised {type(exc).__name__}: {exc}"


def _scope_for(marker, scopes, final):
    """Names after the last fence above the marker; the final names for a
    marker above all code (an introduction that states a result)."""
    before = [ns for offset, ns in scopes if offset <= marker.start]
    return before[-1] if before else final


def _check_numbers(page, scopes, final, result, edits):
    census = result.census
    for marker in page.markers:
        if not marker.numbers:
            continue  # already reported by the parser
        if marker.kind == "given":
            target = marker.numbers[-1]
            target.marker = marker
            census.given += 1
            continue
        value, error = _eval_marker(marker, _scope_for(marker, scopes, final))
        if error:
            result.problems.append(
                Problem(marker.line, f"marker <!--= {marker.expr} --> {error}")
            )
            for n in marker.numbers[-1:]:
                n.marker = marker
            continue
        try:
            values = numbers.flatten(value)
        except numbers.ValueProblem as exc:
            result.problems.append(
                Problem(marker.line, f"marker <!--= {marker.expr} -->: {exc}")
            )
            marker.numbers[-1].marker = marker
            continue
        free = [n for n in marker.numbers if n.marker is None]
        if len(values) > len(free):
            result.problems.append(
                Problem(
                    marker.line,
                    f"marker <!--= {marker.expr} --> gives "
                    f"{len(values)} values but only {len(free)} number(s) "
                    f"stand right before it: {[n.text for n in free]}",
                )
            )
            for n in free:
                n.marker = marker
            continue
        for shown, v in zip(
            free[len(free) - len(values) :], values, strict=True
        ):
            shown.marker = marker
            census.checked += 1
            try:
                expected = numbers.render(shown.text, v)
            except numbers.ValueProblem as exc:
                result.problems.append(Problem(shown.line, str(exc)))
                continue
            if expected != shown.text:
                result.problems.append(
                    Problem(
                        shown.line,
                        f"page shows {shown.text} but "
                        f"<!--= {marker.expr} --> gives {v!r}, which reads "
                        f"{expected} at the precision shown",
                    )
                )
                edits.append((shown.start, shown.end, expected))
    for n in page.numbers:
        if n.marker is None:
            result.problems.append(
                Problem(
                    n.line,
                    f"number {n.text} is not checked: tie it to code "
                    "with <!--= expression --> right after it, or mark it "
                    "<!--given: source--> if it is a given fact",
                )
            )


def _apply(text, edits):
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def format_problems(path, problems):
    return "\n".join(
        f"{path}:{p.line}: {p.message}"
        for p in sorted(problems, key=lambda p: p.line)
    )


if __name__ == "__main__":  # pragma: no cover - manual use
    for arg in sys.argv[1:]:
        with open(arg, encoding="utf-8") as fh:
            res = check_page(arg, fh.read())
        print(format_problems(arg, res.problems) or f"{arg}: ok")

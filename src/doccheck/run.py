"""Run one page: execute its code, compare outputs, check its numbers.

`check_page` never raises for a problem in the page: it returns every
problem as a `Problem(line, message)` so the report can list them all at
`file:line`. `update=True` also returns the page text rewritten from the
computed outputs and values (the contributor's refresh).
"""

import ast
import builtins
import contextlib
import copy
import difflib
import importlib
import io
import linecache
import os
import re
import sys
import traceback
from dataclasses import dataclass, field

import numpy as np

from doccheck import formula as formulamod
from doccheck import formulas_required, numbers
from doccheck import page as pagemod

#: Set by doccheck.isolate in a page's process: a shared int that holds
#: the line of the fence that is running, for the time-out report.
CURRENT_LINE = None

#: Longest printed output or diff kept in a report (characters).
REPORT_CAP = 4000
#: Most output a fence may print before it is cut (characters).
OUTPUT_CAP = 200_000


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
    formulas: int = 0  # formulas checked by evaluating them
    notation: int = 0  # formulas marked as notation

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
    if isinstance(needs, str):  # parse() rejects it; never read letters
        needs = [needs]
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
        reason = f"needs {', '.join(missing)} (not installed)"
        if os.environ.get("CI"):
            result.problems.append(
                Problem(
                    1,
                    f"{reason}: CI installs every requirement, so "
                    "the page cannot be skipped there",
                )
            )
        else:
            result.skipped = reason
        return result

    edits = []  # (start, end, new text) for update mode
    setup_problem, runs, final = _execute_cached(page, cache)
    if setup_problem:
        result.problems.append(setup_problem)
    scopes = _compare_runs(page, runs, result, edits)
    # With a cache, the page's code ran once and its namespaces are kept:
    # a marker or formula seen before against the same namespace gives the
    # same answer (the mutation test re-checks a page hundreds of times,
    # each time with one number or output line changed).
    memo = None if cache is None else cache.setdefault(_MEMO, {})
    if result.census.executed == result.census.fences - result.census.listings:
        _check_numbers(page, scopes, final, result, edits, memo)
        _check_formulas(page, scopes, final, result, memo)
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


#: The key in a check cache under which evaluated markers and formulas are
#: kept, by (expression, id of the namespace they were evaluated in).
_MEMO = "evaluated"


def _remember(memo, key, compute):
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


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
        out = _CappedIO()
        problem = _exec(page, fence, namespace, out)
        failed = failed or problem is not None
        runs.append(
            Run(
                out.getvalue(),
                problem,
                None if problem else _snapshot(namespace),
            )
        )
    return setup_problem, runs, namespace


class _CappedIO(io.StringIO):
    """stdout for a fence: keeps the first OUTPUT_CAP characters."""

    def write(self, text):
        room = OUTPUT_CAP - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)


def _snapshot(namespace):
    """The names as they are now: arrays and lists are copied, so that a
    later fence that changes one in place does not change what a marker
    above it reads."""
    out = dict(namespace)
    for key, value in namespace.items():
        if isinstance(value, np.ndarray):
            out[key] = value.copy()
        elif isinstance(value, list | dict | set) and len(value) < 10_000:
            try:
                out[key] = copy.deepcopy(value)
            except Exception:  # noqa: BLE001 - keep the original
                pass
    return out


def _cap(text, limit=None):
    limit = limit or REPORT_CAP
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit} more characters)"


#: Modules a page must not patch: its own checker, ref, and what both use.
GUARDED = ("ref", "doccheck", "numpy", "builtins", "math")


def tamper_snapshot():
    """id() of every attribute of the guarded modules."""
    snap = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in GUARDED:
            continue
        if name.startswith("numpy.") and name.count(".") > 1:
            continue
        try:
            attrs = dict(vars(module))
        except TypeError:
            continue
        snap[name] = {k: id(v) for k, v in attrs.items()}
    return snap


def tamper_problems(before):
    """Problems for guarded module attributes that changed."""
    changed = []
    after = tamper_snapshot()
    for name, attrs in before.items():
        now = after.get(name, {})
        for key, ident in attrs.items():
            if key.startswith("__") or key in ("CURRENT_LINE",):
                continue
            if now.get(key) != ident:
                changed.append(f"{name}.{key}")
    if not changed:
        return []
    return [
        Problem(
            1,
            f"the page changed {', '.join(sorted(changed)[:5])}: a page "
            "must not patch ref, the checker, numpy or builtins",
        )
    ]


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
                    + _indent(_cap(run.printed)),
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
    if CURRENT_LINE is not None:
        CURRENT_LINE.value = fence.start
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
        if type(exc).__name__ == "PageTimeout":
            exc.line = line
            raise
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


def output_lines(text):
    """Printed text as the page can show it: lines without trailing spaces.

    Editors strip trailing whitespace from a page, and trailing newlines
    are invisible, so neither counts as a difference. Every comparison of
    printed output with a page (the checker, the notebook test) uses this.
    """
    return [ln.rstrip() for ln in text.rstrip("\n").splitlines()]


def _compare_output(page, fence, printed, result, edits):
    shown = output_lines(fence.body)
    got = output_lines(printed)
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
            + _indent(_cap("\n".join(diff))),
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
    trick = _trick(tree)
    if trick:
        return None, trick
    code = compile(tree, "<marker>", "eval")
    try:
        with np.errstate(all="ignore"):
            value = eval(code, namespace)  # noqa: S307 - the page's own
    except NameError as exc:
        return None, f"uses an unknown name: {exc}"
    except Exception as exc:  # noqa: BLE001 - reported at the marker
        return None, f"raised {type(exc).__name__}: {exc}"
    if not _depends(code, names, namespace, value):
        return None, (
            "gives the same value whatever the page computes (a constant "
            "with the names multiplied away?): the value must come from "
            "the page's code or ref"
        )
    return value, None


#: What a marker may not use: it states a value, it does not run code.
FORBIDDEN_CALLS = {
    "eval",
    "exec",
    "compile",
    "open",
    "globals",
    "locals",
    "vars",
    "getattr",
    "setattr",
    "delattr",
    "__import__",
    "input",
    "breakpoint",
}


def _trick(tree):
    """A message if the marker's expression uses a construct that can hide
    a typed-in value (a lambda, a dunder, eval), else None."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda | ast.NamedExpr):
            kind = "a lambda" if isinstance(node, ast.Lambda) else ":="
            return f"uses {kind}: a marker is a plain expression"
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            return f"uses {node.id}: a marker may not reach into internals"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return f"uses .{node.attr}: a marker may only use public names"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FORBIDDEN_CALLS
        ):
            return f"calls {node.func.id}(): a marker states a value"
    return None


#: (seed, what to change): values three times, then sizes and keys.
_PERTURBATIONS = ((1, "values"), (2, "values"), (3, "values"), (4, "shape"))


def _depends(code, names, namespace, value):
    """True if the value changes when the page's values change.

    The names the marker uses are replaced by perturbed copies (numbers
    and arrays with random noise, functions with noisy results); if no
    name can be perturbed there is nothing to test and it passes.
    """
    page_names = [n for n in names if n in namespace]
    try:
        base = np.asarray(numbers_flat(value), dtype=float)
    except Exception:  # noqa: BLE001 - flatten reports it later
        return True
    any_touched = False
    for seed, mode in _PERTURBATIONS:
        rng = np.random.default_rng(seed)
        ns = dict(namespace)
        touched = False
        for n in page_names:
            new, changed = _perturb(namespace[n], rng, mode=mode)
            if changed:
                ns[n], touched = new, True
        if not touched:
            continue
        any_touched = True
        try:
            with np.errstate(all="ignore"):
                other = eval(code, ns)  # noqa: S307
            other = np.asarray(numbers_flat(other), dtype=float)
        except Exception:  # noqa: BLE001 - it changed (it broke)
            return True
        if other.shape != base.shape or not np.array_equal(
            other, base, equal_nan=True
        ):
            return True
    return not any_touched


def numbers_flat(value):
    return numbers.flatten(value)


#: How deep into nested lists, tuples and dicts the perturbation reaches.
_DEPTH = 6


def _perturb(value, rng, depth=0, mode="values"):
    """(changed copy, True) for numbers, arrays, containers, functions.

    mode "values" changes every number by random noise; mode "shape"
    grows every array, list and string by one entry and shifts the
    numeric keys of dicts (for markers that state a size or a key).
    """
    if depth > _DEPTH or isinstance(value, bool | np.bool_):
        return value, False
    if mode == "shape":
        return _grow(value, rng, depth)
    if isinstance(value, range):
        shift = int(rng.integers(1, 5))
        return range(value.start + shift, value.stop + shift, value.step), True
    if isinstance(value, int | float | np.number) and np.isreal(value):
        if isinstance(value, int | np.integer):
            scaled = int(value * rng.uniform(0.5, 2.0))
            return scaled + int(rng.integers(1, 5)), True
        return float(value) * rng.uniform(0.5, 2.0) + rng.normal(), True
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.number):
        if np.issubdtype(value.dtype, np.integer):
            scaled = (value * rng.uniform(0.5, 2.0, value.shape)).astype(
                value.dtype
            )
            return scaled + rng.integers(1, 5, value.shape), True
        noise = rng.uniform(0.5, 2.0, value.shape)
        return value * noise + rng.normal(size=value.shape), True
    if isinstance(value, list | tuple):
        items = [_perturb(v, rng, depth + 1) for v in value]
        out = [v for v, _ in items]
        if isinstance(value, tuple):
            out = tuple(out)
        return out, any(c for _, c in items)
    if isinstance(value, dict):
        items = {k: _perturb(v, rng, depth + 1) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(
            c for _, c in items.values()
        )
    if callable(value) and not isinstance(value, type):

        def noisy(*args, **kwargs):
            return _perturb(value(*args, **kwargs), rng, depth + 1)[0]

        return noisy, True
    return value, False


def _grow(value, rng, depth):
    if isinstance(value, np.ndarray) and value.ndim:
        return np.pad(value, 1, mode="edge"), True
    if isinstance(value, range):
        return range(value.start - 1, value.stop, value.step), True
    if isinstance(value, str) and value:
        return value[-1:] + value, True  # one more, and indices shift
    if isinstance(value, list | tuple) and value and depth <= _DEPTH:
        # One more entry (so indices shift), and each entry grown too, so
        # that a size read from an element also moves.
        items = [_grow(v, rng, depth + 1)[0] for v in value]
        grown = items[-1:] + items
        return (tuple(grown) if isinstance(value, tuple) else grown), True
    if isinstance(value, dict) and value:
        out, changed = {}, False
        for k, v in value.items():
            if isinstance(k, int | float) and not isinstance(k, bool):
                k, changed = k + 1, True
            v, c = _grow(v, rng, depth + 1)
            out[k] = v
            changed = changed or c
        return out, changed
    return value, False


def scopes_of(page, cache):
    """([(offset, names)], final names) of the page's one (cached) run."""
    _, runs, final = _execute_cached(page, cache)
    scopes = []
    python = [f for f in page.fences if f.is_python]
    for fence, run in zip(python, runs, strict=True):
        if run is not None and run.namespace is not None:
            scopes.append((page.lines.offset(fence.end + 1), run.namespace))
    return scopes, final


def scope_for(marker, scopes, final):
    return _scope_for(marker, scopes, final)


def _scope_for(marker, scopes, final):
    """Names after the last fence above the marker; the final names for a
    marker above all code (an introduction that states a result)."""
    before = [ns for offset, ns in scopes if offset <= marker.start]
    return before[-1] if before else final


def _check_numbers(page, scopes, final, result, edits, memo=None):
    census = result.census
    for marker in page.markers:
        if not marker.numbers:
            continue  # already reported by the parser
        if marker.kind == "given":
            target = marker.numbers[-1]
            target.marker = marker
            census.given += 1
            continue
        ns = _scope_for(marker, scopes, final)
        value, error = _remember(
            memo,
            ("=", marker.expr, id(ns)),
            lambda: _eval_marker(marker, ns),  # noqa: B023 - called now
        )
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
            suffix_problem = _suffix_problem(shown, marker)
            if suffix_problem:
                result.problems.append(Problem(shown.line, suffix_problem))
                continue
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


# --- formulas ----------------------------------------------------------------


def _check_formulas(page, scopes, final, result, memo=None):
    """Evaluate every formula with a marker; require one if the page asks."""
    required = formulas_required(page.path, page.meta)
    for f in page.formulas:
        marker = f.marker
        if marker is None:
            if required and formulamod.states_something(f.latex, f.display):
                result.problems.append(
                    Problem(
                        f.line,
                        f"formula ${_clip(f.latex)}$ is not checked: add "
                        "<!--% --> right after it (with bindings or "
                        "'= reference' as needed), or <!--% notation: "
                        "reason --> if it only defines notation",
                    )
                )
            continue
        ns = _scope_for(marker, scopes, final)
        outcome = _remember(
            memo,
            ("%", f.latex, marker.expr, id(ns)),
            lambda: formulamod.check_formula(f.latex, marker.expr, ns),  # noqa: B023
        )
        if outcome.problems:
            for message in outcome.problems:
                result.problems.append(Problem(f.line, message))
        elif formulamod.parse_spec(marker.expr).notation:
            result.census.notation += 1
        else:
            result.census.formulas += 1


def _clip(text, width=50):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


#: A number shown with one of these suffixes is in that unit; its marker
#: must divide by the unit (spelled in any of these ways).
SCALES = {
    "k": ("1e3", "1_000", "1000", "10**3"),
    "K": ("1e3", "1_000", "1000", "10**3", "1024"),
    "M": ("1e6", "1_000_000", "10**6"),
    "B": ("1e9", "1_000_000_000", "10**9"),
    "T": ("1e12", "10**12"),
}
NAMES = {
    "k": "thousands",
    "K": "thousands",
    "M": "millions",
    "B": "billions",
    "T": "trillions",
}


def _suffix_problem(shown, marker):
    """A message if the marker does not say the unit the page shows."""
    expr = marker.expr.replace(" ", "")
    if shown.suffix == "%":
        if not re.search(r"(?<![\d.])100(?![\d.])|1e2\b", expr):
            return (
                f"{shown.text}% is a percentage: its marker must say so "
                f"with 100 * (fraction), e.g. <!--= 100 * {marker.expr} -->,"
                " so that 0.88% cannot pass for 88%"
            )
    elif shown.suffix in SCALES:
        spellings = SCALES[shown.suffix]
        if not any(sp in expr for sp in spellings):
            return (
                f"{shown.text}{shown.suffix} is in {NAMES[shown.suffix]}: "
                f"its marker must divide by {spellings[0]} "
                f"(e.g. <!--= count / {spellings[0]} -->)"
            )
        other = [
            sp
            for unit, sps in SCALES.items()
            if unit not in (shown.suffix, "k", "K")
            for sp in sps
            if sp in expr
            and not any(sp in own for own in spellings if own in expr)
        ]
        if other:
            return (
                f"{shown.text}{shown.suffix} is in {NAMES[shown.suffix]} "
                f"but its marker scales by {other[0]}"
            )
    return None


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

"""Check the formulas that `ref`'s docstrings state in plain text.

The API reference page and the lessons' source listings show `ref`'s
docstrings, which write formulas in backticks as plain math, close to
Python: ``sigma'(z) = sigma(z) * (1 - sigma(z))``. Each backticked span
that states something (an ``=``, a ``~`` or a ``<-``) is either evaluated
here, every side at random points and compared to 1e-9, or listed in
``docformulas.toml`` (beside this module) as notation, with a reason.

The notation read here:

- ``a b`` and ``2 (w - 3)``: a space between two terms multiplies them;
  ``f(x)``, with no space, calls ``f``; ``log a_i`` applies a known
  function to one term;
- ``x**2`` or ``x^2``: a power; ``|x|``: an absolute value;
- ``f'(z)``: the derivative, the Python name ``f_prime``;
- ``sum_i X``: the sum over ``i`` of the term after it; a name with the
  suffix ``_i`` of a summed index (``y_hat_i``) is a vector (``y_hat``);
- ``a = b = c``: every side must be equal; ``a ~ b``: equal within the
  tolerance the TOML gives (``tol``, default 1e-6).

Names: the call on the left of the first ``=`` is the documented function
itself (``sigma(z)`` in ``sigmoid``'s docstring; its other parameters are
drawn by name); a few names the site uses for `ref` functions (``sigma``,
``Phi``, ``phi``); the documented function's module; NumPy's ``exp``,
``log``, ``sqrt``, ``tanh``, ``erf``, ``pi``; and the TOML's ``bind``,
which maps a piece of the formula's text to a Python expression. Every
other name is a random draw.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The page checker's settings: points, tolerances, draws.
from doccheck.formula import (
    APPROX_TOL,
    ARRAY_LEN,
    ATOL,
    NARROW,
    POINTS,
    RTOL,
    WIDE,
    _brief,
    _erf,
    _max,
    _Ref,
    distinct_variants,
)

MAX_TOL = 1e-2  # a looser "~" says nothing
MIN_FINITE = 3  # points where every side must be a finite number

TOML = Path(__file__).with_name("docformulas.toml")
REF = Path(__file__).resolve().parent.parent / "ref"

#: A backticked span of a docstring.
SPAN = re.compile(r"``?([^`\n]+?)``?")
#: A span states something when it has one of these.
STATES = re.compile(r"(?<![=<>!])=(?!=)|\s~\s|<-")


class PlainMathError(Exception):
    """A formula the checker cannot read or evaluate; the message says
    what, in one line."""


# --- where the formulas are --------------------------------------------------


@dataclass(frozen=True)
class Formula:
    path: str  # src/ref/activations.py
    line: int
    owner: str  # ref.activations.sigmoid
    text: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def formulas(root: Path = REF) -> list[Formula]:
    """Every backticked span that states something, in every docstring
    of the package at ``root``."""
    found = []
    for path in sorted(root.glob("*.py")):
        module = f"ref.{path.stem}" if path.stem != "__init__" else "ref"
        rel = f"src/ref/{path.name}"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for node, owner in _documented(tree, module):
            body = getattr(node, "body", None)
            if not (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                continue
            doc = body[0].value
            for m in SPAN.finditer(doc.value):
                if STATES.search(m[1]):
                    line = doc.lineno + doc.value.count("\n", 0, m.start())
                    found.append(Formula(rel, line, owner, m[1].strip()))
    return found


def _documented(tree, module):
    yield tree, module
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            yield node, f"{module}.{node.name}"
            if isinstance(node, ast.ClassDef):
                for sub in node.body:
                    if isinstance(sub, ast.FunctionDef):
                        yield sub, f"{module}.{node.name}.{sub.name}"


# --- the marks ---------------------------------------------------------------


@dataclass
class Mark:
    """What docformulas.toml says about one formula."""

    notation: str | None = None
    bind: dict | None = None
    tol: float | None = None
    positive: bool = False  # draw every name in NARROW only
    ints: list | None = None  # names drawn as whole numbers 1 to 16
    vectors: list | None = None  # names drawn as vectors


def load_marks(path: Path = TOML) -> dict[tuple[str, str], Mark]:
    """{(owner, formula text): Mark}. The TOML has one table per owner
    (``["ref.activations.sigmoid"]``), and in it one inline table per
    formula, keyed by its text."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    marks = {}
    for owner, entries in data.items():
        for text, fields in entries.items():
            unknown = set(fields) - set(Mark.__dataclass_fields__)
            if unknown:
                known = ", ".join(Mark.__dataclass_fields__)
                raise PlainMathError(
                    f"{path.name}: [{owner}] {text!r}: unknown field "
                    f"{sorted(unknown)[0]!r} ({known})"
                )
            mark = Mark(**fields)
            if mark.tol is not None and not 0 < mark.tol <= MAX_TOL:
                raise PlainMathError(
                    f"{path.name}: [{owner}] {text!r}: tol must be in "
                    f"(0, {MAX_TOL}], got {mark.tol}"
                )
            if mark.notation is not None and len(mark.notation) < 8:
                raise PlainMathError(
                    f"{path.name}: [{owner}] {text!r}: 'notation' needs a "
                    "reason (a few words on what the formula defines)"
                )
            marks[owner, text] = mark
    return marks


# --- reading plain math ------------------------------------------------------

TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<num>\d+(?:\.\d+)?(?:e-?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*'*)"
    r"|(?P<op>\*\*|<-|[-+*/^()\[\],=~|])"
)

#: Functions a plain formula may apply without parentheses: ``log a_i``.
PREFIX = {"log", "exp", "sqrt", "tanh", "sigma", "sigmoid", "mean"}
#: Index suffixes: ``y_hat_i`` is the vector ``y_hat``.
INDICES = ("i", "j", "k")
RELATIONS = {"=", "~", "<-"}


@dataclass
class Tok:
    kind: str
    text: str
    spaced: bool  # whitespace before it


def tokenize(text: str) -> list[Tok]:
    toks, pos, spaced = [], 0, False
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:
            raise PlainMathError(f"cannot read {text[pos : pos + 12]!r}")
        pos = m.end()
        if m.lastgroup == "space":
            spaced = True
            continue
        toks.append(Tok(m.lastgroup, m[0], spaced))
        spaced = False
    return toks


class Reader:
    """Plain math to Python source: one string per side."""

    def __init__(self, text: str):
        self.toks = tokenize(text)
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self, text=None):
        tok = self.peek()
        if tok is None or (text is not None and tok.text != text):
            want = repr(text) if text else "more"
            got = repr(tok.text) if tok else "the end"
            raise PlainMathError(f"expected {want}, found {got}")
        self.i += 1
        return tok

    def sides(self) -> tuple[list[str], list[str]]:
        """([python of each side], [relation between each pair])."""
        sides, rels = [self.expr()], []
        while self.peek() is not None and self.peek().text in RELATIONS:
            rels.append(self.take().text)
            sides.append(self.expr())
        if self.peek() is not None:
            raise PlainMathError(f"unexpected {self.peek().text!r}")
        return sides, rels

    def expr(self):
        out = self.term()
        while self.peek() is not None and self.peek().text in "+-":
            op = self.take().text
            out = f"{out} {op} {self.term()}"
        return out

    def starts_term(self, tok):
        return tok is not None and (
            tok.kind in ("num", "name") or tok.text in ("(", "[")
        )

    def term(self):
        out = self.unary()
        while True:
            tok = self.peek()
            if tok is not None and tok.text in ("*", "/"):
                op = self.take().text
                out = f"{out} {op} {self.unary()}"
            elif self.starts_term(tok):  # juxtaposed: a product
                out = f"{out} * {self.unary()}"
            else:
                return out

    def unary(self):
        tok = self.peek()
        if tok is not None and tok.text in "+-" and tok.kind == "op":
            self.take()
            return f"({tok.text}{self.unary()})"
        return self.power()

    def power(self):
        base = self.postfix()
        tok = self.peek()
        if tok is not None and tok.text in ("**", "^"):
            self.take()
            return f"{base} ** {self.unary()}"
        return base

    def postfix(self):
        out, callable_ = self.atom()
        while True:
            tok = self.peek()
            if tok is None or tok.spaced:
                return out
            if tok.text == "(" and callable_:
                self.take()
                args = [self.expr()]
                while self.peek() is not None and self.peek().text == ",":
                    self.take()
                    args.append(self.expr())
                self.take(")")
                out = f"{out}({', '.join(args)})"
            elif tok.text == "[" and callable_:
                raise PlainMathError("indexing (x[i, j]) is not read")
            else:
                return out
            callable_ = False

    def atom(self):
        tok = self.take()
        if tok.kind == "num":
            return tok.text, False
        if tok.text in ("(", "["):
            close = ")" if tok.text == "(" else "]"
            items = [self.expr()]
            while tok.text == "(" and self.peek() and self.peek().text == ",":
                self.take()
                items.append(self.expr())
            self.take(close)
            if len(items) > 1:  # a vector: (a, b)
                return f"np.array([{', '.join(items)}])", False
            return f"({items[0]})", False
        if tok.text == "|":
            inner = self.expr()
            self.take("|")
            return f"abs({inner})", False
        if tok.kind != "name":
            raise PlainMathError(f"unexpected {tok.text!r}")
        if re.fullmatch(r"sum_\w", tok.text):
            return f"_sum({self.term()})", False
        name = self.name(tok.text)
        nxt = self.peek()
        if tok.text in PREFIX and nxt is not None and nxt.spaced:
            if nxt.kind == "name" or nxt.text == "(":
                return f"{name}({self.power()})", False
        return name, True

    def name(self, text):
        primes = len(text) - len(text.rstrip("'"))
        base = text.rstrip("'")
        for index in INDICES:
            if base.endswith("_" + index) and len(base) > 2:
                base = base[: -len(index) - 1]
        if base in ("lambda", "sum", "abs") or base.startswith("_"):
            base += "_"
        return base + "_prime" * primes


# --- evaluation --------------------------------------------------------------


def _table():
    from ref import activations as act

    return {
        "exp": np.exp,
        "log": np.log,
        "sqrt": np.sqrt,
        "tanh": np.tanh,
        "erf": _erf,
        "pi": np.pi,
        "max": _max,
        "abs": np.abs,
        "_sum": np.sum,
        "mean": np.mean,
        "sigma": act.sigmoid,
        "sigmoid": act.sigmoid,
        "softmax": act.softmax,
        "sigma_prime": act.sigmoid_prime,
        "Phi": act.normal_cdf,
        "phi": act.normal_pdf,
    }


def _owner(owner: str):
    """(the documented object, its module) for ``ref.mod.name``."""
    parts = owner.split(".")
    module = importlib.import_module(".".join(parts[:2]))
    obj = module
    for part in parts[2:]:
        obj = getattr(obj, part)
    return obj, module


def check(formula: Formula, mark: Mark | None, seed: int = 0) -> list[str]:
    """Problems with one formula, each a one-line message."""
    if mark is not None and mark.notation is not None:
        return []
    mark = mark or Mark()
    text = formula.text
    binds = mark.bind or {}
    for piece in binds:
        if not re.search(_piece(piece), text):
            return [f"binding {piece!r} is not in the formula"]
    bound = {f"BIND{k}": expr for k, expr in enumerate(binds.values())}
    if binds:  # all at once, longest first, whole names only
        order = sorted(enumerate(binds), key=lambda kp: -len(kp[1]))
        pattern = "|".join(f"(?P<b{k}>{_piece(p)})" for k, p in order)
        text = re.sub(pattern, lambda m: "BIND" + m.lastgroup[1:], text)
    try:
        sides, rels = Reader(text).sides()
    except PlainMathError as exc:
        return [f"cannot read it: {exc}"]
    if "<-" in rels:
        return ["an update (<-) is not evaluated: mark it as notation"]
    obj, module = _owner(formula.owner)
    names = _table()
    names.update(
        {k: v for k, v in vars(module).items() if not k.startswith("__")}
    )
    trees = [
        ast.parse(code, mode="eval") for code in [*sides, *bound.values()]
    ]
    lhs = trees[0].body
    head = None
    if isinstance(lhs, ast.Call) and isinstance(lhs.func, ast.Name):
        head = lhs.func.id
    free = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in names:
                free.add(node.id)
    free -= set(bound) | {"np", "ref"} | ({head} if head else set())
    if isinstance(lhs, ast.Name) and lhs.id in free:
        return [
            f"it defines {lhs.id!r}, so it checks nothing: bind "
            f"{lhs.id!r} to what computes it, or mark it as notation"
        ]
    ints = set(mark.ints or ())
    vectors = {n for n in free if _indexed(n, text)} | set(mark.vectors or ())
    called = []
    for k, v in names.items():
        if callable(v) and getattr(v, "__module__", "").startswith("ref"):
            names[k] = _spy(v, called)
    codes = [compile(tree, "<formula>", "eval") for tree in trees]
    side_codes = codes[: len(sides)]
    bound_codes = dict(zip(bound, codes[len(sides) :], strict=True))
    rng = np.random.default_rng(seed)
    finite = 0
    for point in range(POINTS):
        low, high = NARROW if mark.positive or point < POINTS // 2 else WIDE
        draws = {
            n: (
                int(rng.integers(1, 17))
                if n in ints
                else rng.uniform(low, high, ARRAY_LEN)
                if n in vectors
                else float(rng.uniform(low, high))
            )
            for n in sorted(free)
        }
        ns = {**names, **draws}
        if head is not None and callable(obj):
            ns[head] = _spy(_with_params(obj, draws), called)
        try:
            for k, code in bound_codes.items():
                ns[k] = eval(code, {"np": np, "ref": _Ref()}, ns)  # noqa: S307
            values = [eval(c, {"np": np}, ns) for c in side_codes]  # noqa: S307
        except Exception as exc:  # noqa: BLE001 - reported, with the point
            return [f"{type(exc).__name__}: {exc}{_at(draws)}"]
        try:
            arrays = [np.asarray(v, dtype=float) for v in values]
        except (TypeError, ValueError) as exc:
            return [f"a side is not a number: {exc}"]
        if not all(np.all(np.isfinite(a)) for a in arrays):
            continue
        finite += 1
        for k, rel in enumerate(rels):
            tol = (mark.tol or APPROX_TOL) if rel == "~" else RTOL
            a, b = arrays[0], arrays[k + 1]
            if a.shape != b.shape or not np.allclose(
                a, b, rtol=tol, atol=max(tol, ATOL)
            ):
                return [
                    f"side {k + 2} is {_brief(b)}, not {_brief(a)}{_at(draws)}"
                ]
    if not called:
        return [
            "nothing in it calls ref, so it checks arithmetic, not the "
            "code: bind a side to the ref function that computes it"
        ]
    if finite < MIN_FINITE:
        return [
            f"finite at only {finite} of {POINTS} points: draw positive "
            "values (positive = true) or bind the names"
        ]
    return []


def _spy(func, called):
    def spied(*args, **kwargs):
        called.append(func)
        return func(*args, **kwargs)

    return spied


def _piece(piece):
    """A regex for ``piece`` of a formula, not inside a longer name."""
    out = re.escape(piece)
    if re.match(r"\w", piece):
        out = r"(?<![\w'])" + out
    if re.search(r"[\w']$", piece):
        out += r"(?![\w'])"
    return out


def _indexed(name, text):
    return any(re.search(rf"\b{re.escape(name)}_{i}\b", text) for i in INDICES)


def _with_params(func, draws):
    """``func`` called with the formula's arguments, and its other
    parameters taken from the draws by name."""
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return func

    def call(*args):
        rest = {p: draws[p] for p in params[len(args) :] if p in draws}
        return func(*args, **rest)

    return call


def _at(draws):
    shown = [
        f"{k}={v:.3g}" for k, v in draws.items() if isinstance(v, (float, int))
    ]
    return f" (at {', '.join(shown[:5])})" if shown else ""


def check_all(root: Path = REF, toml: Path = TOML) -> tuple[int, list[str]]:
    """(formulas evaluated, problems as 'file:line: message')."""
    marks = load_marks(toml)
    found = formulas(root)
    problems, checked, used = [], 0, set()
    for f in found:
        mark = marks.get((f.owner, f.text))
        used.add((f.owner, f.text))
        for p in check(f, mark):
            problems.append(f"{f.where}: `{f.text}` in {f.owner}: {p}")
        if mark is None or mark.notation is None:
            checked += 1
    for owner, text in sorted(set(marks) - used):
        problems.append(
            f"{toml.name}: [{owner}] {text!r} matches no formula in a "
            "docstring (edited or removed? update or drop the entry)"
        )
    return checked, problems


# --- mutants -----------------------------------------------------------------

#: A number that is not part of a name (x1, head_1).
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
POWER = re.compile(r"\*\*(?:(\d)|\(([^()]*)\)|([A-Za-z_]\w*))")


def variants(text: str) -> list[tuple[str, str]]:
    """(kind, mutated text) for one formula: a digit, a sign, a power, a
    product made a quotient, each changed in every place it occurs."""
    out = []
    for m in NUMBER.finditer(text):
        j = m.end() - 1
        new = str((int(text[j]) + 1) % 10)
        out.append(("digit", text[:j] + new + text[j + 1 :]))
    for m in re.finditer(r"(?<![*<])[-+](?!>)", text):
        before = text[: m.start()].rstrip()
        if m[0] == "-" and (not before or before[-1] in "([=,~"):
            new = ""  # a leading minus: drop it
        else:
            new = "+" if m[0] == "-" else "-"
        out.append(("sign", text[: m.start()] + new + text[m.end() :]))
    for m in POWER.finditer(text):
        if m[1]:
            new = f"**{(int(m[1]) + 1) % 10 or 10}"
        else:
            new = f"**({m[2] or m[3]} + 1)"
        out.append(("power", text[: m.start()] + new + text[m.end() :]))
    for m in re.finditer(r"(?<!\*)[*/](?!\*)", text):
        new = "/" if m[0] == "*" else "*"
        out.append(("operator", text[: m.start()] + new + text[m.end() :]))
    return distinct_variants(text, out)


def mutation_report(root: Path = REF, toml: Path = TOML):
    """({module: (mutants, caught)}, [surviving 'file:line: mutant'])
    over every evaluated formula: each mutant is checked with the marks
    of the formula it came from."""
    marks = load_marks(toml)
    per_module, survivors = {}, []
    for f in formulas(root):
        mark = marks.get((f.owner, f.text))
        if mark is not None and mark.notation is not None:
            continue
        total, caught = per_module.get(f.path, (0, 0))
        for kind, text in variants(f.text):
            mutant = Formula(f.path, f.line, f.owner, text)
            total += 1
            if check(mutant, mark):
                caught += 1
            else:
                survivors.append(f"{f.where}: {kind}: `{text}`")
        per_module[f.path] = (total, caught)
    return per_module, survivors

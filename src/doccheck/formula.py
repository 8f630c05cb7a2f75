"""Check a LaTeX formula by evaluating it.

A formula marker ``<!--% ... -->`` right after a math span asks the
checker to evaluate the formula (see CONTRIBUTING.md, "Checking a
formula"). This module is a small translator for exactly the notation the
site uses: it reads the LaTeX into a tree, binds its symbols (the marker's
bindings, a default table of `ref` functions, random draws for the rest)
and evaluates the tree with NumPy at several points.

Marker body, parts separated by ``;``:

- ``SYMBOL: python expression``: bind a LaTeX symbol (as written, spaces
  and braces ignored) to a value of the page, e.g. ``W^{l+1}: W2``;
- ``= python expression``: the formula's value (its last side) must equal
  this, e.g. ``= sigmoid_prime(z)``;
- ``notation: reason``: the formula defines notation, nothing to check;
- ``tol: 1e-4``: tolerance for ``\\approx``.

Python expressions see the page's names, ``np``, ``ref`` and the drawn
symbols by their Python names (``\\eta`` -> ``eta``, ``\\hat m`` ->
``m_hat``, ``n_\\text{in}`` -> ``n_in``, ``\\beta_1`` -> ``beta_1``).
"""

import functools
import keyword
import math
import re
from dataclasses import dataclass, field

import numpy as np

POINTS = 6  # random points per formula
RTOL = ATOL = 1e-9
APPROX_TOL = 1e-6  # the default tolerance of \approx
ARRAY_LEN = 4  # length of a random vector drawn for an indexed symbol
NARROW = (0.1, 2.0)  # draws for the first half of the points
WIDE = (-2.0, 2.0)  # and for the second half


class FormulaError(Exception):
    """A formula or marker the checker cannot read; the message says why."""


# --- the marker --------------------------------------------------------------


@dataclass
class Spec:
    bindings: list = field(default_factory=list)  # [(latex key, python)]
    reference: str | None = None
    notation: str | None = None
    tol: float | None = None


def parse_spec(body):
    """Parse the text of ``<!--% body -->``."""
    spec = Spec()
    parts = [p.strip() for p in _split_top(body, ";")]
    for part in parts:
        if not part:
            continue
        if part.startswith("="):
            if spec.reference is not None:
                raise FormulaError("marker has two '= ...' references")
            spec.reference = part[1:].strip()
            if not spec.reference:
                raise FormulaError("'=' with no expression after it")
            continue
        key, sep, value = part.partition(":")
        if not sep:
            raise FormulaError(
                f"cannot read {part!r}: write 'SYMBOL: expression', "
                "'= expression' or 'notation: reason'"
            )
        key, value = key.strip(), value.strip()
        if key == "notation":
            if len(value) < 8:
                raise FormulaError(
                    "'notation:' needs a reason (a few words on what the "
                    "formula defines)"
                )
            spec.notation = value
        elif key == "tol":
            try:
                spec.tol = float(value)
            except ValueError:
                raise FormulaError(f"tol: {value!r} is not a number") from None
        else:
            if not value:
                raise FormulaError(f"binding {key!r} has no expression")
            spec.bindings.append((key, value))
    if spec.notation and (spec.bindings or spec.reference):
        raise FormulaError("a notation marker cannot also bind or compare")
    return spec


def _split_top(text, sep):
    """Split at `sep` outside brackets and quotes."""
    out, depth, cur, quote = [], 0, [], None
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch == '"':
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


# --- tokens ------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def normalize(latex):
    """A symbol's key: the LaTeX without spaces, braces and \\, \\! etc."""
    text = re.sub(r"\\[,;:! ]|\\q?quad\b", "", latex)
    return re.sub(r"[\s{}]", "", text)


SPACING = {r"\,", r"\;", r"\:", r"\!", r"\ ", r"\quad", r"\qquad"}
IGNORED = {
    r"\left",
    r"\right",
    r"\bigl",
    r"\bigr",
    r"\big",
    r"\Bigl",
    r"\Bigr",
    r"\Big",
    r"\biggl",
    r"\biggr",
    r"\displaystyle",
    r"\limits",
}
TOKEN = re.compile(r"\\[A-Za-z]+|\\[,;:! |{}]|\d+(?:\.\d+)?|[A-Za-z]|\S", re.S)


@dataclass
class Tok:
    kind: str  # 'num', 'cmd', 'char', 'bound'
    text: str
    pos: int


def tokenize(latex, keys):
    """Tokens of `latex`; spans matching a binding key become 'bound'."""
    spans = _bound_spans(latex, keys)
    toks, pos = [], 0
    for start, end, key in spans:
        toks += _plain_tokens(latex[pos:start], pos)
        toks.append(Tok("bound", key, start))
        pos = end
    toks += _plain_tokens(latex[pos:], pos)
    return toks


def _plain_tokens(text, offset):
    out = []
    for m in TOKEN.finditer(text):
        t = m.group()
        if t in SPACING or t in IGNORED:
            continue
        if t[0].isdigit():
            out.append(Tok("num", t, offset + m.start()))
        elif t.startswith("\\") and len(t) > 1:
            out.append(Tok("cmd", t, offset + m.start()))
        else:
            out.append(Tok("char", t, offset + m.start()))
    return out


def _bound_spans(latex, keys):
    """Non-overlapping spans of `latex` whose normalized text is a key."""
    if not keys:
        return []
    # Normalized text with a map back to offsets in `latex`.
    norm, where = [], []
    i = 0
    while i < len(latex):
        m = re.match(r"\\[,;:! ]|\\q?quad(?![A-Za-z])", latex[i:])
        if m:
            i += m.end()
            continue
        ch = latex[i]
        if not ch.isspace() and ch not in "{}":
            norm.append(ch)
            where.append(i)
        i += 1
    norm = "".join(norm)
    found = []
    taken = [False] * len(norm)
    for key in sorted(keys, key=len, reverse=True):
        start = 0
        while True:
            j = norm.find(key, start)
            if j < 0:
                break
            start = j + 1
            k = j + len(key)
            if any(taken[j:k]):
                continue
            a, b = where[j], where[k - 1] + 1
            # extend over closing braces that belong to the key
            while (
                b < len(latex) and latex[b] == "}" and _unbalanced(latex[a:b])
            ):
                b += 1
            if _unbalanced(latex[a:b]):
                continue
            before = latex[a - 1] if a else ""
            after = latex[b] if b < len(latex) else ""
            if before == "\\" or (before.isalpha() and key[0].isalpha()):
                continue
            if before and before in "_^":
                continue
            if (after and after in "_'") or (
                after.isalpha() and key[-1].isalpha() and len(key) > 0
            ):
                continue
            if (
                key[-1].isalpha()
                and re.match(r"\\[A-Za-z]", latex[a:b])
                and re.fullmatch(r"\\[A-Za-z]+", latex[a:b])
                and after.isalpha()
            ):
                continue
            for t in range(j, k):
                taken[t] = True
            found.append((a, b, key))
    return sorted(found)


def _unbalanced(text):
    return text.count("{") != text.count("}")


# --- the tree ----------------------------------------------------------------


@dataclass
class Node:
    op: str
    args: list
    text: str = ""  # for atoms: the key; for cmds: the command


GREEK = set(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta "
    "iota kappa lambda mu nu xi pi rho sigma tau upsilon phi varphi chi "
    "psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega ell".split()
)


class Parser:
    """Recursive descent over the tokens of one formula."""

    RELATIONS = {"=": "=", r"\approx": "~", r"\leftarrow": "<-"}
    FUNCS = {
        r"\log",
        r"\ln",
        r"\exp",
        r"\tanh",
        r"\sin",
        r"\cos",
        r"\sinh",
        r"\cosh",
        r"\max",
        r"\min",
        r"\operatorname",
    }
    UNSUPPORTED = {
        ">": "a comparison",
        "<": "a comparison",
        r"\ge": "a comparison",
        r"\le": "a comparison",
        r"\geq": "a comparison",
        r"\leq": "a comparison",
        r"\to": "a limit",
        r"\sim": "a distribution",
        r"\in": "set membership",
        r"\iff": "an equivalence",
        r"\mid": "a conditional",
        r"\dots": "an ellipsis",
        r"\cdots": "an ellipsis",
        r"\ldots": "an ellipsis",
        r"\infty": "infinity",
        r"\arg": "an argmax",
        r"\nabla": "a gradient",
        r"\partial": "a derivative",
        r"\begin": "an environment",
    }

    def __init__(self, toks, latex):
        self.toks = toks
        self.i = 0
        self.latex = latex

    # helpers
    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self):
        t = self.peek()
        if t is None:
            raise FormulaError("formula ends too early")
        self.i += 1
        return t

    def at(self, text):
        t = self.peek()
        return t is not None and t.kind != "bound" and t.text == text

    def expect(self, text):
        if not self.at(text):
            t = self.peek()
            got = t.text if t else "the end"
            raise FormulaError(f"expected {text!r} but found {got!r}")
        return self.take()

    def fail_unsupported(self, t):
        what = self.UNSUPPORTED.get(t.text)
        if what:
            raise FormulaError(
                f"{t.text} ({what}) cannot be evaluated: bind the part that "
                "holds it to a value of the page (e.g. '\\partial C / "
                "\\partial b: db'), or mark the formula 'notation: reason'"
            )
        raise FormulaError(
            f"{t.text} is not notation the checker knows: bind it "
            f"('{t.text}: python expression') or mark the formula "
            "'notation: reason'"
        )

    # grammar
    def statements(self):
        out = [self.statement()]
        while self.at(",") or self.at(";"):
            self.take()
            if self.peek() is None:
                break
            out.append(self.statement())
        if self.at(".") and self.i == len(self.toks) - 1:
            self.take()  # a display formula that ends its sentence
        if self.peek() is not None:
            t = self.peek()
            if t.text in self.UNSUPPORTED or t.kind == "cmd":
                self.fail_unsupported(t)
            raise FormulaError(f"cannot read the formula from {t.text!r} on")
        return out

    def statement(self):
        sides, rels = [self.expr()], []
        while True:
            t = self.peek()
            if t is None or t.kind == "bound" or t.text not in self.RELATIONS:
                break
            self.take()
            rels.append(self.RELATIONS[t.text])
            sides.append(self.expr())
        return Node("stmt", [sides, rels])

    def expr(self):
        if self.at("-") or self.at("+"):
            sign = self.take().text
            node = self.term()
            if sign == "-":
                node = Node("neg", [node])
        else:
            node = self.term()
        while self.at("+") or self.at("-"):
            op = self.take().text
            node = Node(op, [node, self.term()])
        return node

    def term(self):
        node = self.factor()
        while True:
            t = self.peek()
            if t is None:
                break
            if t.kind != "bound" and t.text in ("*", r"\times", r"\cdot"):
                self.take()
                op = "dot" if t.text == r"\cdot" else "*"
                node = Node(op, [node, self.factor()])
            elif t.kind != "bound" and t.text == r"\odot":
                self.take()
                node = Node("*", [node, self.factor()])
            elif t.kind != "bound" and t.text == "/":
                self.take()
                node = Node("/", [node, self.factor()])
            elif self.starts_factor(t):
                node = Node("juxt", [node, self.factor()])
            else:
                break
        return node

    def starts_factor(self, t):
        if t.kind in ("num", "bound"):
            return True
        if t.kind == "char":
            return t.text.isalpha() or t.text in "({["
        if t.text in self.UNSUPPORTED:
            return False
        return t.text not in self.RELATIONS and t.text not in (
            r"\odot",
            r"\cdot",
            r"\times",
            r"\rVert",
            r"\|",
            r"\pm",
        )

    def factor(self):
        node = self.primary()
        node = self.postfix(node)
        if node.op == "atom" and self.at("("):
            # f(x): applied if f is a function, else a product. A power or
            # index after the bracket belongs to the call's result if f is
            # a function (f(x)^2), else to the bracket (b (y - x)^2), so
            # it is kept apart, on a hole, until f is known.
            self.take()
            inner = self.expr_until(")")
            self.expect(")")
            call = Node("juxt", [node, Node("paren", [inner])])
            post = self.postfix(Node("hole", []))
            if post.op != "hole":
                return Node("applied", [node, Node("paren", [inner]), post])
            return call
        return node

    def postfix(self, node):
        while True:
            if self.at("_"):
                self.take()
                sub = self.script()
                node = Node("sub", [node, sub])
            elif self.at("^"):
                self.take()
                t = self.peek()
                if t and t.text in (r"\top", r"\intercal"):
                    self.take()
                    node = Node("T", [node])
                    continue
                sup = self.script()
                node = Node("pow", [node, sup])
            elif self.at("'"):
                self.take()
                if node.op == "atom":
                    node = Node("atom", [], node.text + "'")
                else:
                    raise FormulaError("a prime ' after a bracket")
            elif self.at("!"):
                self.take()
                node = Node("fact", [node])
            else:
                return node

    def script(self):
        """The argument of _ or ^: a group or one token."""
        if self.at("{"):
            self.take()
            node = self.expr_until("}")
            self.expect("}")
            return node
        t = self.take()
        single = self.single(t)
        if single is not None:
            return single
        if t.kind == "cmd" and t.text == r"\text":
            return Node("atom", [], self.group_text())
        if t.kind == "cmd":
            return Node("atom", [], t.text)
        return Node("atom", [], t.text)

    def single(self, t):
        """A one-token argument (^2, _i, \\frac12), or None.

        A number counts one digit only: ^23 is ^2 followed by 3, as in
        LaTeX.
        """
        if t.kind == "num":
            if len(t.text) > 1 and "." not in t.text:
                self.toks.insert(self.i, Tok("num", t.text[1:], t.pos + 1))
                return Node("num", [], t.text[0])
            return Node("num", [], t.text)
        if t.kind == "bound" or (t.kind == "char" and t.text.isalpha()):
            return Node("atom", [], t.text)
        return None

    def expr_until(self, close):
        """A (comma list of) expression(s) inside a group."""
        items = [self.statement_or_expr()]
        while self.at(","):
            self.take()
            items.append(self.statement_or_expr())
        if len(items) == 1:
            return items[0]
        return Node("tuple", items)

    def statement_or_expr(self):
        node = self.expr()
        if self.at("="):
            self.take()
            return Node("range", [node, self.expr()])
        if self.at(r"\in"):
            self.take()
            return Node("in", [node, self.expr()])
        return node

    def group_text(self):
        """Raw text of a {...} group (for \\text, \\operatorname)."""
        self.expect("{")
        parts, depth = [], 1
        while True:
            t = self.take()
            if t.text == "{" and t.kind == "char":
                depth += 1
            elif t.text == "}" and t.kind == "char":
                depth -= 1
                if depth == 0:
                    return "".join(parts)
            parts.append(t.text)

    def group(self):
        if self.at("{"):
            self.take()
            node = self.expr()
            self.expect("}")
            return node
        # \frac12: one token each
        t = self.take()
        single = self.single(t)
        if single is not None:
            return single
        if t.kind == "cmd":
            self.i -= 1
            return self.primary()
        raise FormulaError(f"cannot read {t.text!r} as an argument")

    def primary(self):
        t = self.take()
        if t.kind == "bound":
            return Node("atom", [], t.text)
        if t.kind == "num":
            return Node("num", [], t.text)
        x = t.text
        if x in ("(", "["):
            close = ")" if x == "(" else "]"
            node = self.expr_until(close)
            self.expect(close)
            return Node("paren", [node])
        if x == "{":
            node = self.expr()
            self.expect("}")
            return node
        if x in ("|", r"\lvert", r"\vert"):
            node = self.expr()
            self.take()
            return Node("abs", [node])
        if x in (r"\lVert", r"\|", r"\Vert"):
            node = self.expr()
            if not (self.at(r"\rVert") or self.at(r"\|") or self.at(r"\Vert")):
                raise FormulaError("\\lVert without \\rVert")
            self.take()
            return Node("norm", [node])
        if t.kind == "char" and x.isalpha():
            return Node("atom", [], x)
        if x in (r"\frac", r"\dfrac", r"\tfrac"):
            num = self.group()
            den = self.group()
            return Node("/", [num, den])
        if x == r"\sqrt":
            if self.at("["):
                self.take()
                k = self.expr()
                self.expect("]")
                return Node("root", [self.group(), k])
            return Node("root", [self.group(), Node("num", [], "2")])
        if x == r"\sum":
            return self.big_operator("sum")
        if x == r"\prod":
            return self.big_operator("prod")
        if x in (r"\hat", r"\bar", r"\tilde", r"\vec", r"\mathbf"):
            inner = self.group()
            if inner.op != "atom":
                raise FormulaError(f"{x} over a compound expression")
            return Node("atom", [], x + inner.text)
        if x in (r"\mathrm", r"\text", r"\mathit", r"\mathsf", r"\mathcal"):
            return Node("atom", [], x + "{" + self.group_text() + "}")
        if x in self.FUNCS:
            name = x
            if x == r"\operatorname":
                name = x + "{" + self.group_text() + "}"
            return self.application(name)
        if x in (r"\pi", r"\infty"):
            if x == r"\infty":
                self.fail_unsupported(t)
            return Node("const", [], x)
        if x in self.UNSUPPORTED:
            self.fail_unsupported(t)
        if t.kind == "cmd" and x[1:] in GREEK:
            return Node("atom", [], x)
        if t.kind == "cmd":
            self.fail_unsupported(t)
        raise FormulaError(f"unexpected {x!r} in the formula")

    def application(self, name):
        """\\log x, \\tanh^2 z, \\max(0, z), \\operatorname{softmax}(z)_i."""
        power = None
        if self.at("^"):
            self.take()
            power = self.script()
        if self.at("("):
            self.take()
            args = self.expr_until(")")
            self.expect(")")
            args = args.args if args.op == "tuple" else [args]
        elif self.at(r"\sum"):
            self.take()
            args = [self.big_operator("sum")]
        else:
            args = [self.postfix(self.primary())]
        node = Node("call", args, name)
        if power is not None:
            node = Node("pow", [node, power])
        return node

    def big_operator(self, kind):
        index, lower, upper = None, None, None
        if self.at("_"):
            self.take()
            sub = self.script()
            if sub.op in ("range", "in"):
                index, lower = sub.args
                if sub.op == "in":
                    lower = Node("in", [lower])
            else:
                index = sub
        if self.at("^"):
            self.take()
            upper = self.script()
        if index is None or index.op != "atom":
            raise FormulaError(
                "\\sum needs an index: \\sum_i or \\sum_{i=1}^{n}"
            )
        # The body is the rest of the term: \sum_i a_i b_i / n sums a_i b_i / n
        # (a product, written with \times or not, stays inside the sum).
        body = self.term()
        return Node(kind, [body, lower, upper], index.text)


def parse_formula(latex, keys=()):
    """The statements of `latex`, with `keys` read as bound symbols."""
    toks = tokenize(latex, [normalize(k) for k in keys])
    if not toks:
        raise FormulaError("the formula is empty")
    return Parser(toks, latex).statements()


# --- evaluation --------------------------------------------------------------


def python_name(key):
    """The Python name of a symbol key: \\eta -> eta, \\hat m -> m_hat."""
    k = normalize(key)
    m = re.fullmatch(r"\\(?:hat|bar|tilde|vec|mathbf)(.+)", k)
    if m:
        return python_name(m.group(1)) + "_" + k[1:4].rstrip("\\")
    k = re.sub(r"\\(?:mathrm|text|operatorname|mathit|mathsf|mathcal)", "", k)
    k = k.replace("'", "_prime").replace("\\", "")
    k = re.sub(r"\W", "_", k)
    return k + "_" if keyword.iskeyword(k) else k


def _erf(z):
    return np.vectorize(math.erf, otypes=[float])(z)


def default_table():
    """LaTeX functions and constants the checker knows without a binding."""
    from ref import activations as act

    return {
        r"\sigma": act.sigmoid,
        r"\sigma'": act.sigmoid_prime,
        r"\tanh": np.tanh,
        r"\exp": np.exp,
        r"\log": np.log,
        r"\ln": np.log,
        r"\sin": np.sin,
        r"\cos": np.cos,
        r"\sinh": np.sinh,
        r"\cosh": np.cosh,
        r"\max": _max,
        r"\min": _min,
        r"\operatorname{relu}": act.relu,
        r"\operatorname{gelu}": act.gelu,
        r"\operatorname{silu}": act.silu,
        r"\operatorname{erf}": _erf,
        r"\operatorname{softmax}": act.softmax,
        r"\operatorname{Var}": np.var,
        r"\Phi": act.normal_cdf,
        r"\varphi": act.normal_pdf,
        r"\pi": np.pi,
    }


def _max(*args):
    return np.max(args[0]) if len(args) == 1 else np.maximum(*args)


def _min(*args):
    return np.min(args[0]) if len(args) == 1 else np.minimum(*args)


class _Ref:
    """`ref` whose submodules import on first use: ref.losses.mse."""

    def __getattr__(self, name):
        import importlib

        try:
            return importlib.import_module(f"ref.{name}")
        except ImportError:
            raise AttributeError(f"ref has no module {name!r}") from None


class Env:
    """Values of the symbols at one point."""

    def __init__(self, bound, table, draws):
        self.bound = bound  # normalized key -> value (marker bindings)
        self.table = table
        self.draws = draws  # normalized key -> value (random)
        self.defined = {}  # set by the formula itself
        self.index = {}  # sum index -> its value
        self.base = {}  # sum index -> 1 if it counts from 1 (\sum_{i=1})
        self.lazy = {}  # key -> code of a binding that uses a sum index
        self.lazy_ns = {}


class Evaluator:
    def __init__(self, env):
        self.env = env

    def lookup(self, key):
        env = self.env
        if key in env.lazy:
            ns = dict(env.lazy_ns)
            ns.update({python_name(k): v for k, v in env.index.items()})
            try:
                return eval(env.lazy[key], ns)  # noqa: S307
            except Exception as exc:  # noqa: BLE001
                raise FormulaError(
                    f"binding {key}: {env.lazy[key]} raised "
                    f"{type(exc).__name__}: {exc}"
                ) from None
        if key in env.index:
            return env.index[key]
        for scope in (env.defined, env.bound, env.draws, env.table):
            if key in scope:
                return scope[key]
        raise KeyError(key)

    def ev_num(self, n):
        return float(n.text) if "." in n.text else int(n.text)

    def ev_const(self, n):
        return np.pi

    def ev_atom(self, n):
        key = normalize(n.text)
        if key == "e":
            return np.e
        try:
            return self.lookup(key)
        except KeyError:
            raise FormulaError(f"no value for {n.text}") from None

    def ev_paren(self, n):
        inner = n.args[0]
        if inner.op == "tuple":
            return tuple(self.ev(a) for a in inner.args)
        return self.ev(inner)

    def ev_neg(self, n):
        return -self.ev(n.args[0])

    def ev(self, n):
        op = n.op
        if op == "+":
            return self.ev(n.args[0]) + self.ev(n.args[1])
        if op == "-":
            return self.ev(n.args[0]) - self.ev(n.args[1])
        if op == "*":
            return _times(self.ev(n.args[0]), self.ev(n.args[1]))
        if op == "/":
            return np.divide(self.ev(n.args[0]), self.ev(n.args[1]))
        return getattr(self, "ev_" + op)(n)

    def ev_dot(self, n):
        a, b = self.ev(n.args[0]), self.ev(n.args[1])
        if np.ndim(a) == 1 and np.ndim(b) == 1:
            return float(np.dot(a, b))
        return _times(a, b)

    def ev_juxt(self, n):
        left, right = n.args
        # f(x): a callable symbol applied to a bracket
        if left.op == "atom" and right.op == "paren":
            try:
                f = self.ev(left)
            except FormulaError:
                f = None
            if callable(f):
                inner = right.args[0]
                args = inner.args if inner.op == "tuple" else [inner]
                return f(*[self.ev(a) for a in args])
        a = self.ev(left)
        if callable(a):
            return a(self.ev(right))
        b = self.ev(right)
        if callable(b):
            raise FormulaError(
                f"{_show(right)} is a function but is not applied"
            )
        return _juxt(a, b)

    def ev_applied(self, n):
        f_node, paren, post = n.args
        try:
            f = self.ev(f_node)
        except FormulaError:
            f = None
        if callable(f):
            return self._fill(post, self.ev(Node("juxt", [f_node, paren])))
        if f is None:
            f = self.ev(f_node)  # raises the lookup's own error
        b = self._fill(post, self.ev(paren))
        if callable(b):
            raise FormulaError(
                f"{_show(paren)} is a function but is not applied"
            )
        return _juxt(f, b)

    def _fill(self, post, value):
        """Evaluate `post` (a power, index... of a hole) on `value`."""
        holes = self.__dict__.setdefault("_holes", [])
        holes.append(value)
        try:
            return self.ev(post)
        finally:
            holes.pop()

    def ev_hole(self, n):
        return self._holes[-1]

    def ev_sub(self, n):
        base, sub = n.args
        if base.op == "atom":
            # W_{l+1}, \beta_1, n_\text{in}: a name of its own unless the
            # subscript is a running index.
            idx = self._index(sub)
            if idx is None:
                key = normalize(base.text) + "_" + _key(sub)
                try:
                    return self.lookup(key)
                except KeyError:
                    idx = self._value_index(sub)
                    if idx is None:
                        raise FormulaError(
                            f"no value for {base.text}_{_key(sub)}"
                        ) from None
            value = self.ev(base)
            return _at(value, idx, base.text)
        value = self.ev(base)
        idx = self._index(sub)
        if idx is None:
            idx = self._value_index(sub)
        if idx is None:
            raise FormulaError(
                f"cannot index {_show(base)} by {_key(sub)}: not a "
                "running index"
            )
        return _at(value, idx, _show(base))

    def _index(self, sub):
        """The integer(s) a subscript stands for, or None."""
        names = sub.args if sub.op == "tuple" else [sub]
        out = []
        for s in names:
            key = normalize(s.text) if s.op == "atom" else None
            if key in self.env.index:
                value = self.env.index[key]
                if not isinstance(value, int | np.integer):
                    return None
                out.append(int(value) - self.env.base.get(key, 0))
            else:
                return None
        return tuple(out)

    def _value_index(self, sub):
        """A subscript whose symbols are bound to integers: z_k, k: 1."""
        names = sub.args if sub.op == "tuple" else [sub]
        out = []
        for s in names:
            if s.op != "atom":
                return None
            try:
                v = self.lookup(normalize(s.text))
            except KeyError:
                return None
            if not isinstance(v, int | np.integer):
                return None
            out.append(int(v))
        return tuple(out)

    def ev_pow(self, n):
        base = self.ev(n.args[0])
        exp = self.ev(n.args[1])
        if callable(base):
            raise FormulaError("a power of a function that is not applied")
        return np.power(np.asarray(base, dtype=float), exp)

    def ev_T(self, n):
        v = np.asarray(self.ev(n.args[0]))
        if v.ndim == 1:
            return v[None, :]
        return v.T

    def ev_fact(self, n):
        return math.factorial(int(self.ev(n.args[0])))

    def ev_abs(self, n):
        return np.abs(self.ev(n.args[0]))

    def ev_norm(self, n):
        return float(np.linalg.norm(self.ev(n.args[0])))

    def ev_root(self, n):
        x, k = self.ev(n.args[0]), self.ev(n.args[1])
        return np.power(np.asarray(x, dtype=float), 1.0 / k)

    def ev_call(self, n):
        key = normalize(n.text)
        try:
            f = self.lookup(key)
        except KeyError:
            raise FormulaError(
                f"{n.text} is not a function the checker knows: bind it "
                f"('{n.text}: python function')"
            ) from None
        return f(*[self.ev(a) for a in n.args])

    def ev_sum(self, n):
        return self._big(n, np.add, 0)

    def ev_prod(self, n):
        return self._big(n, np.multiply, 1)

    def _big(self, n, op, start):
        body, lower, upper = n.args
        name = normalize(n.text)
        if lower is not None and lower.op == "in":
            indices = list(_values(self.ev(lower.args[0])))
            offset = 0
        elif upper is None and name in self.env.bound:
            indices = list(_values(self.env.bound[name]))
            offset = 0
        elif upper is not None:
            lo = int(self.ev(lower)) if lower is not None else 1
            indices = range(lo, int(self.ev(upper)) + 1)
            offset = 1  # 1-based in the formula
        else:
            length = self._length(body, name)
            indices = range(length)
            offset = 0
        total = start
        for i in indices:
            self.env.index[name] = i
            self.env.base[name] = offset
            try:
                total = op(total, self.ev(body))
            finally:
                del self.env.index[name]
        return total

    def _length(self, body, name):
        for node in _walk(body):
            if node.op == "sub" and node.args[0].op == "atom":
                sub = node.args[1]
                subs = sub.args if sub.op == "tuple" else [sub]
                for k, s in enumerate(subs):
                    if s.op == "atom" and normalize(s.text) == name:
                        v = np.asarray(self.ev(node.args[0]))
                        if v.ndim <= k:
                            raise FormulaError(
                                f"{node.args[0].text} is indexed by {name} "
                                "but is not an array"
                            )
                        return v.shape[k]
        raise FormulaError(
            f"\\sum_{name}: nothing in the sum is indexed by {name}"
        )

    def ev_tuple(self, n):
        return tuple(self.ev(a) for a in n.args)

    def ev_range(self, n):
        raise FormulaError("an '=' inside brackets")


def _values(seq):
    if isinstance(seq, int | np.integer):
        return range(int(seq))
    try:
        return list(seq)
    except TypeError:
        raise FormulaError(f"cannot sum over {seq!r}") from None


def _key(node):
    if node.op == "atom":
        return normalize(node.text)
    if node.op == "num":
        return node.text
    return normalize(_show(node))


def _show(node):
    if node.op in ("atom", "num"):
        return node.text
    if node.op == "sub":
        return f"{_show(node.args[0])}_{{{_show(node.args[1])}}}"
    if node.op in ("+", "-", "*", "/"):
        return f"{_show(node.args[0])}{node.op}{_show(node.args[1])}"
    if node.op == "tuple":
        return ",".join(_show(a) for a in node.args)
    if node.op == "paren":
        return f"({_show(node.args[0])})"
    return node.op


def _walk(node):
    yield node
    for a in node.args:
        if isinstance(a, Node):
            yield from _walk(a)
        elif isinstance(a, list):
            for b in a:
                if isinstance(b, Node):
                    yield from _walk(b)


def _at(value, idx, name):
    v = np.asarray(value)
    if v.ndim < len(idx):
        raise FormulaError(f"{name} is indexed but is not an array")
    try:
        return v[idx]
    except IndexError:
        raise FormulaError(f"index {idx} out of range for {name}") from None


def _times(a, b):
    return np.multiply(a, b)


def _juxt(a, b):
    """Juxtaposition: scalar times, matrix product, outer product."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0 or (na == 1 and nb == 1):
        return np.multiply(a, b)
    a, b = np.asarray(a), np.asarray(b)
    if na == 1 and b.shape[0] == 1:
        return a[:, None] @ b  # column times row
    return a @ b


# --- checking ----------------------------------------------------------------


@dataclass
class Outcome:
    problems: list  # messages
    checked: int = 0  # relations (and references) compared


def _atoms(statements):
    """Symbol keys used, the keys indexed by a running index, definitions."""
    used, indexed = {}, set()
    index_names = set()
    for st in statements:
        for node in _walk(st):
            if node.op in ("sum", "prod"):
                index_names.add(normalize(node.text))
    for st in statements:
        for node in _walk(st):
            if node.op == "atom":
                used.setdefault(normalize(node.text), node.text)
            if node.op == "sub" and node.args[0].op == "atom":
                sub = node.args[1]
                subs = sub.args if sub.op == "tuple" else [sub]
                if all(
                    s.op == "atom" and normalize(s.text) in index_names
                    for s in subs
                ):
                    indexed.add(normalize(node.args[0].text))
                else:
                    base = normalize(node.args[0].text)
                    used.setdefault(base + "_" + _key(sub), None)
    for name in index_names:
        used.pop(name, None)
    return used, indexed


def _sub_atoms(statements):
    """Subscripted symbols (W_{l+1}) that are names of their own."""
    return {
        normalize(n.args[0].text)
        for st in statements
        for n in _walk(st)
        if n.op == "sub" and n.args[0].op == "atom"
    }


def check_formula(latex, body, namespace, seed=0):
    """Evaluate formula `latex` with marker `body` against `namespace`.

    Returns an Outcome whose problems are one-line messages.
    """
    try:
        spec = parse_spec(body)
    except FormulaError as exc:
        return Outcome([f"formula marker: {exc}"])
    if spec.notation:
        return Outcome([])
    latex = latex.strip().strip("$").strip()
    if latex.startswith(r"\[") or latex.startswith(r"\("):
        latex = latex[2:-2]
    keys = [normalize(k) for k, _ in spec.bindings]
    try:
        statements = parse_formula(latex, keys)
    except FormulaError as exc:
        return Outcome([f"cannot read the formula: {exc}"])
    except IndexError:
        return Outcome(["cannot read the formula: unbalanced brackets"])
    table = {normalize(k): v for k, v in default_table().items()}
    spans = {k for _, _, k in _bound_spans(latex, keys)}
    atoms = {
        normalize(n.text)
        for st in statements
        for n in _walk(st)
        if n.op in ("atom", "sum", "prod")
    }
    unused = [k for k, _ in spec.bindings if normalize(k) not in spans | atoms]
    if unused:
        return Outcome(
            [
                f"formula binding {unused[0]!r} names no symbol of the "
                "formula (write the symbol as the formula does, e.g. "
                "\\eta, not eta)"
            ]
        )
    used, indexed = _atoms(statements)
    index_names = {
        python_name(n.text)
        for st in statements
        for n in _walk(st)
        if n.op in ("sum", "prod")
    }
    defined = _definitions(statements, keys, table)
    rng = np.random.default_rng(seed)
    base_ns = dict(namespace)
    base_ns.setdefault("np", np)
    base_ns.setdefault("ref", _Ref())

    problems, compared, finite_points = [], 0, 0
    for point in range(POINTS):
        draws = {}
        for key in used:
            if key in keys or key in table or key in defined or key == "e":
                continue
            if "_" in key and key.split("_", 1)[0] in keys:
                continue  # z_k with z bound: an entry of z
            lo, hi = NARROW if point < POINTS // 2 else WIDE
            if key in indexed:
                draws[key] = rng.uniform(lo, hi, ARRAY_LEN)
            else:
                draws[key] = float(rng.uniform(lo, hi))
        ns = dict(base_ns)
        for key, value in draws.items():
            ns[python_name(key)] = value
        bound, lazy = {}, {}
        for key, expr in spec.bindings:
            if _uses(expr, index_names):
                try:
                    lazy[normalize(key)] = compile(
                        expr.strip(), "<binding>", "eval"
                    )
                except SyntaxError as exc:
                    return Outcome(
                        [f"formula binding {key}: {expr} is not Python: {exc}"]
                    )
                continue
            try:
                value = eval(expr, ns)  # noqa: S307 - the page's own code
            except Exception as exc:  # noqa: BLE001
                return Outcome(
                    [
                        f"formula binding {key}: {expr} raised "
                        f"{type(exc).__name__}: {exc}"
                    ]
                )
            bound[normalize(key)] = value
            ns[python_name(key)] = value
        env = Env(bound, table, draws)
        env.lazy, env.lazy_ns = lazy, ns
        ev = Evaluator(env)
        results = []
        try:
            with np.errstate(all="ignore"):
                last = None
                for st in statements:
                    res = _run_statement(ev, st, spec)
                    results += res[0]
                    last = res[1]
                if spec.reference is not None:
                    for k, v in env.defined.items():
                        ns.setdefault(python_name(k), v)
                    try:
                        want = eval(spec.reference, ns)  # noqa: S307
                    except Exception as exc:  # noqa: BLE001
                        return Outcome(
                            [
                                f"formula reference = {spec.reference} "
                                f"raised {type(exc).__name__}: {exc}"
                            ]
                        )
                    results.append(
                        (
                            "=",
                            last,
                            want,
                            "the formula",
                            f"= {_clip(spec.reference)}",
                        )
                    )
        except FormulaError as exc:
            return Outcome([f"formula cannot be evaluated: {exc}"])
        except Exception as exc:  # noqa: BLE001 - reported at the formula
            return Outcome(
                [f"formula cannot be evaluated: {type(exc).__name__}: {exc}"]
            )
        if not results:
            return Outcome(
                [
                    "formula states nothing to compare (it only defines "
                    "names): add '= python expression' to compare with "
                    "the page or ref, or mark it 'notation: reason'"
                ]
            )
        all_finite = True
        for rel, a, b, what, other in results:
            try:
                ok, finite = _close(a, b, rel, spec)
            except FormulaError as exc:
                return Outcome([f"formula cannot be compared: {exc}"])
            if not finite:
                all_finite = False
                continue
            if not ok:
                problems.append(
                    f"formula does not hold: {what} gives {_brief(a)} but "
                    f"{other} gives {_brief(b)}{_point(draws)}"
                )
                return Outcome(problems[:1], compared)
            compared += 1
        finite_points += all_finite
    if finite_points < 2:
        return Outcome(
            [
                "formula gives no finite values at the random points "
                "(bind its symbols to the page's values)"
            ]
        )
    return Outcome([], compared)


def _uses(expr, names):
    """True if Python `expr` mentions one of `names`."""
    return bool(set(re.findall(r"[A-Za-z_]\w*", expr)) & names)


def _definitions(statements, keys, table):
    """Keys that a statement defines (x = ... or x <- ...)."""
    out = set()
    for st in statements:
        sides, rels = st.args
        if not rels:
            continue
        first = sides[0]
        k = _target(first)
        if k is None:
            continue
        if rels[0] != "<-" and k not in keys and k not in table:
            out.add(k)
    return out


def _target(node):
    if node.op == "atom":
        return normalize(node.text)
    if node.op == "sub" and node.args[0].op == "atom":
        return normalize(node.args[0].text) + "_" + _key(node.args[1])
    return None


def _run_statement(ev, st, spec):
    """Evaluate one statement; returns ([(rel, a, b, what)], value)."""
    sides, rels = st.args
    env = ev.env
    if not rels:
        return [], ev.ev(sides[0])
    out = []
    k = _target(sides[0])
    values = [None] * len(sides)
    start = 0
    if rels[0] == "<-" or (
        k is not None
        and k not in env.bound
        and k not in env.table
        and k not in env.defined
        and k not in env.draws
    ):
        start = 1
    for i in range(start, len(sides)):
        values[i] = ev.ev(sides[i])
    for i in range(start, len(sides) - 1):
        rel = rels[i]
        if rel == "<-":
            raise FormulaError("'\\leftarrow' after another relation")
        out.append(
            (
                rel,
                values[i],
                values[i + 1],
                f"side {i + 1}",
                f"side {i + 2}",
            )
        )
    if start == 1:
        env.defined[k] = values[1] if len(sides) > 1 else None
    return out, values[-1]


def _clip(text, width=40):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _close(a, b, rel, spec):
    """(equal within tolerance, both finite)."""
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError) as exc:
        raise FormulaError(f"a side is not a number: {exc}") from None
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False, False
    if a.shape != b.shape:
        if a.size == b.size:
            a, b = a.ravel(), b.ravel()
        else:
            return False, True
    if rel == "~":
        tol = spec.tol if spec.tol is not None else APPROX_TOL
        return bool(np.allclose(a, b, rtol=tol, atol=tol)), True
    return bool(np.allclose(a, b, rtol=RTOL, atol=ATOL)), True


def _brief(v):
    text = np.array2string(np.asarray(v), precision=6, threshold=6)
    return text if len(text) <= 60 else text[:57] + "..."


def _point(draws):
    scalars = [
        f"{python_name(k)}={v:.3g}"
        for k, v in draws.items()
        if isinstance(v, float)
    ][:6]
    return f" (at {', '.join(scalars)})" if scalars else ""


#: An inline formula "states something" when it has one of these.
STATING = re.compile(r"=|\\approx|\\leftarrow|\\[dt]?frac|\\sqrt|\\sum|\\prod")


def states_something(latex, display):
    return display or bool(STATING.search(latex))


def distinct_variants(original, variants):
    """The (kind, text) `variants` of `original` (a formula's mutants),
    each text once, in order, leaving out any that is `original` itself."""
    seen, unique = {original}, []
    for kind, new in variants:
        if new not in seen:
            seen.add(new)
            unique.append((kind, new))
    return unique

"""A bigram model of names: P(b | a) = count(a -> b) / count(a -> any).

Every name is read between boundary markers, ".emma." (as in Karpathy's
makemore): the pair ('.', 'e') counts a name starting with e, the pair
('a', '.') a name ending in a. Greedy decoding (always the argmax) gives
the same name on every call; sampling from P gives variety (lesson L14).

The shipped list `ref/data/names.txt` holds a few hundred names, one
per line. It was compiled for this project from common English given
names, released under CC0.

```python
from ref.bigram import load_names

assert len(load_names()) == 340
```
"""

from importlib.resources import files

import numpy as np

from ref._checks import as_array

#: The 27 symbols of the model: the boundary marker, then a to z.
SYMBOLS = ".abcdefghijklmnopqrstuvwxyz"
BOUNDARY = "."
_INDEX = {s: i for i, s in enumerate(SYMBOLS)}

# --- data ------------------------------------------------------------------


def load_names():
    """The shipped list of lowercase names, in file order."""
    text = files("ref").joinpath("data/names.txt").read_text("utf-8")
    return text.split()


def _index(name, symbol):
    if not isinstance(symbol, str) or symbol not in _INDEX:
        raise ValueError(f"{name} must be one of {SYMBOLS!r}, got {symbol!r}")
    return _INDEX[symbol]


def _check_P(P):
    P = as_array("P", P, ndim=2)
    n = len(SYMBOLS)
    if P.shape != (n, n):
        raise ValueError(f"P must have shape ({n}, {n}), got {P.shape}")
    return P


# --- counts and probabilities ----------------------------------------------


def count_matrix(names):
    """N[i, j] = how often symbol j follows symbol i in ".name." strings."""
    N = np.zeros((len(SYMBOLS), len(SYMBOLS)), dtype=int)
    for name in names:
        if not isinstance(name, str) or name == "":
            raise ValueError(f"names must be non-empty str, got {name!r}")
        for position, ch in enumerate(name):
            if ch == BOUNDARY or ch not in _INDEX:
                raise ValueError(
                    f"name {name!r} has character {ch!r} at position "
                    f"{position}; only a to z are allowed"
                )
        s = BOUNDARY + name + BOUNDARY
        for a, b in zip(s, s[1:], strict=False):
            N[_INDEX[a], _INDEX[b]] += 1
    return N


def probabilities(counts, smoothing=0):
    """`P[i, j] = (N[i, j] + s) / sum_k (N[i, k] + s)`, `s = smoothing`.

    Each row is the distribution of the next symbol. Without smoothing, a
    row for a symbol never seen stays all zero (it can never be reached).
    """
    N = as_array("counts", counts, ndim=2)
    if N.shape[0] != N.shape[1]:
        raise ValueError(f"counts must be square, got shape {N.shape}")
    if not np.isfinite(smoothing) or smoothing < 0:
        raise ValueError(f"smoothing must be >= 0, got {smoothing!r}")
    N = N + smoothing
    totals = N.sum(axis=1, keepdims=True)
    return np.divide(N, totals, out=np.zeros_like(N), where=totals > 0)


def prob(P, a, b):
    """P(b | a), the probability that symbol b follows symbol a."""
    P = _check_P(P)
    return float(P[_index("a", a), _index("b", b)])


# --- scoring the model -----------------------------------------------------


def nll_per_char(P, names):
    """`-(1/n) sum log P(b | a)` over the n pairs of every ".name.".

    The mean negative log-likelihood, in nats per character (the end
    marker counts as a character): the cross-entropy between the names
    and the model. Lower is better; a model that knew nothing, with every
    symbol equally likely, scores the log of the number of symbols. A
    pair of probability zero makes it infinite (see `probabilities`'
    smoothing).

    ```python
    import math

    import numpy as np

    from ref.bigram import SYMBOLS, nll_per_char

    n = len(SYMBOLS)
    uniform = np.full((n, n), 1 / n)
    assert math.isclose(nll_per_char(uniform, ["emma"]), math.log(n))
    ```
    """
    P = _check_P(P)
    counts = count_matrix(names)
    if counts.sum() == 0:
        raise ValueError("names must hold at least one name, got none")
    seen = counts > 0
    with np.errstate(divide="ignore"):
        log_P = np.log(np.where(seen, P, 1.0))
    return float(-np.sum(counts * log_P) / counts.sum())


# --- generating names ------------------------------------------------------


def _generate(P, start, choose, max_length):
    if not isinstance(start, str) or any(
        ch == BOUNDARY or ch not in _INDEX for ch in start
    ):
        raise ValueError(f"start must be letters a to z, got {start!r}")
    name = start
    i = _INDEX[start[-1]] if start else 0
    while len(name) < max_length:
        i = choose(P[i])
        if i == 0:
            break
        name += SYMBOLS[i]
    return name


def greedy(P, start="", max_length=30):
    """Follow argmax_b P(b | a) from `start` until the boundary marker.

    `start` is a prefix the name begins with ("" starts from the
    boundary). Stops after max_length characters if no end comes.
    """
    P = _check_P(P)
    return _generate(P, start, lambda p: int(np.argmax(p)), max_length)


def greedy_names(P, n, start=""):
    """n names by greedy decoding: all n are the same name."""
    return [greedy(P, start) for _ in range(n)]


def sample_names(P, n, rng, start="", max_length=30):
    """n names, each symbol drawn from P(. | previous symbol) with rng."""
    P = _check_P(P)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )

    def draw(p):
        return int(rng.choice(len(p), p=p))

    return [_generate(P, start, draw, max_length) for _ in range(n)]

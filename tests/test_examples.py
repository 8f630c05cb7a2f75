"""Tests for ref/examples.py.

Each example input is checked three ways: its shape, a value computed
from it by hand (plain Python, not `ref`) against the one `ref` computes,
and the printed output of the lesson that introduces it, which must show
that value. A lesson that retypes an input and changes it, or a constant
changed here, fails the test at the lesson it belongs to.
"""

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from ref import examples as ex
from ref.activations import sigmoid, softmax
from ref.attention import attention
from ref.bigram import SYMBOLS, count_matrix, load_names, prob, probabilities
from ref.descent import descend, f_prime
from ref.init import init_params, xavier_normal
from ref.layernorm import layer_norm
from ref.layers import dense, layer
from ref.losses import mse, sse
from ref.sampling import softmax_with_temperature
from ref.tokenizer import build_vocab, decode, encode
from ref.training import count_stuck
from ref.vectors import EXAMPLE, analogy

DOCS = Path(__file__).resolve().parents[1] / "docs"
OUTPUT = re.compile(r'^```text title="Output"\n(.*?)^```$', re.S | re.M)


def printed(page):
    """All the output blocks of a page under docs/, as one text."""
    return "\n".join(OUTPUT.findall((DOCS / page).read_text("utf-8")))


def shows(page, *expected):
    """Assert that the output blocks of `page` hold every expected text."""
    text = printed(page)
    missing = [e for e in expected if e not in text]
    assert not missing, f"{page} does not print {missing}; it prints:\n{text}"


def lesson(prefix):
    """docs/lessons/<file> whose name starts with `prefix`, e.g. 'l03'."""
    (path,) = (DOCS / "lessons").glob(f"{prefix}-*.md")
    return path.relative_to(DOCS).as_posix()


ARRAYS = {
    name: value
    for name, value in vars(ex).items()
    if name.isupper() and isinstance(value, np.ndarray)
}


def test_there_are_arrays_to_protect():
    assert {"LAYER_W", "MSE_Y", "LOGITS", "NORM_BATCH"} <= set(ARRAYS)


@pytest.mark.parametrize("name", sorted(ARRAYS))
def test_arrays_are_read_only(name):
    a = ARRAYS[name]
    assert a.dtype == float
    with pytest.raises(ValueError, match="read-only"):
        a.flat[0] = 99.0
    assert a.copy().flags.writeable  # a copy can be changed


def test_l1_sigmoid():
    z = ex.SIGMOID_Z
    assert sigmoid(z) == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-15)
    shows(lesson("l01"), repr(float(sigmoid(z))))


def test_l3_layer():
    W, b, x = ex.LAYER_W, ex.LAYER_B, ex.LAYER_X
    n, m = W.shape
    assert (n, m) == (len(b), len(x)) == (2, 3)
    by_hand = [sum(W[j, k] * x[k] for k in range(m)) + b[j] for j in range(n)]
    z = dense(W, x, b)
    assert z == pytest.approx(by_hand)
    a = layer(W, x, b)
    assert a == pytest.approx([1 / (1 + math.exp(-zj)) for zj in by_hand])
    shows(
        lesson("l03"),
        f"z = {np.round(z, 3).tolist()}",
        f"a = {np.round(a, 3).tolist()}",
    )


def test_l6_mse():
    y_hat, y = ex.MSE_Y_HAT, ex.MSE_Y
    assert y_hat.shape == y.shape == (3,)
    squares = [(p - t) ** 2 for p, t in zip(y_hat, y, strict=True)]
    assert sse(y_hat, y) == pytest.approx(sum(squares))
    assert mse(y_hat, y) == pytest.approx(sum(squares) / len(y))
    shows(lesson("l06"), f"{mse(y_hat, y):.4f}")


def test_l7_descent():
    w, ws = ex.DESCENT_W0, [ex.DESCENT_W0]
    for _ in range(ex.DESCENT_STEPS):
        w -= ex.DESCENT_ETA * 2 * (w - 3)  # f(w) = (w - 3)^2
        ws.append(w)
    got = descend(f_prime, ex.DESCENT_W0, ex.DESCENT_ETA, ex.DESCENT_STEPS)
    assert np.allclose(got, ws)
    k = ex.DESCENT_STEPS
    shows(lesson("l07"), f"w1 = {ws[1]:.4f}", f"w{k} = {ws[k]:.4f}")


def test_l10_seeds():
    seeds = ex.XOR_SEEDS
    assert len(set(seeds)) == len(seeds)
    shows(lesson("l10"), f"stuck: {count_stuck(seeds)} of {len(seeds)} seeds")


def test_l13_tokenizer():
    text, sample = ex.TOKENIZER_TEXT, ex.TOKENIZER_SAMPLE
    vocab = build_vocab(text)
    assert set(sample) <= set(text)
    ids = encode(sample, vocab)
    assert ids == [sorted(set(text)).index(c) for c in sample]
    assert decode(ids, vocab) == sample
    shows(lesson("l13"), f"{sample!r} -> {ids}", f"{vocab}")


def test_l14_bigram():
    a, b = ex.BIGRAM_PAIR
    assert a in SYMBOLS and b in SYMBOLS
    names = load_names()
    after_a = [
        w[i + 1]
        for w in (f".{n}." for n in names)
        for i in range(len(w) - 1)
        if w[i] == a
    ]
    p = prob(probabilities(count_matrix(names)), a, b)
    assert p == pytest.approx(after_a.count(b) / len(after_a))
    shows(lesson("l14"), f"= {p:.3f}")


def test_l15_analogy():
    *words, target = ex.ANALOGY
    v = analogy(*(EXAMPLE[w] for w in words))
    king, man, woman = (EXAMPLE[w] for w in words)
    assert np.array_equal(v, king - man + woman)
    assert np.array_equal(v, EXAMPLE[target])
    shows(
        lesson("l15"), f"{' - '.join(words[:2])} + {words[2]} = {v.tolist()}"
    )


def test_l16_attention():
    q, k, v = ex.ATTENTION_Q, ex.ATTENTION_K, ex.ATTENTION_V
    d_k = len(q)
    assert k.shape == (len(ex.ATTENTION_TOKENS), d_k) and v.shape[0] == len(k)
    scores = [
        sum(qi * ki for qi, ki in zip(q, row, strict=True)) / math.sqrt(d_k)
        for row in k
    ]
    e = [math.exp(s) for s in scores]
    by_hand = [x / sum(e) for x in e]
    out, weights = attention(q, k, v)
    assert weights == pytest.approx(by_hand)
    assert out == pytest.approx(by_hand @ v)
    shows(
        lesson("l16"),
        *(
            f"{t:>6}: score {s:.3f}, weight {w:.3f}"
            for t, s, w in zip(
                ex.ATTENTION_TOKENS, scores, by_hand, strict=True
            )
        ),
    )


def test_l17_logits():
    z = ex.LOGITS
    assert z.ndim == 1 and list(z) == sorted(z, reverse=True)
    e = [math.exp(zi) for zi in z]
    p = softmax(z)
    assert p == pytest.approx([x / sum(e) for x in e])
    shows(
        lesson("l17"),
        *(
            f"logit {zi:3.1f} -> p = {pi:.3f}"
            for zi, pi in zip(z, p, strict=True)
        ),
    )


def test_l18_cold_temperature():
    T = ex.COLD_T
    assert 0 < T < 1
    e = [math.exp(zi / T) for zi in ex.LOGITS]
    p = softmax_with_temperature(ex.LOGITS, T)
    assert p == pytest.approx([x / sum(e) for x in e])
    assert p[0] > softmax(ex.LOGITS)[0]  # colder is sharper
    shows(
        lesson("l18"), f"T = {T:5.1f}: " + " / ".join(f"{pi:.3f}" for pi in p)
    )


def test_digit_network():
    sizes, output, target = ex.DIGIT_SIZES, ex.DIGIT_OUTPUT, ex.DIGIT_TARGET
    assert output.shape == (sizes[-1],) and 0 <= target < sizes[-1]
    params = init_params(xavier_normal, sizes, np.random.default_rng(0))
    knobs = sum(W.size + b.size for W, b in params)
    assert knobs == sum(
        n * m + m for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    )
    assert output.argmax() != target  # the notes' answer is wrong
    desired = [1.0 if i == target else 0.0 for i in range(sizes[-1])]
    cost = sum((o - d) ** 2 for o, d in zip(output, desired, strict=True))
    assert sse(output, desired) == pytest.approx(cost)
    shows(
        "seeing-it-whole.md",
        f"cost of the notes' answer: {cost:.4f}",
        f"{knobs:,} weights and biases",
    )


def test_norm_batch_is_far_from_normalised():
    X = ex.NORM_BATCH
    assert X.ndim == 2 and X.shape[0] > 1
    # Batch norm must visibly change it: means far from 0, spreads from 1.
    assert np.all(np.abs(X.mean(axis=0)) > 1)
    assert np.all(np.abs(X.std(axis=0) - 1) > 0.5)
    m = len(X)
    normed = layer_norm(X.T, np.ones(m), np.zeros(m))[0].T
    by_hand = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + 1e-5)
    assert np.allclose(normed, by_hand)


# ---------------------------------------------------------------------------
# The summary sheets take their inputs from here, not from their own copy
# ---------------------------------------------------------------------------


def setup_code(page):
    text = (DOCS / page).read_text("utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    return meta["doccheck"]["setup"]


def retyped(code):
    """Literal inputs in `code`: floats, strings and lists of numbers."""
    found = []
    tree = ast.parse(code)
    keys = {
        id(k)
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for k in node.keys
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in keys:
            if isinstance(node.value, (float, str)):
                found.append(ast.unparse(node))
        elif isinstance(node, (ast.List, ast.Tuple)):
            if sum(isinstance(e, ast.Constant) for e in node.elts) > 1:
                found.append(ast.unparse(node))
    return found


@pytest.mark.parametrize("page", ["cheatsheet.md", "seeing-it-whole.md"])
def test_sheet_setup_retypes_no_input(page):
    code = setup_code(page)
    assert "from ref.examples import" in code
    assert retyped(code) == []


def test_retyped_finds_a_pasted_input():
    code = 'x = np.array([0.5, -1.0, 2.0])\ntext = "to be"\nd = {"k": v}'
    found = retyped(code)
    assert "[0.5, -1.0, 2.0]" in found and "'to be'" in found
    assert "'k'" not in found  # a dict key is a label, not an input

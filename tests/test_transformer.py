"""Tests for ref/transformer.py: each piece against finite differences."""

import numpy as np
import pytest

from ref.activations import gelu
from ref.gradcheck import numerical_gradient, relative_error
from ref.transformer import (
    BLOCK_KEYS,
    block,
    block_backward,
    gelu_tanh,
    gelu_tanh_prime,
    init_block,
    linear,
    linear_backward,
    mlp,
    mlp_backward,
    self_attention,
    self_attention_backward,
)

D, H = 8, 2


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, D))
    p = init_block(D, 4 * D, 2, rng)
    p = {k: v + rng.normal(0.0, 0.3, v.shape) for k, v in p.items()}
    R = rng.normal(size=x.shape)  # loss = sum(R * output)
    return x, p, R


def sub(p, prefix):
    return {k[len(prefix) + 1 :]: v for k, v in p.items()
            if k.startswith(prefix + ".")}  # fmt: skip


def check(f, w, analytic):
    numeric = numerical_gradient(f, w)
    assert relative_error(analytic, numeric) < 1e-7


# --- linear and GELU ---------------------------------------------------------


def test_linear_and_backward():
    rng = np.random.default_rng(1)
    x, W, b = (
        rng.normal(size=(2, 3, 4)),
        rng.normal(size=(4, 5)),
        rng.normal(size=5),
    )
    assert np.allclose(linear(x, W, b), np.einsum("bti,io->bto", x, W) + b)
    R = rng.normal(size=(2, 3, 5))
    dx, dW, db = linear_backward(R, x, W)
    check(lambda w: np.sum(R * linear(w, W, b)), x, dx)
    check(lambda w: np.sum(R * linear(x, w, b)), W, dW)
    check(lambda w: np.sum(R * linear(x, W, w)), b, db)
    with pytest.raises(ValueError, match="W must have shape"):
        linear(x, W.T, b)


def test_linear_checks_each_shape_on_its_own():
    x = np.ones((2, 3, 4))
    # W's rows, b's width and W's dimensions are each checked alone:
    # here the other two agree with each other every time.
    for W, b in [
        (np.ones((5, 6)), np.ones(6)),  # 5 rows for x's 4 columns
        (np.ones((4, 6)), np.ones(5)),  # b of width 5 for d_out = 6
        (np.ones(4), np.ones(())),  # a vector W with a matching 0-d b
        (np.ones((4, 2, 3)), np.ones((2, 3))),  # a 3-d W
    ]:
        with pytest.raises(ValueError, match="W must have shape"):
            linear(x, W, b)


def test_gelu_tanh_is_close_to_exact_gelu():
    z = np.linspace(-6, 6, 241)
    assert np.abs(gelu_tanh(z) - gelu(z)).max() < 1e-3
    assert gelu_tanh(0.0) == 0.0
    assert abs(gelu_tanh(-1000.0)) < 1e-300  # no overflow warning
    check(lambda w: np.sum(gelu_tanh(w)), z, gelu_tanh_prime(z))


def test_gelu_tanh_matches_pytorch():
    torch = pytest.importorskip("torch")
    z = np.linspace(-8, 8, 161)
    expected = torch.nn.functional.gelu(torch.tensor(z), approximate="tanh")
    assert np.abs(gelu_tanh(z) - expected.numpy()).max() < 1e-14


# --- MLP, attention, block ---------------------------------------------------


def test_mlp_backward(setup):
    x, p, R = setup
    q = sub(p, "mlp")
    _, cache = mlp(x, q)
    g = mlp_backward(R, q, cache)
    check(lambda w: np.sum(R * mlp(w, q)[0]), x, g["x"])
    for key in q:
        check(lambda w, key=key: np.sum(R * mlp(x, dict(q, **{key: w}))[0]),
              q[key], g[key])  # fmt: skip


def test_self_attention_backward(setup):
    x, p, R = setup
    q = sub(p, "attn")
    _, cache = self_attention(x, q, H)
    g = self_attention_backward(R, q, cache)
    check(lambda w: np.sum(R * self_attention(w, q, H)[0]), x, g["x"])
    # The key bias shifts a whole row of scores, which softmax ignores.
    assert np.abs(g["bk"]).max() < 1e-12
    for key in set(q) - {"bk"}:
        check(
            lambda w, key=key: np.sum(
                R * self_attention(x, dict(q, **{key: w}), H)[0]
            ),
            q[key],
            g[key],
        )


def test_self_attention_matches_multi_head_attention(setup):
    from ref.attention import multi_head_attention

    x, p, _ = setup
    q = dict(sub(p, "attn"))
    for name in ("bq", "bk", "bv", "bo"):
        q[name] = np.zeros(D)
    y, cache = self_attention(x, q, H)
    for b in range(x.shape[0]):
        expected, weights = multi_head_attention(
            x[b], q["Wq"], q["Wk"], q["Wv"], q["Wo"], H, causal=True
        )
        assert np.allclose(y[b], expected)
        assert np.allclose(cache["weights"][b], weights)


def test_self_attention_checks_x(setup):
    _, p, _ = setup
    q = sub(p, "attn")
    # (T, d_model) without the batch axis, d_model divisible by 2 heads
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, d"):
        self_attention(np.ones((4, D)), q, H)
    # (B, T, d_model) with d_model = 8 not divisible by 3 heads
    with pytest.raises(ValueError, match="divisible by n_heads = 3"):
        self_attention(np.ones((2, 4, D)), q, 3)


def test_block_backward(setup):
    x, p, R = setup
    _, cache = block(x, p, H)
    g = block_backward(R, p, cache)
    assert set(g) == {"x", *BLOCK_KEYS}
    check(lambda w: np.sum(R * block(w, p, H)[0]), x, g["x"])
    for key in ("ln1.g", "attn.Wq", "attn.bv", "ln2.b", "mlp.W1", "mlp.b2"):
        check(lambda w, key=key: np.sum(R * block(x, dict(p, **{key: w}),
                                                  H)[0]),
              p[key], g[key])  # fmt: skip


def test_block_is_causal(setup):
    x, p, _ = setup
    y, _ = block(x, p, H)
    x2 = x.copy()
    x2[:, 2] += 1.0
    y2, _ = block(x2, p, H)
    assert np.array_equal(y[:, :2], y2[:, :2])
    assert not np.allclose(y[:, 2:], y2[:, 2:])


def test_init_block_scales():
    p = init_block(64, 256, 2, np.random.default_rng(0))
    assert tuple(p) == BLOCK_KEYS
    assert p["attn.Wq"].std() == pytest.approx(0.02, rel=0.05)
    assert p["mlp.W2"].std() == pytest.approx(0.01, rel=0.05)
    assert np.all(p["ln1.g"] == 1) and np.all(p["mlp.b1"] == 0)

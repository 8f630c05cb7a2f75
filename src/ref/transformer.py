"""One transformer block, forward and backward (the tiny GPT).

x <- x + attention(layer_norm(x)), then x <- x + mlp(layer_norm(x)):
the pre-LayerNorm block of GPT-2 and GPT-3. Every piece is a small
function that returns (output, cache) and has a `*_backward` that takes
the gradient of the output and the cache and returns the gradients of
its inputs; `tests/test_transformer.py` checks each one against finite
differences. x has shape (B, T, d_model): B sequences of T tokens.
"""

import math

import numpy as np

from ref._checks import as_array
from ref.attention import attend, attend_backward
from ref.layernorm import layer_norm, layer_norm_backward

# --- a linear layer ----------------------------------------------------------


def linear(x, W, b):
    """y = x W + b for x of shape (..., d_in), W (d_in, d_out), b (d_out,)."""
    if W.ndim != 2 or x.shape[-1] != W.shape[0] or b.shape != W.shape[1:]:
        raise ValueError(
            f"W must have shape ({x.shape[-1]}, d_out) and b (d_out,) for x "
            f"of shape {x.shape}, got W {W.shape} and b {b.shape}"
        )
    y = x.reshape(-1, W.shape[0]) @ W + b  # one 2-D product: faster
    return y.reshape(x.shape[:-1] + W.shape[1:])


def linear_backward(dy, x, W):
    """(dx, dW, db) = (dy W^T, x^T dy, sum dy), summed over leading axes."""
    x2 = x.reshape(-1, x.shape[-1])
    dy2 = dy.reshape(-1, dy.shape[-1])
    dx = (dy2 @ W.T).reshape(x.shape)
    return dx, x2.T @ dy2, dy2.sum(axis=0)


# --- GELU, the tanh form of GPT-2 --------------------------------------------

_C = math.sqrt(2.0 / math.pi)


def _gate(z):
    """`s = (1 + tanh(u)) / 2 = sigmoid(2 u)`, u = c (z + 0.044715 z**3).

    c = sqrt(2 / pi). Written with one exp instead of a tanh (twice as
    fast in NumPy). -2 u is clipped to [-700, 700]. Below -700 nothing
    changes: s rounds to 1 either way, and exp would only return
    subnormal numbers, which are many times slower to compute with.
    Above 700, s is held at 1 / (1 + e^700) ~ 1e-304 where it would fall
    towards 0 (and exp overflow past 709): a change smaller than 1e-300,
    far below any tolerance, in exchange for no overflow warning.
    """
    u = _C * (z + 0.044715 * (z * z * z))
    return 1.0 / (1.0 + np.exp(np.clip(-2.0 * u, -700.0, 700.0)))


def gelu_tanh(z):
    """`gelu(z) ~ z (1 + tanh(sqrt(2/pi) (z + c z**3))) / 2`, c as below.

    The approximation GPT-2 uses (torch's gelu(approximate="tanh")); it
    stays close to the exact `z Phi(z)` of `ref.activations.gelu`, and
    costs one exponential instead of an error function.

    ```python
    import numpy as np

    from ref.activations import gelu
    from ref.transformer import gelu_tanh

    z, c = np.linspace(-6.0, 6.0, 1201), 0.044715
    u = np.sqrt(2 / np.pi) * (z + c * z**3)
    assert np.allclose(gelu_tanh(z), z * (1 + np.tanh(u)) / 2)
    assert np.max(np.abs(gelu_tanh(z) - gelu(z))) < 0.001
    ```
    """
    z = as_array("z", z)
    return z * _gate(z)


def gelu_tanh_prime(z):
    """`d gelu_tanh / dz = s + 2 z s (1 - s) u'`, `s = (1 + tanh(u)) / 2`."""
    z = as_array("z", z)
    return _gelu_prime(z, _gate(z))


def _gelu_prime(z, s):
    du = _C * (1.0 + 3.0 * 0.044715 * (z * z))
    return s + 2.0 * z * s * (1.0 - s) * du


# --- the MLP -----------------------------------------------------------------


def mlp(x, p):
    """`y = gelu(x W1 + b1) W2 + b2`: widen to d_ff, bend, narrow back.

    p holds W1 (d, d_ff), b1 (d_ff,), W2 (d_ff, d) and b2 (d,).
    """
    z = linear(x, p["W1"], p["b1"])
    s = _gate(z)
    h = z * s
    return linear(h, p["W2"], p["b2"]), (x, z, s, h)


def mlp_backward(dy, p, cache):
    """{name: gradient} for the input "x" and W1, b1, W2, b2 of `mlp`."""
    x, z, s, h = cache
    dh, dW2, db2 = linear_backward(dy, h, p["W2"])
    dz = dh * _gelu_prime(z, s)
    dx, dW1, db1 = linear_backward(dz, x, p["W1"])
    return {"x": dx, "W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


# --- causal self-attention with several heads --------------------------------


def _heads(M, n_heads):
    """(B, T, h * d_head) -> (B, h, T, d_head)."""
    B, T, width = M.shape
    return M.reshape(B, T, n_heads, width // n_heads).transpose(0, 2, 1, 3)


def _merge(M):
    """(B, h, T, d_head) -> (B, T, h * d_head)."""
    B, h, T, d_head = M.shape
    return M.transpose(0, 2, 1, 3).reshape(B, T, h * d_head)


def self_attention(x, p, n_heads):
    """`y = concat_i(attend(Q_i, K_i, V_i, causal)) Wo + bo`, `Q = x Wq + bq`.

    K and V likewise; head i uses the columns from `i * d_head` up to
    `(i + 1) * d_head - 1` of Q, K and V, as
    `ref.attention.multi_head_attention`. Returns
    (y, cache); the weights of every head are in cache["weights"],
    shape (B, n_heads, T, T).
    """
    if x.ndim != 3 or x.shape[-1] % n_heads:
        raise ValueError(
            f"x must have shape (B, T, d_model) with d_model divisible by "
            f"n_heads = {n_heads}, got {x.shape}"
        )
    # One product for Q, K and V side by side, then cut in three.
    W = np.concatenate([p["Wq"], p["Wk"], p["Wv"]], axis=1)
    b = np.concatenate([p["bq"], p["bk"], p["bv"]])
    Q, K, V = (
        _heads(M, n_heads) for M in np.split(linear(x, W, b), 3, axis=-1)
    )
    heads, weights = attend(Q, K, V, causal=True)
    concat = _merge(heads)
    y = linear(concat, p["Wo"], p["bo"])
    return y, {
        "x": x,
        "Q": Q,
        "K": K,
        "V": V,
        "weights": weights,
        "concat": concat,
    }


def self_attention_backward(dy, p, cache):
    """{name: gradient} for "x" and Wq, bq, ..., Wo, bo of `self_attention`."""
    n_heads = cache["Q"].shape[1]
    x = cache["x"]
    d_concat, dWo, dbo = linear_backward(dy, cache["concat"], p["Wo"])
    dQ, dK, dV = attend_backward(
        _heads(d_concat, n_heads),
        cache["Q"],
        cache["K"],
        cache["V"],
        cache["weights"],
    )
    W = np.concatenate([p["Wq"], p["Wk"], p["Wv"]], axis=1)
    d_qkv = np.concatenate([_merge(dQ), _merge(dK), _merge(dV)], axis=-1)
    dx, dW, db = linear_backward(d_qkv, x, W)
    grads = {"x": dx}
    for name, dWi, dbi in zip(
        "qkv", np.split(dW, 3, axis=1), np.split(db, 3), strict=True
    ):
        grads["W" + name], grads["b" + name] = dWi, dbi
    grads["Wo"], grads["bo"] = dWo, dbo
    return grads


# --- the block ---------------------------------------------------------------

#: The parameters of one block: two layer norms, attention, MLP.
BLOCK_KEYS = (
    "ln1.g", "ln1.b",
    "attn.Wq", "attn.bq", "attn.Wk", "attn.bk", "attn.Wv", "attn.bv",
    "attn.Wo", "attn.bo",
    "ln2.g", "ln2.b",
    "mlp.W1", "mlp.b1", "mlp.W2", "mlp.b2",
)  # fmt: skip


def _part(p, prefix):
    """The entries of p under "prefix.", without the prefix."""
    n = len(prefix) + 1
    return {k[n:]: v for k, v in p.items() if k.startswith(prefix + ".")}


def block(x, p, n_heads):
    """`x + a`, `a = attn(ln1(x))`; then `y = (x + a) + mlp(ln2(x + a))`.

    p holds the entries of `BLOCK_KEYS`. Returns (y, cache).
    """
    n1, c_ln1 = layer_norm(x, p["ln1.g"], p["ln1.b"])
    a, c_attn = self_attention(n1, _part(p, "attn"), n_heads)
    x1 = x + a
    n2, c_ln2 = layer_norm(x1, p["ln2.g"], p["ln2.b"])
    m, c_mlp = mlp(n2, _part(p, "mlp"))
    return x1 + m, (c_ln1, c_attn, c_ln2, c_mlp)


def block_backward(dy, p, cache):
    """{name: gradient} for "x" and every entry of `BLOCK_KEYS`.

    A residual connection copies the gradient: dy flows both straight
    through to x and into the branch, and the two are added.
    """
    c_ln1, c_attn, c_ln2, c_mlp = cache
    g_mlp = mlp_backward(dy, _part(p, "mlp"), c_mlp)
    dn2, dg2, db2 = layer_norm_backward(g_mlp.pop("x"), c_ln2)
    dx1 = dy + dn2
    g_attn = self_attention_backward(dx1, _part(p, "attn"), c_attn)
    dn1, dg1, db1 = layer_norm_backward(g_attn.pop("x"), c_ln1)
    grads = {"x": dx1 + dn1, "ln1.g": dg1, "ln1.b": db1}
    grads.update({"attn." + k: v for k, v in g_attn.items()})
    grads.update({"ln2.g": dg2, "ln2.b": db2})
    grads.update({"mlp." + k: v for k, v in g_mlp.items()})
    return grads


def init_block(d_model, d_ff, n_layers, rng):
    """A block's parameters: small normal weights, as GPT-2 initialises.

    The two projections that feed the residual stream (attn.Wo, mlp.W2)
    get a standard deviation `sqrt(2 n_layers)` times smaller, so that
    the stream's variance stays the same however many blocks add to it.
    Biases start at zero, gains at one.

    ```python
    import numpy as np

    from ref.transformer import init_block

    d_model, n_layers = 64, 4
    p = init_block(d_model, 4 * d_model, n_layers, np.random.default_rng(0))
    std = 0.02
    assert abs(p["attn.Wq"].std() - std) < 0.001
    assert abs(p["attn.Wo"].std() - std / np.sqrt(2 * n_layers)) < 0.001
    ```
    """
    std, std_out = 0.02, 0.02 / math.sqrt(2 * n_layers)
    d = d_model
    p = {"ln1.g": np.ones(d), "ln1.b": np.zeros(d)}
    for name in "qkv":
        p[f"attn.W{name}"] = rng.normal(0.0, std, (d, d))
        p[f"attn.b{name}"] = np.zeros(d)
    p["attn.Wo"] = rng.normal(0.0, std_out, (d, d))
    p["attn.bo"] = np.zeros(d)
    p["ln2.g"], p["ln2.b"] = np.ones(d), np.zeros(d)
    p["mlp.W1"] = rng.normal(0.0, std, (d, d_ff))
    p["mlp.b1"] = np.zeros(d_ff)
    p["mlp.W2"] = rng.normal(0.0, std_out, (d_ff, d))
    p["mlp.b2"] = np.zeros(d)
    return {k: p[k] for k in BLOCK_KEYS}

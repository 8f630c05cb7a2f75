"""Scaled dot-product attention, one head and several (lesson L16).

Each token's query q asks, each token's key k answers, each value v is
what it passes on. weights = softmax(q k^T / sqrt(d_k)) row by row, and
the new vector is the weighted sum of the values. With the causal mask a
token sees only itself and earlier tokens.
"""

import math

import numpy as np

from ref._checks import as_array
from ref.activations import softmax

# --- one head --------------------------------------------------------------


def _attend(Q, K, V, causal, scale):
    """Attention over the last two axes; leading axes (heads) broadcast."""
    scores = Q @ np.swapaxes(K, -1, -2)
    if scale:
        scores = scores / math.sqrt(Q.shape[-1])
    if causal:
        T_q, T_k = scores.shape[-2:]
        above = np.triu(np.ones((T_q, T_k), dtype=bool), k=1)
        scores = np.where(above, -np.inf, scores)
    weights = softmax(scores, axis=-1)
    return weights @ V, weights


def attention(q, k, v, causal=False, scale=True):
    """`out = softmax(q k^T / sqrt(d_k)) v`; returns (out, weights).

    q has shape (T_q, d_k), or (d_k,) for a single query; k has shape
    (T_k, d_k) and v (T_k, d_v). weights has shape (T_q, T_k), each row
    summing to one. `scale=False` drops the `1 / sqrt(d_k)`.
    `causal=True` sets the scores above the diagonal to `-inf` before the
    softmax, so token i attends only to itself and the tokens before it
    (needs `T_q == T_k`).
    """
    q = as_array("q", q, ndim=(1, 2))
    k = as_array("k", k, ndim=2)
    v = as_array("v", v, ndim=2)
    if q.shape[-1] != k.shape[1]:
        raise ValueError(
            f"k must have d_k = {q.shape[-1]} columns to match q of shape "
            f"{q.shape}, got k of shape {k.shape}"
        )
    if v.shape[0] != k.shape[0]:
        raise ValueError(
            f"v must have T_k = {k.shape[0]} rows to match k of shape "
            f"{k.shape}, got v of shape {v.shape}"
        )
    if causal and (q.ndim == 1 or q.shape[0] != k.shape[0]):
        raise ValueError(
            f"causal attention needs q of shape ({k.shape[0]}, "
            f"{k.shape[1]}), one query per key, got q of shape {q.shape}"
        )
    if q.ndim == 1:
        out, weights = _attend(q[None, :], k, v, False, scale)
        return out[0], weights[0]
    return _attend(q, k, v, causal, scale)


# --- several heads ---------------------------------------------------------


def _split_heads(name, M, n_heads):
    """(T, n_heads * d) -> (n_heads, T, d)."""
    T, width = M.shape
    if width % n_heads:
        raise ValueError(
            f"{name} must have a width divisible by n_heads = {n_heads}, "
            f"got shape {M.shape}"
        )
    return M.reshape(T, n_heads, width // n_heads).transpose(1, 0, 2)


def multi_head_attention(x, Wq, Wk, Wv, Wo, n_heads, causal=False):
    """`out = concat(head_1, ..., head_h) Wo`, `head_i = attention(Q_i, ...)`.

    `Q = x Wq`, `K = x Wk`, `V = x Wv` for x of shape (T, d_model) and each
    W of shape (d_model, n_heads * d_head); head i uses the columns from
    `i * d_head` up to `(i + 1) * d_head - 1`. Wo has shape
    (n_heads * d_v, d_out). Returns (out of shape (T, d_out), weights of
    shape (n_heads, T, T)).
    """
    x = as_array("x", x, ndim=2)
    Wq, Wk, Wv, Wo = (
        as_array(name, W, ndim=2)
        for name, W in (("Wq", Wq), ("Wk", Wk), ("Wv", Wv), ("Wo", Wo))
    )
    if isinstance(n_heads, bool) or not isinstance(n_heads, int):
        raise TypeError(f"n_heads must be an int, got {n_heads!r}")
    if n_heads < 1:
        raise ValueError(f"n_heads must be at least 1, got {n_heads}")
    d_model = x.shape[1]
    for name, W in (("Wq", Wq), ("Wk", Wk), ("Wv", Wv)):
        if W.shape[0] != d_model:
            raise ValueError(
                f"{name} must have d_model = {d_model} rows to match x of "
                f"shape {x.shape}, got {name} of shape {W.shape}"
            )
    if Wk.shape != Wq.shape:
        raise ValueError(
            f"Wk must have the shape of Wq, {Wq.shape}, got {Wk.shape}"
        )
    if Wo.shape[0] != Wv.shape[1]:
        raise ValueError(
            f"Wo must have {Wv.shape[1]} rows to match Wv of shape "
            f"{Wv.shape}, got Wo of shape {Wo.shape}"
        )
    Q = _split_heads("Wq", x @ Wq, n_heads)
    K = _split_heads("Wk", x @ Wk, n_heads)
    V = _split_heads("Wv", x @ Wv, n_heads)
    heads, weights = _attend(Q, K, V, causal, scale=True)
    T = x.shape[0]
    concat = heads.transpose(1, 0, 2).reshape(T, -1)
    return concat @ Wo, weights


# --- batched, with its backward (the tiny GPT) ------------------------------


def attend(Q, K, V, causal=False):
    """`out = softmax(Q K^T / sqrt(d_k)) V` on the last two axes.

    Returns (out, weights).

    Q, K and V have shapes (..., T, d_k), (..., T_k, d_k) and
    (..., T_k, d_v); leading axes (batch, heads) are independent. This
    is the core of `multi_head_attention`, for the model of
    `ref.tinygpt`, which keeps `weights` for `attend_backward`.
    """
    Q = as_array("Q", Q)
    K = as_array("K", K)
    V = as_array("V", V)
    if (
        Q.ndim < 2
        or K.shape[:-2] != Q.shape[:-2]
        or K.shape[-1] != Q.shape[-1]
    ):
        raise ValueError(
            f"K must have shape (..., T_k, {Q.shape[-1]}) with the leading "
            f"axes of Q, {Q.shape}, got K of shape {K.shape}"
        )
    if V.shape[:-1] != K.shape[:-1]:
        raise ValueError(
            f"V must have shape {K.shape[:-1] + ('d_v',)} to match K, got "
            f"V of shape {V.shape}"
        )
    if causal and Q.shape[-2] != K.shape[-2]:
        raise ValueError(
            f"causal attention needs as many queries as keys, got Q of "
            f"shape {Q.shape} and K of shape {K.shape}"
        )
    return _attend(Q, K, V, causal, scale=True)


def attend_backward(d_out, Q, K, V, weights):
    """(dQ, dK, dV) of `out = A V`, `A = softmax(S)`, `S = Q K^T / sqrt(d_k)`.

    `dV = A^T d_out`; `dA = d_out V^T`; `dS = A * (dA - sum_j dA A)`, the
    softmax's backward row by row; `dQ = dS K / sqrt(d_k)` and
    `dK = dS^T Q / sqrt(d_k)`. Masked entries have zero weight in A, so
    they get no gradient: the causal mask needs no extra step.
    """
    scale = 1.0 / math.sqrt(Q.shape[-1])
    dV = np.swapaxes(weights, -1, -2) @ d_out
    dA = d_out @ np.swapaxes(V, -1, -2)
    dS = weights * (dA - np.sum(dA * weights, axis=-1, keepdims=True))
    dQ = (dS @ K) * scale
    dK = (np.swapaxes(dS, -1, -2) @ Q) * scale
    return dQ, dK, dV


# --- cost ------------------------------------------------------------------


def attention_cost(T):
    """`T**2`: entries of the T x T score matrix, per head and per layer.

    Quadrupling the context costs sixteen times more:

    ```python
    from ref.attention import attention_cost

    assert attention_cost(8_192) == 16 * attention_cost(2_048)
    ```
    """
    if isinstance(T, bool) or not isinstance(T, int) or T < 1:
        raise ValueError(f"T must be a positive int, got {T!r}")
    return T * T

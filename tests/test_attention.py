"""Tests for ref/attention.py, against plain Python loops."""

import math

import numpy as np
import pytest

from ref.attention import attention, attention_cost, multi_head_attention

# --- an independent implementation with loops ------------------------------


def loop_attention(q, k, v, causal=False, scale=True):
    T_q, d_k = len(q), len(q[0])
    out, weights = [], []
    for i in range(T_q):
        scores = []
        for j in range(len(k)):
            if causal and j > i:
                continue
            s = sum(q[i][c] * k[j][c] for c in range(d_k))
            scores.append(s / math.sqrt(d_k) if scale else s)
        m = max(scores)
        e = [math.exp(s - m) for s in scores]
        w = [x / sum(e) for x in e] + [0.0] * (len(k) - len(scores))
        weights.append(w)
        out.append(
            [
                sum(w[j] * v[j][c] for j in range(len(k)))
                for c in range(len(v[0]))
            ]
        )
    return np.array(out), np.array(weights)


def loop_multi_head(x, Wq, Wk, Wv, Wo, n_heads, causal):
    Q, K, V = x @ Wq, x @ Wk, x @ Wv
    dq, dv = Wq.shape[1] // n_heads, Wv.shape[1] // n_heads
    heads, weights = [], []
    for h in range(n_heads):
        o, w = loop_attention(
            Q[:, h * dq : (h + 1) * dq].tolist(),
            K[:, h * dq : (h + 1) * dq].tolist(),
            V[:, h * dv : (h + 1) * dv].tolist(),
            causal,
        )
        heads.append(o)
        weights.append(w)
    return np.concatenate(heads, axis=1) @ Wo, np.array(weights)


# --- the lesson's example --------------------------------------------------

Q_CAT = [2.0, 0.0]
KEYS = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]


def test_cat_example_scaled():
    _, w = attention(Q_CAT, KEYS, np.eye(3))
    assert [f"{x:.3f}" for x in w] == ["0.446", "0.446", "0.108"]


def test_cat_example_unscaled():
    _, w = attention(Q_CAT, KEYS, np.eye(3), scale=False)
    assert [f"{x:.3f}" for x in w] == ["0.468", "0.468", "0.063"]
    e2 = math.exp(2)
    assert w[2] == pytest.approx(1 / (2 * e2 + 1))


def test_single_query_output_is_weighted_sum_of_values():
    v = [[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]
    out, w = attention(Q_CAT, KEYS, v)
    assert out.shape == (2,)
    assert np.allclose(out, w @ np.array(v))


# --- against the loops -----------------------------------------------------


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("scale", [False, True])
@pytest.mark.parametrize("T, d_k, d_v", [(1, 1, 1), (3, 2, 4), (5, 4, 3)])
def test_matches_loops(T, d_k, d_v, causal, scale):
    rng = np.random.default_rng(T * 100 + d_k * 10 + d_v)
    q, k = rng.normal(size=(2, T, d_k))
    v = rng.normal(size=(T, d_v))
    out, w = attention(q, k, v, causal=causal, scale=scale)
    ref_out, ref_w = loop_attention(
        q.tolist(), k.tolist(), v.tolist(), causal, scale
    )
    assert out.shape == (T, d_v) and w.shape == (T, T)
    assert np.allclose(out, ref_out)
    assert np.allclose(w, ref_w)


def test_cross_attention_shapes_match_loops():
    rng = np.random.default_rng(7)
    q, k, v = (
        rng.normal(size=(2, 3)),
        rng.normal(size=(5, 3)),
        rng.normal(size=(5, 4)),
    )
    out, w = attention(q, k, v)
    ref_out, ref_w = loop_attention(q.tolist(), k.tolist(), v.tolist())
    assert out.shape == (2, 4) and w.shape == (2, 5)
    assert np.allclose(out, ref_out) and np.allclose(w, ref_w)


def test_rows_sum_to_one_and_causal_zeros():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 3)) * 10
    _, w = attention(x, x, x, causal=True)
    assert np.allclose(w.sum(axis=1), 1.0)
    assert np.all(w[np.triu_indices(6, k=1)] == 0.0)
    assert np.all(w[np.tril_indices(6)] > 0.0)
    assert w[0, 0] == 1.0


def test_scaling_softens_the_weights():
    rng = np.random.default_rng(2)
    q, k = rng.normal(size=(2, 4, 16))
    _, scaled = attention(q, k, k)
    _, unscaled = attention(q, k, k, scale=False)
    assert np.all(scaled.max(axis=1) < unscaled.max(axis=1))


# --- several heads ---------------------------------------------------------


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("T, d_model, n_heads", [(4, 6, 2), (5, 8, 4)])
def test_multi_head_matches_loops(T, d_model, n_heads, causal):
    rng = np.random.default_rng(T + d_model + n_heads)
    x = rng.normal(size=(T, d_model))
    Wq, Wk, Wv, Wo = rng.normal(size=(4, d_model, d_model)) / d_model
    out, w = multi_head_attention(x, Wq, Wk, Wv, Wo, n_heads, causal)
    ref_out, ref_w = loop_multi_head(x, Wq, Wk, Wv, Wo, n_heads, causal)
    assert out.shape == (T, d_model) and w.shape == (n_heads, T, T)
    assert np.allclose(out, ref_out)
    assert np.allclose(w, ref_w)


def test_one_head_is_plain_attention():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 6))
    Wq, Wk, Wv, Wo = rng.normal(size=(4, 6, 6))
    out, w = multi_head_attention(x, Wq, Wk, Wv, Wo, 1, causal=True)
    o, w1 = attention(x @ Wq, x @ Wk, x @ Wv, causal=True)
    assert np.allclose(out, o @ Wo) and np.allclose(w[0], w1)


def test_projections_need_not_be_square():
    # d_model = 3, two heads: q and k of width 2 (Wq is 3 x 4), v of
    # width 3 (Wv is 3 x 6), and Wo maps the 6 concatenated columns to 5.
    rng = np.random.default_rng(11)
    x = rng.normal(size=(4, 3))
    Wq, Wk = rng.normal(size=(2, 3, 4))
    Wv, Wo = rng.normal(size=(3, 6)), rng.normal(size=(6, 5))
    out, w = multi_head_attention(x, Wq, Wk, Wv, Wo, 2)
    ref_out, ref_w = loop_multi_head(x, Wq, Wk, Wv, Wo, 2, causal=False)
    assert out.shape == (4, 5) and w.shape == (2, 4, 4)
    assert np.allclose(out, ref_out) and np.allclose(w, ref_w)


def test_attention_cost():
    assert attention_cost(2_048) == 4_194_304
    assert attention_cost(8_192) // attention_cost(2_048) == 16
    assert attention_cost(1) == 1


# --- errors ----------------------------------------------------------------


def test_bad_shapes():
    with pytest.raises(ValueError, match=r"k must have d_k = 2 .*\(3, 3\)"):
        attention([1.0, 0.0], np.ones((3, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"v must have T_k = 3 .*\(2, 2\)"):
        attention([1.0, 0.0], np.ones((3, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="causal attention needs q"):
        attention(
            np.ones((2, 2)), np.ones((3, 2)), np.ones((3, 2)), causal=True
        )
    with pytest.raises(ValueError, match="divisible by n_heads = 4"):
        W = np.ones((6, 6))
        multi_head_attention(np.ones((3, 6)), W, W, W, W, 4)
    with pytest.raises(ValueError, match=r"Wo must have 6 rows"):
        W = np.ones((6, 6))
        multi_head_attention(np.ones((3, 6)), W, W, W, np.ones((4, 6)), 2)
    with pytest.raises(ValueError, match="T must be a positive int"):
        attention_cost(0)
    with pytest.raises(ValueError, match="T must be a positive int"):
        attention_cost(True)


def test_causal_needs_one_query_per_key():
    # A single query is rejected even when d_k happens to equal T_k.
    with pytest.raises(ValueError, match="causal attention needs q"):
        attention([1.0, 0.0], np.ones((2, 2)), np.ones((2, 2)), causal=True)


@pytest.mark.parametrize(
    ("n_heads", "error", "message"),
    [
        (True, TypeError, "n_heads must be an int, got True"),
        (2.0, TypeError, "n_heads must be an int, got 2.0"),
        (0, ValueError, "n_heads must be at least 1, got 0"),
    ],
)
def test_n_heads_must_be_a_positive_int(n_heads, error, message):
    W = np.ones((4, 4))
    with pytest.raises(error, match=message):
        multi_head_attention(np.ones((3, 4)), W, W, W, W, n_heads)


# --- attend and attend_backward (the tiny GPT) -----------------------------


def test_attend_batches_over_leading_axes():
    from ref.attention import attend

    rng = np.random.default_rng(0)
    Q, K, V = rng.normal(size=(3, 2, 2, 4, 5))
    out, weights = attend(Q, K, V, causal=True)
    for i in range(2):
        for j in range(2):
            o, w = attention(Q[i, j], K[i, j], V[i, j], causal=True)
            assert np.allclose(out[i, j], o)
            assert np.allclose(weights[i, j], w)
    with pytest.raises(ValueError, match="K must have shape"):
        attend(Q, K[..., :3], V)
    with pytest.raises(ValueError, match="V must have shape"):
        attend(Q, K, V[..., :3, :])
    with pytest.raises(ValueError, match="as many queries as keys"):
        attend(Q[..., :3, :], K, V, causal=True)


def test_attend_takes_a_single_sequence_and_no_less():
    from ref.attention import attend

    rng = np.random.default_rng(2)
    Q, K, V = rng.normal(size=(3, 4, 5))  # (T, d) each: no leading axes
    out, weights = attend(Q, K, V, causal=True)
    o, w = attention(Q, K, V, causal=True)
    assert np.allclose(out, o) and np.allclose(weights, w)
    # One query without its T axis: attention takes it, attend does not
    # (K and V are right for it, so only Q's shape is at fault).
    with pytest.raises(ValueError, match="K must have shape"):
        attend(Q[0], K, V)


def test_attend_needs_the_same_leading_axes_for_q_and_k():
    from ref.attention import attend

    rng = np.random.default_rng(3)
    Q, K, V = rng.normal(size=(3, 2, 4, 5))
    # K and V with an extra axis of size 1 would broadcast against Q and
    # give an output of another shape: rejected although d_k agrees.
    with pytest.raises(ValueError, match="with the leading axes of Q"):
        attend(Q, K[None], V[None])


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("which", [0, 1, 2])
def test_attend_backward_matches_finite_differences(causal, which):
    from ref.attention import attend, attend_backward
    from ref.gradcheck import numerical_gradient, relative_error

    rng = np.random.default_rng(1)
    QKV = list(rng.normal(size=(3, 2, 4, 3)))
    R = rng.normal(size=(2, 4, 3))  # loss = sum(R * out)
    out, weights = attend(*QKV, causal=causal)
    analytic = attend_backward(R, *QKV, weights)[which]

    def f(w):
        args = list(QKV)
        args[which] = w
        return np.sum(R * attend(*args, causal=causal)[0])

    numeric = numerical_gradient(f, QKV[which])
    assert relative_error(analytic, numeric) < 1e-7

"""Tests for ref/layernorm.py: the formula, finite differences, PyTorch."""

import numpy as np
import pytest

from ref.gradcheck import numerical_gradient, relative_error
from ref.layernorm import EPS, layer_norm, layer_norm_backward


@pytest.fixture
def xgb():
    rng = np.random.default_rng(0)
    return rng.normal(size=(2, 3, 5)), rng.normal(size=5), rng.normal(size=5)


def test_normalises_each_vector(xgb):
    x, _, _ = xgb
    y, _ = layer_norm(x, np.ones(5), np.zeros(5))
    assert np.allclose(y.mean(axis=-1), 0.0)
    expected = np.sqrt(x.var(axis=-1) / (x.var(axis=-1) + EPS))
    assert np.allclose(y.std(axis=-1), expected)


def test_gain_and_bias(xgb):
    x, g, b = xgb
    y, _ = layer_norm(x, g, b)
    mu = x.mean(-1, keepdims=True)
    sd = np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + EPS)
    assert np.allclose(y, g * (x - mu) / sd + b)


@pytest.mark.parametrize("which", ["x", "g", "b"])
def test_backward_matches_finite_differences(xgb, which):
    x, g, b = xgb
    R = np.random.default_rng(1).normal(size=x.shape)
    args = {"x": x, "g": g, "b": b}

    def f(w):
        return np.sum(R * layer_norm(**dict(args, **{which: w}))[0])

    _, cache = layer_norm(x, g, b)
    grads = dict(zip("xgb", layer_norm_backward(R, cache), strict=True))
    numeric = numerical_gradient(f, args[which])
    assert relative_error(grads[which], numeric) < 1e-7


def test_matches_pytorch(xgb):
    torch = pytest.importorskip("torch")
    x, g, b = xgb
    y, _ = layer_norm(x, g, b)
    expected = torch.nn.functional.layer_norm(
        torch.tensor(x), (5,), torch.tensor(g), torch.tensor(b), eps=EPS
    )
    assert np.abs(y - expected.numpy()).max() < 1e-12


def test_errors(xgb):
    x, g, b = xgb
    with pytest.raises(ValueError, match="g and b must have shape"):
        layer_norm(x, np.ones(4), b)
    _, cache = layer_norm(x, g, b)
    with pytest.raises(ValueError, match="dy must have the shape"):
        layer_norm_backward(np.ones((2, 3)), cache)


def test_layer_norm_of_a_single_vector():
    x = np.array([1.0, 2.0, 3.0, 6.0])  # mean 3, variance (4+1+0+9)/4
    g, b = np.array([1.0, 2.0, 1.0, 1.0]), np.array([0.0, 0.0, 0.0, 5.0])
    y, _ = layer_norm(x, g, b)
    expected = np.array([-2.0, -2.0, 0.0, 3.0]) / np.sqrt(3.5 + EPS)
    assert np.allclose(y, expected + b)


@pytest.mark.parametrize(
    ("g", "b"),
    [
        (np.ones(4), np.zeros(4)),  # both wrong, though alike
        (np.ones(5), np.zeros(4)),  # g right, b wrong
        (np.ones(4), np.zeros(5)),  # b right, g wrong
    ],
)
def test_g_and_b_must_each_match_the_last_axis(xgb, g, b):
    x, _, _ = xgb  # last axis 5
    with pytest.raises(ValueError, match=r"must have shape \(5,\)"):
        layer_norm(x, g, b)


def test_layer_norm_rejects_a_0d_input():
    with pytest.raises(ValueError, match=r"shape \(\?,\) to match x of"):
        layer_norm(3.0, np.ones(1), np.zeros(1))

import math

import numpy as np
import pytest

from ref.activations import relu, sigmoid, tanh
from ref.backprop import gradients, predict
from ref.init import (
    activation_variances,
    constant,
    deep_gradient_norms,
    deep_losses,
    he_normal,
    he_variance,
    init_params,
    kaiming_uniform_bound,
    layer_moments,
    normal_with_std,
    pytorch_linear_default,
    pytorch_linear_variance,
    regression_task,
    relu_gaussian_moments,
    saturated_fraction,
    symmetric_xor,
    xavier_normal,
    xavier_variance,
)
from ref.neuron import TRUTH_TABLE_INPUTS
from ref.training import XOR_TARGETS, is_stuck


def rng():
    return np.random.default_rng(0)


# --- variances ---------------------------------------------------------------


def test_variance_formulas():
    assert xavier_variance(3, 5) == 0.25
    assert he_variance(8) == 0.25
    assert pytorch_linear_variance(100) == pytest.approx(1 / 300)


def test_pytorch_default_is_neither_he_nor_xavier():
    n = 256
    assert kaiming_uniform_bound(n, a=math.sqrt(5)) == pytest.approx(
        1 / math.sqrt(n), rel=1e-15
    )
    assert kaiming_uniform_bound(n, a=math.sqrt(5)) ** 2 / 3 == (
        pytest.approx(pytorch_linear_variance(n))
    )
    assert pytorch_linear_variance(n) / he_variance(n) == pytest.approx(1 / 6)
    assert pytorch_linear_variance(n) / xavier_variance(n, n) == (
        pytest.approx(1 / 3)
    )
    assert kaiming_uniform_bound(n) ** 2 / 3 == pytest.approx(he_variance(n))


@pytest.mark.parametrize(
    ("sampler", "variance"),
    [
        (pytorch_linear_default, pytorch_linear_variance(400)),
        (xavier_normal, xavier_variance(400, 500)),
        (he_normal, he_variance(400)),
    ],
)
def test_sampled_variance(sampler, variance):
    W = sampler(400, 500, rng())
    assert W.shape == (500, 400)
    assert np.var(W) == pytest.approx(variance, rel=0.02)  # 200000 draws


def test_pytorch_default_stays_inside_its_bound():
    W = pytorch_linear_default(400, 500, rng())
    assert np.max(np.abs(W)) <= 1 / 20
    assert np.max(np.abs(W)) > 0.99 / 20


def test_relu_halves_the_second_moment_not_the_variance():
    z = 1.5 * np.random.default_rng(0).standard_normal(1_000_000)
    a = relu(z)
    mean_sq, var = relu_gaussian_moments(1.5**2)
    assert mean_sq == 1.5**2 / 2
    assert np.mean(a**2) == pytest.approx(mean_sq, rel=0.01)
    assert np.var(a) == pytest.approx(var, rel=0.01)
    assert var / 1.5**2 == pytest.approx(0.5 - 1 / (2 * math.pi))
    assert var < 0.7 * mean_sq  # Var(a) = E[a^2] - E[a]^2, E[a] > 0
    with pytest.raises(ValueError, match="var_z must be a positive number"):
        relu_gaussian_moments(0.0)


def test_bad_fans():
    with pytest.raises(ValueError, match="fan_in must be a positive integer"):
        he_variance(0)
    with pytest.raises(ValueError, match="fan_out must be a positive integer"):
        xavier_variance(3, 2.5)


# --- ten layers deep ---------------------------------------------------------


def test_he_keeps_relu_activations_steady():
    v = activation_variances(he_normal, relu, rng())
    assert v.shape == (10,)
    assert np.all((v > v[0] / 3) & (v < 3 * v[0]))  # no trend


def test_var_z_follows_the_second_moment_not_the_variance():
    var_z, mean_sq, var_a = layer_moments(he_normal, relu, rng())
    assert var_z.shape == mean_sq.shape == var_a.shape == (10,)
    # He: Var(z_{l+1}) = 256 (2 / 256) E[a_l^2], up to finite-width noise
    np.testing.assert_allclose(var_z[1:] / (2 * mean_sq[:-1]), 1, rtol=0.1)
    # with Var(a_l) in its place the prediction is about a third too small
    assert np.all(var_z[1:] / (2 * var_a[:-1]) > 1.3)
    # layer 1: x ~ N(0, 1), so Var(z) = 2, E[a^2] = 1, Var(a) = 1 - 1/pi
    assert var_z[0] == pytest.approx(2, rel=0.03)
    np.testing.assert_allclose(
        [mean_sq[0], var_a[0]], relu_gaussian_moments(var_z[0]), rtol=0.03
    )


def test_activation_variances_are_the_last_moment():
    np.testing.assert_array_equal(
        activation_variances(he_normal, relu, rng()),
        layer_moments(he_normal, relu, rng())[2],
    )


def test_xavier_keeps_tanh_alive():
    v = activation_variances(xavier_normal, tanh, rng())
    assert v[-1] > 0.03
    assert saturated_fraction(xavier_normal, tanh, rng()) < 0.01


def test_too_large_explodes_relu_and_saturates_tanh():
    big = normal_with_std(1.0)
    v = activation_variances(big, relu, rng())
    assert v[-1] > 1e20 and np.all(np.diff(np.log(v)) > np.log(50))
    assert saturated_fraction(big, tanh, rng()) > 0.8
    assert saturated_fraction(big, sigmoid, rng()) > 0.6


def test_saturated_fraction_is_the_share_in_the_last_layer():
    # Layers 1 and 2 keep z near N(0, 1); only layer 3 is scaled up.
    layers = []

    def large_last(fan_in, fan_out, rng):
        layers.append(fan_in)
        std = 100.0 if len(layers) == 3 else 1 / math.sqrt(fan_in)
        return std * rng.standard_normal((fan_out, fan_in))

    share = saturated_fraction(large_last, tanh, rng(), depth=3, width=16)
    assert len(layers) == 3
    assert 0.95 < share <= 1.0


def test_too_small_shrinks_to_nothing():
    v = activation_variances(normal_with_std(0.01), tanh, rng())
    assert v[-1] < 1e-15


def test_pytorch_default_shrinks_a_deep_relu_stack():
    v = activation_variances(pytorch_linear_default, relu, rng())
    assert v[-1] < 1e-6 * v[0]


# --- the three failure modes -------------------------------------------------


def test_too_large_init_gives_nan_after_one_step():
    losses = deep_losses(normal_with_std(1.0), eta=0.01, epochs=3)
    assert np.isfinite(losses[0]) and losses[0] > 1e10
    assert losses[1] > 1e100
    assert np.all(np.isnan(losses[2:]))


def test_too_small_init_does_not_learn():
    norms = deep_gradient_norms(normal_with_std(0.01))
    assert norms.shape == (10,) and np.all(norms < 1e-12)
    losses = deep_losses(normal_with_std(0.01), eta=0.01, epochs=100)
    _, y = regression_task(rng())  # the data deep_losses trains on
    # only the output bias moves: no better than the best constant, mean(y)
    assert losses[-1] > np.var(y)


def test_he_init_learns_the_same_task():
    assert np.all(deep_gradient_norms(he_normal) > 0.5)
    losses = deep_losses(he_normal, eta=0.01, epochs=100)
    _, y = regression_task(rng())
    assert losses[-1] < 0.75 * np.var(y)  # beats every constant


def test_equal_weights_never_break_symmetry():
    (W1, b1), (W2, b2) = symmetric_xor(epochs=500)
    assert W1.shape == (2, 2) and W2.shape == (1, 2)  # a 2-2-1 net
    assert W1[0, 0] != 0.5  # it did train
    np.testing.assert_array_equal(W1[0], W1[1])
    assert b1[0] == b1[1] and W2[0, 0] == W2[0, 1]
    assert is_stuck(predict([(W1, b1), (W2, b2)], TRUTH_TABLE_INPUTS)[:, 0])


def test_equal_weights_get_equal_gradients():
    params = init_params(constant(0.3), (2, 4, 1), rng=None)
    _, [(dW1, db1), (dW2, _)] = gradients(
        params, TRUTH_TABLE_INPUTS, XOR_TARGETS
    )
    assert np.all(dW1 == dW1[0]) and np.all(db1 == db1[0])
    assert np.all(dW2 == dW2[0, 0])


# --- against PyTorch ---------------------------------------------------------


def test_torch_linear_default_matches():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    W = torch.nn.Linear(400, 500).weight.detach().numpy()
    assert np.max(np.abs(W)) <= 1 / 20
    assert np.var(W) == pytest.approx(pytorch_linear_variance(400), rel=0.02)

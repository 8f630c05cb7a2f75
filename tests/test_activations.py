import math

import numpy as np
import pytest
from conftest import numeric_derivative

from ref import activations as act

Z = np.linspace(-6, 6, 49)

DERIVATIVES = [
    (act.sigmoid, act.sigmoid_prime),
    (act.tanh, act.tanh_prime),
    (act.gelu, act.gelu_prime),
    (act.silu, act.silu_prime),
    (act.normal_cdf, act.normal_pdf),
]


@pytest.mark.parametrize(
    ("f", "f_prime"), DERIVATIVES, ids=lambda f: f.__name__
)
def test_derivative_matches_finite_differences(f, f_prime):
    np.testing.assert_allclose(
        f_prime(Z), numeric_derivative(f, Z), rtol=1e-6, atol=1e-9
    )


def test_relu_derivative_away_from_the_kink():
    z = Z[np.abs(Z) > 1e-3]
    np.testing.assert_allclose(
        act.relu_prime(z), numeric_derivative(act.relu, z), atol=1e-9
    )
    assert act.relu_prime(0.0) == 0.0


def test_sigmoid_values_and_symmetry():
    assert act.sigmoid(1.0) == 1 / (1 + math.exp(-1.0))
    assert act.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(act.sigmoid(-Z), 1 - act.sigmoid(Z), atol=1e-15)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = act.sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


def test_sigmoid_prime_peaks_at_a_quarter():
    assert act.sigmoid_prime(0.0) == 0.25
    assert np.all(act.sigmoid_prime(Z[Z != 0]) < 0.25)


def test_gelu_is_the_exact_erf_form():
    # Oracle: math.erf, independent of the vectorised implementation.
    for z in (-3.0, -0.5, 0.0, 0.7, 2.5):
        expected = 0.5 * z * (1 + math.erf(z / math.sqrt(2)))
        assert act.gelu(z) == pytest.approx(expected, rel=1e-15, abs=1e-300)
    # The tanh approximation is close but not the same function.
    z = 1.0
    approx = (
        0.5
        * z
        * (1 + math.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    )
    assert act.gelu(z) != approx
    assert act.gelu(z) == pytest.approx(approx, abs=1e-3)


def test_silu_and_relu_values():
    assert act.silu(2.0) == pytest.approx(2.0 / (1 + math.exp(-2.0)))
    np.testing.assert_array_equal(act.relu([-1.0, 0.0, 3.0]), [0, 0, 3])
    assert act.tanh(0.5) == pytest.approx(math.tanh(0.5))


def test_softmax_sums_to_one_along_the_axis():
    z = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(act.softmax(z).sum(axis=-1), 1.0)
    np.testing.assert_allclose(act.softmax(z, axis=0).sum(axis=0), 1.0)


def test_softmax_is_stable_for_large_inputs():
    z = np.array([1000.0, 999.0, 998.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = act.softmax(z)
    np.testing.assert_allclose(p, act.softmax(z - 1000.0))
    assert np.isnan(act.softmax_naive(z)).all()


def test_softmax_matches_the_definition_for_small_inputs():
    z = np.array([4.0, 2.5, 2.0, 0.5, 0.1])
    np.testing.assert_allclose(act.softmax(z), np.exp(z) / np.exp(z).sum())


def test_softmax_naive_agrees_where_nothing_overflows():
    z = np.array([4.0, 2.5, 2.0, 0.5, 0.1])
    np.testing.assert_allclose(act.softmax_naive(z), act.softmax(z))
    p = act.softmax_naive([0.0, math.log(3.0)])  # exp: 1 and 3, sum 4
    np.testing.assert_allclose(p, [0.25, 0.75], rtol=1e-15)


def test_softmax_rejects_bad_arguments():
    with pytest.raises(ValueError, match="z must have at least 1 dimension"):
        act.softmax(3.0)
    with pytest.raises(ValueError, match=r"axis must be in \[-1, 0\]"):
        act.softmax([1.0, 2.0], axis=1)


def test_non_numeric_input_names_the_argument():
    with pytest.raises(TypeError, match="z must be numeric"):
        act.sigmoid("one")

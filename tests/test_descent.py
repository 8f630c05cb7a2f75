import numpy as np
import pytest

from ref.descent import (
    curvature,
    descend,
    divergence_threshold,
    f,
    f_prime,
    step_factor,
)
from ref.gradcheck import numerical_gradient


def test_first_steps_from_the_site():
    ws = descend(f_prime, w0=0.0, eta=0.1, steps=8)
    assert len(ws) == 9 and ws[0] == 0.0
    assert ws[1] == pytest.approx(0.6)
    assert ws[8] == pytest.approx(2.49668352)
    assert f"{ws[8]:.4f}" == "2.4967"


def test_descent_reaches_the_minimum_and_f_drops_every_step():
    ws = descend(f_prime, 0.0, 0.1, 100)
    assert ws[-1] == pytest.approx(3.0, abs=1e-8)
    assert np.all(np.diff(f(ws)) < 0)


def test_f_prime_is_the_slope_of_f():
    for w in (-2.0, 0.0, 3.0, 7.5):
        assert f_prime(w) == pytest.approx(numerical_gradient(f, w), abs=1e-7)


def test_each_step_multiplies_the_error_by_one_minus_two_eta():
    eta = 0.3
    errors = descend(f_prime, 0.0, eta, 10) - 3.0
    np.testing.assert_allclose(errors[1:], step_factor(eta, 2.0) * errors[:-1])


def test_threshold_is_derived_from_the_curvature():
    k = curvature(f_prime, w=-4.0)
    assert k == pytest.approx(2.0)
    assert divergence_threshold(k) == pytest.approx(1.0)
    assert curvature(lambda w: 3 * w**2, w=2.0) == pytest.approx(12.0)


def test_just_below_the_threshold_converges_just_above_diverges():
    eta_max = divergence_threshold(curvature(f_prime, 0.0))
    below = descend(f_prime, 0.0, 0.99 * eta_max, 1000)
    above = descend(f_prime, 0.0, 1.01 * eta_max, 1000)
    assert abs(below[-1] - 3.0) < 1e-6
    assert abs(above[-1] - 3.0) > 1e6
    at = descend(f_prime, 0.0, 1.0, 4)  # w - 3 flips sign, same size
    np.testing.assert_allclose(at, [0.0, 6.0, 0.0, 6.0, 0.0])


def test_zero_steps_return_the_start():
    np.testing.assert_array_equal(descend(f_prime, 1.5, 0.1, 0), [1.5])


def test_invalid_arguments():
    with pytest.raises(ValueError, match="eta must be a positive number"):
        descend(f_prime, 0.0, 0.0, 5)
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        descend(f_prime, 0.0, 0.1, 2.5)
    with pytest.raises(ValueError, match="k must be a positive number"):
        divergence_threshold(-2.0)

"""Tests for ref/scaling.py."""

import numpy as np
import pytest

from ref.scaling import (
    CHINCHILLA,
    GPT3_TRAINING,
    log_log_slope,
    power_law,
    tokens_per_parameter,
)


def test_power_law_values():
    assert power_law(1.0, 5.0, 0.1) == pytest.approx(5.0)
    assert power_law(100.0, 5.0, 0.5) == pytest.approx(0.5)


@pytest.mark.parametrize("alpha", [0.05, 0.076, 0.1, 0.5])
def test_log_log_slope_is_minus_alpha(alpha):
    N = np.logspace(6, 11, 12)
    L = power_law(N, 10.0, alpha)
    assert log_log_slope(N, L) == pytest.approx(-alpha)
    # A straight line: log L = log a - alpha log N at every point.
    assert np.allclose(np.log(L), np.log(10.0) - alpha * np.log(N))


def test_every_tenfold_divides_the_loss_by_the_same_factor():
    L = power_law(np.array([1e8, 1e9, 1e10]), 3.0, 0.076)
    assert L[0] / L[1] == pytest.approx(L[1] / L[2])
    assert L[0] / L[1] == pytest.approx(10**0.076)


def test_slope_of_a_curve_that_is_not_a_power_law_differs():
    N = np.logspace(1, 4, 10)
    assert log_log_slope(N, 1.0 + power_law(N, 1.0, 0.5)) > -0.5


def test_two_points_give_the_slope_between_them():
    # log(2 / 8) / log(100 / 1) = -log(4) / log(100) = -0.301...
    assert log_log_slope([1.0, 100.0], [8.0, 2.0]) == pytest.approx(
        -np.log10(4) / 2
    )


def test_tokens_per_parameter():
    assert tokens_per_parameter(**CHINCHILLA) == pytest.approx(20.0)
    assert f"{tokens_per_parameter(**GPT3_TRAINING):.1f}" == "1.7"
    assert tokens_per_parameter(300e9, 175e9) == pytest.approx(12 / 7)


def test_bad_inputs():
    with pytest.raises(ValueError, match="N must be positive"):
        power_law([1.0, 0.0], 1.0, 0.1)
    with pytest.raises(ValueError, match="same shape"):
        log_log_slope([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="at least 2 points"):
        log_log_slope([10.0], [1.0])
    with pytest.raises(ValueError, match="positive to take logarithms"):
        log_log_slope([0.0, 10.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="positive to take logarithms"):
        log_log_slope([1.0, 10.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="params must be a positive"):
        tokens_per_parameter(1e9, 0)


def test_kaplan_loss_is_one_at_n_c_and_a_power_law():
    from ref.scaling import KAPLAN_ALPHA_N, KAPLAN_N_C, kaplan_loss

    assert kaplan_loss(KAPLAN_N_C) == pytest.approx(1.0, rel=1e-12)
    # A thousand times fewer parameters: loss times 1000**alpha_N.
    assert kaplan_loss(KAPLAN_N_C / 1e3) == pytest.approx(
        1e3**KAPLAN_ALPHA_N, rel=1e-12
    )

"""Tests for ref/sampling.py."""

import numpy as np
import pytest

from ref.activations import softmax, softmax_naive
from ref.sampling import greedy, sample, softmax_with_temperature

LOGITS = [4.0, 2.5, 2.0, 0.5, 0.1]


def test_softmax_of_lesson_logits():
    p = softmax_with_temperature(LOGITS, 1.0)
    assert [f"{x:.3f}" for x in p] == [
        "0.710",
        "0.158",
        "0.096",
        "0.021",
        "0.014",
    ]
    assert p.sum() == pytest.approx(1.0)


def test_temperature_half_sharpens():
    p = softmax_with_temperature(LOGITS, 0.5)
    assert f"{p[0]:.3f}" == "0.935"
    assert np.allclose(p, softmax(2 * np.array(LOGITS)))


def test_low_temperature_approaches_one_hot():
    p = softmax_with_temperature(LOGITS, 0.01)
    assert p[0] > 1 - 1e-12
    assert np.allclose(p, [1, 0, 0, 0, 0])


def test_high_temperature_approaches_uniform():
    p = softmax_with_temperature(LOGITS, 1e4)
    assert np.allclose(p, 0.2, atol=1e-4)
    assert p[0] > p[-1]


def test_higher_temperature_lowers_the_favourite():
    favourites = [
        softmax_with_temperature(LOGITS, T)[0] for T in (0.25, 0.5, 1, 2, 4)
    ]
    assert favourites == sorted(favourites, reverse=True)


@pytest.mark.parametrize("T", [0, -1.0, float("inf"), float("nan")])
def test_temperature_must_be_positive(T):
    with pytest.raises(ValueError, match="T must be a positive number"):
        softmax_with_temperature(LOGITS, T)


def test_greedy_is_argmax():
    assert greedy(LOGITS) == 0
    assert greedy([0.1, 3.0, -2.0]) == 1


def test_sample_is_reproducible_and_follows_probabilities():
    draws = [sample(LOGITS, 1.0, np.random.default_rng(0)) for _ in range(3)]
    assert len(set(draws)) == 1
    rng = np.random.default_rng(0)
    n = 5_000
    counts = np.bincount(
        [sample(LOGITS, 1.0, rng) for _ in range(n)], minlength=5
    )
    p = softmax_with_temperature(LOGITS, 1.0)
    assert np.allclose(counts / n, p, atol=0.03)


def test_sample_at_low_temperature_is_greedy():
    rng = np.random.default_rng(1)
    assert {sample(LOGITS, 0.01, rng) for _ in range(50)} == {0}


def test_naive_softmax_overflows_but_stable_one_works():
    assert np.all(np.isnan(softmax_naive([1000.0, 999.0])))
    p = softmax([1000.0, 999.0])
    assert np.allclose(p, softmax([1.0, 0.0]))
    assert f"{p[0]:.3f}" == "0.731"


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"logits must have 1 dimension"):
        greedy([[1.0, 2.0]])
    with pytest.raises(ValueError, match="at least one value"):
        greedy([])
    with pytest.raises(TypeError, match="rng"):
        sample(LOGITS, 1.0, rng=0)

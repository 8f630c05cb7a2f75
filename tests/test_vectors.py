"""Tests for ref/vectors.py."""

import math

import numpy as np
import pytest

from ref.vectors import EXAMPLE, analogy, cosine, nearest, solve_analogy


def test_cosine_known_values():
    assert cosine([1, 0], [0, 1]) == pytest.approx(0.0)
    assert cosine([1, 2], [2, 4]) == pytest.approx(1.0)
    assert cosine([1, 2], [-1, -2]) == pytest.approx(-1.0)
    assert cosine([1, 2], [-1, 2]) == pytest.approx(3 / 5)


def test_cosine_matches_angle():
    rng = np.random.default_rng(0)
    for _ in range(5):
        u, v = rng.normal(size=(2, 4))
        angle = math.acos(u @ v / math.sqrt((u @ u) * (v @ v)))
        assert cosine(u, v) == pytest.approx(math.cos(angle))
        assert cosine(3 * u, 0.5 * v) == pytest.approx(cosine(u, v))


def test_king_minus_man_plus_woman():
    v = analogy(EXAMPLE["king"], EXAMPLE["man"], EXAMPLE["woman"])
    assert v.tolist() == [-1.0, 2.0]
    assert cosine(v, EXAMPLE["queen"]) == pytest.approx(1.0)
    assert f"{cosine(v, EXAMPLE['queen']):.3f}" == "1.000"


def test_nearest_without_and_with_exclusion():
    v = analogy(EXAMPLE["king"], EXAMPLE["man"], EXAMPLE["woman"])
    assert nearest(v, EXAMPLE)[0] == "queen"
    word, score = nearest(v, EXAMPLE, exclude=("queen",))
    assert word == "king"
    assert score == pytest.approx(0.6)


def test_solve_analogy():
    word, score = solve_analogy("king", "man", "woman")
    assert word == "queen"
    assert score == pytest.approx(1.0)
    assert solve_analogy("queen", "woman", "man")[0] == "king"


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"v must have the shape of u"):
        cosine([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="zero vector"):
        cosine([0, 0], [1, 2])
    with pytest.raises(ValueError, match="same shape"):
        analogy([1, 2], [1, 2], [1])
    with pytest.raises(ValueError, match="'prince' is not in vectors"):
        solve_analogy("king", "man", "prince")

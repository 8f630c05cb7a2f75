import numpy as np
import pytest

from ref.gradcheck import numerical_gradient, relative_error


def test_numerical_gradient_matches_a_known_derivative():
    w = np.array([[0.5, -1.0], [2.0, 0.1]])
    grad = numerical_gradient(lambda v: np.sum(v**3), w)
    assert grad.shape == w.shape
    np.testing.assert_allclose(grad, 3 * w**2, rtol=1e-8)


def test_numerical_gradient_leaves_its_argument_alone():
    w = np.array([1.0, 2.0])
    numerical_gradient(lambda v: float(v @ v), w)
    assert w.tolist() == [1.0, 2.0]


def test_numerical_gradient_of_a_scalar():
    assert numerical_gradient(lambda v: np.sin(v), 0.3) == pytest.approx(
        np.cos(0.3), rel=1e-9
    )


def test_relative_error():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 2.2)
    # The scale is the largest magnitude on either side ...
    assert relative_error([10.0, 1.0], [0.0, 0.0]) == 1.0
    assert relative_error([0.0, 0.0], [1.0, -10.0]) == 1.0
    # ... even when it is far below 1: the error stays relative.
    assert relative_error([1e-3], [2e-3]) == 0.5
    assert relative_error([2e-3], [1e-3]) == 0.5
    assert relative_error([1e-13], [0.0]) == pytest.approx(0.1)  # floor
    with pytest.raises(ValueError, match=r"same shape.*\(2,\).*\(3,\)"):
        relative_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="h must be a positive number"):
        numerical_gradient(np.sum, [1.0], h=0.0)

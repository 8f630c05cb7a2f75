import numpy as np
import pytest

from ref.layers import dense, layer
from ref.neuron import neuron

W = np.array([[1.0, -2.0, 0.5], [0.5, 1.0, -1.0]])
b = np.array([-1.5, 0.0])
x = np.array([0.5, -1.0, 2.0])


def test_the_lesson_example():
    np.testing.assert_allclose(dense(W, x, b), [2.0, -2.75])
    np.testing.assert_allclose(np.round(layer(W, x, b), 3), [0.881, 0.060])


def test_each_row_is_one_neuron():
    rows = [neuron(W[j], x, b[j]) for j in range(2)]
    np.testing.assert_allclose(layer(W, x, b), rows, rtol=1e-15)


def test_batch_rows_match_single_examples():
    X = np.stack([x, -x, 2 * x])
    out = layer(W, X, b)
    assert out.shape == (3, 2)
    for i in range(3):
        np.testing.assert_allclose(out[i], layer(W, X[i], b))


def test_batch_size_need_not_match_the_inputs():
    X = np.stack([x, -x, 2 * x, 0 * x])  # 4 examples of 3 inputs
    np.testing.assert_allclose(
        dense(W, X, b), [[2.0, -2.75], [-5.0, 2.75], [5.5, -5.5], b]
    )


def test_custom_activation():
    np.testing.assert_allclose(
        layer(W, x, b, activation=np.tanh), np.tanh([2.0, -2.75])
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (W, np.ones(2), b),
            r"x must have 3 entries .* got x of shape \(2,\)",
        ),
        (
            (W, x, np.ones(3)),
            r"b must have shape \(2,\) .* got b of shape \(3,\)",
        ),
        ((W[0], x, b), r"W must have 2 dimension\(s\), got shape \(3,\)"),
        ((W, np.ones((2, 2, 3)), b), r"x must have 1 or 2 dimension"),
        (
            (W, np.ones((3, 2)), b),
            r"x must have 3 entries .* got x of shape \(3, 2\)",
        ),
    ],
)
def test_bad_shapes_say_what_was_expected(args, message):
    with pytest.raises(ValueError, match=message):
        dense(*args)

import itertools

import numpy as np
import pytest

from ref import neuron as nr
from ref.activations import sigmoid


def test_neuron_is_sigmoid_of_the_weighted_sum():
    w, x, b = [2.0, -1.0], [1.0, 0.5], -0.5
    assert nr.preactivation(w, x, b) == 1.0
    assert nr.neuron(w, x, b) == sigmoid(1.0)


def test_batch_of_inputs():
    z = nr.preactivation([1.0, 1.0], nr.TRUTH_TABLE_INPUTS, -1.5)
    np.testing.assert_array_equal(z, [-1.5, -0.5, -0.5, 0.5])


@pytest.mark.parametrize(
    ("params", "table"),
    [
        (nr.AND, [0, 0, 0, 1]),
        (nr.OR, [0, 1, 1, 1]),
        (nr.XOR_OR, [0, 1, 1, 1]),
        (nr.XOR_NAND, [1, 1, 1, 0]),
        (nr.XOR_AND, [0, 0, 0, 1]),
    ],
)
def test_gates_compute_their_truth_tables(params, table):
    out = nr.gate(params, nr.TRUTH_TABLE_INPUTS)
    np.testing.assert_array_equal(out > 0.5, np.array(table, dtype=bool))


def test_and_of_ones():
    w, b = nr.AND
    assert nr.preactivation(w, [1, 1], b) == 5.0
    assert round(float(nr.gate(nr.AND, [1, 1])), 4) == 0.9933


def test_xor_network_truth_table():
    y = nr.xor_network(nr.TRUTH_TABLE_INPUTS)
    np.testing.assert_array_equal(y > 0.5, [False, True, True, False])
    # Oracle: the three neurons written out with the math module.
    import math

    def s(z):
        return 1 / (1 + math.exp(-z))

    for (x1, x2), got in zip(
        itertools.product([0, 1], repeat=2), y, strict=True
    ):
        h1 = s(20 * x1 + 20 * x2 - 10)
        h2 = s(-20 * x1 - 20 * x2 + 30)
        assert got == pytest.approx(s(20 * h1 + 20 * h2 - 30), rel=1e-12)


def test_xor_network_on_one_pair_at_a_time():
    batch = nr.xor_network(nr.TRUTH_TABLE_INPUTS)
    for pair, expected in zip(nr.TRUTH_TABLE_INPUTS, batch, strict=True):
        out = nr.xor_network(pair)  # shape (2,) in, a number out
        assert np.ndim(out) == 0
        assert out == pytest.approx(expected, rel=1e-12)


def test_fires_exactly_when_z_is_positive():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    w, b = rng.normal(size=3), 0.3
    np.testing.assert_array_equal(
        nr.neuron(w, x, b) > 0.5, nr.preactivation(w, x, b) > 0
    )


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(
        ValueError,
        match=r"x must have 2 inputs .* w of "
        r"shape \(2,\), got x of shape \(3,\)",
    ):
        nr.neuron([1.0, 2.0], [1.0, 2.0, 3.0], 0.0)
    with pytest.raises(ValueError, match=r"b must have 0 dimension"):
        nr.neuron([1.0], [1.0], [0.0, 1.0])

"""A single neuron, and neurons wired as logic gates (lessons L1, L2, L4).

A neuron computes `z = w . x + b` and fires `a = sigmoid(z)`. It fires
(a is above one half) exactly when z is positive, so the line
`w . x + b = 0` splits its inputs: the weights turn that line, the bias
slides it.
"""

import numpy as np

from ref._checks import as_array
from ref.activations import sigmoid

# --- one neuron -------------------------------------------------------------


def preactivation(w, x, b):
    """z = w . x + b for weights w of shape (n,) and inputs x of shape (n,).

    x may also be a batch of shape (m, n); z then has shape (m,).
    """
    w = as_array("w", w, ndim=1)
    x = as_array("x", x, ndim=(1, 2))
    b = as_array("b", b, ndim=0)
    if x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"x must have {w.shape[0]} inputs per example to match w of "
            f"shape {w.shape}, got x of shape {x.shape}"
        )
    return (x @ w + b)[()]


def neuron(w, x, b):
    """a = sigmoid(w . x + b)."""
    return sigmoid(preactivation(w, x, b))


# --- gates -------------------------------------------------------------------

#: Hand-picked (w, b) that make a sigmoid neuron a logic gate (lesson L2).
AND = ((10.0, 10.0), -15.0)
OR = ((10.0, 10.0), -5.0)

#: The sharper weights of the hand-built XOR network (lesson L4).
XOR_OR = ((20.0, 20.0), -10.0)
XOR_NAND = ((-20.0, -20.0), 30.0)
XOR_AND = ((20.0, 20.0), -30.0)

#: The four input pairs of a two-input truth table, in the usual order.
TRUTH_TABLE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def gate(params, x):
    """Output of a gate neuron with params = (w, b) on inputs x."""
    w, b = params
    return neuron(w, x, b)


def xor_network(x):
    """`XOR(x1, x2) = AND(OR(x1, x2), NAND(x1, x2))`, built from three neurons.

    x has shape `(2,)` or `(m, 2)`; the result has shape `()` or `(m,)`.
    """
    x = as_array("x", x, ndim=(1, 2))
    h = np.stack([gate(XOR_OR, x), gate(XOR_NAND, x)], axis=-1)
    return gate(XOR_AND, h)

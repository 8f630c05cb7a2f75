"""A layer of neurons as one matrix-vector product (lesson L3).

Shape rule: an (n x m) weight matrix times a vector of m inputs gives a
vector of n outputs. Row j of W holds the weights of neuron j, so output
j is the dot product of row j with x, plus b[j].
"""

from ref._checks import as_array
from ref.activations import sigmoid


def dense(W, x, b):
    """z = W x + b for W of shape (n, m), x of shape (m,) and b of shape (n,).

    x may also be a batch of shape (k, m), one example per row; z then has
    shape (k, n).
    """
    W = as_array("W", W, ndim=2)
    x = as_array("x", x, ndim=(1, 2))
    b = as_array("b", b, ndim=1)
    n, m = W.shape
    if x.shape[-1] != m:
        raise ValueError(
            f"x must have {m} entries to match W of shape {W.shape} "
            f"(n x m times m), got x of shape {x.shape}"
        )
    if b.shape != (n,):
        raise ValueError(
            f"b must have shape ({n},) to match W of shape {W.shape}, "
            f"got b of shape {b.shape}"
        )
    return x @ W.T + b


def layer(W, x, b, activation=sigmoid):
    """a = activation(W x + b); sigmoid unless another function is given."""
    return activation(dense(W, x, b))

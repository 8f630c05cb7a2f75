"""Activation functions and their derivatives (lessons L1, L5, L17).

Each function takes a scalar or an array and works elementwise, except
`softmax`, which normalises along one axis.
"""

import math

import numpy as np

from ref._checks import as_array

# --- sigmoid -------------------------------------------------------------


# --8<-- [start:sigmoid]
def sigmoid(z):
    """`sigma(z) = 1 / (1 + exp(-z))`, computed without overflow.

    For large negative z, `exp(-z)` overflows; the equivalent form
    `exp(z) / (1 + exp(z))` is used there instead.

    ```python
    from ref.activations import sigmoid

    assert sigmoid(0.0) == 0.5
    assert sigmoid(-1000.0) == 0.0  # no overflow warning
    ```
    """
    z = as_array("z", z)
    e = np.exp(-np.abs(z))  # always in (0, 1]: never overflows
    a = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return a[()]


# --8<-- [end:sigmoid]


def sigmoid_prime(z):
    """`sigma'(z) = sigma(z) * (1 - sigma(z))`, largest where `z == 0`.

    ```python
    import numpy as np

    from ref.activations import sigmoid_prime

    z = np.linspace(-6.0, 6.0, 1201)
    assert sigmoid_prime(z).max() == sigmoid_prime(0.0) == 0.25
    ```
    """
    a = sigmoid(z)
    return a * (1.0 - a)


# --- ReLU, tanh ------------------------------------------------------------


def relu(z):
    """`relu(z) = max(0, z)`."""
    z = as_array("z", z)
    return np.maximum(z, 0.0)[()]


def relu_prime(z):
    """`relu'(z) = 1 if z > 0 else 0` (so at `z == 0` it is taken as `0`)."""
    z = as_array("z", z)
    return (z > 0).astype(float)[()]


def tanh(z):
    """`tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))`."""
    return np.tanh(as_array("z", z))[()]


def tanh_prime(z):
    """`tanh'(z) = 1 - tanh(z)**2`."""
    return 1.0 - tanh(z) ** 2


# --- GELU, SiLU ------------------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[float])


def normal_cdf(z):
    """`Phi(z) = (1 + erf(z / sqrt(2))) / 2`, the standard normal CDF."""
    z = as_array("z", z)
    return (0.5 * (1.0 + _erf(z / math.sqrt(2.0))))[()]


def normal_pdf(z):
    """`phi(z) = exp(-z**2 / 2) / sqrt(2 pi)`, the standard normal density."""
    z = as_array("z", z)
    return (np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi))[()]


def gelu(z):
    """`gelu(z) = z * Phi(z)`, the exact form with the error function."""
    z = as_array("z", z)
    return (z * normal_cdf(z))[()]


def gelu_prime(z):
    """`gelu'(z) = Phi(z) + z * phi(z)`."""
    z = as_array("z", z)
    return (normal_cdf(z) + z * normal_pdf(z))[()]


def silu(z):
    """`silu(z) = z * sigma(z)`, also called swish."""
    z = as_array("z", z)
    return (z * sigmoid(z))[()]


def silu_prime(z):
    """`silu'(z) = sigma(z) * (1 + z * (1 - sigma(z)))`."""
    z = as_array("z", z)
    s = sigmoid(z)
    return (s * (1.0 + z * (1.0 - s)))[()]


# --- softmax ---------------------------------------------------------------


# --8<-- [start:softmax]
def softmax(z, axis=-1):
    """softmax(z)_i = exp(z_i - max z) / sum_j exp(z_j - max z).

    Subtracting the maximum changes nothing mathematically (it cancels
    between numerator and denominator) but keeps exp() from overflowing.

    ```python
    import numpy as np
    from ref.activations import softmax

    p = softmax([1000.0, 1000.0])
    assert np.allclose(p, [0.5, 0.5])
    ```
    """
    z = as_array("z", z)
    if z.ndim == 0:
        raise ValueError("z must have at least 1 dimension, got a scalar")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(
            f"axis must be in [{-z.ndim}, {z.ndim - 1}] for z of shape "
            f"{z.shape}, got {axis}"
        )
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


# --8<-- [end:softmax]


def softmax_naive(z):
    """exp(z_i) / sum_j exp(z_j) as written: overflows for large z.

    Only here to show on the softmax page why `softmax` subtracts the
    maximum first. Returns NaN where exp() overflows to infinity.
    """
    z = as_array("z", z, ndim=1)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / np.sum(e)

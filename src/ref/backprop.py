"""Backpropagation through a multilayer perceptron (lesson L8).

The network is a list of layers (W, b), W of shape (n_out, n_in) as in
`ref.layers`. Layer l applies an activation sigma (the same in every
layer unless a list gives one per layer). The cost is the mean squared
error over the batch: `C = (1/m) sum_x C_x`, where
`C_x = (1/n_L) ||a_L - y||**2` for one example x. Backprop runs the chain
rule from the output back to the input, one layer at a time (Nielsen's
BP1-BP4):

    BP1  delta_L = dC_x/da_L * sigma'(z_L)
    BP2  delta_l = (W_{l+1}^T delta_{l+1}) * sigma'(z_l)
    BP3  dC_x/db_l = delta_l
    BP4  dC_x/dW_l = delta_l a_{l-1}^T

and the gradient of C is the mean of these over the m examples.

Inputs come one example per row: x has shape (m, n_in). Leading axes
in front of W and b, if any, index independent networks (for instance
one per random seed) that run side by side on the same x.
"""

import numpy as np

from ref._checks import as_array, check_positive
from ref.activations import (
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    tanh,
    tanh_prime,
)
from ref.losses import mse

# --- activations and their derivatives ---------------------------------------


def identity(z):
    """a = z: no activation, as in the output layer of a regression net."""
    return z


def identity_prime(z):
    """`d identity / dz = 1`."""
    return np.ones_like(z)


#: sigma -> sigma', for the activations `backward` can differentiate.
DERIVATIVES = {
    sigmoid: sigmoid_prime,
    tanh: tanh_prime,
    relu: relu_prime,
    identity: identity_prime,
}

# --- parameters --------------------------------------------------------------


def init_normal(sizes, rng, std=1.0):
    """`W_l, b_l ~ N(0, std**2)` for layer sizes (n_0, n_1, ..., n_L).

    Draws in order W_1, b_1, W_2, b_2, ... from `rng`, so a seed fixes
    the network.
    """
    if len(sizes) < 2 or any(int(n) != n or n < 1 for n in sizes):
        raise ValueError(
            f"sizes must be 2 or more positive integers, got {sizes!r}"
        )
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        W = std * rng.standard_normal((n_out, n_in))
        b = std * rng.standard_normal(n_out)
        params.append((W, b))
    return params


def stack(networks):
    """Stack networks of the same sizes into one with a leading axis.

    Layer l of the result holds W_l of every network in one array of
    shape (k, n_out, n_in), so `forward` and `backward` run all k at once.
    """
    return [
        (np.stack([W for W, _ in layers]), np.stack([b for _, b in layers]))
        for layers in zip(*networks, strict=True)
    ]


def check_params(params, x):
    """Return params and x as float arrays; check that their shapes chain."""
    x = as_array("x", x, ndim=2)
    checked, n_in = [], x.shape[-1]
    for i, (W, b) in enumerate(params, start=1):
        W = as_array(f"W_{i}", W)
        b = as_array(f"b_{i}", b)
        if W.ndim < 2 or W.shape[-1] != n_in:
            raise ValueError(
                f"W_{i} must have shape (n_out, {n_in}) to take "
                f"{n_in} inputs, got shape {W.shape}"
            )
        if b.shape != W.shape[:-1]:
            raise ValueError(
                f"b_{i} must have shape {W.shape[:-1]} to match W_{i} of "
                f"shape {W.shape}, got shape {b.shape}"
            )
        checked.append((W, b))
        n_in = W.shape[-2]
    if not checked:
        raise ValueError("params must hold at least one layer (W, b)")
    return checked, x


def _per_layer(activation, params):
    """One activation per layer, each one that `backward` can differentiate."""
    if callable(activation):
        activation = [activation] * len(params)
    if len(activation) != len(params):
        raise ValueError(
            f"activation must be one function or a list of {len(params)}, "
            f"one per layer, got a list of {len(activation)}"
        )
    for sigma in activation:
        if sigma not in DERIVATIVES:
            raise ValueError(
                "activation must be one of "
                f"{[f.__name__ for f in DERIVATIVES]}, got {sigma!r}"
            )
    return list(activation)


def _targets(y, a_L):
    """y as an array of shape (m, n_L), one row per example, like a_L."""
    y = as_array("y", y)
    if y.shape != a_L.shape[-2:]:
        raise ValueError(
            f"y must have shape {a_L.shape[-2:]} (m, n_L) to match the "
            f"network's output, got shape {y.shape}"
        )
    return np.broadcast_to(y, a_L.shape)


# --- forward and backward ----------------------------------------------------


def forward(params, x, activation=sigmoid):
    """`a_0 = x; z_l = W_l a_{l-1} + b_l, a_l = sigma(z_l)` for `l = 1..L`.

    activation is one function for every layer, or a list of L of them.
    Returns (zs, activations): zs = [z_1, ..., z_L] and
    activations = [a_0, ..., a_L], each of shape (m, n_l).
    """
    params, x = check_params(params, x)
    return _forward(params, x, _per_layer(activation, params))


def _forward(params, x, sigmas):
    """`forward` for checked params and x, one activation per layer."""
    zs, activations = [], [x]
    for (W, b), sigma in zip(params, sigmas, strict=True):
        z = activations[-1] @ W.mT + b[..., None, :]  # one row per example
        zs.append(z)
        activations.append(sigma(z))
    return zs, activations


def backward(params, zs, activations, y, activation=sigmoid):
    """BP1-BP4: `[(dC/dW_l, dC/db_l) for l = 1..L]`, `C = mean (a_L - y)**2`.

    zs and activations are what `forward` returned for the same params.
    """
    params, _ = check_params(params, activations[0])
    y = _targets(y, activations[-1])
    return _backward(params, zs, activations, y, activation)


# --8<-- [start:backward]
def _backward(params, zs, activations, y, activation):
    """`backward` for checked params and y broadcast to the shape of a_L."""
    primes = [DERIVATIVES[s] for s in _per_layer(activation, params)]
    m, n_L = y.shape[-2:]
    grads = [None] * len(params)
    delta = 2.0 / n_L * (activations[-1] - y) * primes[-1](zs[-1])  # BP1
    for i in reversed(range(len(params))):  # layer l = i + 1
        dW = delta.mT @ activations[i] / m  # BP4, mean over the m examples
        db = np.sum(delta, axis=-2) / m  # BP3, mean over the m examples
        grads[i] = (dW, db)
        if i > 0:  # BP2; rows are examples, so W^T delta is delta @ W
            delta = (delta @ params[i][0]) * primes[i - 1](zs[i - 1])
    return grads


# --8<-- [end:backward]


# --- cost, gradient, one step ------------------------------------------------


def predict(params, x, activation=sigmoid):
    """a_L, the network's output for inputs x of shape (m, n_in)."""
    return forward(params, x, activation)[1][-1]


def cost(params, x, y, activation=sigmoid):
    """C = mean over examples and outputs of `(a_L - y)**2`."""
    a_L = predict(params, x, activation)
    return mse(a_L, _targets(y, a_L), axis=(-2, -1))


def gradients(params, x, y, activation=sigmoid):
    """(C, [(dC/dW_l, dC/db_l), ...]): one forward and one backward pass."""
    params, x = check_params(params, x)
    zs, activations = _forward(params, x, _per_layer(activation, params))
    y = _targets(y, activations[-1])
    C = mse(activations[-1], y, axis=(-2, -1))
    return C, _backward(params, zs, activations, y, activation)


def step(params, grads, eta):
    """W <- W - eta dC/dW and b <- b - eta dC/db in every layer."""
    check_positive("eta", eta)
    return [
        (W - eta * dW, b - eta * db)
        for (W, b), (dW, db) in zip(params, grads, strict=True)
    ]

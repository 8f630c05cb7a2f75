"""Weight initialisation: its scale, and what goes wrong when it is off.

`z = W a` sums fan_in terms `W_jk a_k`. With the W_jk independent, of
mean zero and independent of a, `Var(z) = fan_in Var(W) E[a**2]`: the
second moment of a, which equals `Var(a)` only when a has mean zero (not
after a ReLU). An init picks `Var(W)` so that this stays about the same
from layer to layer. A sampler here is a function
`init(fan_in, fan_out, rng)` returning W of shape (fan_out, fan_in).
"""

import math

import numpy as np

from ref._checks import check_positive
from ref.activations import relu, tanh
from ref.backprop import DERIVATIVES, gradients, identity
from ref.neuron import TRUTH_TABLE_INPUTS
from ref.training import XOR_TARGETS, train

# --- variances ---------------------------------------------------------------


def xavier_variance(fan_in, fan_out):
    """`Var(W) = 2 / (fan_in + fan_out)`, after Glorot and Bengio."""
    return 2.0 / (_fan("fan_in", fan_in) + _fan("fan_out", fan_out))


def he_variance(fan_in):
    """`Var(W) = 2 / fan_in`, after He et al.: ReLU halves `E[z**2]`."""
    return 2.0 / _fan("fan_in", fan_in)


def kaiming_uniform_bound(fan_in, a=0.0):
    """`bound = gain sqrt(3 / fan_in)`, `gain = sqrt(2 / (1 + a**2))`.

    `W ~ U(-bound, bound)` then has `Var(W) = gain**2 / fan_in`, since
    `U(-c, c)` has variance `c**2 / 3`. torch.nn.Linear uses
    `a = sqrt(5)`.
    """
    gain = math.sqrt(2.0 / (1.0 + a**2))
    return gain * math.sqrt(3.0 / _fan("fan_in", fan_in))


def pytorch_linear_variance(fan_in):
    """`Var(W) = 1 / (3 fan_in)`, of `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`.

    Neither He nor Xavier.
    """
    return 1.0 / (3.0 * _fan("fan_in", fan_in))


def relu_gaussian_moments(var_z):
    """`E[relu(z)**2] = Var(z) / 2`, `Var(relu(z)) = (1/2 - 1/(2 pi)) Var(z)`.

    For `z ~ N(0, var_z)`. ReLU halves the second moment, not the
    variance: relu(z) has mean `sqrt(var_z / (2 pi)) > 0`, so its
    variance is smaller still, about a third of Var(z). Returns both.

    ```python
    from ref.init import relu_gaussian_moments

    second_moment, variance = relu_gaussian_moments(1.0)
    assert second_moment == 0.5
    assert round(variance, 2) == 0.34
    ```
    """
    var_z = check_positive("var_z", var_z)
    return var_z / 2.0, var_z * (0.5 - 1.0 / (2.0 * math.pi))


def _fan(name, value):
    """value as a positive int, or ValueError naming the argument."""
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# --- samplers ----------------------------------------------------------------


def xavier_normal(fan_in, fan_out, rng):
    """`W ~ N(0, 2 / (fan_in + fan_out))`, shape (fan_out, fan_in)."""
    std = math.sqrt(xavier_variance(fan_in, fan_out))
    return std * rng.standard_normal((fan_out, fan_in))


def he_normal(fan_in, fan_out, rng):
    """`W ~ N(0, 2 / fan_in)`, shape (fan_out, fan_in)."""
    std = math.sqrt(he_variance(fan_in))
    return std * rng.standard_normal((fan_out, fan_in))


def pytorch_linear_default(fan_in, fan_out, rng):
    """`W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))`, torch.nn.Linear's default.

    That is kaiming_uniform_ with `a = sqrt(5)`; nn.Linear draws its bias
    from the same interval.
    """
    bound = kaiming_uniform_bound(fan_in, a=math.sqrt(5.0))
    return rng.uniform(-bound, bound, size=(fan_out, fan_in))


def normal_with_std(std):
    """A sampler `W ~ N(0, std**2)` that ignores the fan-in: a fixed scale."""
    check_positive("std", std)

    def init(fan_in, fan_out, rng):
        return std * rng.standard_normal((_fan("fan_out", fan_out), fan_in))

    return init


def constant(value):
    """A sampler that sets every weight to value: no randomness at all."""

    def init(fan_in, fan_out, rng):
        return np.full((_fan("fan_out", fan_out), fan_in), float(value))

    return init


def init_params(init, sizes, rng):
    """[(W_l, b_l)] for sizes (n_0, ..., n_L): W_l from init, b_l all zero."""
    return [
        (init(n_in, n_out, rng), np.zeros(n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]


# --- through a deep stack ----------------------------------------------------


def deep_stack(init, activation, rng, depth=10, width=256, m=500):
    """The z_l of a depth-layer stack, width units each, on `x ~ N(0, 1)`.

    Every layer is `a_l = activation(W_l a_{l-1})` with W_l from init and
    no bias; x has m examples. Returns [z_1, ..., z_depth].
    """
    a = rng.standard_normal((m, width))
    zs = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(depth):
            zs.append(a @ init(width, width, rng).T)
            a = activation(zs[-1])
    return zs


def activation_variances(init, activation, rng, depth=10, width=256):
    """`Var(a_l)` for `l = 1..depth`: does the signal keep its size?"""
    return layer_moments(init, activation, rng, depth, width)[2]


def layer_moments(init, activation, rng, depth=10, width=256):
    """`(Var(z_l), E[a_l**2], Var(a_l))` for `l = 1..depth`, three arrays.

    The stack of `deep_stack`, same draws. Layer by layer,
    `Var(z_{l+1})` is close to `width Var(W) E[a_l**2]`, the relation an
    init is designed around; with a ReLU, `E[a**2]` is not `Var(a)`.
    """
    zs = deep_stack(init, activation, rng, depth, width)
    with np.errstate(over="ignore", invalid="ignore"):
        a_s = [activation(z) for z in zs]
        return (
            np.array([np.var(z) for z in zs]),
            np.array([np.mean(a**2) for a in a_s]),
            np.array([np.var(a) for a in a_s]),
        )


def saturated_fraction(init, activation, rng, depth=10, width=256):
    """Share of units in the last layer whose slope is nearly zero: stuck.

    For tanh and sigmoid these are saturated; for ReLU, dead (`z < 0`).
    """
    z = deep_stack(init, activation, rng, depth, width)[-1]
    return float(np.mean(DERIVATIVES[activation](z) < 0.01))


# --- the three failure modes -------------------------------------------------

#: A 10-layer net for the failure demos: ReLU hidden layers of 32 units,
#: one linear output (no activation), as in a regression net.
DEEP_SIZES = (32,) * 10 + (1,)
DEEP_ACTIVATIONS = [relu] * 9 + [identity]


def regression_task(rng, m=64, n=32):
    """`x ~ N(0, 1)` of shape (m, n); y, the mean of tanh(x) per row."""
    x = rng.standard_normal((m, n))
    return x, np.mean(tanh(x), axis=1, keepdims=True)


def deep_gradient_norms(init, seed=0):
    """`||dC/dW_l||` for every layer l of the deep net, at its first weights.

    Data, then weights (from init), drawn from default_rng(seed), so every
    init sees the same data. Near zero everywhere: no step changes W.
    """
    rng = np.random.default_rng(seed)
    x, y = regression_task(rng)
    params = init_params(init, DEEP_SIZES, rng)
    with np.errstate(all="ignore"):
        _, grads = gradients(params, x, y, DEEP_ACTIVATIONS)
    return np.array([np.linalg.norm(dW) for dW, _ in grads])


def deep_losses(init, eta, epochs, seed=0):
    """Loss history of the deep net trained from init; inf, NaN let through.

    Same data and seed as `deep_gradient_norms`.
    """
    rng = np.random.default_rng(seed)
    x, y = regression_task(rng)
    params = init_params(init, DEEP_SIZES, rng)
    with np.errstate(all="ignore"):
        return train(params, x, y, eta, epochs, DEEP_ACTIVATIONS)[1]


def symmetric_xor(value=0.5, eta=5.0, epochs=1500):
    """The XOR net trained from every weight equal to value and zero biases.

    Returns the trained params. The net has two inputs, two hidden units
    and one output. Both hidden units start equal, get equal gradients,
    and so stay
    equal: the net behaves as if it had one hidden unit.
    """
    params = init_params(constant(value), (2, 2, 1), rng=None)
    params, _ = train(params, TRUTH_TABLE_INPUTS, XOR_TARGETS, eta, epochs)
    return params

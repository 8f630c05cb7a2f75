"""Loss functions and their gradients (lessons L6, L9, L17).

A loss turns predictions y_hat and targets y into one number that is
zero only when every prediction is right. Each `*_prime` or `*_grad` is the
gradient of its loss with respect to the predictions (or the logits z).
"""

import numpy as np

from ref._checks import as_array, check_positive
from ref.activations import sigmoid, sigmoid_prime, softmax


def _pair(y_hat, y, names=("y_hat", "y")):
    """Return both as float arrays; raise ValueError unless shapes match."""
    y_hat = as_array(names[0], y_hat)
    y = as_array(names[1], y)
    if y_hat.shape != y.shape:
        raise ValueError(
            f"{names[1]} must have the shape of {names[0]}, {y_hat.shape}, "
            f"got shape {y.shape}"
        )
    return y_hat, y


# --- squared error -----------------------------------------------------------


def sse(y_hat, y):
    """`SSE = sum_i (y_hat_i - y_i)**2`, the sum of squared errors."""
    y_hat, y = _pair(y_hat, y)
    return float(np.sum((y_hat - y) ** 2))


def sse_prime(y_hat, y):
    """`dSSE/dy_hat_i = 2 (y_hat_i - y_i)`."""
    y_hat, y = _pair(y_hat, y)
    return 2.0 * (y_hat - y)


def mse(y_hat, y, axis=None):
    """`MSE = (1/n) sum_i (y_hat_i - y_i)**2`, the mean of squared errors.

    The mean runs over every entry, or only over `axis` if given.
    """
    y_hat, y = _pair(y_hat, y)
    return np.mean((y_hat - y) ** 2, axis=axis)[()]


def mse_prime(y_hat, y):
    """`dMSE/dy_hat_i = 2 (y_hat_i - y_i) / n`, n = number of entries."""
    y_hat, y = _pair(y_hat, y)
    return 2.0 * (y_hat - y) / y_hat.size


def quadratic_cost(a, y):
    """`C = 1/(2n) sum_x ||y(x) - a(x)||**2`, Nielsen's quadratic cost.

    n is the number of examples, one per row of a (or one per entry if
    a is a vector). With one output per example this is exactly half the
    MSE:

    ```python
    from ref.losses import mse, quadratic_cost

    a, y = [0.9, 0.2, 0.4], [1.0, 0.0, 1.0]
    assert quadratic_cost(a, y) == mse(a, y) / 2
    ```
    """
    a, y = _pair(a, y, names=("a", "y"))
    n = a.shape[0] if a.ndim else 1
    return float(np.sum((y - a) ** 2) / (2.0 * n))


def quadratic_cost_prime(a, y):
    """`dC/da(x) = (a(x) - y(x)) / n`: the `1/2` cancels the square's `2`."""
    a, y = _pair(a, y, names=("a", "y"))
    n = a.shape[0] if a.ndim else 1
    return (a - y) / n


# --- what the 1/2 changes ----------------------------------------------------


def linear_step(w, x, y, eta, cost_prime=mse_prime):
    """`w - eta dC/dw` for the model `y_hat = w x`, one gradient-descent step.

    `dC/dw = sum_i dC/dy_hat_i * x_i` by the chain rule. With
    `cost_prime=quadratic_cost_prime` the gradient is half the MSE one,
    so the step equals an MSE step at `eta / 2`.
    """
    x, y = _pair(x, y, names=("x", "y"))
    check_positive("eta", eta)
    y_hat = w * x
    return float(w - eta * np.sum(cost_prime(y_hat, y) * x))


# --- a sigmoid output: squared error against cross-entropy -----------------


def sigmoid_mse_grad(z, y):
    """`dL/dz_i = 2 (a_i - y_i) sigma'(z_i) / n`, `L = MSE(sigmoid(z), y)`.

    The factor `sigma'(z)` is at most a quarter (see
    `ref.activations.sigmoid_prime`) and nearly zero where the sigmoid
    saturates, so a confidently wrong output learns slowly.
    """
    z, y = _pair(z, y, names=("z", "y"))
    return 2.0 * (sigmoid(z) - y) * sigmoid_prime(z) / z.size


def binary_cross_entropy(a, y):
    """`L = -(1/n) sum_i [y_i log a_i + (1 - y_i) log(1 - a_i)]`, `0 < a < 1`.

    Cross-entropy for one yes/no output per entry: `-log a_i` when
    `y_i = 1`, `-log(1 - a_i)` when `y_i = 0`.
    """
    a, y = _pair(a, y, names=("a", "y"))
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"y must lie in [0, 1], got {y}")
    if np.any((a <= 0) | (a >= 1)):
        raise ValueError(f"a must lie strictly in (0, 1), got {a}")
    return float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))


def sigmoid_cross_entropy_grad(z, y):
    """`dL/dz_i = (sigmoid(z_i) - y_i) / n`, L = binary_cross_entropy.

    The `sigma'(z)` of the chain rule cancels against the `1/a` of the log,
    so the gradient is as large as the error, saturated or not.
    """
    z, y = _pair(z, y, names=("z", "y"))
    return (sigmoid(z) - y) / z.size


# --- cross-entropy -----------------------------------------------------------


def _distributions(p, y, names):
    """Check p and y: shape (K,) or (m, K), each row of y summing to 1."""
    p, y = _pair(p, y, names=names)
    if p.ndim not in (1, 2):
        raise ValueError(
            f"{names[0]} must have shape (K,) or (m, K), got shape {p.shape}"
        )
    if np.any(y < 0) or not np.allclose(np.sum(y, axis=-1), 1.0):
        raise ValueError(
            "y must hold probability rows (one-hot or soft labels): "
            "entries >= 0 that sum to 1, got row sums "
            f"{np.sum(y, axis=-1)} and smallest entry {np.min(y)}"
        )
    return p, y


def cross_entropy(p, y):
    """`L = -sum_k y_k log p_k`, averaged over the rows if p is (m, K).

    Terms with `y_k = 0` count as zero even where `p_k = 0`.
    """
    p, y = _distributions(p, y, names=("p", "y"))
    with np.errstate(divide="ignore"):  # p_k = 0 where y_k > 0: L = inf
        log_p = np.log(np.where(y > 0, p, 1.0))
    return float(-np.sum(y * log_p) / (p.shape[0] if p.ndim == 2 else 1))


def log_softmax(z):
    """`log softmax(z)_k = z_k - log sum_j exp(z_j)`, along the last axis.

    Computed as `(z_k - max z) - log sum_j exp(z_j - max z)`, which never
    overflows and never takes the log of zero.
    """
    z = as_array("z", z, ndim=(1, 2))
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax_cross_entropy(z, y):
    """L = -sum_k y_k log softmax(z)_k, from logits z (mean over rows)."""
    z, y = _distributions(z, y, names=("z", "y"))
    m = z.shape[0] if z.ndim == 2 else 1
    return float(-np.sum(y * log_softmax(z)) / m)


def softmax_cross_entropy_grad(z, y):
    """dL/dz = p - y with p = softmax(z); divided by m for an (m, K) batch.

    No sigma'(z) factor appears, so it does not shrink when the softmax
    saturates.
    """
    z, y = _distributions(z, y, names=("z", "y"))
    m = z.shape[0] if z.ndim == 2 else 1
    return (softmax(z) - y) / m


# --- preferences (DPO) -------------------------------------------------------


def _dpo_margin(logp_chosen, logp_rejected, ref_chosen, ref_rejected, beta):
    """beta [(log pi_w - log ref_w) - (log pi_l - log ref_l)], checked."""
    names = ("logp_chosen", "logp_rejected", "ref_chosen", "ref_rejected")
    values = (logp_chosen, logp_rejected, ref_chosen, ref_rejected)
    arrays = [
        as_array(name, value)
        for name, value in zip(names, values, strict=True)
    ]
    for name, array in zip(names[1:], arrays[1:], strict=True):
        if array.shape != arrays[0].shape:
            raise ValueError(
                f"{name} must have the shape of logp_chosen, "
                f"{arrays[0].shape}, got shape {array.shape}"
            )
    check_positive("beta", beta)
    lw, ll, rw, rl = arrays
    return beta * ((lw - rw) - (ll - rl))


def dpo_loss(logp_chosen, logp_rejected, ref_chosen, ref_rejected, beta=0.1):
    """`L = -log sigmoid(beta [(lp_w - ref_w) - (lp_l - ref_l)])`, lp = log pi.

    Direct preference optimisation (Rafailov et al.): for each prompt,
    log pi_w and log pi_l are the log-probabilities the model being
    trained gives to the chosen and the rejected answer, ref_* those of a
    frozen reference model. Averaged over pairs. Computed as
    `log(1 + exp(-margin))`, which never overflows.
    """
    margin = _dpo_margin(
        logp_chosen, logp_rejected, ref_chosen, ref_rejected, beta
    )
    return float(np.mean(np.logaddexp(0.0, -margin)))


def dpo_loss_grad(
    logp_chosen, logp_rejected, ref_chosen, ref_rejected, beta=0.1
):
    """`(dL/dlp_w, dL/dlp_l) = (-beta s, beta s) / n`, `s = sigmoid(-margin)`.

    lp = log pi, margin as in `dpo_loss`. s is near one while the model
    still prefers the rejected answer (more than the reference does) and
    near zero once it prefers the chosen one.
    """
    margin = _dpo_margin(
        logp_chosen, logp_rejected, ref_chosen, ref_rejected, beta
    )
    s = sigmoid(-margin) / margin.size
    return -beta * s, beta * s

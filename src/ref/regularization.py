"""Overfitting, and the tools that keep it in check.

Dropout, L2 weight decay, early stopping, and a polynomial fit that
shows underfitting and overfitting side by side.
"""

import numpy as np

from ref._checks import as_array
from ref.losses import mse

# --- dropout -----------------------------------------------------------------


def dropout_mask(shape, keep, rng):
    """mask_i = 1 / keep with probability keep, else 0 (inverted dropout).

    Scaling the kept units by 1 / keep makes E[mask_i] = 1, so the
    expected activation is unchanged and nothing is rescaled at test
    time.
    """
    if not 0.0 < keep <= 1.0:
        raise ValueError(f"keep must be in (0, 1], got {keep!r}")
    return (rng.random(shape) < keep) / keep


def dropout(a, keep, rng):
    """a * mask: each unit zeroed with probability 1 - keep, others / keep."""
    a = as_array("a", a)
    return a * dropout_mask(a.shape, keep, rng)


# --- L2 weight decay ---------------------------------------------------------


def l2_penalty(weights, lam):
    """lambda sum_l sum_ij W_l[i, j]**2, added to the loss."""
    return float(lam * sum(np.sum(as_array("W", W) ** 2) for W in weights))


def l2_penalty_grad(W, lam):
    """d/dW of lambda sum W**2 = 2 lambda W: a pull towards 0.

    A plain gradient step then multiplies W by (1 - 2 eta lambda) on top
    of the loss's own step: hence the name weight decay.
    """
    return 2.0 * lam * as_array("W", W)


# --- early stopping ----------------------------------------------------------


def early_stopping(val_losses, patience):
    """(best, stop): best = argmin of the validation losses seen so far.

    Training stops at the epoch `stop` that comes `patience` epochs
    after the last new best, or at the last epoch if that comes first;
    the weights to keep are those of epoch `best`.
    """
    val_losses = as_array("val_losses", val_losses, ndim=1)
    if int(patience) != patience or patience < 1:
        raise ValueError(f"patience must be an integer >= 1, got {patience!r}")
    if val_losses.size == 0:
        raise ValueError("val_losses must hold at least one loss, got none")
    best = 0
    for epoch, loss in enumerate(val_losses):
        if loss < val_losses[best]:
            best = epoch
        elif epoch - best >= patience:
            return best, epoch
    return best, len(val_losses) - 1


# --- under- and overfitting --------------------------------------------------


def noisy_sine(n, rng, noise=0.3):
    """x ~ U(0, 1), y = sin(2 pi x) + N(0, noise**2): n points."""
    x = rng.uniform(0.0, 1.0, n)
    return x, np.sin(2.0 * np.pi * x) + noise * rng.standard_normal(n)


def polynomial_fit_errors(degrees=(1, 3, 9), n_train=10, n_val=100, seed=0):
    """{degree: (train MSE, validation MSE)} of least-squares polynomials.

    Both samples come from `noisy_sine` with default_rng(seed), training
    first. With 10 training points, degree 9 can pass through all of
    them.
    """
    rng = np.random.default_rng(seed)
    x_train, y_train = noisy_sine(n_train, rng)
    x_val, y_val = noisy_sine(n_val, rng)
    errors = {}
    for degree in degrees:
        p = np.polynomial.Polynomial.fit(x_train, y_train, degree)
        errors[degree] = (
            float(mse(p(x_train), y_train)),
            float(mse(p(x_val), y_val)),
        )
    return errors

"""Overfitting, and the tools that keep it in check.

Dropout, L2 weight decay, early stopping, and a polynomial fit that
shows underfitting and overfitting side by side.
"""

import numpy as np

from ref._checks import as_array
from ref.losses import mse

# --- dropout -----------------------------------------------------------------


def dropout_mask(shape, p, rng):
    """`mask_i = 0` with probability p, else `1 / (1 - p)` (inverted dropout).

    p is the drop probability, as in torch.nn.Dropout(p); a unit is
    kept with probability `1 - p`. Scaling the kept units by `1 / (1 - p)`
    makes `E[mask_i] = 1`, so the expected activation is unchanged and
    nothing is rescaled at test time. A unit is dropped when its
    uniform draw u in `[0, 1)` is below p.
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(
            f"p (the drop probability) must be in [0, 1), got {p!r}"
        )
    return (rng.random(shape) >= p) / (1.0 - p)


def dropout(a, p, rng):
    """`a * mask`: each unit zeroed with probability p, the rest `/ (1 - p)`.

    Training-time dropout with drop probability p, as torch.nn.Dropout(p)
    in training mode; at test time the layer is left out.
    """
    a = as_array("a", a)
    return a * dropout_mask(a.shape, p, rng)


# --- L2 weight decay ---------------------------------------------------------


def l2_penalty(weights, lam):
    """`(lambda / 2) sum_l sum_ij W_l[i, j]**2`, added to the loss.

    The factor `1/2` makes the gradient `lambda W`, the convention of
    torch.optim's weight_decay argument.
    """
    return float(
        0.5 * lam * sum(np.sum(as_array("W", W) ** 2) for W in weights)
    )


def l2_penalty_grad(W, lam):
    """`d/dW (lambda / 2) sum W**2 = lambda W`: a pull towards zero.

    A plain gradient step then multiplies W by `(1 - eta lambda)` on top
    of the loss's own step: hence the name weight decay. Only for plain
    SGD is this the same as decoupled decay (see ref.optim.adamw).
    """
    return lam * as_array("W", W)


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
    """`x ~ U(0, 1)`, `y = sin(2 pi x) + N(0, noise**2)`: n points."""
    x = rng.uniform(0.0, 1.0, n)
    return x, np.sin(2.0 * np.pi * x) + noise * rng.standard_normal(n)


def polynomial_fit_errors(degrees=(1, 3, 9), n_train=10, n_val=100, seed=0):
    """{degree: (train MSE, validation MSE)} of least-squares polynomials.

    Both samples come from `noisy_sine` with default_rng(seed), training
    first. A polynomial with as many coefficients as there are training
    points passes through all of them:

    ```python
    from ref.regularization import polynomial_fit_errors

    n = 10
    train_mse, _ = polynomial_fit_errors(degrees=[n - 1], n_train=n)[n - 1]
    assert train_mse < 1e-20
    ```
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

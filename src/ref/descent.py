"""Gradient descent on a function of one number (lesson L7).

Step downhill, against the slope: `w <- w - eta f'(w)`. The running
example is `f(w) = (w - 3)**2`, whose minimum is at `w = 3`.
"""

import numpy as np

from ref._checks import as_array, check_positive

# --- the example -------------------------------------------------------------


def f(w):
    """`f(w) = (w - 3)**2`, the example loss; its minimum is `f(3) = 0`.

    ```python
    from ref.descent import f, f_prime

    assert f(3.0) == 0.0 and f_prime(3.0) == 0.0
    assert f(2.0) > 0.0 and f(4.0) > 0.0
    ```
    """
    return (as_array("w", w) - 3.0) ** 2


def f_prime(w):
    """`f'(w) = 2 (w - 3)`: negative left of the minimum, positive right."""
    return 2.0 * (as_array("w", w) - 3.0)


# --- descent -----------------------------------------------------------------


def descend(grad, w0, eta, steps):
    """`w_{k+1} = w_k - eta grad(w_k)`; returns `[w_0, w_1, ..., w_steps]`."""
    check_positive("eta", eta)
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    ws = [float(w0)]
    for _ in range(int(steps)):
        ws.append(ws[-1] - eta * float(grad(ws[-1])))
    return np.array(ws)


# --- when does it diverge? ---------------------------------------------------


def curvature(grad, w, h=1e-4):
    """`f''(w) ~ (f'(w + h) - f'(w - h)) / (2 h)`, the slope of the slope."""
    check_positive("h", h)
    return float((grad(w + h) - grad(w - h)) / (2.0 * h))


def step_factor(eta, k):
    """`1 - eta k`: each step multiplies `w - w*` by this on `f'' = k`."""
    return 1.0 - eta * k


def divergence_threshold(k):
    """`eta = 2 / k`: above it `abs(1 - eta k) > 1` and the steps grow.

    On a quadratic with curvature `f'' = k` the error `w - w*` is
    multiplied by `1 - eta k` per step. Below `eta = 1 / k` it shrinks
    steadily, between `1 / k` and `2 / k` it shrinks while flipping sign,
    at exactly `2 / k` it flips forever at the same size, and above
    `2 / k` it blows up.
    """
    return 2.0 / check_positive("k", k)

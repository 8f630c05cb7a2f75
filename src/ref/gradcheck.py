"""Checking a gradient by finite differences (lessons L7, L8).

A derivative is a slope, so it can be measured: nudge one entry of w by
h in each direction and see how much f changes. Slow (two evaluations of
f per entry) but independent of any calculus, which is what a check
needs.
"""

import numpy as np

from ref._checks import as_array, check_positive


def numerical_gradient(f, w, h=1e-6):
    """`df/dw_i ~ (f(w + h e_i) - f(w - h e_i)) / (2 h)`, for every entry i.

    f takes an array shaped like w and returns a scalar. The central
    difference is off by about `h**2` times the third derivative.
    """
    w = as_array("w", w).copy()
    check_positive("h", h)
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        saved = w[i]
        w[i] = saved + h
        f_plus = f(w)
        w[i] = saved - h
        f_minus = f(w)
        w[i] = saved
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad[()]


def relative_error(a, b):
    """`max |a - b| / max(|a|, |b|)`: how far apart two gradients are.

    The denominator has a tiny floor, so that two zeros agree. An
    analytic gradient and `numerical_gradient` agree to better than one
    part in ten million when the analytic one is right:

    ```python
    import numpy as np

    from ref.gradcheck import numerical_gradient, relative_error

    w = np.array([0.5, -1.0, 2.0])
    numeric = numerical_gradient(lambda w: np.sum(w**3), w)
    assert relative_error(numeric, 3 * w**2) < 1e-7
    assert relative_error(numeric, 3 * w**2 + 1e-3) > 1e-7
    ```
    """
    a = as_array("a", a)
    b = as_array("b", b)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape, got {a.shape} and {b.shape}"
        )
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0))
    return float(np.max(np.abs(a - b), initial=0.0) / max(scale, 1e-12))

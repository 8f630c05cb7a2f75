"""Argument checks shared by the `ref` modules.

Every public function validates its inputs here, so a wrong shape fails
with a message that names the argument, the expected shape and the one
received, instead of a broadcasting error from deep inside NumPy.
"""

import numpy as np


def as_array(name, value, ndim=None):
    """Return `value` as a float array; check its number of dimensions."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be numeric, got {type(value).__name__}: {exc}"
        ) from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            dims = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{name} must have {dims} dimension(s), "
                f"got shape {array.shape}"
            )
    return array


def check_positive(name, value):
    """Raise ValueError unless `value` is a finite number above zero."""
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value

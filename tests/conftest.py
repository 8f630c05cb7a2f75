"""Shared test helpers."""

import numpy as np


def numeric_derivative(f, z, h=1e-6):
    """Central difference (f(z + h) - f(z - h)) / 2h, elementwise."""
    z = np.asarray(z, dtype=float)
    return (f(z + h) - f(z - h)) / (2 * h)

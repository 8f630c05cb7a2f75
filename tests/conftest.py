"""Shared test helpers."""

import numpy as np

# The session fixtures that build, serve and browse the site, registered
# once here so that every test module shares one build and one browser.
pytest_plugins = ["browser_support"]


def numeric_derivative(f, z, h=1e-6):
    """Central difference (f(z + h) - f(z - h)) / 2h, elementwise."""
    z = np.asarray(z, dtype=float)
    return (f(z + h) - f(z - h)) / (2 * h)

"""Scaling laws: loss falls as a power of model size (lesson on scaling).

`L(N) = a * N**(-alpha)` is a straight line on log-log axes:
`log L = log a - alpha log N`, with slope `-alpha`. Chinchilla (Hoffmann
et al.) trained on many more tokens per parameter than GPT-3 did:

```python
from ref.scaling import CHINCHILLA, GPT3_TRAINING, tokens_per_parameter

assert round(tokens_per_parameter(**CHINCHILLA)) == 20
assert round(tokens_per_parameter(**GPT3_TRAINING), 1) == 1.7
```
"""

import numpy as np

from ref._checks import as_array, check_positive

#: Given figures (not computed): training tokens and parameters.
CHINCHILLA = {"tokens": 1.4e12, "params": 70e9}
GPT3_TRAINING = {"tokens": 300e9, "params": 175e9}
#: Kaplan et al. (2020), eq. (1.1): L(N) = (N_c / N)**alpha_N, with N the
#: non-embedding parameters. Given figures of the paper, not computed.
KAPLAN_ALPHA_N = 0.076
KAPLAN_N_C = 8.8e13


def power_law(N, a, alpha):
    """`L(N) = a * N**(-alpha)`, for model sizes `N > 0`."""
    N = as_array("N", N)
    if np.any(N <= 0):
        raise ValueError(f"N must be positive, got {N}")
    check_positive("a", a)
    return (a * N ** (-alpha))[()]


def kaplan_loss(N):
    """`L(N) = (N_c / N)**alpha_N = a N**(-alpha_N)`, `a = N_c**alpha_N`."""
    return power_law(N, KAPLAN_N_C**KAPLAN_ALPHA_N, KAPLAN_ALPHA_N)


def log_log_slope(N, L):
    """Slope of the least-squares line through (log N, log L).

    For L = a * N**(-alpha) it is exactly -alpha.
    """
    N = as_array("N", N, ndim=1)
    L = as_array("L", L, ndim=1)
    if N.shape != L.shape or N.size < 2:
        raise ValueError(
            f"N and L must have the same shape with at least 2 points, "
            f"got {N.shape} and {L.shape}"
        )
    if np.any(N <= 0) or np.any(L <= 0):
        raise ValueError("N and L must be positive to take logarithms")
    slope, _ = np.polyfit(np.log(N), np.log(L), 1)
    return float(slope)


def tokens_per_parameter(tokens, params):
    """tokens / params: training tokens seen per model parameter."""
    check_positive("tokens", tokens)
    check_positive("params", params)
    return tokens / params

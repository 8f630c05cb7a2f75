"""Choosing the next token from logits: greedy or sampled (L17, L18).

`p = softmax(z / T)`. A temperature `T < 1` sharpens the distribution
towards the largest logit (`T -> 0` gives the argmax, i.e. greedy);
`T > 1` flattens it (`T -> infinity` gives the uniform distribution).
"""

import numpy as np

from ref._checks import as_array, check_positive
from ref.activations import softmax


def _check_logits(logits):
    z = as_array("logits", logits, ndim=1)
    if z.size == 0:
        raise ValueError("logits must hold at least one value, got none")
    return z


def softmax_with_temperature(logits, T=1.0):
    """`p_i = exp(z_i / T) / sum_j exp(z_j / T)`, for a temperature `T > 0`."""
    z = _check_logits(logits)
    check_positive("T", T)
    return softmax(z / T)


def greedy(logits):
    """argmax_i z_i: the index of the largest logit (the first if tied)."""
    return int(np.argmax(_check_logits(logits)))


def sample(logits, T, rng):
    """An index i drawn with probability softmax(z / T)_i, using rng."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    p = softmax_with_temperature(logits, T)
    return int(rng.choice(p.size, p=p))

"""Layer normalisation (the tiny GPT, and every block of GPT-2 and GPT-3).

Each vector x of width d, the last axis, is rescaled on its own: minus
its mean, divided by its standard deviation, then multiplied by a
learned gain g and shifted by a learned bias b, both of width d. It
keeps the numbers entering each layer of a deep stack at a steady
scale, whatever the layers before them did.
"""

import numpy as np

from ref._checks import as_array

#: Added to the variance before the square root, as torch.nn.LayerNorm.
EPS = 1e-5


def layer_norm(x, g, b, eps=EPS):
    """`y = g (x - mu) / sqrt(var + eps) + b`, mu and var over the last axis.

    Returns (y, cache); the cache holds what `layer_norm_backward` needs.
    var is the biased variance (divided by `d`, not `d - 1`), as in torch.
    """
    x = as_array("x", x)
    g = as_array("g", g, ndim=1)
    b = as_array("b", b, ndim=1)
    if x.ndim < 1 or g.shape != x.shape[-1:] or b.shape != g.shape:
        raise ValueError(
            f"g and b must have shape ({x.shape[-1] if x.ndim else '?'},) "
            f"to match x of shape {x.shape}, got g {g.shape} and b {b.shape}"
        )
    mu = x.mean(axis=-1, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(axis=-1, keepdims=True)
    rstd = 1.0 / np.sqrt(var + eps)
    x_hat = xc * rstd
    return g * x_hat + b, (x_hat, rstd, g)


def layer_norm_backward(dy, cache):
    """(dx, dg, db) of `layer_norm`, dy shaped like its output.

    With x_hat the normalised x: dg = sum dy x_hat and db = sum dy over
    all leading axes; dx = (dx_hat - mean(dx_hat) - x_hat
    mean(dx_hat x_hat)) / sqrt(var + eps), where dx_hat = g dy.
    """
    x_hat, rstd, g = cache
    dy = as_array("dy", dy)
    if dy.shape != x_hat.shape:
        raise ValueError(
            f"dy must have the shape of the output, {x_hat.shape}, got "
            f"{dy.shape}"
        )
    lead = tuple(range(dy.ndim - 1))
    dg = np.sum(dy * x_hat, axis=lead)
    db = np.sum(dy, axis=lead)
    dx_hat = dy * g
    dx = rstd * (
        dx_hat
        - dx_hat.mean(axis=-1, keepdims=True)
        - x_hat * (dx_hat * x_hat).mean(axis=-1, keepdims=True)
    )
    return dx, dg, db

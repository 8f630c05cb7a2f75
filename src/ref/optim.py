"""Optimisers beyond plain gradient descent: momentum, Adam, AdamW.

Each optimiser is a pure step: (param, grad, state) -> (param, state).
state is None before the first step; the step returns a new dict and
changes nothing it was given. The formulas are the ones torch.optim
implements, with its default hyperparameters.
"""

import numpy as np

from ref._checks import as_array, check_positive

# --- the steps ---------------------------------------------------------------


def sgd_momentum(param, grad, state, lr, momentum=0.9):
    """v <- mu v + g;  w <- w - lr v  (torch.optim.SGD with momentum).

    v starts at 0, so the first step is plain gradient descent.
    """
    param, grad = _check(param, grad, lr)
    v = np.zeros_like(param) if state is None else state["v"]
    v = momentum * v + grad
    return param - lr * v, {"v": v}


def adam(
    param, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0
):
    """w <- w - lr m_hat / (sqrt(v_hat) + eps)  (torch.optim.Adam).

    m <- b1 m + (1 - b1) g and v <- b2 v + (1 - b2) g**2 are running
    means of the gradient and its square; m_hat = m / (1 - b1**t) and
    v_hat = v / (1 - b2**t) undo their pull towards the zero start.
    weight_decay adds lambda w to g first (L2 inside the adaptive step).
    """
    param, grad = _check(param, grad, lr)
    b1, b2 = betas
    if state is None:
        state = {"t": 0, "m": np.zeros_like(param), "v": np.zeros_like(param)}
    g = grad + weight_decay * param
    t = state["t"] + 1
    m = b1 * state["m"] + (1.0 - b1) * g
    v = b2 * state["v"] + (1.0 - b2) * g**2
    m_hat = m / (1.0 - b1**t)
    v_hat = v / (1.0 - b2**t)
    param = param - lr * m_hat / (np.sqrt(v_hat) + eps)
    return param, {"t": t, "m": m, "v": v}


def adamw(
    param,
    grad,
    state,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.01,
):
    """w <- w - lr lambda w, then an Adam step (torch.optim.AdamW).

    The decay is decoupled: it shrinks w by the same fraction lr lambda
    whatever the gradient history, instead of passing through Adam's
    division by sqrt(v_hat) as Adam's weight_decay does.
    """
    param, grad = _check(param, grad, lr)
    param = param * (1.0 - lr * weight_decay)
    return adam(param, grad, state, lr, betas, eps, weight_decay=0.0)


def _check(param, grad, lr):
    """param and grad as float arrays of one shape; lr > 0."""
    param = as_array("param", param)
    grad = as_array("grad", grad)
    if grad.shape != param.shape:
        raise ValueError(
            f"grad must have the shape of param, {param.shape}, got shape "
            f"{grad.shape}"
        )
    check_positive("lr", lr)
    return param, grad


# --- a race on one problem ---------------------------------------------------


def rosenbrock(w):
    """f(x, y) = (1 - x)**2 + 100 (y - x**2)**2; minimum f(1, 1) = 0.

    A long curved valley: the slope across it is steep, along it gentle.
    """
    x, y = as_array("w", w, ndim=1)
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def rosenbrock_grad(w):
    """grad f = (-2 (1 - x) - 400 x (y - x**2), 200 (y - x**2))."""
    x, y = as_array("w", w, ndim=1)
    return np.array(
        [-2.0 * (1.0 - x) - 400.0 * x * (y - x**2), 200.0 * (y - x**2)]
    )


def run(step, grad, w0, steps, **hyper):
    """Iterates w_0..w_steps of `step` on the gradient function grad."""
    w, state, ws = as_array("w0", w0), None, [as_array("w0", w0)]
    for _ in range(steps):
        w, state = step(w, grad(w), state, **hyper)
        ws.append(w)
    return np.array(ws)


#: The optimisers and learning rates of the comparison on the page.
RACE = {
    "sgd": (sgd_momentum, {"lr": 1e-3, "momentum": 0.0}),
    "sgd_momentum": (sgd_momentum, {"lr": 1e-3, "momentum": 0.9}),
    "adam": (adam, {"lr": 0.05}),
    "adamw": (adamw, {"lr": 0.05}),
}


def compare(w0=(-1.5, 2.0), steps=2000, race=RACE):
    """{name: iterates} for each optimiser in race, on the Rosenbrock f."""
    return {
        name: run(step, rosenbrock_grad, w0, steps, **hyper)
        for name, (step, hyper) in race.items()
    }

"""Optimisers beyond plain gradient descent: momentum, Adam, AdamW, SGDW.

Each optimiser is a pure step: (param, grad, state) -> (param, state).
state is None before the first step; the step returns a new dict and
changes nothing it was given. The formulas are the ones torch.optim
implements, with its default hyperparameters (SGDW is not in torch.optim).

weight_decay is lambda in one convention throughout: either the L2
penalty `(lambda / 2) ||w||**2`, whose gradient `lambda w` sgd_momentum
and adam add to g, or the decoupled shrink `w <- (1 - lr lambda) w` of
sgdw and adamw. The two are the same step only for plain SGD (no momentum,
no adaptive scaling).
"""

import numpy as np

from ref._checks import as_array, check_positive

# --- the steps ---------------------------------------------------------------


def sgd_momentum(param, grad, state, lr, momentum=0.9, weight_decay=0.0):
    """`v <- mu v + g;  w <- w - lr v` (torch.optim.SGD with momentum).

    v starts at zero, so the first step is plain gradient descent.
    weight_decay adds `lambda w` to g first, the gradient of the L2
    penalty `(lambda / 2) ||w||**2`, as torch.optim.SGD does.
    """
    param, grad = _check(param, grad, lr)
    v = np.zeros_like(param) if state is None else state["v"]
    v = momentum * v + grad + weight_decay * param
    return param - lr * v, {"v": v}


def sgdw(param, grad, state, lr, momentum=0.9, weight_decay=0.0):
    """`w <- (1 - lr lambda) w`, then an SGD-with-momentum step (decoupled).

    SGDW of Loshchilov and Hutter: the decay stays out of the velocity.
    Without momentum it is the same step as sgd_momentum with L2
    weight_decay; with momentum it is not.
    """
    param = decoupled_decay(param, lr, weight_decay)
    return sgd_momentum(param, grad, state, lr, momentum)


def adam(
    param, grad, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0
):
    """`w <- w - lr m_hat / (sqrt(v_hat) + eps)` (torch.optim.Adam).

    `m <- b1 m + (1 - b1) g` and `v <- b2 v + (1 - b2) g**2` are running
    means of the gradient and its square; `m_hat = m / (1 - b1**t)` and
    `v_hat = v / (1 - b2**t)` undo their pull towards the zero start.
    weight_decay adds `lambda w` to g first, the gradient of the L2
    penalty `(lambda / 2) ||w||**2`, which then passes through the
    adaptive scaling like the rest of g.
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
    division by sqrt(v_hat) as Adam's weight_decay does. Note that
    torch ties the decay to lr: halving lr also halves the decay.
    """
    param, grad = _check(param, grad, lr)
    param = decoupled_decay(param, lr, weight_decay)
    return adam(param, grad, state, lr, betas, eps, weight_decay=0.0)


def decoupled_decay(param, lr, weight_decay):
    """`w <- (1 - lr lambda) w`: weight decay kept out of the gradient.

    AdamW applies it before its Adam step. Followed by a plain SGD step
    on g, it gives exactly the SGD step with L2 weight_decay lambda;
    followed by a momentum or Adam step, it does not.
    """
    param = as_array("param", param)
    check_positive("lr", lr)
    if not weight_decay >= 0.0:
        raise ValueError(
            f"weight_decay must be a number >= 0, got {weight_decay!r}"
        )
    return param * (1.0 - lr * weight_decay)


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
    """`f(x, y) = (1 - x)**2 + b (y - x**2)**2`, Rosenbrock's valley.

    A long curved valley: b is large, so the slope across it is steep,
    along it gentle. Its minimum is `f(1, 1) = 0`.

    ```python
    from ref.optim import rosenbrock

    x, y, b = 0.5, 2.0, 100
    assert rosenbrock([x, y]) == (1 - x) ** 2 + b * (y - x**2) ** 2
    assert rosenbrock([1.0, 1.0]) == 0.0
    ```
    """
    x, y = as_array("w", w, ndim=1)
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def rosenbrock_grad(w):
    """`grad f = (-2 (1 - x) - 4 b x (y - x**2), 2 b (y - x**2))`.

    b as in `rosenbrock`; checked against finite differences:

    ```python
    import numpy as np

    from ref.gradcheck import numerical_gradient, relative_error
    from ref.optim import rosenbrock, rosenbrock_grad

    w = np.array([0.5, 2.0])
    numeric = numerical_gradient(rosenbrock, w)
    assert relative_error(rosenbrock_grad(w), numeric) < 1e-7
    ```
    """
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

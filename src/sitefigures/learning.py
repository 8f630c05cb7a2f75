"""Figures of the learning lessons (L5, L10, L11) and topics.

Every curve is computed by `ref` while the site is built: the activation
functions, the XOR training runs, the batch-size comparison, the optimizer
race and the polynomial fits. Training results are cached, so the light
and the dark version of a figure share one run.
"""

from functools import cache

import numpy as np

from ref.activations import (
    gelu,
    gelu_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    silu,
    silu_prime,
    tanh,
    tanh_prime,
)
from ref.backprop import predict
from ref.neuron import TRUTH_TABLE_INPUTS
from ref.optim import compare, rosenbrock
from ref.regularization import polynomial_fit_errors
from ref.training import XOR_SEED, compare_batch_sizes, is_stuck, train_xor
from sitefigures.style import figure, fit_label, shown

# --- L5: activation functions ----------------------------------------------

#: (label, function, derivative), in the order of the L5 table.
ACTIVATIONS = [
    ("sigmoid", sigmoid, sigmoid_prime),
    ("tanh", tanh, tanh_prime),
    ("ReLU", relu, relu_prime),
    ("GELU", gelu, gelu_prime),
    ("SiLU", silu, silu_prime),
]


def _legend(ax, style, **kwargs):
    """A legend in the style's text colour (made after `figure` returned)."""
    ax.legend(fontsize="small", labelcolor=style.text, frameon=False, **kwargs)


def draw_activations(style):
    """The five activations and their derivatives on z in [-4, 4]."""
    fig, (values, slopes) = figure(style, ncols=2, width=8.0, height=3.4)
    z = np.linspace(-4.0, 4.0, 801)
    for label, f, f_prime in ACTIVATIONS:
        values.plot(z, f(z), label=label)
        slopes.plot(z, f_prime(z), label=label)
    values.set_title("activation", color=style.text)
    values.set_xlabel("z")
    values.set_ylim(-1.2, 4.0)
    slopes.set_title("derivative", color=style.text)
    slopes.set_xlabel("z")
    slopes.set_ylim(-0.2, 1.2)
    _legend(values, style, loc="upper left")
    return fig


# --- L10: the XOR loss curve -------------------------------------------------


@cache
def _xor_run(seed):
    """(losses, stuck) of the L10 network trained from `seed`."""
    params, losses = train_xor(seed)
    out = predict(params, TRUTH_TABLE_INPUTS)[:, 0]
    return losses, bool(is_stuck(out))


#: A seed that ends stuck (checked when drawing): seed 0, as on the page.
STUCK_SEED = 0


def draw_xor_loss(style):
    """Loss against epoch for the page's seed and for a stuck seed."""
    fig, ax = figure(style)
    for seed in (XOR_SEED, STUCK_SEED):
        losses, stuck = _xor_run(seed)
        label = f"seed {shown(fig, seed, 'd')}" + (" (stuck)" if stuck else "")
        ax.semilogy(losses, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(fit_label(style, "mean squared error (log scale)"))
    _legend(ax, style)
    return fig


# --- L11: batch, mini-batch, stochastic --------------------------------------

#: Examples per step, and the name of each run (with its size, drawn
#: from the key by `_batch_label`).
BATCH_NAMES = {4: "batch", 2: "mini-batch", 1: "SGD"}


def _batch_label(fig, size):
    """'batch (4 per step)': the name and the size the run was made with."""
    n = shown(fig, size, "d")
    if size == max(BATCH_NAMES):
        return f"{BATCH_NAMES[size]} ({n} per step)"
    return f"{BATCH_NAMES[size]} ({n})"


@cache
def _batch_runs():
    return compare_batch_sizes(batch_sizes=tuple(BATCH_NAMES))


def draw_batch_sizes(style):
    """Loss of the three L11 runs, against epochs and against steps."""
    fig, (by_epoch, by_step) = figure(style, ncols=2, width=8.0, height=3.4)
    for size, (losses, steps) in _batch_runs().items():
        epochs = np.arange(len(losses))
        by_epoch.semilogy(epochs, losses, label=_batch_label(fig, size))
        per_epoch = steps // (len(losses) - 1)
        by_step.semilogy(epochs * per_epoch, losses)
    by_epoch.set_xlabel("epoch")
    by_epoch.set_ylabel(fit_label(style, "mean squared error (log scale)"))
    by_step.set_xlabel("step (weight update)")
    _legend(by_epoch, style)
    return fig


# --- topics: the optimizer race --------------------------------------------

RACE_NAMES = {
    "sgd": "gradient descent",
    "sgd_momentum": "momentum",
    "adam": "Adam",
    "adamw": "AdamW",
}


@cache
def _race():
    return compare()


def draw_optimizer_paths(style):
    """Paths on the Rosenbrock contours, and f against the step."""
    fig, (plane, curve) = figure(style, ncols=2, width=8.0, height=3.6)
    x, y = np.meshgrid(np.linspace(-2.0, 2.0, 81), np.linspace(-1.0, 3.0, 81))
    f = [rosenbrock(w) for w in zip(x.ravel(), y.ravel(), strict=True)]
    plane.contour(
        x,
        y,
        np.reshape(f, x.shape),
        levels=np.geomspace(0.1, 2000, 12),
        colors=style.grid,
        linewidths=0.8,
    )
    widths = {"sgd": 3.0, "sgd_momentum": 1.2, "adam": 2.0, "adamw": 1.0}
    for name, path in _race().items():
        (line,) = plane.plot(
            path[:, 0], path[:, 1], linewidth=widths[name], alpha=0.9
        )
        plane.plot(*path[-1], marker="o", markersize=6, color=line.get_color())
        curve.semilogy([rosenbrock(w) for w in path], label=RACE_NAMES[name])
    plane.plot(1.0, 1.0, marker="*", markersize=11, color=style.text)
    plane.annotate(
        "minimum",
        (1.0, 1.0),
        xytext=(8, -4),
        textcoords="offset points",
        fontsize="small",
        color=style.text,
    )
    plane.set_xlabel("x")
    plane.set_ylabel("y")
    plane.set_title("paths (dot: where each ends)", color=style.text)
    curve.set_xlabel("step")
    curve.set_ylabel("f (log scale)")
    _legend(curve, style)
    return fig


# --- topics: under- and overfitting ------------------------------------------


def draw_fit_errors(style):
    """Training and validation MSE of the polynomial fits, by degree."""
    errors = polynomial_fit_errors(degrees=range(10))
    degrees = list(errors)
    floor = 1e-7  # degree 9 fits exactly: its ~1e-28 is drawn at the floor
    train = [max(errors[d][0], floor) for d in degrees]
    val = [errors[d][1] for d in degrees]
    fig, ax = figure(style)
    ax.semilogy(degrees, train, marker="o", label="training")
    ax.semilogy(degrees, val, marker="o", label="validation")
    ax.annotate(
        "zero: an exact fit",
        (degrees[-1], floor),
        xytext=(-10, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize="small",
        color=style.text,
    )
    ax.set_xticks(degrees)
    ax.set_xlabel("degree of the polynomial")
    ax.set_ylabel(fit_label(style, "mean squared error (log scale)"))
    ax.set_ylim(floor / 2, 10)
    _legend(ax, style)
    return fig


FIGURES = {
    "activations": draw_activations,
    "xor-loss": draw_xor_loss,
    "batch-sizes": draw_batch_sizes,
    "optimizer-paths": draw_optimizer_paths,
    "fit-errors": draw_fit_errors,
}

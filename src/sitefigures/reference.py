"""Figures of the reference pages (glossary, seeing it whole).

Both are drawn from `ref`: the scaling law from `ref.scaling.kaplan_loss`,
the cost landscape from `ref.backprop` on the AND data of lesson L9.
"""

import numpy as np

from ref.backprop import cost, gradients, step
from ref.neuron import TRUTH_TABLE_INPUTS
from ref.scaling import kaplan_loss
from ref.training import AND_TARGETS
from sitefigures.style import figure

# --- glossary: a power law is a straight line on log-log axes ----------------


def draw_scaling(style):
    """L(N) on linear axes (a curve) and on log-log axes (a line)."""
    fig, (linear, loglog) = figure(style, ncols=2, width=8.0, height=3.4)
    N = np.geomspace(1e6, 1e12, 200)
    L = kaplan_loss(N)
    linear.plot(N, L)
    linear.set_xlabel("parameters N")
    linear.set_ylabel("loss L(N)")
    linear.set_title(
        "linear axes: a curve", color=style.text, fontsize="medium"
    )
    loglog.plot(N, L)
    loglog.set_xscale("log")
    loglog.set_yscale("log")
    loglog.set_xlabel("parameters N (log scale)")
    loglog.set_ylabel("loss L(N) (log scale)")
    loglog.set_title(
        "log-log axes: a straight line", color=style.text, fontsize="medium"
    )
    # One decade of N, to read the slope -alpha off the line.
    n0, n1 = 1e8, 1e9
    l0, l1 = kaplan_loss(n0), kaplan_loss(n1)
    loglog.plot(
        [n0, n1, n1],
        [l0, l0, l1],
        color=style.text,
        linewidth=0.8,
        linestyle=":",
    )
    loglog.annotate(
        "slope = −α",
        (n1, np.sqrt(l0 * l1)),
        xytext=(6, 0),
        textcoords="offset points",
        va="center",
        color=style.text,
        fontsize="medium",
    )
    ticks = [1.5, 2.0, 3.0, 4.0]
    loglog.set_yticks(ticks, [f"{t:g}" for t in ticks])
    loglog.minorticks_off()
    return fig


# --- seeing it whole: the cost over two dials --------------------------------


def and_path(eta=5.0, epochs=300):
    """(w, b) of the L9 neuron, w1 = w2 = w, after each of its epochs.

    Same start and steps as `ref.training.train_and`: w = 0, b = 0,
    full-batch descent on the mean squared error.
    """
    params = [(np.zeros((1, 2)), np.zeros(1))]
    path = [(0.0, 0.0)]
    for _ in range(epochs):
        _, grads = gradients(params, TRUTH_TABLE_INPUTS, AND_TARGETS)
        params = step(params, grads, eta)
        ((W, b),) = params
        path.append((float(W[0, 0]), float(b[0])))
    return np.array(path)


def and_landscape(ws, bs):
    """C(w, b) on a grid: the AND neuron with both weights equal to w."""
    Wg, Bg = np.meshgrid(ws, bs)
    W = np.repeat(Wg.reshape(-1, 1, 1), 2, axis=2)  # (k, 1, 2): w1 = w2
    b = Bg.reshape(-1, 1)
    C = cost([(W, b)], TRUTH_TABLE_INPUTS, AND_TARGETS)
    return Wg, Bg, C.reshape(Wg.shape)


def draw_landscape(style):
    """Contours of the cost over (w, b), and the path gradient descent takes.

    Small (three inches wide) and without a colour bar or legend, so that
    it fits one column of the printed sheet with its text at 7 pt or more.
    """
    fig, ax = figure(style, width=3.0, height=2.3)
    ax.grid(False)
    Wg, Bg, C = and_landscape(
        np.linspace(-2, 8, 121), np.linspace(-12, 4, 121)
    )
    cmap = "Blues_r" if not style.dark else "cividis"
    ax.contourf(Wg, Bg, C, levels=12, cmap=cmap)
    ax.contour(Wg, Bg, C, levels=12, colors=style.grid, linewidths=0.4)
    path = and_path()
    ax.plot(path[:, 0], path[:, 1], color="#D55E00", linewidth=1.6)
    ax.plot(path[::20, 0], path[::20, 1], "o", color="#D55E00", markersize=2.5)
    # Labels on a patch of the page's own background, legible on any shade.
    label = {
        "color": style.text,
        "textcoords": "offset points",
        "bbox": {
            "boxstyle": "round,pad=0.2",
            "linewidth": 0,
            "facecolor": "white" if not style.dark else "#1e2129",
            "alpha": 0.85,
        },
    }
    ax.plot(*path[0], "o", color=style.text, markersize=4)
    ax.annotate("start", path[0], xytext=(6, 4), **label)
    ax.plot(*path[-1], "*", color=style.text, markersize=8)
    ax.annotate("trained", path[-1], xytext=(8, -4), **label)
    ax.set_xlabel("dial 1: weight w")
    ax.set_ylabel("dial 2: bias b")
    return fig


FIGURES = {"scaling-law": draw_scaling, "cost-landscape": draw_landscape}

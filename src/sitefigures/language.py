"""Figures of the language-model lessons (L14 bigram counts, L18 temperature).

Both are drawn from `ref`: the bigram counts from the shipped name list,
the temperature curves from `ref.sampling.softmax_with_temperature`.
"""

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, LogNorm

from ref.bigram import SYMBOLS, count_matrix, load_names
from ref.sampling import softmax_with_temperature
from sitefigures.style import figure, shown

#: The five logits of lessons L17 and L18.
LOGITS = [4.0, 2.5, 2.0, 0.5, 0.1]
#: The temperatures drawn as bars in the temperature figure.
TEMPERATURES = [0.5, 1.0, 2.0]


def _ramp(style):
    """Few counts faint, many counts strong, on either background."""
    if not style.dark:
        colours = ["#c6dbef", "#6baed6", "#08519c", "#08306b"]
    else:
        colours = ["#2c3e70", "#2a788e", "#7ad151", "#fde725"]
    return LinearSegmentedColormap.from_list(f"counts-{style.name}", colours)


# --- L14: the bigram count matrix ------------------------------------------


def draw_bigram(style):
    """Heat map of N[a, b], how often b follows a in the shipped names."""
    N = count_matrix(load_names())
    fig, ax = figure(style, width=6.4, height=5.8)
    ax.grid(False)
    shown = np.ma.masked_equal(N, 0)  # never-seen pairs stay blank
    image = ax.imshow(
        shown,
        cmap=_ramp(style),
        norm=LogNorm(vmin=1, vmax=N.max()),
        interpolation="nearest",
    )
    ticks = np.arange(len(SYMBOLS))
    ax.set_xticks(
        ticks, list(SYMBOLS), fontsize="small", fontfamily="monospace"
    )
    ax.set_yticks(
        ticks, list(SYMBOLS), fontsize="small", fontfamily="monospace"
    )
    ax.tick_params(length=0)
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("next character b  (. = end of name)")
    ax.set_ylabel("character a  (. = start of name)")
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    # The colour bar and legends are made after `figure` has returned, so
    # they get the style's text colour explicitly.
    bar.set_label("count of a followed by b (log scale)", color=style.text)
    bar.ax.tick_params(which="both", colors=style.text)
    levels = [n for n in (1, 2, 5, 10, 20, 50, 100, 200) if n <= N.max()]
    bar.set_ticks(levels, labels=[str(n) for n in levels])
    bar.ax.minorticks_off()
    bar.outline.set_edgecolor(style.text)
    return fig


# --- L18: softmax at several temperatures ----------------------------------


def draw_temperature(style):
    """Bars of softmax(z / T) for a few T, and p against T for each token."""
    fig, (bars, curves) = figure(style, ncols=2, width=8.0, height=3.6)
    k = np.arange(len(LOGITS))
    width = 0.8 / len(TEMPERATURES)
    for i, T in enumerate(TEMPERATURES):
        p = softmax_with_temperature(LOGITS, T)
        bars.bar(
            k + (i - (len(TEMPERATURES) - 1) / 2) * width,
            p,
            width,
            label=f"T = {shown(fig, T)}",
        )
    # each bar group is labelled with the logit its probabilities are of
    bars.set_xticks(k, [shown(fig, z) for z in LOGITS])
    bars.set_xlabel("logit of the candidate token")
    bars.set_ylabel("probability")
    bars.set_ylim(0, 1)
    bars.legend(labelcolor=style.text, frameon=False)

    Ts = np.geomspace(0.05, 50, 200)
    P = np.array([softmax_with_temperature(LOGITS, T) for T in Ts])
    for j, z in enumerate(LOGITS):
        curves.plot(Ts, P[:, j], label=f"logit {shown(fig, z)}")
    curves.axhline(
        1 / len(LOGITS),
        color=style.text,
        linewidth=0.8,
        linestyle=":",
        label="uniform",
    )
    curves.set_xscale("log")
    curves.set_xlabel("temperature T (log scale)")
    curves.set_ylim(0, 1)
    curves.legend(fontsize="small", labelcolor=style.text, frameon=False)
    return fig


FIGURES = {"bigram-counts": draw_bigram, "temperature": draw_temperature}

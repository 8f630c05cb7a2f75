"""Colours and a figure factory shared by all figures."""

from dataclasses import dataclass

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

# A palette that reads on white and on Material's slate background alike:
# Okabe-Ito, distinguishable with the common forms of colour blindness.
SERIES = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]


@dataclass(frozen=True)
class Style:
    name: str
    text: str
    grid: str


LIGHT = Style("light", text="#1f1f1f", grid="#d0d0d0")
DARK = Style("dark", text="#e6e6e6", grid="#4a4a4a")
STYLES = (LIGHT, DARK)


def figure(style, ncols=1, width=6.4, height=3.6):
    """A transparent figure with axes coloured for `style`."""
    rc = {
        "text.color": style.text,
        "axes.labelcolor": style.text,
        "axes.edgecolor": style.text,
        "xtick.color": style.text,
        "ytick.color": style.text,
        "grid.color": style.grid,
        "axes.prop_cycle": matplotlib.cycler(color=SERIES),
        "font.size": 10,
        "legend.frameon": False,
    }
    with plt.rc_context(rc):
        fig, axes = plt.subplots(
            1, ncols, figsize=(width, height), layout="constrained"
        )
        for ax in fig.axes:
            ax.grid(True, linewidth=0.5)
            ax.set_facecolor("none")
    fig.patch.set_alpha(0)
    return fig, axes

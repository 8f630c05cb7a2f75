"""Colours, sizes and a figure factory shared by all figures.

Every figure is drawn four times: for the light and the dark colour
scheme, each wide (for a screen or paper) and narrow (for a phone).
The narrow variants stack side-by-side panels, are at most
``NARROW_WIDTH`` inches wide and use larger type, so that on a 375 px
phone (a content column of ``PHONE_COLUMN_PX``) no text is smaller than
``MIN_PHONE_TEXT_PX``; ``tests/test_site.py`` measures every one.
"""

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sitefigures.sizes import (  # noqa: E402, F401
    DARK,
    DARK_NARROW,
    LIGHT,
    LIGHT_NARROW,
    MIN_PHONE_TEXT_PX,
    NARROW_MEDIA,
    NARROW_WIDTH,
    PHONE_COLUMN_PX,
    SERIES,
    STYLES,
    Style,
)


def in_style(style):
    """The settings a figure of `style` is drawn, laid out and saved with.

    Saved outside them, the layout is worked out again with matplotlib's
    default type size: tick labels come out at another size and a narrow
    figure's y label was pushed off its edge.
    """
    return plt.rc_context({"font.size": style.font_size})


def render(draw, style):
    """`draw(style)` with the style's type size as the default.

    Text sizes given by name ("small") are worked out when the text is
    made, so the whole drawing runs with the style's ``font.size``; save
    the figure inside ``in_style(style)`` too.
    """
    with in_style(style):
        return draw(style)


def rc(style):
    """matplotlib settings for `style` (the labs run their cells in it)."""
    return {
        "text.color": style.text,
        "axes.labelcolor": style.text,
        "axes.edgecolor": style.text,
        "xtick.color": style.text,
        "ytick.color": style.text,
        "grid.color": style.grid,
        "axes.prop_cycle": matplotlib.cycler(color=SERIES),
        "font.size": style.font_size,
        "legend.frameon": False,
        "legend.labelcolor": style.text,
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.transparent": True,
    }


def shown(fig, value, spec="g"):
    """The text of `value`, a number the figure computed, recorded on `fig`.

    A number drawn as text (a title, a legend, an annotation, a tick
    label the code writes itself) is a claim unless it comes from the
    computation the figure draws: pass that value here and draw the
    returned text. ``hooks/figures.py`` writes the recorded texts into
    the SVG, and ``scripts/audit_site.py`` accepts those numbers, each as
    often as it was recorded, and no other besides the tick labels
    matplotlib writes from the ticks' positions. A literal
    (``shown(fig, 0.25)``) is rejected: it is a typed number.
    """
    text = format(value, spec)
    numbers = getattr(fig, "shown_numbers", [])
    fig.shown_numbers = [*numbers, text]
    return text


def narrow_size(width, height):
    """A single panel's size in its narrow variant (see `figure`)."""
    shrink = min(1.0, NARROW_WIDTH / width)
    return width * shrink, max(2.8, height * shrink)


def figure(style, ncols=1, width=6.4, height=3.6):
    """A transparent figure with axes coloured for `style`.

    For a narrow style the panels are stacked, one above the other, and
    each is at most ``NARROW_WIDTH`` wide (its height shrinks with it, but
    not below 2.8 in).
    """
    nrows = 1
    if style.narrow:
        panel = width / ncols
        shrink = min(1.0, NARROW_WIDTH / panel)
        width = panel * shrink
        height = max(2.8, height * shrink) * ncols
        nrows, ncols = ncols, 1
    with plt.rc_context(rc(style)):
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(width, height), layout="constrained"
        )
        # A little more room at the edges than matplotlib's 3 pt, so that
        # no tick label touches the edge of the image.
        fig.get_layout_engine().set(w_pad=0.06, h_pad=0.06)
        for ax in fig.axes:
            ax.grid(True, linewidth=0.5)
            ax.set_facecolor("none")
            if style.narrow:
                # at most five steps across a phone: labels such as 1000
                # and 1200 would otherwise run into each other
                ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    fig.patch.set_alpha(0)
    return fig, axes


def fit_label(style, text, width=24):
    """`text` as an axis label that fits a narrow variant: a label longer
    than `width` characters is broken before its parenthesis and its lines
    wrapped, where it would run past the edge of a phone-sized image.
    Unchanged in a wide variant."""
    import textwrap

    if not style.narrow or len(text) <= width:
        return text
    lines = text.replace(" (", "\n(", 1).split("\n")
    return "\n".join(textwrap.fill(line, 34) for line in lines)


def overflow_px(fig, style):
    """How far the drawing of `fig` in `style` reaches past each edge of
    the image, in CSS px at its own size: (left, right, bottom, top),
    negative where it stays inside.

    A label longer than the figure is wide is cut off at the edge of the
    SVG; matplotlib's layout does not shorten or wrap it.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with in_style(style):
        FigureCanvasAgg(fig)  # a renderer that can measure text
        fig.canvas.draw()
        box = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    width, height = fig.get_size_inches()
    return tuple(
        96 * v for v in (-box.x0, box.x1 - width, -box.y0, box.y1 - height)
    )


def smallest_text_px(fig, column_px=PHONE_COLUMN_PX):
    """The smallest visible text of `fig`, in CSS px, in a column that wide.

    An image is shown at its own size (1 in = 96 px) or shrunk to the
    column, never enlarged; a point is 96/72 px.
    """
    from matplotlib.text import Text

    fig.canvas.draw()  # makes the tick labels the locators choose
    width_px = fig.get_figwidth() * 96
    scale = min(1.0, column_px / width_px)
    sizes = [
        t.get_fontsize() * 96 / 72 * scale
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return min(sizes) if sizes else None

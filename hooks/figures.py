"""MkDocs hook: draw every figure from `ref` while the site is built.

Figures are defined in `src/sitefigures` and rendered to SVG, one per
colour scheme and width (wide, and narrow for phones), then added to the
build as generated files, so nothing is written into docs/ and no image is
ever stale.

Rendering all of them takes seconds, so the SVGs are kept in the build
cache (`sitecache`), keyed by a hash of everything they are drawn from:
the code of `ref` and of `sitefigures`, this hook, and the library
versions.
"""

import io
import json

from mkdocs.structure.files import File

from sitecache import cached, folder

#: matplotlib's formatters that write a tick's label from its position:
#: such a label is the axis' scale, not a claim. Any other formatter
#: (set_xticks with labels, a FuncFormatter, ...) writes what the figure
#: code gives it, so its labels go into the figure's audit record.
AUTO_FORMATTERS = ("ScalarFormatter", "LogFormatter", "NullFormatter")


def _hand_set_ticks(fig):
    """[[location, label], ...] of the tick labels the figure code wrote."""
    from matplotlib import ticker

    auto = tuple(getattr(ticker, name) for name in AUTO_FORMATTERS)
    found = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for formatter, locs in (
                (axis.get_major_formatter(), axis.get_majorticklocs()),
                (axis.get_minor_formatter(), axis.get_minorticklocs()),
            ):
                if isinstance(formatter, auto):
                    continue
                labels = formatter.format_ticks(list(locs))
                found += [
                    [float(loc), str(label)]
                    for loc, label in zip(locs, labels, strict=True)
                    if str(label).strip()
                ]
    return found


def _render(fig):
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    # What scripts/audit_site.py needs to account for the numbers drawn
    # as text: those the figure code computed and recorded with
    # sitefigures.style.shown, and the tick labels it wrote itself. Kept
    # in the SVG's metadata, which no reader sees.
    record = {
        "shown": getattr(fig, "shown_numbers", []),
        "ticks": _hand_set_ticks(fig),
    }
    metadata = {
        "Date": None,
        "Description": "audit record: " + json.dumps(record),
    }
    # A fixed salt makes the SVG's element ids, and so the file, the same
    # on every build. Text is drawn as paths (matplotlib's default), so a
    # figure looks the same without any font on the reader's machine.
    with plt.rc_context({"svg.hashsalt": "ref", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata=metadata)
    plt.close(fig)
    return buf.getvalue()


def _saved(draw, style):
    from sitefigures.style import in_style, render

    with in_style(style):
        return _render(render(draw, style))


def on_files(files, config, **_):
    from sitefigures import all_figures
    from sitefigures.style import STYLES

    cache = folder("figures", "src/sitefigures", "hooks/figures.py")
    for name, draw in sorted(all_figures().items()):
        for style in STYLES:
            svg = cached(
                cache / f"{name}-{style.name}.svg",
                lambda draw=draw, style=style: _saved(draw, style),
            )
            uri = f"figures/{name}-{style.name}.svg"
            files.append(File.generated(config, uri, content=svg))
    return files

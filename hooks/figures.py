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

from sitecache import cached, cached_together, folder

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


def drawn(draw, style):
    """(SVG bytes, layout) of `draw` in `style`, from one drawing.

    The layout is what tests/test_site.py holds every figure to: how far
    its text reaches past each edge (``overflow_px``) and its smallest
    text at a phone's width (``smallest_text_px``). Measured here, as the
    build draws each figure, so that the tests need not draw them all
    again.
    """
    from sitefigures.style import (
        in_style,
        overflow_px,
        render,
        smallest_text_px,
    )

    with in_style(style):
        fig = render(draw, style)
        svg = _render(fig)
    layout = {
        "overflow_px": list(overflow_px(fig, style)),
        "smallest_text_px": smallest_text_px(fig),
    }
    return svg, layout


def figures():
    """{(name, style name): (SVG bytes, layout)} of every figure in every
    style, from the build cache, drawing only what is not in it yet.

    The cache folder's ``index.json`` lists what the figure code defines
    (its key covers that code), so a build that finds every figure cached
    does not import the figure code, nor matplotlib with it.
    """
    cache = folder("figures", "src/sitefigures", "hooks/figures.py")
    index = cache / "index.json"
    if index.exists():
        stems = {
            tuple(pair): f"{pair[0]}-{pair[1]}"
            for pair in json.loads(index.read_text(encoding="utf-8"))
        }
        paths = [
            cache / f"{stem}{suffix}"
            for stem in stems.values()
            for suffix in (".svg", ".layout.json")
        ]
        if all(path.exists() for path in paths):
            return {
                pair: (
                    (cache / f"{stem}.svg").read_bytes(),
                    json.loads((cache / f"{stem}.layout.json").read_bytes()),
                )
                for pair, stem in stems.items()
            }
    out = _draw_all(cache)
    cached(index, lambda: json.dumps(sorted(out)).encode())
    return out


def _draw_all(cache):
    from sitefigures import all_figures
    from sitefigures.style import STYLES

    out = {}
    for name, draw in sorted(all_figures().items()):
        for style in STYLES:
            stem = f"{name}-{style.name}"

            def make(draw=draw, style=style):
                svg, layout = drawn(draw, style)
                return svg, json.dumps(layout).encode()

            svg, layout = cached_together(
                [cache / f"{stem}.svg", cache / f"{stem}.layout.json"], make
            )
            out[name, style.name] = svg, json.loads(layout)
    return out


def on_files(files, config, **_):
    for (name, style), (svg, _) in figures().items():
        uri = f"figures/{name}-{style}.svg"
        files.append(File.generated(config, uri, content=svg))
    return files

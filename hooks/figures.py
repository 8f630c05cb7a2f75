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


def _render(fig):
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    # The numbers the figure code computed and drew as text (recorded by
    # sitefigures.style.shown), for scripts/audit_site.py. Not shown.
    shown = getattr(fig, "shown_numbers", [])
    metadata = {"Date": None}
    if shown:
        metadata["Description"] = (
            "numbers computed by the figure code: " + json.dumps(shown)
        )
    # A fixed salt makes the SVG's element ids, and so the file, the same
    # on every build. Text is drawn as paths (matplotlib's default), so a
    # figure looks the same without any font on the reader's machine.
    with plt.rc_context({"svg.hashsalt": "ref", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata=metadata)
    plt.close(fig)
    return buf.getvalue()


def on_files(files, config, **_):
    from sitefigures import all_figures
    from sitefigures.style import STYLES, render

    cache = folder("figures", "src/sitefigures", "hooks/figures.py")
    for name, draw in sorted(all_figures().items()):
        for style in STYLES:
            svg = cached(
                cache / f"{name}-{style.name}.svg",
                lambda draw=draw, style=style: _render(render(draw, style)),
            )
            uri = f"figures/{name}-{style.name}.svg"
            files.append(File.generated(config, uri, content=svg))
    return files

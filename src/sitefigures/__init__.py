"""Every figure on the site, drawn from `ref` when the site is built.

Each module here defines ``FIGURES = {name: draw}``, where ``draw(style)``
returns a matplotlib Figure drawn with the colours of `style` (see
`sitefigures.style`). The MkDocs hook ``hooks/figures.py`` renders each
figure twice, as ``figures/<name>-light.svg`` and ``figures/<name>-dark.svg``;
a page shows the right one with Material's ``#only-light`` and
``#only-dark`` image suffixes. No image is drawn by hand or committed.
"""

import importlib
import pkgutil


def all_figures():
    """{name: draw} collected from every module of this package."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in ("sizes", "style"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, draw in getattr(module, "FIGURES", {}).items():
            if name in found:
                raise ValueError(
                    f"figure {name!r} is defined twice (in {info.name})"
                )
            found[name] = draw
    return found

"""MkDocs hook: keep mkdocstrings' rendering of `ref` between builds.

Rendering the reference page's docstrings through mkdocstrings' templates
is a quarter of a warm build (about 2 s), and it gives the same HTML until
something it is made from changes. So each rendered object is kept in the
build cache (`sitecache`), under a key that covers everything the
rendering reads: the code of `ref`, the site's configuration (Markdown
extensions, handler options), the included snippets and template
overrides, this hook, and the versions of mkdocstrings, its Python
handler, griffe, Markdown and pymdown-extensions. Change any of them and
every object is rendered afresh.

A rendering is more than its HTML: the handler also records the headings
it made, which mkdocstrings then puts into the page's table of contents,
autorefs' anchors and the objects inventory. Those are cached with the
HTML and handed back the same way, so a cached build writes the same
site, byte for byte (tests/test_site.py builds both and compares).

Collecting the objects (griffe reading `ref`) still happens on every
build: it is fast, and mkdocstrings needs the collected objects for their
aliases.
"""

from __future__ import annotations

import functools
import hashlib
import json
from xml.etree.ElementTree import Element

from mkdocstrings_handlers.python import PythonHandler

from sitecache import folder, write_atomic

#: What the rendered HTML is made from, besides `ref`.
INPUTS = ("mkdocs.yml", "includes", "overrides", "hooks/apidocs.py")
LIBRARIES = (
    "griffelib",
    "markdown",
    "mkdocs-autorefs",
    "mkdocstrings",
    "mkdocstrings-python",
    "pymdown-extensions",
)

# mkdocs loads hooks afresh for every build of `mkdocs serve`: wrap the
# handler's own method, not an earlier build's wrapper.
_render = getattr(PythonHandler.render, "__wrapped__", PythonHandler.render)


def entry_name(identifier: str, options, locale: str | None) -> str:
    """The cache file of one rendering: every option is part of its name."""
    text = f"{identifier}\n{locale}\n{options!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:24] + ".json"


def _heading(record: dict) -> Element:
    el = Element(record["tag"], record["attrib"])
    el.text = record["text"]
    return el


@functools.cache
def _cache():
    """This build's cache folder (on_config forgets it)."""
    return folder("mkdocstrings", *INPUTS, libraries=LIBRARIES)


def render(self, data, options, locale=None):
    """`PythonHandler.render`, served from the cache when it can be."""
    path = _cache() / entry_name(data.path, options, locale)
    if path.exists():
        entry = json.loads(path.read_text(encoding="utf-8"))
        self._headings.extend(_heading(h) for h in entry["headings"])
        return entry["html"]
    before = len(self._headings)
    html = _render(self, data, options, locale)
    made = self._headings[before:]
    if any(len(el) for el in made):
        return html  # a heading with child elements: not cached (none yet)
    entry = {
        "html": html,
        "headings": [
            {"tag": el.tag, "attrib": dict(el.attrib), "text": el.text}
            for el in made
        ],
    }
    write_atomic(path, json.dumps(entry))
    return html


render.__wrapped__ = _render


def on_config(config, **_):
    _cache.cache_clear()  # the inputs are hashed again for each build
    PythonHandler.render = render

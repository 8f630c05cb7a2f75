"""MkDocs hook: read each page's HTML for the search index once per change.

Material's search plugin splits every page into sections with a Python
HTML parser: 36 pages, about a second of every build, for the same
sections as last time unless the page changed. This hook gives the plugin
a parser that keeps its result in the build cache (`sitecache`), under a
hash of exactly the HTML it is fed, in a folder whose key covers the
Material version and this hook. The plugin's own code does the rest
(which sections to keep, their titles and URLs), so the index is the one
it would write, byte for byte: tests/test_site.py checks it against
Material's parser.

Every entry a build reads or writes is touched; after the build, all but
the newest `KEEP` entries go, so pages edited while serving do not pile
up.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os

import material.plugins.search.plugin as search

from sitecache import folder, write_atomic

#: How many parsed pages the cache keeps (the site has about 40).
KEEP = 200

# mkdocs loads hooks afresh for every build of `mkdocs serve`: subclass
# Material's parser, not an earlier build's subclass.
MaterialParser = getattr(search.Parser, "material", search.Parser)


@functools.cache
def _cache():
    """This build's cache folder (on_config forgets it)."""
    return folder(
        "search", "hooks/search.py", common=(), libraries=("mkdocs-material",)
    )


def _dump(section) -> dict:
    return {
        "tag": section.el.tag,
        "attrs": dict(section.el.attrs),
        "depth": section.depth,
        "id": section.id,
        "title": section.title,
        "text": section.text,
    }


def _load(record: dict):
    section = search.Section(
        search.Element(record["tag"], record["attrs"]), record["depth"]
    )
    section.id = record["id"]
    section.title = record["title"]
    section.text = record["text"]
    return section


class CachedParser(MaterialParser):
    """Material's parser, for one whole page fed at once, from the cache
    when it has parsed the same HTML before."""

    material = MaterialParser

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._entry = None  # the cache file of the HTML fed
        self._hit = False

    def feed(self, data):
        if self._entry is not None:
            raise RuntimeError("search cache: a page is fed more than once")
        digest = hashlib.sha256(data.encode("utf-8")).hexdigest()[:24]
        self._entry = _cache() / f"{digest}.json"
        try:
            records = json.loads(self._entry.read_text(encoding="utf-8"))
        except FileNotFoundError:
            super().feed(data)
            return
        self._hit = True
        self.data = [_load(record) for record in records]
        os.utime(self._entry)  # used: kept by prune()

    def close(self):
        if self._hit:
            return
        super().close()
        if self._entry is None:
            return  # nothing was fed
        write_atomic(self._entry, json.dumps([_dump(s) for s in self.data]))


def prune(cache, keep=KEEP):
    """Remove all but the `keep` most recently used entries of `cache`."""
    entries = sorted(
        cache.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in entries[keep:]:
        old.unlink(missing_ok=True)


def on_config(config, **_):
    _cache.cache_clear()
    search.Parser = CachedParser


def on_post_build(config, **_):
    prune(_cache())

"""MkDocs hook: keep Pygments' highlighting of code blocks between builds.

pymdownx.highlight runs every code block of every page through Pygments
on every build: about 250 blocks, a tenth of a warm build, for the same
HTML as last time unless the block changed. This hook keeps each block's
HTML in the build cache (`sitecache`), under a hash of everything the
highlighter reads: the block's text and every argument it is called with
(language, line numbers, title, the block's number on its page), and the
highlighter's own settings. The folder's key covers this hook and the
versions of Pygments, pymdown-extensions and Markdown. Inline code is
left alone (it is cheap, and returned as an element, not text).

The entries live in one file, written after the build when it used one
that was not there. The entries this build used come first, then older
ones (pages edited while serving) up to `KEEP`.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json

from pymdownx.highlight import Highlight

from sitecache import folder, write_atomic

#: How many highlighted blocks the cache keeps (the site has about 250).
KEEP = 2000

# mkdocs loads hooks afresh for every build of `mkdocs serve`: wrap the
# extension's own method, not an earlier build's wrapper.
_highlight = getattr(Highlight.highlight, "__wrapped__", Highlight.highlight)
SIGNATURE = inspect.signature(_highlight)
_state = {}  # this build's stored entries and used entries


@functools.cache
def _store_path():
    """This build's store (on_config forgets it)."""
    return (
        folder(
            "highlight",
            "hooks/highlight.py",
            common=(),
            libraries=("markdown", "pygments", "pymdown-extensions"),
        )
        / "entries.json"
    )


def _store():
    if "entries" not in _state:
        try:
            text = _store_path().read_text(encoding="utf-8")
            _state["entries"] = json.loads(text)
        except FileNotFoundError:
            _state["entries"] = {}
        _state["used"] = {}
    return _state


def entry_key(settings: dict, arguments: dict) -> str:
    """The hash of one call: the highlighter's settings and the call's
    arguments, each written out in full."""
    text = repr(sorted(settings.items())) + "\n" + repr(arguments)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def settings(highlighter) -> dict | None:
    """The highlighter's settings, or None if a call may do more than
    return HTML made from its arguments and these settings.

    The Markdown instance (``md``) is left out: the highlighter uses it
    only to stash an HTML title, which a title mode of "html" (given, or
    from ``auto_title_map``) asks for; then nothing is cached, as it is
    not when a setting's text names an object by its address.
    """
    found = {k: v for k, v in vars(highlighter).items() if k != "md"}
    if found.get("title_mode") != "text" or found.get("auto_title"):
        return None
    if " at 0x" in repr(sorted(found.items())):
        return None
    return found


def highlight(self, *args, **kwargs):
    """`Highlight.highlight`, served from the cache for a code block."""
    bound = SIGNATURE.bind(self, *args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    del arguments["self"]
    found = settings(self)
    if arguments["inline"] or found is None:
        return _highlight(self, *args, **kwargs)
    state = _store()
    key = entry_key(found, arguments)
    html = state["entries"].get(key)
    if html is None:
        html = _highlight(self, *args, **kwargs)
        if not isinstance(html, str):
            return html
    state["used"][key] = html
    return html


highlight.__wrapped__ = _highlight


def on_config(config, **_):
    _state.clear()
    _store_path.cache_clear()
    Highlight.highlight = highlight


def on_post_build(config, **_):
    if "used" not in _state:
        return
    used, entries = _state["used"], _state["entries"]
    if all(key in entries for key in used):
        return
    kept = dict(used)
    for key, html in entries.items():
        if len(kept) >= KEEP:
            break
        kept.setdefault(key, html)
    write_atomic(_store_path(), json.dumps(kept))

"""MkDocs hook: `make serve` shows an edit fast and never serves stale code.

`mkdocs serve` rebuilds in the same Python process, so without this hook:

- the hooks and the code they import (`ref`, `sitefigures`, the docs
  checker) stay as they were first imported. A figure or lab redrawn
  after an edit to src/ would be drawn by the old code, and stored in the
  build cache under the key of the new code, where a later `mkdocs
  build` would find it. After each build this hook drops those modules
  and mkdocs' memo of the loaded hooks, so the next build imports them
  afresh.
- with ``--dirty`` (make serve), only the Markdown pages newer than their
  HTML are built again. An edit to src/, hooks/, includes/, overrides/ or
  mkdocs.yml changes other pages too (a figure, a docstring on the
  reference page, the glossary's tooltips on every page), so then the
  served folder is emptied first and every page is built again.

Outside `mkdocs serve` it does nothing.
"""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What pages are made from besides their own Markdown.
INPUTS = ("src", "hooks", "includes", "overrides", "mkdocs.yml")
#: Our packages, imported by the hooks: dropped after each served build.
OWN = ("ref", "sitefigures", "sitenotebooks", "sitecache", "doccheck")

# Hooks are loaded again for each build, so what must outlive one build
# is kept in a module of its own in sys.modules.
_STATE = sys.modules.setdefault(
    "_serve_hook_state", types.ModuleType("_serve_hook_state")
)


def on_startup(command, dirty, **_):
    _STATE.serving = command == "serve"
    _STATE.dirty = dirty
    _STATE.last_build = None


def newest_input(root: Path = ROOT) -> float:
    """The latest modification time of any file in INPUTS."""
    newest = 0.0
    for name in INPUTS:
        path = root / name
        files = path.rglob("*") if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or not file.is_file():
                continue
            newest = max(newest, file.stat().st_mtime)
    return newest


def on_pre_build(config, **_):
    if not getattr(_STATE, "serving", False):
        return
    started = time.time()
    if (
        _STATE.dirty
        and _STATE.last_build is not None
        and newest_input() >= _STATE.last_build
    ):
        from mkdocs.utils import clean_directory

        clean_directory(config.site_dir)  # every page is built again
    _STATE.last_build = started


def forget_own_modules(modules=sys.modules) -> list[str]:
    """Drop our packages from `modules`; the names dropped."""
    gone = [
        name
        for name in modules
        if name in OWN or name.startswith(tuple(p + "." for p in OWN))
    ]
    for name in gone:
        del modules[name]
    return gone


def on_post_build(config, **_):
    if not getattr(_STATE, "serving", False):
        return
    from mkdocs.config.config_options import Hooks

    forget_own_modules()
    Hooks._load_hook.cache_clear()  # the next build loads the hooks anew


def on_build_error(error, **_):
    # A failed build (a TeX error, a lab that raises) is fixed by an edit:
    # the build after it must load the fixed code too.
    on_post_build(None)

"""MkDocs hook: keep the theme's compiled templates between builds.

MkDocs makes a new Jinja environment for every build, so each build
compiled Material's templates from source again: about half a second of
a warm build, and of every rebuild while serving. Jinja's bytecode cache
keeps them in the build cache (``.cache/jinja/``). An entry is used only
for the same template source, Jinja version and Python version (Jinja
checks all three), so an edited override or an upgrade compiles afresh.
"""

from jinja2 import FileSystemBytecodeCache

from sitecache import CACHE


def on_env(env, config, files, **_):
    folder = CACHE / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env

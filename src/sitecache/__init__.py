"""A build cache whose key is everything the cached output is made from.

The figures and the labs are the slow parts of a site build. Each is a
deterministic function of the code in `ref` (and its data), of its own
source, and of the library versions, so its output is cached under a hash
of exactly those inputs: change any of them and the key changes, so a
cached output is always the one a fresh run would give. Only the newest
key of each kind is kept.
"""

import ast
import functools
import hashlib
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
#: What every cached output depends on, besides its own inputs.
COMMON = ("src/ref",)
#: The libraries whose versions every key includes.
LIBRARIES = ("matplotlib", "numpy")
#: Kinds named here (space-separated) get an empty folder of their own,
#: so the build makes those outputs afresh: tests/test_site.py compares
#: such a build with one served from the cache.
FRESH = "SITECACHE_FRESH"


def ref_imports(*paths):
    """The files of `ref` that the Python files `paths` import, directly
    or through each other, with ref's package file and its data.

    Read from the source (every ``import ref.x`` and ``from ref.x
    import``, at any depth in the file), so that an output made from only
    part of `ref` is not remade when another part changes. A module that
    cannot be read counts as all of `ref`.
    """
    found = {"src/ref/__init__.py", "src/ref/data"}
    todo = [ROOT / p for p in paths]
    seen = set()
    while todo:
        file = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        try:
            names = _imported_names(file.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            return ("src/ref",)
        for name in names:
            parts = name.split(".")
            if parts[0] != "ref" or len(parts) < 2:
                continue
            module = ROOT / "src" / "ref" / f"{parts[1]}.py"
            if module.is_file():
                found.add(module.relative_to(ROOT).as_posix())
                todo.append(module)
    return tuple(sorted(found))


@functools.lru_cache(maxsize=256)
def _imported_names(source):
    """Every module name the Python `source` imports (``import a.b``,
    ``from a import b``: a, a.b), parsed once per text (the labs of one
    build share most of `ref`)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module]
            names += [f"{node.module}.{a.name}" for a in node.names]
    return tuple(names)


@functools.cache
def _version(library):
    return version(library)


def key(*paths, common=COMMON, libraries=LIBRARIES):
    """Hash of the files under `paths` (and `common`: all of src/ref unless
    told otherwise) and of the installed versions of `libraries`.

    The versions are read from the installed packages' metadata, not by
    importing them: a build whose outputs are all cached never imports
    matplotlib.
    """
    digest = hashlib.sha256()
    for library in sorted(libraries):
        digest.update(f"{library} {_version(library)}\n".encode())
    for name in sorted(set(tuple(common) + paths)):
        path = ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def folder(kind, *paths, common=COMMON, libraries=LIBRARIES):
    """The cache folder for `kind` at the current inputs, older ones gone."""
    if kind.split("/")[0] in os.environ.get(FRESH, "").split():
        return Path(
            tempfile.mkdtemp(prefix=f"sitecache-{kind}-".replace("/", "-"))
        )
    current = CACHE / kind / key(*paths, common=common, libraries=libraries)
    if current.parent.is_dir():
        for old in current.parent.iterdir():
            if old != current:
                shutil.rmtree(old, ignore_errors=True)
    current.mkdir(parents=True, exist_ok=True)
    return current


def cached(path, make):
    """The bytes at `path`, made by `make()` and stored if not there yet."""
    return cached_together([path], lambda: [make()])[0]


def cached_together(paths, make):
    """The bytes at each of `paths`, all made by one call of `make()`
    (which returns them in the same order) if any one is missing."""
    if all(path.exists() for path in paths):
        return [path.read_bytes() for path in paths]
    made = list(make())
    if len(made) != len(paths):
        raise ValueError(
            f"cache: {len(made)} outputs made for {len(paths)} paths"
        )
    for path, data in zip(paths, made, strict=True):
        write_atomic(path, data)
    return made


def cached_version(cache, name, suffix, parts, make):
    """The bytes `make()` gives for one version of the page `name`, from
    `cache` if that version was made before.

    The version is a hash of `parts` (bytes: the page's text, the files
    it includes). The entry is ``<name, / as __>.<hash><suffix>``, and a
    new version replaces the page's older ones, so an edited page leaves
    one entry. If `make` raises, nothing is stored or removed.
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    stem = str(name).replace("/", "__").removesuffix(".md")
    entry = cache / f"{stem}.{digest.hexdigest()[:16]}{suffix}"
    if entry.exists():
        return entry.read_bytes()
    data = make()
    for old in cache.glob(f"{stem}.*{suffix}"):
        old.unlink(missing_ok=True)
    write_atomic(entry, data)
    return data


def write_atomic(path, data):
    """Write `data` (bytes, or text as UTF-8) to `path` through a file of
    this process beside it: a build running at the same time reads the
    old file or the new one, never half of one."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp.write_bytes(data)
    tmp.replace(path)

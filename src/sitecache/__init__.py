"""A build cache whose key is everything the cached output is made from.

The figures and the labs are the slow parts of a site build. Each is a
deterministic function of the code in `ref` (and its data), of its own
source, and of the library versions, so its output is cached under a hash
of exactly those inputs: change any of them and the key changes, so a
cached output is always the one a fresh run would give. Only the newest
key of each kind is kept.
"""

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
#: What every cached output depends on, besides its own inputs.
COMMON = ("src/ref",)


def key(*paths):
    """Hash of the files under `paths` (and src/ref) and of the versions."""
    import matplotlib
    import numpy

    digest = hashlib.sha256()
    digest.update(f"{matplotlib.__version__} {numpy.__version__}".encode())
    for name in sorted(set(COMMON + paths)):
        path = ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def folder(kind, *paths):
    """The cache folder for `kind` at the current inputs, older ones gone."""
    current = CACHE / kind / key(*paths)
    if current.parent.is_dir():
        for old in current.parent.iterdir():
            if old != current:
                shutil.rmtree(old, ignore_errors=True)
    current.mkdir(parents=True, exist_ok=True)
    return current


def cached(path, make):
    """The bytes at `path`, made by `make()` and stored if not there yet."""
    if path.exists():
        return path.read_bytes()
    data = make()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: two builds at once may race
    return data

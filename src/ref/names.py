"""First names from the US Census: a training and a validation set.

Several thousand names, enough to see whether a model generalises: it is
trained on one part and scored on names it has never seen. The lists
are vendored from the `names` package on PyPI (see
`ref/data/README.md`); this module reads them, lower-cased, and splits
them with a fixed seed. Names are encoded with the symbols of
`ref.bigram`: "." (index `0`) separates names, and the letters a to z
follow in order.

```python
from ref.names import census_split, decode, encode

train, val = census_split()
assert len(train) + len(val) == 5_163
assert list(encode(["ab"])) == [0, 1, 2, 0]
assert decode(encode(["ab"])) == ".ab."
```
"""

from importlib.resources import files

import numpy as np

from ref.bigram import BOUNDARY, SYMBOLS

#: The seed of the split, and the share of names kept for validation.
SPLIT_SEED = 1990
VAL_FRACTION = 0.1

_FILES = ("census-female-first.txt", "census-male-first.txt")
_INDEX = {s: i for i, s in enumerate(SYMBOLS)}


def load_census_names():
    """Every distinct name of both lists, in alphabetical order."""
    names = set()
    for name in _FILES:
        text = files("ref").joinpath("data", name).read_text("utf-8")
        names.update(text.split())
    return sorted(names)


def split_names(names, val_fraction=VAL_FRACTION, seed=SPLIT_SEED):
    """(train, val): the names shuffled with `seed`, the last share to val."""
    if not 0 < val_fraction < 1:
        raise ValueError(
            f"val_fraction must be between 0 and 1, got {val_fraction!r}"
        )
    order = np.random.default_rng(seed).permutation(len(names))
    shuffled = [names[i] for i in order]
    n_val = round(len(names) * val_fraction)
    return shuffled[: len(names) - n_val], shuffled[len(names) - n_val :]


def census_split():
    """(train, val) of `load_census_names` with the fixed seed."""
    return split_names(load_census_names())


def encode(names):
    """The ids of ".name1.name2. ... .": one stream, "." between names."""
    text = BOUNDARY + BOUNDARY.join(names) + BOUNDARY
    bad = sorted(set(text) - set(_INDEX))
    if bad:
        raise ValueError(f"names must be letters a to z, got {bad!r}")
    return np.array([_INDEX[ch] for ch in text], dtype=np.int64)


def decode(ids):
    """The string of the symbols with these ids."""
    return "".join(SYMBOLS[int(i)] for i in ids)

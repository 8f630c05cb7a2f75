"""Tests for ref/names.py: the vendored census lists and their split."""

import numpy as np
import pytest

from ref.names import (
    VAL_FRACTION,
    census_split,
    decode,
    encode,
    load_census_names,
    split_names,
)


def test_census_lists():
    names = load_census_names()
    assert len(names) == 5163  # 4,275 + 1,219 minus 331 on both lists
    assert names == sorted(set(names))
    assert all(name.isalpha() and name.islower() for name in names)
    assert "mary" in names and "james" in names


def test_split_is_fixed_disjoint_and_complete():
    train, val = census_split()
    assert (train, val) == census_split()
    assert not set(train) & set(val)
    assert sorted(train + val) == load_census_names()
    assert len(val) == round(len(load_census_names()) * VAL_FRACTION)
    other, _ = split_names(load_census_names(), seed=1)
    assert other != train
    for fraction in (0.0, 1.0):  # an empty side is no split
        with pytest.raises(ValueError, match="val_fraction"):
            split_names(["ann"], val_fraction=fraction)


def test_encode_and_decode():
    ids = encode(["emma", "bo"])
    assert decode(ids) == ".emma.bo."
    assert ids.dtype == np.int64 and ids[0] == 0 and ids[1] == 5
    with pytest.raises(ValueError, match="letters a to z"):
        encode(["Emma"])

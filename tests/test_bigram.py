"""Tests for ref/bigram.py."""

import numpy as np
import pytest

from ref.bigram import (
    SYMBOLS,
    count_matrix,
    greedy,
    greedy_names,
    load_names,
    prob,
    probabilities,
    sample_names,
)


@pytest.fixture(scope="module")
def names():
    return load_names()


@pytest.fixture(scope="module")
def P(names):
    return probabilities(count_matrix(names))


def test_shipped_list(names):
    assert len(names) == 340
    assert len(set(names)) == len(names)
    assert all(n.isascii() and n.isalpha() and n.islower() for n in names)


def test_count_matrix_small_example():
    N = count_matrix(["ab", "a"])
    i = {s: k for k, s in enumerate(SYMBOLS)}
    assert N[i["."], i["a"]] == 2
    assert N[i["a"], i["b"]] == 1
    assert N[i["a"], i["."]] == 1
    assert N[i["b"], i["."]] == 1
    assert N.sum() == 5


def test_counts_match_a_loop_over_pairs(names):
    N = count_matrix(names)
    assert N.sum() == sum(len(n) + 1 for n in names)
    # Row '.' counts first letters, column '.' counts last letters.
    assert N[0, 1:].sum() == len(names) == N[1:, 0].sum()
    assert N[0, SYMBOLS.index("j")] == sum(n[0] == "j" for n in names)
    assert N[SYMBOLS.index("l"), SYMBOLS.index("l")] == sum(
        n.count("ll") for n in names
    )


def test_p_end_given_a(names, P):
    ending = sum(n.endswith("a") for n in names)
    total = sum(n.count("a") for n in names)
    assert (ending, total) == (64, 263)
    assert prob(P, "a", ".") == pytest.approx(ending / total)
    assert round(prob(P, "a", "."), 3) == 0.243


def test_rows_sum_to_one(P):
    assert np.allclose(P.sum(axis=1), 1.0)


def test_unseen_row_stays_zero_without_smoothing():
    P = probabilities(count_matrix(["ab"]))
    assert np.all(P[SYMBOLS.index("z")] == 0)
    assert P[SYMBOLS.index("a"), SYMBOLS.index("b")] == 1.0


def test_smoothing_makes_every_pair_possible(names):
    P = probabilities(count_matrix(names), smoothing=1)
    assert np.all(P > 0)
    assert np.allclose(P.sum(axis=1), 1.0)
    N = count_matrix(names)
    q, u = SYMBOLS.index("q"), SYMBOLS.index("u")
    assert P[q, u] == pytest.approx((N[q, u] + 1) / (N[q].sum() + 27))


def test_greedy_follows_argmax():
    P = probabilities(count_matrix(["ab", "ab", "ac", "b"]))
    assert greedy(P) == "ab"
    assert greedy(P, start="c") == "c"


def test_greedy_on_names(names, P):
    name = greedy(P)
    assert name == "ja"
    assert name[0] == SYMBOLS[np.argmax(count_matrix(names)[0])]


def test_greedy_continues_from_the_last_letter_of_start(P):
    assert greedy(P, start="m") == "ma"
    assert greedy(P, start="em") == "e" + greedy(P, start="m") == "ema"
    assert greedy(P, start="e") == "e"  # e -> '.' is the likeliest


def test_greedy_repeats_the_same_name(P):
    assert greedy_names(P, 5) == ["ja"] * 5


def test_greedy_stops_at_max_length_in_a_cycle():
    # a -> b always, b -> a 9 times in 10: the argmax never reaches '.'.
    P = probabilities(count_matrix(["ab" * 10]))
    assert greedy(P, max_length=7) == "abababa"


def test_sampling_gives_variety_and_is_reproducible(P):
    first = sample_names(P, 20, np.random.default_rng(0))
    again = sample_names(P, 20, np.random.default_rng(0))
    assert first == again
    assert len(set(first)) > 10
    assert first[:5] == ["ld", "arvindyl", "s", "n", "shal"]


def test_sampling_only_uses_seen_pairs(names, P):
    N = count_matrix(names)
    for name in sample_names(P, 50, np.random.default_rng(1)):
        s = "." + name + "."
        for a, b in zip(s, s[1:], strict=False):
            assert N[SYMBOLS.index(a), SYMBOLS.index(b)] > 0


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"'A' at position 0"):
        count_matrix(["Anna"])
    with pytest.raises(ValueError, match="names must be non-empty str"):
        count_matrix(["ann", ""])
    with pytest.raises(ValueError, match="counts must be square"):
        probabilities(np.ones((2, 3)))
    with pytest.raises(ValueError, match="counts must be square"):
        probabilities(np.ones((3, 2)))
    with pytest.raises(ValueError, match="smoothing"):
        probabilities(np.ones((27, 27)), smoothing=-1)
    with pytest.raises(ValueError, match=r"P must have shape \(27, 27\)"):
        prob(np.ones((3, 3)), "a", "b")
    with pytest.raises(ValueError, match="b must be one of"):
        prob(np.ones((27, 27)), "a", "B")
    with pytest.raises(TypeError, match="rng"):
        sample_names(np.ones((27, 27)) / 27, 1, rng=0)
    for start in (".", "a.", "Ann", 3):
        with pytest.raises(ValueError, match="start must be letters a to z"):
            greedy(np.ones((27, 27)) / 27, start=start)


# --- the score: negative log-likelihood per character ----------------------


def test_nll_per_char_against_a_loop(names, P):
    import math

    from ref.bigram import nll_per_char

    logs = [
        math.log(P[SYMBOLS.index(a), SYMBOLS.index(b)])
        for name in names[:50]
        for a, b in zip("." + name, name + ".", strict=True)
    ]
    assert nll_per_char(P, names[:50]) == pytest.approx(-sum(logs) / len(logs))


def test_nll_per_char_edge_cases(names):
    from ref.bigram import nll_per_char

    uniform = np.full((27, 27), 1 / 27)
    assert nll_per_char(uniform, names) == pytest.approx(np.log(27))
    P = probabilities(count_matrix(["ab"]))
    assert nll_per_char(P, ["ab"]) == 0.0  # every pair certain
    assert nll_per_char(P, ["ba"]) == np.inf  # an unseen pair
    with pytest.raises(ValueError, match="at least one name"):
        nll_per_char(P, [])

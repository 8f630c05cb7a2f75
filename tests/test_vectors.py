"""Tests for ref/vectors.py."""

import math

import numpy as np
import pytest

from ref.vectors import (
    EXAMPLE,
    analogy,
    cooccurrence,
    cosine,
    load_corpus,
    nearest,
    one_hot,
    random_cosines,
    solve_analogy,
    svd_vectors,
)


def test_cosine_known_values():
    assert cosine([1, 0], [0, 1]) == pytest.approx(0.0)
    assert cosine([1, 2], [2, 4]) == pytest.approx(1.0)
    assert cosine([1, 2], [-1, -2]) == pytest.approx(-1.0)
    assert cosine([1, 2], [-1, 2]) == pytest.approx(3 / 5)


def test_cosine_matches_angle():
    rng = np.random.default_rng(0)
    for _ in range(5):
        u, v = rng.normal(size=(2, 4))
        angle = math.acos(u @ v / math.sqrt((u @ u) * (v @ v)))
        assert cosine(u, v) == pytest.approx(math.cos(angle))
        assert cosine(3 * u, 0.5 * v) == pytest.approx(cosine(u, v))


def test_king_minus_man_plus_woman():
    v = analogy(EXAMPLE["king"], EXAMPLE["man"], EXAMPLE["woman"])
    assert v.tolist() == [-1.0, 2.0]
    assert cosine(v, EXAMPLE["queen"]) == pytest.approx(1.0)
    assert f"{cosine(v, EXAMPLE['queen']):.3f}" == "1.000"


def test_nearest_without_and_with_exclusion():
    v = analogy(EXAMPLE["king"], EXAMPLE["man"], EXAMPLE["woman"])
    assert nearest(v, EXAMPLE)[0] == "queen"
    word, score = nearest(v, EXAMPLE, exclude=("queen",))
    assert word == "king"
    assert score == pytest.approx(0.6)


def test_solve_analogy():
    word, score = solve_analogy("king", "man", "woman")
    assert word == "queen"
    assert score == pytest.approx(1.0)
    assert solve_analogy("queen", "woman", "man")[0] == "king"


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"v must have the shape of u"):
        cosine([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="zero vector"):
        cosine([0, 0], [1, 2])
    with pytest.raises(ValueError, match="same shape"):
        analogy([1, 2], [1, 2], [1])
    with pytest.raises(ValueError, match="'prince' is not in vectors"):
        solve_analogy("king", "man", "prince")
    with pytest.raises(ValueError, match="window must be a positive int"):
        cooccurrence([["a", "b"]], window=0)
    with pytest.raises(ValueError, match="at least one word"):
        cooccurrence([[]])
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 2\]"):
        svd_vectors(np.eye(2), 3)
    with pytest.raises(ValueError, match="M must have 2 dimension"):
        svd_vectors(np.ones(3), 1)
    with pytest.raises(ValueError, match=r"i must be an int in \[0, 2\]"):
        one_hot(3, 3)
    with pytest.raises(ValueError, match="n must be a positive int"):
        one_hot(0, 0)
    with pytest.raises(ValueError, match="d must be a positive int"):
        random_cosines(0, 5, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        random_cosines(3, 5, 0)


# --- learned from co-occurrence --------------------------------------------


def test_cooccurrence_counts_a_small_text_by_hand():
    words, C = cooccurrence([["a", "b", "c"], ["b", "a"]], window=1)
    assert words == ["a", "b", "c"]
    # a-b is adjacent twice (once per sentence), b-c once, a-c never.
    np.testing.assert_array_equal(C, [[0, 2, 0], [2, 0, 1], [0, 1, 0]])
    _, C2 = cooccurrence([["a", "b", "c"]], window=2)
    assert C2[0, 2] == 1 and C2[2, 0] == 1


def test_cooccurrence_stays_inside_a_sentence():
    _, C = cooccurrence([["a"], ["b"]], window=5)
    assert C.sum() == 0


def test_cooccurrence_is_symmetric_and_counts_every_pair():
    sentences = load_corpus()
    words, C = cooccurrence(sentences, window=2)
    np.testing.assert_array_equal(C, C.T)
    # each word has min(i, 2) + min(n - 1 - i, 2) neighbours in its sentence
    expected = sum(
        min(i, 2) + min(len(s) - 1 - i, 2)
        for s in sentences
        for i in range(len(s))
    )
    assert C.sum() == expected


def test_corpus_is_a_few_hundred_words_of_lowercase_sentences():
    sentences = load_corpus()
    n_words = sum(len(s) for s in sentences)
    assert 300 <= n_words <= 1_000
    assert all(w == w.lower() and w.isalpha() for s in sentences for w in s)
    assert not any(s[0].startswith("#") for s in sentences)


def test_svd_vectors_rebuild_the_matrix_at_full_rank():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 5))
    M = A + A.T
    W = svd_vectors(M, 5)
    _, _, Vt = np.linalg.svd(M)
    np.testing.assert_allclose(W @ Vt, M, atol=1e-12)
    # rank 1: the best approximation keeps the largest singular value only
    s = np.linalg.svd(M, compute_uv=False)
    assert np.linalg.norm(svd_vectors(M, 1)[:, 0]) == pytest.approx(s[0])


def test_svd_vectors_put_words_of_the_same_role_together():
    words, C = cooccurrence(load_corpus(), window=2)
    W = svd_vectors(np.log1p(C), 10)
    vectors = dict(zip(words, W, strict=True))
    for word, partner in [
        ("king", "queen"),
        ("cat", "dog"),
        ("apple", "pear"),
        ("man", "woman"),
    ]:
        others = {w: v for w, v in vectors.items() if w != word}
        assert nearest(vectors[word], others)[0] == partner
    assert solve_analogy("king", "man", "woman", vectors)[0] == "queen"
    # a word of a different role is far less similar
    king = vectors["king"]
    gap = cosine(king, vectors["queen"]) - cosine(king, vectors["apple"])
    assert gap > 0.3


def test_one_hot_times_matrix_is_a_row_lookup():
    rng = np.random.default_rng(1)
    W_E = rng.standard_normal((6, 3))
    for i in range(6):
        e = one_hot(i, 6)
        assert e.sum() == 1.0 and e[i] == 1.0
        np.testing.assert_array_equal(e @ W_E, W_E[i])


def test_random_cosines_shrink_like_one_over_sqrt_d():
    for d in [4, 100, 2_500]:
        c = random_cosines(d, 4_000, np.random.default_rng(d))
        assert np.all(np.abs(c) <= 1.0 + 1e-12)
        assert abs(c.mean()) < 4 / math.sqrt(d * 4_000) + 1e-3
        assert c.std() * math.sqrt(d) == pytest.approx(1.0, abs=0.05)
    same = random_cosines(10, 3, np.random.default_rng(7))
    np.testing.assert_array_equal(
        same, random_cosines(10, 3, np.random.default_rng(7))
    )


# --- the int arguments: a bool or a float is not an int ---------------------


def test_cooccurrence_window_must_be_a_positive_int():
    sentences = [["a", "b", "c"]]
    assert cooccurrence(sentences, window=1)[1][0, 2] == 0  # a-c is 2 apart
    for window in (0, True, 1.5):
        with pytest.raises(ValueError, match="window must be a positive int"):
            cooccurrence(sentences, window=window)


def test_svd_vectors_k_from_1_to_the_smaller_side():
    M = np.arange(6.0).reshape(2, 3) ** 2  # rank 2, min(M.shape) = 2
    assert svd_vectors(M, 1).shape == (2, 1)
    assert svd_vectors(M, 2).shape == (2, 2)
    for k in (0, 3, True, 1.0):
        with pytest.raises(ValueError, match=r"k must be an int in \[1, 2\]"):
            svd_vectors(M, k)


def test_one_hot_takes_ints_only():
    np.testing.assert_array_equal(one_hot(0, 1), [1.0])
    np.testing.assert_array_equal(one_hot(np.int64(2), 3), [0.0, 0.0, 1.0])
    for n in (0, True, 2.0):
        with pytest.raises(ValueError, match="n must be a positive int"):
            one_hot(0, n)
    for i in (-1, True, 1.0):
        with pytest.raises(ValueError, match=r"i must be an int in \[0, 2\]"):
            one_hot(i, 3)


def test_random_cosines_from_one_dimension_and_one_pair():
    # In one dimension two nonzero numbers point the same way or not.
    c = random_cosines(1, 50, np.random.default_rng(0))
    np.testing.assert_allclose(np.abs(c), 1.0)
    assert set(np.sign(c)) == {-1.0, 1.0}
    assert random_cosines(3, 1, np.random.default_rng(0)).shape == (1,)
    for name, args in [
        ("d", (True, 5)),
        ("d", (2.0, 5)),
        ("n_pairs", (3, 0)),
        ("n_pairs", (3, True)),
    ]:
        with pytest.raises(ValueError, match=f"{name} must be a positive int"):
            random_cosines(*args, np.random.default_rng(0))

"""Word vectors: similarity by cosine, analogies by arithmetic (lesson L15).

Words used in similar contexts get nearby vectors, and some directions
carry a concept: in the toy vectors below, king - man + woman lands
exactly on queen. The second half learns vectors from text: count which
words occur near which (`cooccurrence`), then keep the strongest
directions of that table (`svd_vectors`). `one_hot` shows that an
embedding lookup is a matrix product, and `random_cosines` that random
directions in many dimensions are nearly orthogonal.
"""

from importlib.resources import files

import numpy as np

from ref._checks import as_array

#: Toy 2-D word vectors: the first axis is "male minus female", the
#: second "royal".
EXAMPLE = {
    "king": np.array([1.0, 2.0]),
    "man": np.array([1.0, 0.0]),
    "woman": np.array([-1.0, 0.0]),
    "queen": np.array([-1.0, 2.0]),
}


def cosine(u, v):
    """`cos(u, v) = u . v / (|u| |v|)`, in `[-1, 1]`."""
    u = as_array("u", u, ndim=1)
    v = as_array("v", v, ndim=1)
    if u.shape != v.shape:
        raise ValueError(
            f"v must have the shape of u, {u.shape}, got {v.shape}"
        )
    norm_u, norm_v = np.linalg.norm(u), np.linalg.norm(v)
    if norm_u == 0 or norm_v == 0:
        raise ValueError("cosine is undefined for a zero vector")
    return float(u @ v / (norm_u * norm_v))


def analogy(a, b, c):
    """a - b + c: "a is to b as ? is to c", e.g. king - man + woman."""
    a = as_array("a", a, ndim=1)
    b = as_array("b", b, ndim=1)
    c = as_array("c", c, ndim=1)
    if not a.shape == b.shape == c.shape:
        raise ValueError(
            f"a, b and c must have the same shape, got {a.shape}, "
            f"{b.shape} and {c.shape}"
        )
    return a - b + c


def nearest(v, vectors, exclude=()):
    """(word, cosine) of the word whose vector has the largest cos(v, .).

    Words in `exclude` are skipped (word2vec skips an analogy's inputs).
    """
    candidates = [w for w in vectors if w not in exclude]
    if not candidates:
        raise ValueError("vectors has no word left after exclude")
    scores = {w: cosine(v, vectors[w]) for w in candidates}
    word = max(scores, key=scores.get)
    return word, scores[word]


def solve_analogy(a, b, c, vectors=EXAMPLE):
    """The word nearest to vec(a) - vec(b) + vec(c), other than a, b, c."""
    for name, word in (("a", a), ("b", b), ("c", c)):
        if word not in vectors:
            raise ValueError(f"{name} = {word!r} is not in vectors")
    v = analogy(vectors[a], vectors[b], vectors[c])
    return nearest(v, vectors, exclude=(a, b, c))


# --- vectors learned from co-occurrence ------------------------------------


def load_corpus():
    """The shipped corpus `ref/data/corpus.txt` as a list of sentences.

    Each sentence is a list of lower-case words. The text was written by
    hand for the lesson: a few hundred words of simple sentences, one per
    line; lines starting with # are comments.
    """
    text = files("ref").joinpath("data/corpus.txt").read_text("utf-8")
    return [
        line.lower().split()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def cooccurrence(sentences, window=2):
    """C[i, j] = number of times word j occurs within `window` of word i.

    Counts stay inside a sentence. Returns (words, C): the sorted
    vocabulary and the symmetric (V, V) count matrix, rows and columns
    in the order of `words`.
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a positive int, got {window!r}")
    sentences = [list(s) for s in sentences]
    words = sorted({w for s in sentences for w in s})
    if not words:
        raise ValueError("sentences must hold at least one word")
    index = {w: i for i, w in enumerate(words)}
    C = np.zeros((len(words), len(words)))
    for s in sentences:
        for i, w in enumerate(s):
            for j in range(max(0, i - window), min(len(s), i + window + 1)):
                if j != i:
                    C[index[w], index[s[j]]] += 1
    return words, C


def svd_vectors(M, k):
    """W = U_k diag(s_k): row i is word i's k-dim vector, M = U diag(s) V^T.

    The k largest singular values keep the best rank-k approximation of
    M (Eckart-Young), so words whose rows of M are alike get nearby rows
    of W.
    """
    M = as_array("M", M, ndim=2)
    if (
        isinstance(k, bool)
        or not isinstance(k, int)
        or not (1 <= k <= min(M.shape))
    ):
        raise ValueError(
            f"k must be an int in [1, {min(M.shape)}] for M of shape "
            f"{M.shape}, got {k!r}"
        )
    U, s, _ = np.linalg.svd(M)
    return U[:, :k] * s[:k]


def one_hot(i, n):
    """e_i: the length-n vector with a one at index i and zeros elsewhere.

    e_i @ W_E is row i of W_E: an embedding lookup is this product.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if (
        isinstance(i, bool)
        or not isinstance(i, (int, np.integer))
        or not (0 <= i < n)
    ):
        raise ValueError(f"i must be an int in [0, {n - 1}], got {i!r}")
    e = np.zeros(n)
    e[i] = 1.0
    return e


# --- random directions -------------------------------------------------------


def random_cosines(d, n_pairs, rng):
    """cos(u, v) for n_pairs pairs of random normal vectors in d dimensions.

    Their mean is zero and their standard deviation `1/sqrt(d)`: in many
    dimensions two random directions are nearly orthogonal.

    ```python
    import numpy as np

    from ref.vectors import random_cosines

    d = 400
    cosines = random_cosines(d, 2_000, np.random.default_rng(0))
    assert abs(cosines.mean()) < 0.005
    assert abs(cosines.std() * np.sqrt(d) - 1) < 0.05
    ```
    """
    for name, value in (("d", d), ("n_pairs", n_pairs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator, got {type(rng).__name__}"
        )
    u = rng.standard_normal((n_pairs, d))
    v = rng.standard_normal((n_pairs, d))
    dots = np.einsum("ij,ij->i", u, v)
    return dots / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))

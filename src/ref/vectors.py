"""Word vectors: similarity by cosine, analogies by arithmetic (lesson L15).

Words used in similar contexts get nearby vectors, and some directions
carry a concept: in the toy vectors below, king - man + woman lands
exactly on queen.
"""

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
    """cos(u, v) = u . v / (|u| |v|), in [-1, 1]."""
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

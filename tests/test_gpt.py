"""Tests for ref/gpt.py: the figures, and shape lists counted one by one."""

import math

import pytest

from ref.gpt import (
    GPT2_SMALL,
    GPT2_XL,
    GPT3,
    lecture_count,
    lecture_to_standard,
    lecture_total,
    param_count,
    standard_count,
)

# --- independent counts from explicit lists of matrix shapes ---------------


def lecture_shapes(L, d, h, V, d_ff):
    """Every weight matrix of the lecture's tally, one shape each."""
    d_head = d // h
    shapes = [(V, d)]
    for _ in range(L):
        for _ in range(h):
            shapes += [(d_head, d)] * 3  # key, query, value of one head
        shapes += [(d, d), (d_ff, d), (d, d_ff)]  # output, up, down
    return shapes + [(d, V)]


def gpt2_state_dict_shapes(L, d, V, T, d_ff):
    """The tensors of a GPT-2 style checkpoint (tied wte, no lm_head)."""
    shapes = [(V, d), (T, d)]  # wte, wpe
    for _ in range(L):
        shapes += [(d,), (d,)]  # ln_1 gain, bias
        shapes += [(d, 3 * d), (3 * d,)]  # c_attn (q, k, v together)
        shapes += [(d, d), (d,)]  # attention c_proj
        shapes += [(d,), (d,)]  # ln_2
        shapes += [(d, d_ff), (d_ff,)]  # mlp c_fc
        shapes += [(d_ff, d), (d,)]  # mlp c_proj
    return shapes + [(d,), (d,)]  # ln_f


def size(shapes):
    return sum(math.prod(s) for s in shapes)


# --- (a) the lecture's figures for GPT-3 -----------------------------------


def test_gpt3_lecture_categories():
    assert {k: w for k, (_, w) in lecture_count(GPT3).items()} == {
        "embedding": 617_558_016,
        "key": 14_495_514_624,
        "query": 14_495_514_624,
        "value": 14_495_514_624,
        "output": 14_495_514_624,
        "up-projection": 57_982_058_496,
        "down-projection": 57_982_058_496,
        "unembedding": 617_558_016,
    }


def test_gpt3_lecture_total():
    assert lecture_total(GPT3) == (27_938, 175_181_291_520)


def test_gpt3_matrix_counts():
    matrices = {k: m for k, (m, _) in lecture_count(GPT3).items()}
    assert matrices["key"] == matrices["query"] == matrices["value"] == 9_216
    assert matrices["output"] == matrices["up-projection"] == 96
    # 3 per-head kinds x 96 layers x 96 heads, 3 per-layer kinds, 2 more.
    assert sum(matrices.values()) == 3 * 96 * 96 + 3 * 96 + 2


@pytest.mark.parametrize("config", [GPT2_SMALL, GPT2_XL, GPT3])
def test_lecture_count_matches_shape_list(config):
    c = config
    shapes = lecture_shapes(
        c["n_layers"],
        c["d_model"],
        c["n_heads"],
        c["vocab"],
        4 * c["d_model"],
    )
    assert lecture_total(config) == (len(shapes), size(shapes))


# --- (b) the standard count ------------------------------------------------


@pytest.mark.parametrize(
    "config, expected",
    [
        (GPT2_SMALL, 124_439_808),
        (GPT2_XL, 1_557_611_200),
        (GPT3, 174_604_259_328),
    ],
)
def test_standard_counts(config, expected):
    assert param_count(config) == expected
    c = config
    shapes = gpt2_state_dict_shapes(
        c["n_layers"],
        c["d_model"],
        c["vocab"],
        c["context"],
        4 * c["d_model"],
    )
    assert size(shapes) == expected


def test_standard_breakdown_reuses_lecture_matrices():
    a, b = lecture_count(GPT3), standard_count(GPT3)
    attn = sum(a[k][1] for k in ("key", "query", "value", "output"))
    mlp = a["up-projection"][1] + a["down-projection"][1]
    assert b["attention weights"] == attn
    assert b["MLP weights"] == mlp
    assert b["token embedding (tied)"] == a["embedding"][1]


# --- from (a) to (b) -------------------------------------------------------


def test_gpt3_lecture_to_standard_lines():
    assert lecture_to_standard(GPT3) == [
        ("add positional embeddings", 25_165_824),
        ("remove unembedding (tied to embedding)", -617_558_016),
        ("add biases", 10_616_832),
        ("add layer norms", 4_743_168),
    ]


@pytest.mark.parametrize("config", [GPT2_SMALL, GPT2_XL, GPT3])
def test_lecture_plus_changes_is_standard(config):
    _, weights = lecture_total(config)
    changes = sum(delta for _, delta in lecture_to_standard(config))
    assert weights + changes == param_count(config)


def test_d_ff_can_be_set():
    config = dict(GPT2_SMALL, d_ff=1_000)
    d, L = 768, 12
    expected = (
        param_count(GPT2_SMALL)
        - L * (2 * d * 4 * d + 4 * d)
        + L * (2 * d * 1_000 + 1_000)
    )
    assert param_count(config) == expected


def test_smallest_config_by_hand():
    # One layer, d_model = 2, one head, vocab 3, context 1, d_ff = 8.
    tiny = {
        "n_layers": 1,
        "d_model": 2,
        "n_heads": 1,
        "vocab": 3,
        "context": 1,
    }
    assert lecture_count(tiny) == {
        "embedding": (1, 6),
        "key": (1, 4),
        "query": (1, 4),
        "value": (1, 4),
        "output": (1, 4),
        "up-projection": (1, 16),
        "down-projection": (1, 16),
        "unembedding": (1, 6),
    }
    # 6 tied embedding + 2 positions + 16 + 8 attention + 32 + 10 MLP
    # + 8 in the two block norms + 4 in the final norm
    assert param_count(tiny) == 86


@pytest.mark.parametrize("config", [GPT2_SMALL, GPT3])
def test_counts_are_ints(config):
    counts = [n for pair in lecture_count(config).values() for n in pair]
    counts += list(standard_count(config).values())
    assert all(type(n) is int for n in counts)


def test_bad_configs():
    with pytest.raises(ValueError, match="divisible"):
        param_count(dict(GPT2_SMALL, n_heads=7))
    with pytest.raises(ValueError, match=r"missing \['context'\]"):
        lecture_count({k: v for k, v in GPT3.items() if k != "context"})
    with pytest.raises(ValueError, match=r"config\['n_layers'\]"):
        param_count(dict(GPT3, n_layers=0))
    with pytest.raises(ValueError, match=r"config\['n_heads'\]"):
        param_count(dict(GPT3, n_heads=True))
    with pytest.raises(ValueError, match=r"config\['d_model'\]"):
        param_count(dict(GPT3, d_model=12_288.0))


# --- (c) arithmetic and memory of one block --------------------------------


def test_layer_flops_against_the_products():
    from ref.gpt import layer_flops

    L, d, h, V, T = 2, 64, 4, 27, 16
    config = {"n_layers": L, "d_model": d, "n_heads": h, "vocab": V,
              "context": T}  # fmt: skip
    # Every matrix product (m, n) @ (n, p) of one block, as (m, n, p).
    d_head = d // h
    projections = [(T, d, d)] * 4
    scores = [(T, d_head, T)] * h + [(T, T, d_head)] * h
    mlp = [(T, d, 4 * d), (T, 4 * d, d)]

    def cost(products):
        return sum(2 * m * n * p for m, n, p in products)

    assert layer_flops(config) == {
        "attention projections": cost(projections),
        "attention scores": cost(scores),
        "MLP": cost(mlp),
    }
    assert layer_flops(config, T=4)["MLP"] == cost(mlp) // 4


def test_gpt3_mlp_dominates_arithmetic_scores_dominate_memory():
    from ref.gpt import layer_activations, layer_flops

    flops, memory = layer_flops(GPT3), layer_activations(GPT3)
    assert flops["MLP"] == 24 * flops["attention scores"]  # 4 d / T
    assert max(flops, key=flops.get) == "MLP"
    assert max(memory, key=memory.get) == "attention scores"
    assert memory["attention scores"] == 96 * 2048 * 2048


def test_layer_activations_against_the_arrays():
    from ref.gpt import layer_activations

    # T = 4 and d = 6 differ, so T d, T / d and 3 / T can not agree.
    d, h, T = 6, 2, 4
    config = {"n_layers": 3, "d_model": d, "n_heads": h, "vocab": 5,
              "context": T}  # fmt: skip
    # The arrays one block keeps, by shape: a score matrix per head, the
    # MLP's hidden layer (d_ff = 4 d wide) and Q, K and V.
    expected = {
        "attention scores": size([(T, T)] * h),
        "MLP hidden": size([(T, 4 * d)]),
        "queries, keys, values": size([(T, d)] * 3),
    }
    assert layer_activations(config) == expected  # 32, 96 and 72
    assert layer_activations(dict(config, d_ff=10), T=3) == {
        "attention scores": 2 * 3 * 3,
        "MLP hidden": 3 * 10,
        "queries, keys, values": 3 * 3 * 6,
    }
    assert all(type(n) is int for n in layer_activations(config).values())

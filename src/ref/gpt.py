"""Counting the parameters of a GPT from its configuration.

Two counts, both exact:

- `lecture_count`: only the weight matrices, the way the 3Blue1Brown
  lecture tallies GPT-3 (its totals are in the example below).
  Key, query and value are counted as one d_head x d_model matrix per
  head per layer; the output matrix (the "value up" maps of all heads,
  stacked) as one d_model x d_model matrix per layer; embedding and
  unembedding separately. No biases, no layer norms, no positions.
- `standard_count`: what the checkpoint holds (as in GPT-2's released
  weights): token embedding tied to the unembedding (stored once),
  learned positional embeddings, a bias on every linear layer, two layer
  norms per block and a final one, each with a gain and a bias.

`lecture_to_standard` lists the changes that lead from one count to
the other. A config is a dict with n_layers, d_model, n_heads, vocab,
context and optionally d_ff (`4 * d_model` if absent).

```python
from ref.gpt import GPT2_SMALL, GPT3, lecture_total, param_count

assert lecture_total(GPT3) == (27_938, 175_181_291_520)  # (matrices, weights)
assert param_count(GPT2_SMALL) == 124_439_808
assert param_count(GPT3) == 174_604_259_328
```
"""

# --- configurations (given figures, not computed) --------------------------

GPT2_SMALL = {
    "n_layers": 12,
    "d_model": 768,
    "n_heads": 12,
    "vocab": 50_257,
    "context": 1_024,
}
GPT2_XL = {
    "n_layers": 48,
    "d_model": 1_600,
    "n_heads": 25,
    "vocab": 50_257,
    "context": 1_024,
}
GPT3 = {
    "n_layers": 96,
    "d_model": 12_288,
    "n_heads": 96,
    "vocab": 50_257,
    "context": 2_048,
}

_KEYS = ("n_layers", "d_model", "n_heads", "vocab", "context")


def _dims(config):
    """(L, d, h, d_head, V, T, d_ff) from a config, checked."""
    missing = [key for key in _KEYS if key not in config]
    if missing:
        raise ValueError(f"config is missing {missing}, got {config!r}")
    dims = {key: config[key] for key in _KEYS}
    dims["d_ff"] = config.get("d_ff", 4 * config["d_model"])
    for key, value in dims.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                f"config[{key!r}] must be a positive int, got {value!r}"
            )
    d, h = dims["d_model"], dims["n_heads"]
    if d % h:
        raise ValueError(
            f"config['d_model'] = {d} must be divisible by "
            f"config['n_heads'] = {h}"
        )
    return (
        dims["n_layers"],
        d,
        h,
        d // h,
        dims["vocab"],
        dims["context"],
        dims["d_ff"],
    )


# --- (a) the lecture's count of weight matrices ----------------------------


def lecture_count(config):
    """{category: (matrices, weights)} for the weight matrices only.

    Per layer: h key, h query and h value matrices of d_head x d_model
    (one per head), one d_model x d_model output matrix, one d_ff x
    d_model up-projection and one d_model x d_ff down-projection. Plus
    one V x d_model embedding and one unembedding.
    """
    L, d, h, d_head, V, _, d_ff = _dims(config)
    per_head = (L * h, L * h * d_head * d)
    return {
        "embedding": (1, V * d),
        "key": per_head,
        "query": per_head,
        "value": per_head,
        "output": (L, L * d * h * d_head),
        "up-projection": (L, L * d_ff * d),
        "down-projection": (L, L * d * d_ff),
        "unembedding": (1, d * V),
    }


def lecture_total(config):
    """(matrices, weights) summed over the categories of `lecture_count`."""
    counts = lecture_count(config).values()
    return sum(m for m, _ in counts), sum(w for _, w in counts)


# --- (b) the standard count ------------------------------------------------


def standard_count(config):
    """{category: parameters} with tied embeddings, biases and layer norms."""
    L, d, h, d_head, V, T, d_ff = _dims(config)
    inner = h * d_head  # = d_model
    return {
        "token embedding (tied)": V * d,
        "positional embedding": T * d,
        "attention weights": L * (3 * d * inner + inner * d),
        "attention biases": L * (3 * inner + d),
        "MLP weights": L * (d * d_ff + d_ff * d),
        "MLP biases": L * (d_ff + d),
        "layer norms": L * 2 * (2 * d),
        "final layer norm": 2 * d,
    }


def param_count(config):
    """Total of `standard_count`: the number of parameters of the model."""
    return sum(standard_count(config).values())


def lecture_to_standard(config):
    """[(change, parameters added)]: lecture total + all = param_count."""
    a = lecture_count(config)
    b = standard_count(config)
    return [
        ("add positional embeddings", b["positional embedding"]),
        ("remove unembedding (tied to embedding)", -a["unembedding"][1]),
        ("add biases", b["attention biases"] + b["MLP biases"]),
        ("add layer norms", b["layer norms"] + b["final layer norm"]),
    ]


# --- (c) where the arithmetic and the memory go -----------------------------


def layer_flops(config, T=None):
    """{part: floating-point operations} of one block on T tokens.

    A product of an (m, n) by an (n, p) matrix costs `2 m n p`
    operations (a multiply and an add each). Per block: the projections
    to Q, K, V and the output, `2 T (4 d**2)`; the scores `Q K^T` and
    their use on V, `2 (2 T**2 d)` over all heads (the causal mask could
    halve it, which is not counted); the MLP, `2 T (2 d d_ff)`. T
    defaults to the config's context. Softmax, layer norms and GELU are
    left out: they are a few operations per number, not per product.
    """
    _, d, _, _, _, context, d_ff = _dims(config)
    T = context if T is None else T
    return {
        "attention projections": 2 * T * 4 * d * d,
        "attention scores": 2 * 2 * T * T * d,
        "MLP": 2 * T * 2 * d * d_ff,
    }


def layer_activations(config, T=None):
    """{part: numbers} one block computes for T tokens (kept for training).

    The score matrices, one T x T per head; the MLP's hidden layer, T x
    d_ff; the queries, keys and values, `3 T d`. T defaults to the
    config's context.
    """
    _, d, h, _, _, context, d_ff = _dims(config)
    T = context if T is None else T
    return {
        "attention scores": h * T * T,
        "MLP hidden": T * d_ff,
        "queries, keys, values": 3 * T * d,
    }

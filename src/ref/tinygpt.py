"""A tiny GPT in NumPy: forward, backward by hand, training, sampling.

logits = layer_norm(blocks(W_E[tokens] + W_P[positions])) W_E^T: token
and learned position embeddings, n_layers pre-LayerNorm blocks of
causal attention and a GELU MLP (`ref.transformer`), a final layer
norm, and the unembedding tied to the token embedding, as in GPT-2.
Everything is float64. The parameters are a dict of arrays; their count
is `ref.gpt.param_count(cfg.as_gpt())`.
"""

import math
from dataclasses import dataclass
from importlib.resources import files

import numpy as np

from ref.layernorm import layer_norm, layer_norm_backward
from ref.losses import log_softmax
from ref.optim import adam
from ref.sampling import sample
from ref.transformer import BLOCK_KEYS, block, block_backward, init_block

# --- configuration and parameters -------------------------------------------


@dataclass(frozen=True)
class GPTConfig:
    """The sizes of a GPT: vocabulary, context, width, heads, layers."""

    vocab_size: int
    context: int
    d_model: int
    n_heads: int
    n_layers: int

    def __post_init__(self):
        for key, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{key} must be an int, got {value!r}")
            if value < 1:
                raise ValueError(f"{key} must be at least 1, got {value}")
        if self.d_model % self.n_heads:
            raise ValueError(
                f"d_model = {self.d_model} must be divisible by n_heads = "
                f"{self.n_heads}"
            )

    @property
    def d_ff(self):
        """The MLP's width, `4 d_model` as in GPT-2 and GPT-3."""
        return 4 * self.d_model

    def as_gpt(self):
        """The same sizes as a config dict for `ref.gpt.param_count`."""
        return {
            "n_layers": self.n_layers,
            "d_model": self.d_model,
            "n_heads": self.n_heads,
            "vocab": self.vocab_size,
            "context": self.context,
        }


def init_params(cfg, rng):
    """{name: array}: embeddings drawn as `init_block` draws its weights."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    d = cfg.d_model
    params = {
        "wte": rng.normal(0.0, 0.02, (cfg.vocab_size, d)),
        "wpe": rng.normal(0.0, 0.02, (cfg.context, d)),
    }
    for i in range(cfg.n_layers):
        p = init_block(d, cfg.d_ff, cfg.n_layers, rng)
        params.update({f"h{i}.{k}": v for k, v in p.items()})
    params["lnf.g"], params["lnf.b"] = np.ones(d), np.zeros(d)
    return params


def param_shapes(cfg):
    """{name: shape} of every parameter array, in the order of init."""
    d = cfg.d_model
    one = {
        k: ((d, cfg.d_ff) if k == "mlp.W1" else
            (cfg.d_ff, d) if k == "mlp.W2" else
            (cfg.d_ff,) if k == "mlp.b1" else
            (d, d) if ".W" in k else (d,))
        for k in BLOCK_KEYS
    }  # fmt: skip
    shapes = {"wte": (cfg.vocab_size, d), "wpe": (cfg.context, d)}
    for i in range(cfg.n_layers):
        shapes.update({f"h{i}.{k}": s for k, s in one.items()})
    shapes["lnf.g"] = shapes["lnf.b"] = (d,)
    return shapes


def _check_tokens(tokens, cfg, name="tokens"):
    tokens = np.asarray(tokens)
    if tokens.ndim != 2 or not np.issubdtype(tokens.dtype, np.integer):
        raise ValueError(
            f"{name} must be a (B, T) array of ints, got "
            f"{tokens.dtype} of shape {tokens.shape}"
        )
    if not 1 <= tokens.shape[1] <= cfg.context:
        raise ValueError(
            f"{name} must have 1 to context = {cfg.context} columns, got "
            f"shape {tokens.shape}"
        )
    if tokens.size and (tokens.min() < 0 or tokens.max() >= cfg.vocab_size):
        raise ValueError(
            f"{name} must be ids in 0..{cfg.vocab_size - 1}, got "
            f"{tokens.min()}..{tokens.max()}"
        )
    return tokens


def _check_params(params, cfg):
    shapes = param_shapes(cfg)
    for key, shape in shapes.items():
        if key not in params:
            raise ValueError(f"params is missing {key!r} of shape {shape}")
        if np.shape(params[key]) != shape:
            raise ValueError(
                f"params[{key!r}] must have shape {shape}, got "
                f"{np.shape(params[key])}"
            )


# --- the pieces that are not a block -----------------------------------------


def embed(wte, wpe, tokens):
    """x[b, t] = wte[tokens[b, t]] + wpe[t]: what each token starts with."""
    T = tokens.shape[1]
    return wte[tokens] + wpe[:T]


def embed_backward(dx, tokens, vocab_size):
    """(dwte, dwpe): row v of dwte sums dx over every place token v sits."""
    d = dx.shape[-1]
    dwte = np.zeros((vocab_size, d))
    np.add.at(dwte, tokens.reshape(-1), dx.reshape(-1, d))
    return dwte, dx.sum(axis=0)


def cross_entropy(logits, targets):
    """L = mean over b, t of -log softmax(logits[b, t])[targets[b, t]].

    Returns (L, dlogits): the gradient is (softmax - one_hot) / (B T).
    """
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=-1, keepdims=True)
    log_p = z - np.log(s)
    n = targets.size
    picked = np.take_along_axis(log_p, targets[..., None], axis=-1)
    dlogits = e / s
    np.put_along_axis(
        dlogits,
        targets[..., None],
        np.take_along_axis(dlogits, targets[..., None], axis=-1) - 1.0,
        axis=-1,
    )
    return float(-picked.sum() / n), dlogits / n


# --- the model ---------------------------------------------------------------


def _block_params(params, i):
    n = len(f"h{i}.")
    return {k[n:]: params[k] for k in params if k.startswith(f"h{i}.")}


def _forward(params, tokens, cfg):
    caches = []
    x = embed(params["wte"], params["wpe"], tokens)
    for i in range(cfg.n_layers):
        x, cache = block(x, _block_params(params, i), cfg.n_heads)
        caches.append(cache)
    xf, c_lnf = layer_norm(x, params["lnf.g"], params["lnf.b"])
    logits = xf @ params["wte"].T
    return logits, (caches, xf, c_lnf)


def forward(params, tokens, cfg):
    """`logits[b, t]`: the scores of the token after `tokens[b, :t + 1]`.

    tokens has shape (B, T), T <= cfg.context; logits (B, T, vocab).
    """
    _check_params(params, cfg)
    tokens = _check_tokens(tokens, cfg)
    return _forward(params, tokens, cfg)[0]


def loss_and_grads(params, tokens, targets, cfg):
    """(L, grads): L = mean cross-entropy over all B T predictions.

    targets[b, t] is the token that follows tokens[b, t]; grads has the
    keys and shapes of params. The backward pass runs the forward's
    steps in reverse, each with its own `*_backward`.
    """
    _check_params(params, cfg)
    tokens = _check_tokens(tokens, cfg)
    targets = _check_tokens(targets, cfg, "targets")
    if targets.shape != tokens.shape:
        raise ValueError(
            f"targets must have the shape of tokens, {tokens.shape}, got "
            f"{targets.shape}"
        )
    logits, (caches, xf, c_lnf) = _forward(params, tokens, cfg)
    loss, dlogits = cross_entropy(logits, targets)
    d = cfg.d_model
    grads = {}
    # logits = xf wte^T: wte gets a gradient here and from the embedding.
    dwte_out = dlogits.reshape(-1, cfg.vocab_size).T @ xf.reshape(-1, d)
    dx, grads["lnf.g"], grads["lnf.b"] = layer_norm_backward(
        dlogits @ params["wte"], c_lnf
    )
    for i in reversed(range(cfg.n_layers)):
        g = block_backward(dx, _block_params(params, i), caches[i])
        dx = g.pop("x")
        grads.update({f"h{i}.{k}": v for k, v in g.items()})
    dwte, grads["wpe"] = embed_backward(dx, tokens, cfg.vocab_size)
    grads["wte"] = dwte + dwte_out
    wpe = np.zeros_like(params["wpe"])
    wpe[: tokens.shape[1]] = grads["wpe"]
    grads["wpe"] = wpe
    return loss, {k: grads[k] for k in params}


# --- data, training and scoring ----------------------------------------------


def get_batch(stream, B, T, rng):
    """(x, y): B windows of T ids at random offsets, y shifted by one."""
    starts = rng.integers(0, len(stream) - T, size=B)
    idx = starts[:, None] + np.arange(T)
    return stream[idx], stream[idx + 1]


def evaluate(params, names, cfg):
    """Mean -log p(next symbol) in nats per character, over whole names.

    Each name is read on its own from its start marker, ".name" ->
    "name.", so the end marker counts as a character: the same
    quantity as `ref.bigram.nll_per_char`. Names must be shorter than
    cfg.context.
    """
    from ref.names import encode

    names = list(names)
    if not names:
        raise ValueError("names must hold at least one name, got none")
    longest = max(len(name) for name in names)
    if longest + 1 > cfg.context:
        raise ValueError(
            f"names must have at most {cfg.context - 1} letters for "
            f"context = {cfg.context}, got one of {longest}"
        )
    total, count = 0.0, 0
    by_length = {}
    for name in names:  # names of one length share a batch: no padding
        by_length.setdefault(len(name), []).append(name)
    for group in by_length.values():
        ids = np.stack([encode([name]) for name in group])  # ".name."
        x, y = ids[:, :-1], ids[:, 1:]
        z = _forward(params, x, cfg)[0]
        log_p = log_softmax(z.reshape(-1, cfg.vocab_size)).reshape(z.shape)
        total -= np.take_along_axis(log_p, y[..., None], axis=-1).sum()
        count += y.size
    return total / count


def train(
    cfg,
    train_names,
    val_names,
    steps,
    rng,
    batch_size=32,
    lr=1e-3,
    eval_every=50,
    patience=None,
    params=None,
):
    """Adam on random windows; keeps the parameters of the best val loss.

    The training names, shuffled as given, make one stream ".a.b.c."
    (`ref.names.encode`); each step takes batch_size random windows of
    cfg.context symbols. Returns (best_params, history). history holds
    "train" (the loss of each step's batch), "eval_steps", "train_eval"
    and "val" (`evaluate` on as many training names as there are
    validation names, and on the validation names, before the first step
    and every eval_every steps: make steps a multiple of it to score the last
    weights) and "best_step". With patience = k, training stops after
    k evaluations without a new best (early stopping).
    """
    from ref.names import encode

    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    stream = encode(train_names)
    train_probe = list(train_names)[: len(val_names)]
    if params is None:
        params = init_params(cfg, rng)
    state = dict.fromkeys(params)
    history = {"train": [], "eval_steps": [], "train_eval": [], "val": []}
    best, best_val, best_step, waited = dict(params), math.inf, 0, 0
    for step in range(steps + 1):
        if step % eval_every == 0:
            val = evaluate(params, val_names, cfg)
            history["eval_steps"].append(step)
            history["train_eval"].append(evaluate(params, train_probe, cfg))
            history["val"].append(val)
            if val < best_val:
                best, best_val, best_step, waited = dict(params), val, step, 0
            else:
                waited += 1
                if patience is not None and waited >= patience:
                    break
        if step == steps:
            break
        x, y = get_batch(stream, batch_size, cfg.context, rng)
        loss, grads = loss_and_grads(params, x, y, cfg)
        history["train"].append(loss)
        for key in params:
            params[key], state[key] = adam(
                params[key], grads[key], state[key], lr=lr
            )
    history = {k: np.array(v) for k, v in history.items()}
    history["best_step"] = best_step
    return best, history


# --- sampling ----------------------------------------------------------------


def generate(params, cfg, rng, T=1.0, max_length=30):
    """A name: from ".", sample each next symbol at temperature T until ".".

    Uses `ref.sampling.sample`; the model sees at most the last
    cfg.context symbols. Returns the ids between the two markers.
    """
    ids = [0]
    while len(ids) <= max_length:
        window = np.array([ids[-cfg.context :]])
        logits = _forward(params, window, cfg)[0][0, -1]
        nxt = sample(logits, T, rng)
        if nxt == 0:
            break
        ids.append(nxt)
    return ids[1:]


# --- the trained checkpoint --------------------------------------------------

#: The run behind the checkpoint `ref/data/tinygpt-names.npz`.
NAMES_CONFIG = GPTConfig(
    vocab_size=27, context=16, d_model=64, n_heads=4, n_layers=2
)
NAMES_RUN = {
    "seed": 0,
    "steps": 2000,
    "batch_size": 32,
    "lr": 3e-3,
    "eval_every": 100,
    "patience": 5,
}
CHECKPOINT = "tinygpt-names.npz"


def train_names_model(steps=None):
    """The checkpoint's run: `NAMES_RUN` on `ref.names.census_split`.

    steps overrides NAMES_RUN["steps"] (the test replays the first few).
    Returns (params, history) as `train`.
    """
    from ref.names import census_split

    train_names, val_names = census_split()
    run = dict(NAMES_RUN)
    if steps is not None:
        run["steps"] = steps
    rng = np.random.default_rng(run.pop("seed"))
    return train(NAMES_CONFIG, train_names, val_names, rng=rng, **run)


def save_checkpoint(path, params, history):
    """Write params (as float32, to halve the file) and history to npz."""
    arrays = {f"param/{k}": v.astype(np.float32) for k, v in params.items()}
    arrays.update({f"history/{k}": np.asarray(v) for k, v in history.items()})
    np.savez_compressed(path, **arrays)


def load_checkpoint(path=None):
    """(params as float64, history) from `save_checkpoint`'s file.

    Without a path, the shipped checkpoint of `train_names_model`.
    """
    if path is None:
        path = files("ref").joinpath("data", CHECKPOINT)
    with np.load(path) as data:
        params = {
            k[6:]: data[k].astype(np.float64)
            for k in data.files
            if k.startswith("param/")
        }
        history = {
            k[8:]: data[k] for k in data.files if k.startswith("history/")
        }
    history["best_step"] = int(history["best_step"])
    return params, history

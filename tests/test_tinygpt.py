"""Tests for ref/tinygpt.py: gradients, causality, PyTorch, the checkpoint."""

import numpy as np
import pytest
from proofs import proof

from ref.gpt import param_count
from ref.gradcheck import numerical_gradient, relative_error
from ref.tinygpt import (
    NAMES_CONFIG,
    NAMES_RUN,
    GPTConfig,
    cross_entropy,
    embed,
    embed_backward,
    evaluate,
    forward,
    generate,
    get_batch,
    init_params,
    load_checkpoint,
    loss_and_grads,
    param_shapes,
    train,
    train_names_model,
)

SMALL = GPTConfig(vocab_size=7, context=5, d_model=8, n_heads=2, n_layers=2)


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(3)
    params = init_params(SMALL, rng)
    # Larger than the 0.02 of init, so every path carries a real gradient.
    params = {k: v + rng.normal(0.0, 0.3, v.shape) for k, v in params.items()}
    tokens = rng.integers(0, SMALL.vocab_size, (3, SMALL.context))
    targets = rng.integers(0, SMALL.vocab_size, (3, SMALL.context))
    return params, tokens, targets


# --- shapes and counts -------------------------------------------------------


def test_shapes_and_count():
    cfg = NAMES_CONFIG
    params = init_params(cfg, np.random.default_rng(0))
    assert {k: v.shape for k, v in params.items()} == param_shapes(cfg)
    assert sum(v.size for v in params.values()) == param_count(cfg.as_gpt())
    assert all(v.dtype == np.float64 for v in params.values())
    tokens = np.zeros((2, 16), dtype=int)
    assert forward(params, tokens, cfg).shape == (2, 16, 27)
    assert forward(params, tokens[:, :3], cfg).shape == (2, 3, 27)


def test_initial_loss_is_near_uniform():
    cfg = NAMES_CONFIG
    params = init_params(cfg, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 27, (2, 8, 16))
    loss, _ = loss_and_grads(params, x, y, cfg)
    assert abs(loss - np.log(27)) < 0.1


def test_errors():
    params = init_params(SMALL, np.random.default_rng(0))
    with pytest.raises(ValueError, match="d_model"):
        GPTConfig(vocab_size=7, context=5, d_model=9, n_heads=2, n_layers=1)
    with pytest.raises(ValueError, match="context"):
        forward(params, np.zeros((1, 6), dtype=int), SMALL)
    with pytest.raises(ValueError, match="ids in 0..6"):
        forward(params, np.full((1, 2), 7), SMALL)
    with pytest.raises(ValueError, match="ints"):
        forward(params, np.zeros((1, 2)), SMALL)
    bad = dict(params, wte=np.zeros((7, 4)))
    with pytest.raises(ValueError, match="wte"):
        forward(bad, np.zeros((1, 2), dtype=int), SMALL)
    with pytest.raises(ValueError, match="targets"):
        loss_and_grads(
            params, np.zeros((1, 2), dtype=int), np.zeros((1, 3), dtype=int),
            SMALL,
        )  # fmt: skip
    with pytest.raises(TypeError, match="rng"):
        init_params(SMALL, 0)


def test_tokens_may_have_one_to_context_columns():
    params = init_params(SMALL, np.random.default_rng(0))
    for T in (1, SMALL.context):
        tokens = np.zeros((2, T), dtype=int)
        assert forward(params, tokens, SMALL).shape == (2, T, 7)
    for T in (0, SMALL.context + 1):
        with pytest.raises(ValueError, match="1 to context = 5 columns"):
            forward(params, np.zeros((2, T), dtype=int), SMALL)


def test_each_end_of_the_id_range_is_checked_on_its_own():
    params = init_params(SMALL, np.random.default_rng(0))
    assert forward(params, [[0, 6]], SMALL).shape == (1, 2, 7)
    # One id out of range is enough, whatever the other ids are: -1
    # would otherwise pick the last row of wte without a word.
    with pytest.raises(ValueError, match=r"ids in 0\.\.6, got -1\.\.0"):
        forward(params, [[-1, 0]], SMALL)
    with pytest.raises(ValueError, match=r"ids in 0\.\.6, got 0\.\.7"):
        forward(params, [[0, 7]], SMALL)


# --- gradients ---------------------------------------------------------------


@pytest.mark.parametrize("key", list(param_shapes(SMALL)))
def test_gradient_of_every_parameter(small, key):
    params, tokens, targets = small
    _, grads = loss_and_grads(params, tokens, targets, SMALL)

    def f(w):  # the loss alone, from forward: independent of the backward
        logits = forward(dict(params, **{key: w}), tokens, SMALL)
        return cross_entropy(logits, targets)[0]

    numeric = numerical_gradient(f, params[key], h=1e-5)
    if key.endswith("attn.bk"):
        # A key bias adds the same number to every score of a query's
        # row, which the softmax ignores: its gradient is exactly zero.
        assert np.abs(grads[key]).max() < 1e-12
        assert np.abs(numeric).max() < 1e-9
        return
    assert relative_error(grads[key], numeric) < 1e-7
    assert np.abs(grads[key]).max() > 1e-6  # a real gradient, not zero


def test_gradient_with_shorter_sequences(small):
    params, tokens, targets = small
    _, grads = loss_and_grads(params, tokens[:, :3], targets[:, :3], SMALL)
    assert np.all(grads["wpe"][3:] == 0)

    def f(w):
        return loss_and_grads(dict(params, wpe=w), tokens[:, :3],
                              targets[:, :3], SMALL)[0]  # fmt: skip

    numeric = numerical_gradient(f, params["wpe"], h=1e-5)
    assert relative_error(grads["wpe"], numeric) < 1e-7


def test_cross_entropy_and_its_gradient():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 3, 5))
    targets = rng.integers(0, 5, (2, 3))
    loss, d = cross_entropy(logits, targets)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -np.mean(np.log(np.take_along_axis(p, targets[..., None], -1)))
    assert loss == pytest.approx(expected, rel=1e-12)
    numeric = numerical_gradient(
        lambda z: cross_entropy(z, targets)[0], logits
    )
    assert relative_error(d, numeric) < 1e-7


def test_embed_and_its_gradient():
    rng = np.random.default_rng(0)
    wte, wpe = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    tokens = np.array([[1, 1, 3], [0, 1, 2]])
    x = embed(wte, wpe, tokens)
    assert np.array_equal(x[1, 2], wte[2] + wpe[2])
    R = rng.normal(size=x.shape)  # the loss sum(R * x) has gradient R
    dwte, dwpe = embed_backward(R, tokens, 4)
    num_te = numerical_gradient(lambda w: np.sum(R * embed(w, wpe, tokens)),
                                wte)  # fmt: skip
    num_pe = numerical_gradient(lambda w: np.sum(R * embed(wte, w, tokens)),
                                wpe)  # fmt: skip
    assert relative_error(dwte, num_te) < 1e-7
    assert relative_error(dwpe, num_pe[:3]) < 1e-7


# --- causality ---------------------------------------------------------------


def test_changing_token_t_never_changes_earlier_logits(small):
    params, tokens, _ = small
    base = forward(params, tokens, SMALL)
    for t in range(SMALL.context):
        changed = tokens.copy()
        changed[:, t] = (changed[:, t] + 1) % SMALL.vocab_size
        logits = forward(params, changed, SMALL)
        assert np.array_equal(logits[:, :t], base[:, :t])
        assert not np.allclose(logits[:, t], base[:, t])


# --- the same model in PyTorch -----------------------------------------------


def torch_model(params, tokens, cfg):
    """The tiny GPT written with torch.nn.functional, float64."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    tok = torch.tensor(tokens)
    B, T = tokens.shape
    d, h = cfg.d_model, cfg.n_heads
    x = P["wte"][tok] + P["wpe"][:T]
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    for i in range(cfg.n_layers):
        p = {k[len(f"h{i}.") :]: v for k, v in P.items()
             if k.startswith(f"h{i}.")}  # fmt: skip
        n = F.layer_norm(x, (d,), p["ln1.g"], p["ln1.b"], eps=1e-5)

        def split(M):
            return M.view(B, T, h, d // h).transpose(1, 2)

        q = split(n @ p["attn.Wq"] + p["attn.bq"])
        k = split(n @ p["attn.Wk"] + p["attn.bk"])
        v = split(n @ p["attn.Wv"] + p["attn.bv"])
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        a = a.transpose(1, 2).reshape(B, T, d)
        x = x + a @ p["attn.Wo"] + p["attn.bo"]
        n = F.layer_norm(x, (d,), p["ln2.g"], p["ln2.b"], eps=1e-5)
        m = F.gelu(n @ p["mlp.W1"] + p["mlp.b1"], approximate="tanh")
        x = x + m @ p["mlp.W2"] + p["mlp.b2"]
    x = F.layer_norm(x, (d,), P["lnf.g"], P["lnf.b"], eps=1e-5)
    return P, x @ P["wte"].T


def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    cfg = NAMES_CONFIG
    rng = np.random.default_rng(5)
    params = {k: v + rng.normal(0.0, 0.1, v.shape)
              for k, v in init_params(cfg, rng).items()}  # fmt: skip
    tokens = rng.integers(0, 27, (4, 16))
    targets = rng.integers(0, 27, (4, 16))
    P, logits_t = torch_model(params, tokens, cfg)
    loss_t = torch.nn.functional.cross_entropy(
        logits_t.reshape(-1, 27), torch.tensor(targets).reshape(-1)
    )
    loss_t.backward()
    logits = forward(params, tokens, cfg)
    loss, grads = loss_and_grads(params, tokens, targets, cfg)
    assert np.abs(logits - logits_t.detach().numpy()).max() < 1e-10
    assert abs(loss - loss_t.item()) < 1e-10
    for key, g in grads.items():
        assert np.abs(g - P[key].grad.numpy()).max() < 1e-10, key


# --- training, scoring, sampling ---------------------------------------------


LETTERS = GPTConfig(vocab_size=27, context=8, d_model=8, n_heads=2,
                    n_layers=1)  # fmt: skip


def test_training_lowers_the_loss_and_keeps_the_best():
    rng = np.random.default_rng(0)
    names = ["abc", "abcd", "bcd", "cde", "abcde"] * 10
    best, history = train(LETTERS, names, names[:5], steps=60, rng=rng,
                          batch_size=8, lr=1e-2, eval_every=20)  # fmt: skip
    assert history["val"][-1] < history["val"][0] - 1.0
    assert len(history["train"]) == 60
    assert list(history["eval_steps"]) == [0, 20, 40, 60]
    i = int(np.argmin(history["val"]))
    assert history["best_step"] == history["eval_steps"][i]
    assert evaluate(best, names[:5], LETTERS) == pytest.approx(
        history["val"][i]
    )


def test_train_takes_zero_steps_and_rejects_fewer():
    rng = np.random.default_rng(0)
    names = ["abc", "bcd"] * 5
    best, history = train(LETTERS, names, names[:2], steps=0, rng=rng)
    assert len(history["train"]) == 0
    assert list(history["eval_steps"]) == [0]
    assert history["best_step"] == 0
    for steps in (-1, 2.0, True):
        with pytest.raises(ValueError, match="steps must be an int >= 0"):
            train(LETTERS, names, names[:2], steps=steps, rng=rng)


def test_embeddings_start_small_and_centred():
    """wte and wpe are drawn from N(0, 0.02^2), as GPT-2 draws them."""
    cfg = GPTConfig(vocab_size=27, context=16, d_model=64, n_heads=4,
                    n_layers=1)  # fmt: skip
    params = init_params(cfg, np.random.default_rng(0))
    for key in ("wte", "wpe"):
        w = params[key]
        # the mean of n draws has standard error 0.02 / sqrt(n)
        assert abs(w.mean()) < 4 * 0.02 / np.sqrt(w.size), key
        assert w.std() == pytest.approx(0.02, rel=0.1), key


def test_cross_entropy_does_not_overflow_on_huge_logits():
    # softmax([1000, 0, -1000]) is (1, e^-1000, e^-2000) to float64, so
    # the loss of target 0 is 0, of target 1 it is 1000, and the
    # gradient is p - one_hot, over the B T = 2 positions
    logits = np.array([[[1000.0, 0.0, -1000.0], [1000.0, 0.0, -1000.0]]])
    loss, dlogits = cross_entropy(logits, np.array([[0, 1]]))
    assert loss == pytest.approx((0.0 + 1000.0) / 2)
    expected = np.array([[[0.0, 0.0, 0.0], [1.0, -1.0, 0.0]]]) / 2
    np.testing.assert_allclose(dlogits, expected, atol=1e-300)


def test_early_stopping_stops():
    rng = np.random.default_rng(0)
    names = ["abc", "bcd"] * 20
    _, history = train(LETTERS, names, ["zzzzzzz"], steps=200, rng=rng,
                       batch_size=4, lr=3e-2, eval_every=10,
                       patience=2)  # fmt: skip
    assert len(history["train"]) < 200
    assert history["best_step"] == history["eval_steps"][-3]


def test_evaluate_scores_each_name_from_its_start():
    from ref.names import encode

    params = init_params(LETTERS, np.random.default_rng(0))
    params = {k: v + 0.3 for k, v in params.items()}
    names = ["ab", "zoe", "x"]
    logs = []
    for name in names:
        ids = encode([name])  # ".name."
        z = forward(params, ids[None, :-1], LETTERS)[0]
        p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
        logs += list(np.log(p[np.arange(len(ids) - 1), ids[1:]]))
    assert len(logs) == 3 + 4 + 2
    assert evaluate(params, names, LETTERS) == pytest.approx(-np.mean(logs))
    with pytest.raises(ValueError, match="at most 7 letters"):
        evaluate(params, ["abcdefgh"], LETTERS)


def test_evaluate_checks_the_longest_name():
    params = init_params(LETTERS, np.random.default_rng(0))
    # context 8: ".abcdefg" fills it, so 7 letters is the most.
    assert np.isfinite(evaluate(params, ["a", "abcdefg"], LETTERS))
    with pytest.raises(ValueError, match="at most 7 letters.* of 8"):
        evaluate(params, ["a", "abcdefgh", "ab"], LETTERS)


def test_evaluate_survives_logits_beyond_the_range_of_exp():
    # With lnf.g = 0 the final norm outputs lnf.b whatever the input, so
    # every position has the logits lnf.b @ wte^T: 1000 for "." and 0
    # for each letter. exp(1000) overflows, so only a softmax that
    # subtracts the largest logit first gets -log p = 0 for "." and
    # 1000 + log(1 + 26 e^-1000) = 1000 (in float64) for a letter.
    params = init_params(LETTERS, np.random.default_rng(0))
    params["lnf.g"], params["lnf.b"] = np.zeros(8), 1000.0 * np.eye(8)[0]
    params["wte"][:, 0] = 0.0
    params["wte"][0, 0] = 1.0
    assert forward(params, [[0, 1]], LETTERS)[0, 1, :3].tolist() == [
        1000.0, 0.0, 0.0,
    ]  # fmt: skip
    # ".ab." and ".c.": 3 letters at 1000 nats, 2 end markers at 0
    assert evaluate(params, ["ab", "c"], LETTERS) == 3 * 1000.0 / 5


NAMES = ["abc", "bcd"] * 5
RUN = {"steps": 100, "batch_size": 2, "eval_every": 5, "patience": 2}


def test_a_tie_is_not_a_new_best():
    # All-zero weights predict the uniform distribution, and every
    # gradient is exactly zero (each one passes through a zero matrix),
    # so Adam leaves them as they are: every evaluation ties the first.
    zero = {k: np.zeros(s) for k, s in param_shapes(LETTERS).items()}
    rng = np.random.default_rng(0)
    best, history = train(LETTERS, NAMES, ["ab"], rng=rng, **RUN,
                          params=dict(zero))  # fmt: skip
    assert history["val"] == pytest.approx([np.log(27)] * 3)
    # Step 0 stays the best; the two ties after it use up the patience.
    assert history["best_step"] == 0
    assert list(history["eval_steps"]) == [0, 5, 10]
    assert len(history["train"]) == 10
    assert all(np.array_equal(best[k], zero[k]) for k in zero)


def test_a_score_that_is_never_finite_is_never_a_best():
    # Weights that are NaN (a diverged run) score NaN, which is not below
    # any best: the start stays the best and patience = 2 stops the run
    # at the second evaluation, as it would after two evaluations that
    # did not improve.
    nan = {k: np.full(s, np.nan) for k, s in param_shapes(LETTERS).items()}
    rng = np.random.default_rng(0)
    _, history = train(LETTERS, NAMES, ["ab"], rng=rng, **RUN, params=nan)
    assert np.all(np.isnan(history["val"]))
    assert list(history["eval_steps"]) == [0, 5]
    assert history["best_step"] == 0
    assert len(history["train"]) == 5


def test_get_batch_shifts_targets_by_one():
    stream = np.arange(100)
    x, y = get_batch(stream, 4, 5, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 5)
    assert np.array_equal(y, x + 1)


def test_generate_is_reproducible_and_ends():
    params = init_params(SMALL, np.random.default_rng(0))
    a = generate(params, SMALL, np.random.default_rng(2), T=1.0)
    b = generate(params, SMALL, np.random.default_rng(2), T=1.0)
    assert a == b
    assert 0 not in a and len(a) <= 30


# Two +-1 patterns of mean 0 and variance 1, orthogonal to each other: a
# layer norm leaves them as they are (up to its eps), and the product of
# the two, element by element, turns one into the other.
U = np.array([1.0, -1.0] * 4)
W = np.array([1.0, 1.0, -1.0, -1.0] * 2)


def certain_model(g, b):
    """SMALL with logits (g * layer_norm(wte[token]) + b) @ wte^T.

    wte has U for "." (id 0), W for "a" (id 1) and zeros for the rest;
    the blocks add nothing (zero output weights) and wpe is zero.
    """
    params = init_params(SMALL, np.random.default_rng(0))
    for key in params:
        if key == "wpe" or key.endswith((".Wo", ".bo", ".W2", ".b2")):
            params[key] = np.zeros_like(params[key])
    params["wte"] = np.zeros((SMALL.vocab_size, SMALL.d_model))
    params["wte"][0], params["wte"][1] = U, W
    params["lnf.g"], params["lnf.b"] = g, b
    return params


def test_generate_reads_the_model_from_the_start_marker():
    # g = 100 U W maps "." to 100 W and "a" to 100 U: the logits are 800
    # for "a" after "." and 800 for "." after "a", 0 for the rest, so the
    # model spells "a" with certainty (e^-800 is 0 in float64).
    params = certain_model(100.0 * U * W, np.zeros(8))
    logits = forward(params, [[0, 1]], SMALL)[0]
    assert logits.argmax(axis=-1).tolist() == [1, 0]
    assert logits.max() == pytest.approx(800.0, rel=1e-5)
    for seed in range(3):
        assert generate(params, SMALL, np.random.default_rng(seed)) == [1]


def test_generate_stops_at_max_length():
    # b = 100 W: "a" is certain after every symbol, "." never comes.
    params = certain_model(np.zeros(8), 100.0 * W)
    rng = np.random.default_rng(0)
    assert generate(params, SMALL, rng, max_length=3) == [1, 1, 1]
    # past the context of 5 symbols the window slides along: no error
    assert generate(params, SMALL, rng, max_length=12) == [1] * 12
    assert generate(params, SMALL, rng, max_length=0) == []


def test_generate_stops_at_the_end_marker():
    # b = 100 U: "." is certain at once, so the name is empty.
    params = certain_model(np.zeros(8), 100.0 * U)
    assert generate(params, SMALL, np.random.default_rng(0)) == []


# --- the shipped checkpoint comes from this code -----------------------------

REPLAY = 20


def test_checkpoint_replays_from_its_seed():
    """Retraining from the seed gives the checkpoint's first steps exactly."""
    params, history = load_checkpoint()
    assert {k: v.shape for k, v in params.items()} == param_shapes(
        NAMES_CONFIG
    )
    _, replay = train_names_model(steps=REPLAY)
    np.testing.assert_allclose(
        replay["train"], history["train"][:REPLAY], rtol=1e-12, atol=0
    )
    assert replay["val"][0] == pytest.approx(history["val"][0], rel=1e-12)


def test_checkpoint_history_is_consistent():
    params, history = load_checkpoint()
    i = int(np.argmin(history["val"]))
    assert history["best_step"] == history["eval_steps"][i]
    assert len(history["train"]) <= NAMES_RUN["steps"]
    # The float32 weights score what the float64 ones did, to 1e-5.
    from ref.names import census_split

    val = census_split()[1]
    assert evaluate(params, val, NAMES_CONFIG) == pytest.approx(
        history["val"][i], abs=1e-5
    )


def test_checkpoint_beats_the_bigram_model():
    from ref.bigram import count_matrix, nll_per_char, probabilities
    from ref.names import census_split

    train_names, val_names = census_split()
    params, _ = load_checkpoint()
    P = probabilities(count_matrix(train_names), smoothing=1)
    gpt = evaluate(params, val_names, NAMES_CONFIG)
    assert gpt <= 2.0
    assert gpt < nll_per_char(P, val_names) - 0.3


@pytest.mark.slow
def test_checkpoint_full_retrain():
    """The whole run again (about a minute): the same best weights.

    Once passed, it is skipped until src/ref, this file or a library
    version changes (tests/proofs.py); CI always runs it.
    """
    proven = proof("tinygpt-retrain", "tests/test_tinygpt.py")
    params, history = load_checkpoint()
    best, replay = train_names_model()
    assert replay["best_step"] == history["best_step"]
    np.testing.assert_allclose(replay["val"], history["val"], rtol=1e-9)
    for key, value in best.items():
        np.testing.assert_allclose(value.astype(np.float32), params[key])
    proven.passed()

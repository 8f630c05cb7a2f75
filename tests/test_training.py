import numpy as np
import pytest

from ref.backprop import cost, gradients, init_normal, predict
from ref.neuron import TRUTH_TABLE_INPUTS as X
from ref.training import (
    XOR_SEED,
    XOR_TARGETS,
    compare_batch_sizes,
    count_stuck,
    is_stuck,
    train,
    train_and,
    train_minibatch,
    train_neuron,
    train_xor,
    xor_initial_params,
    xor_long_run,
    xor_outputs_for_seeds,
)

# --- AND (L9) ----------------------------------------------------------------


def test_trained_and_from_the_site():
    w, b, losses = train_and()
    assert [f"{w[0]:.2f}", f"{w[1]:.2f}", f"{b:.2f}"] == [
        "5.14",
        "5.14",
        "-7.81",
    ]
    assert len(losses) == 301
    assert losses[0] == pytest.approx(0.25)  # a = 0.5 everywhere at w = 0
    assert np.all(np.diff(losses) < 0)


def test_neuron_update_is_the_mean_gradient_of_the_squared_error():
    """One epoch by hand: w <- w - eta mean(2 (a - y) a (1 - a) x)."""
    y = np.array([0.0, 1.0, 1.0, 1.0])  # OR
    w, b, _ = train_neuron(X, y, eta=0.5, epochs=1)
    delta = 2 * (0.5 - y) * 0.25  # a = 0.5, sigma'(0) = 0.25
    np.testing.assert_allclose(w, -0.5 * (delta @ X) / 4)
    assert b == pytest.approx(-0.5 * delta.mean())


# --- XOR (L10) ---------------------------------------------------------------


def test_trained_xor_from_the_site():
    params, losses = train_xor()
    outputs = predict(params, X)[:, 0]
    assert [f"{a:.3f}" for a in outputs] == [
        "0.020",
        "0.977",
        "0.981",
        "0.018",
    ]
    assert losses.shape == (1501,) and losses[-1] < 0.01 * losses[0]
    assert cost(params, X, XOR_TARGETS) == losses[-1]


def test_xor_initial_params_are_fixed_by_the_seed():
    a, b = xor_initial_params(XOR_SEED), xor_initial_params(XOR_SEED)
    assert [W.shape for W, _ in a] == [(2, 2), (1, 2)]
    for (W, c), (V, d) in zip(a, b, strict=True):
        np.testing.assert_array_equal(W, V)
        np.testing.assert_array_equal(c, d)
    other = xor_initial_params(XOR_SEED + 1)
    assert not np.array_equal(a[0][0], other[0][0])


@pytest.fixture(scope="module")
def outputs_100():
    return xor_outputs_for_seeds(range(100))


def test_stuck_count(outputs_100):
    assert outputs_100.shape == (100, 4)
    assert count_stuck(range(100)) == 20
    assert np.sum(is_stuck(outputs_100)) == 20


def test_stuck_is_a_clear_split(outputs_100):
    errors = np.max(np.abs(outputs_100 - XOR_TARGETS[:, 0]), axis=1)
    learned, stuck = errors[errors < 0.25], errors[errors > 0.25]
    assert learned.max() < 0.06 and stuck.min() > 0.5
    for tol in (0.1, 0.25, 0.45):
        assert np.sum(is_stuck(outputs_100, tol=tol)) == 20
    wrong_side = (outputs_100 > 0.5) != (XOR_TARGETS[:, 0] > 0.5)
    assert np.sum(np.any(wrong_side, axis=1)) == 20


def test_seeds_trained_together_match_one_at_a_time():
    together = xor_outputs_for_seeds([0, XOR_SEED], epochs=50)
    for row, seed in zip(together, [0, XOR_SEED], strict=True):
        params, _ = train_xor(seed, epochs=50)
        np.testing.assert_allclose(row, predict(params, X)[:, 0], rtol=1e-12)


# --- a stuck run, trained much longer (L10) ----------------------------------


def _norm(arrays):
    return np.sqrt(sum(np.sum(a**2) for a in arrays))


def test_long_run_is_the_same_descent_as_train():
    """The scalar loop matches `train` and `gradients` step for step."""
    checkpoints = (0, 1, 7, 60)
    for seed in (0, XOR_SEED):
        rows, last = xor_long_run(seed, eta=5.0, checkpoints=checkpoints)
        assert rows.shape == (4, 3)
        for (C, grad_norm, weight_norm), k in zip(
            rows, checkpoints, strict=True
        ):
            params, losses = train_xor(seed, eta=5.0, epochs=k)
            C_ref, grads = gradients(params, X, XOR_TARGETS)
            assert C == pytest.approx(C_ref, rel=1e-12)
            assert C == pytest.approx(losses[-1], rel=1e-12)
            flat_grads = [g for layer in grads for g in layer]
            assert grad_norm == pytest.approx(_norm(flat_grads), rel=1e-9)
            flat = [p for layer in params for p in layer]
            assert weight_norm == pytest.approx(_norm(flat), rel=1e-12)
        for (W, b), (V, c) in zip(last, params, strict=True):
            np.testing.assert_allclose(W, V, rtol=1e-12)
            np.testing.assert_allclose(b, c, rtol=1e-12)


def test_a_stuck_run_slides_down_a_valley_to_one_eighth():
    """Seed 0: loss falls towards 1/8, gradient shrinks, weights grow."""
    rows, params = xor_long_run(0, checkpoints=(1_000, 3_000, 10_000))
    loss, grad_norm, weight_norm = rows.T
    assert np.all(np.diff(loss) < 0) and np.all(loss > 0.125)
    assert loss[-1] - 0.125 < 1e-4
    assert np.all(np.diff(grad_norm) < 0) and grad_norm[-1] < 1e-4
    assert np.all(np.diff(weight_norm) > 1.0)  # no sign of levelling off
    hidden = 1 / (1 + np.exp(-(X @ params[0][0].T + params[0][1])))
    np.testing.assert_allclose(hidden[1], hidden[3], atol=1e-3)  # merged
    assert np.max(np.abs(predict(params, X)[:, 0] - [0, 0.5, 1, 0.5])) < 0.01


def test_long_run_rejects_bad_checkpoints():
    for bad in [(), (10, 5), (5, 5), (-1,), (2.5,)]:
        with pytest.raises(ValueError, match="checkpoints must be"):
            xor_long_run(0, checkpoints=bad)
    with pytest.raises(ValueError, match="eta must be a positive number"):
        xor_long_run(0, eta=0.0, checkpoints=(1,))


# --- batch, stochastic, mini-batch (L11) -------------------------------------


def test_full_batch_minibatch_is_plain_gradient_descent():
    start = xor_initial_params()
    _, expected = train(start, X, XOR_TARGETS, 5.0, 50)
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        _, losses, steps = train_minibatch(
            start, X, XOR_TARGETS, 5.0, 50, 4, rng
        )
        np.testing.assert_allclose(losses, expected, rtol=1e-12)
        assert steps == 50


def test_one_sgd_step_uses_one_example():
    start = xor_initial_params()
    order = np.random.default_rng(7).permutation(4)
    params, _, steps = train_minibatch(
        start, X, XOR_TARGETS, 0.5, 1, 1, np.random.default_rng(7)
    )
    expected = start
    for i in order:
        _, grads = gradients(expected, X[[i]], XOR_TARGETS[[i]])
        expected = [
            (W - 0.5 * dW, b - 0.5 * db)
            for (W, b), (dW, db) in zip(expected, grads, strict=True)
        ]
    assert steps == 4
    for (W, b), (V, c) in zip(params, expected, strict=True):
        np.testing.assert_allclose(W, V)
        np.testing.assert_allclose(b, c)


def test_three_way_comparison():
    results = compare_batch_sizes(epochs=300)
    assert {k: steps for k, (_, steps) in results.items()} == {
        4: 300,
        2: 600,
        1: 1200,
    }
    final = {k: losses[-1] for k, (losses, _) in results.items()}
    assert all(len(losses) == 301 for losses, _ in results.values())
    assert final[4] == pytest.approx(0.005429, rel=1e-3)
    assert final[2] == pytest.approx(0.001541, rel=1e-3)
    assert final[1] > 0.15  # at eta = 5, SGD lumps three inputs together


def test_shuffling_depends_only_on_the_seed():
    runs = [compare_batch_sizes((1,), epochs=5, shuffle=s) for s in (0, 0, 1)]
    np.testing.assert_array_equal(runs[0][1][0], runs[1][1][0])
    assert not np.array_equal(runs[0][1][0], runs[2][1][0])


def test_zero_epochs_change_nothing():
    start = xor_initial_params()
    params, losses = train(start, X, XOR_TARGETS, 5.0, 0)
    assert losses.tolist() == [cost(start, X, XOR_TARGETS)]
    for (W, b), (V, c) in zip(params, start, strict=True):
        np.testing.assert_array_equal(W, V)
        np.testing.assert_array_equal(b, c)


def test_stuck_means_more_than_tol_away():
    targets = XOR_TARGETS[:, 0]
    assert not is_stuck(targets + [0.25, -0.25, 0.0, 0.0], tol=0.25)
    assert is_stuck(targets + [0.0, 0.0, -0.26, 0.0], tol=0.25)


def test_invalid_arguments():
    start = xor_initial_params()
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"batch_size must be .*\[1, 4\]"):
        train_minibatch(start, X, XOR_TARGETS, 1.0, 1, 5, rng)
    with pytest.raises(ValueError, match=r"batch_size must be .*\[1, 4\]"):
        train_minibatch(start, X, XOR_TARGETS, 1.0, 1, 0, rng)
    with pytest.raises(ValueError, match="epochs must be an integer >= 0"):
        train(start, X, XOR_TARGETS, 1.0, -1)
    with pytest.raises(ValueError, match="eta must be a positive number"):
        train(start, X, XOR_TARGETS, 0.0, 1)
    with pytest.raises(ValueError, match="y must have 1 dimension"):
        train_neuron(X, XOR_TARGETS, 1.0, 1)


# --- the same network in PyTorch (L12) ---------------------------------------


@pytest.mark.slow
def test_pytorch_trains_the_same_network_to_1e_6():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    params = xor_initial_params()
    model = nn.Sequential(
        nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()
    ).double()
    with torch.no_grad():
        for linear, (W, b) in zip(model[::2], params, strict=True):
            linear.weight.copy_(torch.tensor(W))
            linear.bias.copy_(torch.tensor(b))
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
    inputs, targets = torch.tensor(X), torch.tensor(XOR_TARGETS)
    torch_losses = []
    for _ in range(1500):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        torch_losses.append(loss.item())
        loss.backward()
        optimizer.step()
    ours, losses = train_xor()
    np.testing.assert_allclose(losses[:-1], torch_losses, atol=1e-6)
    with torch.no_grad():
        theirs = model(inputs).numpy()
    np.testing.assert_allclose(predict(ours, X), theirs, atol=1e-6)
    for linear, (W, b) in zip(model[::2], ours, strict=True):
        np.testing.assert_allclose(
            W, linear.weight.detach().numpy(), atol=1e-6
        )
        np.testing.assert_allclose(b, linear.bias.detach().numpy(), atol=1e-6)


def test_init_normal_is_what_the_xor_net_uses():
    rng = np.random.default_rng(XOR_SEED)
    for (W, b), (V, c) in zip(
        xor_initial_params(), init_normal((2, 2, 1), rng), strict=True
    ):
        np.testing.assert_array_equal(W, V)
        np.testing.assert_array_equal(b, c)

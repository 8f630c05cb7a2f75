import numpy as np
import pytest

from ref.gradcheck import numerical_gradient
from ref.optim import (
    adam,
    adamw,
    compare,
    decoupled_decay,
    rosenbrock,
    rosenbrock_grad,
    run,
    sgd_momentum,
    sgdw,
)

# --- hand-computed steps -----------------------------------------------------


def test_sgd_momentum_two_steps_by_hand():
    w1, state = sgd_momentum(1.0, 0.5, None, lr=0.1, momentum=0.9)
    assert w1 == pytest.approx(0.95)  # v = 0.5
    w2, state = sgd_momentum(w1, -0.2, state, lr=0.1, momentum=0.9)
    assert state["v"] == pytest.approx(0.25)  # 0.9 * 0.5 - 0.2
    assert w2 == pytest.approx(0.925)


def test_adam_two_steps_by_hand():
    w1, s = adam(1.0, 0.5, None, lr=0.1)
    # m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25
    assert s["t"] == 1 and s["m"] == pytest.approx(0.05)
    assert w1 == pytest.approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)
    w2, s = adam(w1, -0.2, s, lr=0.1)
    m, v = 0.9 * 0.05 + 0.1 * -0.2, 0.999 * 0.00025 + 0.001 * 0.04
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    assert w2 == pytest.approx(w1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8))


def test_adam_weight_decay_adds_lambda_w_to_the_gradient():
    w1, s = adam(2.0, 0.5, None, lr=0.1, weight_decay=0.1)
    assert s["m"] == pytest.approx(0.1 * 0.7)  # g = 0.5 + 0.1 * 2.0
    w2, s = adam(w1, -0.2, s, lr=0.1, weight_decay=0.1)
    g = -0.2 + 0.1 * w1
    m, v = 0.9 * 0.07 + 0.1 * g, 0.999 * 0.001 * 0.7**2 + 0.001 * g**2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    assert w2 == pytest.approx(w1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8))


def test_sgd_weight_decay_adds_lambda_w_to_the_gradient():
    w1, s = sgd_momentum(2.0, 0.5, None, lr=0.1, weight_decay=0.1)
    assert s["v"] == pytest.approx(0.7)  # g = 0.5 + 0.1 * 2.0
    assert w1 == pytest.approx(2.0 - 0.1 * 0.7)


def test_adamw_first_step_by_hand():
    w1, _ = adamw(2.0, 0.5, None, lr=0.1)  # weight_decay = 0.01
    decayed = 2.0 * (1 - 0.1 * 0.01)  # w (1 - lr lambda) first
    assert w1 == pytest.approx(decayed - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-15)


def test_steps_are_pure():
    param, grad = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    _, state = adam(param, grad, None)
    saved = {k: np.copy(v) for k, v in state.items()}
    new_param, new_state = adamw(param, grad, state)
    assert param.tolist() == [1.0, -2.0] and grad.tolist() == [0.5, 0.5]
    for k, v in saved.items():
        np.testing.assert_array_equal(state[k], v)
    assert new_state is not state and new_state["t"] == 2


# --- what the decoupling changes ---------------------------------------------


def test_adamw_without_decay_is_adam():
    grads = [np.array([0.3, -1.0]), np.array([0.1, 0.4]), np.array([2.0, 0.0])]
    w_a = w_b = np.array([1.0, 1.0])
    s_a = s_b = None
    for g in grads:
        w_a, s_a = adam(w_a, g, s_a, lr=0.01)
        w_b, s_b = adamw(w_b, g, s_b, lr=0.01, weight_decay=0.0)
    np.testing.assert_array_equal(w_a, w_b)


def test_adams_l2_is_divided_away_adamws_decay_is_not():
    """With no loss gradient, only the decay term moves w."""
    zero = np.zeros(1)

    def final(step, weight_decay):
        w, state = np.array([1.0]), None
        for _ in range(100):
            w, state = step(w, zero, state, lr=1e-3, weight_decay=weight_decay)
        return w[0]

    # Adam: g = lambda w is normalised, so the step is ~ lr whatever lambda
    assert 1 - final(adam, 1e-4) == pytest.approx(100 * 1e-3, rel=0.02)
    assert final(adam, 1e-4) == pytest.approx(final(adam, 1e-1), rel=1e-4)
    # AdamW: w shrinks by the factor (1 - lr lambda) per step, exactly
    assert final(adamw, 1e-1) == pytest.approx((1 - 1e-4) ** 100, rel=1e-12)
    assert final(adamw, 1e-4) == pytest.approx((1 - 1e-7) ** 100, rel=1e-12)


def decoupled_then(step, w, grads, lam, **hyper):
    """w after shrinking by (1 - lr lam), then a step, for each g."""
    state = None
    for g in grads:
        w = decoupled_decay(w, hyper["lr"], lam)
        w, state = step(w, g, state, **hyper)
    return w


def l2_inside(step, w, grads, lam, **hyper):
    """w after steps whose gradient includes lam w (the L2 penalty)."""
    state = None
    for g in grads:
        w, state = step(w, g, state, weight_decay=lam, **hyper)
    return w


def test_decoupled_decay_is_l2_only_for_plain_sgd():
    w0 = np.array([1.0, -2.0])
    grads = [np.array([0.3, -1.0]), np.array([0.1, 0.4]), np.array([2.0, 0])]
    sgd = {"lr": 0.1, "momentum": 0.0}
    np.testing.assert_allclose(
        decoupled_then(sgd_momentum, w0, grads, 0.5, **sgd),
        l2_inside(sgd_momentum, w0, grads, 0.5, **sgd),
        rtol=1e-14,
    )
    mom = {"lr": 0.1, "momentum": 0.9}
    gap = decoupled_then(sgd_momentum, w0, grads, 0.5, **mom) - l2_inside(
        sgd_momentum, w0, grads, 0.5, **mom
    )
    assert np.all(np.abs(gap) > 1e-3)
    gap = decoupled_then(adam, w0, grads, 0.5, lr=0.1) - l2_inside(
        adam, w0, grads, 0.5, lr=0.1
    )
    assert np.all(np.abs(gap) > 1e-3)


def test_sgdw_is_decay_then_momentum():
    grads = [np.array([0.3, -1.0]), np.array([0.1, 0.4])]
    w, state = np.array([1.0, -2.0]), None
    expected, exp_state = w, None
    for g in grads:
        w, state = sgdw(w, g, state, lr=0.1, momentum=0.9, weight_decay=0.5)
        expected, exp_state = sgd_momentum(
            expected * (1 - 0.1 * 0.5), g, exp_state, lr=0.1, momentum=0.9
        )
    np.testing.assert_array_equal(w, expected)
    np.testing.assert_array_equal(state["v"], exp_state["v"])
    zero = np.zeros(2)
    w, s = sgdw(np.ones(2), zero, None, lr=0.1, momentum=0.9, weight_decay=1)
    np.testing.assert_allclose(w, 0.9)  # decay only: v stays 0
    assert np.all(s["v"] == 0)


def test_decoupled_decay():
    np.testing.assert_allclose(
        decoupled_decay([2.0, -4.0], 0.1, 0.5), [1.9, -3.8]
    )
    with pytest.raises(ValueError, match="weight_decay must be a number >= 0"):
        decoupled_decay(1.0, 0.1, -0.5)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        decoupled_decay(1.0, 0.0, 0.5)


# --- the race ----------------------------------------------------------------


def test_rosenbrock_gradient():
    assert rosenbrock([1.0, 1.0]) == 0.0
    for w in ([-1.5, 2.0], [0.3, -0.7]):
        np.testing.assert_allclose(
            rosenbrock_grad(w), numerical_gradient(rosenbrock, w), rtol=1e-7
        )


def test_compare_on_rosenbrock():
    paths = compare()
    assert {k: p.shape for k, p in paths.items()} == dict.fromkeys(
        ["sgd", "sgd_momentum", "adam", "adamw"], (2001, 2)
    )
    f = {k: rosenbrock(p[-1]) for k, p in paths.items()}
    assert f["sgd"] > 0.1  # still crawling along the valley
    assert f["sgd_momentum"] < 1e-6
    assert f["adam"] < 1e-10
    # decay pulls towards 0, so AdamW settles short of the minimum (1, 1)
    assert 1e-4 < f["adamw"] < 1e-2
    assert np.all(paths["adamw"][-1] < 1.0)


def test_run_starts_at_w0():
    path = run(sgd_momentum, rosenbrock_grad, [0.0, 0.0], 3, lr=1e-3)
    np.testing.assert_array_equal(path[0], [0.0, 0.0])
    assert path.shape == (4, 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"grad must have the shape.*\(2,\)"):
        adam(np.zeros(2), np.zeros(3), None)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        sgd_momentum(1.0, 1.0, None, lr=0.0)


# --- against torch.optim -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "hyper"),
    [
        ("SGD", {"lr": 1e-3, "momentum": 0.9}),
        ("SGD", {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.1}),
        ("Adam", {"lr": 0.05}),
        ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
        ("AdamW", {"lr": 0.05}),
    ],
)
def test_against_torch_optim(name, hyper):
    torch = pytest.importorskip("torch")
    ours = {"SGD": sgd_momentum, "Adam": adam, "AdamW": adamw}[name]
    w = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    optimizer = getattr(torch.optim, name)([w], **hyper)
    for _ in range(50):
        optimizer.zero_grad()
        x, y = w[0], w[1]
        ((1 - x) ** 2 + 100 * (y - x**2) ** 2).backward()
        optimizer.step()
    path = run(ours, rosenbrock_grad, [-1.5, 2.0], 50, **hyper)
    np.testing.assert_allclose(path[-1], w.detach().numpy(), rtol=1e-10)

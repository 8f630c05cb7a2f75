import numpy as np
import pytest

from ref.activations import sigmoid, softmax
from ref.gradcheck import numerical_gradient
from ref.losses import (
    binary_cross_entropy,
    cross_entropy,
    dpo_loss,
    dpo_loss_grad,
    linear_step,
    log_softmax,
    mse,
    mse_prime,
    quadratic_cost,
    quadratic_cost_prime,
    sigmoid_cross_entropy_grad,
    sigmoid_mse_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    sse,
    sse_prime,
)

Y_HAT = np.array([0.9, 0.2, 0.4])
Y = np.array([1.0, 0.0, 1.0])


# --- squared error -----------------------------------------------------------


def test_mse_example_from_the_site():
    assert sse(Y_HAT, Y) == pytest.approx(0.41)
    assert mse(Y_HAT, Y) == pytest.approx(0.41 / 3)
    assert f"{mse(Y_HAT, Y):.4f}" == "0.1367"


def test_mse_is_zero_only_when_every_prediction_is_right():
    assert mse(Y, Y) == 0.0
    assert mse(Y + [0, 0, 1e-3], Y) > 0.0


def test_mse_along_an_axis():
    y_hat = np.array([[1.0, 3.0], [0.0, 0.0]])
    np.testing.assert_allclose(mse(y_hat, np.zeros((2, 2)), axis=1), [5, 0])


@pytest.mark.parametrize(
    ("loss", "prime"),
    [
        (mse, mse_prime),
        (sse, sse_prime),
        (quadratic_cost, quadratic_cost_prime),
    ],
)
@pytest.mark.parametrize("shape", [(3,), (4, 2)])
def test_squared_error_gradients_match_finite_differences(loss, prime, shape):
    rng = np.random.default_rng(0)
    y_hat, y = rng.standard_normal(shape), rng.standard_normal(shape)
    numeric = numerical_gradient(lambda v: loss(v, y), y_hat)
    np.testing.assert_allclose(prime(y_hat, y), numeric, rtol=1e-6)


def test_quadratic_cost_is_half_the_mse_with_one_output():
    assert quadratic_cost(Y_HAT, Y) == pytest.approx(mse(Y_HAT, Y) / 2)
    np.testing.assert_allclose(
        quadratic_cost_prime(Y_HAT, Y), mse_prime(Y_HAT, Y) / 2
    )


def test_quadratic_cost_of_one_number():
    # A scalar is one example: n = 1, so C = (a - y)**2 / 2.
    assert quadratic_cost(3.0, 1.0) == 2.0
    assert quadratic_cost_prime(3.0, 1.0) == 2.0


def test_quadratic_cost_sums_over_outputs_but_mse_averages():
    a, y = np.array([[1.0, 2.0]]), np.zeros((1, 2))
    assert quadratic_cost(a, y) == pytest.approx(2.5)  # (1 + 4) / 2
    assert mse(a, y) == pytest.approx(2.5)  # (1 + 4) / 2 outputs
    a3, y3 = np.array([[1.0, 2.0, 2.0]]), np.zeros((1, 3))
    assert quadratic_cost(a3, y3) == pytest.approx(4.5)
    assert mse(a3, y3) == pytest.approx(3.0)


# --- the 1/2 convention ------------------------------------------------------


def test_the_half_only_rescales_the_step():
    x, y, w, eta = (
        np.array([1.0, 2.0, 3.0]),
        np.array([2.0, 4.5, 5.0]),
        0.0,
        0.1,
    )
    full = linear_step(w, x, y, eta, mse_prime)
    half = linear_step(w, x, y, eta, quadratic_cost_prime)
    assert half != pytest.approx(full)  # not cosmetic at a fixed rate
    assert half - w == pytest.approx((full - w) / 2)
    assert linear_step(w, x, y, 2 * eta, quadratic_cost_prime) == (
        pytest.approx(full)
    )
    assert linear_step(w, x, y, eta / 2, mse_prime) == pytest.approx(half)


def test_linear_step_goes_downhill_by_the_gradient():
    x, y, w = np.array([1.0, 2.0]), np.array([3.0, 5.0]), 0.5
    dC_dw = numerical_gradient(lambda v: mse(v * x, y), w)
    assert linear_step(w, x, y, 0.01) == pytest.approx(w - 0.01 * dC_dw)


# --- a sigmoid output: squared error against cross-entropy -----------------


@pytest.mark.parametrize("shape", [(1,), (3,), (2, 3)])
def test_sigmoid_output_gradients_match_finite_differences(shape):
    rng = np.random.default_rng(3)
    z = 3 * rng.standard_normal(shape)
    y = rng.integers(0, 2, size=shape).astype(float)
    numeric = numerical_gradient(lambda v: mse(sigmoid(v), y), z)
    # atol: a saturated output's gradient is ~1e-7, below the noise of
    # the finite difference's rounding
    np.testing.assert_allclose(
        sigmoid_mse_grad(z, y), numeric, rtol=1e-6, atol=1e-9
    )
    numeric = numerical_gradient(
        lambda v: binary_cross_entropy(sigmoid(v), y), z
    )
    np.testing.assert_allclose(
        sigmoid_cross_entropy_grad(z, y), numeric, rtol=1e-6, atol=1e-9
    )


def test_saturated_wrong_output_learns_slowly_with_mse_only():
    # Target 1, output sigmoid(-6) ~ 0.0025: as wrong as it gets.
    wrong, unsure = np.array([-6.0]), np.array([0.0])
    y = np.array([1.0])
    # MSE: the confidently wrong output gets a smaller push than the
    # undecided one, by the factor sigma'(-6) / sigma'(0) ~ 1/100.
    assert abs(sigmoid_mse_grad(wrong, y)[0]) < (
        abs(sigmoid_mse_grad(unsure, y)[0]) / 20
    )
    assert sigmoid_mse_grad(wrong, y)[0] == pytest.approx(
        2 * (sigmoid(-6.0) - 1) * sigmoid(-6.0) * (1 - sigmoid(-6.0))
    )
    # Cross-entropy: the push is the error itself, almost -1.
    assert sigmoid_cross_entropy_grad(wrong, y)[0] == pytest.approx(
        sigmoid(-6.0) - 1
    )
    assert abs(sigmoid_cross_entropy_grad(wrong, y)[0]) > 0.99


def test_binary_cross_entropy_known_values():
    assert binary_cross_entropy([0.5], [1.0]) == pytest.approx(np.log(2))
    assert binary_cross_entropy([0.9, 0.2], [1.0, 0.0]) == pytest.approx(
        -(np.log(0.9) + np.log(0.8)) / 2
    )
    # it is the two-class cross-entropy
    assert binary_cross_entropy([0.7], [1.0]) == pytest.approx(
        cross_entropy([0.7, 0.3], [1.0, 0.0])
    )
    for a in (0.0, 1.0):  # log a or log(1 - a) would be -inf
        with pytest.raises(
            ValueError, match=r"a must lie strictly in \(0, 1\)"
        ):
            binary_cross_entropy([0.5, a], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"y must lie in \[0, 1\]"):
        binary_cross_entropy([0.5], [2.0])


# --- cross-entropy -----------------------------------------------------------


def test_cross_entropy_of_a_one_hot_target():
    p, y = np.array([0.2, 0.7, 0.1]), np.array([0.0, 1.0, 0.0])
    assert cross_entropy(p, y) == pytest.approx(-np.log(0.7))
    assert cross_entropy([0.0, 1.0, 0.0], y) == 0.0  # 0 log 0 counts as 0
    assert cross_entropy([0.5, 0.0, 0.5], y) == np.inf


def test_cross_entropy_averages_over_rows():
    p = np.array([[0.5, 0.5], [0.9, 0.1]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert cross_entropy(p, y) == pytest.approx(
        -(np.log(0.5) + np.log(0.9)) / 2
    )


def test_softmax_cross_entropy_is_cross_entropy_of_softmax():
    z = np.array([[4.0, 2.5, 2.0, 0.5, 0.1], [0.0, 1.0, -1.0, 3.0, 0.2]])
    y = np.eye(5)[[0, 3]]
    assert softmax_cross_entropy(z, y) == pytest.approx(
        cross_entropy(softmax(z), y)
    )


def test_softmax_cross_entropy_survives_huge_logits():
    z, y = np.array([1000.0, 0.0]), np.array([0.0, 1.0])
    np.testing.assert_allclose(log_softmax(z), [0.0, -1000.0])
    assert softmax_cross_entropy(z, y) == pytest.approx(1000.0)


@pytest.mark.parametrize("shape", [(4,), (3, 4)])
def test_softmax_cross_entropy_grad_is_p_minus_y(shape):
    rng = np.random.default_rng(1)
    z = rng.standard_normal(shape)
    y = softmax(rng.standard_normal(shape))  # soft labels work too
    m = shape[0] if len(shape) == 2 else 1
    grad = softmax_cross_entropy_grad(z, y)
    np.testing.assert_allclose(grad, (softmax(z) - y) / m)
    numeric = numerical_gradient(lambda v: softmax_cross_entropy(v, y), z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)


# --- preferences (DPO) -------------------------------------------------------


def test_dpo_loss_starts_at_log_two():
    # Policy equal to the reference: margin 0, loss -log(1/2).
    assert dpo_loss(-5.0, -7.0, -5.0, -7.0) == pytest.approx(np.log(2))


def test_dpo_loss_only_sees_the_change_from_the_reference():
    # Raising the chosen answer's log-probability by 2 relative to the
    # reference and lowering the rejected one by 2: margin 0.1 * 4.
    loss = dpo_loss(-3.0, -9.0, -5.0, -7.0, beta=0.1)
    assert loss == pytest.approx(-np.log(sigmoid(0.4)))
    # the same changes from another starting point give the same loss
    assert dpo_loss(-18.0, -4.0, -20.0, -2.0, beta=0.1) == pytest.approx(loss)
    # the other way round the loss is larger than log 2
    assert dpo_loss(-7.0, -5.0, -5.0, -7.0, beta=0.1) > np.log(2)


def test_dpo_loss_is_cross_entropy_of_the_implicit_preference():
    # Bradley-Terry with rewards beta * log(pi / ref): P(chosen wins).
    lw, ll, rw, rl, beta = -4.0, -6.5, -5.0, -6.0, 0.5
    p_win = sigmoid(beta * ((lw - rw) - (ll - rl)))
    assert dpo_loss(lw, ll, rw, rl, beta) == pytest.approx(
        binary_cross_entropy([p_win], [1.0])
    )


@pytest.mark.parametrize("shape", [(), (4,)])
def test_dpo_loss_grad_matches_finite_differences(shape):
    rng = np.random.default_rng(5)
    lw, ll, rw, rl = 3 * rng.standard_normal((4, *shape)) - 10
    g_w, g_l = dpo_loss_grad(lw, ll, rw, rl, beta=0.3)
    num_w = numerical_gradient(lambda v: dpo_loss(v, ll, rw, rl, 0.3), lw)
    num_l = numerical_gradient(lambda v: dpo_loss(lw, v, rw, rl, 0.3), ll)
    np.testing.assert_allclose(g_w, num_w, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(g_l, num_l, rtol=1e-6, atol=1e-10)
    assert np.all(g_w < 0) and np.all(g_l > 0)


def test_dpo_loss_survives_huge_margins():
    assert dpo_loss(0.0, -1e4, 0.0, 0.0, beta=1.0) == pytest.approx(0.0)
    assert dpo_loss(-1e4, 0.0, 0.0, 0.0, beta=1.0) == pytest.approx(1e4)


def test_dpo_bad_inputs():
    with pytest.raises(ValueError, match="ref_rejected must have the shape"):
        dpo_loss([0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0])
    with pytest.raises(ValueError, match="beta must be a positive number"):
        dpo_loss(0.0, 0.0, 0.0, 0.0, beta=0.0)
    # logp_chosen alone off: the other three agree with each other, and
    # a single number would broadcast against them without the check.
    with pytest.raises(
        ValueError, match=r"logp_rejected must have the shape of logp_chosen"
    ):
        dpo_loss([0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0])


# --- errors ------------------------------------------------------------------


def test_shapes_must_match():
    with pytest.raises(
        ValueError, match=r"y must have the shape.*\(2,\).*\(3,\)"
    ):
        mse([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(
        ValueError, match=r"z must have shape \(K,\) or \(m, K\)"
    ):
        softmax_cross_entropy(np.zeros((1, 1, 2)), np.full((1, 1, 2), 0.5))


def test_non_numeric_input_names_the_argument():
    with pytest.raises(TypeError, match="y_hat must be numeric"):
        mse("high", [1.0])
    with pytest.raises(TypeError, match="y must be numeric"):
        mse([1.0], "low")
    with pytest.raises(TypeError, match="a must be numeric"):
        quadratic_cost("one", 1.0)


def test_targets_must_be_distributions():
    with pytest.raises(ValueError, match="sum to 1"):
        cross_entropy([0.5, 0.5], [1.0, 1.0])
    with pytest.raises(ValueError, match="eta must be a positive number"):
        linear_step(0.0, [1.0], [1.0], eta=-0.1)


# --- against PyTorch ---------------------------------------------------------


def test_against_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(2)
    y_hat, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    expected = F.mse_loss(torch.tensor(y_hat), torch.tensor(y)).item()
    assert mse(y_hat, y) == pytest.approx(expected, rel=1e-12)
    z = torch.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    labels = np.eye(3)[[0, 2, 1, 1, 0]]
    loss = F.cross_entropy(z, torch.tensor(labels))
    loss.backward()
    z_np = z.detach().numpy()
    assert softmax_cross_entropy(z_np, labels) == pytest.approx(
        loss.item(), rel=1e-12
    )
    np.testing.assert_allclose(
        softmax_cross_entropy_grad(z_np, labels), z.grad.numpy(), atol=1e-12
    )


def test_labels_must_be_non_negative():
    # Rows that sum to one but hold a negative "probability" are rejected
    # by both forms of the cross-entropy alike.
    with pytest.raises(ValueError, match=r"entries >= 0 .* smallest entry"):
        cross_entropy([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(ValueError, match=r"entries >= 0"):
        softmax_cross_entropy([0.0, 0.0], [1.5, -0.5])

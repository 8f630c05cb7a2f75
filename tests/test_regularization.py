import numpy as np
import pytest

from ref.gradcheck import numerical_gradient
from ref.regularization import (
    dropout,
    dropout_mask,
    early_stopping,
    l2_penalty,
    l2_penalty_grad,
    polynomial_fit_errors,
)

# --- dropout -----------------------------------------------------------------


def test_dropout_mask_values_and_rate():
    mask = dropout_mask(100_000, p=0.2, rng=np.random.default_rng(0))
    assert set(np.unique(mask)) == {0.0, 1.25}  # 1 / (1 - p)
    dropped = np.mean(mask == 0)
    assert dropped == pytest.approx(0.2, abs=0.005)  # 4 standard deviations


def test_inverted_dropout_keeps_the_expectation():
    a = np.linspace(-2.0, 3.0, 5)
    rng = np.random.default_rng(1)
    many = dropout(np.tile(a, (20_000, 1)), 0.3, rng)  # 20000 draws each
    np.testing.assert_allclose(many.mean(axis=0), a, atol=0.05)
    assert np.mean(many == 0) == pytest.approx(0.3, abs=0.01)
    assert np.any(many[0] != a)


def test_dropout_with_p_zero_changes_nothing():
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(dropout(a, 0.0, np.random.default_rng()), a)
    for p in (-0.1, 1.0, 1.5):
        with pytest.raises(
            ValueError,
            match=r"p \(the drop probability\) "
            r"must be in \[0, 1\), got",
        ):
            dropout(a, p, np.random.default_rng())


class FixedDraws:
    """Stands in for a Generator whose random() returns given numbers."""

    def __init__(self, u):
        self.u = np.array(u)

    def random(self, shape):
        return self.u.reshape(shape)


def test_a_unit_is_dropped_when_its_draw_is_below_p():
    # u ~ U[0, 1) and u < p has probability p: u = p is kept.
    mask = dropout_mask(4, 0.5, FixedDraws([0.0, 0.25, 0.5, 0.75]))
    np.testing.assert_array_equal(mask, [0.0, 0.0, 2.0, 2.0])
    mask = dropout_mask(4, 0.25, FixedDraws([0.0, 0.25, 0.5, 0.75]))
    np.testing.assert_array_equal(mask, [0.0, 4 / 3, 4 / 3, 4 / 3])


def test_dropout_depends_only_on_the_seed():
    a = np.ones(50)
    first = dropout(a, 0.5, np.random.default_rng(3))
    np.testing.assert_array_equal(
        first, dropout(a, 0.5, np.random.default_rng(3))
    )


def test_p_means_what_it_means_in_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    layer = torch.nn.Dropout(p=0.2)  # training mode by default
    out = layer(torch.ones(100_000, dtype=torch.float64)).numpy()
    ours = dropout(np.ones(100_000), 0.2, np.random.default_rng(0))
    assert set(np.unique(out)) == set(np.unique(ours)) == {0.0, 1.25}
    assert np.mean(out == 0) == pytest.approx(np.mean(ours == 0), abs=0.01)
    assert np.mean(out == 0) == pytest.approx(0.2, abs=0.005)


# --- L2 ----------------------------------------------------------------------


def test_l2_penalty_and_its_gradient():
    W1, W2 = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[-1.0]])
    assert l2_penalty([W1, W2], 0.1) == pytest.approx(0.5 * 0.1 * 31)
    numeric = numerical_gradient(lambda W: l2_penalty([W], 0.1), W1)
    np.testing.assert_allclose(l2_penalty_grad(W1, 0.1), numeric, rtol=1e-7)
    np.testing.assert_allclose(l2_penalty_grad(W1, 0.1), 0.1 * W1)


def test_l2_step_is_weight_decay():
    W, eta, lam = np.array([2.0, -4.0]), 0.1, 0.05
    np.testing.assert_allclose(
        W - eta * l2_penalty_grad(W, lam), (1 - eta * lam) * W
    )


def test_lambda_means_what_weight_decay_means_in_torch():
    torch = pytest.importorskip("torch")
    w = torch.tensor([2.0, -4.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1, weight_decay=0.05)
    (w * 0).sum().backward()  # a flat loss: only the decay acts
    optimizer.step()
    W = np.array([2.0, -4.0])
    np.testing.assert_allclose(
        w.detach().numpy(), W - 0.1 * l2_penalty_grad(W, 0.05), rtol=1e-15
    )


# --- early stopping ----------------------------------------------------------


def test_early_stopping():
    val = [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.65, 0.9]
    assert early_stopping(val, patience=3) == (2, 5)
    assert early_stopping(val, patience=4) == (6, 7)  # runs out of epochs
    assert early_stopping([3.0, 2.0, 1.0], patience=1) == (2, 2)
    assert early_stopping([1.0, 1.0, 1.0], patience=2) == (0, 2)  # ties
    assert early_stopping([0.5], patience=3) == (0, 0)  # a single epoch
    with pytest.raises(ValueError, match="at least one loss"):
        early_stopping([], patience=3)
    with pytest.raises(ValueError, match="patience must be an integer >= 1"):
        early_stopping(val, patience=0)


# --- under- and overfitting --------------------------------------------------


def test_polynomial_fits_show_under_good_and_overfitting():
    errors = polynomial_fit_errors()
    (train1, val1), (train3, val3), (train9, val9) = (
        errors[d] for d in (1, 3, 9)
    )
    assert train1 > 0.25 and val1 > 0.25  # underfit: both high
    assert train3 < 0.1 and val3 < 0.15  # good: both low
    assert train9 < 1e-20 and val9 > 5 * val3  # overfit: memorised


def test_training_error_never_rises_with_the_degree():
    errors = polynomial_fit_errors(degrees=range(10))
    train = [errors[d][0] for d in range(10)]
    assert np.all(np.diff(train) <= 1e-12)

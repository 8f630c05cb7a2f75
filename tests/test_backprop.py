import numpy as np
import pytest

from ref.activations import relu, sigmoid, tanh
from ref.backprop import (
    backward,
    cost,
    forward,
    gradients,
    identity,
    init_normal,
    predict,
    stack,
    step,
)
from ref.gradcheck import numerical_gradient, relative_error
from ref.layers import layer
from ref.losses import mse


def network(sizes, m, seed=0):
    rng = np.random.default_rng(seed)
    params = init_normal(sizes, rng)
    x = rng.standard_normal((m, sizes[0]))
    y = rng.random((m, sizes[-1]))
    return params, x, y


def numeric_grads(params, x, y, activation):
    """dC/dW_l and dC/db_l by central differences, one entry at a time."""
    grads = []
    for i, (W, b) in enumerate(params):

        def cost_with(W_i, b_i, i=i):
            changed = list(params)
            changed[i] = (W_i, b_i)
            return cost(changed, x, y, activation)

        grads.append(
            (
                numerical_gradient(lambda v, b=b: cost_with(v, b), W),
                numerical_gradient(lambda v, W=W: cost_with(W, v), b),
            )
        )
    return grads


@pytest.mark.parametrize(
    ("sizes", "m"),
    [((2, 2, 1), 4), ((3, 4, 5, 2), 7), ((1, 1), 1), ((2, 3, 1), 1)],
)
@pytest.mark.parametrize("activation", [sigmoid, tanh])
def test_backprop_matches_finite_differences(sizes, m, activation):
    params, x, y = network(sizes, m)
    C, grads = gradients(params, x, y, activation)
    assert C == pytest.approx(cost(params, x, y, activation))
    numeric = numeric_grads(params, x, y, activation)
    for (dW, db), (nW, nb) in zip(grads, numeric, strict=True):
        assert dW.shape == nW.shape and db.shape == nb.shape
        assert relative_error(dW, nW) < 1e-6
        assert relative_error(db, nb) < 1e-6


def test_backward_from_a_forward_pass_matches_finite_differences():
    # Every layer a different width, so a_0, a_1, ..., a_L cannot be mixed up.
    params, x, y = network((3, 4, 5, 2), 7)
    zs, activations = forward(params, x, tanh)
    grads = backward(params, zs, activations, y, tanh)
    numeric = numeric_grads(params, x, y, tanh)
    for (dW, db), (nW, nb) in zip(grads, numeric, strict=True):
        assert relative_error(dW, nW) < 1e-6
        assert relative_error(db, nb) < 1e-6


def test_backprop_with_one_activation_per_layer():
    params, x, y = network((3, 4, 2), 5, seed=3)
    activation = [relu, identity]
    _, grads = gradients(params, x, y, activation)
    numeric = numeric_grads(params, x, y, activation)
    for (dW, db), (nW, nb) in zip(grads, numeric, strict=True):
        assert relative_error(dW, nW) < 1e-6
        assert relative_error(db, nb) < 1e-6


def test_one_neuron_by_hand():
    """BP1, BP3, BP4 for a single sigmoid neuron, written out."""
    params, x, y = network((2, 1), 4, seed=1)
    a = predict(params, x)
    delta = 2 * (a - y) * a * (1 - a)  # BP1 with sigma' = a (1 - a)
    [(dW, db)] = gradients(params, x, y)[1]
    np.testing.assert_allclose(db, delta.mean(axis=0))
    np.testing.assert_allclose(dW, (delta * x).mean(axis=0, keepdims=True))


def test_forward_is_layers_in_a_row():
    params, x, y = network((3, 4, 5, 2), 6)
    zs, activations = forward(params, x, tanh)
    assert [z.shape for z in zs] == [(6, 4), (6, 5), (6, 2)]
    assert len(activations) == 4
    np.testing.assert_array_equal(activations[0], x)
    a = x
    for W, b in params:
        a = layer(W, a, b, activation=tanh)
    np.testing.assert_allclose(activations[-1], a)
    assert cost(params, x, y, tanh) == pytest.approx(mse(a, y))


def test_a_step_against_the_gradient_lowers_the_cost():
    params, x, y = network((2, 3, 1), 8)
    C, grads = gradients(params, x, y)
    assert cost(step(params, grads, 0.1), x, y) < C


def test_stacked_networks_match_separate_ones():
    nets = [network((2, 3, 2), 5, seed=s)[0] for s in range(3)]
    _, x, y = network((2, 3, 2), 5)
    C, grads = gradients(stack(nets), x, y)
    assert C.shape == (3,)
    for k, net in enumerate(nets):
        C_k, grads_k = gradients(net, x, y)
        assert C[k] == pytest.approx(C_k)
        for (dW, db), (dW_k, db_k) in zip(grads, grads_k, strict=True):
            np.testing.assert_allclose(dW[k], dW_k)
            np.testing.assert_allclose(db[k], db_k)


def test_init_normal_draws_in_order():
    params = init_normal((2, 3, 1), np.random.default_rng(5), std=0.5)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(
        params[0][0], 0.5 * rng.standard_normal((3, 2))
    )
    np.testing.assert_array_equal(params[0][1], 0.5 * rng.standard_normal(3))
    assert params[1][0].shape == (1, 3) and params[1][1].shape == (1,)


def test_wrong_shapes_name_the_argument():
    params, x, y = network((2, 3, 1), 4)
    bad = [params[0], (np.zeros((1, 2)), np.zeros(1))]
    with pytest.raises(ValueError, match=r"W_2 must have shape \(n_out, 3\)"):
        forward(bad, x)
    bad = [params[0], (params[1][0], np.zeros(2))]
    with pytest.raises(
        ValueError, match=r"b_2 must have shape \(1,\).*\(2,\)"
    ):
        forward(bad, x)
    with pytest.raises(ValueError, match=r"W_1 .*got shape \(3, 2\)"):
        forward(params, np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"y must have shape \(4, 1\)"):
        gradients(params, x, np.zeros(4))
    with pytest.raises(ValueError, match="activation must be one of"):
        gradients(params, x, y, np.sin)
    with pytest.raises(ValueError, match="a list of 2"):
        forward(params, x, [sigmoid])
    for sizes in [(3,), (2, 0, 1), (2, 1.5)]:
        with pytest.raises(ValueError, match="sizes must be 2 or more"):
            init_normal(sizes, np.random.default_rng(0))


def test_backward_against_torch_autograd():
    torch = pytest.importorskip("torch")
    params, x, y = network((3, 4, 5, 2), 7)
    tensors = [
        (
            torch.tensor(W, requires_grad=True),
            torch.tensor(b, requires_grad=True),
        )
        for W, b in params
    ]
    a = torch.tensor(x)
    for W, b in tensors:
        a = torch.sigmoid(a @ W.T + b)
    torch.nn.functional.mse_loss(a, torch.tensor(y)).backward()
    zs, activations = forward(params, x)
    grads = backward(params, zs, activations, y)
    for (dW, db), (W, b) in zip(grads, tensors, strict=True):
        np.testing.assert_allclose(dW, W.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(db, b.grad.numpy(), rtol=1e-10)

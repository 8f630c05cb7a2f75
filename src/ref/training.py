"""Training by gradient descent: AND, XOR, batch sizes (lessons L9-L12).

Every trainer minimises the mean squared error C of `ref.backprop` and
returns the loss history `losses[k]`, C on the whole training set after
k epochs (`losses[0]` is the starting point), so losses has `epochs + 1`
entries.
One epoch is one pass over the training set.
"""

import itertools
import math

import numpy as np

from ref._checks import as_array, check_positive
from ref.activations import sigmoid
from ref.backprop import cost, gradients, init_normal, predict, stack, step
from ref.neuron import TRUTH_TABLE_INPUTS

#: Targets of the two gates over TRUTH_TABLE_INPUTS, one row per example.
AND_TARGETS = np.array([[0.0], [0.0], [0.0], [1.0]])
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])

#: Seed of the XOR network on the L10 page (see `xor_initial_params`).
XOR_SEED = 2

# --- full-batch gradient descent ---------------------------------------------


def train(params, x, y, eta, epochs, activation=sigmoid):
    """Repeat `params <- params - eta dC/dparams` on all of x, epochs times.

    Returns (params, losses). Leading axes on params (see
    `ref.backprop.stack`) train several networks at once; losses then
    has shape `(epochs + 1, k)`.
    """
    losses = []
    for _ in range(_count("epochs", epochs)):
        C, grads = gradients(params, x, y, activation)
        losses.append(C)
        params = step(params, grads, eta)
    losses.append(cost(params, x, y, activation))
    return params, np.array(losses)


def _count(name, value):
    """value as an int >= 0, or ValueError naming the argument."""
    if int(value) != value or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


# --- one neuron learns AND (L9) ----------------------------------------------


def train_neuron(x, y, eta=5.0, epochs=300):
    """Train `a = sigma(w . x + b)` from `w = 0`, `b = 0`: full-batch descent.

    x has shape (m, n), y shape (m,). Returns (w, b, losses).
    """
    x = as_array("x", x, ndim=2)
    y = as_array("y", y, ndim=1).reshape(-1, 1)
    params = [(np.zeros((1, x.shape[1])), np.zeros(1))]  # one neuron
    [(W, b)], losses = train(params, x, y, eta, epochs)
    return W[0], float(b[0]), losses


def train_and(eta=5.0, epochs=300):
    """L9: one neuron learns AND from `w = 0`, `b = 0`.

    Returns (w, b, losses).
    """
    return train_neuron(TRUTH_TABLE_INPUTS, AND_TARGETS[:, 0], eta, epochs)


# --- a 2-2-1 network learns XOR (L10, L12) -----------------------------------


def xor_initial_params(seed=XOR_SEED):
    """Every W and b of the XOR net drawn from `N(0, 1)` by default_rng(seed).

    Drawn in the order W_1, b_1, W_2, b_2 (see `ref.backprop.init_normal`).
    W has shape (n_out, n_in) like torch.nn.Linear.weight, so a PyTorch
    copy of the network can start from the same numbers.
    """
    return init_normal((2, 2, 1), np.random.default_rng(seed))


def train_xor(seed=XOR_SEED, eta=5.0, epochs=1500):
    """L10: the sigmoid net on XOR; returns (params, losses).

    The net has two inputs, two hidden units and one output.
    """
    params = xor_initial_params(seed)
    return train(params, TRUTH_TABLE_INPUTS, XOR_TARGETS, eta, epochs)


def xor_outputs_for_seeds(seeds, eta=5.0, epochs=1500):
    """Outputs after training, shape `(len(seeds), 4)`: all seeds at once."""
    params = stack([xor_initial_params(s) for s in seeds])
    params, _ = train(params, TRUTH_TABLE_INPUTS, XOR_TARGETS, eta, epochs)
    return predict(params, TRUTH_TABLE_INPUTS)[..., 0]


def is_stuck(outputs, targets=XOR_TARGETS[:, 0], tol=0.25):
    """True where some output is more than tol from its target.

    outputs has shape (..., m). After training, the errors fall into two
    groups far apart, small ones and those of runs stuck in a flat
    valley (see `xor_long_run`), so any tol in the gap gives the same
    answer:

    ```python
    import numpy as np

    from ref.training import XOR_TARGETS, xor_outputs_for_seeds

    outputs = xor_outputs_for_seeds(range(100))
    errors = np.abs(outputs - XOR_TARGETS[:, 0]).max(axis=-1)
    assert not np.any((errors > 0.06) & (errors < 0.5))
    ```
    """
    outputs = as_array("outputs", outputs)
    return np.max(np.abs(outputs - targets), axis=-1) > tol


def count_stuck(seeds=range(100), eta=5.0, epochs=1500):
    """How many of the seeds leave the XOR net stuck after training."""
    return int(np.sum(is_stuck(xor_outputs_for_seeds(seeds, eta, epochs))))


# --- a stuck run, trained much longer (L10) ----------------------------------


def xor_long_run(seed, eta=5.0, checkpoints=(1000, 10_000, 100_000)):
    """C, `||grad C||` and `||theta||` of the XOR net at each checkpoint.

    theta is the nine parameters (W_1, b_1, W_2, b_2) and grad C its
    gradient. Returns (rows, params): row i, of shape `(3,)`, holds the
    three after checkpoints[i] epochs of `train_xor` from `seed`, and
    params is the network after the last checkpoint, as `train` returns
    it. The descent is the same as `train`'s, written out for nine plain
    floats: Python arithmetic on scalars is much faster than NumPy calls
    on arrays this small, so even the last default checkpoint is reached
    in well under a second.
    """
    checkpoints = [_count("checkpoints", k) for k in checkpoints]
    if not checkpoints or checkpoints != sorted(set(checkpoints)):
        raise ValueError(
            "checkpoints must be a non-empty increasing sequence of "
            f"epochs, got {checkpoints!r}"
        )
    check_positive("eta", eta)
    (W1, b1), (W2, b2) = xor_initial_params(seed)
    (w11, w12), (w21, w22) = W1.tolist()
    c1, c2 = b1.tolist()
    ((v1, v2),) = W2.tolist()
    (c,) = b2.tolist()
    data = [
        (x1, x2, y)
        for (x1, x2), (y,) in zip(
            TRUTH_TABLE_INPUTS.tolist(), XOR_TARGETS.tolist(), strict=True
        )
    ]
    tanh = math.tanh
    s = 2.0 / len(data)  # dC/da = (2/m)(a - y): the mean over m examples
    rows = []
    for epoch in itertools.count():  # until the last checkpoint
        C = g11 = g12 = g21 = g22 = gc1 = gc2 = gv1 = gv2 = gc = 0.0
        for x1, x2, y in data:
            # sigma(z) = (1 + tanh(z / 2)) / 2: one call, never overflows
            h1 = 0.5 + 0.5 * tanh(0.5 * (w11 * x1 + w12 * x2 + c1))
            h2 = 0.5 + 0.5 * tanh(0.5 * (w21 * x1 + w22 * x2 + c2))
            a = 0.5 + 0.5 * tanh(0.5 * (v1 * h1 + v2 * h2 + c))
            C += (a - y) * (a - y)
            d = s * (a - y) * a * (1.0 - a)  # BP1
            d1 = d * v1 * h1 * (1.0 - h1)  # BP2
            d2 = d * v2 * h2 * (1.0 - h2)
            g11 += d1 * x1  # BP4 and BP3, summed over the examples
            g12 += d1 * x2
            g21 += d2 * x1
            g22 += d2 * x2
            gc1 += d1
            gc2 += d2
            gv1 += d * h1
            gv2 += d * h2
            gc += d
        if epoch == checkpoints[len(rows)]:
            theta = (w11, w12, w21, w22, c1, c2, v1, v2, c)
            grad = (g11, g12, g21, g22, gc1, gc2, gv1, gv2, gc)
            rows.append(
                (
                    C / len(data),
                    math.sqrt(sum(g * g for g in grad)),
                    math.sqrt(sum(t * t for t in theta)),
                )
            )
            if len(rows) == len(checkpoints):
                break
        w11 -= eta * g11  # one step of gradient descent on all nine
        w12 -= eta * g12
        w21 -= eta * g21
        w22 -= eta * g22
        c1 -= eta * gc1
        c2 -= eta * gc2
        v1 -= eta * gv1
        v2 -= eta * gv2
        c -= eta * gc
    params = [
        (np.array([[w11, w12], [w21, w22]]), np.array([c1, c2])),
        (np.array([[v1, v2]]), np.array([c])),
    ]
    return np.array(rows), params


# --- batch, stochastic, mini-batch (L11) -------------------------------------


def train_minibatch(
    params, x, y, eta, epochs, batch_size, rng, activation=sigmoid
):
    """Mini-batch descent: shuffle x with rng, step once per batch.

    `batch_size = m` is batch gradient descent (one step per epoch),
    `batch_size = 1` is stochastic gradient descent (m steps per epoch).
    Each step uses the mean gradient over its batch; a last, smaller
    batch is kept. Returns (params, losses, steps).
    """
    x = as_array("x", x, ndim=2)
    y = as_array("y", y, ndim=2)
    m = x.shape[0]
    if int(batch_size) != batch_size or not 1 <= batch_size <= m:
        raise ValueError(
            f"batch_size must be an integer in [1, {m}] for x of shape "
            f"{x.shape}, got {batch_size!r}"
        )
    check_positive("eta", eta)
    losses, steps = [cost(params, x, y, activation)], 0
    for _ in range(_count("epochs", epochs)):
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            batch = order[start : start + batch_size]
            _, grads = gradients(params, x[batch], y[batch], activation)
            params = step(params, grads, eta)
            steps += 1
        losses.append(cost(params, x, y, activation))
    return params, np.array(losses), steps


def compare_batch_sizes(
    batch_sizes=(4, 2, 1), seed=XOR_SEED, eta=5.0, epochs=300, shuffle=0
):
    """L11: XOR from the same start with each batch size.

    Returns {batch_size: (losses, steps)}; each run shuffles with
    default_rng(shuffle).
    """
    results = {}
    for batch_size in batch_sizes:
        _, losses, steps = train_minibatch(
            xor_initial_params(seed),
            TRUTH_TABLE_INPUTS,
            XOR_TARGETS,
            eta,
            epochs,
            batch_size,
            np.random.default_rng(shuffle),
        )
        results[batch_size] = (losses, steps)
    return results

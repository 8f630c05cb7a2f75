r"""Every formula of the formulas page, with a formula marker, is checked.

`MARKED` is the formulas page's mathematics with a formula marker after
each formula (the page writers can copy the markers). The test proves
that the translator covers the site's notation: the marked page passes,
and changing a digit, a sign or a power in any checked formula fails it
(at least 99 % of those mutants are caught, reported per formula).
"""

from doccheck.mutate import FormulaStats, PageReport, _mutate_formulas
from doccheck.run import check_page

FENCE = "```"

SETUP = f"""\
{FENCE}python
import numpy as np
from ref import backprop
from ref.activations import sigmoid_prime

rng = np.random.default_rng(1)
params = backprop.init_normal((3, 4, 2), rng)
x = rng.standard_normal((1, 3))
y = rng.standard_normal((1, 2))
zs, acts = backprop.forward(params, x)
(dW1, db1), (dW2, db2) = backprop.backward(params, zs, acts, y)
(W1, b1), (W2, b2) = params
a0, a1, a2 = acts[0][0], acts[1][0], acts[2][0]
z1, z2 = zs[0][0], zs[1][0]
y0 = y[0]
yh = rng.standard_normal(5)
y5 = rng.standard_normal(5)
A = rng.standard_normal((3, 2))
Y = rng.standard_normal((3, 2))
G = rng.standard_normal((4, 3))
Q, K, V = (rng.standard_normal((3, 2)) for _ in range(3))
N = rng.integers(0, 9, (3, 3)).astype(float)
u, v = rng.standard_normal(4), rng.standard_normal(4)
Ws = [rng.standard_normal((2, 3)), rng.standard_normal((3, 3))]
{FENCE}
"""

# (LaTeX as on the page, marker body)
MARKED = [
    # Neuron
    (
        r"z = w \cdot x + b = \sum_i w_i x_i + b",
        r"= ref.neuron.preactivation(w, x, b)",
    ),
    (r"a = \sigma(z) = \sigma(w \cdot x + b)", r"z: w * x + b"),
    (r"a > \tfrac12", "notation: the condition for firing"),
    (r"w \cdot x + b = 0", "notation: the equation of the boundary"),
    (
        r"\mathrm{XOR}(x) = \mathrm{AND}(\mathrm{OR}(x), \mathrm{NAND}(x))",
        "notation: names the three gates of the network",
    ),
    # Layer
    (r"z = W x + b", r"W: W1; x: a0; b: b1; = z1"),
    (r"a = \sigma(W x + b)", r"W: W1; x: a0; b: b1; = a1"),
    (
        r"W_2 (W_1 x + b_1) + b_2 = (W_2 W_1)\, x + (W_2 b_1 + b_2)",
        r"W_1: W1; W_2: W2; b_1: b1; b_2: b2; x: a0",
    ),
    # Losses
    (
        r"\mathrm{SSE} = \sum_i (\hat y_i - y_i)^2",
        r"= ref.losses.sse(y_hat, y)",
    ),
    (
        r"\quad \partial \mathrm{SSE} / \partial \hat y_i = 2 (\hat y_i - y_i)",  # noqa: E501
        r"\hat y: yh; y: y5; i: 2; "
        r"\partial \mathrm{SSE} / \partial \hat y_i: ref.losses.sse_prime(yh, y5)[2]",  # noqa: E501
    ),
    (
        r"\mathrm{MSE} = \frac{1}{n} \sum_i (\hat y_i - y_i)^2",
        r"\hat y: yh; y: y5; n: 5; = ref.losses.mse(yh, y5)",
    ),
    (
        r"\quad \partial \mathrm{MSE} / \partial \hat y_i = \frac{2}{n} "
        r"(\hat y_i - y_i)",
        r"\hat y: yh; y: y5; i: 2; n: 5; "
        r"\partial \mathrm{MSE} / \partial \hat y_i: ref.losses.mse_prime(yh, y5)[2]",  # noqa: E501
    ),
    (
        r"C = \frac{1}{2n} \sum_x \lVert y(x) - a(x) \rVert^2",
        r"x: range(3); y: lambda x: Y[x]; a: lambda x: A[x]; n: 3; "
        r"= ref.losses.quadratic_cost(A, Y)",
    ),
    (
        r"\quad \partial C / \partial a(x) = \frac{1}{n} (a(x) - y(x))",
        r"x: 1; y: lambda x: Y[x]; a: lambda x: A[x]; n: 3; "
        r"\partial C / \partial a(x): ref.losses.quadratic_cost_prime(A, Y)[1]",  # noqa: E501
    ),
    (
        r"L = -\sum_k y_k \log p_k",
        r"p: ref.activations.softmax(u); y: np.eye(4)[1]; "
        r"= ref.losses.cross_entropy(p, y)",
    ),
    (
        r"\log \operatorname{softmax}(z)_k = z_k - \log \sum_j e^{z_j}",
        r"z: u; k: 2",
    ),
    (
        r"L = -\sum_k y_k \log \operatorname{softmax}(z)_k",
        r"z: u; y: np.eye(4)[1]; = ref.losses.softmax_cross_entropy(u, y)",
    ),
    (
        r"\quad \partial L / \partial z = p - y",
        r"y: np.eye(4)[1]; p: ref.activations.softmax(u); "
        r"\partial L / \partial z: ref.losses.softmax_cross_entropy_grad(u, y)",  # noqa: E501
    ),
    # Gradient descent
    (
        r"w_{k+1} = w_k - \eta\, f'(w_k)",
        r"f': ref.descent.f_prime; \eta: 0.1; w_{k+1}: ref.descent.descend("
        r"ref.descent.f_prime, w_k, 0.1, 1)[-1]",
    ),
    (r"f(w) = (w - 3)^2", r"f: ref.descent.f"),
    (r"\quad f'(w) = 2 (w - 3)", r"f': ref.descent.f_prime"),
    (
        r"f''(w) \approx \dfrac{f'(w + h) - f'(w - h)}{2h}",
        r"f'': lambda w: ref.descent.curvature(ref.descent.f_prime, w, h); "
        r"f': ref.descent.f_prime; h: 1e-3; tol: 1e-9",
    ),
    (
        r"\dfrac{\partial f}{\partial w_i} \approx "
        r"\dfrac{f(w + h e_i) - f(w - h e_i)}{2h}",
        r"w: u; e_i: np.eye(4)[1]; f: lambda w: np.sum(w ** 3); "
        r"h: 1e-6; \dfrac{\partial f}{\partial w_i}: 3 * u[1] ** 2; tol: 1e-6",
    ),
    (
        r"w \leftarrow w - \eta\, \frac{1}{B} \sum_{i \in \text{batch}} "
        r"\nabla C_i(w)",
        r"\text{batch}: range(4); B: 4; \nabla C_i(w): G[i]; "
        r"= w - eta * G.mean(axis=0)",
    ),
    # Backpropagation
    (r"a_0 = x", r"notation: names the input"),
    (r"z_l = W_l a_{l-1} + b_l", r"W_l: W2; a_{l-1}: a1; b_l: b2; z_l: z2"),
    (r"a_l = \sigma(z_l)", r"z_l: z2; a_l: a2"),
    (r"l = 1, \dots, L", "notation: the range of the layer index"),
    (
        r"C_x = \frac{1}{n_L} \lVert a_L - y \rVert^2",
        r"a_L: a2; y: y0; n_L: 2; C_x: ref.losses.mse(a2, y0)",
    ),
    (
        r"\delta_L = \nabla_{a_L} C_x \odot \sigma'(z_L)",
        r"\nabla_{a_L} C_x: 2 / 2 * (a2 - y0); z_L: z2; \delta_L: db2",
    ),
    (
        r"\nabla_{a_L} C_x = \frac{2}{n_L} (a_L - y)",
        r"a_L: a2; y: y0; n_L: 2; \nabla_{a_L} C_x: db2 / sigmoid_prime(z2)",
    ),
    (
        r"\delta_l = (W_{l+1}^\top \delta_{l+1}) \odot \sigma'(z_l)",
        r"W_{l+1}: W2; \delta_{l+1}: db2; z_l: z1; \delta_l: db1",
    ),
    (
        r"\partial C_x / \partial b_l = \delta_l",
        r"\partial C_x / \partial b_l: db1; \delta_l: "
        r"(W2.T @ db2) * sigmoid_prime(z1)",
    ),
    (
        r"\partial C_x / \partial W_l = \delta_l\, a_{l-1}^\top",
        r"\partial C_x / \partial W_l: dW2; \delta_l: db2; a_{l-1}: a1",
    ),
    (
        r"C = \frac{1}{m} \sum_x C_x",
        r"x: range(4); m: 4; C_x: G[x, 0]; = G[:, 0].mean()",
    ),
    (
        r"W_l \leftarrow W_l - \eta\, \partial C / \partial W_l",
        r"W_l: W2; \partial C / \partial W_l: dW2; \eta: 0.5; "
        r"= ref.backprop.step([(W2, b2)], [(dW2, db2)], 0.5)[0][0]",
    ),
    (
        r"\quad b_l \leftarrow b_l - \eta\, \partial C / \partial b_l",
        r"b_l: b2; \partial C / \partial b_l: db2; \eta: 0.5; "
        r"= ref.backprop.step([(W2, b2)], [(dW2, db2)], 0.5)[0][1]",
    ),
    # Activations
    (r"\sigma(z) = \dfrac{1}{1 + e^{-z}}", ""),
    (r"\sigma(z)\,(1 - \sigma(z))", r"= ref.activations.sigmoid_prime(z)"),
    (r"\tanh z = \dfrac{e^z - e^{-z}}{e^z + e^{-z}}", ""),
    (r"1 - \tanh^2 z", r"= ref.activations.tanh_prime(z)"),
    (r"\operatorname{relu}(z) = \max(0, z)", ""),
    (r"\operatorname{gelu}(z) = z\, \Phi(z)", ""),
    (r"\Phi(z) + z\, \varphi(z)", r"= ref.activations.gelu_prime(z)"),
    (r"\operatorname{silu}(z) = z\, \sigma(z)", ""),
    (
        r"\sigma(z)\,\bigl(1 + z (1 - \sigma(z))\bigr)",
        r"= ref.activations.silu_prime(z)",
    ),
    (r"\Phi(z) = \tfrac12 \bigl(1 + \operatorname{erf}(z / \sqrt2)\bigr)", ""),
    (r"\varphi(z) = e^{-z^2/2} / \sqrt{2 \pi}", ""),
    # Softmax
    (
        r"\operatorname{softmax}(z)_i = \dfrac{e^{z_i - \max z}}"
        r"{\sum_j e^{z_j - \max z}} = \dfrac{e^{z_i}}{\sum_j e^{z_j}}",
        r"z: u; i: 1",
    ),
    (
        r"p_i = \operatorname{softmax}(z / T)_i",
        r"z: u; i: 3; T: 0.7; "
        r"p_i: ref.sampling.softmax_with_temperature(u, 0.7)[3]",
    ),
    (
        r"\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\bigl("
        r"Q K^\top / \sqrt{d_k}\bigr)\, V",
        r"Q: Q; K: K; V: V; d_k: 2; "
        r"\operatorname{Attention}: "
        r"lambda Q, K, V: ref.attention.attention(Q, K, V)[0]",
    ),
    (r"T^2", r"T: 7; = ref.attention.attention_cost(7)"),
    # Bigrams, vectors
    (
        r"P(b \mid a) = \dfrac{N_{ab} + s}{\sum_c (N_{ac} + s)}",
        r"P(b \mid a): ref.bigram.probabilities(N, 0.5)[0, 2]; "
        r"N_{ab}: N[0, 2]; N_{ac}: N[0, c]; c: range(3); s: 0.5",
    ),
    (
        r"\cos(u, v) = \dfrac{u \cdot v}{\lVert u \rVert\, \lVert v \rVert}",
        r"\cos: ref.vectors.cosine; u: u; v: v",
    ),
    # Initialization
    (
        r"\operatorname{Var}(W) = \dfrac{2}{n_\text{in} + n_\text{out}}",
        r"\operatorname{Var}(W): ref.init.xavier_variance(3, 5); "
        r"n_\text{in}: 3; n_\text{out}: 5",
    ),
    (
        r"\operatorname{Var}(W) = \dfrac{2}{n_\text{in}}",
        r"\operatorname{Var}(W): ref.init.he_variance(3); n_\text{in}: 3",
    ),
    (r"c^2/3", r"= (2 * c) ** 2 / 12"),
    (
        r"c = g \sqrt{3 / n_\text{in}}",
        r"n_\text{in}: 3; g: np.sqrt(2 / (1 + 0.5 ** 2)); "
        r"= ref.init.kaiming_uniform_bound(3, 0.5)",
    ),
    (
        r"g = \sqrt{2 / (1 + a^2)}",
        r"= ref.init.kaiming_uniform_bound(1, a) / np.sqrt(3)",
    ),
    (
        r"\operatorname{Var}(W) = \dfrac{1}{3 n_\text{in}}",
        r"\operatorname{Var}(W): ref.init.pytorch_linear_variance(4); "
        r"n_\text{in}: 4",
    ),
    # Optimizers
    (
        r"v \leftarrow \mu v + g, \quad w \leftarrow w - \eta v",
        r"v: Q[:, 0]; g: K[:, 0]; w: V[:, 0]; \mu: 0.9; \eta: 0.1; "
        r'= ref.optim.sgd_momentum(V[:, 0], K[:, 0], {"v": Q[:, 0]}, 0.1, '
        r"0.9)[0]",
    ),
    (
        r"m \leftarrow \beta_1 m + (1 - \beta_1) g, \ v \leftarrow \beta_2 v + "  # noqa: E501
        r"(1 - \beta_2) g^2, \ \hat m = \dfrac{m}{1 - \beta_1^t}, \ \hat v = "
        r"\dfrac{v}{1 - \beta_2^t}, \ w \leftarrow w - \eta\, \dfrac{\hat m}"
        r"{\sqrt{\hat v} + \epsilon}",
        r"w: u; g: 2 * u; m: u / 3; v: u ** 2; t: 3; \beta_1: 0.9; "
        r"\beta_2: 0.99; \epsilon: 0.1; \eta: 0.01; "
        r'= ref.optim.adam(u, 2 * u, {"t": 2, "m": u / 3, "v": u ** 2}, '
        r"0.01, (0.9, 0.99), 0.1)[0]",
    ),
    (
        r"w \leftarrow (1 - \eta \lambda)\, w",
        r"w: u; \lambda: 0.1; \eta: 0.01; "
        r"= ref.optim.adamw(u, 0 * u, None, 0.01, weight_decay=0.1)[0]",
    ),
    # Regularization
    (
        r"\lambda \sum_l \sum_{ij} W_{l,ij}^2",
        r"notation: double sums over layers and entries",
    ),
    (
        r"2 \lambda W",
        r"W: W1; = ref.regularization.l2_penalty_grad(W1, lambda_)",
    ),
    # Scaling
    (
        r"L(N) = a\, N^{-\alpha}",
        r"N: 1e3; a: 2.0; "
        r"L: lambda N: ref.scaling.power_law(N, a, alpha)",
    ),
    (
        r"\log L = \log a - \alpha \log N",
        r"N: 1e3; L: ref.scaling.power_law(N, a, alpha)",
    ),
    (r"D / N", r"D: 2e11; N: 1e9; = ref.scaling.tokens_per_parameter(D, N)"),
    # GPT
    (
        r"12 d^2 + 13 d",
        r"d: 64; = ref.gpt.param_count(dict(n_layers=2, d_model=64, "
        r"n_heads=4, vocab=1, context=1)) / 2 - 2 * 64 / 2 - 2 * 64 / 2",
    ),
    (
        r"L (12 d^2 + 13 d) + V d + T d + 2 d",
        r"L: 3; d: 64; V: 50; T: 16; = ref.gpt.param_count(dict(n_layers=3, "
        r"d_model=64, n_heads=4, vocab=50, context=16))",
    ),
    (
        r"12 L d^2 + 2 V d",
        r"L: 3; d: 64; V: 50; = ref.gpt.lecture_total(dict(n_layers=3, "
        r"d_model=64, n_heads=4, vocab=50, context=16))[1]",
    ),
]


def marked_page():
    rows = "\n".join(
        f"| ${latex}$<!--% {body} --> |" for latex, body in MARKED
    )
    return SETUP + "\n| formula |\n|---|\n" + rows + "\n"


def test_the_marked_formulas_page_passes():
    text = marked_page()
    result = check_page("formulas-marked.md", text)
    assert result.problems == [], "\n".join(
        f"{p.line}: {p.message}" for p in result.problems
    )
    notation = sum(1 for _, b in MARKED if b.startswith("notation"))
    assert result.census.formulas == len(MARKED) - notation
    assert result.census.notation == notation


def test_formula_mutants_of_the_marked_page_are_caught():
    text = marked_page()
    report = PageReport(
        "formulas-marked.md",
        survivors=[],
        formulas=FormulaStats(),
        formula_survivors=[],
    )
    cache = {}
    assert check_page("formulas-marked.md", text, cache=cache).problems == []
    _mutate_formulas("formulas-marked.md", text, cache, report)
    stats = report.formulas
    survivors = [m.after for m in report.formula_survivors]
    assert stats.total > 150
    assert stats.caught / stats.total >= 0.99, survivors


if __name__ == "__main__":  # pragma: no cover - prints the survivors
    text = marked_page()
    report = PageReport("m.md", [], formulas=FormulaStats())
    report.formula_survivors = []
    cache = {}
    check_page("m.md", text, cache=cache)
    _mutate_formulas("m.md", text, cache, report)
    print(report.formulas)
    for m in report.formula_survivors:
        print(m.kind, m.after)

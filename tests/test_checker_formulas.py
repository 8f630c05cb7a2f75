r"""The formula checker: markers <!--% ... --> after $...$ formulas."""

import textwrap

import pytest
from conftest import load_file

from doccheck.formula import check_formula, parse_spec, python_name
from doccheck.run import check_page

FENCE = "```"


def check(text, **kw):
    return check_page("page.md", textwrap.dedent(text), **kw)


def problems(result):
    return [(p.line, p.message) for p in result.problems]


def holds(latex, body="", **names):
    outcome = check_formula(latex, body, names)
    return not outcome.problems, outcome


# --- formulas that hold, and the mutants that must not ---


@pytest.mark.parametrize(
    ("latex", "body"),
    [
        (r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))", ""),
        (r"\sigma(z) = \dfrac{1}{1 + e^{-z}}", ""),
        (r"\tanh z = \dfrac{e^z - e^{-z}}{e^z + e^{-z}}", ""),
        (r"1 - \tanh^2 z", "= ref.activations.tanh_prime(z)"),
        (
            r"\Phi(z) = \tfrac12 \bigl(1 + \operatorname{erf}(z / \sqrt2)\bigr)",  # noqa: E501
            "",
        ),
        (r"z = w \cdot x + b = \sum_i w_i x_i + b", ""),
        (r"\sum_{i=1}^{n} i = \frac{n (n + 1)}{2}", "n: 7"),
        # a product in a sum's body stays in the sum, however written
        (r"\sum_{i=1}^{n} i \times i = \frac{n (n + 1) (2n + 1)}{6}", "n: 7"),
        (r"12 d^2 + 13 d", "= 12 * d ** 2 + 13 * d"),
        (
            r"w \leftarrow (1 - \eta \lambda)\, w",
            r"\eta: 0.01; \lambda: 0.1; "
            "= ref.optim.adamw(w, 0 * w, None, 0.01, weight_decay=0.1)[0]",
        ),
        (r"a = b = c", "b: 2.0; c: 2.0"),
        (r"f''(w) \approx 2", r"f'': lambda w: 2 + 1e-8; tol: 1e-6"),
    ],
)
def test_formulas_that_hold(latex, body):
    ok, outcome = holds(latex, body)
    assert ok, outcome.problems
    assert outcome.checked > 0


@pytest.mark.parametrize(
    ("latex", "body"),
    [
        # the examples
        (
            r"13 d^2 + 13 d",
            "d: 64; = ref.gpt.param_count(dict(n_layers=1, d_model=64, "
            "n_heads=4, vocab=1, context=1)) - 4 * 64",
        ),
        (r"\sigma'(z) = \sigma(z)\,(1 + \sigma(z))", ""),
        (r"\varphi(z) = e^{-z^3/2} / \sqrt{2 \pi}", ""),
        (
            r"w \leftarrow (1 + \eta \lambda)\, w",
            r"\eta: 0.01; \lambda: 0.1; "
            "= ref.optim.adamw(w, 0 * w, None, 0.01, weight_decay=0.1)[0]",
        ),
        # every side of a chain is compared
        (r"a = b = c", "a: 2.0; b: 3.0; c: 2.0"),
        (r"a = b = c", "b: 2.0; c: 3.0"),
        (r"f''(w) \approx 2", r"f'': lambda w: 2.1; tol: 1e-3"),
    ],
)
def test_wrong_formulas_fail(latex, body):
    ok, outcome = holds(latex, body)
    assert not ok
    assert len(outcome.problems) == 1


def test_the_gpt_count_with_integer_sizes():
    body = (
        "d: 64; = ref.gpt.param_count(dict(n_layers=1, d_model=64, "
        "n_heads=4, vocab=1, context=1)) - 4 * 64"
    )
    assert holds(r"12 d^2 + 13 d", body)[0]
    assert not holds(r"12 d^2 + 14 d", body)[0]
    assert not holds(r"12 d^3 + 13 d", body)[0]


def test_index_notation_binds_page_arrays_and_evaluates_as_numpy():
    import numpy as np

    from ref.activations import sigmoid_prime

    rng = np.random.default_rng(0)
    W2 = rng.standard_normal((2, 3))
    d2, z1 = rng.standard_normal(2), rng.standard_normal(3)
    d1 = (W2.T @ d2) * sigmoid_prime(z1)
    body = r"W_{l+1}: W2; \delta_{l+1}: d2; z_l: z1; \delta_l: d1"
    names = dict(W2=W2, d2=d2, z1=z1, d1=d1)
    latex = r"\delta_l = (W_{l+1}^\top \delta_{l+1}) \odot \sigma'(z_l)"
    assert not check_formula(latex, body, names).problems
    wrong = latex.replace("^\\top", "")
    assert check_formula(wrong, body, names).problems
    outer = r"\partial C / \partial W = \delta\, a^\top"
    names = dict(d=d2, a=z1, g=np.outer(d2, z1))
    body = r"\partial C / \partial W: g; \delta: d; a: a"
    assert not check_formula(outer, body, names).problems


# --- the marker ---


def test_marker_parts():
    spec = parse_spec(r"W^{l+1}: W2; = f(x); tol: 1e-3")
    assert spec.bindings == [("W^{l+1}", "W2")]
    assert (spec.reference, spec.tol) == ("f(x)", 1e-3)
    assert parse_spec("notation: the symbols of a layer").notation


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("notation: x", "needs a reason"),
        ("= 1; = 2", "two '= ...'"),
        ("just words", "cannot read"),
        ("tol: small", "not a number"),
        (r"eta: 0.5", "names no symbol"),
        ("z: undefined_name", "raised NameError"),
        ("= 1 +", "raised SyntaxError"),
    ],
)
def test_bad_markers_give_one_line_messages(body, message):
    outcome = check_formula(r"\eta z = z \eta", body, {})
    assert len(outcome.problems) == 1
    assert message in outcome.problems[0]
    assert "\n" not in outcome.problems[0]


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (r"a > 0", "comparison"),
        (r"\partial C / \partial w = 1", "derivative"),
        (r"T \to 0", "limit"),
        (r"1, \dots, n", "ellipsis"),
        (r"\frobnicate{x} = 1", "not notation the checker knows"),
        (r"x = ", "ends too early"),
        (r"a = b", "states nothing"),
    ],
)
def test_formulas_it_cannot_evaluate_say_why(latex, message):
    outcome = check_formula(latex, "", {})
    assert len(outcome.problems) == 1, outcome.problems
    assert message in outcome.problems[0]


def test_python_names_of_symbols():
    assert python_name(r"\eta") == "eta"
    assert python_name(r"\hat m") == "m_hat"
    assert python_name(r"n_\text{in}") == "n_in"
    assert python_name(r"\beta_1") == "beta_1"
    assert python_name(r"\lambda") == "lambda_"
    assert python_name("f'") == "f_prime"


# --- on a page ---


def test_a_page_with_checked_formulas_passes_and_counts_them():
    result = check(rf"""
        {FENCE}python
        import numpy as np
        W2 = np.arange(6.0).reshape(2, 3)
        x = np.ones(3)
        {FENCE}

        The layer computes $z = W x$<!--% W: W2; x: x; = W2 @ x --> and
        $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$<!--% -->.

        $$
        \tanh z = \dfrac{{e^z - e^{{-z}}}}{{e^z + e^{{-z}}}}
        $$
        <!--% -->

        $x_i$<!--% notation: the entries of the input -->
        """)
    assert problems(result) == []
    assert (result.census.formulas, result.census.notation) == (3, 1)


def test_a_wrong_formula_fails_at_its_line():
    result = check(r"""
        Intro.

        The slope is $\sigma(z)\,(1 + \sigma(z))$<!--%
        = ref.activations.sigmoid_prime(z) -->.
        """)
    assert [p.line for p in result.problems] == [4]
    assert "formula does not hold" in result.problems[0].message


def test_a_formula_marker_must_follow_a_formula():
    result = check("No formula here <!--% -->.\n")
    assert "does not follow a formula" in result.problems[0].message


def test_formula_markers_read_names_as_at_their_line():
    result = check(rf"""
        {FENCE}python
        k = 2.0
        {FENCE}

        $a = 2 b$<!--% a: k * b -->

        {FENCE}python
        k = 3.0
        {FENCE}

        $a = 3 b$<!--% a: k * b -->
        """)
    assert problems(result) == []


UNMARKED = r"""
    The mean is $\frac{1}{n} \sum_i x_i$ and $x$ is the input; also
    $a = b$.

    $$
    y
    $$
    """


def test_unmarked_formulas_pass_only_on_an_exempt_page(monkeypatch):
    import doccheck

    assert problems(check(UNMARKED)) != []
    monkeypatch.setitem(doccheck.FORMULAS_EXEMPT, "page.md", "a test page")
    assert problems(check(UNMARKED)) == []


def test_unmarked_stating_formulas_fail_when_the_page_requires_markers():
    page = "---\ndoccheck:\n  formulas: required\n---\n" + textwrap.dedent(
        UNMARKED
    )
    result = check_page("page.md", page)
    lines = sorted(p.line for p in result.problems)
    # the fraction with a sum, the equation, the display formula; not $x$
    assert lines == [6, 7, 9], problems(result)
    assert all("is not checked" in p.message for p in result.problems)


def test_every_page_requires_formula_markers():
    from doccheck import FORMULAS_EXEMPT, all_pages, formulas_required
    from doccheck.seeds import ROOT

    assert formulas_required("CONTRIBUTING.md", {})
    # The exemptions name real pages, each with a reason.
    pages = {p.relative_to(ROOT).as_posix() for p in all_pages(ROOT)}
    for page, reason in FORMULAS_EXEMPT.items():
        assert page in pages and len(reason) > 10, page
        assert not formulas_required(page, {})


def test_formula_markers_are_removed_for_the_reader():
    from doccheck.page import parse

    page = parse("p.md", "See $a = b$<!--% b: 1; a: 1 -->.\n")
    assert page.without_markers() == "See $a = b$.\n"


def test_the_hook_removes_formula_markers_from_included_html():

    hook = load_file("hooks/markers.py")
    html = "<p>$a$<!--% a: 1 --> and 3<!--= x --></p>"
    assert hook.on_page_content(html) == "<p>$a$ and 3</p>"


# --- formula mutants ---


def test_formula_variants_change_a_digit_a_sign_and_a_power():
    from doccheck.mutate import formula_variants

    got = {new for _, new in formula_variants(r"12 d^2 - 13 d")}
    assert got == {
        r"13 d^2 - 13 d",
        r"12 d^3 - 13 d",
        r"12 d^2 - 14 d",
        r"12 d^2 + 13 d",
    }
    got = {new for _, new in formula_variants(r"e^{-z} + a^t W^\top")}
    assert r"e^{z} + a^t W^\top" in got
    assert r"e^{-z} + a^{t + 1} W^\top" in got
    assert not any("top +" in g for g in got)


def test_formula_mutants_of_a_page_are_caught_without_running_it_again():
    from doccheck.mutate import mutate_page

    text = (
        f"{FENCE}python\nd = 64\n{FENCE}\n\n"
        "Each block has $12 d^2 + 13 d$<!--% d: d; = 12 * d**2 + 13 * d -->"
        " weights.\n"
    )
    report = mutate_page("page.md", text)
    assert report.formulas.total == 4
    assert report.formulas.caught == 4


def test_a_power_after_a_bracket_belongs_to_the_bracket_or_the_call():
    # b (y - x^2)^2 is b times the square; sigma(z)^2 squares the call.
    ok = check("$g = b\\,(y - x^2)^2$<!--% = b * (y - x**2)**2 -->\n")
    assert problems(ok) == []
    wrong = check("$g = b\\,(y - x^2)^2$<!--% = (b * (y - x**2))**2 -->\n")
    assert [m for _, m in problems(wrong)][0].startswith(
        "formula does not hold"
    )
    call = check(
        "$g = \\sigma(z)^2$<!--% = ref.activations.sigmoid(z)**2 -->\n"
    )
    assert problems(call) == []


def test_a_display_formula_may_end_its_sentence_with_a_full_stop():
    ok = check("$$\nz = w x + b.\n$$<!--% = w * x + b -->\n")
    assert problems(ok) == []
    wrong = check("$$\nz = w x + b.\n$$<!--% = w * x - b -->\n")
    assert problems(wrong) != []


def test_a_broken_binding_in_a_sum_is_reported_at_its_line():
    page = "Text.\n\n$s = \\sum_i x_i$<!--% x_i: (i +; s: 1 -->\n"
    found = problems(check(page))
    assert found and found[0][0] == 3, found
    assert "is not Python" in found[0][1]

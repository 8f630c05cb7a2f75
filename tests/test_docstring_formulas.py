"""The formulas that `ref`'s docstrings state in plain text.

The API reference page and the lessons' source listings show them, so
they are held to the pages' rule: evaluated against `ref`, or marked as
notation with a reason (src/doccheck/plainmath.py, docformulas.toml).
"""

from __future__ import annotations

import warnings

import pytest

from doccheck import plainmath as pm

MIN_KILL_RATE = 0.99


def _check(owner, text, **mark):
    formula = pm.Formula("src/ref/x.py", 1, owner, text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return pm.check(formula, pm.Mark(**mark) if mark else None)


def test_every_docstring_formula_is_evaluated_or_notation():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        checked, problems = pm.check_all()
    assert not problems, (
        "docstring formulas that are wrong or unmarked "
        "(fix the docstring, or add an entry to "
        "src/doccheck/docformulas.toml):\n  " + "\n  ".join(problems)
    )
    assert checked >= 50, f"only {checked} docstring formulas evaluated"


def test_mutated_docstring_formulas_are_caught():
    """A digit, a sign, a power or an operator changed in any evaluated
    formula fails its check."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per_module, survivors = pm.mutation_report()
    total = sum(t for t, _ in per_module.values())
    caught = sum(c for _, c in per_module.values())
    report = "\n".join(
        f"  {path}: {c}/{t}" for path, (t, c) in sorted(per_module.items())
    )
    assert total >= 150, f"only {total} mutants:\n{report}"
    assert caught / total >= MIN_KILL_RATE, (
        f"{caught}/{total} mutants caught:\n{report}\nsurvivors:\n  "
        + "\n  ".join(survivors)
    )


# --- red team: wrong formulas that must not pass -----------------------------


@pytest.mark.parametrize(
    "owner, text",
    [
        # a sign, a power, a factor: the three ways a hurried edit goes wrong
        (
            "ref.activations.sigmoid_prime",
            "sigma'(z) = sigma(z) * (1 + sigma(z))",
        ),
        ("ref.activations.tanh_prime", "tanh'(z) = 1 - tanh(z)**3"),
        ("ref.descent.f_prime", "f'(w) = (w - 3)"),
        # the right formula in the wrong function's docstring
        (
            "ref.activations.silu",
            "silu'(z) = sigma(z) * (1 + z * (1 - sigma(z)))",
        ),
        # a claim about one point
        ("ref.descent.f", "f(3) = 1"),
        # an "approximately" that is not close
        ("ref.activations.gelu", "gelu(z) ~ z * sigma(z)"),
    ],
)
def test_a_wrong_formula_fails(owner, text):
    problems = _check(owner, text)
    assert problems and "side 2 is" in problems[0], problems


def test_a_binding_that_retypes_the_formula_proves_nothing():
    problems = _check(
        "ref.init.xavier_variance",
        "Var(W) = 2 / (fan_in + fan_out)",
        bind={"Var(W)": "2 / (fan_in + fan_out)"},
    )
    assert problems and "nothing in it calls ref" in problems[0]


def test_a_definition_checks_nothing_and_says_so():
    problems = _check("ref.losses.linear_step", "y_hat = w x")
    assert problems and "it defines 'y_hat'" in problems[0]


def test_an_update_must_be_marked():
    problems = _check("ref.optim.adam", "w <- w - lr g")
    assert problems and "mark it as notation" in problems[0]


@pytest.mark.parametrize(
    "text, message",
    [
        ("sigma(z) = 1 / (1 + exp(-z)", "cannot read it: expected ')'"),
        ("sigma(z) = 1 / (1 + exp(-z)) $", "cannot read it: cannot read '$'"),
        ("P[i, j] = 1", "cannot read it: indexing"),
    ],
)
def test_an_unreadable_formula_is_one_line(text, message):
    problems = _check("ref.activations.sigmoid", text)
    assert problems and problems[0].startswith(message), problems
    assert "\n" not in problems[0]


def test_code_that_raises_is_reported_with_the_point():
    problems = _check(
        "ref.init.he_variance",
        "Var(W) = 2 / fan_in",
        bind={"Var(W)": "he_variance(fan_in)"},
    )  # fan_in drawn as a float: he_variance rejects it
    assert problems and problems[0].startswith("ValueError: fan_in")
    assert "(at fan_in=" in problems[0]


def test_a_formula_that_is_never_finite_fails():
    problems = _check("ref.activations.sigmoid", "sigma(z) = log(-1 - z**2)")
    assert problems and "finite at only 0" in problems[0]


def test_a_binding_must_name_a_piece_of_the_formula():
    problems = _check(
        "ref.activations.sigmoid",
        "sigma(z) = 1 / (1 + exp(-z))",
        bind={"sigma(x)": "sigmoid(x)"},
    )
    assert problems == ["binding 'sigma(x)' is not in the formula"]


def test_a_binding_matches_whole_names_only():
    # "n" must not be replaced inside "sin" or "n_in"
    assert pm.re.sub(pm._piece("n"), "N", "sin(n) + n_in + n'") == (
        "sin(N) + n_in + n'"
    )


def test_notation_is_never_evaluated():
    assert _check("ref.descent.f", "f(3) = 1", notation="names a case") == []


# --- the marks file ----------------------------------------------------------


@pytest.mark.parametrize(
    "entry, message",
    [
        ('"f(3) = 0" = { notation = "x" }', "'notation' needs a reason"),
        ('"f(3) = 0" = { bindings = {} }', "unknown field 'bindings'"),
        ('"f(3) = 0" = { tol = 0.5 }', "tol must be in"),
    ],
)
def test_a_bad_mark_is_a_clear_error(tmp_path, entry, message):
    toml = tmp_path / "marks.toml"
    toml.write_text(f'["ref.descent.f"]\n{entry}\n', encoding="utf-8")
    with pytest.raises(pm.PlainMathError, match=message):
        pm.load_marks(toml)


def test_a_stale_mark_is_reported(tmp_path):
    toml = tmp_path / "marks.toml"
    toml.write_text(
        pm.TOML.read_text(encoding="utf-8")
        + '\n["ref.descent.gone"]\n'
        + '"g(1) = 2" = { notation = "a removed formula" }\n',
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, problems = pm.check_all(toml=toml)
    assert problems == [
        "marks.toml: [ref.descent.gone] 'g(1) = 2' matches no formula in "
        "a docstring (edited or removed? update or drop the entry)"
    ]


def test_an_edited_formula_loses_its_mark(tmp_path):
    """The marks are keyed by the formula's text: editing a bound formula
    in a docstring leaves it unbound, and its old entry stale."""
    root = tmp_path / "ref"
    root.mkdir()
    (root / "losses.py").write_text(
        'def sse(y_hat, y):\n    """`SSE = sum_i (y_hat_i - y_i)**3`."""\n',
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _, problems = pm.check_all(root=root)
    assert any(
        p.startswith("src/ref/losses.py:2: `SSE = sum_i (y_hat_i - y_i)**3`")
        and "it defines 'SSE'" in p
        for p in problems
    ), problems
    assert any(
        "'SSE = sum_i (y_hat_i - y_i)**2' matches no" in p for p in problems
    )


# --- finding the formulas ----------------------------------------------------


def test_formulas_are_found_with_their_line(tmp_path):
    root = tmp_path / "ref"
    root.mkdir()
    (root / "m.py").write_text(
        '"""Module: `a = b`."""\n\n\n'
        "def f(z):\n"
        '    """One line.\n\n'
        "    Then `f(z) = z**2`, and `z == 0` (a test, not a claim),\n"
        '    and ``g(z) ~ 1`` in double backticks.\n    """\n\n\n'
        "class C:\n"
        "    def method(self):\n"
        '        """`x <- x + 1`."""\n',
        encoding="utf-8",
    )
    found = [(f.line, f.owner, f.text) for f in pm.formulas(root)]
    assert found == [
        (1, "ref.m", "a = b"),
        (7, "ref.m.f", "f(z) = z**2"),
        (8, "ref.m.f", "g(z) ~ 1"),
        (14, "ref.m.C.method", "x <- x + 1"),
    ]


def test_variants_change_digits_signs_powers_and_operators():
    kinds = [k for k, _ in pm.variants("f(x) = -2 * x**k / (1 + x)")]
    assert kinds.count("digit") == 2
    assert kinds.count("sign") == 2
    assert kinds.count("power") == 1
    assert kinds.count("operator") == 2
    assert ("sign", "f(x) = 2 * x**k / (1 + x)") in pm.variants(
        "f(x) = -2 * x**k / (1 + x)"
    )
    assert ("power", "f(x) = -2 * x**(k + 1) / (1 + x)") in pm.variants(
        "f(x) = -2 * x**k / (1 + x)"
    )

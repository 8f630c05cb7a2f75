"""The docs checker's own tests: each failure kind, and pages that pass."""

import textwrap

import pytest

from doccheck.numbers import ValueProblem, flatten, matches, render
from doccheck.run import check_page

FENCE = "```"


def check(text, **kw):
    return check_page("page.md", textwrap.dedent(text), **kw)


def check_values(text, **values):
    """Check `text` after a fence that defines `values` as names."""
    setup = "".join(f"{k} = {v!r}\n" for k, v in values.items())
    return check(f"{FENCE}python\n{setup}{FENCE}\n\n{text}")


def messages(result):
    return [(p.line, p.message) for p in result.problems]


def only_problem(result):
    assert len(result.problems) == 1, messages(result)
    return result.problems[0]


GOOD = f"""\
    # A page

    {FENCE}python
    from ref.activations import sigmoid
    a = sigmoid(1.0)
    print(f"{{a:.4f}}")
    {FENCE}

    {FENCE}text title="Output"
    0.7311
    {FENCE}

    It gives 0.731<!--= a --> and GPT-3 has 96<!--given: the paper --> layers.
    """


def test_a_correct_page_passes_and_is_counted():
    result = check(GOOD)
    assert result.problems == []
    c = result.census
    assert (c.fences, c.executed, c.outputs, c.checked, c.given) == (
        1,
        1,
        1,
        1,
        1,
    )


# --- code ---


def test_a_fence_that_raises_fails_at_the_raising_line():
    result = check(f"""\
        {FENCE}python
        x = 1
        y = x / 0
        {FENCE}
        """)
    problem = only_problem(result)
    assert problem.line == 3
    assert "ZeroDivisionError" in problem.message


def test_an_error_inside_ref_names_the_page_line_and_the_ref_line():
    result = check(f"""\
        {FENCE}python
        from ref.layers import dense
        dense([[1.0, 2.0]], [1.0], [0.0])
        {FENCE}
        """)
    problem = only_problem(result)
    assert problem.line == 3
    assert "x must have 2 entries" in problem.message
    assert "ref/layers.py:" in problem.message


def test_later_fences_are_reported_as_not_run():
    result = check(f"""\
        {FENCE}python
        raise RuntimeError("boom")
        {FENCE}

        {FENCE}python
        print("never")
        {FENCE}
        """)
    assert [p.line for p in result.problems] == [2, 5]
    assert "not run" in result.problems[1].message
    assert result.census.executed == 0


def test_a_syntax_error_is_reported_at_its_line():
    result = check(f"""\
        text

        {FENCE}python
        x = (
        {FENCE}
        """)
    assert "SyntaxError" in only_problem(result).message


def test_output_mismatch_shows_a_diff():
    result = check(f"""\
        {FENCE}python
        print(1 + 1)
        {FENCE}

        {FENCE}text title="Output"
        3
        {FENCE}
        """)
    problem = only_problem(result)
    assert problem.line == 6
    assert "-3" in problem.message and "+2" in problem.message


def test_printing_without_an_output_block_fails():
    result = check(f"""\
        {FENCE}python
        print("hidden")
        {FENCE}
        """)
    assert (
        "prints output but the page shows no" in only_problem(result).message
    )


def test_an_output_block_with_no_code_before_it_fails():
    result = check(f"""\
        Some text.

        {FENCE}text title="Output"
        42
        {FENCE}
        """)
    assert only_problem(result).message.startswith(
        "output block has no python fence"
    )


def test_a_plain_text_fence_fails():
    result = check(f"""\
        {FENCE}
        0.5
        {FENCE}
        """)
    assert "a text fence must be the output" in only_problem(result).message


def test_an_unclosed_fence_fails_at_its_opening_line():
    result = check(f"""\
        Intro.

        {FENCE}python
        print(1)
        """)
    problem = only_problem(result)
    assert (problem.line, problem.message) == (
        3,
        "fence ```python is never closed",
    )


def test_fences_inside_admonitions_run():
    result = check(f"""\
        !!! note
            {FENCE}python
            print(6 * 7)
            {FENCE}

            {FENCE}text title="Output"
            41
            {FENCE}
        """)
    assert "+42" in only_problem(result).message


def test_a_code_line_wider_than_a_phone_fails():
    long_line = "x = " + " + ".join(["1"] * 40)
    result = check(f"{FENCE}python\n{long_line}\n{FENCE}\n")
    problem = only_problem(result)
    assert problem.line == 2
    assert f"code line is {len(long_line)} characters long" in problem.message


def test_listing_fences_are_counted_not_run():
    result = check(f"""\
        {FENCE}python
        --8<-- "src/ref/activations.py"
        {FENCE}
        """)
    assert result.problems == []
    assert (result.census.fences, result.census.listings) == (1, 1)


# --- numbers ---


def test_an_unmarked_number_fails():
    result = check("The answer is 42.\n")
    problem = only_problem(result)
    assert problem.line == 1
    assert "number 42 is not checked" in problem.message


@pytest.mark.parametrize(
    ("shown", "ok"),
    [
        ("0.881", True),
        ("0.882", False),
        ("0.88", True),
        ("0.9", True),
        ("1", True),
        ("0.8808", True),
    ],
)
def test_numbers_are_checked_at_the_precision_shown(shown, ok):
    result = check_values(f"Value {shown}<!--= v -->.\n", v=0.88079707)
    assert (result.problems == []) == ok, messages(result)


def test_a_wrong_number_names_expected_and_got():
    result = check_values("Gives 0.882<!--= v -->.\n", v=0.88079707)
    assert "page shows 0.882" in only_problem(result).message
    assert "reads 0.881" in only_problem(result).message


@pytest.mark.parametrize(
    "text",
    [
        "Count 175,181,291,520<!--= big -->.",
        "Bias −7.81<!--= neg --> and -15<!--= int(2 * neg) -->.",
        "Tiny 9.5e-7<!--= quarter ** 10 -->.",
        "Pairs [0.881, 0.060]<!--= pair -->.",
        "Run 0.020 / 0.977 / 0.981 / 0.018<!--= four -->.",
        "Sum 1 × 0.5 + 2<!--= three -->.",
        "About 125M<!--= big / 1400 / 1e6 --> weights, 16x<!--= quarter * "
        "64 --> more, 50%<!--= 100 * quarter * 2 -->.",
        "Names like GPT-3, L1, BP1-BP4, x2 and 2D are not numbers.",
        "Math $\\sigma(z) = 1 / (1 + e^{-z})$<!--% --> holds small constants.",
        "Bold **0.5**<!--= quarter * 2 --> works.",
        "1. An ordered list item is not a number.",
        "A [link](https://example.com/2020/page-3.html) and `code 12`.",
    ],
)
def test_number_forms_that_pass(text):
    result = check_values(
        text + "\n",
        big=175181291520,
        neg=-7.8123,
        quarter=0.25,
        pair=[0.88079707, 0.06008665],
        four=[0.0201, 0.9771, 0.9809, 0.018],
        three=[1, 0.5, 2],
    )
    assert result.problems == [], messages(result)


def test_unicode_minus_is_compared_as_minus():
    assert only_problem(
        check_values("b = −7.82<!--= v -->\n", v=-7.8123)
    ).message.endswith("reads −7.81 at the precision shown")


def test_a_group_marker_needs_enough_numbers():
    result = check_values("Only [0.5]<!--= v -->.\n", v=[0.5, 0.2])
    assert (
        "gives 2 values but only 1 number(s)" in only_problem(result).message
    )


def test_numbers_left_over_in_a_group_are_unchecked():
    result = check_values("Values 3, 0.5<!--= v -->.\n", v=0.5)
    assert "number 3 is not checked" in only_problem(result).message


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("<!--= 1 + -->", "is not a valid expression"),
        ("<!--= missing_name -->", "uses an unknown name"),
        ("<!--= x / 0 -->", "raised ZeroDivisionError"),
        ("<!--= str(x) -->", "a marker must give a number"),
        ("<!--= x > 0 -->", "value is a bool"),
        ("<!--= 2 * 21 -->", "uses no name from the page's code"),
    ],
)
def test_bad_markers_fail_with_a_clear_message(marker, message):
    result = check_values(f"Value 1{marker}.\n", x=1.5)
    assert message in only_problem(result).message


def test_a_marker_must_follow_a_number():
    result = check("No number here <!--= x -->.\n")
    assert "does not follow a number" in only_problem(result).message


def test_a_decimal_in_math_fails():
    result = check("See $0.25^{10}$.\n")
    assert "inside math cannot be checked" in only_problem(result).message


def test_markers_see_the_names_of_the_fences_above_them():
    result = check(f"""\
        Intro claim 2<!--= x -->.

        {FENCE}python
        x = 1
        {FENCE}

        Here x = 1<!--= x -->.

        {FENCE}python
        x = 2
        {FENCE}

        Now x = 2<!--= x -->.
        """)
    assert result.problems == [], messages(result)


# --- front matter ---


def test_setup_in_front_matter_runs_first():
    result = check("""\
        ---
        doccheck:
          setup: |
            from ref.activations import sigmoid
        ---
        Value 0.7311<!--= sigmoid(1.0) -->.
        """)
    assert result.problems == []


MISSING_REQUIREMENT = """\
    ---
    doccheck:
      requires: [no_such_module_here]
    ---
    Value 3.
    """


def test_a_missing_requirement_skips_the_page(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    result = check(MISSING_REQUIREMENT)
    assert result.skipped == "needs no_such_module_here (not installed)"


def test_a_missing_requirement_fails_the_page_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = check(MISSING_REQUIREMENT)
    assert not result.skipped
    assert "no_such_module_here" in only_problem(result).message


def test_bad_front_matter_fails_at_its_line():
    result = check("---\nkey: [unclosed\n---\nText.\n")
    problem = only_problem(result)
    assert problem.line == 2
    assert "\n" not in problem.message


# --- update mode ---


def test_update_rewrites_outputs_and_numbers_only():
    page = f"""\
        {FENCE}python
        a = 0.125
        print(a * 2)
        {FENCE}

        {FENCE}text title="Output"
        old
        {FENCE}

        Half of it is 0.07<!--= a / 2 --> and −1.0<!--= -a * 8 -->.
        """
    result = check(page, update=True)
    assert len(result.problems) == 2
    updated = result.updated_text
    assert "0.25\n" in updated and "old" not in updated
    assert "0.06<!--= a / 2 -->" in updated
    assert check(updated).problems == []
    # A normal run returns no rewritten text.
    assert check(page).updated_text is None


# --- number formatting ---


@pytest.mark.parametrize(
    ("shown", "value", "expected"),
    [
        ("0.881", 0.88079707, "0.881"),
        ("0.060", 0.06008665, "0.060"),
        ("124,439,808", 124439808, "124,439,808"),
        ("9.5e-7", 0.25**10, "9.5e-7"),
        ("−7.81", -7.8123, "−7.81"),
        ("0.000", -1e-9, "0.000"),
        ("5", 4.6, "5"),
    ],
)
def test_render(shown, value, expected):
    assert render(shown, value) == expected
    assert matches(expected, value)


def test_flatten_rejects_complex_and_strings():
    with pytest.raises(ValueProblem):
        flatten(1 + 2j)
    with pytest.raises(ValueProblem):
        flatten(["0.5"])


# --- the given-number ratchet ---


@pytest.mark.parametrize(
    ("accepted", "given", "expected"),
    [
        (2, 2, None),
        (1, 2, "accepts 1: compute the new ones"),
        (3, 2, "lower its count in tests/given_numbers.toml from 3 to 2"),
        (None, 1, "accepts 0"),
    ],
)
def test_given_ratchet(tmp_path, accepted, given, expected):
    from types import SimpleNamespace

    from doccheck.plugin import _ratchet
    from doccheck.run import Census, Result

    (tmp_path / "tests").mkdir()
    line = "" if accepted is None else f'"p.md" = {accepted}\n'
    (tmp_path / "tests/given_numbers.toml").write_text("[pages]\n" + line)
    result = Result("p.md", census=Census(given=given))
    problems = _ratchet(SimpleNamespace(rootpath=tmp_path), "p.md", result)
    if expected is None:
        assert problems == []
    else:
        assert expected in only_problem(Result("p.md", problems)).message


# --- the command line (make check) ---


def test_command_line_reports_file_line_and_census(tmp_path, capsys):
    from doccheck.__main__ import main

    page = tmp_path / "page.md"
    page.write_text(
        f"{FENCE}python\nx = 0.25\n{FENCE}\n\nA quarter is 0.26<!--= x -->.\n"
    )
    assert main([str(page)]) == 1
    out = capsys.readouterr().out
    assert f"{page.as_posix()}:5: page shows 0.26" in out
    assert "FAILED: 1/1 fences run, 0 outputs and 1 numbers checked" in out
    assert main(["--update", str(page)]) == 0
    assert "0.25<!--= x -->" in page.read_text()
    assert main([str(tmp_path / "missing.md")]) == 1

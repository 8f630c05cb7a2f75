"""Tests for scripts/mutate_ref.py: a mutant meets every test that can
notice it.

The tool runs, for each mutant, only the tests that ran the mutant's
statement when the code was unmutated. That is sound only if "ran the
statement" is never under-counted: these tests try the ways it could be
(a short-circuited `or` on a later line, a fixture shared by several
tests, code run while a test file is imported).
"""

import ast
import textwrap
from pathlib import Path

import pytest
from conftest import load_file

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "mutate_ref.py"


@pytest.fixture(scope="module")
def mutate_ref():
    return load_file("scripts/mutate_ref.py", "mutate_ref")


def _span(mutate_ref, source, line):
    fn = ast.parse(textwrap.dedent(source)).body[0]
    return mutate_ref.statement_span(fn, line)


def test_span_of_a_condition_starts_at_its_first_line(mutate_ref):
    # `a or b` spread over lines 2-3: when a is true, line 3 never runs,
    # yet the mutant `or -> and` on line 3 changes the result.
    source = """\
        def f(a, b):
            if (a
                    or b):
                return 1
            return 0
    """
    assert list(_span(mutate_ref, source, 3)) == [2, 3]


def test_span_of_a_simple_statement_is_all_its_lines(mutate_ref):
    source = """\
        def f(a, b):
            total = (
                a
                + b
            )
            return total
    """
    assert list(_span(mutate_ref, source, 4)) == [2, 3, 4, 5]


def test_span_of_a_body_line_is_its_own_statement(mutate_ref):
    source = """\
        def f(a):
            if a > 0:
                a = a + 1
            for i in range(3):
                a = a * 2
            return a
    """
    assert list(_span(mutate_ref, source, 3)) == [3]
    assert list(_span(mutate_ref, source, 4)) == [4]  # not the loop body
    assert list(_span(mutate_ref, source, 5)) == [5]


def test_a_multiline_condition_mutant_carries_its_span(mutate_ref):
    (mutant,) = [
        m
        for m in mutate_ref.mutants_of("attention")
        if m.original.startswith("or K.shape[:-2]")
        and m.mutated.startswith("and")
    ]
    assert mutant.lines.start < mutant.line  # from the `if` line on
    assert mutant.line in mutant.lines


def test_in_round_matches_files_and_parametrized_functions(mutate_ref):
    tests = (str(ROOT / "tests" / "test_a.py"),)
    assert mutate_ref.in_round("tests/test_a.py::test_x[1-2]", tests)
    assert not mutate_ref.in_round("tests/test_b.py::test_x", tests)
    named = (str(ROOT / "tests" / "test_a.py") + "::test_x",)
    assert mutate_ref.in_round("tests/test_a.py::test_x", named)
    assert mutate_ref.in_round("tests/test_a.py::test_x[0.5]", named)
    assert not mutate_ref.in_round("tests/test_a.py::test_xy", named)
    assert not mutate_ref.in_round("tests/test_a.py::test_y", named)


@pytest.mark.slow
def test_reach_counts_shared_fixtures_and_imports(mutate_ref, tmp_path):
    """Two tests share a module fixture that runs sigmoid once, and a
    third test file calls sigmoid while it is imported: all of them
    reach sigmoid's lines, though only one test ran the fixture."""
    shared = ROOT / "tests" / "test_zz_reach_probe_shared.py"
    imported = ROOT / "tests" / "test_zz_reach_probe_import.py"
    shared.write_text(
        textwrap.dedent(
            """\
            import pytest
            from ref.activations import sigmoid

            @pytest.fixture(scope="module")
            def half():
                return sigmoid(0.0)

            def test_one(half):
                assert half == 0.5

            def test_two(half):
                assert half > 0

            def test_none():
                assert True
            """
        )
    )
    imported.write_text(
        "from ref.activations import sigmoid\n"
        "HALF = sigmoid(0.0)\n\n\n"
        "def test_constant():\n"
        "    assert HALF == 0.5\n"
    )
    try:
        mutate_ref.REACH.clear()
        mutate_ref.baseline([((str(shared), str(imported)), False)], 1)
    finally:
        shared.unlink()
        imported.unlink()
    (sigmoid,) = [
        m
        for m in mutate_ref.mutants_of("activations")
        if m.function == "sigmoid"
    ][:1]
    reach = set().union(
        *(mutate_ref.REACH.get(("activations", n), ()) for n in sigmoid.lines)
    )
    names = {nodeid.split("::")[-1] for nodeid in reach}
    assert names == {"test_one", "test_two", "test_constant"}

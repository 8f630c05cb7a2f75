"""How `make test` splits the suite between pytest-xdist workers."""

from conftest import work_unit


def test_a_page_and_its_mutation_test_share_a_unit():
    page = work_unit("docs/lessons/l08-backprop.md::page")
    mutants = work_unit(
        "tests/test_mutation.py::"
        "test_every_mutant_is_caught[docs/lessons/l08-backprop.md]"
    )
    assert page == mutants == "docs/lessons/l08-backprop.md"


def test_other_tests_go_with_their_file():
    assert work_unit("tests/test_lighthouse.py::test_lighthouse[home]") == (
        work_unit("tests/test_lighthouse.py::test_lighthouse[l08]")
    )
    assert work_unit("tests/test_mutation.py::test_number_variants[5-e]") == (
        "tests/test_mutation.py"
    )
    assert work_unit("tests/test_site.py::test_lean_pages") != work_unit(
        "tests/test_print.py::test_one_sheet"
    )

"""Isolation, limits and bad input: a page cannot escape, hang or crash
the checker, and every malformed input gives a one-line file:line error."""

import textwrap

import pytest
from conftest import load_file

from doccheck import isolate
from doccheck.isolate import check_isolated
from doccheck.run import check_page

FENCE = "```"


def run(text, **kw):
    return check_isolated("page.md", textwrap.dedent(text), **kw)[0]


def lines_and(result, words):
    hits = [p for p in result.problems if words in p.message]
    assert hits, [(p.line, p.message) for p in result.problems]
    return hits[0]


def test_a_fence_that_ends_the_process_fails_the_page():
    result = run(f"""\
        Intro.

        {FENCE}python
        import os
        os._exit(0)
        {FENCE}
        """)
    problem = lines_and(result, "process ended (exit code 0)")
    assert problem.line == 3


def test_sys_exit_is_an_error_of_the_fence():
    result = run(f"{FENCE}python\nimport sys\nsys.exit(0)\n{FENCE}\n")
    assert "SystemExit" in lines_and(result, "raised").message


def test_a_page_that_changes_directory_fails_and_cannot_affect_others():
    import os

    here = os.getcwd()
    result = run(f"{FENCE}python\nimport os\nos.chdir('/')\n{FENCE}\n")
    lines_and(result, "changed the working directory")
    assert os.getcwd() == here


@pytest.mark.parametrize(
    "code",
    [
        "import ref.activations\nref.activations.sigmoid = lambda z: 0.5",
        "import doccheck.numbers\ndoccheck.numbers.matches = "
        "lambda s, v: True",
        "import numpy\nnumpy.allclose = lambda *a, **k: True",
        "import builtins\nbuiltins.len = lambda x: 3",
    ],
)
def test_a_page_that_patches_ref_or_the_checker_fails(code):
    import numpy

    import ref.activations

    before = ref.activations.sigmoid, numpy.allclose
    result = run(f"{FENCE}python\n{code}\n{FENCE}\n")
    # (a patched builtin can break the page's process before it reports:
    # then the page fails as one that ended its process)
    assert any(
        "must not patch" in p.message or "process ended" in p.message
        for p in result.problems
    ), result.problems
    assert (ref.activations.sigmoid, numpy.allclose) == before


def test_front_matter_setup_cannot_patch_ref_either():
    result = run("""\
        ---
        doccheck:
          setup: |
            import ref.activations
            ref.activations.sigmoid = abs
        ---
        Text.
        """)
    lines_and(result, "must not patch")


def test_a_page_that_loops_forever_times_out_at_the_running_line():
    result = run(f"""\
        ---
        doccheck:
          timeout: 0.2
        ---
        {FENCE}python
        x = 1
        {FENCE}

        {FENCE}python
        while True:
            x += 1
        {FENCE}
        """)
    problem = lines_and(result, "ran longer than 0.2 s")
    assert problem.line in (10, 11)
    assert "fence at line 9" in problem.message


def test_a_page_that_ignores_the_interrupt_is_killed(monkeypatch):
    monkeypatch.setattr(isolate, "GRACE", 0.2)
    result = run(f"""\
        ---
        doccheck:
          timeout: 0.3
        ---
        {FENCE}python
        import signal
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass
        {FENCE}
        """)
    problem = lines_and(result, "was killed while running the fence")
    assert problem.line == 5


def test_the_pool_runs_pages_side_by_side_and_once():
    pool = isolate.Pool(workers=2)
    try:
        for i in range(4):
            pool.submit(
                f"p{i}.md",
                f"{FENCE}python\nx = {i}\n{FENCE}\n\nx is {i}<!--= x -->.\n",
            )
        results = [pool.result(f"p{i}.md")[0] for i in range(4)]
    finally:
        pool.close()
    assert all(r.problems == [] for r in results)
    assert [r.census.checked for r in results] == [1, 1, 1, 1]


def test_the_mutation_test_reuses_the_page_run():
    text = f"{FENCE}python\nx = 0.5\n{FENCE}\n\nHalf is 0.5<!--= x -->.\n"
    result, report = check_isolated("page.md", text, mutate=True)
    assert result.problems == []
    assert (report.total, report.caught) == (3, 3)


# --- output is capped ---


def test_huge_output_gives_a_short_report():
    result = check_page(
        "page.md", f"{FENCE}python\nprint('x' * 10_000_000)\n{FENCE}\n"
    )
    message = only_message(result)
    assert len(message) < 10_000
    assert "more characters" in message


def only_message(result):
    assert len(result.problems) == 1, result.problems
    return result.problems[0].message


# --- markers read the names as they were at their line ---


def test_a_later_in_place_change_does_not_reach_a_marker_above_it():
    result = check_page(
        "page.md",
        textwrap.dedent(f"""\
            {FENCE}python
            import numpy as np
            a = np.array([1.0, 2.0])
            {FENCE}

            First 1.0<!--= a[0] -->.

            {FENCE}python
            a *= 10
            {FENCE}

            Then 10<!--= a[0] -->.
            """),
    )
    assert result.problems == []


# --- bad input: one line at file:line, never a traceback ---


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ndoccheck: yes\n---\nText.\n", 2, "must be a mapping"),
        ("---\ndoccheck:\n  requires: numpy\n---\nText.\n", 3, "is not valid"),
        ("---\ndoccheck:\n  setup: 3\n---\nText.\n", 3, "is not valid"),
        ("---\ndoccheck:\n  retries: 3\n---\nText.\n", 3, "unknown option"),
        ("---\ndoccheck:\n  timeout: -1\n---\nText.\n", 3, "is not valid"),
        ("---\n- a\n---\nText.\n", 1, "must be a mapping"),
        ("---\nkey: [open\n---\n", 2, "not valid YAML"),
        ("---\ntitle: x\n", 1, "never closed"),
        (
            f"{FENCE}python\nx = 10**400\n{FENCE}\n\nBig 1e400<!--= x -->.\n",
            5,
            "cannot format",
        ),
        (
            f"{FENCE}python\nx = 1.0\n{FENCE}\n\nBig 1e400<!--= x -->.\n",
            5,
            "page shows 1e400",
        ),
        (f"{FENCE}python\n{FENCE}\n\nA [b](c) {FENCE}\n", None, None),
    ],
)
def test_malformed_pages_give_one_line_errors(text, line, words):
    result = check_page("page.md", text)
    if words is None:
        return  # it must simply not raise
    problem = result.problems[0]
    assert words in problem.message, result.problems
    assert problem.line == line
    assert "\n" not in problem.message
    assert "Traceback" not in problem.message


def test_empty_front_matter_and_a_bom_are_fine():
    assert check_page("p.md", "---\n---\nText.\n").problems == []
    bom = "\ufeff---\ntitle: Page 3\n---\nText.\n"
    assert check_page("p.md", bom).problems == []


def test_a_file_that_is_not_utf8_is_reported_at_its_line(tmp_path):
    from doccheck.source import read_page

    page = tmp_path / "p.md"
    page.write_bytes(b"# Title\n\nCaf\xe9 au lait.\n")
    text, problem = read_page(page)
    assert (problem.line, text) == (3, "")
    assert "byte 0xe9 at column 4 is not UTF-8" in problem.message


def test_the_command_line_reports_a_bad_file_without_a_traceback(
    tmp_path, capsys
):
    from doccheck.__main__ import main

    page = tmp_path / "p.md"
    page.write_bytes(b"\xff\xfe bad")
    assert main([str(page)]) == 1
    assert ":1: byte 0xff" in capsys.readouterr().out


def test_requires_as_a_list_skips_outside_ci_and_fails_in_ci(monkeypatch):
    text = "---\ndoccheck:\n  requires: [no_such_module_x]\n---\nText.\n"
    monkeypatch.delenv("CI", raising=False)
    assert check_page("p.md", text).skipped
    monkeypatch.setenv("CI", "true")
    result = check_page("p.md", text)
    assert not result.skipped
    assert "CI installs every requirement" in result.problems[0].message


def test_the_build_hook_reports_the_source_line_after_front_matter(
    tmp_path,
):
    from types import SimpleNamespace

    from mkdocs.exceptions import PluginError

    hook = load_file("hooks/markers.py")
    source = "---\ntitle: T\n---\n\nText.\n\n```python\nx = 1\n"
    page_file = tmp_path / "p.md"
    page_file.write_text(source)
    markdown = "Text.\n\n```python\nx = 1\n"  # what MkDocs passes on
    page = SimpleNamespace(
        file=SimpleNamespace(src_uri="p.md", abs_src_path=str(page_file))
    )
    with pytest.raises(PluginError, match=r"docs/p\.md:7: fence"):
        hook.on_page_markdown(markdown, page)

r"""Red team: ways to get a wrong number past the docs checker.

Each case is a page that shows a reader a number (or a formula, or an
output) that is wrong or unchecked while trying to look checked. The
checker must report at least one problem for every one of them. Add a
case here for every new way found.
"""

import textwrap

import pytest

from doccheck.isolate import check_isolated
from doccheck.run import check_page

F = "```"
CODE = f"""\
{F}python
import numpy as np
from ref.activations import sigmoid
x = 0.8808
neg = -0.7311
big = 124_439_808
a = np.array([1.0, 2.0])
{F}

"""

# (name, page text after CODE); every one must fail.
IN_PROCESS = [
    ("wrong last digit", "It is 0.882<!--= x -->."),
    ("wrong first digit", "It is 1.881<!--= x -->."),
    ("dropped sign", "It is 0.731<!--= neg -->."),
    ("dropped unicode minus", "It is 0.7311<!--= neg -->."),
    ("en dash as minus", "z = \u20130.7311<!--= neg -->."),
    ("minus after approx sign", "about \u2248\u22120.73<!--= -neg -->."),
    ("minus after le sign", "z \u2264\u22120.73<!--= -neg -->."),
    ("fraction shown as percent", "It is 0.88%<!--= x -->."),
    ("percent with a space", "It is 0.88 %<!--= x -->."),
    ("billions from millions", "It has 124B<!--= big / 1e6 --> weights."),
    ("millions with no scale", "It has 124M<!--= big -->."),
    (
        "integer division keeps the check",
        "It has 125M<!--= big // 1_000_000 -->.",
    ),
    ("millions from billions", "It has 0.12M<!--= big / 1e9 --> weights."),
    ("glued unit", "It takes 5ms<!--= x -->."),
    ("unmarked ordinal", "The 3rd layer."),
    ("leading-dot decimal", "It is .88<!--= x -->."),
    ("vulgar fraction", "About \u00be of them."),
    ("list starting at 3", "Steps:\n\n3. first\n4. second\n"),
    ("number in a link title", 'See [it](https://a.b/c "Figure 3").'),
    ("number in an image title", '![plot](p.svg "0.88 at best")'),
    ("marker in a code span", "Shown as `0.881<!--= x -->`."),
    ("unmarked number in prose", "It is 0.881."),
    ("unmarked in a heading", "## Step 2\n"),
    ("unmarked in a table", "| a |\n|---|\n| 0.881 |\n"),
    ("unmarked in an admonition", "!!! note\n    It is 0.881.\n"),
    ("unmarked in image alt text", "![3 points](p.svg)"),
    ("unmarked in a footnote", "Text[^1].\n\n[^1]: 3 parts.\n"),
    ("unmarked en-dash range", "Pages 3\u20135."),
    ("wrong bold number", "It is **0.882**<!--= x -->."),
    ("decimal inside math", "It is $0.881$."),
    ("wrong thousands", "It has 124,439,809<!--= big -->."),
    ("wrong exponent", "It is 8.8e-2<!--= x -->."),
    (
        "constant times a name to the power 0",
        "It is 9.5e-7<!--= x ** 0 * 9.5e-7 -->.",
    ),
    ("group too short", "Both [1.0]<!--= a -->."),
    ("left-over group number", "Values 3, 1.0<!--= a[0] -->."),
    (
        "constant plus zero times",
        "It is 0.3689<!--= 0.3689 + 0*sigmoid(-1.0) -->.",
    ),
    ("zero times page name", "It is 0.37<!--= x * 0 + 0.37 -->."),
    ("constant only", "It is 0.37<!--= 0.37 -->."),
    ("lambda", "It is 0.37<!--= (lambda: 0.37)() + 0 * x -->."),
    ("file trick", "It is 3<!--= len(__file__) -->."),
    ("eval", 'It is 0.37<!--= eval("0.37") + x * 0 -->.'),
    ("walrus", "It is 0.37<!--= (y := 0.37) + x * 0 -->."),
    ("private attribute", "It is 1<!--= np._NoValue and 1 -->."),
    ("bool marker", "It is 1<!--= x > 0 -->."),
    ("string marker", "It is 1<!--= str(x) -->."),
    ("nan marker", "It is 0.5<!--= x * float('nan') -->."),
    ("infinite marker", "It is 1.0<!--= x * 1e400 -->."),
    ("marker far from number", "It is 0.881 roughly<!--= x -->."),
    (
        "hidden fence in a comment",
        f"<!--\n{F}python\nhidden = 0.5\n{F}\n-->\n\nHalf 0.5<!--= hidden -->.",  # noqa: E501
    ),
    (
        "output after a sentence",
        f'{F}python\ny = 2\n{F}\n\nIt prints:\n\n{F}text title="Output"\n'
        f"3\n{F}\n",
    ),
    ("console block as output", f"{F}console\n>>> x\n0.9\n{F}\n"),
    (
        "pycon titled Output",
        f'{F}python\nprint(2)\n{F}\n\n{F}pycon title="Output"\n3\n{F}\n',
    ),
    ("unknown language, not run", f"{F}rust\nlet x = 0.5;\n{F}\n"),
    (
        "attribute-form fence is run",
        f"{F}{{.python}}\nassert False, 'runs'\n{F}\n",
    ),
    (
        "wrong output",
        f'{F}python\nprint(x)\n{F}\n\n{F}text title="Output"\n0.8809\n{F}\n',
    ),
    ("printing without output", f"{F}python\nprint(x)\n{F}\n"),
    (
        "stale value read from a later fence",
        f"Later 10<!--= a[0] -->.\n\n{F}python\na *= 10\n{F}\n\n"
        "Here 1<!--= a[0] -->.\n",
    ),
    ("requires as a string", None),  # front matter cases below
]

FRONT = [
    (
        "requires as a string",
        "---\ndoccheck:\n  requires: numpy\n---\nIt is 3.\n",
    ),
    ("misspelt option", "---\ndoccheck:\n  requirs: [x]\n---\nText.\n"),
    ("scalar doccheck", "---\ndoccheck: true\n---\nIt is 3.\n"),
]

FORMULAS = [
    (
        "GPT block count 12 -> 13",
        "$13 d^2 + 13 d$<!--% d: 64; = ref.gpt.param_count(dict(n_layers=1, "
        "d_model=64, n_heads=4, vocab=1, context=1)) - 4 * 64 -->",
    ),
    (
        "sigmoid slope sign",
        "$\\sigma(z)\\,(1 + \\sigma(z))$<!--% = "
        "ref.activations.sigmoid_prime(z) -->",
    ),
    (
        "a square made a cube",
        "$\\varphi(z) = e^{-z^3/2} / \\sqrt{2 \\pi}$<!--% -->",
    ),
    (
        "AdamW decay sign",
        "$w \\leftarrow (1 + \\eta \\lambda)\\, w$<!--% \\eta: 0.01; "
        "\\lambda: 0.1; = ref.optim.adamw(w, 0 * w, None, 0.01, "
        "weight_decay=0.1)[0] -->",
    ),
    ("chain with a wrong middle", "$a = 2 b = 3 b$<!--% b: x -->"),
    ("binding that names nothing", "$\\eta x = x \\eta$<!--% eta: 0.5 -->"),
    ("notation without a reason", "$a = b$<!--% notation: x -->"),
    ("formula marker with no formula", "Nothing <!--% -->"),
    ("definition with nothing to compare", "$y = 2 x$<!--% -->"),
    ("unknown command", "$\\foo(x) = 1$<!--% -->"),
]

REQUIRED = "---\ndoccheck:\n  formulas: required\n---\n"


def _check(text):
    return check_page("page.md", text)


@pytest.mark.parametrize(
    "text",
    [t for _, t in IN_PROCESS if t is not None],
    ids=[n for n, t in IN_PROCESS if t is not None],
)
def test_a_wrong_or_unchecked_number_is_caught(text):
    result = _check(CODE + textwrap.dedent(text) + "\n")
    assert result.problems, "got past the checker"


@pytest.mark.parametrize(
    "text", [t for _, t in FRONT], ids=[n for n, _ in FRONT]
)
def test_front_matter_tricks_are_caught(text):
    result = _check(text)
    assert result.problems and not result.skipped


@pytest.mark.parametrize(
    "text", [t for _, t in FORMULAS], ids=[n for n, _ in FORMULAS]
)
def test_a_wrong_formula_is_caught(text):
    result = _check(CODE + text + "\n")
    assert result.problems, "got past the checker"


def test_an_unmarked_formula_is_caught_on_a_page_that_requires_markers():
    result = _check(REQUIRED + "The mean is $\\frac{1}{n} \\sum_i x_i$.\n")
    assert result.problems


@pytest.mark.parametrize(
    "code",
    [
        "import os\nos._exit(0)",
        "import os\nos.chdir('/')",
        "import ref.activations\nref.activations.sigmoid = abs",
        "import doccheck.numbers\ndoccheck.numbers.matches = lambda *a: True",
        "import doccheck.run\ndoccheck.run._check_numbers = lambda *a: None",
        "import signal, os\nos.kill(os.getpid(), signal.SIGKILL)",
    ],
    ids=[
        "exit",
        "chdir",
        "patch ref",
        "patch the comparison",
        "switch the number check off",
        "kill itself",
    ],
)
def test_escaping_the_checker_is_caught(code):
    text = f"{F}python\nx = 0.5\n{code}\n{F}\n\nHalf is 0.5<!--= x -->.\n"
    result, _ = check_isolated("page.md", text)
    assert result.problems
    # the same page without the escape passes: the escape is what fails
    clean = text.replace(code + "\n", "")
    assert check_isolated("page.md", clean)[0].problems == []


def test_an_endless_loop_is_caught():
    text = "---\ndoccheck:\n  timeout: 0.1\n---\n" + (
        f"{F}python\nwhile True:\n    pass\n{F}\n"
    )
    result, _ = check_isolated("page.md", text)
    assert result.problems


def test_there_are_at_least_fifty_cases():
    cases = (
        len([t for _, t in IN_PROCESS if t is not None])
        + len(FRONT)
        + len(FORMULAS)
        + 1  # the unmarked formula
        + 6  # escaping
        + 1  # the endless loop
    )
    assert cases >= 50

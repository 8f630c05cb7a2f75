"""scripts/audit_site.py: every number a reader sees is accounted for.

The slow test audits the strict build the session makes once
(``site_build`` from browser_support, shared with the other build
tests). The others run the audit on tiny hand-made HTML and SVG, and on
figures drawn by the real hook, so that each rule is seen to pass what it
should and to fail what it should. The "red team" tests each try a way a
hurried contributor could get a typed number onto the site; every one
must be reported.
"""

import json
import re
import sys
import time

import pytest
from browser_support import REPO, require_build

sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "hooks"))
import audit_site  # noqa: E402
from audit_site import audit_html, audit_search, audit_svg  # noqa: E402
from audit_site import audit_site as audit

PAGE = "lessons/x/index.html"
ENTRY = {"source": "docs/lessons/x.md", "checked": ["0.25"], "given": []}
REF = "reference/index.html"
REF_ENTRY = {"source": "docs/reference.md", "checked": [], "given": []}


def shown(problems):
    return [p[2] for p in problems]


def page(body, title="A page", description="About sigmoids."):
    return (
        f"<html><head><title>{title}</title>"
        f'<meta name="description" content="{description}"></head>'
        f"<body><article>{body}</article></body></html>"
    )


def katex(tex):
    """Math as hooks/katex.py writes it: MathML with the TeX, and HTML."""
    return (
        '<span class="arithmatex"><span class="katex">'
        '<span class="katex-mathml"><math><semantics><mrow><mn>9</mn>'
        f'</mrow><annotation encoding="application/x-tex">{tex}'
        "</annotation></semantics></math></span>"
        '<span class="katex-html" aria-hidden="true"><span class="mord">'
        "<span>9.99</span></span></span></span></span>"
    )


def docstring(heading_id, signature, body):
    """One object of the API reference as mkdocstrings writes it."""
    return (
        '<div class="doc doc-object doc-function">'
        f'<h3 id="{heading_id}" class="doc doc-heading">'
        f'<code class="highlight language-python">{signature}</code></h3>'
        f'<div class="doc doc-contents ">{body}</div></div>'
    )


# --- the built site --------------------------------------------------------


@pytest.mark.slow
def test_every_number_on_the_built_site_is_accounted_for(site_build):
    site = require_build(site_build)
    start = time.perf_counter()
    problems = audit(site)
    seconds = time.perf_counter() - start
    print(f"audit of the built site: {seconds:.2f} s")
    assert not problems, f"{len(problems)} unaccounted number(s):\n" + (
        "\n".join(
            f"{pg} | {where} | {num!r} in '{ctx}' | source {src}"
            for pg, where, num, ctx, src in problems
        )
    )


def test_the_site_audit_needs_the_build_record(tmp_path):
    (tmp_path / "index.html").write_text(page("<p>Hello.</p>"))
    with pytest.raises(FileNotFoundError, match="numbers.json"):
        audit(tmp_path)
    (tmp_path / ".audit").mkdir()
    (tmp_path / ".audit" / "numbers.json").write_text(
        json.dumps({"index.html": {"source": "docs/index.md",
                                   "checked": [], "given": []}})
    )  # fmt: skip
    (tmp_path / "index.html").write_text(page("<p>Eleven is 11.</p>"))
    assert shown(audit(tmp_path)) == ["11"]


def test_the_build_records_the_numbers_each_page_checks(tmp_path, monkeypatch):
    import markers

    import sitecache

    monkeypatch.setattr(sitecache, "CACHE", tmp_path / "cache")

    class File:
        src_uri = "lessons/x.md"
        dest_uri = PAGE
        abs_src_path = None

    class Page:
        file = File()

    text = (
        "It gives 0.731<!--= sigmoid(1.0) --> and 0.5, in "
        "2020<!--given: a year -->; $x^2$<!--% notation: a square -->.\n"
    )
    markers.on_pre_build()
    markers.on_page_markdown(text, Page())
    markers.on_post_build({"site_dir": str(tmp_path)})
    record = json.loads((tmp_path / ".audit/numbers.json").read_text())
    assert record == {
        PAGE: {"source": "docs/lessons/x.md", "checked": ["0.731"],
               "given": ["2020"]}
    }  # fmt: skip


# --- pages -----------------------------------------------------------------


def test_an_unchecked_number_fails_with_page_element_and_source():
    problems = audit_html(page("<p>Its maximum is 0.75.</p>"), ENTRY, PAGE)
    [(where, element, number, context, source)] = problems
    assert (where, element, number, source) == (
        PAGE, "text", "0.75", "docs/lessons/x.md"
    )  # fmt: skip
    assert context.endswith("Its maximum is 0.75.")


def test_a_checked_number_passes_and_only_as_often_as_recorded():
    ok = audit_html(page("<p>Its maximum is 0.25.</p>"), ENTRY, PAGE)
    assert ok == []
    twice = audit_html(page("<p>0.25 and again 0.25.</p>"), ENTRY, PAGE)
    assert shown(twice) == ["0.25"]


def test_a_checked_number_shown_with_other_text_fails():
    # the record says 0.25; the page shows 0.250 (or 0.26): not the same
    for text in ("0.250", "0.26", "25"):
        problems = audit_html(page(f"<p>It is {text}.</p>"), ENTRY, PAGE)
        assert shown(problems) == [text]


def test_a_given_number_passes():
    entry = {"source": "docs/x.md", "checked": [], "given": ["175,000"]}
    assert audit_html(page("<p>About 175,000 names.</p>"), entry, PAGE) == []


def test_code_and_small_integers_in_math_pass():
    body = (
        "<p><code>sigmoid(0.0) == 0.5</code></p>"
        "<pre><code>0.7310585786300049</code></pre>"
        f"<p>{katex('e^{-3} + x_{12}')}</p>"
    )
    assert audit_html(page(body), None, PAGE) == []


def test_non_claims_pass_and_glued_names_are_no_numbers():
    body = (
        "<p>Lesson L17, then GPT-3, BP1 to BP4, inputs x1 and x2, "
        "float64, W1, 3Blue1Brown, 2D and 3D.</p>"
    )
    assert audit_html(page(body), None, PAGE) == []


def test_titles_attributes_description_and_nav_are_audited():
    markup = (
        "<html><head><title>7 facts</title>"
        '<meta name="description" content="An 18-lesson course"></head>'
        '<body><nav class="md-nav">L3 Three 4 ways</nav>'
        '<img alt="a 5-neuron net" src="a.svg">'
        '<a title="9 more">x</a></body></html>'
    )
    problems = audit_html(markup, None, PAGE)
    assert {(p[1], p[2]) for p in problems} == {
        ("title", "7"),
        ("meta description", "18"),
        ("nav", "4"),
        ("img[alt]", "5"),
        ("a[title]", "9"),
    }


def test_html_in_a_tooltip_is_read_as_html():
    # a cross-reference's tooltip holds the signature as code: code passes,
    # text in it does not
    title = "&lt;code&gt;descend(grad, h=0.0001)&lt;/code&gt; peaks at 0.3"
    markup = page(f'<p><a title="{title}" href="#">descend</a></p>')
    problems = audit_html(markup, None, PAGE)
    assert [(p[1], p[2]) for p in problems] == [("a[title]", "0.3")]


def test_the_search_index_is_audited_with_the_page_record_and_code():
    docs = [
        {"location": "lessons/x/", "title": "X",
         "text": "<p>It is 0.25, <code>0.5</code> and 0.125.</p>"},
        {"location": "reference/#ref.bigram", "title": "ref.bigram",
         "text": "<p>It holds 340 names.</p>"},
    ]  # fmt: skip
    record = {PAGE: ENTRY, REF: REF_ENTRY}
    in_code = {PAGE: audit_site.collections.Counter(["0.125"])}
    problems = audit_search(docs, record, in_code)
    assert [(p[0], p[2], p[4]) for p in problems] == [
        ("search:reference/#ref.bigram", "340",
         "src/ref/bigram.py (ref.bigram)"),
    ]  # fmt: skip


# --- the API reference's docstrings ----------------------------------------


def test_a_docstring_number_names_its_module():
    body = docstring(
        "ref.activations.sigmoid_prime",
        "sigmoid_prime(z)",
        "<p>its maximum is 0.25</p>",
    )
    (problem,) = audit_html(page(body), REF_ENTRY, REF)
    assert problem[4] == (
        "src/ref/activations.py (ref.activations.sigmoid_prime)"
    )


def test_a_docstring_example_and_the_signature_pass():
    body = docstring(
        "ref.optim.adam",
        "adam(param, grad, state, lr=0.001, betas=(0.9, 0.999))",
        "<p><code>w &lt;- w - lr m_hat / (sqrt(v_hat) + eps)</code>, "
        "with <code>(1 - b1**t)</code>.</p>"
        "<pre><code>assert sigmoid_prime(0.0) == 0.25</code></pre>",
    )
    assert audit_html(page(body), REF_ENTRY, REF) == []


# --- red team: ways to get a typed number onto the site ---------------------


def test_red_team_a_number_in_a_docstring_in_backticks():
    # backticks make it code, but nothing runs a docstring's inline code
    for hidden in ("<code>0.25</code>", "<code>sigma'(0) = 0.25</code>",
                   "<code>340</code> names"):  # fmt: skip
        body = docstring("ref.activations.sigmoid_prime", "f(z)",
                         f"<p>its maximum is {hidden}</p>")  # fmt: skip
        problems = audit_html(page(body), REF_ENTRY, REF)
        assert [p[1] for p in problems] == ["docstring code"], hidden


def test_red_team_a_value_in_math():
    # the checker keeps math to small integers on pages; a docstring's or
    # a lab's math is not read by it
    for tex in (r"\sigma'(0) = 0.25", r"n = 340", r"10^{-7}"):
        problems = audit_html(page(f"<p>{katex(tex)}</p>"), None, PAGE)
        expected = [] if tex == r"10^{-7}" else [tex.split()[-1]]
        assert shown(problems) == expected, tex


def test_red_team_a_number_drawn_in_an_inline_svg():
    body = '<p><svg><text x="0" y="9">peak 0.25</text></svg></p>'
    assert shown(audit_html(page(body), None, PAGE)) == ["0.25"]


def test_red_team_a_number_in_superscripts_or_a_vulgar_fraction():
    # neither reads as digits; subscripts (names) and the ½ of one half do
    body = "<p>About 10⁶ names, ¾ of them long; w₁ is half: ½.</p>"
    assert shown(audit_html(page(body), None, PAGE)) == ["10⁶", "¾"]


def test_red_team_a_number_glued_to_a_word_with_a_hyphen():
    # doccheck reads "degree-9" as a name, like GPT-3; the audit does not
    problems = audit_html(page("<p>The degree-9 polynomial.</p>"), None, PAGE)
    assert shown(problems) == ["9"]


def test_red_team_a_nav_title_with_a_number(tmp_path):
    # mkdocs.yml's nav is on every page: a number in it must be checked on
    # every page, not only on the one whose record happens to hold it
    nav = '<nav class="md-nav">Training XOR in 500 epochs</nav>'
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a/index.html").write_text(page(nav + "<p>500 epochs</p>"))
    (tmp_path / "b/index.html").write_text(page(nav + "<p>Hello.</p>"))
    (tmp_path / "index.html").write_text(page("<p>Home.</p>"))
    record = {
        "a/index.html": {"source": "docs/a.md", "checked": ["500"],
                         "given": []},
        "b/index.html": {"source": "docs/b.md", "checked": [], "given": []},
    }  # fmt: skip
    (tmp_path / ".audit").mkdir()
    (tmp_path / ".audit/numbers.json").write_text(json.dumps(record))
    assert [(p[0], p[1], p[2]) for p in audit(tmp_path)] == [
        ("b/index.html", "nav", "500")
    ]


def test_red_team_a_description_in_front_matter():
    # a description: in the front matter is shown as the meta description
    markup = page("<p>Its slope is at most a quarter.</p>",
                  description="Its slope peaks at 0.25.")  # fmt: skip
    assert shown(audit_html(markup, None, PAGE)) == ["0.25"]
    # the first paragraph's math, written as text, is the page's math
    markup = page(f"<p>Descent on {katex('(w - 3)^2')}.</p>",
                  description="Descent on (w - 3)².")  # fmt: skip
    assert audit_html(markup, None, PAGE) == []


def test_a_description_writes_a_power_as_a_superscript():
    # hooks/lean.py writes the first paragraph's math as text: a power
    # that lost its caret would read as another number, (w - 3)2
    import lean

    assert lean.plain_tex(r"on $(w - 3)^2$ and $10^{-3}$") == (
        "on (w - 3)² and 10⁻³"
    )


def test_red_team_site_description_on_the_404_page(tmp_path):
    # mkdocs.yml's site_description is the meta description of the
    # theme's 404 page, which no docs page and no marker covers
    (tmp_path / ".audit").mkdir()
    (tmp_path / ".audit/numbers.json").write_text("{}")
    (tmp_path / "404.html").write_text(
        page(
            "<h1>404 - Not found</h1>", description="An 18-lesson course."
        )  # fmt: skip
    )
    assert [(p[0], p[1], p[2]) for p in audit(tmp_path)] == [
        ("404.html", "meta description", "18")
    ]


# --- figures ---------------------------------------------------------------


def svg(record=None, texts=(), ticks=()):
    """A figure's SVG as matplotlib writes it (text drawn as paths)."""
    meta = ""
    if record is not None:
        meta = (
            "<metadata><dc:description>"
            f"{audit_site.RECORD_PREFIX} {json.dumps(record)}"
            "</dc:description></metadata>"
        )
    parts = [
        f'<g id="xtick_{i}"><g id="text_{i}"><!-- {t} --></g></g>'
        for i, t in enumerate(ticks)
    ]
    parts += [
        f'<g id="text_{i + 50}"><!-- {t} --></g>' for i, t in enumerate(texts)
    ]
    return (
        f'<svg>{meta}<g id="figure_1"><g id="axes_1">'
        '<g id="matplotlib.axis_1">' + "".join(parts) + "</g></g></g></svg>"
    )


EMPTY = {"shown": [], "ticks": []}


def test_tick_labels_pass_and_typed_numbers_in_a_figure_fail():
    body = svg(EMPTY, ticks=["0.0", "0.5", "1.0", r"$\mathdefault{10^{-2}}$"],
               texts=["probability", "T = 0.5"])  # fmt: skip
    problems = audit_svg(body, "figures/t-light.svg", "src/sitefigures/x.py")
    assert problems == [
        ("figures/t-light.svg", "svg text", "0.5", "T = 0.5",
         "src/sitefigures/x.py")
    ]  # fmt: skip


def test_numbers_the_figure_computed_pass_as_recorded():
    record = {"shown": ["0.5", "2"], "ticks": []}
    ok = audit_svg(svg(record, texts=["T = 0.5", "T = 2"]), "f.svg", "x")
    assert ok == []
    # a number recorded as 0.5 but drawn as 0.50, or drawn twice, fails
    bad = audit_svg(
        svg(record, texts=["T = 0.50", "T = 2", "T = 2"]), "f", "x"
    )
    assert shown(bad) == ["0.50", "2"]


def test_a_figure_without_its_record_fails():
    (problem,) = audit_svg(svg(None, texts=["probability"]), "f.svg", "x")
    assert problem[1] == "svg record"


def test_hand_written_tick_labels_must_read_as_their_position():
    ticks = [[1.5, "1.5"], [1e6, "1e6"], [0.0, "4"], [1.0, "0.25"]]
    record = {"shown": ["4"], "ticks": ticks}
    problems = audit_svg(svg(record), "f.svg", "x")
    assert shown(problems) == ["0.25"]  # "4" at 0 was recorded by shown


def _draw(draw):
    """SVG text of a figure drawn by `draw(fig, ax)`, as the build does."""
    import figures as hook

    from sitefigures.style import LIGHT, figure, render

    def make(style):
        fig, ax = figure(style)
        draw(fig, ax)
        return fig

    return hook._render(render(make, LIGHT)).decode()


def test_red_team_a_typed_number_in_a_figure_title_legend_or_note():
    from ref.activations import sigmoid_prime
    from sitefigures.style import shown as record

    def typed(fig, ax):
        ax.plot([0, 1], [0, 1], label="slope 0.25")
        ax.set_title("peak 0.25")
        ax.annotate("0.25", (0.0, 0.25))
        ax.legend()

    problems = audit_svg(_draw(typed), "f.svg", "x")
    assert shown(problems) == ["0.25", "0.25", "0.25"]

    def computed(fig, ax):
        peak = sigmoid_prime(0.0)
        ax.plot([0, 1], [0, 1], label=f"slope {record(fig, peak)}")
        ax.set_title(f"peak {record(fig, peak)}")
        ax.legend()

    assert audit_svg(_draw(computed), "f.svg", "x") == []


def test_red_team_a_typed_tick_label():
    from matplotlib.ticker import FuncFormatter

    from sitefigures.style import shown as record

    def fixed(fig, ax):
        ax.plot([0, 1], [0, 1])
        ax.set_xticks([0.0, 1.0], ["0", "0.25"])  # 0 reads as its position

    def function(fig, ax):
        ax.plot([0, 1], [0, 1])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: "0.25"))

    assert shown(audit_svg(_draw(fixed), "f.svg", "x")) == ["0.25"]
    assert set(shown(audit_svg(_draw(function), "f.svg", "x"))) == {"0.25"}

    def honest(fig, ax):
        ax.plot([0, 1], [0, 1])
        ticks = [0.0, 0.5, 1.0]
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks])  # its own positions
        logits = [4.0, 2.5]
        ax.set_xticks([0, 1], [record(fig, z) for z in logits])

    assert audit_svg(_draw(honest), "f.svg", "x") == []


def test_red_team_shown_handed_a_literal(tmp_path):
    code = tmp_path / "src" / "sitefigures"
    code.mkdir(parents=True)
    (code / "x.py").write_text(
        "def draw(style):\n"
        "    fig, T = None, 0.5\n"
        "    a = shown(fig, T)\n"  # a computed value: passes
        "    b = shown(fig, 0.25)\n"
        "    c = style.shown(fig, -1e-3, '.0e')\n"
        "    d = shown(fig, value=2 * 0.5)\n"
    )
    problems = audit_site.typed_shown(tmp_path)
    assert [(p[0], p[2]) for p in problems] == [
        ("src/sitefigures/x.py:4", "0.25"),
        ("src/sitefigures/x.py:5", "-0.001"),
        ("src/sitefigures/x.py:6", "2 * 0.5"),
    ]


def test_no_figure_hands_shown_a_literal():
    assert audit_site.typed_shown() == []


def test_figure_code_records_what_it_draws_as_text():
    import figures as hook

    from sitefigures.language import draw_temperature
    from sitefigures.style import LIGHT, render

    body = hook._render(render(draw_temperature, LIGHT)).decode()
    assert audit_svg(body, "temperature-light.svg", "x") == []
    # the same figure without the numbers it recorded: its legends and its
    # tick labels (the logits, written by the figure code) are claims
    record = audit_site.figure_record(
        body.split("<dc:description>")[1].split("</dc:description>")[0]
    )
    assert record["shown"] and record["ticks"]
    unshown = {"shown": [], "ticks": record["ticks"]}
    empty = f"{audit_site.RECORD_PREFIX} {json.dumps(unshown)}"
    stripped = re.sub(
        r"(<dc:description>).*?(</dc:description>)",
        rf"\g<1>{empty}\g<2>",
        body,
        flags=re.S,
    )
    texts = {p[3].split()[0] for p in audit_svg(stripped, "t", "x")}
    assert texts == {"T", "logit", "4", "2.5", "0.5", "0.1"}


def test_a_lab_plot_may_show_only_numbers_of_the_lab_code():
    body = svg(texts=["eta = 0.1", "eta = 0.5"], ticks=["0", "2"])
    in_lab = audit_site.collections.Counter(["0.1"])
    problems = audit_site.audit_lab_plot(body, "labs/x/plot-1.svg",
                                         "docs/labs/x.py", in_lab)  # fmt: skip
    assert shown(problems) == ["0.5"]

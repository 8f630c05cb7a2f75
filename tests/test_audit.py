"""scripts/audit_site.py: every number a reader sees is accounted for.

The slow test audits the strict build (the session's ``site_build`` from
browser_support); the others run the audit on tiny hand-made HTML and
SVG, so that each rule is seen to pass what it should and to fail what it
should.
"""

import json
import sys

import pytest
from browser_support import REPO, require_build

sys.path.insert(0, str(REPO / "scripts"))
import audit_site  # noqa: E402
from audit_site import audit_html, audit_svg  # noqa: E402
from audit_site import audit_site as audit

PAGE = "lessons/x/index.html"
ENTRY = {"source": "docs/lessons/x.md", "checked": ["0.25"], "given": []}


def shown(problems):
    return [p[2] for p in problems]


def page(body, title="A page"):
    return (
        f"<html><head><title>{title}</title>"
        '<meta name="description" content="About sigmoids."></head>'
        f"<body><article>{body}</article></body></html>"
    )


@pytest.mark.slow
def test_every_number_on_the_built_site_is_accounted_for(site_build):
    problems = audit(require_build(site_build))
    assert not problems, f"{len(problems)} unaccounted number(s):\n" + (
        "\n".join(
            f"{pg} | {where} | {num!r} in '{ctx}' | source {src}"
            for pg, where, num, ctx, src in problems
        )
    )


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


def test_code_and_math_pass():
    body = (
        "<p><code>sigmoid(0.0) == 0.5</code></p>"
        "<pre><code>0.7310585786300049</code></pre>"
        '<p><span class="katex"><span class="katex-mathml"><math>'
        "<mn>0.25</mn></math></span>"
        '<span class="katex-html">0.25</span></span></p>'
        '<div class="arithmatex">\\(e^{-3.5}\\)</div>'
    )
    assert audit_html(page(body), None, PAGE) == []


def test_non_claims_pass():
    body = (
        "<p>Lesson L17, then GPT-3, BP1 to BP4, inputs x1 and x2, "
        "float64, Figure 2, Python 3.11, 2D and 3D.</p>"
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


def test_a_docstring_number_names_its_module():
    body = (
        '<h2 id="ref.activations.sigmoid_prime">sigmoid_prime</h2>'
        "<p>its maximum is 0.25</p>"
    )
    (problem,) = audit_html(page(body), None, "reference/index.html")
    assert problem[4] == (
        "src/ref/activations.py (ref.activations.sigmoid_prime)"
    )


def svg(description=None, texts=(), ticks=()):
    meta = (
        f"<metadata><dc:description>{description}</dc:description></metadata>"
        if description
        else ""
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


def test_tick_labels_pass_and_typed_numbers_in_a_figure_fail():
    body = svg(ticks=["0.0", "0.5", "1.0", r"$\mathdefault{10^{-2}}$"],
               texts=["probability", "T = 0.5"])  # fmt: skip
    problems = audit_svg(body, "figures/t-light.svg", "src/sitefigures/x.py")
    assert problems == [
        ("figures/t-light.svg", "svg text", "0.5", "T = 0.5",
         "src/sitefigures/x.py")
    ]  # fmt: skip


def test_numbers_the_figure_computed_pass_as_recorded():
    desc = audit_site.COMPUTED_PREFIX + ' ["0.5", "2"]'
    ok = audit_svg(svg(desc, texts=["T = 0.5", "T = 2"]), "f.svg", "x")
    assert ok == []
    # a number recorded as 0.5 but drawn as 0.50, or drawn twice, fails
    bad = audit_svg(svg(desc, texts=["T = 0.50", "T = 2", "T = 2"]), "f", "x")
    assert shown(bad) == ["0.50", "2"]


def test_figure_code_records_what_it_draws_as_text():
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "hooks"))
    import figures as hook

    from sitefigures.language import draw_temperature
    from sitefigures.style import LIGHT, render

    body = hook._render(render(draw_temperature, LIGHT)).decode()
    assert audit_svg(body, "temperature-light.svg", "x") == []
    # the same figure without its record: its legend numbers are claims
    stripped = body.replace(audit_site.COMPUTED_PREFIX, "(removed)")
    assert {p[3].split()[0] for p in audit_svg(stripped, "t", "x")} == {
        "T",
        "logit",
    }


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

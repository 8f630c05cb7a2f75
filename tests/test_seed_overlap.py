"""No page shares a run of seven words with the course's source notes."""

from pathlib import Path

import pytest

from doccheck import seeds

ROOT = Path(__file__).resolve().parents[1]
PROSE = sorted(
    [
        *ROOT.glob("docs/**/*.md"),
        *ROOT.glob("includes/*.md"),
        *ROOT.glob("docs/labs/*.py"),
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
    ]
)
PROSE = [p for p in PROSE if "assets" not in p.parts]


@pytest.mark.parametrize(
    "path", PROSE, ids=[p.relative_to(ROOT).as_posix() for p in PROSE]
)
def test_page_is_in_its_own_words(path):
    runs = seeds.shared_runs(path.read_text("utf-8"), seeds.load_hashes())
    rel = path.relative_to(ROOT).as_posix()
    assert not runs, "\n".join(
        f"{rel}:{line}: shares seven or more words with the source notes: "
        f"{phrase!r}; say it in the site's own words"
        for line, phrase in runs
    )


def test_a_copied_sentence_is_found_and_located(tmp_path):
    (tmp_path / "note.txt").write_text(
        "Training is a patient walk downhill across a misty landscape."
    )
    hashes = seeds.seed_hashes(tmp_path)
    page = (
        "# Title\n\nOur words here.\nSo training is a patient walk\n"
        "downhill across a foggy valley.\n"
    )
    assert seeds.shared_runs(page, hashes) == [
        (4, "training is a patient walk downhill across a")
    ]
    # Six shared words, numbers, code and comments do not count.
    ok = (
        "Training is a patient walk downhill, 3 times.\n"
        "`training is a patient walk downhill across a`\n"
        "<!-- training is a patient walk downhill across a -->\n"
    )
    assert seeds.shared_runs(ok, hashes) == []


@pytest.mark.skipif(
    not seeds.SEEDS.is_dir(), reason="the source notes are not beside the repo"
)
def test_the_hash_list_matches_the_source_notes():
    assert seeds.load_hashes() == seeds.seed_hashes(), (
        "tests/seed_ngrams.txt is out of date: run "
        "`python -m doccheck.seeds --refresh`"
    )

"""The built site: every internal link resolves, and builds repeat.

Uses the strict build made once per session by browser_support.
"""

import gzip
import os
import re
import subprocess
import sys

import pytest
from browser_support import REPO, require_build

sys.path.insert(0, str(REPO / "scripts"))
from check_links import check  # noqa: E402


@pytest.mark.slow
def test_internal_links_and_anchors_resolve(site_build):
    broken, _ = check(require_build(site_build))
    assert not broken, "\n".join(
        f"{p} -> {link}: {why}" for p, link, why in broken
    )


def test_the_link_checker_finds_a_broken_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a><a href="b/">gone</a>'
        '<a href="a/#here">ok</a><a href="a/#nowhere">bad</a>'
        '<a href="https://example.org/">elsewhere</a>'
    )
    (tmp_path / "a/index.html").write_text('<h2 id="here">Here</h2>')
    broken, external = check(tmp_path)
    assert broken == [
        ("index.html", "b/", "no such file"),
        ("index.html", "a/#nowhere", "no such anchor"),
    ]
    assert external == 1


LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def _normalised(path):
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    if path.name.startswith("sitemap.xml"):
        data = LASTMOD.sub(b"<lastmod/>", data)  # the build date
    return data


@pytest.mark.slow
def test_two_builds_are_identical_apart_from_the_date(site_build, tmp_path):
    first = require_build(site_build)
    if site_build.prebuilt:
        pytest.skip("TEST_SITE_DIR given: no fresh build to compare")
    second = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(second)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    files = sorted(
        p.relative_to(first) for p in first.rglob("*") if p.is_file()
    )
    assert files == sorted(
        p.relative_to(second) for p in second.rglob("*") if p.is_file()
    )
    differ = [
        str(f)
        for f in files
        if _normalised(first / f) != _normalised(second / f)
    ]
    assert differ == []

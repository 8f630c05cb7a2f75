"""hooks/serve.py and hooks/templates.py: fast, correct rebuilds."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import load_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def hook():
    module = load_file("hooks/serve.py")
    yield module
    module.on_startup(command="build", dirty=False)


def test_only_our_own_packages_are_forgotten(hook):
    modules = dict.fromkeys(
        ["ref", "ref.activations", "sitefigures.style", "doccheck.run",
         "numpy", "refine", "mkdocs.config"]
    )  # fmt: skip
    gone = hook.forget_own_modules(modules)
    assert sorted(gone) == [
        "doccheck.run", "ref", "ref.activations", "sitefigures.style"
    ]  # fmt: skip
    assert sorted(modules) == ["mkdocs.config", "numpy", "refine"]


def _config(site):
    class Config:
        site_dir = str(site)

    return Config()


def test_a_dirty_serve_builds_everything_after_an_input_changed(
    hook, tmp_path
):
    site = tmp_path / "site"
    site.mkdir()
    old_page = site / "index.html"
    hook.on_startup(command="serve", dirty=True)
    hook.on_pre_build(_config(site))  # the first build: nothing to clean
    old_page.write_text("old")
    hook._STATE.last_build = hook.newest_input() + 60  # nothing newer
    hook.on_pre_build(_config(site))
    assert old_page.exists()
    hook._STATE.last_build = hook.newest_input() - 60  # src/ edited since
    hook.on_pre_build(_config(site))
    assert not old_page.exists()


def test_a_build_is_left_alone(hook, tmp_path):
    (tmp_path / "index.html").write_text("built")
    hook.on_startup(command="build", dirty=True)
    hook._STATE.last_build = 0.0
    hook.on_pre_build(_config(tmp_path))
    assert (tmp_path / "index.html").exists()


def test_after_a_served_build_the_next_one_imports_afresh():
    # In a process of its own: forgetting `ref` here would hand later tests
    # new module objects.
    script = textwrap.dedent("""\
        import importlib.util, sys
        from mkdocs.config.config_options import Hooks
        spec = importlib.util.spec_from_file_location("h", "hooks/serve.py")
        hook = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(hook)
        import ref.activations, sitefigures.style
        Hooks._load_hook(Hooks("plugins"), "hooks/lean.py", "hooks/lean.py")
        assert Hooks._load_hook.cache_info().currsize == 1
        hook.on_startup(command="serve", dirty=True)
        hook.on_build_error(RuntimeError("a TeX error"))
        left = [m for m in sys.modules if m.startswith(("ref", "sitefig"))]
        print(left, Hooks._load_hook.cache_info().currsize)
    """)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["[]", "0"]


def test_theme_templates_are_compiled_once_per_source(tmp_path, monkeypatch):
    import jinja2

    hook = load_file("hooks/templates.py")
    monkeypatch.setattr(hook, "CACHE", tmp_path)
    (tmp_path / "t").mkdir()
    template = tmp_path / "t" / "page.html"
    template.write_text("<p>{{ 2 * n }}</p>")

    def env():
        e = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path / "t"))
        return hook.on_env(e, config=None, files=None)

    assert env().get_template("page.html").render(n=2) == "<p>4</p>"
    second = env()

    def compile_again(*args, **kwargs):
        raise AssertionError("compiled although the cache has it")

    monkeypatch.setattr(second, "compile", compile_again)
    assert second.get_template("page.html").render(n=3) == "<p>6</p>"
    template.write_text("<p>{{ 3 * n }}</p>")  # an edited override
    assert env().get_template("page.html").render(n=3) == "<p>9</p>"

"""The build cache: a key changes exactly when an input of the output does."""

import sitecache


def _tree(tmp_path, monkeypatch):
    ref = tmp_path / "src" / "ref"
    (ref / "data").mkdir(parents=True)
    (ref / "__init__.py").write_text("")
    (ref / "data" / "names.txt").write_text("ada\n")
    (ref / "a.py").write_text("from ref.b import g\n\ndef f(): return g()\n")
    (ref / "b.py").write_text("def g():\n    import ref.c\n    return 1\n")
    (ref / "c.py").write_text("X = 1\n")
    (ref / "d.py").write_text("Y = 2\n")
    (tmp_path / "lab.py").write_text("import numpy\nfrom ref.a import f\n")
    monkeypatch.setattr(sitecache, "ROOT", tmp_path)
    return ref


def test_imports_are_followed_through_ref(tmp_path, monkeypatch):
    _tree(tmp_path, monkeypatch)
    assert sitecache.ref_imports("lab.py") == (
        "src/ref/__init__.py",
        "src/ref/a.py",
        "src/ref/b.py",
        "src/ref/c.py",  # imported inside a function of b
        "src/ref/data",
    )


def test_the_key_moves_with_what_the_lab_uses_only(tmp_path, monkeypatch):
    ref = _tree(tmp_path, monkeypatch)

    def key():
        return sitecache.key("lab.py", common=sitecache.ref_imports("lab.py"))

    before = key()
    (ref / "d.py").write_text("Y = 3\n")  # not used by the lab
    assert key() == before
    (ref / "c.py").write_text("X = 2\n")  # used, two imports away
    assert key() != before
    changed = key()
    (ref / "data" / "names.txt").write_text("bob\n")  # data is always in
    assert key() != changed


def test_an_unreadable_module_counts_as_all_of_ref(tmp_path, monkeypatch):
    ref = _tree(tmp_path, monkeypatch)
    (ref / "b.py").write_text("def g(:\n")
    assert sitecache.ref_imports("lab.py") == ("src/ref",)

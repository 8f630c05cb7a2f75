"""tests/proofs.py: a long proof is skipped only at inputs it passed at."""

import proofs
import pytest


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(proofs, "PROOFS", tmp_path)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("REPROVE", raising=False)
    inputs = {"key": "a"}
    monkeypatch.setattr(proofs, "key", lambda *paths: inputs["key"])
    return inputs


def test_a_proof_that_passed_is_skipped_until_an_input_changes(store):
    proofs.proof("p", "tests/proofs.py").passed()
    with pytest.raises(pytest.skip.Exception, match="already proven"):
        proofs.proof("p", "tests/proofs.py")
    store["key"] = "b"  # a file of src/ref, or a library, changed
    assert isinstance(proofs.proof("p", "tests/proofs.py"), proofs.Proof)


def test_a_proof_that_failed_runs_again(store):
    proofs.proof("p", "tests/proofs.py")  # never reaches .passed()
    assert isinstance(proofs.proof("p", "tests/proofs.py"), proofs.Proof)


@pytest.mark.parametrize("variable", ["CI", "REPROVE"])
def test_ci_and_reprove_always_run_it(store, monkeypatch, variable):
    proofs.proof("p", "tests/proofs.py").passed()
    monkeypatch.setenv(variable, "1")
    assert isinstance(proofs.proof("p", "tests/proofs.py"), proofs.Proof)


def test_the_key_covers_ref_and_the_named_files():
    from sitecache import key

    assert key("tests/proofs.py") != key("tests/test_proofs.py")
    assert key("tests/proofs.py") != key("tests/proofs.py", common=())


def test_only_the_newest_marker_of_a_proof_is_kept(store, tmp_path):
    proofs.proof("p", "tests/proofs.py").passed()
    proofs.proof("p-2", "tests/proofs.py").passed()  # another proof
    store["key"] = "b"
    proofs.proof("p", "tests/proofs.py").passed()
    names = sorted(f.name.rsplit("-", 1)[0] for f in tmp_path.iterdir())
    assert names == ["p", "p-2"]

"""Tests for ref/tokenizer.py."""

import pytest

from ref.tokenizer import build_vocab, decode, encode

TEXT = "to be or not to be"


def test_vocab_is_sorted_distinct_characters():
    assert build_vocab(TEXT) == [" ", "b", "e", "n", "o", "r", "t"]


def test_encode_to_be():
    assert encode("to be", build_vocab(TEXT)) == [6, 4, 0, 1, 2]


def test_decode_inverts_encode():
    vocab = build_vocab(TEXT)
    assert decode([6, 4, 0, 1, 2], vocab) == "to be"


@pytest.mark.parametrize(
    "text", [TEXT, "hello, world", "aaa", "", "Ünïcødé ✓ 123"]
)
def test_round_trip(text):
    vocab = build_vocab(text + "xyz")
    ids = encode(text, vocab)
    assert len(ids) == len(text)
    assert all(0 <= i < len(vocab) for i in ids)
    assert decode(ids, vocab) == text


def test_ids_are_positions_in_vocab():
    vocab = build_vocab("cab")
    assert encode("abc", vocab) == [0, 1, 2]
    assert encode("cba", vocab) == [2, 1, 0]


def test_unknown_character_names_character_and_position():
    vocab = build_vocab(TEXT)
    with pytest.raises(ValueError, match=r"'z' at position 3"):
        encode("to z", vocab)


def test_decode_rejects_id_outside_vocab():
    vocab = build_vocab(TEXT)
    with pytest.raises(ValueError, match=r"7 at position 1"):
        decode([0, 7], vocab)
    with pytest.raises(ValueError, match=r"position 0"):
        decode([-1], vocab)


def test_decode_accepts_integral_floats_but_not_bools():
    vocab = build_vocab(TEXT)
    assert decode([6.0, 4], vocab) == "to"
    with pytest.raises(ValueError, match=r"integers, got True at position 1"):
        decode([6, True], vocab)
    with pytest.raises(ValueError, match=r"integers, got 1.5 at position 0"):
        decode([1.5], vocab)


def test_rejects_non_string_text():
    with pytest.raises(TypeError, match="text must be a str"):
        build_vocab(["t", "o"])

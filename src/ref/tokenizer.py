"""A character tokenizer: one token per character (lesson L13).

The vocabulary is `sorted(set(text))`, so a character's id is its
position in that sorted list:

```python
from ref.tokenizer import build_vocab, decode, encode

vocab = build_vocab("to be or not to be")
assert vocab == [" ", "b", "e", "n", "o", "r", "t"]
assert encode("to be", vocab) == [6, 4, 0, 1, 2]
assert decode([6, 4, 0, 1, 2], vocab) == "to be"
```
"""


def _check_text(name, text):
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    return text


def build_vocab(text):
    """vocab = sorted(set(text)): the distinct characters, in order."""
    return sorted(set(_check_text("text", text)))


def encode(text, vocab):
    """ids[i] = vocab.index(text[i]): each character becomes its id."""
    text = _check_text("text", text)
    stoi = {ch: i for i, ch in enumerate(vocab)}
    ids = []
    for position, ch in enumerate(text):
        if ch not in stoi:
            raise ValueError(
                f"text has character {ch!r} at position {position}, "
                f"which is not in the vocabulary"
            )
        ids.append(stoi[ch])
    return ids


def decode(ids, vocab):
    """text = ''.join(vocab[i] for i in ids): the inverse of `encode`."""
    chars = []
    for position, i in enumerate(ids):
        if isinstance(i, bool) or not float(i).is_integer():
            raise ValueError(
                f"ids must hold integers, got {i!r} at position {position}"
            )
        if not 0 <= i < len(vocab):
            raise ValueError(
                f"ids has {i!r} at position {position}, outside the "
                f"vocabulary of size {len(vocab)} (ids 0 to {len(vocab) - 1})"
            )
        chars.append(vocab[int(i)])
    return "".join(chars)

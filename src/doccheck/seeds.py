"""Find sentences copied from the course's source notes.

The site is written in its own words: no run of seven or more words may
be shared with the source notes (``../shared/seeds/*.txt``). The notes
themselves are not vendored (one of them is licensed CC BY-NC-SA); the
repository keeps only a hash of every seven-word run in them, in
``tests/seed_ngrams.txt``, which ``python -m doccheck.seeds --refresh``
rebuilds from the notes.
"""

import hashlib
import re
import sys
from pathlib import Path

N = 7
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
HASHES = ROOT / "tests" / "seed_ngrams.txt"

# Words only: numbers are facts, and facts may carry over.
WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.S | re.M)
COMMENT = re.compile(r"<!--.*?-->", re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


def words(text):
    """Lower-case words of `text` with their offsets: [(word, start)]."""
    return [
        (m.group().replace("’", "'"), m.start())
        for m in WORD.finditer(text.lower())
    ]


def _key(run):
    return hashlib.blake2b(" ".join(run).encode(), digest_size=8).hexdigest()


def seed_hashes(seed_dir=SEEDS):
    """The hash of every seven-word run in the notes under `seed_dir`."""
    found = set()
    for path in sorted(Path(seed_dir).glob("*.txt")):
        ws = [w for w, _ in words(path.read_text(encoding="utf-8"))]
        found.update(_key(ws[i : i + N]) for i in range(len(ws) - N + 1))
    return found


def load_hashes(path=HASHES):
    return set(Path(path).read_text(encoding="ascii").split())


def prose(text):
    """`text` with code and HTML comments blanked, offsets kept."""

    def blank(m):
        return re.sub(r"[^\n]", " ", m.group())

    text = FENCE.sub(blank, text)
    return CODE_SPAN.sub(blank, COMMENT.sub(blank, text))


def shared_runs(text, hashes):
    """[(line, phrase)] for each maximal run of `text` found in `hashes`."""
    ws = words(prose(text))
    hits = [
        i
        for i in range(len(ws) - N + 1)
        if _key([w for w, _ in ws[i : i + N]]) in hashes
    ]
    runs, out = [], []
    for i in hits:  # merge overlapping windows into one phrase
        if runs and i <= runs[-1][1]:
            runs[-1][1] = i + N
        else:
            runs.append([i, i + N])
    for a, b in runs:
        line = text.count("\n", 0, ws[a][1]) + 1
        out.append((line, " ".join(w for w, _ in ws[a:b])))
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--refresh"]:
        hashes = sorted(seed_hashes())
        HASHES.write_text("\n".join(hashes) + "\n", encoding="ascii")
        print(f"{len(hashes)} seven-word runs hashed into {HASHES}")
        return 0
    hashes, bad = load_hashes(), 0
    for name in argv:
        for line, phrase in shared_runs(Path(name).read_text("utf-8"), hashes):
            print(f"{name}:{line}: shares with the source notes: {phrase!r}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

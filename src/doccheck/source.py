"""Read a page's bytes into text, or say at which line they are bad."""

from doccheck.run import Problem


def read_page(path):
    """(text, None) or ("", Problem) for a file that is not UTF-8.

    A byte-order mark is dropped: editors add it, and it would hide the
    front matter's opening '---'.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return "", Problem(
            line,
            f"byte 0x{data[exc.start]:02x} at column {col} is not UTF-8: "
            "save the page as UTF-8",
        )
    return text.removeprefix("\ufeff"), None

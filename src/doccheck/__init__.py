"""The docs checker: runs every page's code and checks every number."""

from pathlib import Path

#: Where the pages are: every Markdown file under these folders (but not
#: under assets/), and these files, which the site includes by a snippet.
PAGE_DIRS = ("docs", "includes")
PAGE_FILES = ("CONTRIBUTING.md",)


def is_page(rel):
    """True if `rel`, a path relative to the repository root, is a page."""
    rel = Path(rel)
    if rel.as_posix() in PAGE_FILES:
        return True
    return (
        rel.suffix == ".md"
        and rel.parts[0] in PAGE_DIRS
        and "assets" not in rel.parts
    )


def all_pages(root):
    """Every page under the repository `root`, in a stable order."""
    root = Path(root)
    found = [p for d in PAGE_DIRS for p in sorted((root / d).rglob("*.md"))]
    found += [root / f for f in PAGE_FILES if (root / f).exists()]
    return [p for p in found if is_page(p.relative_to(root))]


#: Every formula that states something (display math, or inline math with
#: =, an approximation, an update, a fraction, a root, a sum or a product)
#: must carry a formula marker (``<!--% ... -->``), on every page. Pages
#: listed here are exempt for now, each with the reason; the list only
#: shrinks.
FORMULAS_EXEMPT = {}


def formulas_required(path, meta):
    """True if every stating formula of the page must be checked."""
    return Path(path).as_posix() not in FORMULAS_EXEMPT

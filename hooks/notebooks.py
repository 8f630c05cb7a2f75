"""MkDocs hook: lesson notebooks to download, and the executed labs.

- Every page under lessons/, topics/ and chapters/ that has code gets a
  notebook made from its own Markdown (`sitenotebooks.page_to_notebook`),
  served at notebooks/<page>.ipynb, and a download button at its top.
- Every lab, docs/labs/<name>.py in percent format, is run in this process
  (`sitenotebooks.lab_notebook`: no kernel to start) and handed to
  mkdocs-jupyter as labs/<name>.ipynb to render. A lab that raises fails
  the build with its cell and line. The executed notebook is kept in the
  build cache (`sitenotebooks.cached_lab_notebook`), which the lab tests
  share, so it is run again only when the lab, the parts of `ref` it
  imports or the runner change.
"""

import posixpath
import re
from pathlib import Path

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from sitecache import CACHE, write_atomic
from sitenotebooks import (
    LabError,
    cached_lab_notebook,
    cached_page_notebook,
    page_notebook_cache,
)

SECTIONS = ("lessons/", "topics/", "chapters/")
_notebooks = {}  # page src_uri -> notebook src_uri


def _has_code(text):
    return "```python" in text


@event_priority(100)  # before mkdocs-jupyter looks at the files
def on_files(files, config, **_):
    _notebooks.clear()
    cache = page_notebook_cache()  # its inputs hashed once per build
    for file in list(files):
        uri = file.src_uri
        if uri.endswith(".md") and uri.startswith(SECTIONS):
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            if not _has_code(text):
                continue
            nb = cached_page_notebook(f"docs/{uri}", text, cache)
            target = "notebooks/" + uri[:-3] + ".ipynb"
            files.append(File.generated(config, target, content=nb))
            _notebooks[uri] = target
        elif uri.startswith("labs/") and uri.endswith(".py"):
            files.remove(file)
            files.append(_run_lab(file, config))
    return files


def _run_lab(file, config):
    name = Path(file.src_uri).with_suffix(".ipynb").name
    try:
        nb = cached_lab_notebook(file.abs_src_path)
    except LabError as exc:
        raise PluginError(f"docs/{file.src_uri}: {exc}") from None
    # The executed notebook is the page's source. It is written where it
    # stays, and only when it changed, so that `mkdocs serve --dirty`
    # builds a lab's page again only when the lab's output changed.
    out_dir = CACHE / "site-labs"
    target = out_dir / "labs" / name
    text = nbformat.writes(nb)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
    return File(
        f"labs/{name}",
        str(out_dir),
        config["site_dir"],
        config["use_directory_urls"],
    )


def on_page_markdown(markdown, page, **_):
    target = _notebooks.get(page.file.src_uri)
    if target is None:
        return markdown
    link = posixpath.relpath(target, posixpath.dirname(page.file.src_uri))
    button = (
        f"[:material-download: Download as a notebook]({link})"
        '{ .md-button download title="This page as a Jupyter '
        'notebook" }\n\n'
    )
    # After the page's title, so the title stays the first heading.
    head, sep, rest = markdown.partition("\n")
    if head.startswith("# "):
        return f"{head}\n\n{button}{rest.lstrip()}"
    return button + markdown


# mkdocs-jupyter's template loads MathJax, and Mermaid when a notebook has
# diagrams, from a CDN. The site renders math with its own KaTeX and has
# no diagrams, so both blocks go; anything left from a CDN fails the build.
MATHJAX = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax "
    r"configuration -->",
    re.S,
)
MERMAID = re.compile(
    r'<script type="module">(?:(?!</script>).)*?mermaid'
    r".*?</script>",
    re.S,
)


def on_post_page(output, page, **_):
    if not page.file.src_uri.startswith("labs/"):
        return output
    output = MERMAID.sub("", MATHJAX.sub("", output))
    # mkdocs-jupyter copies the notebook beside the page (include_source);
    # Material has no place for it, so the button goes after the title.
    name = posixpath.basename(page.file.src_uri)
    button = (
        f'<p><a class="md-button" href="{name}" download>Download '
        "this lab as a notebook</a></p>"
    )
    output, found = re.subn(
        r"(<h1[^>]*>.*?</h1>)", r"\1" + button, output, count=1, flags=re.S
    )
    if not found:
        raise PluginError(
            f"{page.file.src_uri}: no title to put the download button after"
        )
    for word in ("cdnjs", "mathjax", 'import("http'):
        if word in output.lower():
            raise PluginError(
                f"{page.file.src_uri}: the rendered lab still "
                f"mentions {word!r}; update hooks/notebooks.py"
            )
    return output

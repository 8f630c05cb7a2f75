"""How much style and layout work a page costs the browser while it loads.

    python scripts/render_work.py SITE_DIR [--only glossary,l08] [--css FILE]

Lighthouse's performance score on a shared 2-core machine moves by 30
points from run to run: it scores time, and time depends on what else
runs. This script counts work instead, which does not depend on load:
it loads each page of scripts/lighthouse.py's list in Chromium (a
412 x 823 phone viewport, as Lighthouse's mobile preset), records a
trace, and prints

- the style recalculations: how many, and how many elements they
  restyled in all (a full recalculation restyles every element);
- the layouts: how many, and how many layout objects they laid out;
- the biggest of each, and which scripts forced them (a script that
  reads a size or a computed style while the page is dirty).

Use it to compare two builds, or one build with extra CSS (`--css`, a
stylesheet added to every page measured), before measuring the winner
with Lighthouse on an idle machine.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lighthouse import PAGES, serve  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.stack",
]


def _forcer(event):
    """'function (file:line)' of the script that forced this event."""
    stack = (event.get("args", {}).get("beginData") or {}).get("stackTrace")
    if not stack:
        return None
    top = stack[0]
    name = top.get("functionName") or "(anonymous)"
    url = top.get("url", "").rsplit("/", 1)[-1]
    return f"{name} ({url}:{top.get('lineNumber')})"


def work(events):
    """The figures of one page load's trace events."""
    styles = [
        e for e in events
        if e.get("name") == "UpdateLayoutTree" and e.get("ph") == "X"
    ]  # fmt: skip
    layouts = [
        e for e in events if e.get("name") == "Layout" and e.get("ph") == "X"
    ]
    restyled = [(e.get("args") or {}).get("elementCount") or 0 for e in styles]
    laid_out = [
        ((e.get("args") or {}).get("beginData") or {}).get("dirtyObjects") or 0
        for e in layouts
    ]
    forced = collections.Counter()
    pairs = [
        *zip(styles, restyled, strict=True),
        *zip(layouts, laid_out, strict=True),
    ]
    for event, size in pairs:
        if who := _forcer(event):
            forced[who] += size
    return {
        "style recalcs": len(styles),
        "elements restyled": sum(restyled),
        "biggest restyles": sorted(restyled, reverse=True)[:4],
        "layouts": len(layouts),
        "objects laid out": sum(laid_out),
        "biggest layouts": sorted(laid_out, reverse=True)[:4],
        "forced by": forced.most_common(4),
    }


def _add_css(css, route):
    """Serve the page with `css` at the end of its head, as if built so."""
    if route.request.resource_type != "document":
        route.continue_()
        return
    response = route.fetch()
    style = f"<style>{css}</style></head>"
    html = response.text().replace("</head>", style, 1)
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("content-encoding", "content-length")
    }
    route.fulfill(status=response.status, headers=headers, body=html)


def measure(site, pages, css=None):
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"]
            )
            for name, path, _ in pages:
                context = browser.new_context(
                    viewport={"width": 412, "height": 823},
                    device_scale_factor=1.75,
                    is_mobile=True,
                )
                page = context.new_page()
                if css:
                    page.route("**/*", functools.partial(_add_css, css))
                browser.start_tracing(page=page, categories=CATEGORIES)
                page.goto(base + path, wait_until="load")
                page.wait_for_timeout(2500)  # what the load sets off
                trace = browser.stop_tracing()
                context.close()
                results[name] = work(json.loads(trace)["traceEvents"])
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--only", help="page names, e.g. glossary,l08")
    parser.add_argument("--css", type=Path, help="a stylesheet to add")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site} has no index.html: build the site first")
    pages = PAGES
    if args.only:
        wanted = args.only.split(",")
        if unknown := set(wanted) - {name for name, _, _ in PAGES}:
            parser.error(f"no page named {', '.join(sorted(unknown))}")
        pages = [p for p in PAGES if p[0] in wanted]
    css = args.css.read_text(encoding="utf-8") if args.css else None
    results = measure(args.site.resolve(), pages, css)
    for name, figures in results.items():
        print(f"{name}:")
        for key, value in figures.items():
            print(f"  {key:<18} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

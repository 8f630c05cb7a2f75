"""Lighthouse over the built site, served as GitHub Pages serves it.

    python scripts/lighthouse.py [SITE_DIR] [--runs N] [--out DIR]

Serves SITE_DIR (default ``site``) on 127.0.0.1 with gzip and
``Cache-Control: max-age=600`` (what GitHub Pages sends; Python's
``http.server`` sends neither and makes every page look slower), runs npm's
``lighthouse`` (pinned in package.json) in Debian's Chromium with the mobile
preset over PAGES, and writes each JSON report and a summary
(``summary.json``, ``summary.md``) to ``artifacts/lighthouse/``. Scores move
a few points with the machine's load: with ``--runs N`` each page is run N
times and the best run is kept.

``tests/test_lighthouse.py`` (marker ``browser``) runs this and checks the
figures against the goals; this script only measures.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts" / "lighthouse"

# (name, path below the site root, kind): a lesson page has a tighter
# byte budget than the others.
PAGES = [
    ("home", "", "page"),
    ("l08", "lessons/l08-backprop/", "lesson"),
    ("l16", "lessons/l16-attention/", "lesson"),
    ("glossary", "glossary/", "page"),
    ("cheatsheet", "cheatsheet/", "page"),
    ("lab-descent", "labs/descent/", "page"),
    ("reference", "reference/", "page"),
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
COMPRESSIBLE = {
    ".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map",
    ".ipynb",
}  # fmt: skip
TYPES = {
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".js": "text/javascript",
    ".json": "application/json",
    ".ipynb": "application/x-ipynb+json",
}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with gzip and a cache lifetime, as GitHub Pages."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        **TYPES,
    }
    _cache: dict[tuple[str, float], bytes] = {}

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to dir/
        ext = os.path.splitext(path)[1].lower()
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if ext not in COMPRESSIBLE or not accepts or not os.path.isfile(path):
            return super().send_head()
        key = (path, os.path.getmtime(path))
        body = self._cache.get(key)
        if body is None:
            with open(path, "rb") as f:
                body = gzip.compress(f.read(), compresslevel=9, mtime=0)
            self._cache[key] = body
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        import io

        return io.BytesIO(body)


def serve(directory: Path):
    """Start serving `directory` on a free port; returns (server, url)."""
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def run_lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run (mobile, simulated throttling); the JSON report."""
    if not LIGHTHOUSE.exists():
        raise RuntimeError(
            f"{LIGHTHOUSE} is missing: npm ci (lighthouse is pinned in "
            "package.json)"
        )
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
        "--disable-background-networking --disable-component-update "
        "--no-first-run",
    ]
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=240
    )
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(
            f"lighthouse failed on {url} ({proc.returncode}):\n"
            f"{proc.stderr[-3000:]}"
        )
    return json.loads(out.read_text(encoding="utf-8"))


def figures(report: dict) -> dict:
    """The figures the goals are about, from one Lighthouse report."""
    audits = report["audits"]
    cats = report["categories"]

    def num(name):
        value = audits.get(name, {}).get("numericValue")
        return None if value is None else float(value)

    items = (
        audits.get("network-requests", {}).get("details", {}).get("items", [])
    )
    transferred = sum(i.get("transferSize") or 0 for i in items)
    return {
        "scores": {
            c: (
                None
                if cats[c]["score"] is None
                else round(100 * cats[c]["score"])
            )
            for c in CATEGORIES
        },
        "cls": num("cumulative-layout-shift"),
        "tbt_ms": num("total-blocking-time"),
        "lcp_ms": num("largest-contentful-paint"),
        "fcp_ms": num("first-contentful-paint"),
        "transferred_kib": round(transferred / 1024, 1),
        "requests": len(items),
        "failed": sorted(
            f"{name}: {a.get('title')}"
            for name, a in audits.items()
            if a.get("scoreDisplayMode")
            in ("binary", "numeric", "metricSavings")
            and a.get("score") is not None
            and a["score"] < 1
            and a.get("details", {}).get("type") != "debugdata"
        ),
    }


def better(a: dict | None, b: dict) -> dict:
    if a is None:
        return b
    return b if b["scores"]["performance"] > a["scores"]["performance"] else a


def measure(site: Path, runs: int = 1, out_dir: Path = ARTIFACTS, pages=PAGES):
    """Lighthouse over `pages` of the built `site`; the best of `runs`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    server, base = serve(site)
    results = {}
    try:
        for name, path, kind in pages:
            best = None
            for run in range(runs):
                report_path = out_dir / f"{name}-{run + 1}.json"
                report = run_lighthouse(base + path, report_path)
                best = better(best, figures(report))
            results[name] = {"path": "/" + path, "kind": kind, **best}
    finally:
        server.shutdown()
        server.server_close()
    (out_dir / "summary.json").write_text(json.dumps(results, indent=1))
    (out_dir / "summary.md").write_text(table(results))
    return results


def table(results: dict) -> str:
    head = (
        "| page | perf | a11y | best pr. | SEO | CLS | TBT ms | LCP ms "
        "| KiB |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []

    def fmt(value, spec):
        return "n/a" if value is None else format(value, spec)

    for name, r in results.items():
        s = r["scores"]
        rows.append(
            f"| {name} | {s['performance']} | {s['accessibility']} | "
            f"{s['best-practices']} | {s['seo']} | {fmt(r['cls'], '.3f')} | "
            f"{fmt(r['tbt_ms'], '.0f')} | {fmt(r['lcp_ms'], '.0f')} | "
            f"{r['transferred_kib']} |"
        )
    return head + "\n".join(rows) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="site", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ARTIFACTS)
    parser.add_argument(
        "--only", help="comma-separated page names, e.g. home,l08"
    )
    args = parser.parse_args(argv)
    pages = PAGES
    if args.only:
        wanted = args.only.split(",")
        pages = [p for p in PAGES if p[0] in wanted]
    results = measure(args.site.resolve(), args.runs, args.out, pages)
    print(table(results))
    for name, r in results.items():
        if r["failed"]:
            print(f"{name}: " + "; ".join(r["failed"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

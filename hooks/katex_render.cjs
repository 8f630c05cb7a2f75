// Render TeX to HTML + MathML with the site's vendored KaTeX, for
// hooks/katex.py. One process serves a whole build: it reads one JSON
// request per line on stdin, {"items": [[tex, display], ...]}, and writes
// one JSON line per request, {"results": [{"html": ...} | {"error": ...}]}.
"use strict";
const path = require("path");
const readline = require("readline");

const katex = require(path.resolve(process.argv[2]));

// KaTeX's warnings (strict mode) go to stderr, never into the answers.
console.warn = (...args) => process.stderr.write(args.join(" ") + "\n");

function render(tex, display) {
  try {
    return {
      html: katex.renderToString(tex, {
        displayMode: display,
        output: "htmlAndMathml", // MathML for screen readers
        throwOnError: true,
        strict: "error",
      }),
    };
  } catch (err) {
    return { error: String(err.message || err) };
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const { items } = JSON.parse(line);
  const results = items.map(([tex, display]) => render(tex, display));
  process.stdout.write(JSON.stringify({ results, version: katex.version }) + "\n");
});

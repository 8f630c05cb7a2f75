# One entry point for contributors and CI. `make help` lists the targets.
# Every target creates .venv from requirements.lock first if needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TORCH_VERSION := 2.13.0
KATEX_VERSION := 0.19.1
KATEX_SHA256  := 24da5a599eb2fcede2e270b99a6ff48bca816beecc95feeb84e8cccbd1bb34fd

# pytest-xdist workers for make test and make test-fast (JOBS=0: one
# process). tests/conftest.py keeps costly set-up on one worker.
JOBS ?= 2
PYTEST = $(BIN)/python -m pytest -n $(JOBS)

export NO_MKDOCS_2_WARNING := 1

.PHONY: help install install-torch serve build test test-fast check docs-update \
        lock vendor-katex clean pdf lighthouse audit

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --silent
	touch $@

# --compile-bytecode: with PYTHONDONTWRITEBYTECODE=1 set (as on these
# machines and in CI) Python never caches what it compiles, and every
# process (a build, a test run, each page's process) would compile mkdocs,
# matplotlib and nbconvert from source again: 2-3 s each.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python \
	  requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	# sync removes what the lock does not list: put torch back if it was
	# asked for (make install-torch).
	if [ -f $(VENV)/.with-torch ]; then \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    torch==$(TORCH_VERSION); fi
	touch $@

install: $(STAMP)  ## create .venv with the pinned dependencies

install-torch: $(STAMP)  ## add the optional CPU PyTorch (for lesson L12)
	$(BIN)/python -c "import torch" 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    torch==$(TORCH_VERSION)
	touch $(VENV)/.with-torch

# --dirty: an edited page alone is built again; hooks/serve.py builds them
# all, with fresh code, when src/, hooks/, includes/ or overrides/ change.
serve: $(STAMP)  ## serve the site at http://127.0.0.1:8000 with live reload
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

build: $(STAMP)  ## build the site into site/ (strict: a warning is an error)
	$(BIN)/mkdocs build --strict --clean

pdf: build  ## print the cheatsheets and the whole course to PDF into site/downloads/
	TEST_SITE_DIR=site $(BIN)/python -m pytest -q -p no:randomly \
	  tests/test_print.py -k test_one_sheet
	mkdir -p site/downloads
	cp artifacts/print/*.pdf site/downloads/
	$(BIN)/python scripts/course_pdf.py site --out site/downloads/course.pdf

audit: build  ## list every number on the built site that no check accounts for
	$(BIN)/python scripts/audit_site.py site

lighthouse: build $(NODE_STAMP)  ## Lighthouse (mobile) over key pages, served with gzip
	$(BIN)/python scripts/lighthouse.py site --runs 2

# Lighthouse runs alone, after the rest, so that the other worker's
# browser tests do not distort its timings.
test: $(STAMP) $(NODE_STAMP)  ## run the whole suite: ref, docs checks, build, browser
	$(PYTEST) -m "not lighthouse"
	$(BIN)/python -m pytest -m lighthouse

test-fast: $(STAMP)  ## the quick loop: no browser, no site build, no kernel
	$(PYTEST) -m "not browser and not slow"

check: $(STAMP)  ## check one page fast: make check PAGE=docs/lessons/l03-layers.md
	$(BIN)/python -m doccheck $(PAGE)

docs-update: $(STAMP)  ## rewrite output blocks and numbers from the code
	$(BIN)/python -m pytest -p no:randomly -q --docs-update docs includes || true
	$(BIN)/python -m pytest -p no:randomly -q docs includes

mutate:  ## change every checked number and output; all must be caught
	$(BIN)/python -m doccheck.mutate

mutate-ref: $(STAMP)  ## mutate src/ref; the tests must catch each change
	$(BIN)/python scripts/mutate_ref.py

bench: $(STAMP)  ## time the loop (ARGS=--full: make test, GPT training, .ci/run)
	$(BIN)/python scripts/bench.py $(ARGS)

lint: $(STAMP) $(NODE_STAMP)  ## ruff, markdownlint, codespell, workflows, links
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/markdownlint-cli2
	$(BIN)/codespell
	$(BIN)/actionlint
	$(BIN)/zizmor --offline --no-progress .github/workflows
	rm -rf build/lint-site
	$(BIN)/mkdocs build --strict --quiet -d build/lint-site
	$(BIN)/python scripts/check_links.py build/lint-site

lock:  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --generate-hashes -o requirements.lock

vendor-katex:  ## fetch KaTeX from the npm registry into docs/assets/katex
	rm -rf build/katex && mkdir -p build/katex
	cd build/katex && npm pack --silent katex@$(KATEX_VERSION) >/dev/null
	echo "$(KATEX_SHA256)  build/katex/katex-$(KATEX_VERSION).tgz" | sha256sum -c -
	tar -xzf build/katex/katex-$(KATEX_VERSION).tgz -C build/katex
	# katex.min.js renders the math at build time (hooks/katex.py); the
	# site itself ships only the CSS and the fonts.
	rm -rf docs/assets/katex && mkdir -p docs/assets/katex/fonts
	cp build/katex/package/dist/katex.min.js build/katex/package/dist/katex.min.css docs/assets/katex/
	cp build/katex/package/dist/fonts/*.woff2 docs/assets/katex/fonts/
	cp build/katex/package/LICENSE docs/assets/katex/LICENSE

clean:  ## remove the built site and caches (keeps .venv)
	rm -rf site build .pytest_cache

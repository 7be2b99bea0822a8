# Two commands on a fresh clone:  `make run` (set up + the main job on the sample)  and  `make test`.
# Set-up is stamped by the hash of pyproject.toml: a second `make run` does not reinstall.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha256sum pyproject.toml 2>/dev/null | cut -c1-12)
TORCH  := torch==2.13.0
OUT    := outputs
SAMPLE := examples/yuyao-2020-h1-report.txt

.PHONY: setup run test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "error: Python 3.11 or newer is needed as '$(PYTHON)'; install it, or run: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  { echo "error: cannot create $(VENV); install the venv module (Debian: apt-get install python3-venv)"; exit 1; }
	@echo "setting up $(VENV): CPU torch first, then the project with its extras (once; minutes)"
	@$(PY) -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
	@$(PY) -m pip install --quiet $(TORCH) || \
	  { echo "error: could not install $(TORCH) from the package index; check the network/proxy to PyPI and rerun"; exit 1; }
	@$(PY) -m pip install --quiet -e ".[test,fast,ray]" || \
	  { echo "error: could not install the project's dependencies from the package index; check the network/proxy to PyPI and rerun"; exit 1; }
	@command -v tesseract >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-chi-sim >/dev/null; } ; } || \
	  echo "note: no Tesseract: scanned PDFs and page images will be refused; install tesseract-ocr tesseract-ocr-chi-sim to read them"
	@rm -f $(VENV)/.installed-* && touch $@

run: setup
	@$(PY) -m pipeline models build-tiny --dir models/tiny >/dev/null
	@$(PY) -m pipeline run $(SAMPLE) --config tiny --out $(OUT) --quiet
	@stem=$$(basename $(SAMPLE) .txt); echo "done (tiny offline models: the English is gibberish by design; see README for the real models):"; \
	  for f in $(OUT)/$$stem.md $(OUT)/$$stem.json $(OUT)/$$stem.html $(OUT)/index.md $(OUT)/digest.md $(OUT)/digest.html; do \
	    test -e $$f && echo "  $$f"; done; true

test: setup
	$(PY) -m ruff check pipeline tests benchmarks
	$(PY) -m pytest -q

lint: setup
	$(PY) -m ruff check pipeline tests benchmarks

bench: setup
	$(PY) -m pipeline bench --stage pipeline

clean:
	rm -rf $(OUT) models/tiny .pytest_cache .hypothesis

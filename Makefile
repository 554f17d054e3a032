# Only python3 (3.11+) and make are assumed. Every target bootstraps .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test lint fuzz bench bench-quality bench-metadata clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# the system pip (23.2) cannot resolve lxml's extras: upgrade it first
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python demo/run.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

# mutated fixture pages through extraction, many more than `make test` tries (tests/test_fuzz.py)
fuzz: $(STAMP)
	SCRAPER_FUZZ_EXAMPLES=$${SCRAPER_FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest -q tests/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check scraper tests bench demo
	$(BIN)/ruff format --check scraper tests bench demo
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	$(BIN)/python bench/run.py

bench-quality: $(STAMP)
	$(BIN)/python bench/quality.py

bench-metadata: $(STAMP)
	$(BIN)/python bench/metadata.py

clean:
	rm -rf $(VENV) build *.egg-info

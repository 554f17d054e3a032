# Only python3 (3.11+) and make are assumed. Every target bootstraps .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test lint bench bench-quality bench-metadata train quality-gate clean

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

lint: $(STAMP)
	$(BIN)/ruff check scraper tests bench demo
	$(BIN)/ruff format --check scraper tests bench demo
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	$(BIN)/python bench/run.py

bench-quality: $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	$(BIN)/python bench/quality.py $(ARGS)

# the block model, rebuilt from ../shared/datasets (seeded; frozen sites left out)
train: $(STAMP)
	$(BIN)/python bench/train.py --fresh

# floors per dataset and page type on a fixed sample (bench/quality_baseline.json); < 2 min
quality-gate: $(STAMP)
	$(BIN)/python bench/gate.py

bench-metadata: $(STAMP)
	$(BIN)/python bench/metadata.py

clean:
	rm -rf $(VENV) build *.egg-info

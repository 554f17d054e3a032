# Only python3 (3.11+) and make are assumed. Every target bootstraps .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test lint bench bench-quality bench-metadata clean install-check

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# `--group` (PEP 735 dependency groups) needs pip 25.1+; Python 3.11 brings 23.2
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[parquet]' --group dev
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
	$(BIN)/python bench/quality.py

bench-metadata: $(STAMP)
	$(BIN)/python bench/metadata.py

# what a user gets: a fresh venv with Python's own pip (not upgraded), `pip install .`, the seed page
install-check:
	rm -rf build/install-check
	$(PYTHON) -m venv build/install-check
	build/install-check/bin/python -m pip install --quiet .
	build/install-check/bin/scraper clean tests/fixtures/seed-article/page.html \
		| diff - tests/fixtures/seed-article/expected.txt
	test -f "$$(build/install-check/bin/python -I -c 'import scraper, pathlib; print(pathlib.Path(scraper.__file__).parent)')/py.typed"
	@echo "install-check: pip install . gives a working scraper"

clean:
	rm -rf $(VENV) build *.egg-info

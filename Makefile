# Each target sets up what it needs: a virtual environment in .venv with newsdedup installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,parquet]'
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)  ## run on the bundled example folder; print the clusters and the clean articles
	@rm -f demo.db demo.db.lock
	$(BIN)/newsdedup run examples/news --db demo.db
	$(BIN)/newsdedup report --db demo.db
	$(BIN)/newsdedup export articles --db demo.db

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)  ## quality and speed benchmarks on ../shared/data
	$(BIN)/python -m bench.cleaning
	$(BIN)/python -m bench.stories

clean:
	rm -rf $(VENV) demo.db demo.db.lock build *.egg-info

# Each target sets up what it needs: a virtual environment in .venv with newsdedup installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,parquet,dask]'
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

# make bench SIZES="10000 100000 1000000" PEER_SIZES="10000 100000" PROFILE=10000
# SIZES: store sizes of the incremental runs; PEER_SIZES: corpora of the peer runs, where
# PEER_LIMITS keeps slow tools to small ones; PROFILE: py-spy a run on that peer corpus.
SIZES ?= 10000
PEER_SIZES ?= 10000 100000
PEER_LIMITS ?= datatrove=10000 newsdedup=30000
PROFILE ?= 0
BENCH_ARGS ?=
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,parquet,bench]'
	rm -f $(VENV)/.bench-installed-* && touch $@

bench: $(BENCH_STAMP)  ## every benchmark (quality, speed, peers): writes bench/RESULTS.md and bench/results.png
	$(BIN)/python -m bench.results --sizes $(SIZES) --peer-sizes $(PEER_SIZES) \
		$(foreach limit,$(PEER_LIMITS),--limit $(limit)) --profile-size $(PROFILE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo.db demo.db.lock build *.egg-info

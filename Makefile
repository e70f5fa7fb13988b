# make demo   – create .venv, install corpus, build the corpus of seeds/ into out/
# make test   – create .venv, install corpus with its dev extras, run the tests (all; CI)
# make test-fast – the same without the tests marked slow or ray (under 2 minutes)
# make lint   – ruff
# make bench  – the benchmarks in bench/ (need ../shared/bench-data)
# make fuzz   – atheris on the decoders and the HTML path, 60 s each (FUZZ_SECONDS)

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PIP     = $(BIN)/python -m pip -q --disable-pip-version-check

.PHONY: demo test test-fast lint bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -U pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -e '.[dev,ray]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/corpus build seeds/ -o out/
	@echo
	@echo "Open out/audit.html in a browser: which kept segments are in which language, and where."

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow and not ray"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check corpus tests bench

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/build.py
	$(BIN)/python bench/langid.py
	$(BIN)/python bench/segment.py
	$(BIN)/python bench/boilerplate.py
	$(BIN)/python bench/translate.py

fuzz: $(VENV)/.installed-dev
	fuzz/run.sh

clean:
	rm -rf out $(VENV) .pytest_cache .ruff_cache

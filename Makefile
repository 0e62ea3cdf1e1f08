# Every target creates .venv itself on a fresh machine (Python >= 3.10).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# A clerk's environment: the plain install (no extras, so no numpy or pandas), editable so that it runs this
# source. The light-click test and `make bench` run the Excel click in it.
CLERK := .venv-clerk
CLERK_STAMP := $(CLERK)/.installed

.PHONY: demo test bench fuzz lint docs template clean clerk-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(CLERK_STAMP): pyproject.toml
	rm -rf $(CLERK)
	$(PYTHON) -m venv $(CLERK)
	$(CLERK)/bin/python -m pip install --quiet --upgrade pip
	$(CLERK)/bin/python -m pip install --quiet -e .
	touch $(CLERK_STAMP)

clerk-venv: $(CLERK_STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

test: $(STAMP) $(CLERK_STAMP)
	$(PY) -m ruff check src tests scripts
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check src tests scripts

bench: $(STAMP) $(CLERK_STAMP)
	$(PY) scripts/bench.py

fuzz: $(STAMP)
	$(PY) scripts/fuzz.py

docs: $(STAMP)
	$(PY) -m xl_gongkai.spec.docs docs

clean:
	rm -rf $(VENV) $(CLERK) build dist src/*.egg-info .pytest_cache .ruff_cache

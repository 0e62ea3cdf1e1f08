# Every target creates .venv itself on a fresh machine (Python >= 3.10).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench fuzz lint docs template web clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

test: $(STAMP)
	$(PY) -m ruff check src tests scripts
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check src tests scripts

bench: $(STAMP)
	$(PY) scripts/bench.py

fuzz: $(STAMP)
	$(PY) scripts/fuzz.py

# the offline web page: dist/政务公开年报-网页版.html (docs/web.md); reused while its inputs are unchanged
web: $(STAMP)
	$(PY) scripts/build_web.py

docs: $(STAMP)
	$(PY) -m xl_gongkai.spec.docs docs

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache web/node_modules

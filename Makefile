# Every target creates .venv itself on a fresh machine (Python >= 3.10).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# A clerk's environment: the plain install (no extras, so no numpy or pandas), editable so that it runs this
# source. The light-click test and `make bench` run the Excel click in it.
CLERK := .venv-clerk
CLERK_STAMP := $(CLERK)/.installed
# An analyst's environment: the install with the analysis extra (pandas) and nothing else, where the tests run
# the pandas frames as an analyst gets them (tests/test_api.py).
ANALYSIS := .venv-analysis
ANALYSIS_STAMP := $(ANALYSIS)/.installed

# `make check` runs every test without these marks (tests/support/markers.py sets the first three itself)
FAST := not libreoffice and not browser and not subprocess and not slow

.PHONY: docs-images demo test check types system-packages bench bench-scale fuzz lint generate docs template web clean clerk-venv analysis-venv windows-bundle windows-lock release

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

$(ANALYSIS_STAMP): pyproject.toml
	rm -rf $(ANALYSIS)
	$(PYTHON) -m venv $(ANALYSIS)
	$(ANALYSIS)/bin/python -m pip install --quiet --upgrade pip
	$(ANALYSIS)/bin/python -m pip install --quiet -e '.[analysis]'
	touch $(ANALYSIS_STAMP)

analysis-venv: $(ANALYSIS_STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py

# The whole suite. system-packages comes first: on a fresh machine it installs the Debian packages the tests
# drive, or stops before anything runs with one line that names them (scripts/system_packages.sh).
test: system-packages $(STAMP) $(CLERK_STAMP) $(ANALYSIS_STAMP)
	$(PY) -m ruff check src tests scripts
	$(PY) -m mypy
	$(PY) scripts/build_web.py
	$(PY) -m pytest -q -n auto --dist loadgroup

# The fast loop while developing: lint and every test that needs neither LibreOffice, a browser, nor processes
# of its own (one pytest process per core), and the types. It keeps Python's bytecode caches (__pycache__,
# ignored by git) even where the environment turns them off (PYTHONDONTWRITEBYTECODE): without them every
# pytest process compiles the package and rewrites the tests' asserts again, about 3 s of CPU each, every run.
check: $(STAMP)
	$(PY) -m ruff check src tests scripts
	$(PY) -m mypy
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -n auto -m "$(FAST)"

types: $(STAMP)
	$(PY) -m mypy

system-packages:
	@bash scripts/system_packages.sh .ci/apt-packages.txt

lint: $(STAMP)
	$(PY) -m ruff check src tests scripts

bench: $(STAMP) $(CLERK_STAMP)
	$(PY) scripts/bench.py

# An audit at a province's scale (20 000 generated workbooks; BENCH_SCALE_FILES or --files to change it).
bench-scale: $(STAMP)
	$(PY) scripts/bench_scale.py

fuzz: $(STAMP)
	$(PY) scripts/fuzz.py

# the offline web page: dist/政务公开年报-网页版.html (docs/web.md); reused while its inputs are unchanged
web: $(STAMP)
	$(PY) scripts/build_web.py

# Every file made from the spec, each committed once where it is used (src/xl_gongkai/build/generated.py lists
# them): the payload schema, the spec digests, the package's built templates, docs/rules.md and docs/schema.md.
# tests/test_generated.py says "run make generate" when one is stale; afterwards `git status` is clean.
generate: $(STAMP)
	$(PY) -m xl_gongkai.build.generated .

# the names this job had before it was one
docs template: generate

# The pictures in docs/img (LibreOffice renders the sheets; the web page's are taken by its tests in Chromium).
WEB_SHOTS := chromium and (axe_at_start or clerk_uploads or last_years_report or recheck_reads or truncated)
docs-images: $(STAMP)
	$(PY) scripts/render_docs.py
	XG_WEB_SCREENSHOTS=$(CURDIR)/docs/img $(PY) -m pytest -q tests/test_web.py -k "$(WEB_SHOTS)"

# An offline per-user install for Windows (zip in dist/), from the committed lock; see docs/excel.md.
windows-bundle: $(STAMP)
	$(PY) scripts/windows_bundle.py dist

# Everything a user downloads, in dist/: the wheel, the template, the web page, the Windows bundle and SHA256SUMS
# (scripts/release.py; README says who installs what from it).
release: $(STAMP)
	$(PY) scripts/release.py dist

# Re-resolve the Windows lock (after a dependency change): uv resolves for Windows, pip cannot.
windows-lock: $(STAMP)
	$(PY) -m pip install --quiet uv==0.13.9
	{ sed -n '1,3p' packaging/windows/requirements-cp313-win_amd64.txt; \
	  $(VENV)/bin/uv pip compile pyproject.toml --quiet --no-header --generate-hashes \
	    --python-platform x86_64-pc-windows-msvc --python-version 3.13; } > packaging/windows/lock.tmp
	mv packaging/windows/lock.tmp packaging/windows/requirements-cp313-win_amd64.txt

clean:
	rm -rf $(VENV) $(CLERK) $(ANALYSIS) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache web/node_modules

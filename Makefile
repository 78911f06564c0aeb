# dudao_sim — set-up and everyday commands.
#   make run    create .venv if missing, install, run the main job (reform comparison) on Hunan
#   make test   same set-up, then ruff + the full test suite (tests/ and the notebooks, as CI)
#   make test-fast  ruff + tests/ without those marked slow (> ~2 s) or hunan (bundled Hunan
#               province); no notebooks. Under a minute on 2 cores: the everyday check.
#               Other tiers by hand, e.g. .venv/bin/pytest -q tests -m hunan
#   make lab    JupyterLab on notebooks/
#   make baseline  regenerate the pinned regression baseline (tests/baseline/)
#   make lock   rewrite constraints.txt (exact versions) from the resolved .venv
#   make test-interpreters  the regression baseline on every Python 3.11/3.12/3.13 found,
#               each in its own .venv-3.X with the locked versions
#   make notebooks re-execute the notebooks in quick mode and store their outputs
#   make help   this list
# Re-running is fast: the install step re-runs only when pyproject.toml changes.

SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
EXTRAS ?= dev
CONSTRAINTS := constraints.txt

# The newest of python3.13/3.12/3.11 that actually runs (a pyenv shim can exist and fail).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if $$p -c 'import sys, venv; assert sys.version_info >= (3, 11)' >/dev/null 2>&1; then \
	echo $$p; break; fi; done)

# Optional Debian CJK fonts (`make sysdeps`): used for Chinese text when installed. Nothing
# needs them: without them figures use the Noto Sans CJK face from PyPI (noto-cjk-sans-otc,
# a Python dependency) and the HTML report embeds a subset of it.
SYSDEPS := fonts-noto-cjk fonts-wqy-zenhei

.PHONY: run test test-fast lint lab sysdeps clean venv baseline help lock test-interpreters notebooks

venv: $(STAMP)

$(PY):
	@test -n "$(PYTHON)" || { echo "No Python >= 3.11 found (tried python3.13, python3.12, python3.11, python3)"; exit 1; }
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Exact versions from constraints.txt (make lock), so every install resolves the same.
$(STAMP): pyproject.toml $(CONSTRAINTS) | $(PY)
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e ".[$(EXTRAS)]"
	@touch $(STAMP)

# The main job: compare pre_reform, reform_2021 and the single-mechanism variants on Hunan
# over replicate seeds, and write the HTML report (a new folder under out/ each time).
RUN_ARGS ?= --seeds 6 --lang en
run: $(STAMP)
	$(VENV)/bin/dudao-sim hierarchy
	$(VENV)/bin/dudao-sim compare --province hunan $(RUN_ARGS) --out out/hunan-$$(date +%Y%m%d-%H%M%S)

lint: $(STAMP)
	$(VENV)/bin/ruff check dudao_sim tests tools conftest.py
	$(VENV)/bin/ruff format --check dudao_sim tests tools conftest.py

# Notebooks run in quick mode (DUDAO_SIM_QUICK=1) and nbval compares every stored output,
# volatile text (paths, timings, figure sizes) sanitized.
NBVAL := DUDAO_SIM_QUICK=1 $(VENV)/bin/pytest -q --nbval --nbval-current-env \
	--nbval-sanitize-with notebooks/nbval_sanitize.cfg
test: lint
	$(NBVAL) tests notebooks

# Re-execute the notebooks in quick mode and store their outputs (after changing a notebook
# or anything that moves the numbers it shows).
notebooks: $(STAMP)
	$(PY) tools/run_notebooks.py

# The markers are registered in pyproject.toml ([tool.pytest.ini_options]).
test-fast: lint
	$(VENV)/bin/pytest -q tests -m "not slow and not hunan"

help:
	@sed -n '1,/^$$/{/^$$/q;s/^# \{0,1\}//;p}' $(firstword $(MAKEFILE_LIST))

# The pinned regression baseline (tests/baseline/): regenerate it knowingly, in the commit
# that moves the numbers, and say why in the commit message.
baseline: $(STAMP)
	$(PY) tests/baseline_cases.py --write

# The lever audit (a few minutes): which behaviour each lever moves, which metrics echo levers.
audit: $(STAMP)
	$(VENV)/bin/dudao-sim audit --out docs/lever_effects.md

# docs/references.md from docs/references.toml, with what cites each work; fails on a key
# cited anywhere that does not resolve (tests/test_references.py checks the same).
.PHONY: references
references: $(STAMP)
	$(PY) tools/render_references.py

# constraints.txt: pip freeze --exclude-editable of .venv (Python 3.11), filtered to what
# pyproject.toml needs (tools/lock.py). To upgrade: .venv/bin/pip install -U -e ".[dev]",
# run the tests, then make lock.
lock: $(STAMP)
	$(PY) tools/lock.py

# Every Python 3.11/3.12/3.13 that runs: pythonX.Y on PATH, else pyenv's versions folder
# (a pyenv shim can exist and fail).
PYENV_VERSIONS ?= $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions
INTERPRETERS ?= $(shell for v in 3.11 3.12 3.13; do \
	for p in python$$v $(PYENV_VERSIONS)/$$v*/bin/python$$v; do \
	if $$p -c 'import sys' >/dev/null 2>&1; then echo $$p; break; fi; done; done)

# The regression baseline (tests/baseline_cases.py: fresh runs against tests/baseline/) on
# each interpreter, installed from constraints.txt into .venv-X.Y; fails if any differs.
test-interpreters:
	@test -n "$(INTERPRETERS)" || { echo "No Python 3.11-3.13 found"; exit 1; }
	@status=0; for py in $(INTERPRETERS); do \
		v=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
		echo "== Python $$v ($$py)"; \
		test -x .venv-$$v/bin/python || $$py -m venv .venv-$$v || { status=1; continue; }; \
		.venv-$$v/bin/python -m pip install --quiet --upgrade pip && \
		.venv-$$v/bin/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[$(EXTRAS)]" \
			|| { echo "Python $$v: install failed"; status=1; continue; }; \
		.venv-$$v/bin/python -c 'import mesa, numpy, pandas, scipy; print("mesa", mesa.__version__, "numpy", numpy.__version__, "pandas", pandas.__version__, "scipy", scipy.__version__)'; \
		.venv-$$v/bin/python tests/baseline_cases.py || status=1; \
	done; exit $$status

# --allow-root only when running as root (containers); Jupyter refuses root without it.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

sysdeps:
	@missing=""; for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "Debian packages present: $(SYSDEPS)"; fi

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache .ruff_cache .hypothesis build dist *.egg-info

# The policy dashboard (notebooks/05_policy_dashboard.ipynb, dudao_sim/dashboard/) served by
# Voilà on http://127.0.0.1:8866/, offline; DUDAO_SIM_QUICK=1 make dashboard for a quick one.
dashboard: $(STAMP)
	$(PY) -m dudao_sim.dashboard.serve

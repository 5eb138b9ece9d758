# Developer entry points. The README's two set-up commands are `make demo` and `make test`;
# each installs what is missing first (Python venv at .venv/, npm packages in node_modules/).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := plugins/ion-weeth plugins/ion-ezeth plugins/ion-rseth plugins/ion-rsweth
PLUGIN_SOURCES := $(wildcard plugins/*/pyproject.toml)
INSTALL_PLUGINS := $(foreach p,$(wildcard $(PLUGINS)),-e $(p))

.PHONY: setup bytecode demo test lint typecheck forge pytest artifacts verifier completions bench bench-journal clean lock

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml $(PLUGIN_SOURCES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv (from PyPI, into the venv) installs the same requirements as pip in a fraction of the
	@# time (a fresh clone on 2 loaded cores: about 3.5 min with pip, 25-40 s with uv); pip
	@# stays the fallback where uv cannot be installed.
	@# A uv that installs but cannot resolve (no route to its index) falls back to pip too.
	if $(BIN)/python -m pip install -q --disable-pip-version-check 'uv==0.13.*' && \
	  $(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev]' $(INSTALL_PLUGINS); then \
	  :; \
	else \
	  $(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip && \
	  $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]' $(INSTALL_PLUGINS); \
	fi
	@# Bytecode now, so that no run compiles sources (an editable install leaves ion_cli's
	@# .pyc files to the first run, which cannot write them under PYTHONDONTWRITEBYTECODE).
	$(BIN)/python -m compileall -q -j 0 ion_cli plugins >/dev/null
	touch $@

# Refresh the bytecode after editing sources (make setup does it once).
bytecode:
	$(BIN)/python -m compileall -q -j 0 ion_cli plugins >/dev/null

node_modules/.installed: package.json package-lock.json
	@# Exactly the locked packages, and the lock file is never rewritten (a fresh clone stays
	@# clean). The lock lists every platform's optional binaries, so `npm ci` accepts it on
	@# Linux, macOS and Windows alike (a lock written by `npm install` on one platform can miss
	@# the others' and be refused, npm/cli#9846): regenerate it only with `make lock`.
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Regenerate package-lock.json on purpose, after editing package.json: resolved from scratch
# without node_modules, so it keeps every platform's optional packages. Commit both files.
lock:
	rm -f package-lock.json
	npm install --package-lock-only --no-audit --no-fund --loglevel=error
	git diff --stat -- package-lock.json

# The main job: start the devnet and walk through lending, borrowing and repaying on it.
demo: setup
	@bash .ci/walkthrough

# The whole suite: lint, types, forge tests, pytest (unit, CLI, integration on a real anvil).
test: setup lint typecheck forge pytest

lint:
	$(BIN)/ruff check ion_cli tests plugins conftest.py
	$(BIN)/ruff format --check ion_cli tests plugins conftest.py

typecheck:
	$(BIN)/mypy ion_cli

forge:
	node_modules/.bin/forge test

# Two workers by default (CI has 2 cores; PYTEST_WORKERS=0 runs in one process), a test file
# per worker at a time: module-scoped fixtures (a proof, a prepared devnet) are made once.
PYTEST_WORKERS ?= 2
pytest:
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

# Regenerate generated files (the tests fail when they drift).
artifacts: setup
	$(BIN)/python -m ion_cli.devnet.build_artifacts

# The Halo2 verifier of the shipped risk model (ezkl writes it; the artifacts follow).
verifier: setup
	$(BIN)/python -m ion_cli.zk.build_verifier

completions: setup
	$(BIN)/python -m ion_cli.completion_scripts

# Figures, not tests: each a ratio against its baseline measured in the same run.
bench: setup
	$(BIN)/python tests/bench/startup.py
	$(BIN)/python tests/bench/writes.py
	$(BIN)/python tests/bench/beacon.py --skip-100k --runs 3

# A 3-step write's journal work with 10 vs 100,000 past entries (about 30 s: it builds the big
# journal first), so not part of `make bench`.
bench-journal: setup
	$(BIN)/python tests/bench/journal.py

clean:
	rm -rf $(VENV) node_modules .forge

# Developer entry points. The README's two set-up commands are `make demo` and `make test`;
# each installs what is missing first (Python venv at .venv/, npm packages in node_modules/).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := plugins/ion-weeth plugins/ion-ezeth plugins/ion-rseth plugins/ion-rsweth
PLUGIN_SOURCES := $(wildcard plugins/*/pyproject.toml)

.PHONY: setup demo test lint typecheck forge pytest artifacts verifier completions bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml $(PLUGIN_SOURCES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]' $(foreach p,$(wildcard $(PLUGINS)),-e $(p))
	touch $@

node_modules/.installed: package.json package-lock.json
	@# `npm ci` rejects lock files missing other platforms' optional packages (npm/cli#9846):
	@# install the exact versions package.json pins instead.
	npm install --no-audit --no-fund --loglevel=error
	touch $@

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

pytest:
	$(BIN)/pytest

# Regenerate generated files (the tests fail when they drift).
artifacts: setup
	$(BIN)/python -m ion_cli.devnet.build_artifacts

# The Halo2 verifier of the shipped risk model (ezkl writes it; the artifacts follow).
verifier: setup
	$(BIN)/python -m ion_cli.zk.build_verifier

completions: setup
	$(BIN)/python -m ion_cli.completion_scripts

bench: setup
	$(BIN)/python tests/bench/startup.py

clean:
	rm -rf $(VENV) node_modules .forge

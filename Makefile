# The two commands of the README: `make serve` and `make test`. Everything else is set-up they need.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup serve build test bench chromium clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci
	touch $@

setup: $(BIN)/.installed node_modules/.installed

# Browser tests drive Debian's chromium; never a browser downloaded by a test tool.
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium fonts-noto-cjk; }

build: setup
	$(BIN)/minutes build

# Builds, serves on http://127.0.0.1:8000/ and rebuilds on every save (Ctrl+C stops it).
serve: setup
	$(BIN)/minutes serve

test: setup chromium
	$(BIN)/pytest

bench: setup chromium
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf site .cache

# The two commands of the README: `make serve` and `make test`. Everything else is set-up they need.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# `make serve PORT=8080 HOST=0.0.0.0`: another port, or open to the network.
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: setup serve build test bench chromium clean messages

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
# Without apt-get, or without root and sudo, say what to install rather than fail on a missing command.
chromium:
	@command -v chromium >/dev/null && exit 0; \
	if ! command -v apt-get >/dev/null; then \
	  echo "chromium not found: install Chromium (as the command 'chromium') and a CJK font such as Noto Sans CJK, then run make again" >&2; exit 1; \
	elif [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null; then \
	  echo "chromium not found, and installing it needs root (sudo is not installed): as root run 'apt-get update && apt-get install -y chromium fonts-noto-cjk', then run make again" >&2; exit 1; \
	fi; \
	$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium fonts-noto-cjk

build: setup
	$(BIN)/minutes build

# Builds, serves on http://$(HOST):$(PORT)/ (default 127.0.0.1:8000) and rebuilds on every save (Ctrl+C stops it).
serve: setup
	$(BIN)/minutes serve --host $(HOST) --port $(PORT)

test: setup chromium
	$(BIN)/pytest

bench: setup chromium
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf site .cache

# After changing a message in generator/: extract every _() / ngettext() / N_() message into the
# template and merge it into each language's catalog; then translate what tests/test_i18n.py lists.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg --add-location=file --no-wrap --sort-by-file --project=minutes-archive --copyright-holder="minutes contributors" -o generator/locale/minutes.pot generator
	$(BIN)/pybabel update -i generator/locale/minutes.pot -d generator/locale -D minutes --no-wrap --init-missing --ignore-obsolete -l ja

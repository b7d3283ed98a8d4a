# The two commands of the README: `make brief` and `make test`.
# Everything they need is installed here, into .venv, on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: brief test lint typecheck golden system-deps clean-venv

brief: $(VENV)/.installed
	$(BIN)/briefing run

test: $(VENV)/.installed-test
	$(BIN)/ruff check briefing tests
	$(BIN)/mypy briefing
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check briefing tests
	$(BIN)/ruff format --check briefing tests

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy briefing

# Regenerate the golden brief.json of the seeds after an intended change.
golden: $(VENV)/.installed
	$(BIN)/python -m tests.golden

system-deps:
	bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml constraints.txt | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[test]'
	touch $@

clean-venv:
	rm -rf $(VENV)

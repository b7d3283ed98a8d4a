# The two commands of the README: `make brief` and `make test`.
# Everything they need is installed here, into .venv, on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: brief test bench lint typecheck golden system-deps clean-venv

brief: $(VENV)/.installed
	$(BIN)/briefing run

test: $(VENV)/.installed-test
	$(BIN)/ruff check briefing tests benchmarks
	$(BIN)/mypy briefing benchmarks
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check briefing tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy briefing benchmarks

# Benchmarks (not part of `make test`): DUC=/path/to/duc2003 for the ROUGE table.
DUC ?=
bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.run $(if $(DUC),--duc "$(DUC)")

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

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[bench]'
	touch $@

clean-venv:
	rm -rf $(VENV)

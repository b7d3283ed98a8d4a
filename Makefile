# The two commands of the README: `make brief` and `make test`.
# Everything they need is installed here, into .venv, on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: brief test bench lint typecheck golden system-deps test-deps clean-venv

brief: $(VENV)/.installed
	$(BIN)/briefing run

test: $(VENV)/.installed-test node_modules/.installed
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

test-deps:
	bash scripts/test-deps.sh

# vnu-jar and axe-core for the browser tests. Install scripts stay off: vnu-jar's
# would download a Java runtime, and the machine's own Java is used instead.
node_modules/.installed: package.json package-lock.json | test-deps
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else echo "briefing: WARNING: no npm; the browser tests will be skipped" >&2; fi

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

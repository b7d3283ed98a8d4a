# The two commands of the README: `make brief` and `make test`.
# Everything they need is installed here, into .venv, on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: brief test bench weights theme-weights lint typecheck golden lock system-deps test-deps bench-deps clean-venv

brief: $(VENV)/.installed
	$(BIN)/briefing run

test: $(VENV)/.installed-test node_modules/.installed | test-deps
	$(BIN)/ruff check briefing tests benchmarks
	$(BIN)/mypy briefing benchmarks
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check briefing tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy briefing benchmarks

# Benchmarks (not part of `make test`): DUC=/path/to/duc2003 for the ROUGE table (TAC=/path
# to the TAC 2011 MultiLing pilot adds training sets for the cross-validated concept weights),
# DEVSET=/path/to/copy for the development set (its dev half; DEVSET_SPLIT=test once, at the end;
# DEVSET_PARTIAL=1 measures a copy that lacks some articles on the ones it has),
# BASELINE=/path/to/older/checkout to time it beside this one in the same run.
DUC ?=
TAC ?=
DEVSET ?=
DEVSET_SPLIT ?= dev
DEVSET_PARTIAL ?=
BASELINE ?=
bench: $(VENV)/.installed-bench | bench-deps
	$(BIN)/python -m benchmarks.run $(if $(DUC),--duc "$(DUC)") $(if $(TAC),--tac "$(TAC)") \
	  $(if $(DEVSET),--devset "$(DEVSET)" --split "$(DEVSET_SPLIT)" $(if $(filter-out 0 no false,$(DEVSET_PARTIAL)),--partial)) \
	  $(if $(BASELINE),--baseline "$(BASELINE)")

# Retrain the learned concept weights (briefing/data/concept_weights.json): DUC=… [TAC=…].
weights: $(VENV)/.installed
	$(BIN)/python -m benchmarks.train_weights --duc "$(DUC)" $(if $(TAC),--tac "$(TAC)")

# Retrain how much each piece of theme evidence counts (briefing/data/theme_weights.json)
# from the development set's dev split: DEVSET=/path/to/copy.
theme-weights: $(VENV)/.installed
	$(BIN)/python -m benchmarks.train_themes "$(DEVSET)" --folds $(if $(filter-out 0 no false,$(DEVSET_PARTIAL)),--partial)

# Regenerate the golden brief.json of the seeds after an intended change.
golden: $(VENV)/.installed
	$(BIN)/python -m tests.golden

# Regenerate requirements/*.txt after a change to pyproject.toml (UPGRADE=1: newest versions).
lock:
	bash scripts/lock.sh $(VENV)

system-deps:
	bash scripts/system-deps.sh

bench-deps:
	bash scripts/bench-deps.sh

test-deps:
	bash scripts/test-deps.sh

# vnu-jar and axe-core for the browser tests. Install scripts stay off: vnu-jar's
# would download a Java runtime, and the machine's own Java is used instead.
node_modules/.installed: package.json package-lock.json | test-deps
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else echo "briefing: WARNING: no npm; the browser tests will be skipped" >&2; fi

# Every package comes from the locked files in requirements/, hash-checked; the project
# itself cannot be, so it goes in on its own: --no-deps, built by the locked hatchling.
REQUIRE := $(PIP) install --require-hashes -r

$(VENV)/.installed: pyproject.toml requirements/build.txt requirements/runtime.txt | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(REQUIRE) requirements/build.txt
	$(REQUIRE) requirements/runtime.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(REQUIRE) requirements/test.txt
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed requirements/bench.txt
	$(REQUIRE) requirements/bench.txt
	touch $@

clean-venv:
	rm -rf $(VENV)

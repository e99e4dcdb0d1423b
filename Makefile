# Two entry points: `make run` (baseline scenario -> tables, charts, briefing pack) and
# `make test`. Both create .venv on first use and install the project into it.
# `make explore` serves the interactive explorer (COUNTY=small for a quick one, PORT to move it).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
BRIEF  ?=
COUNTY ?= shangcai
PORT   ?= 8765

.PHONY: run test lint format bench explore clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed (found $$($(PYTHON) --version)); run: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m sim $(ARGS)
	$(BIN)/python -m analysis.briefing outputs/latest $(BRIEF)

test: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/python -m pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

format: $(STAMP)
	$(BIN)/python -m ruff format .
	$(BIN)/python -m ruff check --fix .

explore: $(STAMP)
	@EXPLORER_COUNTY=$(COUNTY) $(BIN)/python -m explorer --check
	@echo "explorer: http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	EXPLORER_COUNTY=$(COUNTY) $(BIN)/solara run explorer.app --host 127.0.0.1 --port $(PORT) --no-open --production

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_replicate.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

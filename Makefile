# Thin aliases. Two commands set up everything on a fresh machine:
#   make grade EX=2.1.1   install, start exercise EX in ./workspace and grade it
#   make test             install, lint, the grader's own tests, and `grade check` of every exercise

# The sandbox user must be able to read the interpreter: prefer the system Python.
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
EX ?= 2.1.1
SANDBOX ?= auto

.PHONY: install system-deps grade check lint test bench clean

$(BIN)/grade: pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/grade

# bubblewrap is the sandbox on Linux without Docker; install it when we can (root + apt).
system-deps:
	@if ! command -v bwrap >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap"; \
	    (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null); \
	  else \
	    echo "note: bubblewrap (bwrap) is not installed; install it or start Docker to grade"; \
	  fi; \
	fi

grade: install
	$(BIN)/grade start $(EX)
	$(BIN)/grade $(EX) --sandbox $(SANDBOX)

check: install
	$(BIN)/grade check --sandbox $(SANDBOX)

lint: install
	$(BIN)/ruff check grader cli tests exercises solutions
	$(BIN)/ruff format --check grader cli tests
	$(BIN)/grade lint

test: install lint
	$(BIN)/python -m pytest
	$(BIN)/grade check --sandbox $(SANDBOX)

bench: install
	$(BIN)/python tests/bench.py   # RUNS=5 STUDENTS=6 SANDBOXES="bwrap docker"

clean:
	rm -rf $(VENV) *.egg-info

# Set-up and checks. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
# setuptools prints a banner about editable installs on every install: it says nothing to act on.
PIP := PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install -q

.PHONY: run test lint unit poll check eval bench clean install-check vendor demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# Stamp files re-install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/followup-bot run $(ARGS)

poll: $(VENV)/.installed
	$(BIN)/followup-bot poll $(ARGS)

check: $(VENV)/.installed
	$(BIN)/followup-bot check $(ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check bot tests scripts bench evaluation
	$(BIN)/ruff format --check bot tests scripts bench evaluation
	$(BIN)/mypy

# The development set's real coverage through the whole bot into state/demo.db, printed as
# the channel would get it, then the page at http://127.0.0.1:8080/ until Ctrl-C.
demo: $(VENV)/.installed
	$(BIN)/python scripts/demo.py $(ARGS)

eval: $(VENV)/.installed
	$(BIN)/python scripts/eval.py --e2e $(ARGS)

# data/ (what tests and `make eval` read) in step with ../shared, where that folder exists.
vendor:
	scripts/vendor.sh

# Not part of `make test`: minutes of work on 500 feeds. A smoke run of it is.
bench: $(VENV)/.installed-test
	$(PIP) -e '.[bench]'
	$(BIN)/python bench/poll_bench.py $(ARGS)
	$(BIN)/python bench/decision_bench.py
	$(BIN)/python bench/web_bench.py

unit: $(VENV)/.installed-test
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		|| echo "make test: no chromium/chromedriver here: the browser tests are skipped (apt-get install chromium chromium-driver)"
	$(BIN)/pytest -q -n 4

# A fresh venv, the pip Python ships, `pip install .`, `followup-bot check`.
install-check:
	PYTHON=$(PYTHON) scripts/install_check.sh

# The install check (a fresh venv, pip install .) runs beside lint and the tests: it mostly
# waits on pip, and the whole must stay under four minutes on two cores.
test: $(VENV)/.installed-test
	@log=$$(mktemp); PYTHON=$(PYTHON) scripts/install_check.sh >"$$log" 2>&1 & check=$$!; \
	$(MAKE) --no-print-directory lint unit; status=$$?; \
	wait $$check; checked=$$?; cat "$$log"; rm -f "$$log"; \
	[ $$status -eq 0 ] && [ $$checked -eq 0 ]

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

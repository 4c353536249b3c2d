# Two commands on a fresh machine:  `make up` (set up, then run all six agents)  and  `make test`.
PYTHON ?= $(shell pyenv which python3.12 2>/dev/null || ls -d $(HOME)/.pyenv/versions/3.12*/bin/python 2>/dev/null | tail -n 1 || command -v python3.12)
VENV := .venv
INSTALLED := $(VENV)/.installed

.PHONY: setup up test bench lint

$(INSTALLED): pyproject.toml package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	npm ci --no-audit --no-fund
	touch $(INSTALLED)

setup: $(INSTALLED)

up: setup
	$(VENV)/bin/workshop-template-system up

test: setup
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(VENV)/bin/python bench/run.py

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

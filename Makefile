# policykit — the two commands:
#   make report   set up everything (first run) and write the report on the bundled text into reports/
#   make test     set up if needed, then run the whole test suite (library tests + notebooks with nbval)

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.policykit-setup
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONHASHSEED := 0

.PHONY: setup report test test-lib test-notebooks lab bench train clean-outputs

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh
	bash scripts/setup.sh "$(VENV)"
	@touch $(STAMP)

report: setup
	$(VENV)/bin/policykit report --out reports

test: setup
	$(VENV)/bin/python -m pytest tests -q
	$(VENV)/bin/python -m pytest --nbval notebooks -q --sanitize-with notebooks/nbval-sanitize.cfg -p no:cacheprovider

test-lib: setup
	$(VENV)/bin/python -m pytest tests -q

test-notebooks: setup
	$(VENV)/bin/python -m pytest --nbval notebooks -q --sanitize-with notebooks/nbval-sanitize.cfg -p no:cacheprovider

lab: setup
	$(PY) -m ipykernel install --user --name policykit --display-name "policykit (.venv)"
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

bench: setup
	$(PY) benchmarks/bench_extract.py
	$(PY) benchmarks/bench_topics.py
	$(PY) benchmarks/bench_report.py

train: setup
	$(VENV)/bin/policykit train

clean-outputs:
	rm -rf data/interim/* data/processed/* reports/*
	touch data/interim/.gitkeep data/processed/.gitkeep

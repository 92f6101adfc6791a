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
# torch and OpenBLAS threads sleep when idle instead of spinning (2 cores shared by several processes)
export OMP_WAIT_POLICY := PASSIVE

.PHONY: setup report test test-lib test-quick test-notebooks test-notebooks-other-cpu lab bench train clean-outputs

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh
	bash scripts/setup.sh "$(VENV)"
	@touch $(STAMP)

report: setup
	$(VENV)/bin/policykit report --out reports

# Tests. Every pytest session writes into temporary folders, never into data/interim,
# data/processed or reports/ (root conftest.py). `make test` runs, in order:
#   1. the library tests;
#   2. the notebooks under nbval, sharing the library tests' temporary cache (embeddings of the
#      bundled report are computed once per run);
#   3. the notebooks again on a simulated second processor (OTHER_CPU), with a cold cache of its
#      own, so every vector is computed with other SIMD kernels and must give the same checked
#      outputs and findings as the recording machine. The cross-validated predictions of 1.01
#      (several minutes of training, keyed by a hash of code, models and data) are the one
#      result carried over from step 2; the library tests check those code paths under
#      OTHER_CPU's settings (tests/topics/test_invariance.py, tests/test_perturbation.py).
# nbval compares only the cells marked `# NBVAL_CHECK_OUTPUT` (see notebooks/README.md);
# every cell runs and every findings assert must hold.
NBVAL := --nbval-lax --sanitize-with notebooks/nbval-sanitize.cfg -p no:cacheprovider -q
#: Another processor, simulated on this one: torch's portable kernels, numba's generic target,
#: OpenBLAS's Haswell kernels, and the extraction encoder on torch instead of ONNX Runtime
#: (embeddings then differ by ~1e-7, as on another machine).
OTHER_CPU := ATEN_CPU_CAPABILITY=default NUMBA_CPU_NAME=generic OPENBLAS_CORETYPE=Haswell POLICYKIT_EXTRACT_ENCODER=torch
#: Shell prelude: one temporary root for the run, removed on exit (also on failure).
TEST_DIRS = set -e; tmp=$$(mktemp -d -t policykit-make-test-XXXXXX); trap 'rm -rf "$$tmp"' EXIT; \
	export POLICYKIT_TEST_KEEP_DIRS=1 POLICYKIT_INTERIM_DIR=$$tmp/a/interim \
	POLICYKIT_PROCESSED_DIR=$$tmp/a/processed POLICYKIT_REPORTS_DIR=$$tmp/a/reports

test: setup
	@$(TEST_DIRS); \
	start=$$(date +%s); \
	$(PY) -m pytest tests -q; \
	lib=$$(date +%s); \
	$(PY) -m pytest notebooks $(NBVAL); \
	nb=$$(date +%s); \
	mkdir -p $$tmp/b/interim; cp -r $$tmp/a/interim/notebooks $$tmp/b/interim/ 2>/dev/null || true; \
	POLICYKIT_INTERIM_DIR=$$tmp/b/interim POLICYKIT_PROCESSED_DIR=$$tmp/b/processed \
	POLICYKIT_REPORTS_DIR=$$tmp/b/reports $(OTHER_CPU) $(PY) -m pytest notebooks $(NBVAL); \
	end=$$(date +%s); \
	echo "make test: library $$((lib - start)) s, notebooks $$((nb - lib)) s, notebooks on a second CPU setting $$((end - nb)) s"

test-lib: setup
	$(PY) -m pytest tests -q

test-quick: setup
	$(PY) -m pytest tests -q -m "not slow"

test-notebooks: setup
	$(PY) -m pytest notebooks $(NBVAL)

test-notebooks-other-cpu: setup
	$(OTHER_CPU) $(PY) -m pytest notebooks $(NBVAL)

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

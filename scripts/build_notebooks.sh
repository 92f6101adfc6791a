#!/usr/bin/env bash
# Rebuild notebooks from their paired py:percent scripts and execute them in place, so that the
# committed outputs are exactly what nbval will compare against. Usage:
#   bash scripts/build_notebooks.sh            # all notebooks
#   bash scripts/build_notebooks.sh 2.01 4.01  # the ones whose name starts with 2.01 or 4.01
#
# The notebooks run the way `make test` runs them: in order, with one temporary folder for
# caches, tables and reports shared by the notebooks of this build and removed at the end (cold
# at the start, like CI), so a build never writes into data/interim, data/processed or reports/
# and the recorded outputs do not depend on what happened to be cached. Set
# POLICYKIT_BUILD_CACHE=DIR to keep and reuse that folder between builds (faster reruns).
#
# A notebook that fails (e.g. a findings assert no longer holds: the assert cells list every
# recorded number that changed) is reported with its error, and the script exits non-zero after
# trying the others. At the end the notebooks are validated as CI validates them
# (pytest --nbval-lax), so a build that passes here passes `make test-notebooks` on this machine.
set -uo pipefail
cd "$(dirname "$0")/../notebooks"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONHASHSEED=0
if [[ -n "${POLICYKIT_BUILD_CACHE:-}" ]]; then
  root="$POLICYKIT_BUILD_CACHE"; mkdir -p "$root"
else
  root=$(mktemp -d -t policykit-build-notebooks-XXXXXX); trap 'rm -rf "$root"' EXIT
fi
export POLICYKIT_INTERIM_DIR="$root/interim" POLICYKIT_PROCESSED_DIR="$root/processed" \
       POLICYKIT_REPORTS_DIR="$root/reports"
prefixes=("$@"); ((${#prefixes[@]})) || prefixes=("")
failed=()
built=()
log=$(mktemp)
for py in *.py; do
  match=0
  for p in "${prefixes[@]}"; do [[ "$py" == "$p"* ]] && match=1; done
  ((match)) || continue
  nb="${py%.py}.ipynb"
  echo "==> $nb"
  ../.venv/bin/jupytext --to ipynb --update -o "$nb" "$py" >/dev/null 2>&1 || ../.venv/bin/jupytext --to ipynb -o "$nb" "$py" >/dev/null
  if ! ../.venv/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=1800 --ExecutePreprocessor.store_widget_state=False "$nb" >"$log" 2>&1; then
    grep -v -E "WARNING|^$" "$log" | tail -25
    failed+=("$nb")
  else
    built+=("$nb")
  fi
done
rm -f "$log"
if ((${#built[@]})); then
  echo "==> validating ${#built[@]} notebook(s) with nbval (the cells marked NBVAL_CHECK_OUTPUT)"
  (cd .. && POLICYKIT_TEST_KEEP_DIRS=1 .venv/bin/python -m pytest "${built[@]/#/notebooks/}" --nbval-lax \
      --sanitize-with notebooks/nbval-sanitize.cfg -p no:cacheprovider -q) || failed+=("(nbval)")
fi
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Rebuild notebooks from their paired py:percent scripts and execute them in place, so that the
# committed outputs are exactly what nbval will compare against. Usage:
#   bash scripts/build_notebooks.sh            # all notebooks
#   bash scripts/build_notebooks.sh 2.01       # the ones whose name starts with 2.01
# A notebook that fails (e.g. a findings assert no longer holds) is reported with its error and
# the script exits non-zero after trying the others.
set -uo pipefail
cd "$(dirname "$0")/../notebooks"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONHASHSEED=0
failed=()
log=$(mktemp)
for py in ${1:-}*.py; do
  nb="${py%.py}.ipynb"
  echo "==> $nb"
  ../.venv/bin/jupytext --to ipynb --update -o "$nb" "$py" >/dev/null 2>&1 || ../.venv/bin/jupytext --to ipynb -o "$nb" "$py" >/dev/null
  if ! ../.venv/bin/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=1800 "$nb" >"$log" 2>&1; then
    grep -v -E "WARNING|^$" "$log" | tail -25
    failed+=("$nb")
  fi
done
rm -f "$log"
if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi

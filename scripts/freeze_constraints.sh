#!/usr/bin/env bash
# Regenerate constraints.txt (the lock file) from the current virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Lock file: exact versions of every package in a working policykit environment."
  echo "# Used as pip constraints by scripts/setup.sh. Regenerate: bash scripts/freeze_constraints.sh"
  .venv/bin/pip freeze --exclude-editable | grep -v -i '^policykit' | sed -E 's/^torch==([0-9.]+)\+cpu$/torch==\1/'
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"

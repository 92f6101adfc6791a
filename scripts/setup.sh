#!/usr/bin/env bash
# Set up policykit on a fresh machine: Chromium for static figure export (Debian package),
# a virtual environment with pinned dependencies (constraints.txt), and the project itself.
# Idempotent: rerunning only installs what is missing.
set -euo pipefail
VENV="${1:-.venv}"
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && [ -z "${BROWSER_PATH:-}" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "==> installing Debian's chromium (static PNG/SVG export with kaleido)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: chromium not found and cannot be installed here; PNG/SVG export will be skipped" >&2
    echo "         (install Debian's chromium, or set BROWSER_PATH to a Chrome/Chromium binary)" >&2
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade "pip>=24"
echo "==> installing dependencies (pinned by constraints.txt; torch is the 2.13.0 CPU build)"
"$VENV/bin/pip" install -q -c constraints.txt "torch==2.13.0"
"$VENV/bin/pip" install -q -c constraints.txt -e ".[notebooks,test]"
echo "==> compiling topic-model kernels once (numba cache)"
"$VENV/bin/python" -m policykit.warmup
"$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (policykit)" >/dev/null
echo "==> setup complete: $("$VENV/bin/policykit" --version)"

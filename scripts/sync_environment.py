"""Write environment.yml from pyproject.toml (dependencies + notebook and test extras).

conda cannot run on the project's machines, so environment.yml is generated from the one
source of truth and `tests/test_environment.py` fails when the two drift apart.
Run: python scripts/sync_environment.py
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# conda environment for policykit — generated from pyproject.toml by scripts/sync_environment.py;
# do not edit by hand (tests/test_environment.py checks that both list the same packages).
# torch is pinned to the 2.13.0 CPU build; models are never downloaded at run time.
name: policykit
channels:
  - conda-forge
  - nodefaults
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def requirements() -> list[str]:
    """Dependencies of the project plus its notebooks and test extras, in order."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in ("notebooks", "test"):
        reqs += meta["optional-dependencies"][extra]
    return reqs


def render() -> str:
    """The text of environment.yml."""
    lines = [HEADER]
    lines += [f'      - "{r}"\n' for r in requirements()]
    lines.append('      - "-e ."\n')
    return "".join(lines)


if __name__ == "__main__":
    (ROOT / "environment.yml").write_text(render())
    sys.stdout.write("wrote environment.yml\n")

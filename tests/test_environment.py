"""environment.yml (for conda users) lists exactly the dependencies of pyproject.toml."""

import importlib.util
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), 1)[0].lower().replace("_", "-")


def test_environment_yml_in_sync_with_pyproject():
    spec = importlib.util.spec_from_file_location("sync", ROOT / "scripts" / "sync_environment.py")
    sync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync)
    assert (ROOT / "environment.yml").read_text() == sync.render(), \
        "environment.yml is stale: run `python scripts/sync_environment.py`"
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in meta["dependencies"]}
    for extra in meta["optional-dependencies"].values():
        declared |= {_name(r) for r in extra}
    assert {_name(r) for r in pip if not r.startswith("-e")} == declared
    assert "python=3.11" in env["dependencies"]


def test_design_card_packages_declared():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in meta["dependencies"]}
    for extra in meta["optional-dependencies"].values():
        names |= {_name(r) for r in extra}
    for pkg in ("jupyterlab", "spacy", "pandas", "plotly", "bertopic", "pytest", "nbval"):
        assert pkg in names


def test_constraints_pin_torch_cpu_build():
    text = (ROOT / "constraints.txt").read_text()
    assert re.search(r"^torch==2\.13\.0$", text, re.M)

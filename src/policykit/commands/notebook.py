"""``policykit notebook``: rerun an analysis notebook with parameters (papermill)."""

from __future__ import annotations

import argparse

HELP = "run a notebook from notebooks/ with parameters, e.g. --param corpus=PATH (papermill)"
DESCRIPTION = """\
Run one of the analysis notebooks on another corpus or grouping with papermill.

  policykit notebook 3.01 --param corpus=../shared/data/governance-texts --out out.ipynb
  policykit notebook list

NAME is a notebook file name, its stem, or its phase prefix (e.g. 2.01).
Parameters are set in the notebook's `parameters` cell; values are parsed as YAML
(numbers, lists, true/false), anything else is a string.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    parser.add_argument("name", help="notebook name, stem or phase prefix; `list` lists them")
    parser.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                        help="set a parameter (repeatable)")
    parser.add_argument("--out", help="executed notebook path (default: reports/notebooks/NAME)")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel name")


def find_notebook(name: str):
    """Path of the notebook matching ``name`` in ``notebooks/``."""
    from .. import config
    from ..errors import InputError
    nbs = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))
    for nb in nbs:
        if name in (nb.name, nb.stem) or nb.stem.startswith(name + "-"):
            return nb
    raise InputError(name, "no such notebook",
                     "choose one of: " + ", ".join(nb.stem for nb in nbs))


def parse_params(items: list[str]) -> dict:
    """``["a=1", "b=x"]`` → ``{"a": 1, "b": "x"}`` (values parsed as YAML)."""
    import yaml
    from ..errors import InputError
    out = {}
    for item in items:
        if "=" not in item:
            raise InputError(None, f"parameter {item!r} is not KEY=VALUE",
                             "write e.g. --param corpus=path/to/texts")
        k, v = item.split("=", 1)
        try:
            out[k.strip()] = yaml.safe_load(v)
        except yaml.YAMLError:
            out[k.strip()] = v
    return out


def run(args: argparse.Namespace) -> int:
    """Execute the notebook with papermill."""
    from pathlib import Path

    from .. import config
    if args.name == "list":
        for nb in sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")):
            print(nb.stem)
        return 0
    import papermill as pm
    nb = find_notebook(args.name)
    out = Path(args.out) if args.out else config.reports_dir() / "notebooks" / nb.name
    out.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(nb), str(out), parameters=parse_params(args.param),
                        kernel_name=args.kernel, cwd=str(config.NOTEBOOKS_DIR), progress_bar=True)
    print(f"wrote {out}")
    return 0

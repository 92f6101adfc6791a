"""``policykit notebook``: rerun an analysis notebook with parameters (papermill)."""

from __future__ import annotations

import argparse
import re

HELP = "run a notebook from notebooks/ with parameters, e.g. --param corpus=PATH (papermill)"
DESCRIPTION = """\
Run one of the analysis notebooks on another corpus or grouping with papermill.

  policykit notebook 3.01 --param corpus=texts --param metadata=texts/meta.csv
  policykit notebook 3.01 --param corpus=../shared/data/governance-texts --out out.ipynb
  policykit notebook list

NAME is a notebook file name, its stem, or its phase prefix (e.g. 2.01).
Parameters are set in the notebook's `parameters` cell; values are parsed as YAML
(numbers, lists, true/false), anything else is a string. A parameter the notebook does not
have is an error (with the nearest names).

Paths mean what you typed: a path parameter (corpus, metadata, out, ...) that is relative is
relative to the current folder, and an input path that does not exist is an error naming it;
nothing falls back to another corpus. The executed notebook goes to --out (default:
notebooks/NAME.ipynb in the reports folder: $POLICYKIT_REPORTS_DIR, else reports/ of the
project when run inside it, else ./reports), written when the run is complete; a notebook
that fails is still written there, with its error, and the command exits non-zero.
"""

#: Parameters that name files or folders the notebook reads (must exist).
INPUT_PATH_PARAMETERS = ("corpus", "metadata", "extraction", "gold", "path", "paths", "fallback")
#: Parameters that name files or folders the notebook writes.
OUTPUT_PATH_PARAMETERS = ("out", "out_dir", "output")
_PATHISH_HELP = re.compile(r"\b(file|folder|path|directory)\b", re.I)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    parser.add_argument("name", help="notebook name, stem or phase prefix; `list` lists them")
    parser.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                        help="set a parameter (repeatable); relative paths are relative to the current folder")
    parser.add_argument("--out", help="executed notebook path (default: notebooks/NAME.ipynb in the reports folder)")
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


def notebook_parameters(path) -> dict:
    """Parameters of a notebook's ``parameters`` cell: name → ``{"default", "help"}``.

    Read directly from the cell (``name = value  # help`` lines), so comments containing ``=``
    (which papermill's parser skips) do not hide a parameter.
    """
    import json
    from pathlib import Path

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        for line in src.splitlines():
            m = re.match(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(.*?)\s*(?:#\s*(.*))?$", line)
            if m:
                out[m.group(1)] = {"default": m.group(2), "help": m.group(3) or ""}
        break
    return out


def _resolve(value, must_exist: bool, name: str):
    """A path parameter's value with relative paths made absolute against the current folder."""
    from pathlib import Path

    from ..errors import InputError

    if value is None or (isinstance(value, str) and not value.strip()):
        return value
    if isinstance(value, (list, tuple)):
        return [_resolve(v, must_exist, name) for v in value]
    if not isinstance(value, str):
        return value
    p = Path(value).expanduser()
    full = p if p.is_absolute() else Path.cwd() / p
    if must_exist and not full.exists():
        raise InputError(value, f"no such file or folder (parameter {name!r}; looked for {full}: "
                                "relative paths are relative to the current folder)",
                         "check the path; nothing falls back to another corpus")
    return str(full.resolve() if full.exists() else full.absolute())


def resolve_parameters(params: dict, declared: dict) -> dict:
    """Check parameter names against the notebook's and resolve path parameters.

    Parameters
    ----------
    params : dict
        From :func:`parse_params`.
    declared : dict
        :func:`notebook_parameters` of the notebook (name → {default, help}).

    Raises
    ------
    InputError
        For a parameter the notebook does not declare, or a missing input path.
    """
    import difflib

    from ..errors import InputError

    out = {}
    for k, v in params.items():
        if declared and k not in declared:
            near = difflib.get_close_matches(k, list(declared), n=2, cutoff=0.6)
            raise InputError(None, f"the notebook has no parameter {k!r}"
                             + (f" (did you mean {' or '.join(map(repr, near))}?)" if near else ""),
                             "its parameters are: " + ", ".join(declared))
        helptext = str((declared.get(k) or {}).get("help", ""))
        if k in OUTPUT_PATH_PARAMETERS:
            v = _resolve(v, False, k)
        elif k in INPUT_PATH_PARAMETERS or _PATHISH_HELP.search(helptext) and isinstance(v, (str, list)):
            v = _resolve(v, True, k)
        out[k] = v
    return out


def run(args: argparse.Namespace) -> int:
    """Execute the notebook with papermill; the output notebook is replaced when the run ends."""
    import os
    import sys
    from pathlib import Path

    from .. import config
    from ..errors import PolicykitError
    from ..report.outdir import mark_folder

    if args.name == "list":
        for nb in sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")):
            print(nb.stem)
        return 0
    import papermill as pm

    nb = find_notebook(args.name)
    declared = notebook_parameters(nb)
    params = resolve_parameters(parse_params(args.param), declared)
    for k in OUTPUT_PATH_PARAMETERS:  # a notebook that writes files writes them where the user is
        if k in declared and k not in params:
            params[k] = str(config.reports_dir())
    if args.out:
        out = Path(args.out).expanduser().absolute()
    else:
        folder = config.reports_dir() / "notebooks"
        mark_folder(folder, "notebooks")
        out = folder / nb.name
    if out.is_dir():
        from ..errors import InputError

        raise InputError(out, "--out is a folder", "give a notebook file name, e.g. --out run.ipynb")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.running{out.suffix or '.ipynb'}")
    shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "its defaults"
    print(f"running {nb.stem} with {shown}", file=sys.stderr)
    try:
        pm.execute_notebook(str(nb), str(tmp), parameters=params, kernel_name=args.kernel,
                            cwd=str(config.NOTEBOOKS_DIR), progress_bar=sys.stderr.isatty())
    except pm.PapermillExecutionError as exc:
        if tmp.exists():
            os.replace(tmp, out)
        raise PolicykitError(f"{nb.stem} failed in cell {exc.exec_count} ({exc.ename}: {exc.evalue}); "
                             f"the executed notebook with the error is {out}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    print(f"wrote {out}")
    return 0

"""Reading the project's YAML files (rules, taxonomy, thresholds, stances) with one kind of error.

A missing file or broken YAML raises :class:`~policykit.errors.InputError` naming the file, the
line of the problem and the fix, wherever the file is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError


def read_yaml(path: str | Path, *, what: str, restore: str, loader: type | None = None) -> Any:
    """The parsed content of ``path`` (``None`` for an empty file).

    Parameters
    ----------
    path : path
        The YAML file.
    what : str
        What the file is, for the message of a missing file ("taxonomy file").
    restore : str
        How to get a missing file back ("restore data/rules/extraction.yaml from the repository").
    loader : yaml Loader class, optional
        Default ``yaml.SafeLoader``.

    Raises
    ------
    InputError
        When the file does not exist, is a folder, is not UTF-8 or is not valid YAML (with its
        line).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(p, f"{what} not found", restore) from None
    except IsADirectoryError:
        raise InputError(p, f"is a folder, not a {what}", "give the path of a YAML file") from None
    except UnicodeDecodeError as e:
        raise InputError(p, f"not UTF-8 text (byte {e.start})", "save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=loader or yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(p, f"not valid YAML: {getattr(e, 'problem', None) or e}",
                         "fix the syntax (quote values that contain ': ')",
                         line=None if mark is None else mark.line + 1) from None

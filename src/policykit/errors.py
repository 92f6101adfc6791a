"""Errors that tell the user what went wrong, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class PolicykitError(Exception):
    """Base class for every error policykit raises on purpose.

    The CLI prints the message (no traceback) and exits with status 2.
    """

    exit_code = 2


class InputError(PolicykitError):
    """A user-supplied file or value cannot be used.

    Parameters
    ----------
    path : str or Path or None
        The offending file (named in the message).
    problem : str
        What is wrong with it.
    fix : str, optional
        What the user can do about it.
    line : int, optional
        1-based line number, where it helps.
    """

    def __init__(self, path: str | Path | None, problem: str, fix: str | None = None,
                 line: int | None = None):
        self.path = None if path is None else str(path)
        self.problem = problem
        self.fix = fix
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if line is not None:
                where += f":{line}"
            where += ": "
        msg = f"{where}{problem}"
        if fix:
            msg += f"\n  fix: {fix}"
        super().__init__(msg)


class SchemaError(PolicykitError):
    """A table does not satisfy its contract (missing columns, wrong types, bad offsets)."""

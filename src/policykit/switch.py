"""Process-wide switches: a named choice with an environment default, changed for a block.

Two choices of the same kind exist: the backend of the packaged MiniLM (:mod:`policykit.embed`,
``POLICYKIT_ENCODER``) and the backend of the tuned extraction encoder
(:mod:`policykit.extract.encoder`, ``POLICYKIT_EXTRACT_ENCODER``). Both are a :class:`Switch`.
"""

from __future__ import annotations

import os
from typing import Callable, Sequence

from .errors import PolicykitError


class Switch:
    """A process-wide choice among ``choices``.

    Parameters
    ----------
    what : str
        What is chosen (for error messages), e.g. ``"encoder backend"``.
    choices : sequence of str
        The allowed values.
    env : str
        Environment variable giving the value at start-up.
    default : str or callable
        The value when neither the environment nor :meth:`use` sets one (a callable is asked
        each time: a default that depends on what is installed).
    """

    def __init__(self, what: str, choices: Sequence[str], env: str, default: str | Callable[[], str]):
        self.what, self.choices, self.env, self.default = what, tuple(choices), env, default
        self.value: str | None = os.environ.get(env) or None

    def get(self) -> str:
        """The value in force (checked: an unknown value from the environment raises)."""
        name = self.value or (self.default() if callable(self.default) else self.default)
        if name not in self.choices:
            raise PolicykitError(f"unknown {self.what} {name!r} ({self.env}); use one of {', '.join(self.choices)}")
        return name

    def use(self, name: str | None) -> "_Using":
        """Set the value (``None`` keeps the one in force) until the returned context exits.

        Raises
        ------
        PolicykitError
            For a value not among the choices.
        """
        if name is not None and name not in self.choices:
            raise PolicykitError(f"unknown {self.what} {name!r}; use one of {', '.join(self.choices)}")
        return _Using(self, name)


class _Using:
    """Context manager of :meth:`Switch.use` (the value is set when it is created)."""

    def __init__(self, switch: Switch, name: str | None):
        self.switch, self.previous = switch, switch.value
        if name is not None:
            switch.value = name

    def __enter__(self) -> "_Using":
        return self

    def __exit__(self, *exc) -> None:
        self.switch.value = self.previous

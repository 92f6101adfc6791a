"""policykit.switch: a process-wide choice with an environment default, changed for a block."""

import pytest

from policykit.errors import PolicykitError
from policykit.switch import Switch


def test_environment_then_block_then_restored(monkeypatch):
    monkeypatch.setenv("PK_TEST_SWITCH", "b")
    s = Switch("test backend", ("a", "b"), "PK_TEST_SWITCH", "a")
    assert s.get() == "b"
    with s.use("a"):
        assert s.get() == "a"
        with s.use(None):  # None keeps the value in force
            assert s.get() == "a"
    assert s.get() == "b"


def test_callable_default_and_clear_errors(monkeypatch):
    monkeypatch.delenv("PK_TEST_SWITCH", raising=False)
    s = Switch("test backend", ("a", "b"), "PK_TEST_SWITCH", lambda: "b")
    assert s.get() == "b"
    with pytest.raises(PolicykitError, match="use one of a, b"):
        s.use("c")
    monkeypatch.setenv("PK_TEST_SWITCH", "c")
    with pytest.raises(PolicykitError, match=r"unknown test backend 'c' \(PK_TEST_SWITCH\)"):
        Switch("test backend", ("a", "b"), "PK_TEST_SWITCH", "a").get()

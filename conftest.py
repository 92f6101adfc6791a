"""Test-session isolation, for the library tests and the notebooks (nbval) alike.

Every test session writes its caches, tables and reports into its own temporary folders, never
into the checkout's ``data/interim``, ``data/processed`` or ``reports`` (see the rule in
:mod:`policykit.config`). The variables are set before anything resolves a path, and notebook
kernels started by nbval inherit them. A caller that wants several sessions to share one cache
(``make test`` gives the library tests and the first notebook run one temporary folder) sets
``POLICYKIT_TEST_KEEP_DIRS=1`` together with ``POLICYKIT_INTERIM_DIR``,
``POLICYKIT_PROCESSED_DIR`` and ``POLICYKIT_REPORTS_DIR``; the session then uses them as given
and refuses to run if any of them is missing or points into the checkout's own folders.
``POLICYKIT_CORRECTIONS`` (the evidence explorer's corrections file, an analyst's work) points
into a temporary folder too unless the caller set it.

``pytest -m "not slow"`` is the quick development run: tests marked ``slow`` in their module,
and the library tests listed in :data:`SLOW_TESTS` (measured above ~5 s on 2 cores, in modules
owned by others), are left out.
"""

import os
import shutil
import tempfile

import pytest

_VARS = ("POLICYKIT_INTERIM_DIR", "POLICYKIT_PROCESSED_DIR", "POLICYKIT_REPORTS_DIR")
_SESSION: dict = {}


#: Library tests slower than ~5 s (``pytest --durations``), marked ``slow`` here so that their
#: modules need not change; node ids relative to the project root, a prefix marks a whole module.
SLOW_TESTS: tuple[str, ...] = ()


def _checkout_dirs():
    root = os.path.dirname(os.path.abspath(__file__))
    return [os.path.join(root, *p) for p in (("data", "interim"), ("data", "processed"), ("reports",))]


def pytest_configure(config):
    if not os.environ.get("POLICYKIT_CORRECTIONS"):  # an analyst's corrections file is never touched
        cdir = tempfile.mkdtemp(prefix="policykit-test-corrections-")
        _SESSION["corrections"] = cdir
        os.environ["POLICYKIT_CORRECTIONS"] = os.path.join(cdir, "corrections.jsonl")
    if os.environ.get("POLICYKIT_TEST_KEEP_DIRS"):  # a caller chose the folders (e.g. a shared cache)
        chosen = [os.environ.get(k) for k in _VARS]
        if not all(chosen):
            raise pytest.UsageError("POLICYKIT_TEST_KEEP_DIRS=1 needs POLICYKIT_INTERIM_DIR, "
                                    "POLICYKIT_PROCESSED_DIR and POLICYKIT_REPORTS_DIR")
        for d in chosen:
            real = os.path.realpath(d)
            if any(real == c or real.startswith(c + os.sep) for c in map(os.path.realpath, _checkout_dirs())):
                raise pytest.UsageError(f"tests must not write into the checkout's own folders: {d}")
        return
    root = tempfile.mkdtemp(prefix="policykit-test-")
    _SESSION["root"] = root
    _SESSION["saved"] = {k: os.environ.get(k) for k in _VARS}
    for k, sub in zip(_VARS, ("interim", "processed", "reports")):
        os.environ[k] = os.path.join(root, sub)


def pytest_unconfigure(config):
    cdir = _SESSION.pop("corrections", None)
    if cdir is not None:
        os.environ.pop("POLICYKIT_CORRECTIONS", None)
        shutil.rmtree(cdir, ignore_errors=True)
    root = _SESSION.pop("root", None)
    if root is None:
        return
    for k, v in _SESSION.pop("saved").items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    shutil.rmtree(root, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    if not SLOW_TESTS:
        return
    for item in items:
        if item.nodeid.startswith(SLOW_TESTS):
            item.add_marker(pytest.mark.slow)


def _snapshot() -> dict:
    """Every file under the checkout's data/interim, data/processed and reports (size, mtime)."""
    snap = {}
    for d in _checkout_dirs():
        if not os.path.isdir(d):
            snap[d] = None
            continue
        for base, _, files in os.walk(d):
            for f in files:
                p = os.path.join(base, f)
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                snap[p] = (st.st_size, st.st_mtime_ns)
    return snap


def pytest_sessionstart(session):
    _SESSION["snapshot"] = _snapshot()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any test wrote into the checkout's data/interim, data/processed or reports."""
    before = _SESSION.pop("snapshot", None)
    if before is None:
        return
    after = _snapshot()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if changed:
        print("\nERROR: the test session changed the checkout's own folders (tests must write into "
              "their temporary folders): " + ", ".join(os.path.relpath(c) for c in changed[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

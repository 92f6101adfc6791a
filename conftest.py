"""Test-session isolation, for the library tests and the notebooks (nbval) alike.

Every test session writes its caches, tables and reports into its own temporary folders, never
into the checkout's ``data/interim``, ``data/processed`` or ``reports`` (see the rule in
:mod:`policykit.config`). The variables are set before anything resolves a path, and notebook
kernels started by nbval inherit them.
"""

import os
import shutil
import tempfile

_VARS = ("POLICYKIT_INTERIM_DIR", "POLICYKIT_PROCESSED_DIR", "POLICYKIT_REPORTS_DIR")
_SESSION: dict = {}


def pytest_configure(config):
    if os.environ.get("POLICYKIT_TEST_KEEP_DIRS"):  # a caller chose the folders (e.g. a shared cache)
        return
    root = tempfile.mkdtemp(prefix="policykit-test-")
    _SESSION["root"] = root
    _SESSION["saved"] = {k: os.environ.get(k) for k in _VARS}
    for k, sub in zip(_VARS, ("interim", "processed", "reports")):
        os.environ[k] = os.path.join(root, sub)


def pytest_unconfigure(config):
    root = _SESSION.pop("root", None)
    if root is None:
        return
    for k, v in _SESSION.pop("saved").items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    shutil.rmtree(root, ignore_errors=True)

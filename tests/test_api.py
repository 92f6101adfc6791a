"""The top-level API named in the README's quick start, and real signatures and docstrings on
the public functions (``help()`` shows parameters, not ``(*args, **kwargs)``)."""

import inspect

import pytest

import policykit as pk


def test_top_level_names():
    assert callable(pk.load) and callable(pk.load_report)
    assert callable(pk.extract)             # the subpackage is callable
    assert callable(pk.extract.extract)
    assert callable(pk.classify) and callable(pk.rollup) and callable(pk.labels_long)


def test_classify_through_top_level():
    out = pk.classify(["Governments should create an international AI agency."])
    assert len(out) == 1 and out.iloc[0]["role"] == "proposal"


MODULES = ["policykit.compare", "policykit.present", "policykit.nbtools", "policykit.taxonomy",
           "policykit.report", "policykit.report.outdir", "policykit.figures.compare",
           "policykit.figures.topics", "policykit.topics.vocab", "policykit.corpus.sidecar"]


@pytest.mark.parametrize("modname", MODULES)
def test_public_functions_have_real_signatures_and_docstrings(modname):
    import importlib

    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
    checked = 0
    for n in names:
        obj = getattr(mod, n)
        if not inspect.isfunction(obj) or getattr(obj, "__module__", "").split(".")[0] != "policykit":
            continue
        params = inspect.signature(obj).parameters.values()
        kinds = [p.kind for p in params]
        assert kinds != [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD], f"{modname}.{n}"
        assert (obj.__doc__ or "").strip(), f"{modname}.{n} has no docstring"
        checked += 1
    assert checked

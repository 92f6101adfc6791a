"""The top-level API named in the README's quick start."""

import policykit as pk


def test_top_level_names():
    assert callable(pk.load) and callable(pk.load_report)
    assert callable(pk.extract)             # the subpackage is callable
    assert callable(pk.extract.extract)
    assert callable(pk.classify) and callable(pk.rollup) and callable(pk.labels_long)


def test_classify_through_top_level():
    out = pk.classify(["Governments should create an international AI agency."])
    assert len(out) == 1 and out.iloc[0]["role"] == "proposal"

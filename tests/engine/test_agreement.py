"""Agreement of two extractions (used to compare the fast tier with the accurate one)."""

import pandas as pd
import pytest

from policykit.engine.agreement import tier_agreement
from tests.fixtures.tiny import tiny_wide


def test_identical_extractions_agree_fully():
    w = tiny_wide()
    got = tier_agreement(w, w)
    assert got["identical"].tolist() == [1.0] * 5 and got["f1"].tolist() == [1.0] * 5


def test_disagreement_is_counted():
    a = tiny_wide()
    b = a.copy()
    b.loc[1, "risk_domains"] = []
    b.loc[0, "role"] = "claim"
    got = tier_agreement(a, b).set_index("facet")
    assert got.loc["role", "identical"] == pytest.approx(0.9)
    assert got.loc["risk_domain", "identical"] == pytest.approx(0.9)
    assert 0 < got.loc["risk_domain", "f1"] < 1


@pytest.mark.slow
def test_fast_tier_agrees_with_accurate_on_the_report(report, tmp_path):
    """The contract of issue 15's student: measured here, asserted loosely until the lead's model lands."""
    from policykit.engine import extract_corpus
    small = report.subset(["fm-editors-note", "ch2-trager", "ch3-png", "ch4-ma"])
    fast = extract_corpus(small, model="fast", root=tmp_path).read()
    acc = extract_corpus(small, model="accurate", root=tmp_path).read()
    got = tier_agreement(acc, fast).set_index("facet")
    assert set(got.index) == {"role", "risk_domain", "risk_subdomain", "instrument", "addressee"}
    assert got.loc["role", "identical"] > 0.5

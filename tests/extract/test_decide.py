"""Decision rules and thresholds (policykit.extract.decide)."""

import numpy as np
import pytest

from policykit.errors import InputError
from policykit.extract import decide as D
from policykit.extract.vocab import STRUCT_FEATURES

PARENT = np.array([0, 0, 1, 1])  # two domains with two subdomains each
TH = {**D.NUMERIC, **D.SWITCHES, "risk": 0.5, "risk_domain": 0.5, "risk_subdomain": 0.5, "instrument": 0.5,
      "instrument_top": 0.3, "addressee": 0.5}


def choose(role, risk=0.0, dom=(0, 0), sub=(0, 0, 0, 0), inst=(0, 0, 0), addr=(0.1, 0.2, 0.1)):
    return D.choose_labels(role, risk, np.array(dom, float), np.array(sub, float), np.array(inst, float),
                           np.array(addr, float), TH, PARENT, 2)


def test_labels_follow_the_role():
    assert choose("other", risk=0.9, dom=(0.9, 0.9), inst=(0.9, 0, 0)) == ([], [], [], [])
    d, s, i, a = choose("claim", dom=(0.9, 0.1), sub=(0.2, 0.1, 0.9, 0.9), inst=(0.9, 0, 0))
    assert d == [0] and s == [0] and i == [] and a == []  # best child of the assigned domain only


def test_any_risk_keeps_the_best_domain():
    d, s, *_ = choose("claim", risk=0.8, dom=(0.3, 0.45), sub=(0, 0, 0.1, 0.2))
    assert d == [1] and s == [3]


def test_proposal_keeps_its_best_instrument_above_the_lower_bar_and_one_addressee():
    _, _, i, a = choose("proposal", inst=(0.1, 0.35, 0.2), addr=(0.2, 0.7, 0.6))
    assert i == [1]
    assert a == [1, 0] or a == [1]  # the best addressee always; "unspecified" (index 2) never with others
    _, _, i, a = choose("proposal", inst=(0.1, 0.2, 0.2), addr=(0.2, 0.1, 0.9))
    assert i == [] and a == [2]


def test_rule_role_and_imperatives():
    st = np.zeros(len(STRUCT_FEATURES))
    th = {**TH, "questions_are_other": True, "headings_are_other": True, "imperatives_are_proposals": True}
    assert D.rule_role("What next?", "body", st, th) == "question"
    assert D.rule_role("Risks of supply chain security", "heading", st, th) == "heading"
    assert D.rule_role("A title", "title", st, {**th, "headings_are_other": False}) == "section: title"
    assert D.rule_role("Governments should act.", "body", st, th) is None
    st[STRUCT_FEATURES.index("imperative_start")] = 1
    assert D.imperative_flags(st, th) == ["imperative_start"]
    assert D.imperative_flags(st, {**th, "imperatives_are_proposals": False}) == []


def test_threshold_validation(tmp_path):
    with pytest.raises(InputError, match="unknown threshold"):
        D.load_thresholds({"risk_domains": 0.5})
    with pytest.raises(InputError, match=r"in \[0, 1\]"):
        D.load_thresholds({"instrument": 1.5})
    with pytest.raises(InputError, match="true or false"):
        D.load_thresholds({"questions_are_other": "yes"})
    p = tmp_path / "t.yaml"
    p.write_text("instrument: 0.4\n")
    assert D.load_thresholds(p)["instrument"] == 0.4


def test_top_entries_are_those_of_a_full_stable_sort():
    """The evidence's nearest training sentences: a partition, not a sort of every row, yet the
    same entries in the same order (descending, ties by position), with ties and NaN rows."""
    rng = np.random.default_rng(0)
    S = rng.random((40, 300)).astype(np.float32)
    S[3, [5, 17, 40, 41]] = 2.0          # a tie at the boundary (4 equal best, 4 wanted: exact)
    S[4, [5, 17, 40, 41, 90]] = 2.0      # five equal best: the first four by position
    S[5, 7] = np.nan
    S[6] = 0.5                           # all equal
    for want in (1, 4, 10):
        got = D._top_stable(S, want)
        ref = np.argsort(-S, axis=1, kind="stable")[:, :want]
        assert np.array_equal(got, ref)
    small = S[:, :8]                     # few columns: a full sort
    assert np.array_equal(D._top_stable(small, 4), np.argsort(-small, axis=1, kind="stable")[:, :4])
    assert D._top_stable(S[:, :0], 4).shape == (40, 0)

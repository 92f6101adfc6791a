"""Prevalence per group: known shares on a hand-made frame, bootstrap by document."""

import numpy as np
import pytest

from policykit.compare import document_labels, prevalence
from policykit.compare.prevalence import MIN_DOCS, bootstrap_shares, sort_groups, wilson_interval
from tests.fixtures.tiny import tiny_wide


def row(df, group, label):
    r = df[(df["group"] == group) & (df["label"] == label)]
    assert len(r) == 1
    return r.iloc[0]


def test_known_document_and_sentence_shares():
    p = prevalence(tiny_wide(), by="region", facet="risk_domain", n_boot=200)
    a = row(p, "A", "privacy_security")
    assert a["n_docs_group"] == 3 and a["n_docs"] == 2
    assert a["doc_share"] == pytest.approx(2 / 3)
    # 3 sentences of A carry it, out of 6 claim/proposal sentences of A
    assert a["n_sents"] == 3 and a["n_sents_group"] == 6
    assert a["sent_share"] == pytest.approx(0.5)
    b = row(p, "B", "privacy_security")
    assert b["doc_share"] == 1.0 and b["sent_share"] == pytest.approx(0.5)
    m = row(p, "B", "misinformation")  # zero rows are kept
    assert m["n_docs"] == 0 and m["doc_share"] == 0.0 and m["example_sent_id"] == ""


def test_instruments_only_on_proposals():
    p = prevalence(tiny_wide(), by="region", facet="instrument", n_boot=0)
    ea = row(p, "A", "evaluation_audit")
    # a2 carries evaluation_audit on a claim: not eligible, so only a1 counts
    assert ea["n_docs"] == 1 and ea["n_sents"] == 1 and ea["n_sents_group"] == 2
    assert ea["sent_ids"] == ["a1.p000.s03"]


def test_small_groups_are_flagged_not_hidden():
    p = prevalence(tiny_wide(), by="region", facet="risk_domain", min_docs=3, n_boot=50)
    assert set(p["group"]) == {"A", "B"}
    assert not row(p, "A", "privacy_security")["small_group"]
    assert row(p, "B", "privacy_security")["small_group"]
    # the default rule: fewer than 5 documents is small (A has 3)
    assert MIN_DOCS == 5 and row(prevalence(tiny_wide(), by="region", n_boot=0), "A", "privacy_security")["small_group"]


@pytest.mark.parametrize("k, n, lo, hi", [(0, 4, 0.0, 0.48990), (1, 1, 0.20654, 1.0), (3, 7, 0.15822, 0.74954),
                                          (4, 4, 0.51010, 1.0), (5, 10, 0.23659, 0.76341)])
def test_wilson_interval_known_values(k, n, lo, hi):
    """Issue 14, failure 3: 0 of 4 and 1 of 1 documents are not [0, 0] and [1, 1]."""
    a, b = wilson_interval([k], [n])
    assert a[0] == pytest.approx(lo, abs=1e-5) and b[0] == pytest.approx(hi, abs=1e-5)
    assert b[0] - a[0] > 0


def test_wilson_interval_n_zero_is_nan():
    a, b = wilson_interval([0], [0])
    assert np.isnan(a[0]) and np.isnan(b[0])


def test_prevalence_states_its_interval_methods_and_names():
    p = prevalence(tiny_wide(), by="region", facet="risk_domain", n_boot=50)
    assert set(p["doc_share_ci"]) == {"Wilson score 95%"}
    b = row(p, "B", "privacy_security")
    assert b["sent_share_ci"] == "none (one document)" and np.isnan(b["sent_share_lo"])
    assert row(p, "A", "privacy_security")["sent_share_ci"] == "bootstrap of documents 95%"
    assert row(p, "A", "privacy_security")["label_name"] == "Privacy & security"


def test_intervals_contain_estimate_and_are_deterministic():
    w = tiny_wide()
    p1 = prevalence(w, by="region", facet="risk_domain", n_boot=300)
    p2 = prevalence(w, by="region", facet="risk_domain", n_boot=300)
    assert p1.drop(columns="sent_ids").equals(p2.drop(columns="sent_ids"))
    ok = p1["doc_share_lo"] <= p1["doc_share"] + 1e-12
    assert ok.all() and (p1["doc_share"] <= p1["doc_share_hi"] + 1e-12).all()
    assert (p1["doc_share_hi"] > p1["doc_share_lo"]).all()  # never zero width
    b = row(p1, "B", "privacy_security")  # one document raising it: Wilson [0.207, 1]
    assert b["doc_share_hi"] == 1.0 and b["doc_share_lo"] == pytest.approx(0.2065, abs=1e-4)


def test_bootstrap_resamples_documents():
    ind = np.array([[1.0], [0.0]])
    counts = np.array([[5.0], [0.0]])
    denom = np.array([10.0, 10.0])
    est = bootstrap_shares(ind, counts, denom, n_boot=2000, rng=np.random.default_rng(0))
    assert est["doc_share"][0] == 0.5 and est["sent_share"][0] == 0.25
    # a resample holds either document twice (share 0 or 1) or both (0.5)
    assert est["doc_lo"][0] == 0.0 and est["doc_hi"][0] == 1.0
    assert est["sent_lo"][0] == 0.0 and est["sent_hi"][0] == 0.5


def test_missing_group_values_and_numeric_order():
    w = tiny_wide()
    w.loc[w["doc_id"] == "b1", "chapter"] = None
    p = prevalence(w, by="chapter", facet="risk_domain", n_boot=0)
    assert sort_groups(p["group"]) == ["1", "2", "unknown"]
    assert sort_groups(["10", "2", "1"]) == ["1", "2", "10"]


def test_document_labels_follow_rollup_contract():
    dl = document_labels(tiny_wide(), "risk_domain")
    assert {"doc_id", "facet", "label", "n_sentences", "share", "sent_ids", "region"} <= set(dl)
    a1 = dl[(dl["doc_id"] == "a1") & (dl["label"] == "privacy_security")].iloc[0]
    assert a1["n_sentences"] == 2 and a1["share"] == pytest.approx(2 / 3)


def test_unknown_facet_and_column():
    with pytest.raises(ValueError):
        prevalence(tiny_wide(), facet="nope")
    with pytest.raises(ValueError):
        prevalence(tiny_wide(), by="nope")

"""Topics per group and topics × extracted labels."""

import numpy as np
import pandas as pd
import pytest

from policykit.topics import topic_hierarchy, topic_label_crosstab, topics_per_group

COLS = ["by", "group", "topic", "label", "count", "n_units_group", "share", "share_of_topic",
        "n_docs", "representative_ids", "representative_texts"]


@pytest.fixture(scope="module")
def per_group(fitted):
    return topics_per_group(fitted, ("region", "chapter", "sector"))


def test_schema_and_shares(per_group, fitted):
    assert list(per_group.columns) == COLS
    assert set(per_group["by"]) == {"region", "chapter", "sector"}
    for (by, group), g in per_group.groupby(["by", "group"]):
        assert g["share"].sum() == pytest.approx(1.0)
        assert g["count"].sum() == g["n_units_group"].iloc[0]
    for by, g in per_group.groupby("by"):
        assert g["count"].sum() == len(fitted.units_)
        shares = g.groupby("topic")["share_of_topic"].sum()
        assert np.allclose(shares, 1.0)
    # chapters are numbers, ordered numerically
    ch = per_group[per_group["by"] == "chapter"]["group"].drop_duplicates().tolist()
    assert ch == sorted(ch, key=float)


def test_representative_sentences_are_real_sentences(per_group, report):
    sents = report.sentences.set_index("sent_id")["text"]
    paras = per_group.explode(["representative_ids", "representative_texts"])
    assert len(paras) > 0
    for sid, text in zip(paras["representative_ids"], paras["representative_texts"]):
        assert sents[sid] == text
    # a paragraph model names sentences of paragraphs in that topic and group
    row = per_group.iloc[0]
    assert len(row["representative_ids"]) <= 3


def test_missing_column(fitted):
    with pytest.raises(KeyError, match="no column 'continent'"):
        topics_per_group(fitted, "continent")


def test_crosstab_long_and_wide(fitted):
    units = fitted.assignments_
    pick = units.iloc[:6]
    sids = [f"{u}.s00" for u in pick["unit_id"]]
    long = pd.DataFrame({"sent_id": sids, "doc_id": pick["doc_id"].tolist(),
                         "facet": ["risk_domain"] * 4 + ["instrument"] * 2,
                         "label": ["privacy_security"] * 3 + ["misinformation", "standards_certification",
                                                              "standards_certification"],
                         "score": 1.0})
    ct = topic_label_crosstab(fitted, long)
    assert list(ct.columns) == ["topic", "topic_label", "facet", "label", "count", "topic_size", "share",
                                "label_units", "lift"]
    assert len(ct) == fitted.n_topics_ * 3  # full grid
    assert ct.groupby(["facet", "label"])["count"].sum().to_dict() == {
        ("instrument", "standards_certification"): 2, ("risk_domain", "misinformation"): 1,
        ("risk_domain", "privacy_security"): 3}
    wide = pd.DataFrame({"sent_id": sids,
                         "risk_domains": [["privacy_security"]] * 3 + [["misinformation"]] + [[], []],
                         "instruments": [[]] * 4 + [["standards_certification"]] * 2})
    pd.testing.assert_frame_equal(topic_label_crosstab(fitted, wide), ct)


def test_hierarchy(fitted):
    from scipy.cluster.hierarchy import is_valid_linkage

    from policykit.topics.hierarchy import linkage_matrix

    h = topic_hierarchy(fitted)
    k = fitted.n_topics_
    assert (h["kind"] == "leaf").sum() == k and (h["kind"] == "merge").sum() == k - 1
    assert is_valid_linkage(linkage_matrix(h))
    root = h.iloc[-1]
    assert sorted(root["topics"]) == fitted.topic_ids_

"""NPMI coherence and topic diversity, on hand-made cases and on the report (BERTopic vs NMF)."""

import pandas as pd
import pytest

from policykit.topics import compare_models, npmi_coherence, topic_diversity, topic_quality


def terms_of(topics):
    rows = [(t, w, 1.0, r + 1, str(t)) for t, ws in topics.items() for r, w in enumerate(ws)]
    return pd.DataFrame(rows, columns=["topic", "term", "weight", "rank", "label"])


TEXTS = ["apple banana", "apple banana", "cherry grape", "cherry grape", "apple cherry melon",
         "melon kiwi", "kiwi lemon", "lemon melon"]


def test_npmi_extremes():
    res = npmi_coherence(terms_of({0: ["apple", "banana"], 1: ["banana", "grape"]}), TEXTS)
    got = dict(zip(res["topic"], res["npmi"]))
    # banana never appears without apple: strongly positive; banana and grape never together: -1
    assert got[0] > 0.5
    assert got[1] == -1.0
    assert res.loc[res["topic"] == 1, "n_pairs_never_together"].item() == 1


def test_npmi_always_together_is_one():
    texts = ["alpha beta", "alpha beta", "alpha beta"]
    res = npmi_coherence(terms_of({0: ["alpha", "beta"]}), texts)
    assert res["npmi"].item() == pytest.approx(1.0)


def test_npmi_bigram_terms_use_the_model_tokenisation():
    texts = ["open-source models are risky", "open-source models help", "closed models"]
    res = npmi_coherence(terms_of({0: ["open-source", "open-source models"]}), texts)
    assert res["npmi"].item() == pytest.approx(1.0)


def test_outlier_topic_is_ignored():
    res = npmi_coherence(terms_of({-1: ["apple", "kiwi"], 0: ["apple", "banana"]}), TEXTS)
    assert list(res["topic"]) == [0]


def test_diversity():
    assert topic_diversity(terms_of({0: ["a", "b"], 1: ["c", "d"]})) == 1.0
    assert topic_diversity(terms_of({0: ["a", "b"], 1: ["a", "b"]})) == 0.5
    q = topic_quality(terms_of({0: ["apple", "banana"], 1: ["cherry", "grape"]}), TEXTS)
    assert q["n_topics"] == 2 and q["diversity"] == 1.0 and q["npmi"] > 0.5


def test_bertopic_and_nmf_scored_alike(fitted, nmf):
    q = compare_models({"bertopic": fitted, "nmf": nmf})
    assert list(q["model"]) == ["bertopic", "nmf"]
    assert (q["n_topics"] == fitted.n_topics_).all()
    assert q["npmi"].between(-1, 1).all()
    assert q["diversity"].between(0, 1).all()
    # both models give topics whose terms co-occur more than chance in the report
    assert (q["npmi"] > 0).all()
    assert (q["diversity"] > 0.6).all()

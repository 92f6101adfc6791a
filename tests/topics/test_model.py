"""The BERTopic adapter: contracts of the tables, defaults for a small corpus, determinism."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from policykit.topics import TopicModel, topic_units

ASSIGN = ["unit_id", "doc_id", "topic", "probability", "similarity", "reassigned"]
TERMS = ["topic", "term", "weight", "rank", "label"]


def test_units_are_body_paragraphs(report):
    units = topic_units(report, "paragraph")
    body = report.paragraphs[report.paragraphs["section"] == "body"]
    assert set(units["unit_id"]) <= set(body["para_id"])
    assert len(units) > 250
    assert {"region", "chapter", "sector", "doc_id", "text"} <= set(units.columns)
    sents = topic_units(report, "sentence")
    assert set(sents["unit_id"]) <= set(report.sentences["sent_id"])


def test_sklearn_conventions():
    tm = TopicModel(nr_topics=7, unit="sentence")
    assert tm.get_params()["nr_topics"] == 7
    assert tm.set_params(nr_topics=5) is tm and tm.nr_topics == 5
    assert not any(k.endswith("_") for k in vars(tm))  # no learned state before fit
    assert "nr_topics=5" in repr(tm)


def test_fit_tables(fitted, report):
    tm = fitted
    a = tm.assignments_
    assert list(a.columns) == ASSIGN
    assert a["unit_id"].is_unique and len(a) == len(tm.units_)
    assert set(a["doc_id"]) <= set(report.documents["doc_id"])
    assert list(tm.terms_.columns) == TERMS
    assert list(tm.keywords_.columns) == TERMS
    assert a["probability"].between(0, 1).all()
    # a few hundred paragraphs give a handful of topics, not 2 and not 50
    assert 5 <= tm.n_topics_ <= 30
    # outlier reduction: units are not left in topic -1
    assert tm.outlier_share_ <= 0.05 and tm.outlier_share_before_ <= 0.5
    assert set(a["topic"]) - {-1} == set(tm.topic_ids_)
    assert tm.topic_embeddings_.shape == (tm.n_topics_, tm.embeddings_.shape[1])
    assert tm.topic_term_matrix_.shape == (tm.n_topics_, len(tm.vocabulary_))
    # labels: "id: word, word, word", one per topic, used in every table
    for t, lab in tm.labels_.items():
        assert lab.startswith(f"{t}: ")
    assert (tm.terms_["label"] == tm.terms_["topic"].map(tm.labels_)).all()
    info = tm.topic_info_
    assert info["count"].sum() == len(a)
    assert np.isclose(info["share"].sum(), 1.0)
    assert all(set(ids) <= set(a["unit_id"]) for ids in info["representative_ids"])
    # c-TF-IDF terms are in the fixed vocabulary and ranked 1..n
    assert set(tm.terms_["term"]) <= set(tm.vocabulary_)
    assert (tm.terms_.groupby("topic")["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1)))).all()
    # "ai" is a stop word: it would head every label of an AI-governance corpus
    assert "ai" not in set(tm.terms_["term"])


def test_doc_map(fitted):
    dm = fitted.doc_map_
    assert {"unit_id", "doc_id", "topic", "label", "x", "y", "region", "chapter"} <= set(dm.columns)
    assert len(dm) == len(fitted.units_)
    assert np.isfinite(dm[["x", "y"]].to_numpy()).all()


def test_transform_assigns_fitted_units_to_their_topic(fitted):
    units = fitted.units_.head(40)
    pred = fitted.transform(units, embeddings=fitted.embeddings_[:40])
    assert list(pred.columns) == ASSIGN
    agree = (pred["topic"].to_numpy() == fitted.topics_[:40]).mean()
    assert agree > 0.6


def test_same_input_same_topics_in_process(fitted, report):
    again = TopicModel().fit(report)
    pd.testing.assert_frame_equal(again.assignments_, fitted.assignments_)
    pd.testing.assert_frame_equal(again.terms_, fitted.terms_)
    pd.testing.assert_frame_equal(again.keywords_, fitted.keywords_)
    pd.testing.assert_frame_equal(again.doc_map_, fitted.doc_map_)
    assert again.fingerprint() == fitted.fingerprint()


def test_same_input_same_topics_in_another_process(fitted, tmp_path):
    code = ("import json, policykit\n"
            "from policykit.topics import TopicModel\n"
            "tm = TopicModel().fit(policykit.load())\n"
            "print(json.dumps({'fp': tm.fingerprint(), 'labels': {str(k): v for k, v in tm.labels_.items()}}))\n")
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONHASHSEED="123")  # a different hash seed, on purpose
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["labels"] == {str(k): v for k, v in fitted.labels_.items()}
    assert res["fp"] == fitted.fingerprint()


def test_nr_topics_can_be_fixed(report, fitted):
    tm = TopicModel(nr_topics=6, keybert=False, doc_map=False).fit(report)
    assert tm.n_topics_ == 6
    assert tm.keywords_ is None and tm.doc_map_ is None


def test_outliers_can_be_kept(fitted):
    # topics need at least 12 units here, so the smaller clusters of the cut are outliers
    kept = TopicModel(reduce_outliers=None, min_cluster_size=12, keybert=False, doc_map=False)
    kept.fit(fitted.units_, embeddings=fitted.embeddings_)
    assert (kept.assignments_["topic"] == -1).any()
    assert "-1: outliers" in set(kept.topic_info_["label"])
    moved = TopicModel(min_cluster_size=12, keybert=False, doc_map=False)
    moved.fit(fitted.units_, embeddings=fitted.embeddings_)
    assert moved.outlier_share_before_ == pytest.approx(kept.outlier_share_)
    assert moved.outlier_share_ == 0 and moved.n_topics_ == kept.n_topics_


def test_umap_method_is_still_available(fitted):
    tm = TopicModel(method="umap", keybert=False, doc_map=False).fit(fitted.units_, embeddings=fitted.embeddings_)
    assert 5 <= tm.n_topics_ <= 30 and tm.params_["n_components"] == 5
    assert tm.outlier_share_ == 0 < tm.outlier_share_before_


def test_spectral_defaults(fitted):
    p = fitted.params_
    assert p["method"] == "spectral" and p["n_neighbors"] == 10
    from policykit.topics.model import default_n_topics

    k = default_n_topics(len(fitted.units_))  # 15 for the report's 283 body paragraphs
    assert fitted.n_topics_ == p["n_clusters"] == p["n_components"] == k
    assert (fitted.assignments_["probability"] == 1.0).sum() == (~fitted.assignments_["reassigned"]).sum()
    assert fitted.reduced_.shape == (len(fitted.units_), 15)


def test_sentence_units(report, fake_vectors):
    units = topic_units(report, "sentence")
    tm = TopicModel(unit="sentence", keybert=False, doc_map=False)
    tm.fit(report, embeddings=fake_vectors(units["text"].tolist()))
    assert tm.assignments_["unit_id"].str.contains(r"\.s\d\d$").all()
    assert tm.sentences_ is None
    # per-group tables name the sentences themselves
    from policykit.topics import topics_per_group

    pg = topics_per_group(tm, "region")
    sents = report.sentences.set_index("sent_id")["text"]
    ex = pg.explode(["representative_ids", "representative_texts"])
    assert (ex["representative_texts"].to_numpy() == sents[ex["representative_ids"]].to_numpy()).all()

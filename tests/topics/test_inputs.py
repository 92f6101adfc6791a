"""Tiny or odd inputs give clear messages, and the embedding cache re-embeds only changed texts."""

import numpy as np
import pytest

import policykit
from policykit.errors import InputError
from policykit.topics import TopicModel

PARAS = ["Governments should regulate frontier models through licensing and audits.",
         "Developing countries need compute, data and skills to benefit from AI.",
         "International cooperation on AI safety requires a new scientific panel."]


def _docs(tmp_path, n_docs, n_paras=2):
    folder = tmp_path / f"docs{n_docs}"
    folder.mkdir()
    for i in range(n_docs):
        text = "\n\n".join(PARAS[(i + j) % 3] for j in range(n_paras))
        (folder / f"doc{i}.txt").write_text(f"Essay {i}\n\n{text}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("n_docs", [1, 3])
def test_tiny_corpus_clear_message(tmp_path, n_docs):
    corpus = policykit.load([_docs(tmp_path, n_docs)])
    with pytest.raises(InputError) as err:
        TopicModel().fit(corpus)
    msg = str(err.value)
    assert "too little text for a topic model" in msg
    assert f"from {n_docs} document(s)" in msg
    assert "fix:" in msg


def test_tiny_text_lists():
    with pytest.raises(InputError, match="at least 12 are needed"):
        TopicModel().fit(PARAS)
    with pytest.raises(InputError, match="at least 12"):
        TopicModel().fit(PARAS[:1])
    with pytest.raises(InputError, match="one string"):
        TopicModel().fit("just one text")


def test_cli_tiny_corpus_exits_2(tmp_path, capsys):
    from policykit.cli import main

    rc = main(["topics", str(_docs(tmp_path, 3)), "--out", str(tmp_path / "out"), "-q"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "policykit topics: error:" in err and "too little text" in err
    assert not (tmp_path / "out").exists()


def test_small_but_valid_input_does_not_crash(fake_vectors):
    texts = [f"{w} policy text number {i} about {w}" for i, w in
             enumerate(["safety", "trade", "privacy", "labour", "energy"] * 3)]
    E = fake_vectors(texts)
    try:
        tm = TopicModel(keybert=False, doc_map=False).fit(texts, embeddings=E)
    except InputError as e:  # acceptable: a clear message rather than a traceback
        assert "topic" in str(e)
    else:
        assert len(tm.assignments_) == 15


def test_bad_embeddings_shape(fake_vectors):
    texts = [f"text {i} about governance of models" for i in range(20)]
    with pytest.raises(InputError, match="embeddings have shape"):
        TopicModel().fit(texts, embeddings=fake_vectors(texts)[:5])


def test_bad_parameters():
    with pytest.raises(InputError, match="unknown unit"):
        TopicModel(unit="page").fit(["x"] * 20)
    with pytest.raises(InputError, match="outlier strategy"):
        TopicModel(reduce_outliers="magic").fit(["x"] * 20)


def test_changed_text_reembeds_only_that_text(tmp_path, monkeypatch, fake_vectors):
    """The backend BERTopic uses goes through policykit.embed's content-hash cache."""
    from policykit import config, embed
    from policykit.topics.backend import PolicykitEmbedder

    monkeypatch.setenv("POLICYKIT_INTERIM_DIR", str(tmp_path / "interim"))
    seen = []

    def fake_encode(texts, model, progress, batch_size):
        seen.append(list(texts))
        return fake_vectors(texts, dim=384)

    monkeypatch.setattr(embed, "_encode", fake_encode)
    backend = PolicykitEmbedder("minilm")
    texts = [f"paragraph {i} on AI governance" for i in range(10)]
    first = backend.embed(texts)
    assert seen == [texts]
    changed = list(texts)
    changed[4] = "paragraph 4 on AI governance, revised"
    second = backend.embed(changed)
    assert seen[1:] == [[changed[4]]]
    np.testing.assert_array_equal(np.delete(first, 4, axis=0), np.delete(second, 4, axis=0))
    assert backend.embed_words(texts).shape == (10, 384) and len(seen) == 2  # all cached now

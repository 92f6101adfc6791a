"""Contracts of policykit.embed: shapes, normalisation, batch independence, the cache."""

import numpy as np
import pytest

from policykit import embed as E

TEXTS = [
    "Governments should establish an international body for AI safety.",
    "Deepfakes erode trust.",
    "",
    "Large language models can produce plausible but false statements, which is a risk "
    "for education, journalism and science alike, as several authors of the report argue.",
    "人工智能的安全治理需要国际合作。",
    "Developers must test their models before release.",
]


def test_padded_length_depends_on_the_text_only():
    assert E.padded_length(1, 256) == 8
    assert E.padded_length(8, 256) == 8
    assert E.padded_length(9, 256) == 16
    assert E.padded_length(65, 256) == 80
    assert E.padded_length(129, 256) == 160
    assert E.padded_length(300, 256) == 256
    assert all(E.padded_length(n, 256) >= min(n, 256) for n in range(1, 400))


def test_fixed_shape_batches_cover_every_index_once():
    lengths = [8, 16, 8, 8, 32, 16, 8, 8, 8, 8, 8, 8, 8]
    batches = E.fixed_shape_batches(lengths, rows=4)
    seen = sorted(i for _, idx in batches for i in idx)
    assert seen == list(range(len(lengths)))
    assert all(len(idx) <= 4 and all(lengths[i] == n for i in idx) for n, idx in batches)


def test_minilm_vectors_do_not_depend_on_their_companions():
    full = E.embed(TEXTS, cache=False)
    assert full.shape == (len(TEXTS), 384) and full.dtype == np.float32
    assert np.allclose(np.linalg.norm(full, axis=1), 1, atol=1e-5)
    alone = np.stack([E.embed([t], cache=False)[0] for t in TEXTS])
    reversed_ = E.embed(TEXTS[::-1], cache=False)[::-1]
    assert (alone == full).all() and (reversed_ == full).all()


def test_cache_returns_the_vectors_it_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYKIT_INTERIM_DIR", str(tmp_path))
    first = E.embed(TEXTS[:3])
    calls = []
    real = E._encode
    monkeypatch.setattr(E, "_encode", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    second = E.embed(TEXTS)
    assert (second[:3] == first).all()
    assert calls == [TEXTS[3:]]  # only the new texts were encoded
    assert (second == E.embed(TEXTS, cache=False)).all()


def test_unknown_model_is_a_clear_error():
    with pytest.raises(Exception, match="unknown embedding model"):
        E.embed(["x"], model="bert-large")

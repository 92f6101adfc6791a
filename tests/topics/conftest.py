"""Topic-model fixtures: one BERTopic fit and one NMF fit of the bundled report, per session."""

import pytest


@pytest.fixture(scope="session")
def fitted(report):
    """TopicModel fitted on the report's body paragraphs (embeddings cached after the first run)."""
    from policykit.topics import TopicModel

    return TopicModel().fit(report)


@pytest.fixture(scope="session")
def nmf(report, fitted):
    from policykit.topics import NMFTopicModel

    return NMFTopicModel(n_topics=fitted.n_topics_).fit(report)


@pytest.fixture(scope="session")
def fake_vectors():
    """A function: texts -> deterministic pseudo-embeddings (no model needed)."""
    return _fake_vectors


def _fake_vectors(texts, dim=16):
    """Deterministic pseudo-embeddings from a text hash (no model needed)."""
    import hashlib

    import numpy as np

    rows = []
    for t in texts:
        seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:4], "little")
        v = np.random.default_rng(seed).normal(size=dim)
        rows.append(v / np.linalg.norm(v))
    return np.asarray(rows, dtype=np.float32)

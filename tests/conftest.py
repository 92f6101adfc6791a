"""Shared fixtures: the bundled report parsed once per test session."""

import pytest

from policykit import config


@pytest.fixture(scope="session")
def report():
    """The bundled report as a Corpus."""
    from policykit.corpus import load_report
    return load_report()


@pytest.fixture(scope="session")
def gold_documents():
    """documents.json of the shared gold (skips when ../shared is absent)."""
    import json
    if not config.GOLD_DOCUMENTS.exists():
        pytest.skip("../shared/gold is not available")
    return json.loads(config.GOLD_DOCUMENTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def gold_sentences_path():
    if not config.GOLD_SENTENCES.exists():
        pytest.skip("../shared/gold is not available")
    return config.GOLD_SENTENCES

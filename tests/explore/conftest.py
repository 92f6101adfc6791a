"""Fixtures of the explorer tests: a tiny corpus on disk with a hand-made extraction; no test
writes a corrections file outside its temporary folder."""

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
_ROOT = str(Path(__file__).resolve().parents[2])
for p in (_HERE, _ROOT):
    if p not in sys.path:
        sys.path.insert(0, p)


@pytest.fixture(autouse=True)
def _corrections_in_tmp(tmp_path, monkeypatch):
    """The default corrections file of every test is inside its temporary folder."""
    monkeypatch.setenv("POLICYKIT_CORRECTIONS", str(tmp_path / "default-corrections.jsonl"))


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """``(corpus, wide)`` of the three-document corpus of :mod:`builders`."""
    import builders

    corpus = builders.load_corpus(tmp_path_factory.mktemp("tiny-corpus"))
    return corpus, builders.fake_extract(corpus)


@pytest.fixture(scope="session")
def counts():
    """Training label counts (a fixed small table, independent of data/training)."""
    import pandas as pd

    return pd.DataFrame({"facet": ["risk_domain", "risk_domain", "instrument", "instrument", "addressee", "role"],
                         "label": ["misinformation", "discrimination_toxicity", "evaluation_audit",
                                   "transparency_disclosure", "industry", "claim"],
                         "n": [100, 3, 50, 0, 20, 400]})

"""The learned model: deterministic training, safe small artefacts, document-local scores."""

import hashlib

import numpy as np
import pytest

from policykit.extract import training
from policykit.extract.data import TrainingData
from policykit.extract.model import ExtractionModel

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(training_data):
    """Four documents (two of each source) and 60 MIT descriptions."""
    U = training_data.units
    docs = list(U[U.source_set == "report"].doc_id.unique()[:2]) + list(U[U.source_set == "governance"].doc_id.unique()[:2])
    sub = TrainingData(U[U.doc_id.isin(docs)].reset_index(drop=True), training_data.mit.iloc[:60].reset_index(drop=True),
                       training_data.provenance)
    return training.matrices(sub)


def _fit(m):
    return training.fit(m, np.arange(len(m)), epochs=1, first_tuned_layer=5)


def _digest(model, tmp_path, name):
    d = model.save(tmp_path / name)
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(d.iterdir())}


def test_training_is_deterministic(tiny, tmp_path):
    a, b = _fit(tiny), _fit(tiny)
    assert _digest(a, tmp_path, "a") == _digest(b, tmp_path, "b")


def test_saved_model_is_small_safetensors_and_reloads_identically(tiny, tmp_path):
    m = _fit(tiny)
    d = m.save(tmp_path / "m")
    names = sorted(f.name for f in d.iterdir())
    assert names == ["encoder.safetensors", "heads.safetensors", "model.json"]
    assert sum(f.stat().st_size for f in d.iterdir()) < 25 * 2 ** 20
    assert not any(f.suffix in (".pkl", ".pt", ".bin") for f in d.iterdir())
    back = ExtractionModel.load(d)
    rows = np.arange(10)
    a = training.predict_logits(m, tiny, rows)
    b = training.predict_logits(back, tiny, rows)
    assert all(np.array_equal(a[h], b[h]) for h in a)


def test_encoder_vectors_do_not_depend_on_batch_companions(tiny):
    m = _fit(tiny)
    texts = tiny.texts[:9]
    alone = np.vstack([m.encode([t]) for t in texts])
    together = m.encode(texts)
    reversed_ = m.encode(texts[::-1])[::-1]
    assert np.array_equal(alone, together) and np.array_equal(together, reversed_)

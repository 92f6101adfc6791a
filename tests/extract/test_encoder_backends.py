"""The tuned encoder on ONNX Runtime: torch's vectors to float noise, independent of the batch,
exported once into the interim cache, and never used for training."""

import numpy as np
import pytest

from policykit.extract import encoder as enc
from policykit.extract.api import load_model

TEXTS = ["Governments should establish an independent AI safety agency.",
         "Generative models can produce convincing disinformation at scale.",
         "Short.", "Developers must test frontier models before release, and publish the results " * 4]


@pytest.fixture(scope="module")
def model():
    return load_model("accurate")


def test_default_backend_is_onnx_when_installed(monkeypatch):
    monkeypatch.setattr(enc._BACKEND, "value", None)
    assert enc.backend() == "onnx"
    with enc.use_backend("torch"):
        assert enc.backend() == "torch"
    assert enc.backend() == "onnx"
    with pytest.raises(Exception, match="use one of"):
        enc.use_backend("cuda")


def test_onnx_vectors_match_torch_and_do_not_depend_on_the_batch(model):
    with enc.use_backend("torch"):
        ref = model.encode(TEXTS)
    with enc.use_backend("onnx"):
        got = model.encode(TEXTS)
        alone = np.vstack([model.encode([t]) for t in TEXTS])
        shuffled = model.encode(TEXTS[::-1])[::-1]
    assert np.abs(got - ref).max() < 1e-5
    assert np.all((got * ref).sum(1) > 0.99999)
    assert np.array_equal(got, alone) and np.array_equal(got, shuffled)


def test_backends_have_their_own_cache_name_and_identity(model):
    with enc.use_backend("torch"):
        name_t, id_t = model.embedding_name, enc.backend_identity()
    with enc.use_backend("onnx"):
        name_o, id_o = model.embedding_name, enc.backend_identity()
    assert name_t != name_o and name_o.endswith("-onnx") and id_t != id_o


def test_export_is_cached_under_interim(model):
    from policykit import config
    path = enc.onnx_file(model.encoder(), model.encoder_id_)
    assert path.is_file() and config.interim_dir() in path.parents
    mtime = path.stat().st_mtime_ns
    assert enc.onnx_file(model.encoder(), model.encoder_id_).stat().st_mtime_ns == mtime


def test_labels_agree_between_backends(model):
    from policykit.extract import classify
    with enc.use_backend("torch"):
        a = classify(TEXTS, model=model)
    with enc.use_backend("onnx"):
        b = classify(TEXTS, model=model)
    for col in ("role", "risk_domains", "instruments", "addressees"):
        assert a[col].tolist() == b[col].tolist()

"""The ONNX Runtime MiniLM encoder: torch semantics, and a vector never depends on its batch."""

import numpy as np
import pytest

pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def texts(report):
    return report.sentences["text"].tolist()[:120]


@pytest.mark.slow
def test_onnx_matches_torch_and_is_batch_and_thread_independent(texts):
    from policykit import embed
    from policykit.engine.onnx_encoder import OnnxEncoder

    two = OnnxEncoder(embed.minilm_path(), threads=2)
    one = OnnxEncoder(embed.minilm_path(), threads=1)
    a = two.encode(texts)
    assert a.dtype == np.float32 and a.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, one.encode(texts))                      # threads do not change a bit
    assert np.array_equal(two.encode(texts[7:20]), a[7:20])          # nor the batch companions
    assert np.array_equal(two.encode(texts[::-1])[::-1], a)          # nor their order
    ref = embed._encode_minilm(texts, False)
    assert float((a * ref).sum(axis=1).min()) > 0.99999              # the torch path's vectors


@pytest.mark.slow
def test_embed_uses_the_backend_and_its_own_cache(texts, tmp_path, monkeypatch):
    from policykit import embed

    monkeypatch.setenv("POLICYKIT_CACHE_DIR", str(tmp_path))
    with embed.use_encoder("onnx"):
        assert embed.encoder_backend() == "onnx"
        assert embed._cache_name("minilm") != embed._cache_name("static")
        v = embed.embed(texts[:5], cache=False)
        assert "onnx" in embed.encoder_identity()
    assert embed.encoder_backend() == "torch"
    assert v.shape == (5, 384)

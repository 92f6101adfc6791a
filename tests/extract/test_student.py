"""The fast tier's static vectors: the two poolings, the projection and the input layout."""

import numpy as np
import pytest

from policykit.extract.student import (POOLINGS, STATIC_DIM, identity, pooling_of, project, static_model,
                                       static_vectors)

TEXTS = ["Governments should regulate frontier models.", "", "   ", "Risk.",
         "The committee notes that deepfakes threaten elections " * 40]


def test_mean_pooling_is_model2vec_encoding():
    v = static_vectors(TEXTS)
    ref = np.asarray(static_model().encode(TEXTS), np.float32)
    n = np.linalg.norm(ref, axis=1, keepdims=True)
    assert v.shape == (len(TEXTS), STATIC_DIM)
    np.testing.assert_allclose(v, ref / np.where(n == 0, 1, n), atol=1e-6)


def test_mean_and_max_pooling():
    v = static_vectors(TEXTS, POOLINGS)
    assert v.shape == (len(TEXTS), 2 * STATIC_DIM) and v.dtype == np.float32
    # texts with no known token are zero; the others have unit length, half in each pooling
    assert not v[1].any() and not v[2].any()
    for i in (0, 3, 4):
        assert np.linalg.norm(v[i]) == pytest.approx(1.0, abs=1e-6)
        assert np.linalg.norm(v[i, :STATIC_DIM]) == pytest.approx(np.sqrt(0.5), abs=1e-6)
    # the mean half is the mean pooling's vector, the max half the normalised maximum of the token vectors
    np.testing.assert_allclose(v[:, :STATIC_DIM] * np.sqrt(2), static_vectors(TEXTS), atol=1e-6)
    sm = static_model()
    tok = np.asarray(sm.embedding)[sm.tokenize([TEXTS[0]])[0]]
    mx = tok.max(axis=0)
    np.testing.assert_allclose(v[0, STATIC_DIM:] * np.sqrt(2), mx / np.linalg.norm(mx), atol=1e-6)
    # a vector does not depend on its batch companions
    np.testing.assert_array_equal(static_vectors(TEXTS[:1], POOLINGS)[0], v[0])


def test_unknown_pooling_is_refused():
    with pytest.raises(ValueError, match="unknown pooling"):
        static_vectors(TEXTS, ("max",))


def test_pooling_of_a_projection():
    assert pooling_of(identity()) == ("mean",)
    assert pooling_of(identity(2 * STATIC_DIM)) == ("mean", "max")
    with pytest.raises(ValueError, match="multiple of"):
        pooling_of(identity(100))


def test_identity_projection_skips_the_product_with_the_same_result():
    rng = np.random.default_rng(0)
    S = rng.standard_normal((50, STATIC_DIM)).astype(np.float32)
    S[3] = 0
    W = identity()
    v = S @ W[:-1] + W[-1]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    np.testing.assert_array_equal(project(S, W), (v / np.where(n == 0, 1, n)).astype(np.float32))
    # any other projection is applied
    W2 = W.copy()
    W2[0, 1] = 0.5
    assert not np.array_equal(project(S, W2), project(S, W))


def test_the_shipped_fast_tier_layout():
    from policykit.extract.api import load_model
    m = load_model("fast")
    blocks = m.input_blocks()
    assert blocks[-1][0] == "rules" and blocks[-1][2] == m.input_dim
    assert blocks[0] == ("sentence text", 0, STATIC_DIM)
    assert m.vector_dim == STATIC_DIM * len(pooling_of(m.student_))
    if m.vector_dim > STATIC_DIM:
        assert blocks[1] == ("sentence text (max of word vectors)", STATIC_DIM, 2 * STATIC_DIM)
    E = m.encode(TEXTS[:1])
    assert E.shape == (1, m.vector_dim)
    np.testing.assert_allclose(E, project(static_vectors(TEXTS[:1], pooling_of(m.student_)), m.student_))

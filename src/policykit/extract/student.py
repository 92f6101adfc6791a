"""The fast tier's encoder: static token embeddings instead of a transformer.

The accurate model runs a fine-tuned transformer over every sentence. The fast tier replaces it
with a bag of static token vectors: ``model2vec`` distilled offline from the packaged
all-MiniLM-L6-v2, without PCA, so the distillation is deterministic (one forward pass per
vocabulary token). A sentence is the mean of its token vectors; a student can also take their
element-wise maximum beside the mean (:func:`static_vectors`; which poolings a model uses
follows from its projection's size, :func:`pooling_of`), measured and not shipped
(:data:`policykit.extract.training.STUDENT_POOLING`). Its heads (and calibration, thresholds)
are fitted on those vectors and the rule features, on the gold and on ~20,000 AGORA sentences
labelled softly by the accurate tier (distillation, :mod:`policykit.extract.transfer`), in the
same grouped cross-validation as the accurate tier (:func:`policykit.extract.training.train_student`). The model stores an identity ``student_``
projection, so a projection onto another space could be plugged in without a format change
(mapping static vectors onto the tuned encoder's by ridge regression and reusing its heads was
measured first and scored far lower: role macro-F1 0.45 against 0.71).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import config

_LOCK = threading.Lock()
_LOADED: dict[str, object] = {}
STATIC_DIM = 384


def static_model_path() -> Path:
    """Where the undistorted (no PCA) static model is kept (rebuildable cache)."""
    return config.interim_dir() / "models" / "minilm-static-384"


def static_model():
    """model2vec static embeddings of the packaged MiniLM's vocabulary, without PCA (distilled once,
    cached under :func:`static_model_path`)."""
    with _LOCK:
        if "static" not in _LOADED:
            from ..embed import distilled_static_model
            _LOADED["static"] = distilled_static_model(static_model_path(), pca_dims=None, quantize_to="float32")
        return _LOADED["static"]


#: the ways of pooling a sentence's token vectors a student can use, by name
POOLINGS = ("mean", "max")


def static_vectors(texts: Sequence[str], pooling: Sequence[str] = ("mean",)) -> np.ndarray:
    """Static vectors of ``texts`` (float32).

    ``pooling=("mean",)``: the L2-normalised mean of the token vectors (model2vec's own encoding).
    ``pooling=("mean", "max")``: that mean and the element-wise maximum of the token vectors, each
    L2-normalised, side by side and divided by sqrt(2) (unit length): the maximum keeps the
    strongest word of a sentence in every dimension, which the mean dilutes in long sentences.
    """
    pooling = tuple(pooling)
    if pooling == ("mean",):
        return _unit(np.asarray(static_model().encode(list(texts), show_progress_bar=False, batch_size=1024),
                                np.float32))
    if pooling != POOLINGS:
        raise ValueError(f"unknown pooling {pooling!r}: use ('mean',) or {POOLINGS!r}")
    return _mean_max(list(texts))


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(n == 0, 1, n)


def _mean_max(texts: list[str], batch_size: int = 1024) -> np.ndarray:
    """Mean and maximum of every text's token vectors (one tokenisation; model2vec's truncation
    and unknown-token rule; texts of equal token count gathered as one array, as model2vec does),
    each L2-normalised, side by side, divided by sqrt(2)."""
    sm = static_model()
    emb = np.asarray(sm.embedding, np.float32)
    d = emb.shape[1]
    cut = sm.max_length * sm.median_token_length if sm.max_length else None
    mean = np.zeros((len(texts), d), np.float32)
    top = np.zeros((len(texts), d), np.float32)
    for b in range(0, len(texts), batch_size):
        ids = sm.tokenize([t[:cut] for t in texts[b:b + batch_size]])
        by_len: dict[int, list[int]] = {}
        for i, row in enumerate(ids):
            if row:
                by_len.setdefault(len(row), []).append(i)
        for rows in by_len.values():
            tok = emb[np.array([ids[i] for i in rows], dtype=np.int64)]
            at = b + np.asarray(rows)
            mean[at] = tok.mean(axis=1)
            top[at] = tok.max(axis=1)
    return np.hstack([_unit(mean), _unit(top)]) / np.float32(np.sqrt(2.0))


def pooling_of(projection: np.ndarray) -> tuple[str, ...]:
    """The pooling a student's projection takes as input (by its number of rows)."""
    n_in = int(projection.shape[0]) - 1
    for k in range(1, len(POOLINGS) + 1):
        if n_in == k * STATIC_DIM:
            return POOLINGS[:k]
    raise ValueError(f"a student projection with {n_in} inputs: expected a multiple of {STATIC_DIM}")


def identity(dim: int = STATIC_DIM) -> np.ndarray:
    """The projection that keeps the static vectors as they are (only L2-normalised): the
    shipped fast tier's heads are fitted on the static vectors themselves."""
    return np.vstack([np.eye(dim, dtype=np.float32), np.zeros((1, dim), np.float32)])


def project(S: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Projected, L2-normalised vectors (an identity projection skips the product, whose result is
    the same to the bit)."""
    S = np.asarray(S, np.float32)
    k = W.shape[1]
    if W.shape[0] == k + 1 and not W[-1].any() and np.array_equal(W[:-1], np.eye(k, dtype=W.dtype)):
        v = S + W[-1]
    else:
        v = S @ W[:-1] + W[-1]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.where(n == 0, 1, n)).astype(np.float32)

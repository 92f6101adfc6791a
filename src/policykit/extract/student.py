"""The fast tier's encoder: static token embeddings instead of a transformer.

The accurate model runs a fine-tuned transformer over every sentence. The fast tier replaces it
with a bag of static token vectors: ``model2vec`` distilled offline from the packaged
all-MiniLM-L6-v2, without PCA, so the distillation is deterministic (one forward pass per
vocabulary token). Its heads (and calibration, thresholds) are fitted on those vectors and the
rule features, on the gold and on ~20,000 AGORA sentences labelled softly by the accurate tier
(distillation, :mod:`policykit.extract.transfer`), in the same grouped cross-validation as the
accurate tier (:func:`policykit.extract.training.train_student`). The model stores an identity ``student_``
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


def static_vectors(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised static vectors of ``texts`` (float32)."""
    v = np.asarray(static_model().encode(list(texts), show_progress_bar=False, batch_size=1024), np.float32)
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(n == 0, 1, n)


def identity(dim: int = STATIC_DIM) -> np.ndarray:
    """The projection that keeps the static vectors as they are (only L2-normalised): the
    shipped fast tier's heads are fitted on the static vectors themselves."""
    return np.vstack([np.eye(dim, dtype=np.float32), np.zeros((1, dim), np.float32)])


def project(S: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Projected, L2-normalised vectors."""
    v = np.asarray(S, np.float32) @ W[:-1] + W[-1]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.where(n == 0, 1, n)).astype(np.float32)

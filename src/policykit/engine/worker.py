"""The unit of work of both engines: extract a batch of documents and store it as one part.

Everything here is a plain module-level function of plain arguments (source paths and
metadata, a :class:`~policykit.engine.tiers.Tier`, thresholds, the dataset folder), so the
Dask task graph holds data, never a pipeline or a model. Each process loads the model once,
lazily, on its first task (:func:`ensure_loaded`: the extraction model, its spaCy pipeline and
the encoder are process-wide singletons), and keeps it for every later task.

A document's labels depend on that document alone (neighbour context stops at document
boundaries, and embeddings are computed in fixed-shape batches), so how documents are grouped
into batches, and which process runs a batch, never changes a label (tested).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Sequence

import pandas as pd

from .dataset import ExtractionDataset
from .tiers import Tier

_LOADED: dict[tuple, float] = {}


def ensure_loaded(tier: Tier) -> float:
    """Load ``tier``'s model, pipeline and encoder in this process once; returns the seconds
    the first load took (0 afterwards)."""
    key = (str(tier.model_dir), tier.embedding, tier.encoder)
    if key in _LOADED:
        return 0.0
    t0 = time.perf_counter()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from ..extract.api import _pipeline, _thresholds, load_model

    model = load_model(directory=tier.model_dir)
    _pipeline(model, _thresholds(None, model))
    model.encoder()
    if tier.embedding == "minilm" and tier.encoder == "onnx":
        from ..extract.encoder import onnx_session
        onnx_session(model.encoder(), model.encoder_id_)
    _LOADED[key] = time.perf_counter() - t0
    return _LOADED[key]


def extract_corpus_part(corpus, keys: dict[str, str], tier: Tier, thresholds: dict | None,
                        root: str | Path, version: str) -> dict:
    """Extract every document of ``corpus`` and store them as one part of the dataset.

    Returns
    -------
    dict
        ``part``, ``doc_keys``, ``n_sentences``, ``n_words``, ``seconds`` (``load``,
        ``extract``, ``write``) and ``pid`` (the process that did it).
    """
    from ..extract import extract
    from ..extract.encoder import use_backend

    with use_backend(tier.encoder if tier.embedding == "minilm" else None):
        t_load = ensure_loaded(tier)
        t0 = time.perf_counter()
        wide = extract(corpus, thresholds=thresholds, embedding=tier.embedding,
                       model_dir=str(tier.model_dir), embed_cache=False)
    t1 = time.perf_counter()
    stats = corpus.documents[["doc_id", "n_paragraphs", "n_sentences", "n_words"]]
    ds = ExtractionDataset(version, root)
    part = ds.write_part(wide, stats, keys)
    t2 = time.perf_counter()
    return {"part": part, "doc_keys": [keys[d] for d in stats["doc_id"]], "n_sentences": int(len(wide)),
            "n_words": int(corpus.sentences["n_words"].sum()) if len(corpus.sentences) else 0,
            "seconds": {"load": t_load, "extract": t1 - t0, "write": t2 - t1}, "pid": os.getpid()}


def extract_sources_part(sources: Sequence, keys: Sequence[str], tier: Tier, thresholds: dict | None,
                         root: str | Path, version: str) -> dict:
    """Read, segment, extract and store a batch of document sources (a Dask task).

    Parameters
    ----------
    sources : sequence of policykit.corpus.readers.Source
        Files with their doc_id and metadata (the files must be readable where this runs).
    keys : sequence of str
        The document keys the caller computed from the same files; a file that changed since
        (another key) raises ``RuntimeError`` rather than storing labels under a wrong key.
    """
    from ..corpus.build import build_corpus
    from ..corpus.load import read_sources
    from .dataset import doc_key

    t0 = time.perf_counter()
    raw_docs = read_sources(list(sources), on_error="raise", progress=False)
    t1 = time.perf_counter()
    got = {d.doc_id: doc_key(d.doc_id, d.text) for d in raw_docs}
    for d, want in zip(raw_docs, keys):
        if got[d.doc_id] != want:
            raise RuntimeError(f"{d.source_path} changed while it was being extracted; run again")
    corpus = build_corpus(raw_docs)
    t2 = time.perf_counter()
    res = extract_corpus_part(corpus, got, tier, thresholds, root, version)
    res["seconds"].update(read=t1 - t0, segment=t2 - t1)
    return res


def documents_frame(rows: list[dict]) -> pd.DataFrame:
    """Documents table from :func:`policykit.corpus.build.documents_row` rows (types as the corpus has them)."""
    docs = pd.DataFrame(rows)
    if docs.empty:
        return docs
    if "chapter" in docs:
        docs["chapter"] = pd.array(docs["chapter"], dtype="Int64") if docs["chapter"].notna().any() \
            else pd.array([pd.NA] * len(docs), dtype="Int64")
    if "year" in docs:
        docs["year"] = pd.to_numeric(docs["year"], errors="coerce").astype("Int64")
    return docs

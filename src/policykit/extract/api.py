"""Public entry points: :func:`extract`, :func:`classify`, :func:`labels_long`, :func:`rollup`."""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

from .. import config
from .components import build_pipeline
from .decide import load_thresholds
from .model import ExtractionModel, load_model

#: Embedding model used unless the caller asks for another (see :mod:`policykit.embed`).
DEFAULT_EMBEDDING = getattr(config, "EXTRACT_EMBEDDING", "minilm")
LABEL_COLUMNS = ["role", "role_score", "risk_domains", "risk_subdomains", "instruments", "addressees",
                 "scores", "evidence"]
FACET_COLUMNS = {"risk_domain": "risk_domains", "risk_subdomain": "risk_subdomains",
                 "instrument": "instruments", "addressee": "addressees"}
_PIPES: dict[tuple, object] = {}


def _pipeline(model: ExtractionModel, thresholds: dict):
    key = (id(model), model.taxonomy_dir)
    if key not in _PIPES:
        _PIPES[key] = build_pipeline(model.taxonomy_dir, extractor=model)
    nlp = _PIPES[key]
    nlp.get_pipe("policykit_labeller").thresholds = thresholds
    return nlp


def _offset_mapper(original: str):
    """Map offsets in ``" ".join(original.split())`` to offsets in ``original``."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", original)]
    coll_starts, pos = [], 0
    for s, e in words:
        coll_starts.append(pos)
        pos += (e - s) + 1
    coll_starts_arr = np.asarray(coll_starts) if coll_starts else np.zeros(0, int)

    def to_orig(start: int, end: int) -> tuple[int, int]:
        if not words:
            return 0, 0
        k = int(np.searchsorted(coll_starts_arr, start, side="right") - 1)
        k2 = int(np.searchsorted(coll_starts_arr, max(end - 1, start), side="right") - 1)
        k, k2 = max(k, 0), max(k2, 0)
        s = words[k][0] + min(start - coll_starts[k], words[k][1] - words[k][0])
        e = words[k2][0] + min(max(end - 1, start) - coll_starts[k2], words[k2][1] - words[k2][0] - 1) + 1
        return s, e

    return to_orig


def _map_evidence(evidence: dict, original: str, base: int) -> dict:
    """Rewrite cue offsets (sentence-text) as offsets into ``original`` shifted by ``base``;
    the cue text becomes ``original[start:end]`` (raw whitespace kept)."""
    mapper = None
    for facet in evidence.values():
        for items in facet.values():
            for ev in items:
                if ev.get("kind") != "cue":
                    continue
                if mapper is None:
                    mapper = _offset_mapper(original)
                s, e = mapper(ev["start"], ev["end"])
                ev["start"], ev["end"] = base + s, base + e
                ev["text"] = original[s:e]
    return evidence


def _run(texts: list[str], groups: list[str], sections: list[str], sent_ids: list[str | None],
         model: ExtractionModel, thresholds: dict, vectors: np.ndarray | None, progress: bool,
         desc: str) -> list[dict]:
    nlp = _pipeline(model, thresholds)
    docs = []
    for i, t in enumerate(texts):
        doc = nlp.make_doc(t)
        doc.user_data["pk_text"] = t
        doc.user_data["pk_group"] = groups[i]
        doc.user_data["pk_section"] = sections[i]
        doc.user_data["pk_sent_id"] = sent_ids[i]
        if vectors is not None:
            doc.user_data["pk_vector"] = vectors[i]
        docs.append(doc)
    it = nlp.pipe(docs, batch_size=1000)
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(it, total=len(docs), desc=desc, unit="sent")
    return [d._.pk_labels for d in it]


def extract(corpus, *, thresholds: dict | str | None = None, progress: bool = False,
            embedding: str | None = None, model_dir: str | None = None,
            embed_cache: bool | None = None) -> pd.DataFrame:
    """Label every sentence of a corpus.

    Parameters
    ----------
    corpus : policykit.corpus.Corpus
        From :func:`policykit.load`.
    thresholds : dict or path, optional
        Overrides of ``data/models/thresholds.yaml``.
    progress : bool
        Show progress bars (embedding and labelling).
    embedding : {"minilm", "static"}, optional
        Which shipped model to use (default :data:`DEFAULT_EMBEDDING`). ``static`` is many
        times faster and somewhat less accurate (see ``policykit evaluate --cv``).
    model_dir : str, optional
        A model directory written by ``policykit train`` (overrides ``embedding``).
    embed_cache : bool, optional
        Reuse / store sentence embeddings in ``data/interim/embeddings`` (default: for MiniLM
        only; static embeddings are cheaper to recompute than to cache).

    Returns
    -------
    pandas.DataFrame
        The wide extraction table of ``docs/architecture.md``: every sentence column, then
        ``role``, ``role_score``, ``risk_domains``, ``risk_subdomains``, ``instruments``,
        ``addressees`` (label lists by descending score), ``scores`` and ``evidence``. One
        row per corpus sentence, in corpus order. Cue offsets index into ``corpus.raw(doc_id)``.
    """
    from ..embed import embed
    model = load_model(embedding or DEFAULT_EMBEDDING, model_dir)
    th = load_thresholds(thresholds)
    S = corpus.sentences.reset_index(drop=True)
    texts = S["text"].astype(str).tolist()
    if texts:
        use_cache = model.embedding == "minilm" if embed_cache is None else embed_cache
        vectors = embed(texts, model=model.embedding, cache=use_cache, progress=progress)
    else:
        vectors = np.zeros((0, model.dim_), np.float32)
    recs = _run(texts, S["doc_id"].astype(str).tolist(), S["section"].astype(str).tolist(),
                S["sent_id"].astype(str).tolist(), model, th, vectors, progress, "extract")
    raws: dict[str, str] = {}
    for rec, doc_id, start, end in zip(recs, S["doc_id"].tolist(), S["start"].tolist(), S["end"].tolist()):
        if doc_id not in raws:
            raws[doc_id] = corpus.raw(doc_id)
        start, end = int(start), int(end)
        _map_evidence(rec["evidence"], raws[doc_id][start:end], start)
    labels = pd.DataFrame(recs, columns=LABEL_COLUMNS) if recs else pd.DataFrame(columns=LABEL_COLUMNS)
    out = pd.concat([S, labels.reset_index(drop=True)], axis=1)
    out["role_score"] = out["role_score"].astype(float)
    return out


def classify(texts: Sequence[str], *, thresholds: dict | str | None = None, embedding: str | None = None,
             model_dir: str | None = None) -> pd.DataFrame:
    """Label arbitrary snippets, each on its own (no neighbours, section ``body``).

    Returns one row per input with ``text`` and the label columns of :func:`extract`; cue
    offsets index into the input string.
    """
    from ..embed import embed
    if isinstance(texts, str):
        raise TypeError("classify() takes a list of strings; wrap a single text in a list")
    model = load_model(embedding or DEFAULT_EMBEDDING, model_dir)
    th = load_thresholds(thresholds)
    originals = ["" if t is None else str(t) for t in texts]
    clean = [" ".join(t.split()) for t in originals]
    nonempty = [i for i, t in enumerate(clean) if t]
    vectors = np.zeros((len(clean), model.dim_), np.float32)
    if nonempty:
        vectors[nonempty] = embed([clean[i] for i in nonempty], model=model.embedding, cache=False)
    recs = _run(clean, [f"__classify_{i}" for i in range(len(clean))], ["body"] * len(clean),
                [None] * len(clean), model, th, vectors, False, "classify")
    for rec, orig in zip(recs, originals):
        _map_evidence(rec["evidence"], orig, 0)
    df = pd.DataFrame(recs, columns=LABEL_COLUMNS) if recs else pd.DataFrame(columns=LABEL_COLUMNS)
    df.insert(0, "text", originals)
    df["role_score"] = df["role_score"].astype(float)
    return df


# ----------------------------------------------------------------------------- long form, roll-up
def labels_long(wide: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence × label: ``sent_id, doc_id, facet, label, score, evidence``.

    Every sentence has its ``role`` row; the other facets have one row per listed label.
    """
    rows = []
    for r in wide.itertuples(index=False):
        ev = r.evidence or {}
        sc = r.scores or {}
        rows.append((r.sent_id, r.doc_id, "role", r.role, float(r.role_score),
                     (ev.get("role") or {}).get(r.role, [])))
        for facet, col in FACET_COLUMNS.items():
            for lab in getattr(r, col) or []:
                rows.append((r.sent_id, r.doc_id, facet, lab, float((sc.get(facet) or {}).get(lab, 0.0)),
                             (ev.get(facet) or {}).get(lab, [])))
    return pd.DataFrame(rows, columns=["sent_id", "doc_id", "facet", "label", "score", "evidence"])


def rollup(wide: pd.DataFrame, min_sentences: int = 1) -> pd.DataFrame:
    """Document-level labels: which risks, instruments and addressees each document raises.

    A document raises a label when at least ``min_sentences`` of its claim or proposal
    sentences carry it (risk domains and subdomains come from claim and proposal sentences,
    instruments and addressees from proposals, as the extraction assigns them).

    Returns
    -------
    pandas.DataFrame
        ``doc_id, facet, label, n_sentences, share, sent_ids`` plus the document metadata
        columns present in ``wide`` (``title``, ``chapter``, ``region``, ``sector``, ``year``,
        ``doc_type``). ``share`` is ``n_sentences`` over the document's claim + proposal
        sentences. Sorted by document order, facet, descending ``n_sentences``.
    """
    meta_cols = [c for c in ("title", "chapter", "region", "sector", "year", "doc_type") if c in wide.columns]
    cols = ["doc_id", "facet", "label", "n_sentences", "share", "sent_ids"] + meta_cols
    if wide.empty:
        return pd.DataFrame(columns=cols)
    doc_order = {d: i for i, d in enumerate(dict.fromkeys(wide["doc_id"]))}
    facet_order = {f: i for i, f in enumerate(FACET_COLUMNS)}
    rows = []
    for doc_id, df in wide.groupby("doc_id", sort=False):
        cp = df[df["role"].isin(["claim", "proposal"])]
        denom = len(cp)
        meta = df.iloc[0][meta_cols].to_dict() if meta_cols else {}
        for facet, col in FACET_COLUMNS.items():
            src = cp if facet.startswith("risk") else cp[cp["role"] == "proposal"]
            hits: dict[str, list[str]] = {}
            for sid, labs in zip(src["sent_id"], src[col]):
                for lab in labs or []:
                    hits.setdefault(lab, []).append(sid)
            for lab, sids in hits.items():
                if len(sids) >= min_sentences:
                    rows.append({"doc_id": doc_id, "facet": facet, "label": lab, "n_sentences": len(sids),
                                 "share": len(sids) / denom if denom else 0.0, "sent_ids": sids, **meta})
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out = out.assign(_d=out["doc_id"].map(doc_order), _f=out["facet"].map(facet_order))
    out = out.sort_values(["_d", "_f", "n_sentences", "label"], ascending=[True, True, False, True], kind="stable")
    return out.drop(columns=["_d", "_f"]).reset_index(drop=True)


def map_alternative(wide: pd.DataFrame, alternative: str = "nist_risk") -> pd.Series:
    """Labels of an alternative taxonomy (default NIST AI 600-1) implied by each sentence's
    risk subdomains (``maps_to`` in the taxonomy file)."""
    from ..taxonomy import load_taxonomy
    tax = load_taxonomy()
    return wide["risk_subdomains"].map(lambda subs: tax.map_labels(subs or [], alternative)).rename(
        alternative + "s")

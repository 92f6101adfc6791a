"""Public entry points: :func:`extract`, :func:`classify`, :func:`labels_long`, :func:`rollup`."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .. import config
from ..errors import InputError
from .vocab import FACET_COLUMNS

#: shipped model directories of the two tiers
TIERS = {"accurate": "extract-minilm", "fast": "extract-static"}
#: older names of the tiers (``embedding=``)
_EMBEDDING_TIERS = {"minilm": "accurate", "static": "fast"}
DEFAULT_TIER = "accurate"
#: kept for callers of the earlier API
DEFAULT_EMBEDDING = "minilm"
LABEL_COLUMNS = ["role", "role_score", "risk_domains", "risk_subdomains", "instruments", "addressees",
                 "scores", "evidence"]
_LOCK = threading.Lock()
_MODELS: dict[str, object] = {}
_PIPES: dict[int, object] = {}


def model_dir(tier: str = DEFAULT_TIER) -> Path:
    """Directory of a shipped model tier (``accurate`` or ``fast``; ``minilm``/``static`` also work)."""
    tier = _EMBEDDING_TIERS.get(tier, tier)
    if tier not in TIERS:
        raise InputError(None, f"unknown model {tier!r}", f"use one of {', '.join(TIERS)}")
    return config.MODELS_DIR / TIERS[tier]


def load_model(tier: str = DEFAULT_TIER, directory: str | Path | None = None):
    """The shipped (or given) extraction model, loaded once per process."""
    from .model import ExtractionModel
    d = Path(directory) if directory is not None else model_dir(tier)
    key = str(d.resolve())
    with _LOCK:
        if key not in _MODELS:
            _MODELS[key] = ExtractionModel.load(d)
        return _MODELS[key]


def _resolve(model=None, model_dir_: str | Path | None = None, embedding: str | None = None):
    from .model import ExtractionModel
    if isinstance(model, ExtractionModel):
        return model
    if model_dir_ is not None:
        return load_model(directory=model_dir_)
    return load_model(model or _EMBEDDING_TIERS.get(embedding or "", None) or DEFAULT_TIER)


def sentence_vectors(model, texts: Sequence[str], *, cache: bool = True, progress: bool = False) -> np.ndarray:
    """The model's encoder vectors of ``texts`` (through :func:`policykit.embed.embed`, so they are
    cached by content hash under ``config.embeddings_dir()``)."""
    from ..embed import embed, register_encoder
    name = model.embedding_name
    register_encoder(name, model.encode, model.vector_dim)
    return embed(list(texts), model=name, cache=cache, progress=progress)


def _thresholds(thresholds, model) -> dict:
    """The thresholds in force for sentences in their document and for snippets."""
    from .decide import load_thresholds
    return {"documents": load_thresholds(thresholds, model, documents=True),
            "snippets": load_thresholds(thresholds, model, documents=False)}


def _pipeline(model, thresholds: dict):
    from .pipeline import build_pipeline
    key = id(model)
    if key not in _PIPES:
        _PIPES[key] = build_pipeline(model=model)
    nlp = _PIPES[key]
    nlp.get_pipe("pk_labeller").thresholds = thresholds
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


def _run(texts, groups, sections, sent_ids, model, thresholds, vectors, contexts, progress, desc,
         risk: str | None = None) -> list[dict]:
    nlp = _pipeline(model, thresholds)
    docs = []
    for i, t in enumerate(texts):
        doc = nlp.make_doc(t)
        doc.user_data.update(pk_text=t, pk_group=groups[i], pk_section=sections[i], pk_sent_id=sent_ids[i],
                             pk_vector=vectors[i], pk_context=contexts[i], pk_risk=risk)
        docs.append(doc)
    it = nlp.pipe(docs, batch_size=1000)
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(it, total=len(docs), desc=desc, unit="sent")
    return [d._.pk_labels for d in it]


def extract(corpus, *, thresholds: dict | str | None = None, progress: bool = False, model=None,
            model_dir: str | Path | None = None, embed_cache: bool = True, embedding: str | None = None) -> pd.DataFrame:
    """Label every sentence of a corpus: role, risk domains and subdomains, instruments, addressees.

    Parameters
    ----------
    corpus : policykit.corpus.Corpus
        From :func:`policykit.load`.
    thresholds : dict or path, optional
        Overrides of the model's decision thresholds and of ``data/models/thresholds.yaml``.
    progress : bool
        Show progress bars (encoding and labelling).
    model : {"accurate", "fast"} or ExtractionModel, optional
        The shipped tier to use (default ``accurate``), or a loaded model.
    model_dir : path, optional
        A model directory written by ``policykit train --out`` (overrides ``model``).
    embed_cache : bool
        Reuse / store the encoder's sentence vectors under ``config.embeddings_dir()``.
    embedding : {"minilm", "static"}, optional
        Older name of the tier (``minilm`` = accurate, ``static`` = fast).

    Returns
    -------
    pandas.DataFrame
        The wide extraction table of ``docs/architecture.md``: every sentence column, then
        ``role``, ``role_score``, ``risk_domains``, ``risk_subdomains``, ``instruments``,
        ``addressees`` (label lists by descending score), ``scores`` and ``evidence``. One
        row per corpus sentence, in corpus order. Cue offsets index into ``corpus.raw(doc_id)``.
        A sentence's labels depend only on its own document.
    """
    m = _resolve(model, model_dir, embedding)
    th = _thresholds(thresholds, m)
    S = corpus.sentences.reset_index(drop=True)
    texts = S["text"].astype(str).tolist()
    vectors = (sentence_vectors(m, texts, cache=embed_cache, progress=progress) if texts
               else np.zeros((0, m.vector_dim), np.float32))
    recs = _run(texts, S["doc_id"].astype(str).tolist(), S["section"].astype(str).tolist(),
                S["sent_id"].astype(str).tolist(), m, th, vectors, [True] * len(texts), progress, "extract")
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


def classify(texts: Sequence[str], *, kind: str = "auto", thresholds: dict | str | None = None, model=None,
             model_dir: str | Path | None = None, embedding: str | None = None) -> pd.DataFrame:
    """Label arbitrary snippets, each on its own (no document context, section ``body``).

    Parameters
    ----------
    texts : list of str
        The snippets (a single string is refused: wrap it in a list).
    kind : {"auto", "sentence", "risk"}
        ``sentence``: decide as for a sentence of a document. ``risk``: every text describes a
        risk (e.g. an MIT AI Risk Repository entry): it gets at least its best risk domain (and
        that domain's best subdomain), whatever its role. ``auto`` (default): a text is read as a
        risk description when the model's any-risk score reaches the ``risk`` threshold.
    thresholds, model, model_dir, embedding
        As for :func:`extract`.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``text`` and the label columns of :func:`extract`; cue offsets index
        into the input string.
    """
    if isinstance(texts, str):
        raise TypeError("classify() takes a list of strings; wrap a single text in a list")
    if kind not in ("auto", "sentence", "risk"):
        raise InputError(None, f"unknown kind {kind!r}", "use 'auto', 'sentence' or 'risk'")
    m = _resolve(model, model_dir, embedding)
    th = _thresholds(thresholds, m)
    originals = ["" if t is None else str(t) for t in texts]
    clean = [" ".join(t.split()) for t in originals]
    vectors = np.zeros((len(clean), m.vector_dim), np.float32)
    nonempty = [i for i, t in enumerate(clean) if t]
    if nonempty:
        vectors[nonempty] = sentence_vectors(m, [clean[i] for i in nonempty], cache=False)
    recs = _run(clean, [f"__classify_{i}" for i in range(len(clean))], ["body"] * len(clean),
                [None] * len(clean), m, th, vectors, [False] * len(clean), False, "classify",
                risk=None if kind == "sentence" else kind)
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

"""Tidy tables shared by the BERTopic adapter and the NMF baseline."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

OUTLIER = -1
OUTLIER_LABEL = "-1: outliers"
ASSIGNMENT_COLUMNS = ["unit_id", "doc_id", "topic", "probability", "similarity", "reassigned"]
TERM_COLUMNS = ["topic", "term", "weight", "rank", "label"]
INFO_COLUMNS = ["topic", "label", "count", "share", "terms", "keywords", "representative_ids"]


def make_label(topic: int, keywords: Sequence[str], terms: Sequence[str], n: int = 3) -> str:
    """``"3: privacy, personal data, consent"`` from KeyBERT-style keywords and c-TF-IDF terms.

    Keywords and terms are interleaved (keyword first); a word contained in one already chosen
    (or containing it) is skipped, so labels are not ``"data, data governance, governance"``.
    """
    if topic == OUTLIER:
        return OUTLIER_LABEL
    chosen: list[str] = []
    pool = [w for pair in zip_longest_(keywords[:n + 2], terms[:n + 2]) for w in pair if w]
    for w in pool:
        if any(w in c or c in w for c in chosen):
            continue
        chosen.append(w)
        if len(chosen) == n:
            break
    return f"{topic}: " + ", ".join(chosen)


def zip_longest_(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of ``a`` and ``b`` padded with empty strings."""
    m = max(len(a), len(b))
    a = list(a) + [""] * (m - len(a))
    b = list(b) + [""] * (m - len(b))
    return list(zip(a, b))


def terms_table(words: Mapping[int, Sequence[tuple[str, float]]], labels: Mapping[int, str],
                top_n: int) -> pd.DataFrame:
    """Tidy ``topic, term, weight, rank, label`` from topic → [(term, weight), ...]."""
    rows = []
    for topic in sorted(words):
        kept = [(w, float(v)) for w, v in words[topic] if w][:top_n]
        for rank, (w, v) in enumerate(kept, start=1):
            rows.append((int(topic), w, v, rank, labels.get(topic, str(topic))))
    return pd.DataFrame(rows, columns=TERM_COLUMNS)


def top_words(matrix, vocabulary: Sequence[str], top_n: int) -> list[list[tuple[str, float]]]:
    """Top ``top_n`` (term, weight) per row of a topics × terms matrix (ties broken by term)."""
    dense = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    vocab = np.asarray(vocabulary, dtype=object)
    out = []
    for row in dense:
        # stable order: weight descending, then term ascending
        order = np.lexsort((vocab, -row))
        out.append([(str(vocab[i]), float(row[i])) for i in order[:top_n] if row[i] > 0])
    return out


def cosine_to(embeddings: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``embeddings`` to each row of ``centroids``."""
    a = embeddings / np.clip(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12, None)
    b = centroids / np.clip(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12, None)
    return a @ b.T


def centroids(embeddings: np.ndarray, topics: np.ndarray, topic_ids: Sequence[int]) -> np.ndarray:
    """L2-normalised mean embedding of each topic's units, rows in ``topic_ids`` order."""
    rows = []
    for t in topic_ids:
        v = embeddings[topics == t].mean(axis=0)
        rows.append(v / max(np.linalg.norm(v), 1e-12))
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, embeddings.shape[1]), np.float32)


def info_table(topics: np.ndarray, labels: Mapping[int, str], terms: pd.DataFrame,
               keywords: pd.DataFrame | None, units: pd.DataFrame, score: np.ndarray,
               n_repr: int = 3) -> pd.DataFrame:
    """One row per topic: size, share, terms, keywords and the most representative units."""
    rows = []
    n = len(topics)
    for t in sorted(set(int(x) for x in topics)):
        idx = np.flatnonzero(topics == t)
        order = idx[np.lexsort((units["unit_id"].to_numpy()[idx], -np.nan_to_num(score[idx], nan=-2.0)))]
        term_list = list(terms.loc[terms["topic"] == t].sort_values("rank")["term"])
        kw_list = ([] if keywords is None else
                   list(keywords.loc[keywords["topic"] == t].sort_values("rank")["term"]))
        rows.append({"topic": t, "label": labels.get(t, str(t)), "count": int(len(idx)),
                     "share": float(len(idx) / n) if n else 0.0,
                     "terms": ", ".join(term_list), "keywords": ", ".join(kw_list),
                     "representative_ids": list(units["unit_id"].to_numpy()[order[:n_repr]])})
    return pd.DataFrame(rows, columns=INFO_COLUMNS)

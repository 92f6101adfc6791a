"""Topic quality: NPMI coherence computed on the corpus itself, and topic diversity.

* **NPMI coherence** (Bouma 2009; Röder et al. 2015, ``C_NPMI`` with the unit as the context
  window): for every pair of a topic's top-``n`` terms,
  ``npmi = log(p(a, b) / (p(a) p(b))) / -log p(a, b)``, where ``p`` are document frequencies over
  the modelled units (paragraphs or sentences). Pairs that never co-occur score -1. A topic's
  coherence is the mean over its pairs; a model's is the mean over its topics (outlier topic
  -1 excluded). Range -1..1; higher means the terms really occur together in this corpus.
* **Topic diversity** (Dieng et al. 2020): the share of unique terms among all topics' top-``n``
  terms. 1 means no topic repeats another's terms; near 0 means redundant topics.

Both take the tidy ``terms`` table (``topic``, ``term``, ``weight``, ``rank``, ``label``) that
every policykit topic model produces, so BERTopic and the NMF baseline are scored identically.
"""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd

from .vocab import STOP_WORDS, make_vectorizer


def top_terms(terms: pd.DataFrame, top_n: int = 10, include_outliers: bool = False) -> dict[int, list[str]]:
    """Topic → its ``top_n`` terms in rank order, from a tidy terms table."""
    df = terms if include_outliers else terms[terms["topic"] != -1]
    df = df.sort_values(["topic", "rank"], kind="stable")
    return {int(t): list(g["term"].head(top_n)) for t, g in df.groupby("topic", sort=True)}


def npmi_coherence(terms: pd.DataFrame, texts: Sequence[str], top_n: int = 10,
                   ngram_range: tuple[int, int] | None = None,
                   stop_words: str | Sequence[str] | None = STOP_WORDS) -> pd.DataFrame:
    """NPMI coherence of each topic, with co-occurrence counted over ``texts``.

    Parameters
    ----------
    terms : pandas.DataFrame
        Tidy terms table (``topic``, ``term``, ``rank``).
    texts : sequence of str
        The reference corpus: the units the model was fitted on.
    top_n : int
        Number of top terms per topic.
    ngram_range : tuple, optional
        Defaults to (1, longest term in words).
    stop_words : str or list, optional
        Must match the model's tokenisation (bigrams are formed after stop-word removal).

    Returns
    -------
    pandas.DataFrame
        ``topic``, ``npmi``, ``n_terms``, ``n_pairs_never_together``.
    """
    tops = top_terms(terms, top_n)
    vocab = sorted({t for ts in tops.values() for t in ts})
    if not vocab:
        return pd.DataFrame(columns=["topic", "npmi", "n_terms", "n_pairs_never_together"])
    if ngram_range is None:
        ngram_range = (1, max(len(t.split()) for t in vocab))
    cv = make_vectorizer(vocabulary=vocab, ngram_range=ngram_range, stop_words=stop_words, binary=True)
    X = cv.transform(list(texts)).astype(np.float64).tocsc()
    n = X.shape[0]
    df = np.asarray(X.sum(axis=0)).ravel()
    co = (X.T @ X).toarray()
    index = cv.vocabulary_
    eps = 1e-12
    rows = []
    for topic, ts in tops.items():
        scores, never = [], 0
        for a, b in combinations(ts, 2):
            i, j = index[a], index[b]
            if df[i] == 0 or df[j] == 0:
                continue  # a term absent from the reference texts: no evidence either way
            c = co[i, j]
            if c == 0:
                scores.append(-1.0)
                never += 1
                continue
            p_ab, p_a, p_b = c / n, df[i] / n, df[j] / n
            if p_ab >= 1.0 - eps:
                scores.append(1.0)
                continue
            scores.append(float(np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)))
        rows.append({"topic": topic, "npmi": float(np.mean(scores)) if scores else np.nan,
                     "n_terms": len(ts), "n_pairs_never_together": never})
    return pd.DataFrame(rows)


def topic_diversity(terms: pd.DataFrame, top_n: int = 10) -> float:
    """Share of unique terms among all topics' top-``top_n`` terms (outlier topic excluded)."""
    tops = top_terms(terms, top_n)
    all_terms = [t for ts in tops.values() for t in ts]
    return float(len(set(all_terms)) / len(all_terms)) if all_terms else float("nan")


def topic_quality(terms: pd.DataFrame, texts: Sequence[str], top_n: int = 10,
                  stop_words: str | Sequence[str] | None = STOP_WORDS) -> dict:
    """``n_topics``, ``npmi`` (mean over topics) and ``diversity`` of one terms table."""
    per_topic = npmi_coherence(terms, texts, top_n=top_n, stop_words=stop_words)
    return {"n_topics": int(len(per_topic)),
            "npmi": float(per_topic["npmi"].mean()) if len(per_topic) else float("nan"),
            "diversity": topic_diversity(terms, top_n),
            "top_n": int(top_n)}


def compare_models(models: dict, texts: Sequence[str] | None = None, top_n: int = 10) -> pd.DataFrame:
    """Quality of several fitted models (or terms tables) on the same units.

    Parameters
    ----------
    models : dict
        Name → fitted policykit topic model (anything with ``terms_`` and ``units_``) or a
        terms DataFrame (then ``texts`` is required).
    texts : sequence of str, optional
        Reference texts; default: the first model's ``units_["text"]``.
    top_n : int
        Top terms per topic.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``model``, ``n_topics``, ``npmi``, ``diversity``, ``top_n``,
        ``outlier_share``.
    """
    rows = []
    for name, m in models.items():
        terms = m if isinstance(m, pd.DataFrame) else m.terms_
        if texts is None and not isinstance(m, pd.DataFrame):
            texts = list(m.units_["text"])
        if texts is None:
            raise ValueError("texts are needed when models are given as terms tables")
        row = {"model": name, **topic_quality(terms, texts, top_n)}
        row["outlier_share"] = float(getattr(m, "outlier_share_", np.nan)) if not isinstance(m, pd.DataFrame) else np.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=["model", "n_topics", "npmi", "diversity", "top_n", "outlier_share"])

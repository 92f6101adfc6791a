"""A scikit-learn NMF baseline on TF-IDF of the same units and vocabulary as the BERTopic model.

It produces the same tidy tables as :class:`policykit.topics.TopicModel` (``assignments_``,
``terms_``, ``topic_info_``, ``topic_term_matrix_``), so quality metrics, per-group tables
and figures work on either model unchanged.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policykit.config import SEED
from policykit.errors import InputError

from . import _tables as T
from .units import as_units, body_sentences, check_unit
from .vocab import STOP_WORDS, make_vectorizer, unit_vocabulary


class NMFTopicModel:
    """Non-negative matrix factorisation of sublinear TF-IDF (deterministic ``nndsvd`` start).

    Parameters
    ----------
    n_topics : int
        Number of topics (use the BERTopic model's ``n_topics_`` for a like-for-like comparison).
    unit : {"paragraph", "sentence"}
        Which corpus units to model (body text only).
    top_n_words : int
        Terms kept per topic.
    ngram_range, min_df, stop_words
        Vocabulary, as in :class:`~policykit.topics.TopicModel`.
    random_state : int
        Seed (NMF with ``nndsvd`` initialisation is deterministic anyway).
    max_iter : int
        Iterations of the coordinate-descent solver.

    Attributes
    ----------
    units_, topics_, probabilities_, assignments_, terms_, topic_info_, labels_, topic_ids_,
    topic_term_matrix_, vocabulary_, n_topics_, outlier_share_
        As in :class:`~policykit.topics.TopicModel`; ``probabilities_`` is the unit's share of
        its NMF weight on the assigned topic, ``similarity`` is NaN, ``keywords_`` is None.
    doc_topic_ : ndarray (n_units, n_topics)
        NMF unit-topic weights (columns in ``topic_ids_`` order).
    """

    def __init__(self, n_topics: int = 10, unit: str = "paragraph", top_n_words: int = 10,
                 ngram_range: tuple[int, int] = (1, 2), min_df: int = 5,
                 stop_words: str | Sequence[str] | None = STOP_WORDS, random_state: int = SEED,
                 max_iter: int = 400):
        self.n_topics = n_topics
        self.unit = unit
        self.top_n_words = top_n_words
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.stop_words = stop_words
        self.random_state = random_state
        self.max_iter = max_iter

    def get_params(self, deep: bool = True) -> dict:
        """Constructor parameters (scikit-learn convention)."""
        return {k: getattr(self, k) for k in ("n_topics", "unit", "top_n_words", "ngram_range", "min_df",
                                              "stop_words", "random_state", "max_iter")}

    def fit(self, X, y=None) -> "NMFTopicModel":
        """Fit NMF topics on the units of ``X`` (corpus, unit table or texts); returns self."""
        import warnings

        from scipy import sparse
        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_extraction.text import TfidfTransformer

        check_unit(self.unit)
        units = as_units(X, self.unit)
        texts = units["text"].tolist()
        k = int(self.n_topics)
        if k < 2:
            raise InputError(None, f"n_topics must be at least 2, got {k}", "pass n_topics >= 2")
        vocab = unit_vocabulary(texts, self.ngram_range, self.stop_words, self.min_df)
        k = min(k, len(vocab), len(units) - 1)
        cv = make_vectorizer(vocabulary=vocab, ngram_range=self.ngram_range, stop_words=self.stop_words)
        counts = cv.transform(texts)
        tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
            nmf = NMF(n_components=k, init="nndsvd", random_state=self.random_state,
                      max_iter=self.max_iter)
            W = nmf.fit_transform(tfidf)
        H = nmf.components_
        raw = np.where(W.sum(axis=1) > 0, W.argmax(axis=1), -1)
        # number topics by size (largest first), ties by NMF component index
        sizes = np.bincount(raw[raw >= 0], minlength=k)
        order = sorted(range(k), key=lambda c: (-sizes[c], c))
        new_id = {c: i for i, c in enumerate(order)}
        topics = np.array([new_id[c] if c >= 0 else T.OUTLIER for c in raw], dtype=int)
        W, H = W[:, order], H[order]
        rowsum = W.sum(axis=1)
        probs = np.where(topics >= 0, W[np.arange(len(W)), np.clip(topics, 0, None)] / np.where(rowsum > 0, rowsum, 1), 0.0)

        self.units_ = units
        self.vocabulary_ = list(cv.get_feature_names_out())
        self.doc_topic_ = W
        self.topic_term_matrix_ = sparse.csr_matrix(H)
        self.reconstruction_err_ = float(nmf.reconstruction_err_)
        self.topics_ = topics
        self.probabilities_ = probs
        self.topic_ids_ = list(range(k))
        self.n_topics_ = k
        self.outlier_share_ = float(np.mean(topics == T.OUTLIER))
        words = T.top_words(H, self.vocabulary_, self.top_n_words)
        ids = sorted(set(int(t) for t in topics) | set(self.topic_ids_))
        self.labels_ = {t: T.make_label(t, [], [w for w, _ in words[t]] if t >= 0 else []) for t in ids}
        self.terms_ = T.terms_table({t: words[t] for t in self.topic_ids_}, self.labels_, self.top_n_words)
        self.keywords_ = None
        self.assignments_ = pd.DataFrame({
            "unit_id": units["unit_id"].to_numpy(), "doc_id": units["doc_id"].to_numpy(),
            "topic": topics, "probability": probs, "similarity": np.full(len(topics), np.nan),
            "reassigned": np.zeros(len(topics), dtype=bool)},
            columns=T.ASSIGNMENT_COLUMNS)
        self.topic_info_ = T.info_table(topics, self.labels_, self.terms_, None, units, probs)
        self.sentences_ = body_sentences(X) if self.unit == "paragraph" else None
        return self

    def fit_transform(self, X, y=None) -> pd.DataFrame:
        """Fit, then return ``assignments_``."""
        return self.fit(X).assignments_

    def save(self, path):
        """Save to a directory (safetensors + JSON + Parquet); see :func:`policykit.topics.save_model`."""
        from .persist import save_model

        return save_model(self, path)

    @classmethod
    def load(cls, path) -> "NMFTopicModel":
        """Load a model saved with :meth:`save`."""
        from .persist import load_model

        return load_model(path)

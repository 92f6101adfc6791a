"""A small, reproducible BERTopic adapter with scikit-learn conventions.

>>> import policykit as pk
>>> from policykit.topics import TopicModel
>>> tm = TopicModel(unit="paragraph").fit(pk.load())          # doctest: +SKIP
>>> tm.topic_info_[["topic", "label", "count"]]                 # doctest: +SKIP
>>> tm.assignments_.head()                                      # doctest: +SKIP

What it fixes compared with calling ``BERTopic()`` directly:

* **offline**: embeddings come from :func:`policykit.embed.embed` (the packaged all-MiniLM-L6-v2,
  cached by text hash); BERTopic is handed the vectors and a backend wrapping the same function,
  so it never resolves a model name;
* **the same topics on any machine**: embeddings differ between processors by about 1e-7, and
  UMAP + HDBSCAN turn that into other topics (two fits from embeddings 1e-6 apart agree with an
  adjusted Rand index of about 0.5 on the report's paragraphs). The default ``method="spectral"``
  clusters the spectral embedding of UMAP's neighbourhood graph with Ward's method
  (:mod:`policykit.topics.spectral`): every step is continuous in the embeddings or a decision
  with a wide margin, so topics, terms, labels and counts are identical under noise of 1e-6 and
  other CPU kernels (tested; :meth:`TopicModel.stability` measures it on any corpus).
  ``method="umap"`` keeps the seeded UMAP + HDBSCAN pipeline for comparison;
* **reproducible**: no random starts, the vocabulary is fixed and sorted, ties are broken by id;
  two fits of the same units give the same topics, in one process or in two;
* **small corpora**: defaults chosen for a few hundred paragraphs or about a thousand sentences;
  outliers (units in clusters smaller than ``min_cluster_size``) are reassigned to the nearest
  topic by embedding similarity, so units are not left in topic -1;
* **tidy output**: ``assignments_``, ``terms_``, ``keywords_``, ``topic_info_`` and ``doc_map_``
  are DataFrames following ``docs/architecture.md``.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np
import pandas as pd

from policykit.config import SEED
from policykit.errors import InputError

from . import _tables as T
from .units import as_units, body_sentences, check_unit
from .vocab import STOP_WORDS

#: Outlier strategies of ``BERTopic.reduce_outliers`` that work from precomputed vectors.
OUTLIER_STRATEGIES = ("embeddings", "c-tf-idf", "distributions")
#: Clustering pipelines: ``spectral`` (default; stable to float noise) and ``umap`` (UMAP + HDBSCAN).
METHODS = ("spectral", "umap")


def default_n_topics(n_units: int) -> int:
    """Number of topics ``method="spectral"`` finds when ``nr_topics`` is not given.

    About ``0.9 * sqrt(n_units)`` (at least 2, at most 50): 15 for the report's 283 body
    paragraphs (UMAP + HDBSCAN found 15 to 17 there, depending on the last bits of the
    embeddings), 27 for its 874 body sentences.
    """
    return int(min(50, max(2, round(0.9 * np.sqrt(max(n_units, 1))))))


class TopicModel:
    """BERTopic on paragraphs or sentences, with offline cached embeddings and seeded UMAP/HDBSCAN.

    Parameters
    ----------
    unit : {"paragraph", "sentence"}
        Which units of a corpus to model (body text only). Ignored when ``fit`` receives a unit
        table or plain texts.
    embedding_model : {"minilm", "static"}
        policykit embedding model (see :mod:`policykit.embed`).
    method : {"spectral", "umap"}
        ``spectral`` (default): spectral embedding of UMAP's neighbourhood graph, clustered by
        Ward's method into ``nr_topics`` topics — the same topics whatever the processor
        (:mod:`policykit.topics.spectral`). ``umap``: seeded UMAP + HDBSCAN, whose topics change
        with the last bits of the embeddings (kept for comparison).
    n_neighbors : int, optional
        Neighbourhood size of the graph (capped at ``n_units - 1``). Default 10 for ``spectral``
        (the report's paragraphs: the cut into 15 topics then has a margin of 10% of the merge
        height and survives noise of 1e-4), 15 for ``umap``.
    n_components : int, optional
        Dimensions of the reduction. Default: as many as topics for ``spectral`` (one
        eigenvector per cluster, as in spectral clustering), 5 for ``umap``.
    min_dist : float
        UMAP's ``min_dist`` (``umap`` only).
    min_cluster_size : int, optional
        The smallest topic. Default ``max(5, round(sqrt(n_units) / 2))``: 8 for the report's
        ~280 body paragraphs, 15 for its ~880 body sentences; capped at ``n_units // 4``.
        ``spectral``: clusters of the Ward cut with fewer units are outliers (ignored when
        ``nr_topics`` is given and ``min_cluster_size`` is not). ``umap``: HDBSCAN's parameter.
    min_samples : int, optional
        HDBSCAN's density parameter (``umap`` only); smaller values leave fewer outliers. Default 3.
    cluster_selection_method : {"leaf", "eom"}
        HDBSCAN cluster selection (``umap`` only); "leaf" avoids the one-giant-topic result
        "eom" tends to give on sentences of a single-subject report.
    nr_topics : int or "auto", optional
        ``spectral``: the number of clusters Ward's tree is cut into (default
        :func:`default_n_topics`; "auto" is the same). ``umap``: merge HDBSCAN's topics down to
        this number (not counting -1) by the similarity of their embeddings (``None`` keeps
        HDBSCAN's topics; fewer are never split).
    reduce_outliers : {"embeddings", "c-tf-idf", "distributions"} or None
        Reassign outlier units (topic -1) to their nearest topic; ``None`` keeps them as -1.
    outlier_threshold : float
        Minimum similarity for an outlier to be reassigned (0 reassigns every outlier).
    top_n_words : int
        Terms kept per topic (c-TF-IDF terms and KeyBERT-inspired keywords).
    ngram_range : tuple of int
        Term n-grams.
    min_df : int
        A term must occur in at least this many units to be in the vocabulary (capped at
        ``n_units // 20`` for small inputs). Rarer terms get top c-TF-IDF weights in a topic yet
        rarely co-occur with its other terms: on the report's paragraphs, ``min_df=5`` raises
        NPMI coherence from about 0.06 (``min_df=2``) to 0.18 at nearly the same diversity.
    stop_words : str or list, optional
        Stop words for terms: scikit-learn's English list plus "ai" (every unit of an
        AI-governance corpus is about AI; see :data:`policykit.topics.vocab.STOP_WORDS`).
    keybert : bool
        Add the KeyBERT-inspired representation (embeds candidate words; cached).
    doc_map : bool
        Compute the 2-D document map: the two principal axes of the graph's diffusion-map
        coordinates, scaled to [-1, 1] and rounded to 2 decimals (``spectral``; a linear
        projection, so it moves no more than the eigenvectors do), or a seeded 2-D UMAP (``umap``).
    random_state : int
        Seed of UMAP and of the sparse eigensolver (also used by the representation's sampling).
    progress : bool
        Show a progress bar over the fitting stages and while embedding.

    Attributes
    ----------
    units_ : DataFrame
        The modelled units (``unit_id``, ``doc_id``, ``text``, metadata).
    embeddings_ : ndarray (n_units, d)
        Unit embeddings.
    topics_ : ndarray of int
        Topic per unit (-1 = outlier).
    probabilities_ : ndarray of float
        Membership per unit: 1 for a unit of a Ward cluster (``spectral`` assigns each unit to one
        cluster), HDBSCAN's membership strength (``umap``); 0 for outliers and reassigned outliers.
    assignments_ : DataFrame
        ``unit_id, doc_id, topic, probability, similarity, reassigned``.
    terms_ : DataFrame
        c-TF-IDF terms: ``topic, term, weight, rank, label``.
    keywords_ : DataFrame or None
        KeyBERT-inspired keywords, same columns.
    topic_info_ : DataFrame
        ``topic, label, count, share, terms, keywords, representative_ids``.
    labels_ : dict
        Topic → label.
    topic_ids_ : list of int
        Topics without -1, ascending.
    topic_embeddings_ : ndarray (n_topics, d)
        Centroid of each topic's units (rows in ``topic_ids_`` order).
    topic_term_matrix_ : scipy.sparse matrix (n_topics, n_terms)
        c-TF-IDF rows of ``topic_ids_`` over ``vocabulary_``.
    vocabulary_ : list of str
        Sorted term vocabulary.
    doc_map_ : DataFrame or None
        ``unit_id, doc_id, topic, label, x, y`` plus metadata (see ``doc_map``).
    reduced_ : ndarray (n_units, n_components)
        The coordinates the units were clustered in.
    cut_margin_ : float
        ``spectral`` only: how far the Ward cut is from a tie (see
        :attr:`policykit.topics.spectral.WardClusterer.margin_`); the partition can only change
        under perturbations that move merge heights by about this share.
    sentences_ : DataFrame or None
        Body sentences of the corpus (when fitted on a corpus), for representative sentences.
    n_topics_ : int
    outlier_share_ : float
        Share of units left in topic -1 (after outlier reduction).
    outlier_share_before_ : float
        Share of units HDBSCAN left as outliers.
    params_ : dict
        Effective parameters (after capping for small inputs).
    bertopic_ : bertopic.BERTopic
        The underlying fitted model.
    fit_seconds_ : dict
        Wall time per stage.
    """

    def __init__(self, unit: str = "paragraph", embedding_model: str = "minilm", method: str = "spectral",
                 n_neighbors: int | None = None, n_components: int | None = None, min_dist: float = 0.0,
                 min_cluster_size: int | None = None, min_samples: int | None = 3,
                 cluster_selection_method: str = "leaf", nr_topics: int | str | None = None,
                 reduce_outliers: str | None = "embeddings", outlier_threshold: float = 0.0,
                 top_n_words: int = 10, ngram_range: tuple[int, int] = (1, 2), min_df: int = 5,
                 stop_words: str | Sequence[str] | None = STOP_WORDS, keybert: bool = True,
                 doc_map: bool = True, random_state: int = SEED, progress: bool = False):
        self.unit = unit
        self.embedding_model = embedding_model
        self.method = method
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_dist = min_dist
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_method = cluster_selection_method
        self.nr_topics = nr_topics
        self.reduce_outliers = reduce_outliers
        self.outlier_threshold = outlier_threshold
        self.top_n_words = top_n_words
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.stop_words = stop_words
        self.keybert = keybert
        self.doc_map = doc_map
        self.random_state = random_state
        self.progress = progress

    # ------------------------------------------------------------------ sklearn plumbing
    _PARAMS = ("unit", "embedding_model", "method", "n_neighbors", "n_components", "min_dist",
               "min_cluster_size", "min_samples", "cluster_selection_method", "nr_topics",
               "reduce_outliers", "outlier_threshold", "top_n_words", "ngram_range", "min_df",
               "stop_words", "keybert", "doc_map", "random_state", "progress")

    def get_params(self, deep: bool = True) -> dict:
        """Constructor parameters (scikit-learn convention)."""
        return {k: getattr(self, k) for k in self._PARAMS}

    def set_params(self, **params) -> "TopicModel":
        """Set constructor parameters; returns self."""
        for k, v in params.items():
            if k not in self._PARAMS:
                raise ValueError(f"unknown parameter {k!r}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        default = TopicModel()
        changed = {k: v for k, v in self.get_params().items() if v != getattr(default, k)}
        return "TopicModel(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    # ------------------------------------------------------------------ fitting
    def _validate(self) -> None:
        check_unit(self.unit)
        if self.method not in METHODS:
            raise InputError(None, f"unknown topic method {self.method!r}", f"use one of {', '.join(METHODS)}")
        if self.reduce_outliers is not None and self.reduce_outliers not in OUTLIER_STRATEGIES:
            raise InputError(None, f"unknown outlier strategy {self.reduce_outliers!r}",
                             f"use one of {', '.join(OUTLIER_STRATEGIES)} or None")
        if self.nr_topics is not None and self.nr_topics != "auto":
            if int(self.nr_topics) < 2:
                raise InputError(None, f"nr_topics must be at least 2, got {self.nr_topics}",
                                 "pass a number of topics >= 2, or leave it unset")

    def _embed(self, texts: list[str], embeddings) -> np.ndarray:
        if embeddings is not None:
            E = np.asarray(embeddings, dtype=np.float32)
            if E.ndim != 2 or E.shape[0] != len(texts):
                raise InputError(None, f"embeddings have shape {E.shape}, expected ({len(texts)}, d)",
                                 "pass one embedding row per unit, in unit order")
            return E
        from policykit.embed import embed

        return embed(texts, model=self.embedding_model, progress=self.progress)

    def _effective_params(self, n: int) -> dict:
        mcs = self.min_cluster_size
        if mcs is None:
            mcs = max(5, int(round(np.sqrt(n) / 2)))
        nn = self.n_neighbors if self.n_neighbors is not None else (10 if self.method == "spectral" else 15)
        p = {
            "n_neighbors": int(max(2, min(nn, n - 1))),
            "min_cluster_size": int(max(2, min(mcs, n // 4))),
            "min_samples": None if self.min_samples is None else int(max(1, min(self.min_samples, n // 4))),
        }
        if self.method == "spectral":
            k = default_n_topics(n) if self.nr_topics in (None, "auto") else int(self.nr_topics)
            p["n_clusters"] = int(max(2, min(k, n // 2)))
            if self.nr_topics not in (None, "auto") and self.min_cluster_size is None:
                p["min_cluster_size"] = 1  # an explicit number of topics is not thinned out
            nc = self.n_components if self.n_components is not None else p["n_clusters"]
            p["n_components"] = int(max(2, min(nc, n - 2)))
        else:
            nc = self.n_components if self.n_components is not None else 5
            p["n_components"] = int(max(2, min(nc, n - 2)))
        return p

    def _models(self, n: int):
        """The reduction and clustering models handed to BERTopic (``umap_model``, ``hdbscan_model``)."""
        p = self._effective_params(n)
        if self.method == "spectral":
            from .spectral import SpectralReducer, WardClusterer

            return (SpectralReducer(n_neighbors=p["n_neighbors"], n_components=p["n_components"],
                                    random_state=self.random_state),
                    WardClusterer(n_clusters=p["n_clusters"], min_cluster_size=p["min_cluster_size"]))
        from hdbscan import HDBSCAN
        from umap import UMAP

        from .backend import enable_umap_cache

        enable_umap_cache()
        umap_model = UMAP(n_neighbors=p["n_neighbors"], n_components=p["n_components"],
                          min_dist=self.min_dist, metric="cosine", random_state=self.random_state,
                          init="spectral" if n > p["n_components"] + 2 else "random")
        hdbscan_model = HDBSCAN(min_cluster_size=p["min_cluster_size"], min_samples=p["min_samples"],
                                metric="euclidean", cluster_selection_method=self.cluster_selection_method,
                                prediction_data=False)
        return umap_model, hdbscan_model

    def cluster_labels(self, embeddings: np.ndarray) -> np.ndarray:
        """Topic clusters of ``embeddings`` by this model's reduction and clustering alone
        (before outlier reassignment and BERTopic's renumbering by size; -1 = outlier).

        Used by :meth:`stability`; cheap for ``method="spectral"``.
        """
        from .backend import quiet

        E = np.asarray(embeddings, dtype=np.float32)
        reducer, clusterer = self._models(len(E))
        with quiet():
            return np.asarray(clusterer.fit(reducer.fit_transform(E)).labels_, dtype=int)

    def stability(self, noise=(1e-6, 1e-5, 1e-4), n_repeats: int = 3, random_state: int = 0) -> pd.DataFrame:
        """How much of the fitted partition survives noise added to the embeddings.

        Refits the reduction and clustering (not the representation) on ``embeddings_`` plus
        Gaussian noise of each standard deviation in ``noise``; see
        :func:`policykit.topics.spectral.partition_stability`.

        Returns
        -------
        pandas.DataFrame
            ``noise, repeat, identical, share_same, ari``.
        """
        self._check_fitted()
        from .spectral import partition_stability

        return partition_stability(self.cluster_labels, self.embeddings_, noise=noise,
                                   n_repeats=n_repeats, random_state=random_state)

    def fit(self, X, y=None, embeddings: np.ndarray | None = None) -> "TopicModel":
        """Fit topics on the units of ``X``.

        Parameters
        ----------
        X : Corpus, DataFrame or sequence of str
            A corpus (its body ``unit`` s are modelled), a unit table with ``text`` (and ideally
            ``unit_id``, ``doc_id``, metadata), or plain texts.
        y : ignored
        embeddings : ndarray, optional
            Precomputed unit embeddings (rows in unit order); default: :func:`policykit.embed.embed`.

        Returns
        -------
        TopicModel
            self, fitted.

        Raises
        ------
        InputError
            For too few units, no usable words, or when no topic can be found.
        """
        from tqdm.auto import tqdm

        self._validate()
        units = as_units(X, self.unit)
        texts = units["text"].tolist()
        stages = ["embed", "vocabulary", "cluster", "outliers", "tables", "map"]
        bar = tqdm(total=len(stages), desc="topics", disable=not self.progress, leave=False)
        seconds: dict[str, float] = {}

        def stage(name: str, t0: float) -> float:
            seconds[name] = round(time.perf_counter() - t0, 3)
            bar.set_postfix_str(name)
            bar.update(1)
            return time.perf_counter()

        t = time.perf_counter()
        E = self._embed(texts, embeddings)
        t = stage("embed", t)

        from .vocab import unit_vocabulary

        vocab = unit_vocabulary(texts, self.ngram_range, self.stop_words, self.min_df)
        t = stage("vocabulary", t)

        bt, topics, probs = self._fit_bertopic(texts, E, vocab, len(units))
        self.outlier_share_before_ = float(np.mean(topics == T.OUTLIER))
        t = stage("cluster", t)

        reassigned = np.zeros(len(units), dtype=bool)
        if self.reduce_outliers and (topics == T.OUTLIER).any():
            topics, reassigned = self._reduce_outliers(bt, texts, E, topics, probs)
        t = stage("outliers", t)

        self.bertopic_ = bt
        self.units_ = units
        self.sentences_ = body_sentences(X) if self.unit == "paragraph" else None
        self.embeddings_ = E
        self.vocabulary_ = list(bt.vectorizer_model.get_feature_names_out())
        self._set_state(topics, np.asarray(probs, dtype=float), reassigned)
        t = stage("tables", t)

        self.doc_map_ = self._doc_map() if self.doc_map else None
        stage("map", t)
        bar.close()
        self.fit_seconds_ = seconds
        return self

    def fit_transform(self, X, y=None, embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """Fit, then return ``assignments_``."""
        return self.fit(X, y, embeddings=embeddings).assignments_

    def _fit_bertopic(self, texts, E, vocab, n):
        from bertopic import BERTopic
        from bertopic.representation import KeyBERTInspired
        from bertopic.vectorizers import ClassTfidfTransformer

        from .backend import PolicykitEmbedder, quiet
        from .vocab import make_vectorizer

        self.params_ = {**self.get_params(), **self._effective_params(n)}
        umap_model, hdbscan_model = self._models(n)
        self._reducer = umap_model
        representation = None
        if self.keybert:
            representation = {"KeyBERT": KeyBERTInspired(top_n_words=self.top_n_words, nr_repr_docs=5,
                                                         nr_candidate_words=50,
                                                         random_state=self.random_state % (2**32))}
        self._vectorizer_args = dict(vocabulary=vocab, ngram_range=self.ngram_range, stop_words=self.stop_words)
        self._representation = representation
        bt = BERTopic(embedding_model=PolicykitEmbedder(self.embedding_model, progress=self.progress),
                      umap_model=umap_model, hdbscan_model=hdbscan_model,
                      vectorizer_model=make_vectorizer(**self._vectorizer_args),
                      ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                      representation_model=representation, top_n_words=self.top_n_words,
                      nr_topics=None, calculate_probabilities=False, verbose=False)
        with quiet():
            try:
                topics, probs = bt.fit_transform(texts, embeddings=E)
            except (ValueError, TypeError, IndexError, KeyError) as exc:
                raise InputError(None, f"no topics could be fitted on {n} units ({type(exc).__name__}: {exc})",
                                 "add more documents, or lower min_cluster_size / use --unit sentence") from exc
            topics = np.asarray(topics, dtype=int)
            self.reduced_ = np.asarray(umap_model.transform(E) if self.method == "spectral"
                                       else umap_model.embedding_)
            if self.method == "spectral":
                # Ward assigns each unit to one cluster: membership 1 (BERTopic got no probabilities)
                probs = (topics != T.OUTLIER).astype(float)
                self.cut_margin_ = float(hdbscan_model.margin_)
            if self.method == "umap" and self.nr_topics is not None and (topics != T.OUTLIER).any():
                # reduce after fitting, so that ``nr_topics`` counts real topics, not topic -1
                n_real = len(set(topics.tolist()) - {T.OUTLIER})
                has_outliers = int((topics == T.OUTLIER).any())
                if self.nr_topics == "auto" or n_real > int(self.nr_topics):
                    target = "auto" if self.nr_topics == "auto" else int(self.nr_topics) + has_outliers
                    bt.reduce_topics(texts, nr_topics=target)
                    topics = np.asarray(bt.topics_, dtype=int)
                    probs = bt.probabilities_
        if not (topics != T.OUTLIER).any():
            raise InputError(None, f"no topics found: HDBSCAN left all {n} units as outliers",
                             "add more documents, use --unit sentence, or lower min_cluster_size")
        return bt, topics, np.asarray(probs if probs is not None else np.zeros(n), dtype=float)

    def _reduce_outliers(self, bt, texts, E, topics, probs):
        from .backend import quiet
        from .vocab import make_vectorizer
        from bertopic.vectorizers import ClassTfidfTransformer

        strategy = self.reduce_outliers
        kw = {"embeddings": E} if strategy == "embeddings" else {}
        with quiet():
            new = np.asarray(bt.reduce_outliers(texts, list(topics), strategy=strategy,
                                                threshold=self.outlier_threshold, **kw), dtype=int)
            if (new != topics).any():
                bt.update_topics(texts, topics=list(new), top_n_words=self.top_n_words,
                                 vectorizer_model=make_vectorizer(**self._vectorizer_args),
                                 ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                                 representation_model=self._representation)
        return new, (topics == T.OUTLIER) & (new != T.OUTLIER)

    def _set_state(self, topics: np.ndarray, probs: np.ndarray, reassigned: np.ndarray) -> None:
        """Build every learned table from the BERTopic state."""
        bt = self.bertopic_
        E = self.embeddings_
        self.topics_ = topics
        self.probabilities_ = np.where(reassigned | (topics == T.OUTLIER), 0.0, probs)
        all_ids = sorted(set(int(t) for t in topics))
        self.topic_ids_ = [t for t in all_ids if t != T.OUTLIER]
        self.n_topics_ = len(self.topic_ids_)
        self.outlier_share_ = float(np.mean(topics == T.OUTLIER))

        ctfidf = {int(t): [(w, float(v)) for w, v in ws if w] for t, ws in bt.topic_representations_.items()}
        kb = bt.topic_aspects_.get("KeyBERT", {}) if self.keybert else {}
        kb = {int(t): [(w, float(v)) for w, v in ws if w] for t, ws in kb.items()}
        self.labels_ = {t: T.make_label(t, [w for w, _ in kb.get(t, [])], [w for w, _ in ctfidf.get(t, [])])
                        for t in all_ids}
        self.terms_ = T.terms_table({t: ctfidf.get(t, []) for t in all_ids}, self.labels_, self.top_n_words)
        self.keywords_ = (T.terms_table({t: kb.get(t, []) for t in all_ids}, self.labels_, self.top_n_words)
                          if self.keybert else None)

        # c-TF-IDF rows follow the sorted topic ids (outlier row first when present)
        row_of = {t: i for i, t in enumerate(sorted(set(int(t) for t in bt.topics_)))}
        self.topic_term_matrix_ = bt.c_tf_idf_[[row_of[t] for t in self.topic_ids_]]
        self.topic_embeddings_ = T.centroids(E, topics, self.topic_ids_)

        sims = np.full(len(topics), np.nan)
        if self.topic_ids_:
            S = T.cosine_to(E, self.topic_embeddings_)
            pos = {t: i for i, t in enumerate(self.topic_ids_)}
            for i, t in enumerate(topics):
                if t != T.OUTLIER:
                    sims[i] = S[i, pos[int(t)]]
        self.assignments_ = pd.DataFrame({
            "unit_id": self.units_["unit_id"].to_numpy(), "doc_id": self.units_["doc_id"].to_numpy(),
            "topic": topics.astype(int), "probability": self.probabilities_,
            "similarity": sims, "reassigned": reassigned}, columns=T.ASSIGNMENT_COLUMNS)
        self.topic_info_ = T.info_table(topics, self.labels_, self.terms_, self.keywords_, self.units_, sims)

    def _doc_map(self) -> pd.DataFrame:
        n = len(self.units_)
        if self.method == "spectral":
            xy = self._reducer.layout(2)
        else:
            from umap import UMAP

            from .backend import enable_umap_cache, quiet

            enable_umap_cache()
            with quiet():
                xy = UMAP(n_neighbors=self.params_["n_neighbors"], n_components=2,
                          min_dist=0.1, metric="cosine", random_state=self.random_state, n_epochs=200,
                          init="spectral" if n > 4 else "random").fit_transform(self.embeddings_)
        meta = [c for c in ("title", "chapter", "region", "sector", "year", "doc_type")
                if c in self.units_.columns]
        df = pd.DataFrame({"unit_id": self.units_["unit_id"], "doc_id": self.units_["doc_id"],
                           "topic": self.topics_, "label": [self.labels_[int(t)] for t in self.topics_],
                           "x": xy[:, 0].astype(float), "y": xy[:, 1].astype(float)})
        if self.method == "spectral":
            # a map shows positions, not measurements: 2 decimals (1% of its width) are kept, so
            # the figure's data does not carry the coordinates' float noise
            df[["x", "y"]] = df[["x", "y"]].round(2)
        for c in meta:
            df[c] = self.units_[c].to_numpy()
        df["snippet"] = self.units_["text"].str.slice(0, 160)
        return df

    # ------------------------------------------------------------------ using a fitted model
    def _check_fitted(self) -> None:
        if not hasattr(self, "topic_embeddings_"):
            raise RuntimeError("this TopicModel is not fitted yet: call fit() or TopicModel.load()")

    def transform(self, X, embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """Assign new units to the nearest topic (cosine similarity to topic centroids).

        Returns
        -------
        pandas.DataFrame
            ``unit_id, doc_id, topic, probability, similarity, reassigned``; ``probability`` is
            the softmax of the similarities (temperature 0.05) for the chosen topic.
        """
        self._check_fitted()
        units = as_units(X, self.unit, min_units=1)
        E = self._embed(units["text"].tolist(), embeddings)
        S = T.cosine_to(E, self.topic_embeddings_)
        best = S.argmax(axis=1)
        z = np.exp((S - S.max(axis=1, keepdims=True)) / 0.05)
        prob = z[np.arange(len(S)), best] / z.sum(axis=1)
        return pd.DataFrame({"unit_id": units["unit_id"].to_numpy(), "doc_id": units["doc_id"].to_numpy(),
                             "topic": np.asarray(self.topic_ids_)[best].astype(int), "probability": prob,
                             "similarity": S[np.arange(len(S)), best],
                             "reassigned": np.zeros(len(S), dtype=bool)},
                            columns=T.ASSIGNMENT_COLUMNS)

    def hierarchy(self) -> pd.DataFrame:
        """Agglomerative hierarchy of the topics (see :func:`policykit.topics.topic_hierarchy`)."""
        self._check_fitted()
        from .hierarchy import topic_hierarchy

        return topic_hierarchy(self)

    def save(self, path) -> "Path":  # noqa: F821
        """Save to a directory (safetensors + JSON + Parquet); see :func:`policykit.topics.save_model`."""
        from .persist import save_model

        return save_model(self, path)

    @classmethod
    def load(cls, path) -> "TopicModel":
        """Load a model saved with :meth:`save` (offline)."""
        from .persist import load_model

        return load_model(path)

    def fingerprint(self) -> str:
        """Short hash of the fitted topics: topic per unit, c-TF-IDF terms with their weights
        (6 decimals), labels, and KeyBERT-inspired keywords in rank order.

        It leaves out what moves with the last bits of the embeddings (another processor, a
        different SIMD kernel): keyword *weights* (cosine similarities of word embeddings) and
        document-map coordinates. c-TF-IDF weights come from word counts, so they are the same
        wherever the topics are. Two fits with the same fingerprint have the same topics.
        """
        self._check_fitted()
        from policykit.store import content_key

        parts = [self.assignments_[["unit_id", "topic"]],
                 self.terms_.assign(weight=self.terms_["weight"].round(6))]
        if self.keywords_ is not None:
            parts.append(self.keywords_[["topic", "term", "rank", "label"]])
        return content_key(*parts)

"""Topics per group (region, chapter, sector, ...) and topics × extracted labels.

Both work from a fitted model's unit assignments, so they apply to BERTopic and to the NMF
baseline alike, and never re-fit anything.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import _tables as T

GROUP_COLUMNS = ["by", "group", "topic", "label", "count", "n_units_group", "share", "share_of_topic",
                 "n_docs", "representative_ids", "representative_texts"]
CROSSTAB_COLUMNS = ["topic", "topic_label", "facet", "label", "count", "topic_size", "share",
                    "label_units", "lift"]
#: Wide extraction column of each facet.
FACET_COLUMNS = {"role": "role", "risk_domain": "risk_domains", "risk_subdomain": "risk_subdomains",
                 "instrument": "instruments", "addressee": "addressees"}
MISSING_GROUP = "unknown"


def _group_values(values: pd.Series) -> pd.Series:
    """Group values as strings; NA becomes ``"unknown"`` (numbers keep no trailing ``.0``)."""
    out = []
    for v in values:
        if v is None or (not isinstance(v, (list, tuple, np.ndarray)) and pd.isna(v)):
            out.append(MISSING_GROUP)
        elif isinstance(v, (float, np.floating)) and float(v).is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v))
    return pd.Series(out, index=values.index, dtype=object)


def _unit_scores(model) -> np.ndarray:
    """Higher = more representative: embedding similarity if known, else probability."""
    a = model.assignments_
    sim = a["similarity"].to_numpy(dtype=float)
    return np.where(np.isnan(sim), a["probability"].to_numpy(dtype=float), sim)


class _SentencePicker:
    """Best sentence of a paragraph for a topic: cosine of its term counts with the topic's c-TF-IDF row."""

    def __init__(self, model):
        from .vocab import make_vectorizer

        self.model = model
        s = model.sentences_
        self.by_para: dict[str, list[int]] = {}
        self.sentences = s
        if s is None or not len(s):
            return
        keys = s["doc_id"].astype(str) + ".p" + s["para_idx"].astype(int).map("{:03d}".format)
        for i, k in enumerate(keys):
            self.by_para.setdefault(k, []).append(i)
        ngram = getattr(model, "ngram_range", (1, 2))
        stop = getattr(model, "stop_words", None)
        cv = make_vectorizer(vocabulary=model.vocabulary_, ngram_range=ngram, stop_words=stop)
        X = cv.transform(s["text"].tolist()).astype(float)
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        self.X, self.norms = X, np.where(norms > 0, norms, 1.0)
        M = model.topic_term_matrix_
        M = M.toarray() if hasattr(M, "toarray") else np.asarray(M)
        self.topic_rows = {t: M[i] / max(np.linalg.norm(M[i]), 1e-12) for i, t in enumerate(model.topic_ids_)}

    def best(self, para_id: str, topic: int) -> tuple[str, str] | None:
        idx = self.by_para.get(para_id)
        if not idx or topic not in self.topic_rows:
            return None
        scores = (self.X[idx] @ self.topic_rows[topic]) / self.norms[idx]
        j = idx[int(np.argmax(scores))]  # argmax takes the first of equal scores: stable
        row = self.sentences.iloc[j]
        return str(row["sent_id"]), str(row["text"])


def topics_per_group(model, by: str | Sequence[str] = ("region", "chapter"), n_repr: int = 3,
                     units: pd.DataFrame | None = None, include_outliers: bool = True) -> pd.DataFrame:
    """Topic prevalence per group, with representative sentences and their ids.

    Parameters
    ----------
    model : TopicModel or NMFTopicModel
        A fitted model (``assignments_``, ``units_``, ``labels_``).
    by : str or sequence of str
        Unit metadata columns to group by (e.g. ``region``, ``chapter``, ``sector``, ``doc_id``).
    n_repr : int
        Representative sentences per topic and group.
    units : DataFrame, optional
        Unit metadata to group on (default ``model.units_``), joined on ``unit_id``.
    include_outliers : bool
        Keep rows of topic -1 (if any unit is left there).

    Returns
    -------
    pandas.DataFrame
        One row per (by, group, topic) with at least one unit: ``by``, ``group``, ``topic``,
        ``label``, ``count`` (units), ``n_units_group``, ``share`` (of the group's units),
        ``share_of_topic`` (of the topic's units), ``n_docs`` (documents of the group using the
        topic), ``representative_ids`` and ``representative_texts`` (lists: sentence ids and texts;
        for paragraph models the best-matching sentence of each top paragraph).

    Raises
    ------
    KeyError
        If a ``by`` column is not in the unit table.
    """
    by = [by] if isinstance(by, str) else list(by)
    units = model.units_ if units is None else units
    a = model.assignments_.merge(units.drop(columns=[c for c in ("doc_id",) if c in units.columns]),
                                 on="unit_id", how="left", validate="one_to_one")
    a["rep_score"] = _unit_scores(model)
    a["rep_text"] = a["text"] if "text" in a.columns else ""
    picker = _SentencePicker(model) if getattr(model, "sentences_", None) is not None else None
    topic_size = a.groupby("topic").size()
    rows = []
    for col in by:
        if col not in a.columns:
            raise KeyError(f"no column {col!r} to group topics by; available: "
                           f"{', '.join(c for c in units.columns if c not in ('text', 'unit_id'))}")
        g = _group_values(a[col])
        for group, part in a.groupby(g, sort=False):
            n_group = len(part)
            for topic, tp in part.groupby("topic", sort=True):
                if topic == T.OUTLIER and not include_outliers:
                    continue
                tp = tp.sort_values(["rep_score", "unit_id"], ascending=[False, True], kind="stable")
                ids, texts = [], []
                for r in tp.head(n_repr).itertuples(index=False):
                    pick = picker.best(r.unit_id, int(topic)) if picker is not None else None
                    if pick is None:
                        pick = (r.unit_id, r.rep_text)
                    ids.append(pick[0])
                    texts.append(pick[1])
                rows.append({"by": col, "group": group, "topic": int(topic),
                             "label": model.labels_.get(int(topic), str(topic)), "count": int(len(tp)),
                             "n_units_group": int(n_group), "share": float(len(tp) / n_group),
                             "share_of_topic": float(len(tp) / topic_size[topic]),
                             "n_docs": int(tp["doc_id"].nunique()),
                             "representative_ids": ids, "representative_texts": texts})
    out = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    return _sort_groups(out)


def _sort_groups(df: pd.DataFrame) -> pd.DataFrame:
    """Order by ``by`` (as given), then group (numeric groups numerically, "unknown" last), topic."""
    if df.empty:
        return df.reset_index(drop=True)
    def gkey(g: str):
        try:
            return (0, float(g), "")
        except ValueError:
            return (2 if g == MISSING_GROUP else 1, 0.0, g)
    by_order = {b: i for i, b in enumerate(dict.fromkeys(df["by"]))}
    keys = [(by_order[b], gkey(g), t) for b, g, t in zip(df["by"], df["group"], df["topic"])]
    order = sorted(range(len(df)), key=lambda i: keys[i])
    return df.iloc[order].reset_index(drop=True)


def extraction_long(extraction: pd.DataFrame, facets: Iterable[str]) -> pd.DataFrame:
    """``sent_id, facet, label`` from the long labels table or the wide extraction view."""
    facets = list(facets)
    if {"sent_id", "facet", "label"}.issubset(extraction.columns):
        df = extraction[extraction["facet"].isin(facets)][["sent_id", "facet", "label"]]
        return df.drop_duplicates().reset_index(drop=True)
    rows = []
    for facet in facets:
        col = FACET_COLUMNS.get(facet, facet)
        if col not in extraction.columns:
            continue
        for sid, v in zip(extraction["sent_id"], extraction[col]):
            if isinstance(v, str) and v.startswith("["):  # a list column read back from CSV
                import json

                v = json.loads(v)
            vals = v if isinstance(v, (list, tuple, np.ndarray)) else ([] if v is None or pd.isna(v) else [v])
            rows.extend((sid, facet, str(x)) for x in vals)
    return pd.DataFrame(rows, columns=["sent_id", "facet", "label"]).drop_duplicates().reset_index(drop=True)


def sentence_to_unit(sent_ids: pd.Series, unit: str) -> pd.Series:
    """Map sentence ids to unit ids: themselves, or their paragraph id (``doc.p003.s01`` → ``doc.p003``)."""
    if unit == "sentence":
        return sent_ids.astype(str)
    return sent_ids.astype(str).str.replace(r"\.s\d+$", "", regex=True)


def topic_label_crosstab(model, extraction: pd.DataFrame,
                         facets: Sequence[str] = ("risk_domain", "instrument"),
                         include_outliers: bool = False) -> pd.DataFrame:
    """How often each topic's units carry each extracted label.

    Parameters
    ----------
    model : TopicModel or NMFTopicModel
        A fitted model; its units are paragraphs or sentences.
    extraction : DataFrame
        The long ``labels`` table (``sent_id, facet, label, ...``) or the wide extraction view
        (``sent_id`` plus ``risk_domains``, ``instruments``, ... list columns).
    facets : sequence of str
        Facets to cross (``risk_domain``, ``instrument``, ``risk_subdomain``, ``addressee``, ``role``).
    include_outliers : bool
        Keep topic -1.

    Returns
    -------
    pandas.DataFrame
        Full grid of topics × (facet, label): ``topic``, ``topic_label``, ``facet``, ``label``,
        ``count`` (units of the topic with at least one sentence carrying the label),
        ``topic_size``, ``share`` (= count / topic_size), ``label_units`` (units carrying the
        label overall) and ``lift`` (share relative to the label's share of all units; 1 = as
        often as everywhere else).
    """
    unit = getattr(model, "unit", "paragraph")
    ids = set(model.assignments_["unit_id"])
    if unit == "paragraph" and model.assignments_["unit_id"].astype(str).str.contains(r"\.s\d+$").all():
        unit = "sentence"
    long = extraction_long(extraction, facets)
    long["unit_id"] = sentence_to_unit(long["sent_id"], unit)
    long = long[long["unit_id"].isin(ids)][["unit_id", "facet", "label"]].drop_duplicates()
    a = model.assignments_[["unit_id", "topic"]]
    if not include_outliers:
        a = a[a["topic"] != T.OUTLIER]
    n_units = len(a)
    sizes = a.groupby("topic").size()
    joined = long.merge(a, on="unit_id", how="inner")
    counts = joined.groupby(["topic", "facet", "label"]).size()
    label_units = joined.groupby(["facet", "label"])["unit_id"].nunique()
    rows = []
    pairs = sorted(label_units.index.tolist())
    for topic in sizes.index:
        for facet, label in pairs:
            c = int(counts.get((topic, facet, label), 0))
            share = c / sizes[topic]
            base = label_units[(facet, label)] / n_units if n_units else np.nan
            rows.append({"topic": int(topic), "topic_label": model.labels_.get(int(topic), str(topic)),
                         "facet": facet, "label": label, "count": c, "topic_size": int(sizes[topic]),
                         "share": float(share), "label_units": int(label_units[(facet, label)]),
                         "lift": float(share / base) if base else np.nan})
    return pd.DataFrame(rows, columns=CROSSTAB_COLUMNS)

"""How often each group raises each label: share of documents and share of sentences.

Confidence intervals come from a percentile bootstrap that resamples *documents* (sentences of
one document are not independent), with a fixed seed per group so results are reproducible
and do not depend on which other groups are present.
"""

from __future__ import annotations

import warnings
import zlib
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from policykit.config import SEED
from policykit.compare._frames import (
    documents_frame, example_sentences, group_values, label_order, n_eligible, sentence_labels,
    taxonomy_labels,
)

#: Groups with fewer documents than this are flagged ``small_group`` (kept, never hidden).
MIN_DOCS = 3
N_BOOT = 1000

COLUMNS = ["by", "group", "facet", "label", "n_docs_group", "n_docs", "doc_share",
           "doc_share_lo", "doc_share_hi", "n_sents_group", "n_sents", "sent_share",
           "sent_share_lo", "sent_share_hi", "small_group", "example_sent_id", "example_text",
           "sent_ids"]


def sort_groups(groups: Iterable[str]) -> list[str]:
    """Groups in display order: numerically when all are numbers, else alphabetically;
    the missing-value group last."""
    groups = list(dict.fromkeys(str(g) for g in groups))
    def key(g):
        try:
            return (0, float(g), g)
        except ValueError:
            return (1 if g != "unknown" else 2, 0.0, g)
    return sorted(groups, key=key)


def group_rng(seed: int, group: str) -> np.random.Generator:
    """A generator seeded by ``seed`` and the group's name (stable across runs and platforms)."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(str(group).encode("utf-8"))])


def bootstrap_shares(indicator: np.ndarray, counts: np.ndarray, denom: np.ndarray,
                     n_boot: int = N_BOOT, ci: float = 0.95,
                     rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """Point estimates and percentile bootstrap intervals, resampling documents.

    Parameters
    ----------
    indicator : ndarray (n_docs, n_labels)
        1 where a document raises a label.
    counts : ndarray (n_docs, n_labels)
        Number of a document's sentences carrying each label.
    denom : ndarray (n_docs,)
        Number of a document's eligible sentences.
    n_boot : int
        Bootstrap replicates (0 = no intervals; the bounds equal the estimate).
    ci : float
        Coverage of the interval.
    rng : numpy.random.Generator

    Returns
    -------
    dict
        ``doc_share, doc_lo, doc_hi, sent_share, sent_lo, sent_hi`` arrays of length n_labels.
        The sentence share is a ratio estimator (sum of counts / sum of eligible sentences), so
        long documents weigh more than in the document share.
    """
    indicator = np.asarray(indicator, dtype=float)
    counts = np.asarray(counts, dtype=float)
    denom = np.asarray(denom, dtype=float)
    n, n_labels = indicator.shape
    with np.errstate(invalid="ignore", divide="ignore"):
        doc_share = indicator.mean(axis=0) if n else np.full(n_labels, np.nan)
        tot = denom.sum()
        sent_share = counts.sum(axis=0) / tot if tot > 0 else np.full(n_labels, np.nan)
    out = {"doc_share": doc_share, "sent_share": sent_share}
    if n_boot <= 0 or n <= 1:
        out.update(doc_lo=doc_share.copy(), doc_hi=doc_share.copy(),
                   sent_lo=sent_share.copy(), sent_hi=sent_share.copy())
        return out
    rng = rng or np.random.default_rng(SEED)
    w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)  # (B, n)
    doc_b = w @ indicator / n
    with np.errstate(invalid="ignore", divide="ignore"):
        sent_b = (w @ counts) / (w @ denom)[:, None]
    a = (1.0 - ci) / 2.0 * 100.0
    out["doc_lo"], out["doc_hi"] = np.percentile(doc_b, [a, 100.0 - a], axis=0)
    if np.all(np.isnan(sent_b)):
        out["sent_lo"] = out["sent_hi"] = np.full(n_labels, np.nan)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns stay NaN
            out["sent_lo"], out["sent_hi"] = np.nanpercentile(sent_b, [a, 100.0 - a], axis=0)
    return out


def doc_label_matrix(wide: pd.DataFrame, facet: str, docs: pd.DataFrame, labels: Sequence[str]
                     ) -> np.ndarray:
    """Documents x labels matrix of sentence counts (rows aligned with ``docs``)."""
    sl = sentence_labels(wide, facet)
    mat = np.zeros((len(docs), len(labels)), dtype=float)
    if sl.empty:
        return mat
    sl = sl.drop_duplicates(["sent_id", "label"])
    ct = sl.groupby(["doc_id", "label"]).size()
    row = {d: i for i, d in enumerate(docs["doc_id"])}
    col = {l: j for j, l in enumerate(labels)}
    for (d, l), n in ct.items():
        if d in row and l in col:
            mat[row[d], col[l]] = n
    return mat


def prevalence(wide: pd.DataFrame, by: str = "region", facet: str = "risk_domain",
               documents: pd.DataFrame | None = None, labels: Sequence[str] | None = None,
               n_boot: int = N_BOOT, ci: float = 0.95, min_docs: int = MIN_DOCS,
               seed: int = SEED) -> pd.DataFrame:
    """Prevalence of each label of ``facet`` per group of ``by``.

    Parameters
    ----------
    wide : pandas.DataFrame
        The extraction wide view (one row per sentence, with document metadata).
    by : str
        Document metadata column to group by (``region``, ``chapter``, ``sector``, ``year``,
        ``doc_type``, ...). Missing values form the group ``"unknown"``.
    facet : str
        ``risk_domain``, ``risk_subdomain``, ``instrument``, ``addressee`` or ``role``.
    documents : pandas.DataFrame, optional
        The corpus documents frame (adds documents and metadata the wide view lacks).
    labels : sequence of str, optional
        Labels to report, in order (default: the taxonomy's, else those observed). Every group
        gets a row for every label, zeros included.
    n_boot, ci : int, float
        Bootstrap replicates and interval coverage.
    min_docs : int
        Groups with fewer documents are flagged ``small_group`` (their intervals are wide).
    seed : int

    Returns
    -------
    pandas.DataFrame
        One row per group x label with :data:`COLUMNS`: ``doc_share`` = share of the group's
        documents raising the label (with ``doc_share_lo/hi``), ``sent_share`` = share of the
        group's eligible sentences carrying it (claims and proposals for risk facets; proposals
        for instruments and addressees; all sentences for roles), ``example_sent_id`` /
        ``example_text`` = the highest-scoring sentence and ``sent_ids`` all evidence sentences.
    """
    docs = documents_frame(wide, documents)
    if labels is None:
        labels = taxonomy_labels(facet)
    labels = label_order(wide, facet, labels)
    if docs.empty or not labels:
        return pd.DataFrame(columns=COLUMNS)
    groups = group_values(docs, by)
    counts = doc_label_matrix(wide, facet, docs, labels)
    indicator = (counts > 0).astype(float)
    denom = n_eligible(docs, facet).to_numpy(dtype=float)

    sl = sentence_labels(wide, facet)
    sl = sl.merge(pd.DataFrame({"doc_id": docs["doc_id"], "group": groups.to_numpy()}),
                  on="doc_id", how="inner")
    ex = example_sentences(sl, ["group", "label"])

    frames = []
    for g in sort_groups(groups):
        idx = np.flatnonzero(groups.to_numpy() == g)
        est = bootstrap_shares(indicator[idx], counts[idx], denom[idx], n_boot=n_boot, ci=ci,
                               rng=group_rng(seed, g))
        frames.append(pd.DataFrame({
            "by": by, "group": g, "facet": facet, "label": labels,
            "n_docs_group": len(idx), "n_docs": indicator[idx].sum(axis=0).astype(int),
            "doc_share": est["doc_share"], "doc_share_lo": est["doc_lo"],
            "doc_share_hi": est["doc_hi"],
            "n_sents_group": int(denom[idx].sum()), "n_sents": counts[idx].sum(axis=0).astype(int),
            "sent_share": est["sent_share"], "sent_share_lo": est["sent_lo"],
            "sent_share_hi": est["sent_hi"], "small_group": len(idx) < min_docs,
        }))
    out = pd.concat(frames, ignore_index=True)
    out = out.merge(ex, on=["group", "label"], how="left")
    out["example_sent_id"] = out["example_sent_id"].fillna("")
    out["example_text"] = out["example_text"].fillna("")
    out["sent_ids"] = [s if isinstance(s, list) else [] for s in out["sent_ids"]]
    return out[COLUMNS]


def prevalence_table(wide: pd.DataFrame, by: Sequence[str] | str = ("region",),
                     facets: Sequence[str] = ("risk_domain", "instrument", "addressee", "role"),
                     **kwargs) -> pd.DataFrame:
    """:func:`prevalence` for several grouping columns and facets, stacked (tidy)."""
    if isinstance(by, str):
        by = [by]
    frames = [prevalence(wide, by=b, facet=f, **kwargs) for b in by for f in facets]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)

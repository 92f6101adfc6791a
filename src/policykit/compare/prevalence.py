"""How often each group raises each label: share of documents and share of sentences.

Intervals (the rule, stated in every caption and in the ``doc_share_ci`` / ``sent_share_ci``
columns of the tables):

* **share of documents** (k of n documents raise the label): the Wilson score interval
  (Wilson 1927; Brown, Cai & DasGupta 2001), computed in closed form. It never has zero width
  for n >= 1: 0 of 4 documents gives [0, 0.490], 1 of 1 gives [0.207, 1], 3 of 7 gives
  [0.158, 0.750] at 95%, where a bootstrap of documents gives [0, 0] and [1, 1] for the first two;
* **share of sentences** (a ratio of the group's sentence counts): a percentile bootstrap that
  resamples *documents* (sentences of one document are not independent), with a fixed seed per
  group so results are reproducible and do not depend on which other groups are present. A
  group of one document has no sentence-share interval (NA): one document cannot show how much
  documents vary.

**Small groups**: a group is flagged ``small_group`` when it has fewer than ``min_docs``
documents (default :data:`MIN_DOCS` = 5: below that, one document moves a document share by
more than 20 points). Small groups are kept and marked, never hidden; pass ``min_docs`` (or
``policykit report --min-docs N``) to change the rule.
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

#: Groups with fewer documents than this are flagged ``small_group`` (kept, never hidden): with
#: fewer than 5 documents one document moves a document share by more than 20 points.
MIN_DOCS = 5
N_BOOT = 1000
#: How the intervals are computed (the values of the ``*_ci`` columns; ``{level}`` = 95 etc.).
DOC_CI_METHOD = "Wilson score {level}%"
SENT_CI_METHOD = "bootstrap of documents {level}%"

COLUMNS = ["by", "group", "group_name", "facet", "label", "label_name", "n_docs_group", "n_docs",
           "doc_share", "doc_share_lo", "doc_share_hi", "doc_share_ci", "n_sents_group", "n_sents",
           "sent_share", "sent_share_lo", "sent_share_hi", "sent_share_ci", "small_group",
           "example_sent_id", "example_text", "sent_ids"]


def small_group_rule(min_docs: int = MIN_DOCS) -> str:
    """The small-group rule in words (for captions)."""
    return f"groups with fewer than {int(min_docs)} documents are marked † (small)"


def interval_rule(ci: float = 0.95) -> str:
    """The interval rule in words (for captions)."""
    level = _level(ci)
    return (f"{level}% Wilson score intervals for shares of documents (never zero width, even for "
            f"0 of n or n of n), {level}% percentile bootstrap of documents for shares of sentences")


def _level(ci: float) -> str:
    return f"{100 * ci:g}"


def wilson_interval(k, n, ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion ``k / n``.

    Parameters
    ----------
    k, n : array-like
        Successes (documents raising a label) and trials (documents of the group); ``n = 0``
        gives NaN bounds.
    ci : float
        Coverage, e.g. 0.95.

    Returns
    -------
    lo, hi : ndarray
        ``(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = k/n``, clipped to
        [0, 1]. For ``n >= 1`` the width is positive.

    Examples
    --------
    >>> lo, hi = wilson_interval([0, 1, 3], [4, 1, 7])
    >>> [round(float(v), 3) for v in lo], [round(float(v), 3) for v in hi]
    ([0.0, 0.207, 0.158], [0.49, 1.0, 0.75])
    """
    from scipy.stats import norm

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = float(norm.ppf(0.5 + ci / 2.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        den = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
        lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    lo = np.where((n > 0) & (k <= 0), 0.0, lo)  # exact ends (rounding noise at 0 and 1)
    hi = np.where((n > 0) & (k >= n), 1.0, hi)
    return lo, hi


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
        Bootstrap replicates (0 = no intervals; the bounds equal the estimate). With one
        document the bounds are NaN.
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
    if n_boot <= 0:
        out.update(doc_lo=doc_share.copy(), doc_hi=doc_share.copy(),
                   sent_lo=sent_share.copy(), sent_hi=sent_share.copy())
        return out
    if n <= 1:  # one document says nothing about how documents vary
        nan = np.full(n_labels, np.nan)
        out.update(doc_lo=nan.copy(), doc_hi=nan.copy(), sent_lo=nan.copy(), sent_hi=nan.copy())
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
        Bootstrap replicates for the sentence-share intervals (0 = none: NaN bounds) and the
        coverage of both intervals (document shares always get Wilson intervals).
    min_docs : int
        Groups with fewer documents are flagged ``small_group`` (default :data:`MIN_DOCS`).
    seed : int

    Returns
    -------
    pandas.DataFrame
        One row per group x label with :data:`COLUMNS`: ``doc_share`` = share of the group's
        documents raising the label (with Wilson ``doc_share_lo/hi``; ``doc_share_ci`` names the
        method), ``sent_share`` = share of the
        group's eligible sentences carrying it (claims and proposals for risk facets; proposals
        for instruments and addressees; all sentences for roles), ``example_sent_id`` /
        ``example_text`` = the highest-scoring sentence and ``sent_ids`` all evidence sentences;
        ``group_name`` and ``label_name`` are the names figures show (chapter titles, taxonomy
        names; ids stay in ``group`` and ``label``).
    """
    from policykit.compare._frames import group_names
    from policykit.taxonomy import label_names

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

    gnames = group_names(docs, by, groups)
    lnames = label_names(facet)
    level = _level(ci)
    frames = []
    for g in sort_groups(groups):
        idx = np.flatnonzero(groups.to_numpy() == g)
        est = bootstrap_shares(indicator[idx], counts[idx], denom[idx], n_boot=n_boot, ci=ci,
                               rng=group_rng(seed, g))
        k = indicator[idx].sum(axis=0)
        lo, hi = wilson_interval(k, np.full(len(labels), len(idx)), ci)  # closed form: always
        boot = n_boot > 0 and len(idx) > 1
        if not boot:  # no bootstrap asked, or one document: no sentence-share interval
            est["sent_lo"] = est["sent_hi"] = np.full(len(labels), np.nan)
        frames.append(pd.DataFrame({
            "by": by, "group": g, "group_name": gnames.get(g, g), "facet": facet, "label": labels,
            "label_name": [lnames.get(l, l) for l in labels],
            "n_docs_group": len(idx), "n_docs": k.astype(int),
            "doc_share": est["doc_share"], "doc_share_lo": lo, "doc_share_hi": hi,
            "doc_share_ci": DOC_CI_METHOD.format(level=level),
            "n_sents_group": int(denom[idx].sum()), "n_sents": counts[idx].sum(axis=0).astype(int),
            "sent_share": est["sent_share"], "sent_share_lo": est["sent_lo"],
            "sent_share_hi": est["sent_hi"],
            "sent_share_ci": (SENT_CI_METHOD.format(level=level) if boot
                              else "none (one document)" if n_boot > 0 else "none (no bootstrap)"),
            "small_group": len(idx) < min_docs,
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

"""Position profiles: how much each document (and group) emphasises each risk domain and
instrument; document similarity; a deterministic two-dimensional position map."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policykit.compare._frames import (
    documents_frame, group_values, label_order, n_eligible, taxonomy_labels,
)
from policykit.compare.prevalence import doc_label_matrix, sort_groups

DEFAULT_FACETS = ("risk_domain", "instrument")
WEIGHTS = ("share", "binary", "count")


def document_profiles(wide: pd.DataFrame, facets: Sequence[str] = DEFAULT_FACETS,
                      documents: pd.DataFrame | None = None, weight: str = "share",
                      labels: dict[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """One row per document, one column per ``facet:label``.

    Parameters
    ----------
    weight : {"share", "binary", "count"}
        ``share``: fraction of the document's eligible sentences carrying the label (claims and
        proposals for risk domains, proposals for instruments), so long and short documents
        compare; ``binary``: 1 if the document raises it; ``count``: number of sentences.
    labels : dict, optional
        facet -> label ids (default: taxonomy, else observed).

    Returns
    -------
    pandas.DataFrame
        Index ``doc_id``; columns ``"{facet}:{label}"`` (float).
    """
    if weight not in WEIGHTS:
        raise ValueError(f"weight must be one of {WEIGHTS}")
    docs = documents_frame(wide, documents)
    blocks = []
    for facet in facets:
        labs = label_order(wide, facet, (labels or {}).get(facet) or taxonomy_labels(facet))
        mat = doc_label_matrix(wide, facet, docs, labs)
        if weight == "binary":
            mat = (mat > 0).astype(float)
        elif weight == "share":
            den = n_eligible(docs, facet).to_numpy(dtype=float)[:, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                mat = np.where(den > 0, mat / np.where(den > 0, den, 1), 0.0)
        blocks.append(pd.DataFrame(mat, index=docs["doc_id"].to_numpy(),
                                   columns=[f"{facet}:{l}" for l in labs]))
    out = pd.concat(blocks, axis=1) if blocks else pd.DataFrame(index=docs["doc_id"].to_numpy())
    out.index.name = "doc_id"
    return out


def group_profiles(profiles: pd.DataFrame, documents: pd.DataFrame, by: str = "region"
                   ) -> pd.DataFrame:
    """Mean document profile per group (each document weighs the same).

    ``documents`` needs ``doc_id`` and ``by`` (the corpus documents frame, or
    :func:`policykit.compare._frames.documents_frame`). Index = group, plus ``n_docs``.
    """
    docs = documents.drop_duplicates("doc_id").set_index("doc_id")
    docs = docs.reindex(profiles.index)
    grp = group_values(docs.reset_index(), by).to_numpy()
    out = profiles.groupby(grp).mean()
    out.insert(0, "n_docs", profiles.groupby(grp).size())
    out = out.reindex(sort_groups(out.index))
    out.index.name = by
    return out


def similarity(profiles: pd.DataFrame, metric: str = "cosine") -> pd.DataFrame:
    """Pairwise similarity of profiles (square DataFrame, same index on both axes).

    ``cosine`` (zero profiles get similarity 0 with everything but themselves, 1 on the
    diagonal) or ``pearson`` (correlation of the profile vectors).
    """
    x = profiles.to_numpy(dtype=float)
    if metric == "cosine":
        norm = np.linalg.norm(x, axis=1, keepdims=True)
        xn = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
        s = xn @ xn.T
    elif metric == "pearson":
        xc = x - x.mean(axis=1, keepdims=True)
        norm = np.linalg.norm(xc, axis=1, keepdims=True)
        xn = np.divide(xc, norm, out=np.zeros_like(xc), where=norm > 0)
        s = xn @ xn.T
    else:
        raise ValueError("metric must be 'cosine' or 'pearson'")
    np.fill_diagonal(s, 1.0)
    return pd.DataFrame(np.clip(s, -1.0, 1.0), index=profiles.index, columns=profiles.index)


def position_map(profiles: pd.DataFrame, n_components: int = 2, scale: bool = False
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Principal-component map of the profiles (deterministic).

    Rows are L2-normalised first (so a document's position reflects its *mix* of emphases, not
    how many labels it has), then centred; components come from a full SVD and their sign is
    fixed so that each component's largest absolute loading is positive.

    Parameters
    ----------
    scale : bool
        Also divide each column by its standard deviation.

    Returns
    -------
    coords : pandas.DataFrame
        ``doc_id`` (or the profile index name), ``x``, ``y`` (and ``pc3``... beyond two).
        ``coords.attrs["explained"]`` holds the explained-variance ratios.
    loadings : pandas.DataFrame
        ``feature, facet, label, pc1, pc2, ...`` (unit-length component vectors).
    """
    x = profiles.to_numpy(dtype=float)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
    x = x - x.mean(axis=0, keepdims=True)
    if scale:
        sd = x.std(axis=0, keepdims=True)
        x = np.divide(x, sd, out=np.zeros_like(x), where=sd > 0)
    k = max(1, min(n_components, *x.shape)) if x.size else 0
    names = ["x", "y"] + [f"pc{i + 1}" for i in range(2, n_components)]
    if k == 0:
        coords = pd.DataFrame(0.0, index=profiles.index, columns=names[:n_components])
        load = pd.DataFrame({"feature": profiles.columns})
        for i in range(n_components):
            load[f"pc{i + 1}"] = 0.0
    else:
        u, s, vt = np.linalg.svd(x, full_matrices=False)
        for i in range(len(s)):
            j = np.argmax(np.abs(vt[i]))
            if vt[i, j] < 0:
                vt[i] *= -1
                u[:, i] *= -1
        scores = u[:, :k] * s[:k]
        if k < n_components:
            scores = np.hstack([scores, np.zeros((len(x), n_components - k))])
        comps = np.zeros((n_components, x.shape[1]))
        comps[:k] = vt[:k]
        coords = pd.DataFrame(scores, index=profiles.index, columns=names[:n_components])
        tot = (s ** 2).sum()
        coords.attrs["explained"] = [float(v) for v in ((s[:n_components] ** 2) / tot
                                                         if tot > 0 else s[:n_components] * 0)]
        load = pd.DataFrame(comps.T, columns=[f"pc{i + 1}" for i in range(n_components)])
        load.insert(0, "feature", list(profiles.columns))
    load.insert(1, "facet", [f.split(":", 1)[0] for f in load["feature"]])
    load.insert(2, "label", [f.split(":", 1)[-1] for f in load["feature"]])
    coords.attrs.setdefault("explained", [0.0] * n_components)
    attrs = dict(coords.attrs)
    if coords.index.name is None:
        coords.index.name = "doc_id"
    coords = coords.reset_index()
    coords.attrs = attrs
    return coords, load


def _feature_name(feature: str) -> str:
    from policykit.taxonomy import label_name

    facet, _, lab = str(feature).partition(":")
    return label_name(facet, lab) if lab else label_name(None, facet)


def axis_title(loadings: pd.DataFrame, pc: str = "pc1", n: int = 2) -> str:
    """Human-readable axis title from the strongest loadings at both ends of a component
    (taxonomy names of the labels)."""
    ld = loadings.sort_values(pc)
    names = [_feature_name(f) for f in ld["feature"]] if "feature" in ld else list(ld["label"])
    neg = [l for l, v in zip(names, ld[pc]) if v < 0][:n]
    pos = [l for l, v in zip(names[::-1], ld[pc][::-1]) if v > 0][:n]
    return f"← {', '.join(neg) or '—'}   ·   {', '.join(pos) or '—'} →"


def positions(wide: pd.DataFrame, by: str = "region", documents: pd.DataFrame | None = None,
              facets: Sequence[str] = DEFAULT_FACETS, weight: str = "share"
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Document positions with metadata, ready for the position map figure.

    Returns
    -------
    coords : pandas.DataFrame
        ``doc_id, x, y, group, group_name, title`` plus the names of the top three labels of
        each document (``top_labels``); ``attrs["explained"]`` and
        ``attrs["x_title"]`` / ``attrs["y_title"]`` describe the axes.
    loadings : pandas.DataFrame
    """
    prof = document_profiles(wide, facets=facets, documents=documents, weight=weight)
    coords, load = position_map(prof)
    docs = documents_frame(wide, documents)
    from policykit.compare._frames import group_names

    groups = group_values(docs, by)
    gnames = group_names(docs, by, groups)
    meta = pd.DataFrame({"doc_id": docs["doc_id"], "group": groups.to_numpy(),
                         "group_name": [gnames.get(g, g) for g in groups],
                         "title": docs["title"] if "title" in docs else docs["doc_id"]})
    attrs = dict(coords.attrs)
    out = coords.merge(meta, on="doc_id", how="left")
    top = []
    for did in out["doc_id"]:
        row = prof.loc[did]
        row = row[row > 0].sort_values(ascending=False, kind="mergesort")
        top.append(", ".join(_feature_name(f) for f in row.index[:3]))
    out["top_labels"] = top
    out["by"] = by
    out.attrs = attrs
    out.attrs["x_title"] = axis_title(load, "pc1")
    out.attrs["y_title"] = axis_title(load, "pc2")
    return out, load

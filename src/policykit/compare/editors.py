"""The editors' check: do the extracted labels recover what the report's introduction says
about each chapter?

For each chapter, risk domains and instruments are ranked by how many of the chapter's essays
raise them (ties broken by label id, so the ranking is deterministic). An editors' point
(``../shared/gold/introduction-points.json``) that carries labels is *recovered* when one of its
risk domains is among the chapter's top ``top_domains`` domains or one of its instruments among
the top ``top_instruments`` instruments. Labels in a chapter's top ranks that no point of that
chapter mentions are what the extractor finds that the editors did not say.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from policykit.compare._frames import document_labels, documents_frame
from policykit.config import GOLD_INTRO_POINTS
from policykit.errors import InputError

TOP_DOMAINS = 4
TOP_INSTRUMENTS = 8
#: facet -> key of the points file holding that facet's labels
POINT_KEYS = {"risk_domain": "risk_domains", "instrument": "instruments"}


@dataclass
class EditorsCheck:
    """Result of :func:`editors_check` (tidy frames).

    Attributes
    ----------
    points : one row per editors' point: ``chapter, point, kind, text, risk_domains,
        instruments, essay_ids, has_label, recovered, matched, best_rank``.
    summary : per chapter and ``all``: ``n_points, n_labelled, n_recovered, share``.
    rankings : ``chapter, facet, label, n_essays, n_essays_chapter, rank, top, said,
        example_sent_id, sent_ids`` (``top``: within the cut-off; ``said``: some point of the
        chapter names the label).
    unsaid : the rows of ``rankings`` that are ``top`` but not ``said``.
    """

    points: pd.DataFrame
    summary: pd.DataFrame
    rankings: pd.DataFrame
    unsaid: pd.DataFrame

    @property
    def overall(self) -> float:
        """Share of labelled points recovered, all chapters."""
        row = self.summary[self.summary["chapter"] == "all"]
        return float(row["share"].iloc[0]) if len(row) else float("nan")


def load_points(path: str | Path = GOLD_INTRO_POINTS) -> pd.DataFrame:
    """The editors' points: ``chapter, point, kind, text, risk_domains, instruments, essay_ids``."""
    path = Path(path)
    try:
        pts = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "introduction points not found",
                         "pass the path of introduction-points.json") from None
    except json.JSONDecodeError as e:
        raise InputError(path, f"not valid JSON: {e.msg}", line=e.lineno) from None
    df = pd.DataFrame(pts)
    for col in ("risk_domains", "instruments", "essay_ids"):
        if col not in df:
            df[col] = [[] for _ in range(len(df))]
        df[col] = [list(x) if isinstance(x, (list, tuple)) else [] for x in df[col]]
    for col in ("kind", "text"):
        if col not in df:
            df[col] = ""
    df["chapter"] = df["chapter"].astype(int)
    df.insert(1, "point", df.groupby("chapter").cumcount() + 1)
    return df[["chapter", "point", "kind", "text", "risk_domains", "instruments", "essay_ids"]]


def chapter_rankings(doc_labels: pd.DataFrame, documents: pd.DataFrame,
                     top_domains: int = TOP_DOMAINS, top_instruments: int = TOP_INSTRUMENTS
                     ) -> pd.DataFrame:
    """Rank each chapter's risk domains and instruments by number of its essays raising them.

    Parameters
    ----------
    doc_labels : pandas.DataFrame
        Document labels (``doc_id, facet, label``; the roll-up contract, e.g. from
        :func:`policykit.compare._frames.document_labels` or ``policykit.extract.rollup``).
    documents : pandas.DataFrame
        ``doc_id, chapter``; essays are the documents with chapter >= 1.
    """
    docs = documents[["doc_id", "chapter"]].dropna(subset=["chapter"]).copy()
    docs["chapter"] = docs["chapter"].astype(int)
    docs = docs[docs["chapter"] >= 1]
    n_ch = docs.groupby("chapter").size()
    dl = doc_labels[doc_labels["facet"].isin(POINT_KEYS)].drop(
        columns=[c for c in ("chapter",) if c in doc_labels]).merge(docs, on="doc_id")
    rows = []
    cut = {"risk_domain": top_domains, "instrument": top_instruments}
    for (ch, facet), g in dl.groupby(["chapter", "facet"]):
        agg = g.groupby("label").agg(n_essays=("doc_id", "nunique")).reset_index()
        if "sent_ids" in g:
            ids = g.groupby("label")["sent_ids"].agg(
                lambda s: [x for lst in s for x in (lst if isinstance(lst, list) else [])])
            agg["sent_ids"] = agg["label"].map(ids)
        else:
            agg["sent_ids"] = [[] for _ in range(len(agg))]
        agg = agg.sort_values(["n_essays", "label"], ascending=[False, True], kind="mergesort")
        agg["rank"] = range(1, len(agg) + 1)
        agg["top"] = agg["rank"] <= cut[facet]
        agg.insert(0, "facet", facet)
        agg.insert(0, "chapter", int(ch))
        agg["n_essays_chapter"] = int(n_ch.get(ch, 0))
        rows.append(agg)
    cols = ["chapter", "facet", "label", "n_essays", "n_essays_chapter", "rank", "top", "sent_ids"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.concat(rows, ignore_index=True)
    out["example_sent_id"] = [s[0] if s else "" for s in out["sent_ids"]]
    return out[cols + ["example_sent_id"]]


def editors_check(doc_labels: pd.DataFrame, documents: pd.DataFrame,
                  points: pd.DataFrame | str | Path | None = None,
                  top_domains: int = TOP_DOMAINS, top_instruments: int = TOP_INSTRUMENTS
                  ) -> EditorsCheck:
    """Compare the extracted chapter rankings with the editors' points.

    Parameters
    ----------
    doc_labels : pandas.DataFrame
        Document labels (``doc_id, facet, label``), see :func:`chapter_rankings`.
    documents : pandas.DataFrame
        ``doc_id, chapter``.
    points : DataFrame or path, optional
        The editors' points (default ``../shared/gold/introduction-points.json``).
    """
    if not isinstance(points, pd.DataFrame):
        points = load_points(points or GOLD_INTRO_POINTS)
    rk = chapter_rankings(doc_labels, documents, top_domains, top_instruments)
    top = {(r.chapter, r.facet, r.label): r.rank for r in rk.itertuples() if r.top}
    recs = []
    for p in points.itertuples():
        matched, ranks = [], []
        for facet, key in POINT_KEYS.items():
            for lab in getattr(p, key):
                r = top.get((p.chapter, facet, lab))
                if r is not None:
                    matched.append(lab)
                    ranks.append(r)
        has = bool(p.risk_domains or p.instruments)
        recs.append({"recovered": bool(matched) if has else None, "matched": matched,
                     "best_rank": min(ranks) if ranks else None, "has_label": has})
    pts = pd.concat([points.reset_index(drop=True), pd.DataFrame(recs)], axis=1)
    said = {(p.chapter, facet, lab) for p in points.itertuples()
            for facet, key in POINT_KEYS.items() for lab in getattr(p, key)}
    rk["said"] = [(c, f, l) in said for c, f, l in zip(rk["chapter"], rk["facet"], rk["label"])]
    summ = []
    for ch, g in list(pts.groupby("chapter")) + [("all", pts)]:
        lab = g[g["has_label"]]
        n_rec = int(lab["recovered"].astype(bool).sum())
        summ.append({"chapter": str(ch), "n_points": len(g), "n_labelled": len(lab),
                     "n_recovered": n_rec, "share": n_rec / len(lab) if len(lab) else float("nan")})
    unsaid = rk[rk["top"] & ~rk["said"]].reset_index(drop=True)
    return EditorsCheck(points=pts, summary=pd.DataFrame(summ), rankings=rk, unsaid=unsaid)


def editors_check_from_wide(wide: pd.DataFrame, documents: pd.DataFrame | None = None,
                            points=None, **kwargs) -> EditorsCheck:
    """:func:`editors_check` on the document labels rolled up from an extraction wide view
    (a document raises a label when one of its claim or proposal sentences carries it)."""
    docs = documents_frame(wide, documents)
    dl = pd.concat([document_labels(wide, f, documents) for f in POINT_KEYS], ignore_index=True)
    return editors_check(dl, docs, points=points, **kwargs)


def gold_document_labels(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Human document-level labels from ``documents.json`` (dev split) as roll-up rows.

    Returns ``(doc_labels, documents)`` for :func:`editors_check`.
    """
    from policykit.config import GOLD_DOCUMENTS

    docs = json.loads(Path(path or GOLD_DOCUMENTS).read_text(encoding="utf-8"))
    rows = [(d["essay_id"], facet, lab, []) for d in docs if d.get("split") == "dev"
            for facet, key in POINT_KEYS.items() for lab in d.get(key) or []]
    dl = pd.DataFrame(rows, columns=["doc_id", "facet", "label", "sent_ids"])
    meta = pd.DataFrame([{"doc_id": d["essay_id"], "chapter": d["chapter"]} for d in docs
                         if d.get("split") == "dev"])
    return dl, meta


def editors_matrix(check: EditorsCheck) -> pd.DataFrame:
    """Chapter x label table for the editors-versus-extracted chart.

    Returns
    -------
    pandas.DataFrame
        ``chapter, facet, label, status, n_essays, n_essays_chapter, rank, points,
        example_sent_id, sent_ids`` where ``status`` is ``both`` (editors name it and it is in
        the extracted top ranks), ``editors_only`` (named but not in the top ranks: missed) or
        ``extracted_only`` (in the top ranks, not named: what the editors did not say).
    """
    rk = check.rankings.set_index(["chapter", "facet", "label"])
    named: dict[tuple, list[int]] = {}
    for p in check.points.itertuples():
        for facet, key in POINT_KEYS.items():
            for lab in getattr(p, key):
                named.setdefault((int(p.chapter), facet, lab), []).append(int(p.point))
    keys = set(named) | {k for k, top in rk["top"].items() if top}
    rows = []
    for k in sorted(keys, key=lambda k: (k[0], list(POINT_KEYS).index(k[1]), k[2])):
        r = rk.loc[k] if k in rk.index else None
        in_top = bool(r is not None and r["top"])
        status = "both" if (k in named and in_top) else "editors_only" if k in named else \
            "extracted_only"
        rows.append({"chapter": k[0], "facet": k[1], "label": k[2], "status": status,
                     "n_essays": int(r["n_essays"]) if r is not None else 0,
                     "n_essays_chapter": int(r["n_essays_chapter"]) if r is not None else 0,
                     "rank": int(r["rank"]) if r is not None else None,
                     "points": named.get(k, []),
                     "example_sent_id": r["example_sent_id"] if r is not None else "",
                     "sent_ids": list(r["sent_ids"]) if r is not None else []})
    return pd.DataFrame(rows, columns=["chapter", "facet", "label", "status", "n_essays",
                                       "n_essays_chapter", "rank", "points", "example_sent_id",
                                       "sent_ids"])

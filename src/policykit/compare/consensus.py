"""Consensus and divergence: which measures are proposed across groups, which by one only."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from policykit.compare.prevalence import prevalence, sort_groups

CONSENSUS_COLUMNS = ["by", "facet", "label", "label_name", "status", "n_groups", "n_groups_total", "groups",
                     "n_docs", "doc_share", "group_doc_shares", "example_sent_id", "example_text",
                     "sent_ids"]
STATUS_ORDER = ["consensus", "shared", "single", "absent"]


def consensus(wide: pd.DataFrame, by: str = "region", facet: str = "instrument",
              min_groups: int = 3, documents: pd.DataFrame | None = None,
              exclude_groups: Sequence[str] = ("unknown",), min_docs: int = 1,
              labels: Sequence[str] | None = None, prevalence_table: pd.DataFrame | None = None
              ) -> pd.DataFrame:
    """Classify each label by how many groups raise it.

    A group *proposes* a label when at least ``min_docs`` of its documents raise it (for
    instruments: in a proposal sentence). ``status`` is ``consensus`` (>= ``min_groups``
    groups), ``shared`` (2 to ``min_groups - 1``), ``single`` (one group only) or ``absent``.

    Parameters
    ----------
    prevalence_table : pandas.DataFrame, optional
        A :func:`~policykit.compare.prevalence.prevalence` result for the same ``by`` and
        ``facet`` (saves recomputing it).
    exclude_groups : sequence of str
        Groups left out of the count (default: documents without a value).

    Returns
    -------
    pandas.DataFrame
        :data:`CONSENSUS_COLUMNS`, consensus first, then by number of groups and documents.
        ``group_doc_shares`` maps each group to the share of its documents raising the label.
    """
    prev = prevalence_table if prevalence_table is not None else prevalence(
        wide, by=by, facet=facet, documents=documents, labels=labels, n_boot=0)
    prev = prev[(prev["by"] == by) & (prev["facet"] == facet)
                & ~prev["group"].isin(list(exclude_groups))]
    all_groups = sort_groups(prev["group"].unique())
    from policykit.taxonomy import label_names

    names = label_names(facet)
    rows = []
    for label, g in prev.groupby("label", sort=False):
        raised = g[g["n_docs"] >= min_docs]
        groups = sort_groups(raised["group"])
        n = len(groups)
        status = ("absent" if n == 0 else "single" if n == 1 else
                  "consensus" if n >= min_groups else "shared")
        best = g.sort_values(["n_docs", "group"], ascending=[False, True]).iloc[0]
        ids = [s for lst in g["sent_ids"] for s in lst]
        rows.append({
            "by": by, "facet": facet, "label": label, "label_name": names.get(label, label),
            "status": status, "n_groups": n,
            "n_groups_total": len(all_groups), "groups": groups,
            "n_docs": int(g["n_docs"].sum()),
            "doc_share": float(g["n_docs"].sum() / max(1, g["n_docs_group"].sum())),
            "group_doc_shares": {r.group: float(r.doc_share) for r in g.itertuples()},
            "example_sent_id": best["example_sent_id"], "example_text": best["example_text"],
            "sent_ids": ids,
        })
    out = pd.DataFrame(rows, columns=CONSENSUS_COLUMNS)
    if out.empty:
        return out
    out["_s"] = out["status"].map(STATUS_ORDER.index)
    out = out.sort_values(["_s", "n_groups", "n_docs", "label"],
                          ascending=[True, False, False, True], kind="mergesort")
    return out.drop(columns="_s").reset_index(drop=True)

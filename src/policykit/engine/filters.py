"""Filters on the wide extraction table (``policykit extract --min-score``)."""

from __future__ import annotations

import copy

import pandas as pd

#: Wide-table list column of each facet with a score per label.
FACET_COLUMNS = {"risk_domain": "risk_domains", "risk_subdomain": "risk_subdomains",
                 "instrument": "instruments", "addressee": "addressees"}


def apply_min_score(wide: pd.DataFrame, min_score: float) -> pd.DataFrame:
    """Drop labels scoring below ``min_score`` from the label lists and from ``evidence``.

    The ``role`` (every sentence has one) and the ``scores`` column (every reported score) are
    left as they are, so a reader can still see what was dropped.

    Parameters
    ----------
    wide : pandas.DataFrame
        The wide extraction table.
    min_score : float
        In [0, 1].

    Returns
    -------
    pandas.DataFrame
        A copy with filtered ``risk_domains``, ``risk_subdomains``, ``instruments``,
        ``addressees`` and ``evidence``.
    """
    if not 0.0 <= float(min_score) <= 1.0:
        raise ValueError(f"min_score must be in [0, 1], got {min_score!r}")
    out = wide.copy()
    if out.empty:
        return out
    scores = out["scores"].tolist()
    for facet, col in FACET_COLUMNS.items():
        if col not in out.columns:
            continue
        out[col] = [[lab for lab in (labs or []) if float(((sc or {}).get(facet) or {}).get(lab, 0.0)) >= min_score]
                    for labs, sc in zip(out[col].tolist(), scores)]
    if "evidence" in out.columns:
        kept = []
        for i, ev in enumerate(out["evidence"].tolist()):
            ev = copy.deepcopy(ev) if isinstance(ev, dict) else ev
            if isinstance(ev, dict):
                for facet, col in FACET_COLUMNS.items():
                    if facet in ev and col in out.columns:
                        keep = set(out[col].iat[i])
                        ev[facet] = {lab: items for lab, items in ev[facet].items() if lab in keep}
            kept.append(ev)
        out["evidence"] = kept
    return out

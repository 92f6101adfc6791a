"""How far two extractions of the same corpus agree (tiers, encoders, model versions)."""

from __future__ import annotations

import pandas as pd

FACETS = {"role": "role", "risk_domain": "risk_domains", "risk_subdomain": "risk_subdomains",
          "instrument": "instruments", "addressee": "addressees"}


def _f1(a: list[set], b: list[set]) -> float:
    tp = sum(len(x & y) for x, y in zip(a, b))
    n = sum(len(x) for x in a) + sum(len(y) for y in b)
    return 1.0 if n == 0 else 2 * tp / n


def tier_agreement(reference: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per facet: share of sentences with identical labels, and micro-F1 of ``other`` against
    ``reference`` (role: accuracy and macro-F1 over claim / proposal / other).

    Both tables are wide extractions of the same sentences (matched by ``sent_id``).

    Returns
    -------
    pandas.DataFrame
        ``facet, n_sentences, identical, f1``.
    """
    a = reference.set_index("sent_id")
    b = other.set_index("sent_id").reindex(a.index)
    if b["role"].isna().any():
        raise ValueError("the two extractions do not cover the same sentences")
    rows = []
    for facet, col in FACETS.items():
        if facet == "role":
            same = (a[col] == b[col]).mean()
            f1s = []
            for r in ("claim", "proposal", "other"):
                f1s.append(_f1([{1} if x == r else set() for x in a[col]], [{1} if x == r else set() for x in b[col]]))
            f1 = sum(f1s) / len(f1s)
        else:
            sa = [set(x or []) for x in a[col]]
            sb = [set(x or []) for x in b[col]]
            same = sum(x == y for x, y in zip(sa, sb)) / max(len(sa), 1)
            f1 = _f1(sa, sb)
        rows.append({"facet": facet, "n_sentences": len(a), "identical": float(same), "f1": float(f1)})
    return pd.DataFrame(rows)

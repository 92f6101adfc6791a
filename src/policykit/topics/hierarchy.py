"""A hierarchy of topics: average-linkage clustering of their c-TF-IDF (or NMF) term profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

HIERARCHY_COLUMNS = ["node", "kind", "left", "right", "distance", "n_topics", "topics", "label"]


def topic_hierarchy(model, method: str = "average", n_words: int = 3) -> pd.DataFrame:
    """Merge topics bottom-up by the cosine distance of their term profiles.

    Parameters
    ----------
    model : TopicModel or NMFTopicModel
        A fitted model (``topic_term_matrix_``, ``topic_ids_``, ``labels_``, ``vocabulary_``).
    method : str
        SciPy linkage method (on cosine distances; ``average`` by default).
    n_words : int
        Terms naming a merged node (top terms of the summed, normalised profiles).

    Returns
    -------
    pandas.DataFrame
        One row per leaf (``kind="leaf"``, ``node`` 0..k-1 in ``topic_ids_`` order, ``topics``
        = [topic]) and per merge (``kind="merge"``, ``node`` k.., ``left``/``right`` child nodes,
        ``distance``, ``n_topics``, ``topics`` under it, ``label`` from its top terms). The merge
        rows are a SciPy linkage matrix in table form; :func:`linkage_matrix` gives it back.
    """
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import pdist

    M = model.topic_term_matrix_
    M = M.toarray() if hasattr(M, "toarray") else np.asarray(M, dtype=float)
    norms = np.linalg.norm(M, axis=1, keepdims=True)
    M = M / np.where(norms > 0, norms, 1.0)
    ids = list(model.topic_ids_)
    vocab = np.asarray(model.vocabulary_, dtype=object)
    rows = [{"node": i, "kind": "leaf", "left": pd.NA, "right": pd.NA, "distance": 0.0, "n_topics": 1,
             "topics": [int(t)], "label": model.labels_.get(int(t), str(t))} for i, t in enumerate(ids)]
    if len(ids) >= 2:
        D = np.clip(pdist(M, metric="cosine"), 0.0, None)
        Z = linkage(D, method=method, optimal_ordering=True)
        members = {i: [i] for i in range(len(ids))}
        for j, (l, r, d, n) in enumerate(Z):
            node = len(ids) + j
            members[node] = members[int(l)] + members[int(r)]
            prof = M[members[node]].sum(axis=0)
            top = np.lexsort((vocab, -prof))[:n_words]
            rows.append({"node": node, "kind": "merge", "left": int(l), "right": int(r),
                         "distance": float(d), "n_topics": int(n),
                         "topics": sorted(int(ids[i]) for i in members[node]),
                         "label": ", ".join(str(vocab[k]) for k in top if prof[k] > 0)})
    out = pd.DataFrame(rows, columns=HIERARCHY_COLUMNS)
    out["left"] = out["left"].astype("Int64")
    out["right"] = out["right"].astype("Int64")
    return out


def linkage_matrix(hierarchy: pd.DataFrame) -> np.ndarray:
    """The SciPy linkage matrix ``Z`` encoded by the merge rows of a hierarchy table."""
    m = hierarchy[hierarchy["kind"] == "merge"].sort_values("node")
    return m[["left", "right", "distance", "n_topics"]].to_numpy(dtype=float)

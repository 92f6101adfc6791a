"""Topic clustering that does not hinge on the last bits of the embeddings.

Sentence embeddings differ between processors by about 1e-7 (torch, OpenBLAS and numba pick SIMD
kernels by CPU). UMAP turns such a difference into another layout: its stochastic gradient
descent samples edges by comparing running epoch counters with weights, so a weight that moves
by 1e-9 changes which edge is sampled when, and HDBSCAN then draws other clusters. On the
bundled report's 283 body paragraphs, UMAP + HDBSCAN partitions computed from embeddings that
differ by noise of 1e-6 agree with an adjusted Rand index of about 0.5 (``benchmarks/bench_topics.py``).

The default pipeline of :class:`~policykit.topics.TopicModel` (``method="spectral"``) keeps the
idea of UMAP and HDBSCAN (a neighbourhood graph, then clusters of units that are close in it) but
uses only steps that are continuous in the embeddings or discrete decisions with wide margins:

1. **graph** (:func:`knn_graph`): UMAP's fuzzy simplicial set — each unit's ``n_neighbors``
   nearest neighbours by cosine distance, distances smoothed per unit (the bandwidth found by a
   *fixed* number of bisection steps, so it is a continuous function of the input rather than
   one that stops at a tolerance), the directed graphs joined by a fuzzy union. Only which
   neighbours are the nearest is discrete, and the gap between the ``k``-th and ``k+1``-th
   distance is far wider than 1e-6 on real text.
2. **spectral embedding** (:class:`SpectralReducer`): the leading eigenvectors of the
   normalised adjacency ``D^-1/2 W D^-1/2`` (dense symmetric eigensolver; ARPACK with a fixed
   start vector beyond :data:`DENSE_LIMIT` units), scaled by ``D^-1/2``. The Euclidean
   distances between rows do not change when an eigenvector flips sign or when the basis of a
   (near-)degenerate eigenspace inside the kept components rotates, and Ward's method uses
   distances only.
3. **clusters** (:class:`WardClusterer`): Ward's agglomerative hierarchy on those coordinates
   (deterministic, no random start), cut into ``n_clusters`` topics; clusters smaller than
   ``min_cluster_size`` are outliers (topic -1), which the topic model reassigns to the nearest
   topic as before.

:func:`partition_stability` measures how much of a partition survives perturbed embeddings.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: Above this many units the eigenvectors come from ARPACK (sparse) rather than a dense solver.
DENSE_LIMIT = 3000
#: Diffusion time of the document map's coordinates (see :meth:`SpectralReducer.layout`).
DIFFUSION_TIME = 20
#: Bisection steps for each unit's bandwidth (UMAP's ``smooth_knn_dist`` stops at a tolerance;
#: a fixed count makes the bandwidth a continuous function of the distances).
BANDWIDTH_STEPS = 64


def _unit_rows(E: np.ndarray) -> np.ndarray:
    E = np.asarray(E, dtype=np.float64)
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    return E / np.where(norms == 0, 1.0, norms)


def knn_graph(embeddings: np.ndarray, n_neighbors: int = 15, block: int = 2048):
    """UMAP's fuzzy neighbourhood graph of the rows of ``embeddings`` (cosine distance).

    Parameters
    ----------
    embeddings : ndarray (n, d)
    n_neighbors : int
        Neighbourhood size, counting the unit itself (as UMAP does); capped at ``n - 1``.
    block : int
        Rows of the distance matrix computed at once (memory: ``block * n`` floats).

    Returns
    -------
    scipy.sparse.csr_matrix (n, n)
        Symmetric weights in [0, 1]: ``w_ij = exp(-(d_ij - rho_i) / sigma_i)`` for the
        neighbours ``j`` of ``i``, where ``rho_i`` is the distance to the nearest neighbour and
        ``sigma_i`` makes the weights of ``i`` sum to ``log2(n_neighbors)``; joined by the
        fuzzy union ``A + A.T - A * A.T``.
    """
    from scipy import sparse

    X = _unit_rows(embeddings)
    n = len(X)
    k = int(max(1, min(n_neighbors - 1, n - 1)))
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float64)
    for s in range(0, n, block):
        D = np.clip(1.0 - X[s:s + block] @ X.T, 0.0, None)
        D[np.arange(D.shape[0]), np.arange(s, s + D.shape[0])] = np.inf
        # stable order: equal distances (duplicate texts) are ordered by index
        order = np.argsort(D, axis=1, kind="stable")[:, :k]
        idx[s:s + block] = order
        dist[s:s + block] = np.take_along_axis(D, order, axis=1)
    rho = dist[:, 0]
    shifted = np.clip(dist - rho[:, None], 0.0, None)
    target = np.log2(max(n_neighbors, 2))
    lo, hi, mid = np.zeros(n), np.full(n, np.inf), np.ones(n)
    for _ in range(BANDWIDTH_STEPS):
        total = np.exp(-shifted / mid[:, None]).sum(axis=1)
        above = total > target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
        mid = np.where(np.isinf(hi), mid * 2.0, (lo + hi) / 2.0)
    w = np.exp(-shifted / mid[:, None])
    A = sparse.csr_matrix((w.ravel(), (np.repeat(np.arange(n), k), idx.ravel())), shape=(n, n))
    return (A + A.T - A.multiply(A.T)).tocsr()


def spectral_coordinates(graph, n_components: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Leading eigenvectors of a graph's normalised adjacency, scaled by ``D^-1/2``.

    The first eigenvector (eigenvalue 1) becomes a constant column for a connected graph, which
    adds nothing to distances; it is kept because a graph of ``c`` components has ``c``
    eigenvalues equal to 1 whose eigenvectors, in whatever basis the solver returns, are the
    components' indicators up to a rotation (and Ward's distances ignore rotations).

    Returns
    -------
    coords : ndarray (n, n_components)
    eigenvalues : ndarray (n_components + 1,)
        Largest eigenvalues of ``D^-1/2 W D^-1/2`` in descending order (the first is 1); the gap
        after the last kept one says how well the kept space is separated from the next.
    """
    from scipy import sparse

    W = sparse.csr_matrix(graph, dtype=np.float64)
    n = W.shape[0]
    d = np.asarray(W.sum(axis=1)).ravel()
    d = np.where(d > 0, d, 1.0)
    inv_sqrt = 1.0 / np.sqrt(d)
    L = sparse.diags(inv_sqrt) @ W @ sparse.diags(inv_sqrt)
    m = int(min(n_components + 1, n))
    if n <= DENSE_LIMIT:
        lam, V = np.linalg.eigh(L.toarray())
        lam, V = lam[::-1][:m], V[:, ::-1][:, :m]
    else:  # pragma: no cover - exercised on large user corpora only
        from scipy.sparse.linalg import eigsh

        v0 = np.random.default_rng(random_state).uniform(0.5, 1.0, n)
        lam, V = eigsh(L, k=m, which="LA", v0=v0, tol=0.0)
        order = np.argsort(-lam)
        lam, V = lam[order], V[:, order]
    coords = V[:, :n_components] * inv_sqrt[:, None]
    return coords, lam


class SpectralReducer:
    """Spectral embedding of UMAP's neighbourhood graph (a ``umap_model`` for BERTopic).

    scikit-learn conventions: parameters in ``__init__``, ``fit`` returns self,
    ``transform`` of the fitted input returns its coordinates; new rows are placed at the
    graph-weighted mean of their neighbours' coordinates (Nyström-style).

    Parameters
    ----------
    n_neighbors : int
        Neighbourhood size (as UMAP's).
    n_components : int
        Number of eigenvectors kept (the first, constant one included: use as many as clusters).
    random_state : int
        Start vector of the sparse eigensolver (large inputs only).

    Attributes
    ----------
    embedding_ : ndarray (n, n_components)
    eigenvalues_ : ndarray
    graph_ : scipy.sparse.csr_matrix
    """

    def __init__(self, n_neighbors: int = 15, n_components: int = 15, random_state: int = 0):
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict:
        return {"n_neighbors": self.n_neighbors, "n_components": self.n_components,
                "random_state": self.random_state}

    def fit(self, X, y=None) -> "SpectralReducer":
        X = np.asarray(X)
        n = len(X)
        k = int(max(1, min(self.n_components, n - 1)))
        self.graph_ = knn_graph(X, self.n_neighbors)
        self.embedding_, self.eigenvalues_ = spectral_coordinates(self.graph_, k, self.random_state)
        self._fit_rows = _unit_rows(X)
        return self

    def fit_transform(self, X, y=None) -> np.ndarray:
        return self.fit(X).embedding_

    def layout(self, n_components: int = 2, diffusion_time: int = DIFFUSION_TIME) -> np.ndarray:
        """A 2-D map of the fitted rows: the principal axes (:func:`principal_axes`) of their
        diffusion-map coordinates, the non-trivial eigenvectors weighted by ``eigenvalue **
        diffusion_time``.

        The weights make the map follow the graph's slowest directions (its main divisions) and
        keep the two axes' spreads apart, so the projection cannot rotate under tiny changes (the
        eigenvectors themselves are orthonormal: their spread is the same in every direction).
        """
        d = np.asarray(self.graph_.sum(axis=1)).ravel()
        V = self.embedding_ * np.sqrt(np.where(d > 0, d, 1.0))[:, None]
        lam = self.eigenvalues_[:V.shape[1]]
        if V.shape[1] <= n_components:
            return principal_axes(V, n_components)
        return principal_axes(V[:, 1:] * np.abs(lam[1:]) ** diffusion_time, n_components)

    def transform(self, X) -> np.ndarray:
        X = _unit_rows(X)
        if X.shape == self._fit_rows.shape and np.array_equal(X, self._fit_rows):
            return self.embedding_
        S = X @ self._fit_rows.T
        k = int(max(1, min(self.n_neighbors - 1, S.shape[1])))
        near = np.argsort(-S, axis=1, kind="stable")[:, :k]
        w = np.clip(np.take_along_axis(S, near, axis=1), 1e-12, None)
        return np.einsum("ij,ijk->ik", w / w.sum(axis=1, keepdims=True), self.embedding_[near])


def ward_tree(X: np.ndarray) -> np.ndarray:
    """Ward linkage matrix (scipy format) of the rows of ``X``."""
    from scipy.cluster.hierarchy import linkage

    return linkage(np.asarray(X, dtype=np.float64), method="ward")


def cut_tree(Z: np.ndarray, n_clusters: int, min_cluster_size: int = 1) -> np.ndarray:
    """Labels ``0..k-1`` of the ``n_clusters``-cluster cut of a Ward tree, largest cluster first
    (ties by the smallest unit index); clusters smaller than ``min_cluster_size`` get -1."""
    from scipy.cluster.hierarchy import fcluster

    raw = fcluster(Z, int(n_clusters), criterion="maxclust")
    ids, first, counts = np.unique(raw, return_index=True, return_counts=True)
    order = sorted(range(len(ids)), key=lambda i: (-counts[i], first[i]))
    new = np.full(raw.max() + 1, -1)
    k = 0
    for i in order:
        if counts[i] >= min_cluster_size:
            new[ids[i]] = k
            k += 1
    return new[raw]


class WardClusterer:
    """Ward's hierarchy cut into a fixed number of clusters (an ``hdbscan_model`` for BERTopic).

    Parameters
    ----------
    n_clusters : int
        Clusters of the cut (before small ones are set aside).
    min_cluster_size : int
        Clusters with fewer units are outliers (label -1).

    Attributes
    ----------
    labels_ : ndarray of int
    children_ : ndarray
        The scipy linkage matrix.
    margin_ : float
        How far the cut is from the nearest other cut: the gap between the merge heights just
        below and just above it, as a share of the height above (0 = a tie, where the smallest
        change could merge other clusters).
    """

    def __init__(self, n_clusters: int = 15, min_cluster_size: int = 1):
        self.n_clusters = n_clusters
        self.min_cluster_size = min_cluster_size

    def get_params(self, deep: bool = True) -> dict:
        return {"n_clusters": self.n_clusters, "min_cluster_size": self.min_cluster_size}

    def fit(self, X, y=None) -> "WardClusterer":
        X = np.asarray(X, dtype=np.float64)
        k = int(max(1, min(self.n_clusters, len(X))))
        self.children_ = ward_tree(X)
        self.labels_ = cut_tree(self.children_, k, self.min_cluster_size)
        h = self.children_[:, 2]
        n = len(X)
        self.margin_ = (float((h[n - k] - h[n - k - 1]) / h[n - k]) if 1 < k < n and h[n - k] > 0
                        else 1.0)
        return self

    def fit_predict(self, X, y=None) -> np.ndarray:
        return self.fit(X).labels_


def match_partitions(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of units whose topic in ``b`` is the one matched to their topic in ``a``.

    Topics are matched one to one by maximum overlap (Hungarian algorithm), so renumbered but
    otherwise equal partitions score 1.
    """
    from scipy.optimize import linear_sum_assignment

    a, b = np.asarray(a), np.asarray(b)
    ua, ia = np.unique(a, return_inverse=True)
    ub, ib = np.unique(b, return_inverse=True)
    C = np.zeros((len(ua), len(ub)), dtype=np.int64)
    np.add.at(C, (ia, ib), 1)
    r, c = linear_sum_assignment(-C)
    return float(C[r, c].sum() / len(a)) if len(a) else 1.0


def partition_stability(cluster, embeddings: np.ndarray, noise: Sequence[float] = (1e-6, 1e-5, 1e-4),
                        n_repeats: int = 3, random_state: int = 0):
    """How much of a partition survives Gaussian noise added to the embeddings.

    Parameters
    ----------
    cluster : callable
        ``embeddings -> labels`` (e.g. ``TopicModel.cluster_labels``).
    embeddings : ndarray (n, d)
    noise : sequence of float
        Standard deviations of the noise added to every component.
    n_repeats : int
        Draws per noise level.
    random_state : int

    Returns
    -------
    pandas.DataFrame
        ``noise, repeat, identical, share_same, ari``: ``identical`` when every unit keeps its
        topic number, ``share_same`` the share of units in the matched topic
        (:func:`match_partitions`), ``ari`` the adjusted Rand index.
    """
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    E = np.asarray(embeddings, dtype=np.float32)
    base = np.asarray(cluster(E))
    rng = np.random.default_rng(random_state)
    rows = []
    for s in noise:
        for r in range(n_repeats):
            lab = np.asarray(cluster(E + rng.normal(scale=s, size=E.shape).astype(np.float32)))
            rows.append({"noise": float(s), "repeat": r, "identical": bool(np.array_equal(lab, base)),
                         "share_same": match_partitions(base, lab),
                         "ari": float(adjusted_rand_score(base, lab))})
    return pd.DataFrame(rows, columns=["noise", "repeat", "identical", "share_same", "ari"])


def principal_axes(X: np.ndarray, n_components: int = 2) -> np.ndarray:
    """The rows of ``X`` on their ``n_components`` principal axes, scaled to unit range.

    Used for the document map: a linear projection, so points move no more than the
    coordinates do. Each axis is oriented so that its longest tail points to the positive side
    (the sign of the third moment), and the coordinates are divided by the largest absolute
    value over both axes, so the map lies in [-1, 1].
    """
    X = np.asarray(X, dtype=np.float64)
    Xc = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)
    P = Xc @ Vt[:n_components].T
    skew = (P ** 3).sum(axis=0)
    P = P * np.where(skew < 0, -1.0, 1.0)
    scale = np.abs(P).max()
    return P / scale if scale > 0 else P

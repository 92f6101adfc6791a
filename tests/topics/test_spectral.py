"""The stable clustering pipeline: graph, spectral coordinates, Ward cut, stability measure."""

import numpy as np
import pytest

from policykit.topics.spectral import (SpectralReducer, WardClusterer, cut_tree, knn_graph,
                                       match_partitions, partition_stability, principal_axes,
                                       spectral_coordinates, ward_tree)


def blobs(n_per=30, k=4, d=24, spread=0.15, seed=0):
    """k well-separated groups of unit vectors."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    X = np.vstack([c + spread * np.linalg.norm(c) * rng.normal(size=(n_per, d)) / np.sqrt(d) for c in centres])
    return (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32), np.repeat(np.arange(k), n_per)


def test_knn_graph_is_a_symmetric_fuzzy_graph():
    X, _ = blobs()
    G = knn_graph(X, n_neighbors=10)
    A = G.toarray()
    assert np.allclose(A, A.T)
    assert A.min() >= 0 and A.max() <= 1 + 1e-12
    assert (np.diag(A) == 0).all()
    # every unit keeps at least its nine nearest neighbours
    assert ((A > 0).sum(axis=1) >= 9).all()


def test_graph_weights_are_continuous_in_the_input():
    X, _ = blobs()
    noisy = X + np.random.default_rng(1).normal(scale=1e-7, size=X.shape).astype(np.float32)
    a, b = knn_graph(X, 10).toarray(), knn_graph(noisy, 10).toarray()
    assert ((a > 0) == (b > 0)).all()  # same neighbours
    assert np.abs(a - b).max() < 1e-4   # weights move by little more than the noise


def test_spectral_reducer_transform_of_fitted_rows_is_the_embedding():
    X, _ = blobs()
    r = SpectralReducer(n_neighbors=10, n_components=4).fit(X)
    assert r.embedding_.shape == (len(X), 4)
    assert r.transform(X) is r.embedding_
    new = r.transform(X[:5] + 1e-3)
    assert new.shape == (5, 4) and np.isfinite(new).all()
    assert r.eigenvalues_[0] == pytest.approx(1.0)


def test_ward_recovers_separated_groups_largest_first():
    X, truth = blobs(n_per=20, k=3)
    X = np.vstack([X, blobs(n_per=40, k=1, seed=5)[0]])
    truth = np.concatenate([truth, np.full(40, 3)])
    coords = SpectralReducer(n_neighbors=10, n_components=4).fit_transform(X)
    labels = WardClusterer(n_clusters=4).fit_predict(coords)
    assert match_partitions(truth, labels) == 1.0
    sizes = np.bincount(labels)
    assert list(sizes) == sorted(sizes, reverse=True)  # topic 0 is the largest


def test_small_clusters_are_outliers():
    X, _ = blobs(n_per=20, k=3)
    labels = cut_tree(ward_tree(X), 3, min_cluster_size=21)
    assert (labels == -1).all()
    labels = cut_tree(ward_tree(X), 3, min_cluster_size=20)
    assert set(labels) == {0, 1, 2}


def test_ward_ignores_rotations_and_sign_flips_of_the_coordinates():
    """Why eigenvector signs and the basis of a degenerate eigenspace do not matter."""
    X, _ = blobs()
    coords = SpectralReducer(n_neighbors=10, n_components=5).fit_transform(X)
    Q, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(5, 5)))
    a = WardClusterer(n_clusters=6).fit_predict(coords)
    b = WardClusterer(n_clusters=6).fit_predict(coords @ Q)
    assert (a == b).all()


def test_spectral_coordinates_of_a_disconnected_graph_are_still_usable():
    X, truth = blobs(n_per=15, k=3, spread=0.01)
    coords, lam = spectral_coordinates(knn_graph(X, 8), 3)
    assert np.isfinite(coords).all()
    assert match_partitions(truth, WardClusterer(3).fit_predict(coords)) == 1.0


def test_match_partitions_ignores_renumbering():
    assert match_partitions([0, 0, 1, 1, 2], [2, 2, 0, 0, 1]) == 1.0
    assert match_partitions([0, 0, 1, 1], [0, 1, 1, 1]) == 0.75


def test_partition_stability_reports_every_draw():
    X, _ = blobs()

    def cluster(E):
        return WardClusterer(4).fit_predict(SpectralReducer(10, 4).fit_transform(E))

    st = partition_stability(cluster, X, noise=(1e-6, 1e-2), n_repeats=2)
    assert list(st.columns) == ["noise", "repeat", "identical", "share_same", "ari"]
    assert len(st) == 4
    assert st[st["noise"] == 1e-6]["identical"].all()
    assert st["share_same"].between(0, 1).all()


def test_principal_axes_are_oriented_and_scaled():
    X, _ = blobs()
    P = principal_axes(X, 2)
    assert P.shape == (len(X), 2) and np.abs(P).max() == pytest.approx(1.0)
    assert ((P ** 3).sum(axis=0) >= 0).all()
    assert np.allclose(principal_axes(-X, 2), P)  # a reflected input gives the same map

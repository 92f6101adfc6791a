"""Compile the numba kernels of UMAP, PyNNDescent and HDBSCAN once, at set-up time.

UMAP compiles its kernels on first use (10-20 s on two cores). With numba's file cache switched
on (:func:`policykit.topics.backend.enable_umap_cache`), running one tiny fit during set-up
stores the compiled code in the virtual environment, so the first real topic model, report or
notebook does not pay for it. Results are unchanged: the compiled code is the same.

Run: ``python -m policykit.warmup`` (``scripts/setup.sh`` does).
"""

from __future__ import annotations

import time


def warm_up() -> float:
    """Fit a tiny UMAP + HDBSCAN on random data; return the seconds it took."""
    t0 = time.perf_counter()
    import numpy as np

    from .topics.backend import enable_umap_cache, quiet

    enable_umap_cache()
    with quiet():
        from hdbscan import HDBSCAN
        from umap import UMAP

        X = np.random.default_rng(0).normal(size=(80, 16)).astype(np.float32)
        Y = UMAP(n_neighbors=10, n_components=5, metric="cosine", random_state=0).fit_transform(X)
        HDBSCAN(min_cluster_size=5).fit(Y)
        UMAP(n_neighbors=10, n_components=2, metric="cosine", random_state=0).fit_transform(X)
        import bertopic  # noqa: F401  (first import is slow; pays it now)
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(f"compiled and cached topic-model kernels in {warm_up():.1f} s")

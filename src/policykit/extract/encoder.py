"""The sentence encoder of the extraction model: all-MiniLM-L6-v2 with its top layers fine-tuned.

:class:`MiniBert` is the MiniLM-L6 architecture (a 6-layer, 384-wide BERT) written out in plain
torch, so that the same code runs the packaged model, fine-tunes its top layers and embeds at
extraction time, whatever version of ``transformers`` is installed. With the packaged weights it
reproduces sentence-transformers' vectors to ~1e-7.

A fine-tuned encoder is stored as the difference of its tuned layers to the packaged ones, in
half precision (``encoder.safetensors``, a few MB): the packaged model plus these deltas is the
encoder. Nothing is downloaded; nothing is pickled.

Vectors are computed in fixed-shape batches (rows and a padded length that depend on each text
alone, as :mod:`policykit.embed` does), so a text's vector never depends on the texts embedded
with it, and are cached by content hash through :mod:`policykit.embed`.

Two backends run the same encoder on the same batches (:func:`backend`, :class:`use_backend`):

``onnx`` (the default when ``onnxruntime`` is installed)
    the tuned encoder exported once with torch to ONNX (:func:`onnx_file`, a rebuildable cache
    under ``data/interim/models/onnx``, keyed by the encoder's content hash and the torch and
    onnx versions) and run by ONNX Runtime: 1.5-1.7x faster on 2 cores, vectors within ~3e-7
    of torch's (cosine 1.000000), as a different CPU gives;
``torch``
    the reference; training and fine-tuning always use it. ``POLICYKIT_EXTRACT_ENCODER=torch``
    (or ``use_backend("torch")``) selects it for extraction too.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from ..switch import Switch

#: word pieces per text (longer texts are truncated; the tuned model is trained the same way)
MAX_TOKENS = 128
HIDDEN = 384
N_LAYERS = 6
_LOCK = threading.Lock()
_BASE: dict[str, object] = {}

_EMB_MAP = {"embeddings.word_embeddings.weight": "word.weight",
            "embeddings.position_embeddings.weight": "pos.weight",
            "embeddings.token_type_embeddings.weight": "tok_type.weight",
            "embeddings.LayerNorm.weight": "ln.weight", "embeddings.LayerNorm.bias": "ln.bias"}
_LAYER_MAP = {"attention.self.query": "q", "attention.self.key": "k", "attention.self.value": "v",
              "attention.output.dense": "o", "attention.output.LayerNorm": "ln1", "intermediate.dense": "i",
              "output.dense": "out", "output.LayerNorm": "ln2"}


def _torch():
    import torch
    return torch


def _build_classes():
    torch = _torch()
    nn = torch.nn

    class Layer(nn.Module):
        """One transformer layer (post-norm self-attention + GELU feed-forward, as BERT)."""

        def __init__(self, d: int = HIDDEN, heads: int = 12, ff: int = 1536, eps: float = 1e-12, dropout: float = 0.1):
            super().__init__()
            self.heads = heads
            self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
            self.ln1 = nn.LayerNorm(d, eps=eps)
            self.i = nn.Linear(d, ff)
            self.out = nn.Linear(ff, d)
            self.ln2 = nn.LayerNorm(d, eps=eps)
            self.drop = nn.Dropout(dropout)

        def forward(self, x, add_mask):
            b, n, d = x.shape
            hd = d // self.heads

            def split(t):
                return t.view(b, n, self.heads, hd).transpose(1, 2)

            a = (split(self.q(x)) @ split(self.k(x)).transpose(-1, -2)) / math.sqrt(hd) + add_mask
            a = self.drop(torch.softmax(a, -1))
            c = (a @ split(self.v(x))).transpose(1, 2).reshape(b, n, d)
            x = self.ln1(x + self.drop(self.o(c)))
            return self.ln2(x + self.drop(self.out(nn.functional.gelu(self.i(x)))))

    class MiniBert(nn.Module):
        """The MiniLM-L6 encoder: embeddings, six layers, mean pooling, L2 normalisation."""

        def __init__(self, vocab: int = 30522, d: int = HIDDEN, n_layers: int = N_LAYERS, max_pos: int = 512,
                     eps: float = 1e-12):
            super().__init__()
            self.word = nn.Embedding(vocab, d)
            self.pos = nn.Embedding(max_pos, d)
            self.tok_type = nn.Embedding(2, d)
            self.ln = nn.LayerNorm(d, eps=eps)
            self.layers = nn.ModuleList([Layer(d) for _ in range(n_layers)])
            self.drop = nn.Dropout(0.1)

        @staticmethod
        def additive_mask(att):
            return (1.0 - att[:, None, None, :].float()) * -1e9

        def embed_tokens(self, ids):
            pos = torch.arange(ids.shape[1])[None]
            return self.drop(self.ln(self.word(ids) + self.pos(pos) + self.tok_type(torch.zeros_like(ids))))

        def run_layers(self, h, att, start: int = 0, stop: int | None = None):
            m = self.additive_mask(att)
            for layer in self.layers[start:stop]:
                h = layer(h, m)
            return h

        @staticmethod
        def pool(h, att):
            a = att[:, :, None].float()
            v = (h * a).sum(1) / a.sum(1).clamp(min=1e-9)
            return nn.functional.normalize(v, dim=-1)

        def forward(self, ids, att):
            return self.pool(self.run_layers(self.embed_tokens(ids), att), att)

    return Layer, MiniBert


_CLASSES: tuple | None = None


def classes():
    """``(Layer, MiniBert)`` torch module classes (built on first use: torch is imported lazily)."""
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _build_classes()
    return _CLASSES


def _base_state() -> dict:
    """The packaged all-MiniLM-L6-v2 weights under :class:`MiniBert`'s parameter names."""
    from safetensors.torch import load_file
    from ..embed import minilm_path
    with _LOCK:
        if "state" not in _BASE:
            sd = load_file(str(minilm_path() / "model.safetensors"))
            new = {}
            for k, v in sd.items():
                k2 = k[5:] if k.startswith("bert.") else k
                if k2 in _EMB_MAP:
                    new[_EMB_MAP[k2]] = v
                elif k2.startswith("encoder.layer."):
                    i, rest = k2[len("encoder.layer."):].split(".", 1)
                    for a, b in _LAYER_MAP.items():
                        if rest.startswith(a + "."):
                            new[f"layers.{i}.{b}.{rest[len(a) + 1:]}"] = v
                            break
            _BASE["state"] = new
        return _BASE["state"]


def base_encoder():
    """A fresh :class:`MiniBert` with the packaged weights (eval mode)."""
    _, MiniBert = classes()
    m = MiniBert()
    m.load_state_dict(_base_state(), strict=True)
    return m.eval()


def tokenizer():
    """The packaged model's WordPiece tokenizer (``tokenizers``; no network)."""
    with _LOCK:
        if "tok" not in _BASE:
            from tokenizers import Tokenizer
            from ..embed import minilm_path
            tok = Tokenizer.from_file(str(minilm_path() / "tokenizer.json"))
            tok.no_padding()
            tok.enable_truncation(MAX_TOKENS)
            _BASE["tok"] = tok
        return _BASE["tok"]


def token_ids(texts: Sequence[str]) -> list[np.ndarray]:
    """Word-piece ids of each text (with [CLS]/[SEP]), truncated to :data:`MAX_TOKENS`."""
    return [np.asarray(e.ids, dtype=np.int64) for e in tokenizer().encode_batch([str(t) for t in texts])]


# ----------------------------------------------------------------------------- tuned encoder
def deltas(tuned, first_layer: int) -> dict[str, np.ndarray]:
    """Half-precision differences of the tuned layers ``first_layer``.. to the packaged weights."""
    base = _base_state()
    out = {}
    for k, v in tuned.state_dict().items():
        if k.startswith("layers."):
            i = int(k.split(".")[1])
            if i >= first_layer:
                out[k] = (v.detach().float() - base[k].float()).numpy().astype(np.float16)
    return out


def load_tuned(delta_arrays: dict[str, np.ndarray]):
    """:class:`MiniBert` = packaged weights + the given deltas (eval mode)."""
    torch = _torch()
    m = base_encoder()
    sd = {k: v.clone() for k, v in _base_state().items()}
    for k, d in delta_arrays.items():
        if k not in sd:
            raise KeyError(k)
        sd[k] = sd[k] + torch.from_numpy(np.asarray(d, dtype=np.float32))
    m.load_state_dict(sd, strict=True)
    return m.eval()


def fingerprint(delta_arrays: dict[str, np.ndarray]) -> str:
    """A short content hash of an encoder (its deltas; empty for the packaged model)."""
    h = hashlib.sha256()
    for k in sorted(delta_arrays):
        h.update(k.encode())
        h.update(np.ascontiguousarray(delta_arrays[k]).tobytes())
    return h.hexdigest()[:16]


def padded_length(n_tokens: int) -> int:
    """Padded sequence length of a text: multiples of 8 up to 64 tokens, of 16 beyond."""
    step = 8 if n_tokens <= 64 else 16
    return int(min(MAX_TOKENS, -(-max(1, n_tokens) // step) * step))


#: rows of every batch (short batches are filled with copies)
BATCH_ROWS = 8


def _length_groups(ids: list[np.ndarray]) -> list[tuple[int, list[int]]]:
    """``(padded length, indices)`` of the texts of each padded length, shortest first."""
    by_len: dict[int, list[int]] = {}
    for i, t in enumerate(ids):
        by_len.setdefault(padded_length(len(t)), []).append(i)
    return sorted(by_len.items())


def _fixed_batches(ids: list[np.ndarray]):
    """``(idx, token ids, attention)`` of every batch: :data:`BATCH_ROWS` rows (short batches
    filled with copies of their first text), padded to :func:`padded_length`, shortest first."""
    for n, members in _length_groups(ids):
        for k in range(0, len(members), BATCH_ROWS):
            idx = members[k:k + BATCH_ROWS]
            rows = idx + [idx[0]] * (BATCH_ROWS - len(idx))
            t = np.zeros((BATCH_ROWS, n), dtype=np.int64)
            a = np.zeros((BATCH_ROWS, n), dtype=np.int64)
            for r, i in enumerate(rows):
                t[r, :len(ids[i])] = ids[i]
                a[r, :len(ids[i])] = 1
            yield idx, t, a


def _n_batches(ids: list[np.ndarray]) -> int:
    """How many batches :func:`_fixed_batches` makes of ``ids``."""
    return sum(-(-len(members) // BATCH_ROWS) for _, members in _length_groups(ids))


def encode(model, texts: Sequence[str], *, progress: bool = False, session=None) -> np.ndarray:
    """L2-normalised vectors of ``texts`` from a :class:`MiniBert`, in fixed-shape batches.

    Each text runs in a batch of :data:`BATCH_ROWS` rows padded to :func:`padded_length` of its
    own length, so its vector is bit-identical however the texts are grouped. With ``session``
    (from :func:`onnx_session`) ONNX Runtime runs the batches instead of torch.
    """
    from tqdm.auto import tqdm
    ids = token_ids(texts)
    out = np.zeros((len(ids), HIDDEN), dtype=np.float32)
    bar = tqdm(total=_n_batches(ids), desc="encoding", unit="batch", disable=not progress, leave=False)
    if session is not None:
        for idx, t, a in _fixed_batches(ids):
            out[idx] = session.run(None, {"ids": t, "att": a})[0][:len(idx)]
            bar.update()
        bar.close()
        return out
    torch = _torch()
    model.eval()
    with torch.inference_mode():
        for idx, t, a in _fixed_batches(ids):
            out[idx] = model(torch.from_numpy(t), torch.from_numpy(a))[:len(idx)].float().numpy()
            bar.update()
    bar.close()
    return out


# ----------------------------------------------------------------------------- backends
BACKENDS = ("onnx", "torch")
#: Bumped when the exported graph changes (part of the ONNX cache key).
ONNX_EXPORT_VERSION = "1"
_BACKEND = Switch("encoder backend", BACKENDS, "POLICYKIT_EXTRACT_ENCODER",
                  lambda: "onnx" if _have_onnxruntime() else "torch")
_SESSIONS: dict[str, object] = {}


def _have_onnxruntime() -> bool:
    import importlib.util
    return importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("onnx") is not None


def backend() -> str:
    """The backend that runs the tuned encoder at extraction time: ``POLICYKIT_EXTRACT_ENCODER``
    or :func:`use_backend` when set, else ``onnx`` when ONNX Runtime is installed, else ``torch``."""
    return _BACKEND.get()


def use_backend(name: str | None):
    """Context manager choosing the tuned encoder's backend for a block (``onnx`` or ``torch``;
    ``None`` keeps the one in force)."""
    return _BACKEND.use(name)


def _versions(*packages: str) -> str:
    from ..store import package_versions
    return package_versions(*packages)


def backend_identity(name: str | None = None) -> str:
    """What the vectors of backend ``name`` depend on besides the weights (keys stored results)."""
    name = name or backend()
    if name == "onnx":
        return f"onnx:{ONNX_EXPORT_VERSION}:{_versions('torch', 'onnx', 'onnxruntime')}:fixed{BATCH_ROWS}"
    return f"torch:{_versions('torch')}:fixed{BATCH_ROWS}"


def onnx_file(model, encoder_id: str) -> Path:
    """The ONNX graph of a tuned :class:`MiniBert` (exported at first use, then reused).

    The file lives under ``config.interim_dir()/models/onnx/tuned-<key>/model.onnx``, ``<key>``
    hashing the encoder's id, the export version and the torch and onnx versions; it is written
    beside its final name and renamed into place, so concurrent processes never read half a file.
    """
    from .. import config
    key = hashlib.sha256(f"{encoder_id}\0{ONNX_EXPORT_VERSION}\0{_versions('torch', 'onnx')}".encode()).hexdigest()[:20]
    path = config.interim_dir() / "models" / "onnx" / f"tuned-{key}" / "model.onnx"
    if path.is_file():
        return path
    torch = _torch()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".model-{os.getpid()}-{threading.get_ident()}.onnx")
    ids = torch.ones((BATCH_ROWS, 16), dtype=torch.long)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (ids, torch.ones_like(ids)), str(tmp), input_names=["ids", "att"],
                          output_names=["vectors"], dynamic_axes={"ids": {1: "n"}, "att": {1: "n"}},
                          opset_version=17, dynamo=False)
    os.replace(tmp, path)
    return path


def onnx_session(model, encoder_id: str):
    """An ONNX Runtime session of the tuned encoder (one per process and encoder).

    It uses ``OMP_NUM_THREADS`` threads when set (Dask workers set it to 1), else torch's count.
    """
    with _LOCK:
        if encoder_id in _SESSIONS:
            return _SESSIONS[encoder_id]
    import onnxruntime as ort
    path = onnx_file(model, encoder_id)
    so = ort.SessionOptions()
    threads = os.environ.get("OMP_NUM_THREADS")
    so.intra_op_num_threads = int(threads) if threads and threads.isdigit() else _torch().get_num_threads()
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    with _LOCK:
        _SESSIONS[encoder_id] = sess
    return sess

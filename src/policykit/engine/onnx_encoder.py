"""ONNX Runtime backend for BERT-architecture sentence-transformers models.

Any sentence-transformers directory whose transformer is a BERT-style encoder (BERT, MiniLM,
a fine-tuned copy of either) runs here with the semantics of :mod:`policykit.embed`'s torch
path: the directory's tokenizer with truncation at its ``max_seq_length``, the encoder, mean
pooling over the attention mask (``1_Pooling``; CLS pooling also supported) and L2
normalisation, in the same fixed-shape batches (:func:`policykit.embed.fixed_shape_batches`:
``FIXED_BATCH_ROWS`` rows padded to :func:`policykit.embed.padded_length` of each text), so a
text's vector never depends on the texts encoded with it.

The ONNX graph (encoder + pooling) is exported from the directory with torch once, at first
use, into ``config.interim_dir()/models/onnx/<key>/model.onnx``; ``<key>`` hashes the
directory's weights and configuration files and the torch, transformers and onnx versions,
so a changed model is exported again and nothing is downloaded. Later runs, Dask workers
included, only need ONNX Runtime.

Measured on the AGORA sentences (benchmarks/bench_scale.py): fp32 ONNX vectors have cosine
1.000000 to the torch vectors (largest absolute difference ~1e-6). Dynamic int8 quantisation
was measured too and is not used: it computes activation scales over the whole batch (a vector
would depend on its batch companions) and its vectors have mean cosine 0.992 (min 0.968) to
the torch ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from .. import config
from ..errors import PolicykitError

#: Bumped when the exported graph changes (part of the export key).
EXPORT_VERSION = "1"
_LOCK = threading.Lock()
_ENCODERS: dict[tuple, "OnnxEncoder"] = {}
#: Options of the process-wide encoder (:func:`get_encoder`). Both exist to *measure* their
#: quality cost in ``benchmarks/bench_scale.py``; the defaults are the exact ones.
#: ``quantize``: dynamic int8 weights (per channel; activation x activation products stay fp32).
#: ``max_length``: truncate texts to this many word pieces instead of the model's own limit.
OPTIONS: dict = {"quantize": False, "max_length": None}
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "config.json", "tokenizer.json", "vocab.txt",
                 "tokenizer_config.json", "special_tokens_map.json", "sentence_bert_config.json",
                 "modules.json", "1_Pooling/config.json")


def _versions() -> str:
    from ..store import package_versions
    return package_versions("torch", "transformers", "onnx")


def model_key(model_dir: str | Path) -> str:
    """Content hash of a sentence-transformers directory's weights and configuration (24 hex)."""
    d = Path(model_dir)
    h = hashlib.sha256(f"export {EXPORT_VERSION}\0".encode())
    for name in _WEIGHT_FILES:
        p = d / name
        if p.is_file():
            h.update(name.encode() + b"\0")
            with open(p, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()[:24]


def _st_config(model_dir: Path) -> dict:
    """max_seq_length, pooling mode and normalisation of a sentence-transformers directory."""
    cfg = {"max_seq_length": 512, "pooling": "mean", "normalize": True, "do_lower_case": False}
    sb = model_dir / "sentence_bert_config.json"
    if sb.is_file():
        data = json.loads(sb.read_text(encoding="utf-8"))
        cfg["max_seq_length"] = int(data.get("max_seq_length") or 512)
    modules = model_dir / "modules.json"
    if modules.is_file():
        mods = json.loads(modules.read_text(encoding="utf-8"))
        cfg["normalize"] = any(m.get("type", "").endswith("Normalize") for m in mods)
        pool = next((m for m in mods if m.get("type", "").endswith("Pooling")), None)
        if pool is not None:
            pc = model_dir / pool.get("path", "1_Pooling") / "config.json"
            if pc.is_file():
                p = json.loads(pc.read_text(encoding="utf-8"))
                if p.get("pooling_mode_cls_token"):
                    cfg["pooling"] = "cls"
                elif not p.get("pooling_mode_mean_tokens", True):
                    raise PolicykitError(f"{pc}: only mean or CLS pooling is supported by the ONNX encoder")
    return cfg


def onnx_dir(model_dir: str | Path) -> Path:
    """Where the exported graph of ``model_dir`` is kept."""
    return config.interim_dir() / "models" / "onnx" / model_key(model_dir)


def export(model_dir: str | Path, out: str | Path | None = None) -> Path:
    """Export encoder + pooling of ``model_dir`` to ONNX (atomically); returns the file.

    The graph takes ``input_ids``, ``attention_mask``, ``token_type_ids`` (int64, batch x
    length) and returns ``sentence_embedding`` (float32, batch x hidden), not yet normalised.
    """
    import torch
    from transformers import AutoModel

    model_dir = Path(model_dir)
    out = Path(out) if out is not None else onnx_dir(model_dir) / "model.onnx"
    cfg = _st_config(model_dir)
    os.environ["HF_HUB_OFFLINE"] = "1"
    import transformers
    transformers.logging.set_verbosity_error()  # no load report
    transformers.utils.logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    if getattr(model.config, "model_type", "bert") not in ("bert", "roberta", "xlm-roberta", "distilbert",
                                                           "electra", "mpnet"):
        raise PolicykitError(f"{model_dir}: {model.config.model_type} is not a BERT-architecture encoder")
    cls_pool = cfg["pooling"] == "cls"

    class _Pooled(torch.nn.Module):
        def __init__(self, enc):
            super().__init__()
            self.enc = enc

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.enc(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids).last_hidden_state
            if cls_pool:
                return h[:, 0]
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            return (h * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)

    wrapped = _Pooled(model).eval()
    ids = torch.ones((2, 16), dtype=torch.int64)
    axes = {"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
            "token_type_ids": {0: "b", 1: "s"}, "sentence_embedding": {0: "b"}}
    from ..store import atomic_path
    import warnings
    with atomic_path(out) as tmp, torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(wrapped, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(tmp),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["sentence_embedding"], dynamic_axes=axes, opset_version=17,
                          dynamo=False)
    (out.parent / "source.json").write_text(json.dumps(
        {"model_dir": str(model_dir), "key": model_key(model_dir), "versions": _versions(), **cfg}, indent=1))
    return out


def default_threads() -> int:
    """Intra-op threads: ``POLICYKIT_ONNX_THREADS``, else ``OMP_NUM_THREADS`` (Dask's nanny sets
    it to the worker's threads), else the CPUs this process may use."""
    for var in ("POLICYKIT_ONNX_THREADS", "OMP_NUM_THREADS"):
        v = os.environ.get(var)
        if v and v.isdigit() and int(v) > 0:
            return int(v)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class OnnxEncoder:
    """Sentence vectors of a BERT-architecture sentence-transformers directory on ONNX Runtime.

    Parameters
    ----------
    model_dir : path
        The sentence-transformers directory (``config.json``, weights, tokenizer, ``modules.json``).
    threads : int, optional
        ONNX Runtime intra-op threads (default :func:`default_threads`). Vectors do not depend
        on it (tested).
    """

    def __init__(self, model_dir: str | Path, threads: int | None = None, quantize: bool = False,
                 max_length: int | None = None):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        self.model_dir = Path(model_dir)
        self.cfg = _st_config(self.model_dir)
        self.max_length = int(max_length or self.cfg["max_seq_length"])
        path = onnx_dir(self.model_dir) / "model.onnx"
        if not path.is_file():
            export(self.model_dir, path)
        if quantize:
            path = quantized(path)
        os.environ["HF_HUB_OFFLINE"] = "1"
        import transformers
        transformers.logging.set_verbosity_error()
        self.tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir))
        self.threads = int(threads or default_threads())
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.path = path

    def token_counts(self, texts: list[str]) -> list[int]:
        """Word pieces of each text after truncation (special tokens included)."""
        enc = self.tokenizer(texts, truncation=True, max_length=self.max_length)
        return [len(ids) for ids in enc["input_ids"]]

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, ``(len(texts), dim)``, in input order."""
        from tqdm.auto import tqdm

        from ..embed import FIXED_BATCH_ROWS, fixed_shape_batches, padded_length

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        lengths = [padded_length(n, self.max_length) for n in self.token_counts(texts)]
        for length, idx in tqdm(fixed_shape_batches(lengths), desc="embedding", unit="batch",
                                disable=not progress, leave=False):
            batch = [texts[i] for i in idx]
            batch += [batch[0]] * (FIXED_BATCH_ROWS - len(batch))
            f = self.tokenizer(batch, padding="max_length", max_length=length, truncation=True,
                               return_tensors="np")
            feeds = {"input_ids": f["input_ids"].astype(np.int64),
                     "attention_mask": f["attention_mask"].astype(np.int64),
                     "token_type_ids": (f["token_type_ids"] if "token_type_ids" in f
                                        else np.zeros_like(f["input_ids"])).astype(np.int64)}
            vecs = self.session.run(None, feeds)[0]
            out[idx] = vecs[:len(idx)]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def quantized(path: Path) -> Path:
    """Dynamic int8 copy of an exported graph (weights per channel; the attention products of
    two activations are left in fp32), made once beside it."""
    out = path.with_name("model-int8.onnx")
    if out.is_file():
        return out
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from ..store import atomic_path
    m = onnx.load(str(path))
    inits = {i.name for i in m.graph.initializer}
    act = [n.name for n in m.graph.node if n.op_type == "MatMul" and not any(x in inits for x in n.input)]
    with atomic_path(out) as tmp:
        quantize_dynamic(str(path), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_exclude=act, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return out


def get_encoder(model_dir: str | Path, threads: int | None = None) -> OnnxEncoder:
    """The process-wide encoder of ``model_dir`` (loaded once: a lazy per-process singleton)."""
    key = (str(Path(model_dir).resolve()), int(threads or default_threads()), bool(OPTIONS["quantize"]),
           OPTIONS["max_length"])
    with _LOCK:
        if key not in _ENCODERS:
            _ENCODERS[key] = OnnxEncoder(model_dir, threads, quantize=bool(OPTIONS["quantize"]),
                                         max_length=OPTIONS["max_length"])
        return _ENCODERS[key]


def identity(model_dir: str | Path) -> str:
    """What the vectors of this backend depend on (folded into the model version)."""
    import importlib.metadata as md
    try:
        ort_v = md.version("onnxruntime")
    except md.PackageNotFoundError:  # pragma: no cover
        ort_v = "none"
    extra = "".join(f":{k}={v}" for k, v in sorted(OPTIONS.items()) if v)
    return f"onnx:{model_key(model_dir)}:onnxruntime={ort_v}:export={EXPORT_VERSION}{extra}"

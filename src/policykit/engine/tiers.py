"""Model tiers: ``fast`` and ``accurate`` are model directories, chosen by name or by corpus size.

A tier is nothing but a directory of the extraction model (``data/models/extract-*``), the
embedding it was trained on, and the encoder backend that computes that embedding:

=========  ==============================  =========  ===================================
tier       model directory                 embedding  encoder
=========  ==============================  =========  ===================================
fast       ``data/models/extract-static``  static     model2vec (numpy)
accurate   ``data/models/extract-minilm``  minilm     onnx or torch (the fine-tuned MiniLM)
=========  ==============================  =========  ===================================

The accurate tier's sentence vectors come from its own fine-tuned encoder
(:mod:`policykit.extract.encoder`, fixed-shape batches), run by ONNX Runtime (default when it
is installed: :func:`policykit.extract.encoder.backend`) or by torch (the reference;
``encoder="torch"``). The two agree to ~3e-7 per coordinate.

``auto`` picks ``accurate`` for corpora under :data:`AUTO_ACCURATE_MAX_WORDS` words and
``fast`` above. When the lead replaces the artefacts, only :data:`TIERS` changes.

The *model version* keys the stored extraction results (:mod:`policykit.engine.dataset`): a
content hash of every file of the model directory, the thresholds, the taxonomy, the
extraction code and the encoder, plus the policykit version. Any change to what decides a
label gives a new version, so stored results are never reused across models.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from .. import config
from ..errors import InputError

#: Corpora with fewer words than this get the accurate tier under ``model="auto"``
#: (a few minutes with the fine-tuned encoder on 2 cores); larger ones get the fast tier.
AUTO_ACCURATE_MAX_WORDS = 300_000
MODEL_CHOICES = ("auto", "fast", "accurate")
#: Encoder backends of the accurate tier (see :func:`policykit.extract.encoder.backend`).
ENCODERS = ("onnx", "torch")


@dataclass(frozen=True)
class Tier:
    """One extraction model tier.

    Attributes
    ----------
    name : str
        ``fast``, ``accurate`` or ``custom`` (a ``model_dir`` given by the caller).
    embedding : str
        Embedding the model's heads were trained on (``static`` or ``minilm``).
    model_dir : Path
        The model directory (``model.json`` + ``weights.safetensors``).
    encoder : str
        Backend of the MiniLM encoder (``onnx`` or ``torch``); ``numpy`` for static.
    """

    name: str
    embedding: str
    model_dir: Path
    encoder: str

    def describe(self) -> str:
        return f"{self.name} ({self.model_dir.name}, {self.embedding} embedding, {self.encoder} encoder)"


def _tiers() -> dict[str, Tier]:
    m = config.MODELS_DIR
    return {"fast": Tier("fast", "static", m / "extract-static", "numpy"),
            "accurate": Tier("accurate", "minilm", m / "extract-minilm", _default_encoder())}


def _default_encoder() -> str:
    from ..extract.encoder import backend
    return backend()


def shipped_tiers() -> dict[str, Tier]:
    """The shipped tiers by name (resolved when called)."""
    return _tiers()


def get_tier(name: str, encoder: str | None = None, model_dir: str | Path | None = None) -> Tier:
    """The tier ``name`` (``fast`` or ``accurate``), optionally with another encoder or directory.

    Parameters
    ----------
    name : {"fast", "accurate"}
    encoder : {"onnx", "torch"}, optional
        Backend of the fine-tuned encoder of a MiniLM tier (default
        :func:`policykit.extract.encoder.backend`: ``onnx`` when ONNX Runtime is installed).
    model_dir : path, optional
        A model directory written by ``policykit train --out``; its ``model.json`` says which
        embedding it uses.
    """
    if model_dir is not None:
        d = Path(model_dir)
        if not (d / "model.json").is_file():
            raise InputError(d, "not a model directory (no model.json)",
                             "pass a directory written by `policykit train --out`")
        import json
        meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
        emb = "static" if meta.get("encoder") == "student" else (
            (meta.get("params") or {}).get("embedding") or meta.get("embedding") or "minilm")
        tier = Tier("custom", emb, d, "numpy" if emb == "static" else _default_encoder())
    else:
        tiers = _tiers()
        if name not in tiers:
            raise InputError(None, f"unknown model tier {name!r}", "use --model fast, accurate or auto")
        tier = tiers[name]
    if encoder is not None and tier.embedding == "minilm":
        if encoder not in ENCODERS:
            raise InputError(None, f"unknown encoder {encoder!r}", f"use one of {', '.join(ENCODERS)}")
        tier = replace(tier, encoder=encoder)
    return tier


def choose_tier(model: str, n_words: int | None, *, encoder: str | None = None,
                model_dir: str | Path | None = None) -> tuple[Tier, str]:
    """Resolve ``model`` (``auto``, ``fast``, ``accurate``) for a corpus of ``n_words`` words.

    Returns
    -------
    (Tier, str)
        The tier and a one-line reason, e.g. ``"auto: 1,790,547 words >= 300,000"``.
    """
    if model_dir is not None:
        return get_tier("custom", encoder, model_dir), f"model directory {model_dir}"
    if model not in MODEL_CHOICES:
        raise InputError(None, f"unknown model {model!r}", "use --model fast, accurate or auto")
    if model != "auto":
        return get_tier(model, encoder), "chosen with --model" if model else ""
    n = int(n_words or 0)
    if n < AUTO_ACCURATE_MAX_WORDS:
        return get_tier("accurate", encoder), f"auto: {n:,} words < {AUTO_ACCURATE_MAX_WORDS:,}"
    return get_tier("fast", encoder), f"auto: {n:,} words >= {AUTO_ACCURATE_MAX_WORDS:,}"


# ----------------------------------------------------------------------------- model version
def _hash_tree(h, root: Path, pattern: str = "*") -> None:
    if not root.exists():
        h.update(b"missing:" + str(root).encode())
        return
    for p in sorted(q for q in root.rglob(pattern) if q.is_file() and "__pycache__" not in q.parts):
        h.update(str(p.relative_to(root)).encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())


_VERSIONS: dict[tuple, str] = {}


def model_version(tier: Tier, thresholds: dict | str | Path | None = None) -> str:
    """The version string that keys stored results of ``tier``: ``<tier>-<16 hex>``.

    It hashes the bytes of every file in the model directory, the effective thresholds, the
    taxonomy files, the source of ``policykit/extract/``, the encoder (and, for ONNX, the
    encoder's own weights are those of the packaged model, named by the package version), and
    ``policykit.__version__``.
    """
    from .. import __version__
    from ..extract.decide import load_thresholds
    from ..store import content_key

    th = load_thresholds(thresholds)
    key = (str(tier.model_dir.resolve()), tier.encoder, content_key(th))
    if key in _VERSIONS:
        return _VERSIONS[key]
    h = hashlib.sha256()
    h.update(f"policykit {__version__}\0encoder {tier.encoder}\0embedding {tier.embedding}\0".encode())
    _hash_tree(h, tier.model_dir)
    h.update(content_key(th).encode())
    _hash_tree(h, config.TAXONOMY_DIR, "*.yaml")
    _hash_tree(h, Path(__file__).resolve().parents[1] / "extract", "*.py")
    if tier.embedding == "minilm":
        from ..extract.encoder import backend_identity
        h.update(backend_identity(tier.encoder).encode())
    out = f"{tier.name}-{h.hexdigest()[:16]}"
    _VERSIONS[key] = out
    return out

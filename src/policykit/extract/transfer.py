"""The transfer set the fast tier is distilled on: unlabelled governance sentences with the
accurate tier's outputs.

The fast tier's heads see static vectors, which are not fine-tuned; fitted on the ~3,100 gold
sentences alone they stay well below the accurate tier. Distillation gives them many more
examples: the sentences of AGORA documents (``../shared/data/agora``, ETO's archive of AI laws
and policies, the genres the model is used on) labelled *softly* by a teacher, the accurate
tier's probabilities. The teacher of the shipped fast tier is the shipped accurate model; in
cross-validation the teacher of fold ``f`` is the accurate model of fold ``f``, which never saw
that fold's documents, so the fast tier's cross-validated scores are as honest as the accurate
tier's (:func:`policykit.extract.training.student_cv`).

Which sentences
    Whole AGORA documents, taken in the SHA-256 order of their ids (a fixed, content-free
    order) until :data:`TRANSFER_SENTENCES` sentences are reached. Documents annotated in the
    gold are skipped, and so is any document sharing :data:`MAX_SHARED` or more sentences with
    the gold (the same text under another id): their sentences are training data, and
    cross-validation must not see them through the teacher. Sentences of 20 characters or fewer
    (headings, list markers) are left out. No label of any held-back annotation is used: the teacher's outputs are the only targets.

Cost
    One pass of a teacher over the set (about 560,000 words, about 3.5 minutes with ONNX
    Runtime on 2 cores), cached under ``data/interim/distill`` by the teacher's weights, the
    texts and the encoder backend.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import config
from .vocab import ROLES

#: Sentences in the transfer set (whole documents are taken until this is reached). Twice as many
#: (40,138 sentences) was measured in the same CV: role 0.712 against 0.715, domains 0.473 against
#: 0.467, instruments 0.452 against 0.464 (mixed, so not kept).
TRANSFER_SENTENCES = 20_000
#: Weight of a transfer sentence in the heads' loss, relative to a gold sentence.
TRANSFER_WEIGHT = 0.5
#: Shortest sentence (characters) taken into the transfer set.
MIN_CHARS = 21
#: A document sharing this many sentences with the gold is not taken.
MAX_SHARED = 3


def agora_dir() -> Path:
    """Where the AGORA texts are read from (``../shared/data/agora``)."""
    return config.SHARED_DIR / "data" / "agora"


@dataclass
class TransferSet:
    """Unlabelled sentences with their rule features.

    Attributes
    ----------
    texts : list of str
    groups : list of str
        The ``doc_id`` of every sentence (rows of a document contiguous, in order).
    rules : ndarray (n, n_rules)
        Rule features, computed as for the training sentences (neighbours within the document).
    source : str
        Where the sentences come from (for the model's provenance).
    """

    texts: list
    groups: list
    rules: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.texts)

    def digest(self) -> str:
        h = hashlib.sha256()
        for t, g in zip(self.texts, self.groups):
            h.update(t.encode() + b"\0" + g.encode() + b"\1")
        return h.hexdigest()[:20]

    def describe(self) -> dict:
        return {"source": self.source, "documents": len(set(self.groups)), "sentences": len(self.texts),
                "words": int(sum(len(t.split()) for t in self.texts)), "digest": self.digest()}


def _order(doc_id: str) -> str:
    return hashlib.sha256(str(doc_id).encode()).hexdigest()


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def load_transfer(exclude_docs: set[str], exclude_texts: set[str] | None = None,
                  n_sentences: int = TRANSFER_SENTENCES, directory: str | Path | None = None) -> TransferSet | None:
    """The transfer set, or None if the AGORA texts are not there (``../shared`` absent).

    Parameters
    ----------
    exclude_docs : set of str
        ``doc_id`` of documents never to take (the gold's: ``agora-1044``, ...).
    exclude_texts : set of str, optional
        Gold sentence texts: a document sharing :data:`MAX_SHARED` or more of its sentences with
        the gold (the same law under another id) is skipped, and no gold sentence is ever taken.
    n_sentences : int
        Whole documents are taken until at least this many sentences are in.
    directory : path, optional
        An AGORA-style folder (default :func:`agora_dir`).
    """
    from ..corpus.build import build_corpus
    from ..corpus.collections import agora_sources
    from ..corpus.load import read_sources
    from ..taxonomy import load_taxonomy
    from .features import featurize
    from .pipeline import build_pipeline

    root = Path(directory) if directory is not None else agora_dir()
    if not (root / "documents.csv").is_file():
        return None
    gold = {_norm(t) for t in (exclude_texts or ())}
    sources, _ = agora_sources(root)
    sources = sorted((s for s in sources if s.doc_id not in exclude_docs), key=lambda s: _order(s.doc_id))
    texts, groups, batch = [], [], 40
    for b in range(0, len(sources), batch):
        if len(texts) >= n_sentences:
            break
        part = sources[b:b + batch]
        S = build_corpus(read_sources(part, on_error="skip", progress=False)).sentences
        for src in part:
            rows = S[(S["doc_id"] == src.doc_id) & (S["text"].str.len() >= MIN_CHARS)]
            got = rows["text"].astype(str).tolist()
            keep = [t for t in got if _norm(t) not in gold]
            if len(got) - len(keep) >= MAX_SHARED or not keep:
                continue
            texts += keep
            groups += [src.doc_id] * len(keep)
            if len(texts) >= n_sentences:
                break
    tax, nlp, docs = load_taxonomy(), build_pipeline(), []
    for t, d in zip(texts, nlp.pipe(texts, batch_size=256)):
        d.user_data["pk_text"] = t
        docs.append(d)
    rules = featurize(docs, tax, np.zeros((len(texts), 1), np.float32), groups=groups).rule_matrix()
    try:
        src_name = str(root.relative_to(config.SHARED_DIR.parent))
    except ValueError:
        src_name = str(root)
    return TransferSet(texts, groups, np.asarray(rules, np.float32), src_name)


def teacher_logits(teacher, ts: TransferSet, progress: bool = False) -> dict[str, np.ndarray]:
    """The teacher's raw head outputs on the transfer set (cached by the teacher's weights, the
    set and the encoder backend)."""
    from ..store import content_key
    from .encoder import backend
    heads = hashlib.sha256(b"".join(np.ascontiguousarray(W).tobytes() + np.ascontiguousarray(b).tobytes()
                                    for _, (W, b) in sorted(teacher.heads_.items()))).hexdigest()
    key = content_key({"teacher": teacher.encoder_id_, "heads": heads, "scale": teacher.rule_scale_.tolist(),
                       "set": ts.digest(), "backend": backend(), "v": 1})
    path = config.interim_dir() / "distill" / f"teacher-{key}.npz"
    if path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    E = teacher.encode(ts.texts, progress=progress)
    lg = teacher.logits(teacher.head_inputs(E, ts.rules))
    from ..store import atomic_write
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as fh:
        np.savez(fh, **lg)
    return lg


def soft_targets(logits: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """Soft targets and masks of transfer sentences from a teacher's raw logits.

    The role is the teacher's softmax; every other head its sigmoids. As for the gold, the risk
    facets are learned on sentences the teacher takes for claims or proposals, instruments and
    addressees on those it takes for proposals.
    """
    z = logits["role"].astype(np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    targets = {"role": (e / e.sum(axis=1, keepdims=True)).astype(np.float32)}
    for h, v in logits.items():
        if h != "role":
            targets[h] = (1 / (1 + np.exp(-v.astype(np.float64)))).astype(np.float32)
    arg = z.argmax(axis=1)
    n = len(arg)
    cp, prop = arg != ROLES.index("other"), arg == ROLES.index("proposal")
    masks = {"role": np.ones(n, bool), "risk": np.ones(n, bool), "risk_domain": cp, "risk_subdomain": cp,
             "instrument": prop, "addressee": prop}
    return targets, {h: masks.get(h, np.ones(n, bool)) for h in targets}



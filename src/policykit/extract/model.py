"""The learned part of the extraction: a fine-tuned sentence encoder with one head per facet,
and a document model that rereads each document's sentences in order.

Architecture::

    sentence ──MiniLM layers 0..k-1 (packaged, frozen)──layers k..5 (fine-tuned)──mean pool──▶ e_i
    sentence model:  x_i = [ e_i, rule features_i ] ──linear heads──▶ logits_i
        heads: role (softmax over claim/proposal/other), risk (any risk at all), risk_domain,
               risk_subdomain, instrument, addressee (one sigmoid per label)
    document model:  [logits_i, rule features_i] for i = 1..n ──BiGRU──▶ new logits_i
                     (:class:`policykit.extract.sequence.DocumentModel`)

Rule features are the cue counts and layout flags of
:meth:`policykit.extract.features.FeatureSet.rule_matrix`: inputs like any other, never
overrides. Losses are masked by the annotation scheme: risk facets on claims and proposals (and
on the MIT risk descriptions, which carry a domain and sometimes a subdomain but no role),
instruments and addressees on proposals only.

The document model is fitted on out-of-fold sentence-model logits of grouped cross-validation
(:mod:`policykit.extract.training`), so it learns how far to trust them on unseen documents.
Sentences of a document get the document model's scores; snippets without a document (
:func:`policykit.extract.classify`) get the sentence model's. Each path has its own
temperatures and thresholds (:mod:`policykit.extract.calibration`), fitted on out-of-fold
scores, never on the rows they are applied to.
"""

from __future__ import annotations

import copy
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import config
from ..errors import InputError
from . import encoder as enc
from .vocab import ROLES

FORMAT_VERSION = 2
#: the heads, in this order in every score table
HEADS = ("role", "risk", "risk_domain", "risk_subdomain", "instrument", "addressee")
#: vectors are multiplied by this before the heads (unit vectors have tiny components)
VEC_SCALE = 20.0


@dataclass
class Scores:
    """Calibrated scores of every label for a run of sentences (rows in input order)."""

    role: np.ndarray            # (n, 3) softmax over ROLES
    risk: np.ndarray            # (n,) probability that the sentence raises any risk
    risk_domain: np.ndarray     # (n, 7)
    risk_subdomain: np.ndarray  # (n, 24)
    instrument: np.ndarray      # (n, 21)
    addressee: np.ndarray       # (n, 6)
    inputs: np.ndarray | None = None           # (n, d_in) sentence-model inputs, for explanations
    sentence_logits: dict | None = None        # the sentence model's logits
    final_logits: dict | None = None           # the logits the scores come from

    def __len__(self) -> int:
        return len(self.role)


def calibrate_logits(logits: dict[str, np.ndarray], calib: dict) -> Scores:
    """Calibrated :class:`Scores` from raw logits: ``calib[head] = (a, b)``; the role is the
    softmax of ``a * logits``, every other head the sigmoid of ``a * logit + b``."""
    z = logits["role"] * calib["role"][0]
    z = z - z.max(axis=1, keepdims=True)
    role = np.exp(z)
    role /= role.sum(axis=1, keepdims=True)

    def sig(h):
        a, b = calib[h]
        return (1.0 / (1.0 + np.exp(-np.clip(a * logits[h] + b, -60, 60)))).astype(np.float32)

    return Scores(role.astype(np.float32), sig("risk")[:, 0], sig("risk_domain"), sig("risk_subdomain"),
                  sig("instrument"), sig("addressee"))


class ExtractionModel:
    """Fine-tuned MiniLM encoder + per-facet heads (scikit-learn conventions).

    Parameters
    ----------
    first_tuned_layer : int
        Layers from this one up are fine-tuned (0-5); the ones below stay packaged.
    epochs, batch_size, lr, head_lr, weight_decay, dropout : training schedule (AdamW, one-cycle).
    rules : bool
        Give the heads the rule features (cue counts, layout flags).
    pos_weight : float
        Positive labels of a multi-label head weigh ``(negatives / positives) ** pos_weight``
        (capped at 30) in its loss, so that rare labels are learned too (0: unweighted).
    label_sum : bool
        Sum a multi-label head's loss over its labels (each label weighs as a binary task of its
        own) instead of averaging it (times the square root of the number of labels).
    seed : int
    threads : int
        torch threads while training (fixed, so that training is deterministic on one machine).
    """

    def __init__(self, first_tuned_layer: int = 3, epochs: int = 8, batch_size: int = 32, lr: float = 1e-4,
                 head_lr: float = 2e-3, weight_decay: float = 0.01, rules: bool = True, dropout: float = 0.1,
                 pos_weight: float = 0.0, label_sum: bool = False, seed: int = config.SEED, threads: int = 2):
        self.first_tuned_layer = first_tuned_layer
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.head_lr = head_lr
        self.weight_decay = weight_decay
        self.rules = rules
        self.pos_weight = pos_weight
        self.label_sum = label_sum
        self.dropout = dropout
        self.seed = seed
        self.threads = threads

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in ("first_tuned_layer", "epochs", "batch_size", "lr", "head_lr",
                                              "weight_decay", "rules", "dropout", "pos_weight", "label_sum",
                                              "seed", "threads")}

    # ------------------------------------------------------------------ layout of the head input
    @property
    def input_dim(self) -> int:
        return self.vector_dim + (self.n_rules_ if self.rules else 0)

    def input_blocks(self) -> list[tuple[str, int, int]]:
        """``(name, start, end)`` of every block of the sentence model's input (a student pooling
        its token vectors two ways has one block per pooling)."""
        from .student import pooling_of
        d = self.vector_dim
        poolings = pooling_of(self.student_) if self.is_student else ("mean",)
        k = d // len(poolings)
        out = [("sentence text" if p == "mean" else f"sentence text ({p} of word vectors)", i * k, (i + 1) * k)
               for i, p in enumerate(poolings)]
        if self.rules:
            out.append(("rules", d, d + self.n_rules_))
        return out

    def head_inputs(self, E: np.ndarray, rule_mat: np.ndarray | None) -> np.ndarray:
        """The sentence model's input of every sentence: its vector and rule features."""
        parts = [np.asarray(E, np.float32) * VEC_SCALE]
        if self.rules:
            R = np.zeros((len(E), self.n_rules_), np.float32) if rule_mat is None else np.asarray(rule_mat, np.float32)
            parts.append(R / self.rule_scale_)
        return np.hstack(parts).astype(np.float32)

    # ------------------------------------------------------------------ fit
    @property
    def taxonomy(self):
        from ..taxonomy import load_taxonomy
        return load_taxonomy()

    def fit(self, texts: Sequence[str], rule_mat: np.ndarray, targets: dict, masks: dict,
            progress: bool = False) -> "ExtractionModel":
        """Fine-tune the encoder and fit the sentence model's heads.

        Parameters
        ----------
        texts : sequence of str
            Sentence texts.
        rule_mat : numpy.ndarray (n, n_rules)
            Rule features of every sentence.
        targets : dict
            ``role`` (n,) int in ROLES order; ``risk`` (n,) float; ``risk_domain`` (n, 7),
            ``risk_subdomain`` (n, 24), ``instrument`` (n, 21), ``addressee`` (n, 6) float.
        masks : dict
            Per head, (n,) bool: which rows carry a target for it.
        """
        import torch
        from tqdm.auto import tqdm
        threads = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            torch.manual_seed(self.seed)
            rng = np.random.default_rng(self.seed)
            texts = [str(t) for t in texts]
            n = len(texts)
            tax = self.taxonomy
            self.labels_ = {"role": list(ROLES), **{f: tax.ids(f) for f in
                                                     ("risk_domain", "risk_subdomain", "instrument", "addressee")}}
            self.subdomain_parent_ = np.array([self.labels_["risk_domain"].index(tax.parent("risk_subdomain", s))
                                               for s in self.labels_["risk_subdomain"]])
            rule_mat = np.asarray(rule_mat, np.float32)
            self.n_rules_ = rule_mat.shape[1]
            self.rule_scale_ = (rule_mat.std(axis=0) + 1e-3).astype(np.float32)
            cache = _bottom_cache(texts, self.first_tuned_layer)
            base = enc.base_encoder()
            net = _Net(base, self.first_tuned_layer, self.input_dim, {h: _head_size(h) for h in HEADS}, self.dropout)
            R = torch.from_numpy(self.head_inputs(np.zeros((n, enc.HIDDEN), np.float32), rule_mat)[:, enc.HIDDEN:])
            opt = torch.optim.AdamW([{"params": net.top.parameters(), "lr": self.lr},
                                     {"params": net.heads.parameters(), "lr": self.head_lr}],
                                    weight_decay=self.weight_decay)
            steps = self.epochs * math.ceil(n / self.batch_size)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[self.lr, self.head_lr], total_steps=steps,
                                                        pct_start=0.1)
            T = {h: torch.as_tensor(np.asarray(targets[h])) for h in HEADS}
            T = {h: (t.long() if h == "role" else t.float()) for h, t in T.items()}
            M = {h: torch.as_tensor(np.asarray(masks[h], bool)) for h in HEADS}
            PW = {}
            if self.pos_weight > 0:
                for h in HEADS[1:]:
                    y = np.asarray(targets[h], np.float64)[np.asarray(masks[h], bool)]
                    pos, neg = y.sum(axis=0) + 1.0, (1.0 - y).sum(axis=0) + 1.0
                    PW[h] = torch.as_tensor(np.clip((neg / pos) ** self.pos_weight, 1.0, 30.0), dtype=torch.float32)
            lengths = np.array([len(c) for c in cache])
            for ep in range(self.epochs):
                net.train()
                batches = _length_batches(rng.permutation(n), lengths, self.batch_size, rng)
                for idx in tqdm(batches, desc=f"training epoch {ep + 1}/{self.epochs}", disable=not progress,
                                leave=False):
                    H, A = _pad(cache, idx)
                    e = net.encode(H, A) * VEC_SCALE
                    x = torch.cat([e, R[idx]], dim=1) if self.rules else e
                    out = net.heads_forward(x)
                    loss = 0.0
                    for h, logit in out.items():
                        m = M[h][idx]
                        if not bool(m.any()):
                            continue
                        if h == "role":
                            l_ = torch.nn.functional.cross_entropy(logit[m], T[h][idx][m])
                        else:
                            tgt = T[h][idx][m]
                            lg = logit[m].reshape(tgt.shape)
                            k = lg.shape[1] if lg.dim() > 1 else 1
                            l_ = torch.nn.functional.binary_cross_entropy_with_logits(lg, tgt, pos_weight=PW.get(h)) * (
                                k if self.label_sum else math.sqrt(k))
                        loss = loss + l_
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    sched.step()
            net.eval()
            self.top_deltas_ = enc.deltas(_full_encoder(base, net), self.first_tuned_layer)
            self.heads_ = {h: (net.heads[h].weight.detach().numpy().astype(np.float32).copy(),
                               net.heads[h].bias.detach().numpy().astype(np.float32).copy()) for h in HEADS}
            self.calibration_ = {h: (1.0, 0.0) for h in HEADS}
            self.encoder_id_ = enc.fingerprint(self.top_deltas_)
            self._encoder = None
        finally:
            torch.set_num_threads(threads)
        return self

    # ------------------------------------------------------------------ inference
    @property
    def vector_dim(self) -> int:
        """Length of this model's sentence vectors (a student's: its projection's output)."""
        return int(self.student_.shape[1]) if self.is_student else enc.HIDDEN

    @property
    def is_student(self) -> bool:
        """Whether the encoder is the fast tier's static student (:mod:`policykit.extract.student`)."""
        return getattr(self, "student_", None) is not None

    @property
    def embedding_name(self) -> str:
        """Name of this model's sentence vectors in :mod:`policykit.embed` (cache key)."""
        if self.is_student:
            return f"extract-student-{self.encoder_id_}"
        return f"extract-{self.encoder_id_}" if enc.backend() == "torch" else f"extract-{self.encoder_id_}-onnx"

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """L2-normalised sentence vectors of ``texts``: the tuned encoder's (fixed-shape batches),
        or for a student its projected static vectors."""
        if self.is_student:
            from .student import pooling_of, project, static_vectors
            return project(static_vectors(texts, pooling_of(self.student_)), self.student_)
        session = enc.onnx_session(self.encoder(), self.encoder_id_) if enc.backend() == "onnx" else None
        return enc.encode(self.encoder(), list(texts), progress=progress, session=session)

    def encoder(self):
        """The tuned :class:`~policykit.extract.encoder.MiniBert` (loaded once; None for a student)."""
        if self.is_student:
            return None
        if getattr(self, "_encoder", None) is None:
            self._encoder = enc.load_tuned(self.top_deltas_)
        return self._encoder

    def logits(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """The sentence model's raw head outputs for its inputs ``X`` (:meth:`head_inputs`)."""
        return {h: X @ W.T + b for h, (W, b) in self.heads_.items()}

    def document_inputs(self, logits: dict[str, np.ndarray], rule_mat: np.ndarray | None) -> np.ndarray:
        """The document model's input: the sentence model's logits and the rule features."""
        n = len(logits["role"])
        R = np.zeros((n, self.n_rules_), np.float32) if rule_mat is None else np.asarray(rule_mat, np.float32)
        return np.hstack([logits[h] for h in HEADS] + [R / self.rule_scale_]).astype(np.float32)

    def score(self, E: np.ndarray, rule_mat: np.ndarray | None, groups: Sequence[str] | None = None) -> Scores:
        """Calibrated scores of sentences.

        With ``groups`` (the document of every sentence, rows of a document contiguous and in
        order) and a document model, each document is reread by it; without, every row is scored
        on its own by the sentence model (snippets).
        """
        X = self.head_inputs(E, rule_mat)
        lg = self.logits(X)
        final, temps = lg, self.calibration_
        doc = getattr(self, "doc_model_", None)
        if groups is not None and doc is not None and len(X):
            from .sequence import _runs
            D = self.document_inputs(lg, rule_mat)
            final = {h: np.zeros_like(v) for h, v in lg.items()}
            for s, e in _runs(list(groups)):
                out = doc.logits(D[s:e])
                for h in HEADS:
                    final[h][s:e] = out[h]
            temps = self.doc_calibration_
        sc = calibrate_logits(final, temps)
        sc.inputs = X
        sc.sentence_logits = lg
        sc.final_logits = final
        return sc

    # ------------------------------------------------------------------ persistence
    def save(self, directory: str | Path, extra_meta: dict | None = None) -> Path:
        """Write ``encoder.safetensors`` (fp16 deltas), ``heads.safetensors`` and ``model.json``."""
        from safetensors.numpy import save_file
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        heads = {}
        for h, (W, b) in self.heads_.items():
            heads[f"{h}.weight"] = W
            heads[f"{h}.bias"] = b
        heads["rule_scale"] = self.rule_scale_
        for k, v in (getattr(self, "arrays_", None) or {}).items():
            heads[k] = v
        doc = getattr(self, "doc_model_", None)
        if doc is not None:
            heads.update(doc.to_arrays())
        meta = {"format_version": FORMAT_VERSION, "params": self.get_params(), "n_rules": int(self.n_rules_),
                "calibration": {h: list(v) for h, v in self.calibration_.items()}, "encoder_id": self.encoder_id_, "labels": self.labels_,
                "subdomain_parent": [int(x) for x in self.subdomain_parent_],
                "thresholds": getattr(self, "thresholds_", {}), "rule_features": list(getattr(self, "rule_names_", [])),
                "memory_ids": list(getattr(self, "memory_ids_", [])),
                "document_model": None if doc is None else {"params": doc.get_params(), "sizes": doc.sizes_,
                                                            "calibration": {h: list(v) for h, v in
                                                                            self.doc_calibration_.items()},
                                                            "thresholds": self.doc_thresholds_},
                **(extra_meta or {})}
        enc_file = "student.safetensors" if self.is_student else "encoder.safetensors"
        meta["encoder"] = "student" if self.is_student else "tuned"
        tmp = {name: d / (name + ".tmp") for name in (enc_file, "heads.safetensors", "model.json")}
        enc_arrays = {"projection": self.student_} if self.is_student else self.top_deltas_
        save_file({k: np.ascontiguousarray(v) for k, v in enc_arrays.items()}, str(tmp[enc_file]))
        save_file({k: np.ascontiguousarray(v) for k, v in heads.items()}, str(tmp["heads.safetensors"]))
        for stale in ({"encoder.safetensors", "student.safetensors"} - {enc_file}):
            if (d / stale).exists():
                (d / stale).unlink()
        tmp["model.json"].write_text(json.dumps(meta, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                                     encoding="utf-8")
        for name, p in tmp.items():
            os.replace(p, d / name)
            os.chmod(d / name, 0o644)
        return d

    @classmethod
    def load(cls, directory: str | Path) -> "ExtractionModel":
        """Load a model written by :meth:`save` (safetensors + JSON, no pickle)."""
        from safetensors.numpy import load_file
        d = Path(directory)
        enc_file = "student.safetensors" if (d / "student.safetensors").exists() else "encoder.safetensors"
        files = [d / n for n in (enc_file, "heads.safetensors", "model.json")]
        if not all(f.exists() for f in files):
            raise InputError(d, "no trained extraction model here (encoder.safetensors or student.safetensors, "
                                "heads.safetensors, model.json)", "run `policykit train` to rebuild the shipped models")
        meta = json.loads(files[2].read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise InputError(files[2], f"model format {meta.get('format_version')} is not {FORMAT_VERSION}",
                             "run `policykit train` to rebuild it")
        m = cls(**meta["params"])
        m.n_rules_ = int(meta["n_rules"])
        m.calibration_ = {h: (float(v[0]), float(v[1])) for h, v in meta["calibration"].items()}
        m.encoder_id_ = meta["encoder_id"]
        enc_arrays = load_file(str(files[0]))
        if enc_file == "student.safetensors":
            m.student_ = enc_arrays["projection"].astype(np.float32)
            m.top_deltas_ = {}
        else:
            m.top_deltas_ = enc_arrays
            m.student_ = None
        a = load_file(str(files[1]))
        m.heads_ = {h: (a[f"{h}.weight"].astype(np.float32), a[f"{h}.bias"].astype(np.float32)) for h in HEADS}
        m.thresholds_ = dict(meta.get("thresholds", {}))
        m.rule_scale_ = a["rule_scale"].astype(np.float32)
        m.arrays_ = {k: v for k, v in a.items() if k.startswith("memory.")}
        dm = meta.get("document_model")
        m.doc_model_ = None
        if dm:
            from .sequence import DocumentModel
            m.doc_model_ = DocumentModel.from_arrays(a, dm["params"], dm["sizes"])
            m.doc_calibration_ = {h: (float(v[0]), float(v[1])) for h, v in dm["calibration"].items()}
            m.doc_thresholds_ = dict(dm["thresholds"])
        m.labels_ = meta["labels"]
        tax = m.taxonomy
        for facet, have in m.labels_.items():
            if facet != "role" and tax.ids(facet) != have:
                raise InputError(files[2], f"the model was trained on other {facet} labels than the taxonomy has",
                                 "run `policykit train` after changing the taxonomy")
        m.subdomain_parent_ = np.asarray(meta["subdomain_parent"])
        m.thresholds_ = dict(meta.get("thresholds", {}))
        m.rule_names_ = list(meta.get("rule_features", []))
        m.memory_ids_ = list(meta.get("memory_ids", []))
        m.meta_ = meta
        m._encoder = None
        return m


def _head_size(h: str) -> int:
    from ..taxonomy import load_taxonomy
    if h == "role":
        return len(ROLES)
    if h == "risk":
        return 1
    return len(load_taxonomy().ids(h))


# ----------------------------------------------------------------------------- torch helpers
def _bottom_cache(texts: Sequence[str], first_tuned: int) -> list:
    """Hidden states after the frozen layers for every text (computed once per fit)."""
    import torch
    base = enc.base_encoder()
    ids = enc.token_ids(texts)
    out: list = [None] * len(ids)
    order = np.argsort([len(x) for x in ids], kind="stable")
    with torch.inference_mode():
        for b in range(0, len(order), 64):
            idx = order[b:b + 64]
            L = max(len(ids[i]) for i in idx)
            t = torch.zeros((len(idx), L), dtype=torch.long)
            a = torch.zeros((len(idx), L), dtype=torch.long)
            for r, i in enumerate(idx):
                t[r, :len(ids[i])] = torch.from_numpy(ids[i])
                a[r, :len(ids[i])] = 1
            h = base.run_layers(base.embed_tokens(t), a, 0, first_tuned)
            for r, i in enumerate(idx):
                out[i] = h[r, :len(ids[i])].clone()
    return out


def _pad(cache: list, idx) -> tuple:
    import torch
    L = max(cache[i].shape[0] for i in idx)
    H = torch.zeros((len(idx), L, enc.HIDDEN))
    A = torch.zeros((len(idx), L), dtype=torch.long)
    for r, i in enumerate(idx):
        k = cache[i].shape[0]
        H[r, :k] = cache[i]
        A[r, :k] = 1
    return H, A


def _length_batches(perm: np.ndarray, lengths: np.ndarray, bs: int, rng) -> list[np.ndarray]:
    """Batches of similar length (sorted within chunks of 50 batches), in random order."""
    batches = []
    for c in range(0, len(perm), bs * 50):
        ch = perm[c:c + bs * 50]
        ch = ch[np.argsort(lengths[ch], kind="stable")]
        batches += [ch[i:i + bs] for i in range(0, len(ch), bs)]
    order = rng.permutation(len(batches))
    return [batches[i] for i in order]


def _encode_cached(net, cache: list) -> np.ndarray:
    import torch
    n = len(cache)
    out = np.zeros((n, enc.HIDDEN), np.float32)
    order = np.argsort([c.shape[0] for c in cache], kind="stable")
    net.eval()
    with torch.inference_mode():
        for b in range(0, n, 64):
            sel = order[b:b + 64]
            H, A = _pad(cache, sel)
            out[sel] = net.encode(H, A).numpy()
    return out


class _NetMixin:
    pass


def _Net(base, first_tuned: int, d_in: int, sizes: dict, dropout: float):
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.base = base
            self.top = copy.deepcopy(base.layers[first_tuned:])
            self.drop = nn.Dropout(dropout)
            self.heads = nn.ModuleDict({h: nn.Linear(d_in, k) for h, k in sizes.items()})

        def encode(self, H, A):
            m = self.base.additive_mask(A)
            for layer in self.top:
                H = layer(H, m)
            return self.base.pool(H, A)

        def heads_forward(self, x):
            x = self.drop(x)
            return {h: lin(x) for h, lin in self.heads.items()}

    net = Net()
    for p in net.base.parameters():
        p.requires_grad_(False)
    return net


def _full_encoder(base, net):
    """The packaged encoder with the net's tuned top layers in place."""
    full = copy.deepcopy(base)
    k = len(full.layers) - len(net.top)
    for i, layer in enumerate(net.top):
        full.layers[k + i].load_state_dict(layer.state_dict())
    return full

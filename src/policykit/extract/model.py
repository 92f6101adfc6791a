"""The learned scorers of the extraction, fitted together as one :class:`ExtractionModel`.

All scorers are logistic regressions on the same transparent inputs:

``role``
    multinomial over claim / proposal / other on ``[embedding, role cue groups, structure,
    context]`` (context = the same cues of the previous and next sentence), fitted on body
    sentences of the gold (non-body sections are `other` by rule).
``mit_domain`` / ``mit_subdomain``
    multinomial classifiers of the MIT AI Risk Repository's risk descriptions (domains; and
    subdomains, with the gold risk sentences added) on the embedding alone.
``risk_domain``
    one binary head per domain on ``[embedding, the domain's cue count, the MIT classifier's
    probability of the domain]`` for the sentence and its neighbours, fitted on the gold
    claim and proposal sentences.
``risk_subdomain``
    within an assigned domain, the subdomain shares of the MIT subdomain classifier adjusted
    by the subdomains' cue counts.
``instrument``
    one shared head over (sentence, instrument) pairs with label-specific evidence: cue hits,
    similarity to the instrument's description, similarity to the nearest gold proposals with
    that instrument (other documents only, when fitting), and per-label cue reliability; fitted
    on the gold proposals without class re-weighting (so its scores are calibrated and it also
    scores rare instruments).
``addressee``
    one binary head per addressee on ``[embedding, addressee cues anywhere / before the first
    deontic cue / in the opening words, role cue groups]``, fitted on the gold proposals.

Artefacts are stored as ``weights.safetensors`` (arrays) + ``model.json`` (names, labels,
hyper-parameters, provenance); nothing is pickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import config
from ..errors import InputError
from ..taxonomy import Taxonomy, load_taxonomy
from .components import STRUCT_FEATURES
from .features import ADDR_POSITIONS, FeatureSet

FORMAT_VERSION = 1
_CROSSFIT_CACHE: dict = {}
ROLES = ("claim", "proposal", "other")
PAIR_FEATURES = ("cue count", "cue present", "description similarity", "description margin",
                 "nearest example similarity", "top-3 example similarity", "nearest example margin",
                 "top-3 example margin", "share of the sentence's instrument cues", "log examples")


# ----------------------------------------------------------------------------- linear heads
@dataclass
class LinearHead:
    """A fitted linear model in plain arrays (softmax over classes, or one sigmoid)."""

    coef: np.ndarray          # (k, d) or (1, d)
    intercept: np.ndarray     # (k,) or (1,)
    kind: str                 # "softmax" | "sigmoid"

    @classmethod
    def fit(cls, X, y, *, C: float, kind: str, class_weight="balanced", sample_weight=None,
            classes=None) -> "LinearHead":
        from sklearn.linear_model import LogisticRegression
        lr = LogisticRegression(C=C, max_iter=5000, class_weight=class_weight)
        lr.fit(X, y, sample_weight=sample_weight)
        coef, icpt = lr.coef_.astype(np.float32), lr.intercept_.astype(np.float32)
        if kind == "softmax" and classes is not None:
            full_c = np.zeros((len(classes), X.shape[1]), np.float32)
            full_i = np.full(len(classes), -30.0, np.float32)
            if len(lr.classes_) == 2:  # sklearn stores one row for two classes: z(c1) - z(c0)
                c0, c1 = (int(c) for c in lr.classes_)
                full_c[c0], full_i[c0] = 0.0, 0.0
                full_c[c1], full_i[c1] = coef[0], icpt[0]
            else:
                for r, c in enumerate(lr.classes_):
                    full_c[int(c)], full_i[int(c)] = coef[r], icpt[r]
            coef, icpt = full_c, full_i
        return cls(coef, icpt, kind)

    def decision(self, X) -> np.ndarray:
        return X @ self.coef.T + self.intercept

    def proba(self, X) -> np.ndarray:
        z = self.decision(X)
        if self.kind == "sigmoid":
            return 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -40, 40)))
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.coef": self.coef, f"{prefix}.intercept": self.intercept}

    @classmethod
    def from_arrays(cls, arrays: dict, prefix: str, kind: str) -> "LinearHead":
        return cls(np.asarray(arrays[f"{prefix}.coef"], np.float32),
                   np.asarray(arrays[f"{prefix}.intercept"], np.float32), kind)


def _constant_head(d: int, p: float) -> LinearHead:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return LinearHead(np.zeros((1, d), np.float32), np.array([np.log(p / (1 - p))], np.float32), "sigmoid")


# ----------------------------------------------------------------------------- scores
@dataclass
class Scores:
    """Scores of a :class:`FeatureSet` (rows = sentences)."""

    role: np.ndarray          # (n, 3) in ROLES order
    risk_domain: np.ndarray   # (n, n_domains)
    risk_subdomain: np.ndarray  # (n, n_subdomains): P(domain) x share within domain
    sub_share: np.ndarray     # (n, n_subdomains): share within its domain
    instrument: np.ndarray    # (n, n_instruments)
    addressee: np.ndarray     # (n, n_addressees)
    mit_domain: np.ndarray    # (n, n_domains) MIT classifier probabilities
    pair: np.ndarray | None = None  # (n, n_instruments, k) instrument pair features


# ----------------------------------------------------------------------------- the model
class ExtractionModel:
    """All learned scorers of the extraction.

    Parameters
    ----------
    embedding : {"minilm", "static"}
        Sentence-embedding model (see :mod:`policykit.embed`).
    emb_scale : float
        Factor on the (unit-length) embedding relative to the cue features.
    ctx_weight : float
        Factor on the neighbours' features.
    role_C, risk_C, mit_C, inst_C, addr_C : float
        Inverse L2 regularisation strengths of the heads.
    sub_cue_weight : float
        Weight of a subdomain's cue count (log1p) added to the MIT subdomain log-probability.
    gold_weight : float
        Sample weight of a gold risk sentence relative to an MIT description in the subdomain
        classifier.
    mit_weight : float
        Sample weight of an MIT risk description (a positive of its domain, a negative of the
        others) relative to a gold sentence in the risk-domain heads; their MIT-classifier input
        is cross-fitted by framework (``Paper_ID``) so that it is not in-sample. Default 0: in
        grouped CV, 0.2 raised MIT top-domain accuracy of the heads from 0.65 to 0.76 but cut the
        dev-gold risk-domain micro-F1 from 0.73 to 0.57 (the heads then fire on far too many
        essay sentences), so MIT descriptions reach the heads only through the MIT classifier.
    taxonomy_dir : str, optional
        Taxonomy to use (default ``data/taxonomy``).
    """

    def __init__(self, embedding: str = "minilm", emb_scale: float = 2.0, ctx_weight: float = 0.5,
                 role_C: float = 1.0, risk_C: float = 0.3, mit_C: float = 10.0, inst_C: float = 1.0,
                 addr_C: float = 1.0, sub_cue_weight: float = 1.0, gold_weight: float = 3.0,
                 mit_weight: float = 0.0, taxonomy_dir: str | None = None):
        self.embedding = embedding
        self.emb_scale = emb_scale
        self.ctx_weight = ctx_weight
        self.role_C = role_C
        self.risk_C = risk_C
        self.mit_C = mit_C
        self.inst_C = inst_C
        self.addr_C = addr_C
        self.sub_cue_weight = sub_cue_weight
        self.gold_weight = gold_weight
        self.mit_weight = mit_weight
        self.taxonomy_dir = taxonomy_dir

    # ------------------------------------------------------------------ params
    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in ("embedding", "emb_scale", "ctx_weight", "role_C", "risk_C",
                                              "mit_C", "inst_C", "addr_C", "sub_cue_weight", "gold_weight",
                                              "mit_weight", "taxonomy_dir")}

    @property
    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.taxonomy_dir)

    # ------------------------------------------------------------------ design matrices
    def _role_X(self, fs: FeatureSet) -> np.ndarray:
        base = np.hstack([fs.role_cues, fs.struct])
        prev, nxt = fs.context(base)
        w = self.ctx_weight
        return np.hstack([self.emb_scale * fs.emb, base, w * prev, w * nxt]).astype(np.float32)

    def role_feature_names(self) -> list[str]:
        cues = [f"cue:{g.id}" for g in self.taxonomy.role_cues] + [f"layout:{k}" for k in STRUCT_FEATURES]
        return cues + [f"previous {c}" for c in cues] + [f"next {c}" for c in cues]

    def _dom_X(self, fs: FeatureSet, mitp: np.ndarray, d: int) -> np.ndarray:
        cols = np.stack([fs.dom[:, d], mitp[:, d]], axis=1)
        prev, nxt = fs.context(cols)
        w = self.ctx_weight
        return np.hstack([self.emb_scale * fs.emb, cols, w * prev, w * nxt]).astype(np.float32)

    DOM_FEATURES = ("cue count", "MIT-description classifier", "previous cue count",
                    "previous MIT-description classifier", "next cue count", "next MIT-description classifier")

    def _addr_X(self, fs: FeatureSet) -> np.ndarray:
        passive = fs.passive if fs.passive is not None else np.zeros(len(fs), np.float32)
        return np.hstack([self.emb_scale * fs.emb, fs.addr.reshape(len(fs), -1), fs.role_cues,
                          passive[:, None]]).astype(np.float32)

    def addr_feature_names(self) -> list[str]:
        names = [f"addressee cue {a} ({p})" for a in self.taxonomy.ids("addressee") for p in ADDR_POSITIONS]
        return names + [f"cue:{g.id}" for g in self.taxonomy.role_cues] + ["passive after the modal verb"]

    def _pair_X(self, fs: FeatureSet, exclude_groups: bool = False) -> np.ndarray:
        """(n, n_instruments, k) pair features for the instrument head: the label-specific
        evidence of :data:`PAIR_FEATURES`, then the cue-present flag once per label (so the
        head learns how reliable each label's cues are)."""
        n, L = len(fs), len(self.inst_labels_)
        desc = fs.emb @ self.inst_desc_.T                                   # (n, L)
        mem = self.inst_mem_emb_.astype(np.float32)
        sims = fs.emb @ mem.T if len(mem) else np.zeros((n, 0), np.float32)  # (n, m)
        if exclude_groups and len(mem):
            same = fs.groups[:, None] == self.inst_mem_groups_[None, :]
            sims = np.where(same, -1.0, sims)
        Y = self.inst_mem_Y_
        knn1 = np.full((n, L), -1.0, np.float32)
        knn3 = np.full((n, L), -1.0, np.float32)
        for j in range(L):
            pos = np.where(Y[:, j])[0]
            if len(pos):
                sj = sims[:, pos]
                knn1[:, j] = sj.max(axis=1)
                k = min(3, len(pos))
                knn3[:, j] = np.partition(sj, len(pos) - k, axis=1)[:, len(pos) - k:].mean(axis=1)
        cue = fs.inst
        tot = cue.sum(axis=1, keepdims=True)
        prior = np.broadcast_to(np.log1p(Y.sum(axis=0)).astype(np.float32), cue.shape)
        feats = [cue, (cue > 0).astype(np.float32), desc, desc - desc.max(axis=1, keepdims=True), knn1, knn3,
                 knn1 - knn1.max(axis=1, keepdims=True), knn3 - knn3.max(axis=1, keepdims=True),
                 cue / np.maximum(tot, 1e-9), prior]
        base = np.stack(feats, axis=2)                                      # (n, L, 10)
        onehot = np.eye(L, dtype=np.float32)[None, :, :] * (cue > 0).astype(np.float32)[:, :, None]
        return np.concatenate([base, onehot], axis=2).astype(np.float32)

    def pair_feature_names(self) -> list[str]:
        return list(PAIR_FEATURES) + [f"cue present: {lab}" for lab in self.inst_labels_]

    # ------------------------------------------------------------------ fit
    def fit(self, fs: FeatureSet, labels: dict, mit: dict | None = None, *, label_embed=None) -> "ExtractionModel":
        """Fit every scorer.

        Parameters
        ----------
        fs : FeatureSet
            Gold sentences (in document order) with their features.
        labels : dict
            ``role`` (n,) array of role ids; ``risk_domain`` (n, 7), ``risk_subdomain`` (n, 24),
            ``instrument`` (n, 21), ``addressee`` (n, 6) boolean arrays; ``sent_id`` (n,).
        mit : dict, optional
            ``emb`` (m, d), ``domain`` (m,) int index, ``subdomain`` (m,) int index or -1.
        label_embed : callable, optional
            ``texts -> embeddings`` for the instrument descriptions (default :func:`policykit.embed.embed`).
        """
        tax = self.taxonomy
        self.dom_labels_ = tax.ids("risk_domain")
        self.sub_labels_ = tax.ids("risk_subdomain")
        self.inst_labels_ = tax.ids("instrument")
        self.addr_labels_ = tax.ids("addressee")
        self.sub_parent_ = np.array([self.dom_labels_.index(tax.parent("risk_subdomain", s)) for s in self.sub_labels_])
        role = np.asarray(labels["role"])
        body = fs.sections == "body"
        cp = role != "other"
        prop = role == "proposal"
        d = fs.emb.shape[1]
        self.dim_ = d

        # role
        Xr = self._role_X(fs)
        yr = np.array([ROLES.index(r) for r in role])
        self.role_head_ = LinearHead.fit(Xr[body], yr[body], C=self.role_C, kind="softmax", classes=ROLES)

        # MIT classifiers
        Yd = np.asarray(labels["risk_domain"], bool)
        Ys = np.asarray(labels["risk_subdomain"], bool)
        if mit is not None and len(mit["emb"]):
            Em = np.asarray(mit["emb"], np.float32)
            self.mit_dom_head_ = LinearHead.fit(Em, np.asarray(mit["domain"]), C=self.mit_C, kind="softmax",
                                                class_weight=None, classes=self.dom_labels_)
            msub = np.asarray(mit["subdomain"])
            keep = msub >= 0
            Xs, ys, ws = [Em[keep]], [msub[keep]], [np.ones(keep.sum())]
        else:
            self.mit_dom_head_ = LinearHead(np.zeros((len(self.dom_labels_), d), np.float32),
                                            np.zeros(len(self.dom_labels_), np.float32), "softmax")
            Xs, ys, ws = [], [], []
        gr, gc = np.where(Ys & cp[:, None])
        if len(gr):
            Xs.append(fs.emb[gr]); ys.append(gc); ws.append(np.full(len(gr), self.gold_weight))
        if ys and len(np.unique(np.concatenate(ys))) > 1:
            self.mit_sub_head_ = LinearHead.fit(np.vstack(Xs), np.concatenate(ys), C=self.mit_C, kind="softmax",
                                                class_weight=None, sample_weight=np.concatenate(ws),
                                                classes=self.sub_labels_)
        else:
            self.mit_sub_head_ = LinearHead(np.zeros((len(self.sub_labels_), d), np.float32),
                                            np.zeros(len(self.sub_labels_), np.float32), "softmax")

        # risk domains (gold claim + proposal sentences, plus MIT descriptions with a small weight)
        mitp = self.mit_dom_head_.proba(fs.emb)
        mfs = mit.get("fs") if mit is not None else None
        use_mit = mfs is not None and self.mit_weight > 0 and len(mfs)
        if use_mit:
            mit_dom = np.asarray(mit["domain"])
            mit_mitp = self._crossfit_mit(np.asarray(mit["emb"], np.float32), mit_dom,
                                          np.asarray(mit.get("groups", np.arange(len(mit_dom)))))
        self.dom_heads_ = []
        for j in range(len(self.dom_labels_)):
            X = self._dom_X(fs, mitp, j)[cp]
            y = Yd[cp, j]
            w = np.ones(len(y))
            if use_mit:
                X = np.vstack([X, self._dom_X(mfs, mit_mitp, j)])
                y = np.concatenate([y, mit_dom == j])
                w = np.concatenate([w, np.full(len(mfs), self.mit_weight)])
            if y.sum() >= 2 and (~y).sum() >= 2:
                self.dom_heads_.append(LinearHead.fit(X, y, C=self.risk_C, kind="sigmoid", sample_weight=w))
            else:
                self.dom_heads_.append(_constant_head(X.shape[1], (y.sum() + 0.5) / (len(y) + 1)))

        # instruments: pair head over (proposal, instrument)
        from ..embed import embed as _embed
        label_embed = label_embed or (lambda texts: _embed(texts, model=self.embedding, cache=False))
        Yi = np.asarray(labels["instrument"], bool)
        descs = [f"{lab.name}: {lab.description}" for lab in tax.facet("instrument").labels]
        self.inst_desc_ = np.asarray(label_embed(descs), np.float32)
        self.inst_mem_emb_ = fs.emb[prop].astype(np.float16)
        self.inst_mem_Y_ = Yi[prop]
        self.inst_mem_groups_ = fs.groups[prop]
        P = self._pair_X(fs.subset(np.where(prop)[0]), exclude_groups=True)
        self.inst_head_ = LinearHead.fit(P.reshape(-1, P.shape[-1]), Yi[prop].reshape(-1), C=self.inst_C,
                                         kind="sigmoid", class_weight=None)

        # addressees (gold proposals)
        Ya = np.asarray(labels["addressee"], bool)
        Xa = self._addr_X(fs)
        self.addr_heads_ = []
        for j in range(len(self.addr_labels_)):
            y = Ya[prop, j]
            if y.sum() >= 2 and (~y).sum() >= 2:
                self.addr_heads_.append(LinearHead.fit(Xa[prop], y, C=self.addr_C, kind="sigmoid"))
            else:
                self.addr_heads_.append(_constant_head(Xa.shape[1], (y.sum() + 0.5) / (len(y) + 1)))

        # memory of gold sentences for neighbour evidence
        self.mem_emb_ = fs.emb.astype(np.float16)
        self.mem_ids_ = [str(s) for s in labels.get("sent_id", [f"train-{i}" for i in range(len(fs))])]
        self.mem_labels_ = {
            "role": role.tolist(),
            "risk_domain": Yd, "risk_subdomain": Ys, "instrument": Yi, "addressee": Ya,
        }
        self.n_train_ = {"gold_sentences": int(len(fs)), "mit_descriptions": int(0 if mit is None else len(mit["emb"]))}
        return self

    def _crossfit_mit(self, Em: np.ndarray, dom: np.ndarray, groups: np.ndarray, n_splits: int = 5) -> np.ndarray:
        """Out-of-fold MIT-classifier probabilities of the MIT rows (folds grouped by framework).

        Cached per process by the content of the inputs (cross-validation refits the model on
        the same MIT rows many times)."""
        import hashlib
        from sklearn.model_selection import GroupKFold
        h = hashlib.sha256()
        for a in (Em, dom, groups.astype(str)):
            h.update(np.ascontiguousarray(a).tobytes())
        key = (h.hexdigest(), self.mit_C, n_splits, tuple(self.dom_labels_))
        if key in _CROSSFIT_CACHE:
            return _CROSSFIT_CACHE[key]
        out = np.zeros((len(Em), len(self.dom_labels_)), np.float32)
        k = min(n_splits, len(np.unique(groups)))
        if k < 2:
            return self.mit_dom_head_.proba(Em)
        for tr, te in GroupKFold(n_splits=k).split(Em, groups=groups):
            h = LinearHead.fit(Em[tr], dom[tr], C=self.mit_C, kind="softmax", class_weight=None,
                               classes=self.dom_labels_)
            out[te] = h.proba(Em[te])
        if len(_CROSSFIT_CACHE) > 64:
            _CROSSFIT_CACHE.clear()
        _CROSSFIT_CACHE[key] = out
        return out

    # ------------------------------------------------------------------ score
    def score(self, fs: FeatureSet) -> Scores:
        """Scores of every label for every sentence of ``fs``."""
        n = len(fs)
        if n == 0:
            z = lambda k: np.zeros((0, k), np.float32)  # noqa: E731
            return Scores(z(3), z(len(self.dom_labels_)), z(len(self.sub_labels_)), z(len(self.sub_labels_)),
                          z(len(self.inst_labels_)), z(len(self.addr_labels_)), z(len(self.dom_labels_)))
        role = self.role_head_.proba(self._role_X(fs))
        mitp = self.mit_dom_head_.proba(fs.emb)
        dom = np.stack([h.proba(self._dom_X(fs, mitp, j)) for j, h in enumerate(self.dom_heads_)], axis=1)
        subp = self.mit_sub_head_.proba(fs.emb)
        logit = np.log(np.clip(subp, 1e-9, 1.0)) + self.sub_cue_weight * fs.sub
        share = np.zeros_like(logit)
        for j in range(len(self.dom_labels_)):
            cols = np.where(self.sub_parent_ == j)[0]
            z = logit[:, cols] - logit[:, cols].max(axis=1, keepdims=True)
            e = np.exp(z)
            share[:, cols] = e / e.sum(axis=1, keepdims=True)
        sub = share * dom[:, self.sub_parent_]
        P = self._pair_X(fs)
        inst = self.inst_head_.proba(P.reshape(-1, P.shape[-1])).reshape(n, -1)
        Xa = self._addr_X(fs)
        addr = np.stack([h.proba(Xa) for h in self.addr_heads_], axis=1)
        return Scores(role.astype(np.float32), dom.astype(np.float32), sub.astype(np.float32),
                      share.astype(np.float32), inst.astype(np.float32), addr.astype(np.float32),
                      mitp.astype(np.float32), P)

    # ------------------------------------------------------------------ explanations
    def role_contributions(self, fs: FeatureSet, rows, role_idx) -> list[list[tuple[str, float]]]:
        """Top named contributions (weight x value) toward the chosen role for each row."""
        X = self._role_X(fs.subset(rows)) if len(rows) != len(fs) else self._role_X(fs)
        d = self.dim_
        names = self.role_feature_names()
        out = []
        for r, k in enumerate(role_idx):
            w = self.role_head_.coef[k] - self.role_head_.coef.mean(axis=0)
            contrib = w * X[r]
            items = [("embedding", float(contrib[:d].sum()))] + list(zip(names, contrib[d:].tolist()))
            out.append(items)
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, directory: str | Path, extra_meta: dict | None = None) -> Path:
        """Write ``weights.safetensors`` and ``model.json`` into ``directory`` (atomically)."""
        from safetensors.numpy import save_file
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        arrays.update(self.role_head_.arrays("role"))
        arrays.update(self.mit_dom_head_.arrays("mit_domain"))
        arrays.update(self.mit_sub_head_.arrays("mit_subdomain"))
        for j, h in enumerate(self.dom_heads_):
            arrays.update(h.arrays(f"risk_domain.{j}"))
        arrays.update(self.inst_head_.arrays("instrument"))
        for j, h in enumerate(self.addr_heads_):
            arrays.update(h.arrays(f"addressee.{j}"))
        arrays["instrument.descriptions"] = self.inst_desc_
        arrays["instrument.memory_emb"] = self.inst_mem_emb_
        arrays["instrument.memory_Y"] = self.inst_mem_Y_.astype(np.uint8)
        arrays["memory.emb"] = self.mem_emb_
        for f in ("risk_domain", "risk_subdomain", "instrument", "addressee"):
            arrays[f"memory.{f}"] = np.asarray(self.mem_labels_[f], np.uint8)
        arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
        meta = {
            "format_version": FORMAT_VERSION,
            "params": self.get_params(),
            "labels": {"role": list(ROLES), "risk_domain": self.dom_labels_, "risk_subdomain": self.sub_labels_,
                       "instrument": self.inst_labels_, "addressee": self.addr_labels_},
            "dim": self.dim_,
            "memory": {"sent_ids": self.mem_ids_, "roles": self.mem_labels_["role"],
                       "instrument_groups": [str(g) for g in self.inst_mem_groups_]},
            "n_train": self.n_train_,
            **(extra_meta or {}),
        }
        tmp_w, tmp_j = directory / "weights.safetensors.tmp", directory / "model.json.tmp"
        save_file(arrays, str(tmp_w))
        tmp_j.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        import os
        os.replace(tmp_w, directory / "weights.safetensors")
        os.replace(tmp_j, directory / "model.json")
        for f in ("weights.safetensors", "model.json"):
            os.chmod(directory / f, 0o644)
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> "ExtractionModel":
        """Load a model written by :meth:`save` (safetensors + JSON, no pickle)."""
        from safetensors.numpy import load_file
        directory = Path(directory)
        wf, jf = directory / "weights.safetensors", directory / "model.json"
        if not wf.exists() or not jf.exists():
            raise InputError(directory, "no trained extraction model here (weights.safetensors + model.json)",
                             "run `policykit train` to (re)build the shipped models")
        meta = json.loads(jf.read_text(encoding="utf-8"))
        if meta.get("format_version") != FORMAT_VERSION:
            raise InputError(jf, f"model format {meta.get('format_version')} is not {FORMAT_VERSION}",
                             "run `policykit train` to rebuild it")
        a = load_file(str(wf))
        params = meta["params"]
        m = cls(**params)
        labs = meta["labels"]
        m.dom_labels_, m.sub_labels_ = labs["risk_domain"], labs["risk_subdomain"]
        m.inst_labels_, m.addr_labels_ = labs["instrument"], labs["addressee"]
        tax = m.taxonomy
        for facet, have in (("risk_domain", m.dom_labels_), ("risk_subdomain", m.sub_labels_),
                            ("instrument", m.inst_labels_), ("addressee", m.addr_labels_)):
            if tax.ids(facet) != have:
                raise InputError(jf, f"the model was trained on other {facet} labels than the taxonomy has",
                                 "run `policykit train` after changing the taxonomy")
        m.sub_parent_ = np.array([m.dom_labels_.index(tax.parent("risk_subdomain", s)) for s in m.sub_labels_])
        m.dim_ = meta["dim"]
        m.role_head_ = LinearHead.from_arrays(a, "role", "softmax")
        m.mit_dom_head_ = LinearHead.from_arrays(a, "mit_domain", "softmax")
        m.mit_sub_head_ = LinearHead.from_arrays(a, "mit_subdomain", "softmax")
        m.dom_heads_ = [LinearHead.from_arrays(a, f"risk_domain.{j}", "sigmoid") for j in range(len(m.dom_labels_))]
        m.inst_head_ = LinearHead.from_arrays(a, "instrument", "sigmoid")
        m.addr_heads_ = [LinearHead.from_arrays(a, f"addressee.{j}", "sigmoid") for j in range(len(m.addr_labels_))]
        m.inst_desc_ = a["instrument.descriptions"].astype(np.float32)
        m.inst_mem_emb_ = a["instrument.memory_emb"]
        m.inst_mem_Y_ = a["instrument.memory_Y"].astype(bool)
        m.inst_mem_groups_ = np.asarray(meta["memory"]["instrument_groups"], dtype=object)
        m.mem_emb_ = a["memory.emb"]
        m.mem_ids_ = meta["memory"]["sent_ids"]
        m.mem_labels_ = {"role": meta["memory"]["roles"],
                         **{f: a[f"memory.{f}"].astype(bool) for f in ("risk_domain", "risk_subdomain",
                                                                       "instrument", "addressee")}}
        m.n_train_ = meta.get("n_train", {})
        m.meta_ = meta
        return m


def model_dir(embedding: str = "minilm") -> Path:
    """Directory of the shipped model for an embedding model."""
    return config.MODELS_DIR / f"extract-{embedding}"


_LOADED: dict[str, ExtractionModel] = {}


def load_model(embedding: str = "minilm", directory: str | Path | None = None) -> ExtractionModel:
    """The shipped (or given) extraction model, loaded once per process."""
    d = Path(directory) if directory is not None else model_dir(embedding)
    key = str(d.resolve())
    if key not in _LOADED:
        _LOADED[key] = ExtractionModel.load(d)
    return _LOADED[key]

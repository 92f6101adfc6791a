"""Fitting, grouped cross-validation and training of the shipped extraction model.

``policykit train`` runs :func:`train`: grouped cross-validation over the training documents
(both the report essays and the governance documents, and the MIT risk descriptions grouped by
framework) gives out-of-fold scores; temperatures and decision thresholds are fitted on those
(:mod:`policykit.extract.calibration`); the model is then fitted on everything and saved with
them. ``policykit evaluate --cv`` reuses the same out-of-fold scores (cached by content) and adds
the cross-genre checks.

Everything is seeded; on one machine the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import config
from ..errors import InputError
from ..taxonomy import load_taxonomy
from .data import TrainingData, label_matrix, load_training
from .features import featurize, rule_feature_names
from .encoder import use_backend
from .model import HEADS, VEC_SCALE, ExtractionModel
from .vocab import ROLES

#: shipped model directory
MODEL_NAME = "extract-minilm"
#: bump when the meaning of cached fold results changes
CV_VERSION = "cv1"
FACET_HEADS = ("risk_domain", "risk_subdomain", "instrument", "addressee")


@dataclass
class Matrices:
    """The training set as arrays: units first (in document order), then the MIT descriptions."""

    texts: list[str]
    groups: list[str]
    rules: np.ndarray
    targets: dict
    masks: dict
    has_context: np.ndarray
    n_units: int
    unit_ids: list[str]
    source_set: np.ndarray
    genre: np.ndarray
    mit_groups: np.ndarray
    mit_domain: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def digest(self) -> str:
        h = hashlib.sha256()
        for t, g in zip(self.texts, self.groups):
            h.update(t.encode())
            h.update(b"\x00")
            h.update(g.encode())
            h.update(b"\x01")
        for k in sorted(self.targets):
            h.update(np.ascontiguousarray(self.targets[k]).tobytes())
            h.update(np.ascontiguousarray(self.masks[k]).tobytes())
        return h.hexdigest()[:20]


def matrices(td: TrainingData) -> Matrices:
    """Texts, document keys, rule features, targets and masks of the training data."""
    from .pipeline import build_pipeline
    tax = load_taxonomy()
    U, mit = td.units, td.mit
    nU, nM = len(U), len(mit)
    texts = U["text"].astype(str).tolist() + mit["text"].astype(str).tolist()
    groups = U["doc_id"].astype(str).tolist() + [f"mit:{i}" for i in range(nM)]
    nlp = build_pipeline()
    docs = []
    for t, d in zip(texts, nlp.pipe(texts, batch_size=256)):
        d.user_data["pk_text"] = t
        docs.append(d)
    fs = featurize(docs, tax, np.zeros((len(texts), 1), np.float32), groups=groups)
    role = np.array([ROLES.index(r) for r in U["role"]] + [0] * nM)
    is_u = np.r_[np.ones(nU, bool), np.zeros(nM, bool)]
    cp = is_u & (role != ROLES.index("other"))
    prop = is_u & (role == ROLES.index("proposal"))
    dom_ids, sub_ids = tax.ids("risk_domain"), tax.ids("risk_subdomain")
    Yd = np.vstack([label_matrix(U["risk_domains"], dom_ids), np.eye(len(dom_ids), dtype=bool)[
        [dom_ids.index(d) for d in mit["domain"]]]])
    mit_sub = [s if isinstance(s, str) and s in sub_ids else None for s in mit["subdomain"]]
    Ys = np.vstack([label_matrix(U["risk_subdomains"], sub_ids), label_matrix([[s] if s else [] for s in mit_sub],
                                                                              sub_ids)])
    Yi = np.vstack([label_matrix(U["instruments"], tax.ids("instrument")), np.zeros((nM, len(tax.ids("instrument"))), bool)])
    Ya = np.vstack([label_matrix(U["addressees"], tax.ids("addressee")), np.zeros((nM, len(tax.ids("addressee"))), bool)])
    targets = {"role": role, "risk": Yd.any(axis=1).astype(np.float32).reshape(-1, 1),
               "risk_domain": Yd.astype(np.float32), "risk_subdomain": Ys.astype(np.float32),
               "instrument": Yi.astype(np.float32), "addressee": Ya.astype(np.float32)}
    mit_rows = ~is_u
    masks = {"role": is_u, "risk": cp | mit_rows, "risk_domain": cp | mit_rows,
             "risk_subdomain": cp | (mit_rows & np.r_[np.zeros(nU, bool), [s is not None for s in mit_sub]]),
             "instrument": prop, "addressee": prop}
    return Matrices(texts, groups, fs.rule_matrix(), targets, masks, is_u.copy(), nU, U["unit_id"].astype(str).tolist(),
                    U["source_set"].to_numpy(), U["genre"].to_numpy(), mit["paper_id"].astype(str).to_numpy(),
                    np.array([dom_ids.index(d) for d in mit["domain"]]))


def fit(m: Matrices, rows: np.ndarray, progress: bool = False, **params) -> ExtractionModel:
    """An :class:`ExtractionModel` fitted on rows ``rows`` of ``m`` (indices into units + MIT rows)."""
    rows = np.sort(np.asarray(rows))
    sub = {k: v[rows] for k, v in m.targets.items()}
    msk = {k: v[rows] for k, v in m.masks.items()}
    model = ExtractionModel(**params)
    model.fit([m.texts[i] for i in rows], m.rules[rows], sub, msk, progress=progress)
    model.rule_names_ = rule_feature_names(load_taxonomy())
    return model


def predict_logits(model: ExtractionModel, m: Matrices, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The sentence model's raw head outputs for rows of ``m``."""
    rows = np.asarray(rows)
    with use_backend("torch"):  # training is done, and reproduced, with the reference backend
        E = model.encode([m.texts[i] for i in rows])
    return model.logits(model.head_inputs(E, m.rules[rows]))


def fold_assignment(m: Matrices, n_folds: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Fold of every unit (grouped by document, balanced by size, within each source set) and
    of every MIT row (grouped by framework)."""
    from sklearn.model_selection import GroupKFold
    uf = np.zeros(m.n_units, int)
    for s in np.unique(m.source_set):
        idx = np.where(m.source_set == s)[0]
        g = np.asarray(m.groups)[idx]
        k = min(n_folds, len(np.unique(g)))
        for f, (_, te) in enumerate(GroupKFold(n_splits=k).split(idx, groups=g)):
            uf[idx[te]] = f
    mf = np.zeros(len(m) - m.n_units, int)
    k = min(n_folds, len(np.unique(m.mit_groups)))
    for f, (_, te) in enumerate(GroupKFold(n_splits=k).split(m.mit_groups, groups=m.mit_groups)):
        mf[te] = f
    return uf, mf


def _cache_dir() -> Path:
    return config.interim_dir() / "cv"


def _save_npz(path: Path, **arrays) -> None:
    """Write a cache file atomically (a crash never leaves a half-written one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def cross_validate(m: Matrices, n_folds: int = 5, progress: bool = False, cache: bool = True,
                   **params) -> dict:
    """Out-of-fold logits of every unit and MIT row under grouped cross-validation.

    Returns ``{"logits": {head: (n, k)}, "unit_fold": (n_units,), "mit_fold": (n_mit,)}``;
    cached under ``config.interim_dir()/cv`` by the content of the data and the parameters.
    """
    params = {**ExtractionModel().get_params(), **params}
    key = hashlib.sha256(json.dumps({"data": m.digest(), "params": params, "folds": n_folds, "v": CV_VERSION},
                                    sort_keys=True).encode()).hexdigest()[:20]
    path = _cache_dir() / f"oof-{key}.npz"
    fold_dir = _cache_dir() / f"folds-{key}"
    if cache and path.exists() and (fold_dir / "fold-0" / "model.json").exists():
        with np.load(path) as z:
            return {"logits": {h: z[h] for h in HEADS}, "unit_fold": z["unit_fold"], "mit_fold": z["mit_fold"],
                    "mit_classify": z["mit_classify"], "fold_dir": str(fold_dir)}
    from .api import classify
    dom_ids = load_taxonomy().ids("risk_domain")
    uf, mf = fold_assignment(m, n_folds)
    out = {h: None for h in HEADS}
    mit_cls = np.full(len(m) - m.n_units, -1)
    folds = sorted(set(uf) | set(mf))
    for f in folds:
        tr = np.r_[np.where(uf != f)[0], m.n_units + np.where(mf != f)[0]]
        te = np.r_[np.where(uf == f)[0], m.n_units + np.where(mf == f)[0]]
        model = fit(m, tr, progress=progress, **params)
        if cache:  # kept for the fast tier's cross-validation (student_cv)
            model.save(fold_dir / f"fold-{f}")
        lg = predict_logits(model, m, te)
        for h, v in lg.items():
            if out[h] is None:
                out[h] = np.zeros((len(m), v.shape[1]), np.float32)
            out[h][te] = v
        mte = np.where(mf == f)[0]
        if len(mte):  # MIT descriptions of held-out frameworks through classify() itself
            got = classify([m.texts[m.n_units + i] for i in mte], model=model)["risk_domains"]
            mit_cls[mte] = [dom_ids.index(d[0]) if len(d) else -1 for d in got]
        if progress:
            print(f"  fold {f + 1}/{len(folds)} done", flush=True)
    res = {"logits": out, "unit_fold": uf, "mit_fold": mf, "mit_classify": mit_cls, "fold_dir": str(fold_dir)}
    if cache:
        _save_npz(path, **out, unit_fold=uf, mit_fold=mf, mit_classify=mit_cls)
    return res


def cached_fit_logits(m: Matrices, train_rows: np.ndarray, test_rows: np.ndarray, *, progress: bool = False,
                      cache: bool = True, **params) -> dict[str, np.ndarray]:
    """Logits of ``test_rows`` from a model fitted on ``train_rows`` (cached by content)."""
    params = {**ExtractionModel().get_params(), **params}
    key = hashlib.sha256(json.dumps({"data": m.digest(), "params": params, "v": CV_VERSION,
                                     "train": hashlib.sha256(np.asarray(train_rows).tobytes()).hexdigest(),
                                     "test": hashlib.sha256(np.asarray(test_rows).tobytes()).hexdigest()},
                                    sort_keys=True).encode()).hexdigest()[:20]
    path = _cache_dir() / f"fit-{key}.npz"
    if cache and path.exists():
        with np.load(path) as z:
            return {h: z[h] for h in HEADS}
    model = fit(m, train_rows, progress=progress, **params)
    lg = predict_logits(model, m, test_rows)
    if cache:
        _save_npz(path, **lg)
    return lg


def attach_memory(model: ExtractionModel, m: Matrices, rows_units: np.ndarray) -> None:
    """Store the training sentences' vectors and labels (nearest-neighbour evidence)."""
    rows_units = np.asarray(rows_units)
    with use_backend("torch"):  # training is done, and reproduced, with the reference backend
        E = model.encode([m.texts[i] for i in rows_units])
    arrays = dict(getattr(model, "arrays_", None) or {})
    arrays["memory.emb"] = E.astype(np.float16)
    arrays["memory.role"] = m.targets["role"][rows_units].astype(np.int8)
    for h in FACET_HEADS:
        arrays[f"memory.{h}"] = (m.targets[h][rows_units] > 0.5).astype(np.uint8)
    model.arrays_ = arrays
    model.memory_ids_ = [m.unit_ids[i] for i in rows_units]


def train(out_dir: str | Path | None = None, *, progress: bool = False, corrections: str | Path | None = None,
          n_folds: int = 5, td: TrainingData | None = None, student: bool = True,
          document_model: bool = False, **params) -> tuple[ExtractionModel, Path, dict]:
    """Cross-validate, calibrate, fit on everything and save the shipped model.

    1. grouped cross-validation of the sentence model: out-of-fold logits of every unit and MIT
       row (:func:`cross_validate`);
    2. with ``document_model``, the document model's out-of-fold logits on top of them
       (:func:`document_cv`). Off by default: in grouped cross-validation it lowered instruments
       and the governance genres and helped only the report's addressees (see ``policykit
       evaluate --cv``), so the shipped model decides sentence by sentence;
    3. temperatures and thresholds (of both paths) from those out-of-fold logits;
    4. the sentence model fitted on everything (and the document model on all out-of-fold
       sentence-model logits); saved with the calibration, the training provenance and the
       per-genre cross-validated scores;
    5. with ``student``, the fast tier (:func:`train_student`), into ``data/models/extract-static``
       (or ``out_dir/fast``).

    Returns the model, its directory and the metadata stored with it.
    """
    from . import crossval
    from .data import read_genres
    td = td if td is not None else load_training(corrections=corrections)
    m = matrices(td)
    params = {**ExtractionModel().get_params(), **params}
    oof = cross_validate(m, n_folds=n_folds, progress=progress, **params)
    doc_oof = document_cv(m, oof) if document_model else None
    units = np.arange(m.n_units)
    temps, ths = crossval.calibrate(oof["logits"], m, np.r_[units, m.n_units + np.arange(len(m) - m.n_units)])
    preds, _ = crossval.crossfit_predictions(oof, m, td, doc_logits=doc_oof)
    table = crossval.genre_table(preds, td, read_genres())
    model = fit(m, np.arange(len(m)), progress=progress, **params)
    model.calibration_, model.thresholds_ = temps, ths
    if document_model:
        model.doc_model_ = fit_document_model(m, oof["logits"], units, model.rule_scale_)
        model.doc_calibration_, model.doc_thresholds_ = crossval.calibrate(crossval.pad_units(doc_oof, m), m, units)
    attach_memory(model, m, units)
    meta = {"training": {"provenance": td.provenance, "seed": params["seed"], "n_folds": n_folds,
                         "cv_by_genre": json.loads(table.to_json(orient="records")),
                         "mit_top_domain_accuracy_cv": crossval.mit_accuracy(oof, m)["accuracy"]}}
    out = Path(out_dir) if out_dir is not None else config.MODELS_DIR / MODEL_NAME
    model.save(out, extra_meta=meta)
    crossval.write_cv_predictions(out, preds, oof, m, td)
    if student:
        _, s_out, s_meta = train_student(model, td, m, oof, None if out_dir is None else Path(out_dir) / "fast",
                                         progress=progress, document_model=document_model)
        meta["student"] = {"path": str(s_out), **s_meta["training"]}
    return model, out, meta


# ----------------------------------------------------------------------------- document model
def _doc_targets(m: Matrices, rows: np.ndarray) -> tuple[dict, dict]:
    return ({h: m.targets[h][rows] for h in HEADS}, {h: m.masks[h][rows] for h in HEADS})


def fit_document_model(m: Matrices, logits: dict, rows: np.ndarray, rule_scale: np.ndarray, **params):
    """A :class:`~policykit.extract.sequence.DocumentModel` fitted on unit rows ``rows`` (whole
    documents, in order) from sentence-model logits ``logits`` (out of fold)."""
    from .sequence import DocumentModel
    rows = np.sort(np.asarray(rows))
    X = document_inputs(logits, m, rows, rule_scale)
    t, k = _doc_targets(m, rows)
    sizes = {h: int(logits[h].shape[1]) for h in HEADS}
    return DocumentModel(**params).fit(X, [m.groups[i] for i in rows], t, k, sizes)


def document_inputs(logits: dict, m: Matrices, rows: np.ndarray, rule_scale: np.ndarray) -> np.ndarray:
    return np.hstack([logits[h][rows] for h in HEADS] + [m.rules[rows] / rule_scale]).astype(np.float32)


def document_logits(doc, logits: dict, m: Matrices, rows: np.ndarray, rule_scale: np.ndarray) -> dict:
    """The document model's logits for unit rows ``rows`` (whole documents, in order)."""
    from .sequence import _runs
    rows = np.sort(np.asarray(rows))
    X = document_inputs(logits, m, rows, rule_scale)
    out = {h: np.zeros((len(rows), logits[h].shape[1]), np.float32) for h in HEADS}
    for s, e in _runs([m.groups[i] for i in rows]):
        got = doc.logits(X[s:e])
        for h in HEADS:
            out[h][s:e] = got[h]
    return out


def rule_scale(m: Matrices) -> np.ndarray:
    """The rule-feature scale the sentence model uses (std over the training rows)."""
    return (m.rules.std(axis=0) + 1e-3).astype(np.float32)


def document_cv(m: Matrices, oof: dict, cache: bool = True, **params) -> dict:
    """Out-of-fold document-model logits of every unit: the model of fold k is fitted on the
    sentence-model out-of-fold logits of the other folds' documents."""
    from .sequence import DocumentModel
    params = {**DocumentModel().get_params(), **params}
    key = hashlib.sha256(json.dumps({"data": m.digest(), "params": params, "v": CV_VERSION,
                                     "oof": hashlib.sha256(oof["logits"]["role"].tobytes()).hexdigest()},
                                    sort_keys=True).encode()).hexdigest()[:20]
    path = _cache_dir() / f"doc-{key}.npz"
    if cache and path.exists():
        with np.load(path) as z:
            return {h: z[h] for h in HEADS}
    uf = oof["unit_fold"]
    scale = rule_scale(m)
    out = {h: np.zeros((m.n_units, oof["logits"][h].shape[1]), np.float32) for h in HEADS}
    for f in np.unique(uf):
        tr, te = np.where(uf != f)[0], np.where(uf == f)[0]
        doc = fit_document_model(m, oof["logits"], tr, scale, **params)
        got = document_logits(doc, oof["logits"], m, te, scale)
        for h in HEADS:
            out[h][te] = got[h]
    if cache:
        _save_npz(path, **out)
    return out


# ----------------------------------------------------------------------------- the fast tier
STUDENT_NAME = "extract-static"


def _student_of(teacher: ExtractionModel, heads: dict) -> ExtractionModel:
    """The fast tier: ``teacher``'s layout (labels, rule features, scales) with ``heads`` fitted on
    static vectors (an identity ``student_`` projection: :func:`policykit.extract.student.identity`)."""
    import copy as _copy
    from .encoder import fingerprint
    from .student import STATIC_DIM, identity
    st = _copy.copy(teacher)
    st.student_ = identity(STATIC_DIM * len(STUDENT_POOLING))
    st.heads_ = heads
    st.top_deltas_ = {}
    st._encoder = None
    st.encoder_id_ = fingerprint({"projection": st.student_, **{f"{h}.w": heads[h][0] for h in HEADS}})
    return st


def static_inputs(m, scale: np.ndarray) -> np.ndarray:
    """The fast tier's head inputs of every row of ``m`` (training matrices or a transfer set:
    anything with ``texts`` and ``rules``): static vectors (:data:`STUDENT_POOLING`) and scaled
    rule features."""
    key = (m.digest(), STUDENT_POOLING)
    if key not in _STATIC:  # the vectors do not depend on the fold: computed once per set
        from .student import identity, project, static_vectors
        if len(_STATIC) >= 4:
            _STATIC.clear()
        S = static_vectors(m.texts, STUDENT_POOLING)
        # exactly what the student's encode() gives (its identity projection renormalises)
        _STATIC[key] = project(S, identity(S.shape[1])) * VEC_SCALE
    return np.hstack([_STATIC[key], m.rules / scale]).astype(np.float32)


#: how the fast tier pools a sentence's static token vectors (:func:`policykit.extract.student.static_vectors`).
#: The mean alone is shipped. The maximum beside it was measured in the same grouped 5-fold CV:
#: on the gold alone (three seeds) it raised risk domains by about 0.025 and subdomains by 0.02
#: and lowered the role by 0.003-0.010; distilled as shipped it gave role 0.707 (mean alone
#: 0.715), domains 0.475 (0.467), subdomains 0.415 (0.401), instruments 0.462 (0.464),
#: addressees 0.506 (0.512), document domains 0.841 (0.852): mixed, so not kept.
STUDENT_POOLING: tuple[str, ...] = ("mean",)


#: static vectors (times VEC_SCALE) of the training matrices and transfer sets seen in this
#: process, by content digest and pooling
_STATIC: dict[tuple, np.ndarray] = {}


def fit_heads(X: np.ndarray, m: Matrices, rows: np.ndarray, *, epochs: int = 40, lr: float = 5e-3,
              weight_decay: float = 1e-4, dropout: float = 0.1, batch_size: int = 64,
              init: dict | None = None, seed: int = config.SEED,
              soft: tuple | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Linear heads (the sentence model's losses: cross-entropy for the role, per-label logistic
    for the rest, on the rows each head is annotated for) fitted on fixed inputs ``X`` of rows
    ``rows`` of ``m``; ``init`` warm-starts them (e.g. from the teacher's heads). Used by the
    fast tier, whose static vectors are not fine-tuned.

    ``soft = (X_extra, targets, masks, weight)`` adds unlabelled rows with a teacher's soft
    targets (:func:`policykit.extract.transfer.soft_targets`: role probabilities, label
    probabilities), each weighing ``weight`` gold rows in the loss (distillation).
    """
    import math

    import torch
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    rows = np.asarray(rows)
    sizes = {h: int(m.targets[h].shape[1]) if m.targets[h].ndim > 1 else (3 if h == "role" else 1) for h in HEADS}
    T, M = {}, {}
    for h in HEADS:
        t = np.asarray(m.targets[h][rows])
        T[h] = np.eye(3, dtype=np.float32)[t.astype(int)] if h == "role" else t.astype(np.float32).reshape(len(rows), -1)
        M[h] = np.asarray(m.masks[h][rows], bool)
    w = np.ones(len(rows), np.float32)
    if soft is not None:
        X_extra, s_targets, s_masks, weight = soft
        X = np.vstack([np.asarray(X[rows], np.float32), np.asarray(X_extra, np.float32)])
        for h in HEADS:
            T[h] = np.vstack([T[h], np.asarray(s_targets[h], np.float32).reshape(len(X_extra), -1)])
            M[h] = np.r_[M[h], np.asarray(s_masks[h], bool)]
        w = np.r_[w, np.full(len(X_extra), weight, np.float32)]
    else:
        X = np.asarray(X[rows], np.float32)
    Xt = torch.from_numpy(np.ascontiguousarray(X))
    T = {h: torch.from_numpy(np.ascontiguousarray(v)) for h, v in T.items()}
    M = {h: torch.from_numpy(v) for h, v in M.items()}
    W = torch.from_numpy(w)
    heads = torch.nn.ModuleDict({h: torch.nn.Linear(X.shape[1], k) for h, k in sizes.items()})
    if init:
        with torch.no_grad():
            for h, (Wi, bi) in init.items():
                heads[h].weight.copy_(torch.from_numpy(np.asarray(Wi, np.float32)))
                heads[h].bias.copy_(torch.from_numpy(np.asarray(bi, np.float32)))
    drop = torch.nn.Dropout(dropout)
    opt = torch.optim.AdamW(heads.parameters(), lr=lr, weight_decay=weight_decay)
    n = len(X)
    steps = epochs * math.ceil(n / batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    for _ in range(epochs):
        perm = rng.permutation(n)
        for b in range(0, n, batch_size):
            idx = torch.from_numpy(perm[b:b + batch_size])
            x = drop(Xt[idx])
            loss = 0.0
            for h, lin in heads.items():
                mk = M[h][idx]
                if not bool(mk.any()):
                    continue
                lg, tg, wk = lin(x[mk]), T[h][idx][mk], W[idx][mk]
                if h == "role":
                    per_row = -(tg * torch.log_softmax(lg, dim=1)).sum(dim=1)
                    loss = loss + (per_row * wk).sum() / wk.sum()
                else:
                    per_row = torch.nn.functional.binary_cross_entropy_with_logits(lg, tg, reduction="none").mean(dim=1)
                    loss = loss + (per_row * wk).sum() / wk.sum() * math.sqrt(lg.shape[1])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return {h: (lin.weight.detach().numpy().astype(np.float32).copy(), lin.bias.detach().numpy().astype(np.float32).copy())
            for h, lin in heads.items()}


#: Epochs of the fast tier's heads over gold + transfer rows (about 25,000 rows; 40 over the gold alone).
DISTILL_EPOCHS = 20


def transfer_set(m: Matrices):
    """The distillation transfer set for the training data ``m`` (None without ``../shared``).

    Documents of the training data, and any sharing its sentences, are left out
    (:func:`policykit.extract.transfer.load_transfer`)."""
    from .transfer import load_transfer
    docs = set(m.groups[:m.n_units])
    return load_transfer(docs, set(m.texts[:m.n_units]))


def _distilled_heads(X: np.ndarray, m: Matrices, rows: np.ndarray, scale: np.ndarray, teacher, ts) -> dict:
    """Heads on the static inputs ``X`` of ``rows`` plus the transfer set labelled by ``teacher``."""
    from .transfer import TRANSFER_WEIGHT, soft_targets, teacher_logits
    if ts is None or teacher is None:
        return fit_heads(X, m, rows)
    t, k = soft_targets(teacher_logits(teacher, ts))
    return fit_heads(X, m, rows, epochs=DISTILL_EPOCHS, soft=(static_inputs(ts, scale), t, k, TRANSFER_WEIGHT))


def student_cv(m: Matrices, oof: dict, cache: bool = True, ts=None) -> dict:
    """Out-of-fold logits of the fast tier, in the accurate tier's folds: heads fitted on the
    static vectors of the other folds' rows (:func:`fit_heads`) score the held-out rows.

    With a transfer set ``ts``, fold ``f``'s heads are also distilled from the accurate model of
    fold ``f`` (saved by :func:`cross_validate` under ``oof["fold_dir"]``), which never saw the
    held-out documents."""
    from .transfer import TRANSFER_WEIGHT
    folds = np.r_[oof["unit_fold"], oof["mit_fold"]].astype(np.int64)
    key = hashlib.sha256(json.dumps({"data": m.digest(), "folds": hashlib.sha256(folds.tobytes()).hexdigest(),
                                     "v": CV_VERSION, "kind": "static-heads", "pooling": list(STUDENT_POOLING),
                                     "transfer": None if ts is None else [ts.digest(), DISTILL_EPOCHS,
                                                                          TRANSFER_WEIGHT],
                                     "teachers": None if ts is None else Path(oof.get("fold_dir") or "").name}).encode()).hexdigest()[:20]
    path = _cache_dir() / f"student-{key}.npz"
    if cache and path.exists():
        with np.load(path) as z:
            return {h: z[h] for h in HEADS}
    teachers = {}
    if ts is not None:
        for f in np.unique(folds):
            d = Path(oof.get("fold_dir") or "") / f"fold-{f}"
            if not (d / "model.json").is_file():
                raise InputError(d, "the accurate model of this cross-validation fold is missing, so the fast tier "
                                    "cannot be distilled in the same folds",
                                 "run `policykit evaluate --cv` (it keeps the fold models) and train again")
            teachers[f] = d
    out = {h: np.zeros_like(oof["logits"][h]) for h in HEADS}
    for f in np.unique(folds):
        tr, te = np.where(folds != f)[0], np.where(folds == f)[0]
        scale = (m.rules[tr].std(axis=0) + 1e-3).astype(np.float32)
        X = static_inputs(m, scale)
        teacher = ExtractionModel.load(teachers[f]) if f in teachers else None
        for h, (W, b) in _distilled_heads(X, m, tr, scale, teacher, ts).items():
            out[h][te] = X[te] @ W.T + b
    if cache:
        _save_npz(path, **out)
    return out


def train_student(teacher: ExtractionModel, td: TrainingData, m: Matrices, oof: dict, out_dir: str | Path | None = None,
                  progress: bool = False, document_model: bool = False,
                  distill: bool = True) -> tuple[ExtractionModel, Path, dict]:
    """The fast tier: linear heads on static model2vec vectors (distilled from the packaged MiniLM)
    and the rule features, fitted on all the gold and, with ``distill``, on the transfer set
    labelled by ``teacher`` (:mod:`policykit.extract.transfer`); calibration and thresholds from
    its own out-of-fold scores in the accurate tier's folds (:func:`student_cv`, each fold
    distilled from that fold's accurate model).

    Without ``../shared`` (no AGORA texts) the heads are fitted on the gold alone, and the model's
    metadata says so. (Projecting static vectors onto the tuned encoder's and reusing its heads
    was tried first: role macro-F1 0.45 in grouped CV, against 0.71 for heads fitted on the
    static vectors.)
    """
    import sys

    from . import crossval
    from .data import read_genres
    ts = transfer_set(m) if distill else None
    if distill and ts is None:
        print("warning: the AGORA texts (../shared/data/agora) are missing: the fast tier is fitted on the gold alone, "
              "without distillation", file=sys.stderr)
    if progress and ts is not None:
        d = ts.describe()
        print(f"  fast tier: distilling on {d['sentences']:,} sentences of {d['documents']} AGORA documents "
              "(six teacher passes, cached)", flush=True)
    s_oof = student_cv(m, oof, ts=ts)
    s_res = {**oof, "logits": s_oof}
    doc_oof = document_cv(m, s_res) if document_model else None
    units = np.arange(m.n_units)
    calib, ths = crossval.calibrate(s_oof, m, np.r_[units, m.n_units + np.arange(len(m) - m.n_units)])
    preds, _ = crossval.crossfit_predictions(s_res, m, td, doc_logits=doc_oof)
    table = crossval.genre_table(preds, td, read_genres())
    X = static_inputs(m, teacher.rule_scale_)
    st = _student_of(teacher, _distilled_heads(X, m, np.arange(len(m)), teacher.rule_scale_, teacher, ts))
    st.calibration_, st.thresholds_ = calib, ths
    if document_model:
        st.doc_model_ = fit_document_model(m, s_oof, units, st.rule_scale_)
        st.doc_calibration_, st.doc_thresholds_ = crossval.calibrate(crossval.pad_units(doc_oof, m), m, units)
    attach_memory(st, m, units)
    from .encoder import backend
    from .transfer import TRANSFER_WEIGHT
    distillation = None if ts is None else {**ts.describe(), "weight": TRANSFER_WEIGHT, "epochs": DISTILL_EPOCHS,
                                            "teacher_encoder": backend(),
                                            "teachers": "the accurate model of each fold (CV) and the shipped one"}
    meta = {"training": {"fast_tier_of": teacher.encoder_id_, "distillation": distillation,
                         "cv_by_genre": json.loads(table.to_json(orient="records"))}}
    out = Path(out_dir) if out_dir is not None else config.MODELS_DIR / STUDENT_NAME
    st.save(out, extra_meta=meta)
    crossval.write_cv_predictions(out, preds, s_res, m, td)
    return st, out, meta


def train_fast_tier(out_dir: str | Path | None = None, *, progress: bool = False, n_folds: int = 5,
                    td: TrainingData | None = None, teacher_dir: str | Path | None = None,
                    distill: bool = True) -> tuple[ExtractionModel, Path, dict]:
    """Retrain only the fast tier, distilled from the shipped accurate model (or ``teacher_dir``).

    The accurate tier's cross-validation (and its fold models, the fold teachers) comes from the
    cache of :func:`cross_validate` when the training data and parameters are unchanged; otherwise
    it is run (five fine-tuning runs).
    """
    td = td if td is not None else load_training()
    m = matrices(td)
    oof = cross_validate(m, n_folds=n_folds, progress=progress)
    d = Path(teacher_dir) if teacher_dir is not None else config.MODELS_DIR / MODEL_NAME
    if not (d / "model.json").is_file():
        raise InputError(d, "no accurate model to distil the fast tier from", "run `policykit train` first")
    return train_student(ExtractionModel.load(d), td, m, oof, out_dir, progress=progress, distill=distill)

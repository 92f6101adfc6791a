"""Honest quality figures of the extraction model: grouped CV per genre, cross-genre checks,
calibration and MIT risk descriptions of unseen frameworks.

All figures come from out-of-fold scores (:func:`policykit.extract.training.cross_validate`):
folds group whole documents (report essays and governance documents alike) and MIT frameworks.
Temperatures and thresholds of fold k are fitted on the out-of-fold scores of the other folds
(:func:`policykit.extract.calibration.crossfit_thresholds`), never on fold k. Decisions apply
the same rules as extraction (:mod:`policykit.extract.decide`).

The two cross-genre checks train on one source only and score the other: *without the report*
(governance documents + MIT rows) scored on the report's dev essays, and *without the
governance set* (report + MIT rows) scored on the governance documents. Their thresholds are
chosen on the training source's own out-of-fold scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluate import score_aligned
from . import calibration as cal
from .decide import choose_labels, imperative_flags, load_thresholds, rule_role
from .model import HEADS
from .vocab import ROLES, STRUCT_FEATURES, UNSPECIFIED

SUMMARY_KEYS = ("role_macro_f1", "risk_domains_micro_f1", "risk_subdomains_micro_f1", "instruments_micro_f1",
                "addressee_micro_f1", "doc_risk_domains_micro_f1", "doc_instruments_micro_f1")
SHORT = {"role_macro_f1": "role", "risk_domains_micro_f1": "domains", "risk_subdomains_micro_f1": "subdomains",
         "instruments_micro_f1": "instruments", "addressee_micro_f1": "addressees",
         "doc_risk_domains_micro_f1": "doc domains", "doc_instruments_micro_f1": "doc instruments"}
#: (threshold name, head, rows it applies to)
THRESHOLD_HEADS = (("risk", "risk", "cp"), ("risk_domain", "risk_domain", "cp"),
                   ("risk_subdomain", "risk_subdomain", "cp"), ("instrument", "instrument", "prop"),
                   ("addressee", "addressee", "prop"))


def _sig(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def calibrate(logits: dict, m, rows: np.ndarray) -> tuple[dict, dict]:
    """Calibration (``head -> (a, b)``) and thresholds fitted on the out-of-fold logits of
    ``rows``: the role's temperature (``a = 1 / T``), Platt scaling of every other head."""
    role = m.targets["role"]
    cp_mask = m.masks["risk_domain"]
    prop_mask = m.masks["instrument"]
    temps = {}
    r_rows = rows[m.masks["role"][rows]]
    temps["role"] = (1.0 / cal.fit_temperature(logits["role"][r_rows], role[r_rows], softmax=True), 0.0)
    for h in HEADS[1:]:
        rr = rows[m.masks[h][rows]]
        temps[h] = cal.fit_platt(logits[h][rr], m.targets[h][rr])
    ths = {}
    for name, h, which in THRESHOLD_HEADS:
        mask = cp_mask if which == "cp" else prop_mask
        rr = rows[mask[rows] & (np.arange(len(mask))[rows] < m.n_units)]
        sc = _apply(logits[h][rr], temps[h])
        gold = m.targets[h][rr] > 0.5
        if name == "addressee":
            alo = np.ones(len(rr), bool)
            ths[name] = cal.choose_threshold(sc, gold, at_least_one=alo)
        else:
            ths[name] = cal.choose_threshold(sc, gold)
    # instrument_top: a proposal with no instrument above the threshold keeps its best one above this
    rr = rows[prop_mask[rows] & (rows < m.n_units)]
    sc = _apply(logits["instrument"][rr], temps["instrument"])
    gold = m.targets["instrument"][rr] > 0.5
    best_f, best_t = -1.0, ths["instrument"]
    for t in [x for x in cal.GRID if x <= ths["instrument"]]:
        pred = sc >= ths["instrument"]
        none = ~pred.any(axis=1) & (sc.max(axis=1) >= t)
        pred[np.where(none)[0], sc[none].argmax(axis=1)] = True
        f = cal.micro_f1(pred, gold)
        if f > best_f + 1e-9:
            best_f, best_t = f, t
    ths["instrument_top"] = float(best_t)
    return temps, ths


def _apply(z, ab):
    return _sig(ab[0] * z + ab[1])


def calibrated_scores(logits: dict, temps: dict, rows: np.ndarray) -> dict:
    """Calibrated score arrays of ``rows``."""
    out = {"role": _softmax(logits["role"][rows] * temps["role"][0])}
    for h in HEADS[1:]:
        out[h] = _apply(logits[h][rows], temps[h])
    out["risk"] = out["risk"][:, 0]
    return out


def decide_rows(scores: dict, m, td, rows: np.ndarray, th: dict, parent: np.ndarray, tax) -> list[dict]:
    """Scorer records for unit rows (same decision rules as extraction)."""
    struct_ix = slice(len(tax.role_cues), len(tax.role_cues) + len(STRUCT_FEATURES))
    units = td.units
    dom, sub, inst, addr = (tax.ids(f) for f in ("risk_domain", "risk_subdomain", "instrument", "addressee"))
    u_idx = addr.index(UNSPECIFIED)
    out = []
    for k, i in enumerate(rows):
        text, section = str(units.at[i, "text"]), str(units.at[i, "section"])
        st = m.rules[i, struct_ix]
        role_score = round(float(np.max(scores["role"][k])), 6)
        if rule_role(text, section, st, th) is not None:
            out.append({"role": "other", "role_score": role_score, "role_rule": True, "risk_domains": [],
                        "risk_subdomains": [], "instruments": [], "addressees": []})
            continue
        role = ROLES[int(np.argmax(scores["role"][k]))]
        if imperative_flags(st, th):
            role = "proposal"
        di, si, ii, ai = choose_labels(role, float(scores["risk"][k]), scores["risk_domain"][k],
                                       scores["risk_subdomain"][k], scores["instrument"][k], scores["addressee"][k],
                                       th, parent, u_idx)
        out.append({"role": role, "role_score": role_score, "role_rule": False,
                    "risk_domains": [dom[j] for j in di], "risk_subdomains": [sub[j] for j in si],
                    "instruments": [inst[j] for j in ii], "addressees": [addr[j] for j in ai]})
    return out


def gold_records(td, rows) -> list[dict]:
    U = td.units
    return [{"essay_id": U.at[i, "doc_id"], "role": U.at[i, "role"], "risk_domains": list(U.at[i, "risk_domains"]),
             "risk_subdomains": list(U.at[i, "risk_subdomains"]), "instruments": list(U.at[i, "instruments"]),
             "addressee": list(U.at[i, "addressees"])} for i in rows]


def pad_units(logits: dict, m) -> dict:
    """Unit-only logits padded with zero rows for the MIT descriptions (row indices of ``m``)."""
    out = {}
    for h, v in logits.items():
        full = np.zeros((len(m), v.shape[1]), np.float32)
        full[:len(v)] = v
        out[h] = full
    return out


def crossfit_predictions(oof: dict, m, td, switches: dict | None = None,
                         doc_logits: dict | None = None) -> tuple[list[dict], dict]:
    """Out-of-fold scorer records of every unit, with temperatures and thresholds fitted per fold on
    the other folds; also returns the per-fold calibration used.

    With ``doc_logits`` (the document model's out-of-fold logits of the units) the decisions are
    those of extraction (sentences read in their document); otherwise the sentence model's."""
    from ..taxonomy import load_taxonomy
    tax = load_taxonomy()
    parent = np.array([tax.ids("risk_domain").index(tax.parent("risk_subdomain", s)) for s in tax.ids("risk_subdomain")])
    uf = oof["unit_fold"]
    logits = oof["logits"] if doc_logits is None else pad_units(doc_logits, m)
    preds: list = [None] * m.n_units
    per_fold = {}
    base = load_thresholds(switches)
    for f in np.unique(uf):
        others = np.where(uf != f)[0]
        temps, ths = calibrate(logits, m, others)
        per_fold[int(f)] = {"calibration": temps, "thresholds": ths}
        te = np.where(uf == f)[0]
        sc = calibrated_scores(logits, temps, te)
        for i, p in zip(te, decide_rows(sc, m, td, te, {**base, **ths}, parent, tax)):
            preds[i] = p
    return preds, per_fold


#: files of out-of-fold predictions written beside a trained model (read by notebook 1.01)
CV_PREDICTIONS_FILE = "cv-predictions.parquet"
CV_MIT_FILE = "cv-mit.parquet"


def cv_prediction_frames(preds: list[dict], oof: dict, m, td) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The out-of-fold predictions as tables: one row per annotated unit (its gold labels,
    ``pred_*`` decisions, ``fold``) and one per MIT risk description (``paper_id, domain,
    predicted, correct``), for auditing the extractor without retraining it."""
    from ..taxonomy import load_taxonomy
    U = td.units
    keep = [c for c in ("unit_id", "doc_id", "sent_id", "source_set", "genre", "doc_type", "section", "text", "role",
                        "risk_domains", "risk_subdomains", "instruments", "addressees") if c in U.columns]
    df = U[keep].copy().reset_index(drop=True)
    df["fold"] = np.asarray(oof["unit_fold"], dtype=int)
    for k in ("role", "role_score", "role_rule", "risk_domains", "risk_subdomains", "instruments", "addressees"):
        df[f"pred_{k}"] = [p.get(k) for p in preds]
    for c in ("risk_domains", "risk_subdomains", "instruments", "addressees", "pred_risk_domains",
              "pred_risk_subdomains", "pred_instruments", "pred_addressees"):
        df[c] = df[c].map(lambda v: sorted(v) if v is not None else [])
    dom = load_taxonomy().ids("risk_domain")
    cls = np.asarray(oof["mit_classify"], dtype=int)
    gold = np.asarray(m.mit_domain, dtype=int)
    mit = pd.DataFrame({"paper_id": [str(g) for g in m.mit_groups], "fold": np.asarray(oof["mit_fold"], dtype=int),
                        "domain": [dom[i] for i in gold],
                        "predicted": [dom[i] if i >= 0 else None for i in cls], "correct": cls == gold})
    return df, mit


def write_cv_predictions(directory, preds: list[dict], oof: dict, m, td) -> None:
    """Write :data:`CV_PREDICTIONS_FILE` and :data:`CV_MIT_FILE` into a model's ``directory``."""
    from pathlib import Path
    units, mit = cv_prediction_frames(preds, oof, m, td)
    d = Path(directory)
    for df, name in ((units, CV_PREDICTIONS_FILE), (mit, CV_MIT_FILE)):
        tmp = d / (name + ".tmp")
        df.to_parquet(tmp, index=False)
        tmp.replace(d / name)


def genre_table(preds: list[dict], td, genres: dict) -> pd.DataFrame:
    """Scores per genre and per source set (rows), scorer metrics (columns)."""
    U = td.units
    rows = []
    groups = [("all training documents", np.arange(len(U)))]
    for s in ("report", "governance"):
        groups.append((f"{s} (all)", np.where(U["source_set"] == s)[0]))
    for g in genres:
        idx = np.where(U["genre"] == g)[0]
        if len(idx) and g != "report":
            groups.append((genres[g].get("label", g), idx))
    for name, idx in groups:
        if not len(idx):
            continue
        r = score_aligned(gold_records(td, idx), [preds[i] for i in idx])["summary"]
        rows.append({"set": name, "documents": int(U["doc_id"].iloc[idx].nunique()), "sentences": int(len(idx)),
                     **{SHORT[k]: r[k] for k in SUMMARY_KEYS}})
    return pd.DataFrame(rows)


def calibration_tables(oof: dict, m, per_fold: dict, doc_logits: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """Expected calibration error per facet (cross-fitted temperatures) and reliability tables."""
    uf = oof["unit_fold"]
    logits = oof["logits"] if doc_logits is None else pad_units(doc_logits, m)
    rows, tables = [], {}
    for h in HEADS:
        sc_all, gold_all = [], []
        for f, c in per_fold.items():
            te = np.where((uf == f) & m.masks[h][:m.n_units])[0]
            if not len(te):
                continue
            if h == "role":
                p = _softmax(logits["role"][te] * c["calibration"]["role"][0])
                g = np.eye(3, dtype=bool)[m.targets["role"][te]]
            else:
                p = _apply(logits[h][te], c["calibration"][h])
                g = m.targets[h][te] > 0.5
            sc_all.append(p.ravel())
            gold_all.append(g.ravel())
        s, g = np.concatenate(sc_all), np.concatenate(gold_all)
        tables[h] = cal.reliability(s, g)
        rows.append({"facet": h, "pairs": int(len(s)), "ECE": cal.expected_calibration_error(s, g)})
    return pd.DataFrame(rows), tables


def mit_accuracy(oof: dict, m) -> dict:
    """Top-domain accuracy on MIT descriptions of frameworks held out of training: through
    ``classify()`` (its first risk domain; none counts as wrong) and, for comparison, the arg-max
    of the domain head."""
    cls = oof["mit_classify"]
    head = oof["logits"]["risk_domain"][m.n_units:].argmax(axis=1)
    n = len(cls)
    return {"n": int(n), "accuracy": float((cls == m.mit_domain).mean()) if n else float("nan"),
            "no_domain": int((cls < 0).sum()), "head_accuracy": float((head == m.mit_domain).mean()) if n else float("nan")}


def format_table(df: pd.DataFrame) -> str:
    show = df.copy()
    for c in show.columns:
        if show[c].dtype.kind == "f":
            show[c] = show[c].map(lambda v: "–" if pd.isna(v) else f"{v:.3f}")
    return show.to_string(index=False)


def cross_genre(m, td, oof: dict, doc_oof: dict | None = None, *, progress: bool = False, cache: bool = True,
                **params) -> pd.DataFrame:
    """Train on one source set (plus all MIT rows), score the other.

    Rows: ``without the report`` (trained on the governance documents, scored on the report's
    dev essays) and ``without the governance set`` (trained on the report, scored on the
    governance documents). Temperatures and thresholds come from the training source's
    out-of-fold scores of the grouped cross-validation, whose folds mixed both sources: a mild
    optimism this check accepts. With ``doc_oof`` the document model (fitted on the training
    source's out-of-fold sentence logits) decides instead of the sentence model.
    """
    from ..taxonomy import load_taxonomy
    from .training import cached_fit_logits, document_logits, fit_document_model, rule_scale
    tax = load_taxonomy()
    parent = np.array([tax.ids("risk_domain").index(tax.parent("risk_subdomain", s)) for s in tax.ids("risk_subdomain")])
    base = load_thresholds(None)
    rows = []
    for name, train_set, test_set in (("without the report: scored on the report's dev essays", "governance", "report"),
                                      ("without the governance set: scored on the governance documents", "report",
                                       "governance")):
        tr_units = np.where(m.source_set == train_set)[0]
        te_units = np.where(m.source_set == test_set)[0]
        tr = np.r_[tr_units, m.n_units + np.arange(len(m) - m.n_units)]
        logits = cached_fit_logits(m, tr, te_units, progress=progress, cache=cache, **params)
        full = {h: np.zeros((len(m), v.shape[1]), np.float32) for h, v in logits.items()}
        for h, v in logits.items():
            full[h][te_units] = v
        if doc_oof is None:
            # the shipped path: the sentence model's scores, calibrated on the training source's
            # out-of-fold logits (and the MIT rows)
            dfull = full
            temps, ths = calibrate(oof["logits"], m, tr)
        else:
            # the document model is fitted on the training source's out-of-fold sentence logits
            scale = rule_scale(m)
            doc = fit_document_model(m, oof["logits"], tr_units, scale)
            dl = document_logits(doc, full, m, te_units, scale)
            dfull = {h: np.zeros((len(m), v.shape[1]), np.float32) for h, v in dl.items()}
            for h, v in dl.items():
                dfull[h][np.sort(te_units)] = v
            # calibration: the document model's out-of-fold logits of the training source's units
            temps, ths = calibrate(pad_units(doc_oof, m), m, tr_units)
        sc = calibrated_scores(dfull, temps, te_units)
        preds = decide_rows(sc, m, td, te_units, {**base, **ths}, parent, tax)
        r = score_aligned(gold_records(td, te_units), preds)["summary"]
        rows.append({"check": name, "documents": int(td.units["doc_id"].iloc[te_units].nunique()),
                     "sentences": int(len(te_units)), **{SHORT[k]: r[k] for k in SUMMARY_KEYS}})
    return pd.DataFrame(rows)

"""Scoring the extraction against gold annotations (by character offsets) and MIT risk rows.

:func:`score_predictions` is a faithful port of ``../shared/tools/score_sentences.py`` (the
scorer that judges the held-back annotations): gold sentences are located in the raw text by
their words, each takes the role of the predicted sentence overlapping it most, and the union of
labels of predicted sentences overlapping at least half of it (or half of which it overlaps).
Its summary keys and values are the scorer's; on top it returns per-label counts and the role
confusion table.

Anything trained on the shipped gold or the MIT rows is scored by grouped cross-validation
(:mod:`policykit.extract.crossval`, ``policykit evaluate --cv``), never in-sample.
"""

from __future__ import annotations

import bisect
import collections
import json
import re
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import config
from .errors import InputError

SET_FACETS = ("risk_domains", "risk_subdomains", "instruments", "addressee")
ROLES = ("claim", "proposal", "other")


# ----------------------------------------------------------------------------- the scorer
def locate(raw: str, gold: list[dict]) -> list[tuple[int, int] | None]:
    """Character spans of gold sentences in ``raw`` (the scorer's search: from the end of the
    previous match, else from the start)."""
    spans: list[tuple[int, int] | None] = []
    pos = 0
    for g in gold:
        words = g["text"].split()
        pat = re.compile(r"\s+".join(re.escape(w) for w in words))
        m = pat.search(raw, pos) or pat.search(raw)
        if not m:
            spans.append(None)
            continue
        spans.append((m.start(), m.end()))
        pos = m.end()
    return spans


def _f1(c) -> float:
    d = 2 * c["tp"] + c["fp"] + c["fn"]
    return 2 * c["tp"] / d if d else float("nan")


def score_predictions(raw: str, preds: list[dict], gold: list[dict], essays: Iterable[str] | None = None) -> dict:
    """Score sentence predictions against gold records exactly as ``score_sentences.py`` does.

    Parameters
    ----------
    raw : str
        The raw text the prediction offsets index into.
    preds : list of dict
        Records with ``start``, ``end``, ``role``, ``risk_domains``, ``risk_subdomains``,
        ``instruments`` and ``addressees`` (or ``addressee``).
    gold : list of dict
        Gold records (``essay_id``, ``text``, ``role``, label lists, ``addressee``).
    essays : iterable of str, optional
        Restrict the gold to these essay ids.

    Returns
    -------
    dict
        ``summary`` (the scorer's keys: ``gold_sentences``, ``unlocated_gold``,
        ``role_accuracy``, ``role_f1``, ``role_macro_f1``, ``<facet>_micro_f1``,
        ``<facet>_macro_f1``, ``doc_risk_domains_micro_f1``, ``doc_instruments_micro_f1``),
        ``per_label`` (DataFrame: facet, label, tp, fp, fn, precision, recall, f1, support),
        ``role_confusion`` (DataFrame, gold roles × predicted roles) and ``doc_per_label``.
    """
    if essays is not None:
        keep = set(essays)
        gold = [g for g in gold if g["essay_id"] in keep]
    spans = locate(raw, gold)
    preds = sorted(preds, key=lambda p: p["start"])
    starts = [p["start"] for p in preds]
    missing = 0
    matched = []
    for g, sp in zip(gold, spans):
        if sp is None:
            missing += 1
            continue
        s, e = sp
        i = max(0, bisect.bisect_right(starts, s) - 1)
        best, best_ov, labels = None, 0, {f: set() for f in SET_FACETS}
        while i < len(preds) and preds[i]["start"] < e:
            p = preds[i]
            ov = min(e, p["end"]) - max(s, p["start"])
            if ov > best_ov:
                best, best_ov = p, ov
            if ov >= 0.5 * (e - s) or (ov > 0 and ov >= 0.5 * (p["end"] - p["start"])):
                for f in SET_FACETS:
                    key = "addressees" if f == "addressee" and "addressees" in p else f
                    labels[f] |= set(p.get(key) or [])
            i += 1
        matched.append((g, best["role"] if best else "missing", labels))
    return score_matched(matched, n_gold=len(gold), unlocated=missing)


def score_aligned(gold: list[dict], preds: list[dict]) -> dict:
    """Score predictions made on the gold units themselves (the i-th prediction is for the i-th
    gold record), by the scorer's rules: the same result as :func:`score_predictions` on records
    whose offsets are the gold spans.

    Gold records need ``essay_id``, ``role`` and the label lists (``addressee`` or
    ``addressees``); predictions ``role`` and the label lists (``addressees`` or ``addressee``).
    """
    matched = []
    for g, p in zip(gold, preds):
        labels = {f: set(p.get("addressees" if f == "addressee" and "addressees" in p else f) or [])
                  for f in SET_FACETS}
        matched.append((g, p["role"], labels))
    return score_matched(matched, n_gold=len(gold), unlocated=0)


def score_matched(matched: list[tuple[dict, str, dict]], *, n_gold: int, unlocated: int) -> dict:
    """The scorer's metrics from ``(gold record, predicted role, predicted label sets)`` triples."""
    role_pairs = []
    setstats = {f: collections.Counter() for f in SET_FACETS}
    perlabel = {f: collections.defaultdict(collections.Counter) for f in SET_FACETS}
    doc_gold = collections.defaultdict(lambda: collections.defaultdict(set))
    doc_pred = collections.defaultdict(lambda: collections.defaultdict(set))
    for g, prole, labels in matched:
        g = dict(g)
        if "addressee" not in g:
            g["addressee"] = g.get("addressees", [])
        role_pairs.append((g["role"], prole))
        for f in setstats:
            gs, ps = set(g.get(f) or []), labels[f]
            if f == "risk_subdomains":
                gs = {x for x in gs if not x.endswith(".0")}
            setstats[f]["tp"] += len(gs & ps)
            setstats[f]["fp"] += len(ps - gs)
            setstats[f]["fn"] += len(gs - ps)
            for lab in gs | ps:
                perlabel[f][lab]["tp"] += lab in gs and lab in ps
                perlabel[f][lab]["fp"] += lab in ps and lab not in gs
                perlabel[f][lab]["fn"] += lab in gs and lab not in ps
            if g["role"] != "other" or f == "risk_domains":
                doc_gold[g["essay_id"]][f] |= gs if g["role"] != "other" else set()
            doc_pred[g["essay_id"]][f] |= ps
    gold = [m[0] for m in matched]
    missing = unlocated
    out: dict = {"gold_sentences": n_gold, "unlocated_gold": missing}
    rf = {}
    for r in ROLES:
        tp = sum(a == r and b == r for a, b in role_pairs)
        fp = sum(a != r and b == r for a, b in role_pairs)
        fn = sum(a == r and b != r for a, b in role_pairs)
        rf[r] = _f1({"tp": tp, "fp": fp, "fn": fn})
    out["role_accuracy"] = sum(a == b for a, b in role_pairs) / len(role_pairs) if role_pairs else float("nan")
    out["role_f1"] = rf
    out["role_macro_f1"] = sum(rf.values()) / 3
    for f in setstats:
        out[f + "_micro_f1"] = _f1(setstats[f])
        labs = [lab for lab in perlabel[f] if perlabel[f][lab]["tp"] + perlabel[f][lab]["fn"] > 0]
        out[f + "_macro_f1"] = sum(_f1(perlabel[f][lab]) for lab in labs) / len(labs) if labs else float("nan")
    doc_rows = []
    for f in ("risk_domains", "instruments"):
        c = collections.Counter()
        for ess in doc_gold:
            gs, ps = doc_gold[ess][f], doc_pred[ess][f]
            c["tp"] += len(gs & ps)
            c["fp"] += len(ps - gs)
            c["fn"] += len(gs - ps)
            for lab in gs | ps:
                doc_rows.append({"facet": f, "essay_id": ess, "label": lab, "gold": lab in gs, "pred": lab in ps})
        out["doc_" + f + "_micro_f1"] = _f1(c)
    rows = []
    for f in setstats:
        for lab, c in sorted(perlabel[f].items()):
            p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
            r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
            rows.append({"facet": f, "label": lab, "tp": c["tp"], "fp": c["fp"], "fn": c["fn"], "precision": p,
                         "recall": r, "f1": _f1(c), "support": c["tp"] + c["fn"]})
    for r in ROLES:
        tp = sum(a == r and b == r for a, b in role_pairs)
        fp = sum(a != r and b == r for a, b in role_pairs)
        fn = sum(a == r and b != r for a, b in role_pairs)
        rows.append({"facet": "role", "label": r, "tp": tp, "fp": fp, "fn": fn,
                     "precision": tp / (tp + fp) if tp + fp else float("nan"),
                     "recall": tp / (tp + fn) if tp + fn else float("nan"),
                     "f1": rf[r], "support": tp + fn})
    pred_roles = list(ROLES) + (["missing"] if any(b == "missing" for _, b in role_pairs) else [])
    conf = pd.DataFrame(0, index=pd.Index(list(ROLES), name="gold"), columns=pd.Index(pred_roles, name="predicted"))
    for a, b in role_pairs:
        if a in conf.index:
            conf.loc[a, b] += 1
    return {"summary": out, "per_label": pd.DataFrame(rows), "role_confusion": conf,
            "doc_per_label": pd.DataFrame(doc_rows, columns=["facet", "essay_id", "label", "gold", "pred"])}


# ----------------------------------------------------------------------------- helpers
def read_gold_records(path: str | Path) -> list[dict]:
    """Gold JSON lines as plain dicts (validated like the training reader)."""
    from .extract.data import read_gold
    df = read_gold(path)
    recs = df.to_dict("records")
    for r in recs:
        r["addressee"] = r.get("addressees", [])
    return recs


def _raw_text(raw_path: str | Path | None) -> str:
    p = Path(raw_path) if raw_path is not None else config.REPORT_RAW
    if not p.exists():
        raise InputError(p, "raw text not found", "give the raw file the gold and predictions index into")
    return p.read_text(encoding="utf-8")


def predictions_from_wide(wide: pd.DataFrame) -> list[dict]:
    """Scorer records (start, end and label lists) from a wide extraction table."""
    cols = ["start", "end", "role", "risk_domains", "risk_subdomains", "instruments", "addressees"]
    missing = [c for c in cols if c not in wide.columns]
    if missing:
        raise InputError(None, f"predictions lack column(s) {', '.join(missing)}",
                         "pass the output of policykit.extract.extract or records with offsets")
    return [{"start": int(r.start), "end": int(r.end), "role": r.role, "risk_domains": list(r.risk_domains or []),
             "risk_subdomains": list(r.risk_subdomains or []), "instruments": list(r.instruments or []),
             "addressees": list(r.addressees or [])} for r in wide[cols].itertuples(index=False)]


def _list_cell(v) -> list:
    """A list column of a CSV written by policykit ("; "-joined, or JSON in older files)."""
    if not isinstance(v, str) or not v.strip():
        return []
    v = v.strip()
    if v.startswith("["):
        return list(json.loads(v))
    return [x.strip() for x in v.split(";") if x.strip()]


def read_predictions(path: str | Path) -> list[dict]:
    """Prediction records from a JSON-lines, CSV or Parquet file written by ``policykit extract``."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "predictions file not found")
    if p.suffix == ".parquet":
        return predictions_from_wide(pd.read_parquet(p))
    if p.suffix == ".csv":
        df = pd.read_csv(p)
        for c in ("risk_domains", "risk_subdomains", "instruments", "addressees"):
            df[c] = df[c].map(_list_cell)
        return predictions_from_wide(df)
    out = []
    with p.open(encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise InputError(p, f"not valid JSON: {e.msg}", line=ln) from None
    return out


def evaluate_gold(wide_or_predictions, gold_path: str | Path | None = None, raw_path: str | Path | None = None,
                  essays: Iterable[str] | None = None) -> dict:
    """Score an extraction against gold sentences by character offsets.

    Parameters
    ----------
    wide_or_predictions : DataFrame, list of dict, or path
        The wide table of :func:`policykit.extract.extract`, scorer records, or a predictions file.
    gold_path : path, optional
        Gold JSON lines (default: the shipped ``data/training/sentences-dev.jsonl``).
    raw_path : path, optional
        The raw text (default: the bundled report).
    essays : iterable of str, optional
        Restrict to these essays.

    Returns
    -------
    dict
        See :func:`score_predictions`.
    """
    from .extract.data import DEV_FILE as GOLD_FILE
    if isinstance(wide_or_predictions, pd.DataFrame):
        preds = predictions_from_wide(wide_or_predictions)
    elif isinstance(wide_or_predictions, (str, Path)):
        preds = read_predictions(wide_or_predictions)
    else:
        preds = list(wide_or_predictions)
    gold = read_gold_records(gold_path or GOLD_FILE)
    return score_predictions(_raw_text(raw_path), preds, gold, essays)


def gold_frame(corpus, gold_path: str | Path | None = None) -> pd.DataFrame:
    """The gold labels in the wide extraction schema, aligned to ``corpus`` sentences.

    Each gold sentence is matched to the corpus sentence of the same document with the same
    text (in order), failing that to the corpus sentence overlapping its location in the raw
    text most (character offsets). Only corpus sentences covered by the gold appear (the dev
    essays and front matter). When several gold sentences fall on one corpus sentence, its
    labels are their union and its role that of the longest. ``role_score`` is 1, ``scores``
    are 1 for every label, ``evidence`` is empty: the frame compares with
    :func:`policykit.extract.extract` output column for column.
    """
    from .extract.data import DEV_FILE, align_gold, read_gold
    gold = read_gold(gold_path or DEV_FILE)
    S = corpus.sentences.reset_index(drop=True)
    gold = gold[gold["essay_id"].isin(set(S["doc_id"]))]
    cols = ["role", "role_score", "risk_domains", "risk_subdomains", "instruments", "addressees", "scores", "evidence"]
    if gold.empty:
        return S.iloc[0:0].assign(**{c: [] for c in cols})
    al = align_gold(corpus, gold.reset_index(drop=True)).dropna(subset=["sent_id"])
    by_sent: dict[str, dict] = {}
    for g in al.itertuples(index=False):
        rec = by_sent.setdefault(g.sent_id, {"role": g.role, "_len": -1, "risk_domains": set(),
                                             "risk_subdomains": set(), "instruments": set(), "addressees": set()})
        if len(g.text) > rec["_len"]:
            rec["role"], rec["_len"] = g.role, len(g.text)
        for c in ("risk_domains", "risk_subdomains", "instruments", "addressees"):
            rec[c] |= set(getattr(g, c) or [])
    rows = []
    for sid, rec in by_sent.items():
        out = {"sent_id": sid, "role": rec["role"], "role_score": 1.0}
        for c in ("risk_domains", "risk_subdomains", "instruments", "addressees"):
            out[c] = sorted(rec[c])
        out["scores"] = {"role": {rec["role"]: 1.0}, "risk_domain": {x: 1.0 for x in out["risk_domains"]},
                         "risk_subdomain": {x: 1.0 for x in out["risk_subdomains"]},
                         "instrument": {x: 1.0 for x in out["instruments"]},
                         "addressee": {x: 1.0 for x in out["addressees"]}}
        out["evidence"] = {}
        rows.append(out)
    lab = pd.DataFrame(rows)
    return S.merge(lab, on="sent_id", how="inner")[list(S.columns) + cols].reset_index(drop=True)


# ----------------------------------------------------------------------------- MIT
def evaluate_mit(csv_path: str | Path, *, model=None, model_dir: str | Path | None = None) -> dict:
    """Top-domain accuracy of :func:`policykit.extract.classify` on MIT risk descriptions.

    Each description is classified on its own (``kind="auto"``); its top domain is the first of
    its ``risk_domains`` (a description without a domain counts as wrong).

    Returns
    -------
    dict
        ``accuracy``, ``n``, ``no_domain``, ``per_domain`` (DataFrame: domain, n, correct,
        accuracy) and ``predictions`` (DataFrame: ev_id, paper_id, domain, predicted, correct).
    """
    from .extract.api import classify
    from .extract.data import read_mit
    mit = read_mit(csv_path)
    got = classify(mit["text"].tolist(), model=model, model_dir=model_dir)["risk_domains"]
    pred = [d[0] if len(d) else None for d in got]
    df = pd.DataFrame({"ev_id": mit["ev_id"], "paper_id": mit["paper_id"], "domain": mit["domain"], "predicted": pred})
    df["correct"] = df["domain"] == df["predicted"]
    per = df.groupby("domain", sort=True)["correct"].agg(["size", "sum"]).reset_index()
    per.columns = ["domain", "n", "correct"]
    per["accuracy"] = per["correct"] / per["n"]
    return {"accuracy": float(df["correct"].mean()) if len(df) else float("nan"), "n": int(len(df)),
            "no_domain": int(df["predicted"].isna().sum()), "per_domain": per, "predictions": df}


def format_report(res: dict) -> str:
    """Human-readable summary of a :func:`score_predictions` result."""
    s = res["summary"]
    lines = [f"gold sentences: {s['gold_sentences']} (unlocated {s['unlocated_gold']})",
             f"role accuracy: {s['role_accuracy']:.3f}   role macro-F1: {s['role_macro_f1']:.3f}   "
             + "  ".join(f"{k} {v:.3f}" for k, v in s["role_f1"].items())]
    for f in SET_FACETS:
        lines.append(f"{f:16s} micro-F1 {s[f + '_micro_f1']:.3f}   macro-F1 {s[f + '_macro_f1']:.3f}")
    lines.append(f"document level: risk domains F1 {s['doc_risk_domains_micro_f1']:.3f}   "
                 f"instruments F1 {s['doc_instruments_micro_f1']:.3f}")
    lines.append("")
    lines.append("role confusion (rows gold, columns predicted):")
    lines.append(res["role_confusion"].to_string())
    pl = res["per_label"]
    if len(pl):
        lines.append("")
        lines.append("per label:")
        show = pl[pl["facet"] != "role"].copy()
        for c in ("precision", "recall", "f1"):
            show[c] = show[c].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
        lines.append(show.to_string(index=False))
    return "\n".join(lines)

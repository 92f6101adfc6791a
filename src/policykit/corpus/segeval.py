"""Measure sentence segmentation against gold sentences, by character offsets.

Gold sentences (``sentences-dev.jsonl``) carry whitespace-collapsed text; they are located in
the raw file in order, as ``tools/score_sentences.py`` does. Two figures are reported:

* **boundary F1**: precision and recall of sentence *end* positions, over the documents the
  gold covers (a boundary is where one sentence ends and the next begins);
* **exact-span F1**: a predicted sentence counts when both its ends match a gold sentence.

:func:`governance_agreement` measures exact agreement with the hand-drawn units of the
governance passages (``sentences-governance.jsonl``): every source text is loaded on its own,
as a user would, and a gold unit is reproduced when a predicted sentence has exactly its span.
It reports documents whose passages were read while writing layout rules apart from those
that were not (:func:`held_out_ids`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from ..evaluate import locate as locate_gold  # the scorer's search, one implementation
from .model import Corpus


def locate_gold_in_docs(corpus: Corpus, gold: list[dict]) -> list[tuple[int, int] | None]:
    """Like :func:`locate_gold`, but each gold sentence is searched inside its own document's span."""
    out: list[tuple[int, int] | None] = []
    bounds = corpus.sentences.groupby("doc_id").agg(start=("start", "min"), end=("end", "max"))
    pos: dict[str, int] = {}
    for g in gold:
        doc = g["essay_id"]
        raw = corpus.raw(doc)
        lo, hi = int(bounds.loc[doc, "start"]), int(bounds.loc[doc, "end"])
        pat = re.compile(r"\s+".join(re.escape(w) for w in g["text"].split()))
        m = pat.search(raw, pos.get(doc, lo), hi) or pat.search(raw, lo, hi)
        if not m:
            out.append(None)
            continue
        out.append((m.start(), m.end()))
        pos[doc] = m.end()
    return out


def read_gold(path: str | Path) -> list[dict]:
    """Gold sentence records from a JSONL file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def segmentation_scores(corpus: Corpus, gold_path: str | Path) -> dict:
    """Boundary and exact-span precision/recall/F1 of ``corpus``'s sentences against gold.

    Only documents that appear in the gold (by ``essay_id`` = ``doc_id``) are scored.

    Returns
    -------
    dict
        ``boundary`` and ``span`` score dicts, ``n_gold``, ``n_pred``, ``unlocated`` and
        ``errors`` (a DataFrame of gold sentences whose span no prediction matches).
    """
    gold = read_gold(gold_path)
    doc_ids = sorted({g["essay_id"] for g in gold} & set(corpus.doc_ids))
    gold = [g for g in gold if g["essay_id"] in doc_ids]
    spans = locate_gold_in_docs(corpus, gold)
    gold_spans = {s for s in spans if s is not None}
    pred = corpus.sentences[corpus.sentences["doc_id"].isin(doc_ids)]
    pred_spans = set(zip(pred["start"], pred["end"]))
    span = _prf(len(gold_spans & pred_spans), len(pred_spans - gold_spans),
                len(gold_spans - pred_spans))
    gold_ends = {e for _s, e in gold_spans}
    pred_ends = {e for _s, e in pred_spans}
    boundary = _prf(len(gold_ends & pred_ends), len(pred_ends - gold_ends),
                    len(gold_ends - pred_ends))
    errors = pd.DataFrame([{"essay_id": g["essay_id"], "n": g["n"], "text": g["text"],
                            "start": s[0] if s else None, "end": s[1] if s else None}
                           for g, s in zip(gold, spans) if s is None or s not in pred_spans])
    return {"boundary": boundary, "span": span, "n_gold": len(gold), "n_pred": len(pred),
            "unlocated": sum(s is None for s in spans), "errors": errors}


# --------------------------------------------------------------------------- governance passages
def held_out_ids(essay_ids, every: int = 3, offset: int = 2) -> list[str]:
    """The documents put aside before writing layout rules: every ``every``-th in sorted order.

    With the defaults, the 3rd, 6th, 9th, ... of the sorted ids (10 of the 31 governance
    documents). Their passages were not read while the rules in ``data/rules/layout.yaml`` were
    written, so their agreement estimates how the rules do on documents they were not tuned on.
    """
    ids = sorted(set(essay_ids))
    return [e for i, e in enumerate(ids) if i % every == offset]


def _document_sentences(path: Path, cache: bool):
    from .load import load

    corpus = load(path, cache=cache, progress=False)
    doc_id = corpus.doc_ids[0]
    return corpus.raw(doc_id), corpus.sentences


def governance_agreement(gold_path: str | Path, documents_path: str | Path | None = None,
                         root: str | Path | None = None, cache: bool = True,
                         held_out: list[str] | None = None) -> pd.DataFrame:
    """Exact sentence agreement with hand-drawn units on governance passages.

    Each gold record names its document (``essay_id``), the source text (``source``, a path
    under ``root``), its ``start``/``end`` offsets into that text and its whitespace-collapsed
    ``text``. Every source file is loaded on its own (``policykit.load(path)``, as a user would)
    and a gold unit counts as reproduced when a predicted sentence has exactly its span.

    Parameters
    ----------
    gold_path : str or Path
        ``sentences-governance.jsonl``.
    documents_path : str or Path, optional
        ``documents-governance.json`` (passage offsets, titles); default: beside ``gold_path``.
    root : str or Path, optional
        Folder the ``source`` paths are relative to; default: the parent of the gold folder.
    cache : bool
        Reuse cached corpus tables.
    held_out : list of str, optional
        Documents to report as "not read"; default :func:`held_out_ids`.

    Returns
    -------
    pandas.DataFrame
        One row per document (``essay_id``, ``split`` = ``read``/``not read``, ``n_gold``,
        ``n_exact``, ``agreement``, ``n_pred`` = predicted sentences inside the passage,
        ``unlocated`` = gold units whose offsets do not match their text), then one row per
        split and an ``all`` row (``essay_id`` = ``(read)``, ``(not read)``, ``(all)``).
    """
    from .model import collapse_ws

    gold_path = Path(gold_path)
    root = Path(root) if root is not None else gold_path.parent.parent
    documents_path = Path(documents_path) if documents_path else gold_path.parent / "documents-governance.json"
    gold = read_gold(gold_path)
    passages = {}
    if documents_path.is_file():
        with open(documents_path, encoding="utf-8") as fh:
            passages = {d["essay_id"]: tuple(d.get("passage") or (0, 0)) for d in json.load(fh)}
    by_doc: dict[str, list[dict]] = {}
    for g in gold:
        by_doc.setdefault(g["essay_id"], []).append(g)
    held = set(held_out if held_out is not None else held_out_ids(by_doc))
    rows = []
    for essay_id in sorted(by_doc):
        recs = by_doc[essay_id]
        raw, sents = _document_sentences(root / recs[0]["source"], cache)
        pred = set(zip(sents["start"].astype(int), sents["end"].astype(int)))
        lo, hi = passages.get(essay_id, (min(g["start"] for g in recs), max(g["end"] for g in recs)))
        n_exact = unlocated = 0
        for g in recs:
            if collapse_ws(raw[g["start"]:g["end"]]) != g["text"]:
                unlocated += 1
                continue
            n_exact += (g["start"], g["end"]) in pred
        n_pred = int(((sents["start"] >= lo) & (sents["end"] <= hi)).sum())
        rows.append({"essay_id": essay_id, "split": "not read" if essay_id in held else "read",
                     "n_gold": len(recs), "n_exact": n_exact, "agreement": n_exact / len(recs),
                     "n_pred": n_pred, "unlocated": unlocated})
    table = pd.DataFrame(rows)
    totals = []
    for name, part in (("(read)", table[table["split"] == "read"]),
                       ("(not read)", table[table["split"] == "not read"]), ("(all)", table)):
        if len(part):
            totals.append({"essay_id": name, "split": name.strip("()"), "n_gold": int(part["n_gold"].sum()),
                           "n_exact": int(part["n_exact"].sum()),
                           "agreement": part["n_exact"].sum() / part["n_gold"].sum(),
                           "n_pred": int(part["n_pred"].sum()), "unlocated": int(part["unlocated"].sum())})
    return pd.concat([table, pd.DataFrame(totals)], ignore_index=True)

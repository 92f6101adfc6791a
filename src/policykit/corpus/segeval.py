"""Measure sentence segmentation against gold sentences, by character offsets.

Gold sentences (``sentences-dev.jsonl``) carry whitespace-collapsed text; they are located in
the raw file in order, as ``tools/score_sentences.py`` does. Two figures are reported:

* **boundary F1**: precision and recall of sentence *end* positions, over the documents the
  gold covers (a boundary is where one sentence ends and the next begins);
* **exact-span F1**: a predicted sentence counts when both its ends match a gold sentence.
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

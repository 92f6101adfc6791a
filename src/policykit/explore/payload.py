"""The explorer's data: one JSON-able dict that the widget and the exported page both render.

Nothing here draws: :func:`build_payload` turns an extraction wide view (plus, optionally, the
corpus and comparison tables) into plain lists and dicts. Sentences are stored column-wise
(``sentences[field][i]``); heat-map cells refer to sentences by their index ``i``.

Heat-map views
--------------
A *view* is one group × label grid: ``{"key", "facet", "by", "title", "values", "groups",
"labels", "cells"}``. Each cell: ``{"g", "l", "n", "s": [sentence indices], <value columns>}``.
:func:`prevalence_cells` computes the views of :func:`policykit.explore` (the point estimates
of :func:`policykit.compare.prevalence`: the same ``n_docs``, ``doc_share``, ``n_sents``,
``sent_share`` and ``sent_ids``, without the bootstrap, so that every facet × grouping opens
at once); :func:`table_views` turns any comparison table with ``label`` and ``sent_ids``
columns into views (its own numbers, intervals included).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..compare._frames import ELIGIBLE_ROLES, FACET_COLUMNS, MISSING_GROUP, documents_frame, group_values
from ..compare.prevalence import MIN_DOCS, sort_groups

FACETS = ("risk_domain", "risk_subdomain", "instrument", "addressee", "role")
#: Grouping columns offered when the caller names none (those the documents have).
DEFAULT_GROUPINGS = ("region", "chapter", "sector", "doc_type", "year", "jurisdiction", "issuer")
#: Value columns of comparison tables, in order of preference, with their display label.
VALUE_COLUMNS = {
    "doc_share": "share of documents", "sent_share": "share of sentences", "share": "share",
    "n_docs": "documents", "n_sents": "sentences", "n_sentences": "sentences", "n_groups": "groups",
    "count": "count", "score": "score",
}
#: Cell columns carried from a table (when present) for hover text.
CELL_COLUMNS = ("doc_share", "doc_share_lo", "doc_share_hi", "sent_share", "sent_share_lo", "sent_share_hi",
                "n_docs", "n_docs_group", "n_sents", "n_sents_group", "n_sentences", "share", "status",
                "n_groups", "small_group")
HEADING_SECTIONS = ("heading", "title")
ROUND = 3


def _s(x) -> float | None:
    """A model score as people read it: :data:`policykit.present.SCORE_DECIMALS` places (scores
    carry the embeddings' float noise; see :mod:`policykit.present`)."""
    from policykit.present import SCORE_DECIMALS
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return round(f, SCORE_DECIMALS) if math.isfinite(f) else None


def _r(x) -> float | None:
    if type(x) is float:  # the common case, fast
        return round(x, ROUND) if x - x == 0.0 else None
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return round(f, ROUND) if math.isfinite(f) else None


def _lists(v) -> list:
    if v is None or (isinstance(v, float) and v != v):
        return []
    if isinstance(v, str):
        return [v] if v else []
    try:
        return [x for x in v if x is not None]
    except TypeError:
        return [v]


def _json(v):
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return _r(v)
    if v is None or v is pd.NA:
        return None
    return v if isinstance(v, (str, int)) else str(v)


# ----------------------------------------------------------------------------- taxonomy
def taxonomy_labels(facets: Sequence[str] = FACETS) -> dict[str, list[dict]]:
    """facet -> ``[{"id", "name", "description", "parent"}]`` in taxonomy order."""
    from ..taxonomy import load_taxonomy

    tax = load_taxonomy(alternatives=False)
    out = {}
    for f in facets:
        out[f] = [{"id": lab.id, "name": lab.name, "description": lab.description, "parent": lab.parent}
                  for lab in tax.facet(f).labels]
    return out


def label_names(labels: Mapping[str, list[dict]]) -> dict[str, dict[str, str]]:
    return {f: {d["id"]: d["name"] for d in v} for f, v in labels.items()}


# ----------------------------------------------------------------------------- sentences
def _collapsed_offset(raw_segment: str, k: int) -> int:
    """Offset in ``" ".join(raw_segment.split())`` of raw offset ``k`` (at a non-space)."""
    prefix = raw_segment[:k]
    c = " ".join(prefix.split())
    return len(c) + (1 if c and prefix[-1:].isspace() else 0)


def _cue_spans(text: str, start: int, evidence, raw: str | None) -> list[list]:
    """Cue items of every facet as ``[s, e, facet, label, pattern]`` offsets into ``text``."""
    spans = []
    if not isinstance(evidence, Mapping):
        return spans
    for facet, d in evidence.items():
        for lab, items in (d or {}).items():
            for it in items or []:
                if not isinstance(it, Mapping) or it.get("kind") != "cue":
                    continue
                cue = " ".join(str(it.get("text", "")).split())
                if not cue:
                    continue
                s = e = None
                try:
                    rs, re_ = int(it["start"]) - start, int(it["end"]) - start
                except (KeyError, TypeError, ValueError):
                    rs = re_ = None
                if raw is not None and rs is not None and 0 <= rs <= re_:
                    seg = raw[start:start + max(re_, 0) + 1]
                    s = _collapsed_offset(seg, rs)
                    e = s + len(cue)
                    if text[s:e].lower() != cue.lower():
                        s = e = None
                if s is None:  # no raw text: the occurrence nearest the expected offset
                    low, tl = cue.lower(), text.lower()
                    hits, j = [], tl.find(low)
                    while j >= 0:
                        hits.append(j)
                        j = tl.find(low, j + 1)
                    if not hits:
                        continue
                    want = rs if rs is not None else 0
                    s = min(hits, key=lambda h: abs(h - want))
                    e = s + len(cue)
                spans.append([s, e, str(facet), str(lab), str(it.get("pattern", ""))])
    spans.sort(key=lambda x: (x[0], -x[1]))
    return spans


def _features(evidence, facet: str, lab: str, n: int = 3) -> list[str]:
    """What drove a label, by name in the order of contribution (the contributions themselves
    move with the embeddings' float noise; see :func:`policykit.present.present_evidence`)."""
    out = []
    for it in ((evidence or {}).get(facet) or {}).get(lab, []) or []:
        if it.get("kind") in ("model", "rule"):
            for f in (it.get("features") or [])[:n]:
                out.append(str(f[0]) if isinstance(f, (list, tuple, np.ndarray)) and len(f) else str(f))
    return out[:n]


def _headings(wide: pd.DataFrame) -> tuple[list[int], list[str]]:
    """Per sentence, the index of the heading above it (-1: none), and the heading texts: the
    nearest earlier paragraph of the same document whose section is a heading or title (for a
    sentence of a heading, the heading before it)."""
    heads: list[str] = []
    out = [-1] * len(wide)
    if "section" not in wide.columns or "para_idx" not in wide.columns:
        return out, heads
    doc, sec, para, text = (wide["doc_id"].tolist(), wide["section"].tolist(),
                            wide["para_idx"].tolist(), wide["text"].tolist())
    cur_doc, cur, prev, head_para = None, -1, -1, None
    for i in range(len(wide)):
        if doc[i] != cur_doc:
            cur_doc, cur, prev, head_para = doc[i], -1, -1, None
        if sec[i] in HEADING_SECTIONS:
            if head_para == para[i] and cur >= 0:
                heads[cur] = heads[cur] + " " + " ".join(str(text[i]).split())
            else:
                prev = cur
                heads.append(" ".join(str(text[i]).split()))
                cur, head_para = len(heads) - 1, para[i]
            out[i] = prev
        else:
            out[i] = cur
    return out, heads


def sentence_columns(wide: pd.DataFrame, corpus=None, by: Sequence[str] = (),
                     facets: Sequence[str] = FACETS) -> dict[str, Any]:
    """The column-wise sentence table of the payload."""
    raws: dict[str, str] = {}

    def raw(doc_id):
        if corpus is None:
            return None
        if doc_id not in raws:
            try:
                raws[doc_id] = corpus.raw(doc_id)
            except Exception:
                raws[doc_id] = None
        return raws[doc_id]

    from ..corrections import text_hash

    n = len(wide)
    texts = [" ".join(str(t or "").split()) for t in wide["text"]]
    starts = [int(x) if x == x else 0 for x in wide["start"]] if "start" in wide.columns else [0] * n
    ends = [int(x) if x == x else 0 for x in wide["end"]] if "end" in wide.columns else [0] * n
    evid = wide["evidence"].tolist() if "evidence" in wide.columns else [None] * n
    scores = wide["scores"].tolist() if "scores" in wide.columns else [None] * n
    cols: dict[str, Any] = {
        "id": wide["sent_id"].astype(str).tolist(),
        "doc": wide["doc_id"].astype(str).tolist(),
        "para": [int(x) if x == x else 0 for x in wide["para_idx"]] if "para_idx" in wide.columns else [0] * n,
        "section": wide["section"].astype(str).tolist() if "section" in wide.columns else ["body"] * n,
        "start": starts, "end": ends, "text": texts,
        "hash": [text_hash(t) for t in texts],
        "role": wide["role"].astype(str).tolist(),
        "role_score": [_s(x) for x in wide["role_score"]] if "role_score" in wide.columns else [None] * n,
    }
    labels = {}
    for f in facets:
        if f == "role":
            continue
        col = FACET_COLUMNS[f]
        labels[f] = [[str(x) for x in _lists(v)] for v in wide[col]] if col in wide.columns else [[] for _ in range(n)]
    cols["labels"] = labels
    cols["scores"] = [{f: {str(k): _s(v) for k, v in ((s or {}).get(f) or {}).items()} for f in facets
                       if (s or {}).get(f)} for s in scores]
    cols["cues"] = [_cue_spans(t, st, ev, raw(d)) for t, st, ev, d in zip(texts, starts, evid, cols["doc"])]
    why = []
    for i in range(n):
        ev = evid[i]
        w: dict[str, dict[str, list[str]]] = {}
        if isinstance(ev, Mapping):
            dec = {"role": [cols["role"][i]], **{f: labels[f][i] for f in labels}}
            for f, labs in dec.items():
                for lab in labs:
                    feats = _features(ev, f, lab)
                    if feats:
                        w.setdefault(f, {})[lab] = feats
        why.append(w)
    cols["why"] = why
    heading, heads = _headings(wide)
    cols["heading"] = heading
    cols["_headings"] = heads
    return cols


# ----------------------------------------------------------------------------- documents
def documents_table(wide: pd.DataFrame, documents: pd.DataFrame | None, groupings: Sequence[str]) -> list[dict]:
    """``[{"id", "title", "groups": {by: group string}}]`` for the documents of ``wide``."""
    docs = documents_frame(wide, documents)
    out = []
    gv = {b: group_values(docs, b).tolist() if b in docs.columns else [MISSING_GROUP] * len(docs) for b in groupings}
    titles = docs["title"].tolist() if "title" in docs.columns else docs["doc_id"].tolist()
    for i, d in enumerate(docs["doc_id"]):
        t = titles[i]
        out.append({"id": str(d), "title": "" if t is None or (isinstance(t, float) and t != t) else str(t),
                    "groups": {b: gv[b][i] for b in groupings}})
    return out


def usable_groupings(wide: pd.DataFrame, documents: pd.DataFrame | None, by) -> list[str]:
    """``by`` (str or list; None: :data:`DEFAULT_GROUPINGS`) reduced to the columns that can group
    the documents, with ``doc_id`` always last (one group per document)."""
    from ..compare._frames import usable_groupings as _usable

    docs = documents_frame(wide, documents)
    req = list(DEFAULT_GROUPINGS) if by is None else ([by] if isinstance(by, str) else list(by))
    ok, _ = _usable(docs, [b for b in req if b != "doc_id"])
    return list(dict.fromkeys(ok + ["doc_id"]))


# ----------------------------------------------------------------------------- views
class _Columns:
    """The wide view's columns as Python lists and its documents frame, computed once for all
    the views of an explorer."""

    def __init__(self, wide: pd.DataFrame, documents: pd.DataFrame | None):
        self.wide = wide
        self.docs = documents_frame(wide, documents)
        self.sent_id = wide["sent_id"].astype(str).tolist()
        self.doc_id = wide["doc_id"].astype(str).tolist()
        self.role = wide["role"].astype(str).tolist()
        self.role_score = (wide["role_score"].tolist() if "role_score" in wide.columns else [1.0] * len(wide))
        self.scores = wide["scores"].tolist() if "scores" in wide.columns else [None] * len(wide)
        self._labels: dict[str, list] = {}
        self._groups: dict[str, dict] = {}

    def labels(self, facet: str) -> list[list[str]]:
        if facet not in self._labels:
            if facet == "role":
                self._labels[facet] = [[r] for r in self.role]
            else:
                col = FACET_COLUMNS[facet]
                vals = self.wide[col].tolist() if col in self.wide.columns else [[]] * len(self.wide)
                self._labels[facet] = [list(dict.fromkeys(str(x) for x in _lists(v))) for v in vals]
        return self._labels[facet]

    def items(self, facet: str) -> tuple[list[tuple[str, str, float, str]], dict[str, int]]:
        """The facet's labels on eligible sentences as ``(doc_id, label, -score, sent_id)``, and
        the number of eligible sentences per document (computed once per facet)."""
        key = f"items:{facet}"
        if key not in self._labels:
            roles = ELIGIBLE_ROLES[facet]
            items, per_doc = [], {}
            for sid, d, role, labs, sc, rs in zip(self.sent_id, self.doc_id, self.role, self.labels(facet),
                                                  self.scores, self.role_score):
                if roles is not None and role not in roles:
                    continue
                per_doc[d] = per_doc.get(d, 0) + 1
                fs = ((sc or {}).get(facet) or {}) if isinstance(sc, Mapping) else {}
                for k, lab in enumerate(labs):
                    v = rs if facet == "role" else fs.get(lab, 1.0 / (1 + k))
                    v = float(v) if v is not None and v == v else 0.0
                    items.append((d, lab, -v, sid))
            self._labels[key] = (items, per_doc)
        return self._labels[key]

    def groups(self, by: str) -> dict[str, str]:
        if by not in self._groups:
            d = self.docs
            g = group_values(d, by) if by in d.columns else pd.Series(MISSING_GROUP, index=d.index)
            self._groups[by] = dict(zip(d["doc_id"].astype(str), g.astype(str)))
        return self._groups[by]


def prevalence_cells(wide: pd.DataFrame | _Columns, facet: str, by: str, documents: pd.DataFrame | None = None,
                     labels: Sequence[str] | None = None, index: Mapping[str, int] | None = None) -> dict:
    """One view: :func:`policykit.compare.prevalence`'s point estimates for every group × label.

    Returns the view dict (see the module docstring); cells with no sentence are included (value
    0) so that the grid is complete; ``s`` lists sentence indices (``index`` maps sent_id to
    index; default: row positions) by descending label score, then sentence id.
    """
    cols = wide if isinstance(wide, _Columns) else _Columns(wide, documents)
    gmap = cols.groups(by)
    n_docs_group: dict[str, int] = {}
    for g in gmap.values():
        n_docs_group[g] = n_docs_group.get(g, 0) + 1
    items, per_doc = cols.items(facet)
    ng_sent: dict[str, int] = {}
    for d, n in per_doc.items():
        g = gmap.get(d, MISSING_GROUP)
        ng_sent[g] = ng_sent.get(g, 0) + n
    acc: dict[tuple[str, str], list] = {}
    index = index or {s: i for i, s in enumerate(cols.sent_id)}
    for d, lab, neg, sid in items:
        acc.setdefault((gmap.get(d, MISSING_GROUP), lab), []).append((neg, sid, d))
    totals: dict[str, int] = {}
    for (g, l), v in acc.items():
        totals[l] = totals.get(l, 0) + len(v)
    seen = sorted(totals, key=lambda l: (-totals[l], l))
    order = [str(x) for x in labels] if labels is not None else []
    lab_list = order + [l for l in seen if l not in set(order)]
    grp_list = sort_groups(gmap.values())
    cells = []
    for gi, g in enumerate(grp_list):
        ndg = int(n_docs_group.get(g, 0))
        nsg = int(ng_sent.get(g, 0))
        for li, lab in enumerate(lab_list):
            items = sorted(acc.get((g, lab), []))
            nd = len({d for _, _, d in items})
            cells.append({"g": gi, "l": li, "n": len(items), "s": [index[s] for _, s, _ in items if s in index],
                          "n_docs": nd, "n_docs_group": ndg, "doc_share": _r(nd / ndg) if ndg else None,
                          "n_sents": len(items), "n_sents_group": nsg,
                          "sent_share": _r(len(items) / nsg) if nsg else None, "small_group": ndg < MIN_DOCS})
    return {"key": f"{facet}|{by}", "facet": facet, "by": by, "title": "",
            "values": ["doc_share", "sent_share", "n_sents"], "groups": grp_list, "labels": lab_list,
            "cells": cells}


def table_views(table: pd.DataFrame, index: Mapping[str, int], value: str | None = None,
                group: str | None = None, label: str = "label", facet: str | None = None,
                by: str | None = None) -> list[dict]:
    """Views of a comparison table (``prevalence``, ``prevalence_table``, ``consensus``, a
    document roll-up, … anything with a label column and ``sent_ids``).

    ``group`` defaults to the table's ``group`` column, else ``doc_id``, else one group
    ``all``; views are split by the table's ``facet`` and ``by`` columns when it has them.
    ``value`` defaults to the first of :data:`VALUE_COLUMNS` present.
    """
    if label not in table.columns:
        raise ValueError(f"the table has no {label!r} column (columns: {', '.join(map(str, table.columns))})")
    if "sent_ids" not in table.columns and "example_sent_id" not in table.columns:
        raise ValueError("the table has no 'sent_ids' (or 'example_sent_id') column: the explorer needs the "
                         "sentences behind each number")
    gcol = group or ("group" if "group" in table.columns else "doc_id" if "doc_id" in table.columns else None)
    values = [c for c in VALUE_COLUMNS if c in table.columns and pd.api.types.is_numeric_dtype(table[c])]
    if value is not None:
        if value not in table.columns:
            raise ValueError(f"no value column {value!r} in the table")
        values = [value] + [v for v in values if v != value]
    if not values:
        values = []
    t = table.copy()
    split = [c for c in ("facet", "by") if c in t.columns and c not in (gcol, label)]
    views = []
    for key, part in (t.groupby(split, sort=False) if split else [((), t)]):
        key = key if isinstance(key, tuple) else (key,)
        kv = dict(zip(split, key))
        f = kv.get("facet", facet or "")
        b = kv.get("by", by or (gcol or "all"))
        groups = sort_groups(part[gcol].astype(str)) if gcol else ["all"]
        labs = list(dict.fromkeys(part[label].astype(str)))
        gi = {g: i for i, g in enumerate(groups)}
        li = {l: i for i, l in enumerate(labs)}
        cells = []
        for _, r in part.iterrows():
            ids = _lists(r["sent_ids"]) if "sent_ids" in part.columns else [r["example_sent_id"]]
            ids = [s for s in dict.fromkeys(map(str, ids)) if s]
            cell = {"g": gi[str(r[gcol])] if gcol else 0, "l": li[str(r[label])], "n": len(ids),
                    "s": [index[s] for s in ids if s in index], "missing": sum(s not in index for s in ids)}
            for c in dict.fromkeys([*values, *CELL_COLUMNS]):
                if c in part.columns:
                    cell[c] = _json(r[c])
            cells.append(cell)
        views.append({"key": f"{f}|{b}|table{len(views)}", "facet": f, "by": b, "title": "",
                      "values": values or ["n"], "groups": groups, "labels": labs, "cells": cells,
                      "from_table": True})
    return views


# ----------------------------------------------------------------------------- the payload
def build_payload(wide: pd.DataFrame, corpus=None, *, views: list[dict], groupings: Sequence[str],
                  documents: pd.DataFrame | None = None, initial: str | None = None,
                  queue: pd.DataFrame | None = None, title: str = "Evidence explorer",
                  corrections_info: Mapping[str, Any] | None = None, page_size: int = 20,
                  mode: str = "widget", predicted: Mapping[str, Any] | None = None) -> dict:
    """Everything the front end renders, as JSON-able data (see the module docstring)."""
    sents = sentence_columns(wide, corpus, groupings)
    heads = sents.pop("_headings")
    tax = taxonomy_labels()
    n = len(wide)
    prio = [None] * n
    reasons: list[list[str]] = [[] for _ in range(n)]
    rank = [None] * n
    if queue is not None and len(queue):
        pos = {s: i for i, s in enumerate(sents["id"])}
        for r in queue.itertuples(index=False):
            i = pos.get(r.sent_id)
            if i is not None:
                prio[i], reasons[i], rank[i] = _s(r.priority), list(r.reasons), int(r.rank)
    sents["priority"], sents["reasons"], sents["rank"] = prio, reasons, rank
    return {
        "version": 1, "mode": mode, "title": title,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "facets": tax, "groupings": list(groupings),
        "docs": documents_table(wide, documents, groupings),
        "headings": heads, "sentences": sents, "views": views,
        "initial": initial or (views[0]["key"] if views else None),
        "page_size": int(page_size), "corrections": dict(corrections_info or {}),
        "predicted": dict(predicted or {}),
    }

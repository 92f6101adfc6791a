"""The explorer's state, without any front end: tables, views, decisions.

:class:`Session` is what :class:`~policykit.explore.widget.Explorer` (JupyterLab) and
:func:`~policykit.explore.export_html` (a static page) share: the extraction table with the
analysts' latest decisions applied, the heat-map views, the review queue, and
:meth:`Session.decide`, which writes a decision to the corrections file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import corrections as C
from ..compare._frames import FACET_COLUMNS
from . import payload as P
from .queue import review_queue, training_label_counts

WIDE_LABEL_COLUMNS = ["role", "risk_domains", "risk_subdomains", "instruments", "addressees"]


def as_wide(labels: pd.DataFrame, corpus=None) -> pd.DataFrame:
    """An extraction wide view from what the caller has.

    ``labels`` is the wide view itself (``policykit.extract(corpus)``), or the long form
    (``policykit.labels_long``: one row per sentence × label), which is pivoted onto
    ``corpus.sentences`` (required then).
    """
    if {"sent_id", "role", "text"} <= set(labels.columns):
        return labels.reset_index(drop=True)
    if {"sent_id", "facet", "label"} <= set(labels.columns):
        if corpus is None:
            raise ValueError("long-form labels need the corpus (for the sentences' text and offsets)")
        S = corpus.sentences.reset_index(drop=True)
        rows = {s: {"role": "other", "role_score": float("nan"), "scores": {}, "evidence": {},
                    **{c: [] for c in FACET_COLUMNS.values() if c != "role"}} for s in S["sent_id"]}
        for r in labels.itertuples(index=False):
            d = rows.get(r.sent_id)
            if d is None:
                continue
            d["scores"].setdefault(r.facet, {})[r.label] = float(r.score)
            ev = getattr(r, "evidence", None)
            if ev is not None and len(ev):
                d["evidence"].setdefault(r.facet, {})[r.label] = list(ev)
            if r.facet == "role":
                d["role"], d["role_score"] = r.label, float(r.score)
            else:
                d[FACET_COLUMNS[r.facet]].append(r.label)
        lab = pd.DataFrame([rows[s] for s in S["sent_id"]])
        cols = ["role", "role_score", *[FACET_COLUMNS[f] for f in ("risk_domain", "risk_subdomain", "instrument", "addressee")],
                "scores", "evidence"]
        return pd.concat([S, lab[cols]], axis=1)
    raise ValueError("expected an extraction wide view (sent_id, text, role, …) or long-form labels "
                     "(sent_id, facet, label, score)")


class Session:
    """Tables, views and decisions of one explorer.

    Parameters
    ----------
    labels : pandas.DataFrame
        Extraction wide view (or long-form labels with ``corpus``).
    corpus : policykit.corpus.Corpus, optional
        Gives document metadata, exact cue offsets and source files; without it, everything comes
        from the wide view.
    by : str or sequence of str, optional
        Grouping columns offered (the first one opens); default: the usable ones among
        region, chapter, sector, doc_type, year; ``doc_id`` (one group per document) always.
    facet : str
        Facet the heat map opens on.
    corrections : path, None or False
        The corrections file (None: :func:`policykit.corrections.default_path`, resolved now);
        False keeps decisions in memory only.
    views : list of dict, optional
        Heat-map views (e.g. from :func:`~.payload.table_views`); default: every facet × grouping.
    training : pandas.DataFrame, optional
        :func:`~.queue.training_label_counts` for the review queue's rarity.
    """

    def __init__(self, labels: pd.DataFrame, corpus=None, *, by: str | Sequence[str] | None = None,
                 facet: str = "risk_domain", corrections: str | os.PathLike | None | bool = None,
                 views: list[dict] | None = None, initial: str | None = None, training: pd.DataFrame | None = None,
                 title: str | None = None, page_size: int = 20, queue: bool = True):
        self.corpus = corpus
        self.predicted = as_wide(labels, corpus)
        if self.predicted["sent_id"].duplicated().any():
            raise ValueError("sentence ids must be unique in the table")
        self.documents = corpus.documents if corpus is not None else None
        self.groupings = P.usable_groupings(self.predicted, self.documents, by)
        self.facet = facet
        self.title = title or "Evidence explorer"
        self.page_size = page_size
        self.index = {s: i for i, s in enumerate(self.predicted["sent_id"])}
        self.path: Path | None = None if corrections is False else C.resolve_path(
            None if corrections is True else corrections)
        self.decisions: dict[str, dict] = {}
        self.report = pd.DataFrame(columns=C.REPORT_COLUMNS)
        self.wide = self.predicted
        if self.path is not None:
            corr = C.read_corrections(self.path)
            self.wide, self.report = C.apply_corrections(self.predicted, corr)
            ok = set(self.report.loc[self.report["status"] == "applied", "sent_id"])
            for r in corr.itertuples(index=False):
                if r.sent_id in ok:
                    self.decisions[r.sent_id] = {"action": r.action, "time": r.time, "decision_id": r.decision_id,
                                                 "new": {f: getattr(r, f) for f in C.GOLD_FIELDS}}
        self._counts = training
        self.views = views if views is not None else self._default_views()
        self.initial = initial or self._initial_key()
        self.queue = self._queue() if queue else None

    # -------------------------------------------------------------- views
    def _default_views(self) -> list[dict]:
        facets = [self.facet] + [f for f in P.FACETS if f != self.facet]
        tax = P.taxonomy_labels()
        cols = P._Columns(self.predicted, self.documents)
        out = []
        for f in facets:
            ids = [d["id"] for d in tax[f]]
            for b in self.groupings:
                out.append(P.prevalence_cells(cols, f, b, labels=ids, index=self.index))
        return out

    def _initial_key(self) -> str | None:
        for v in self.views:
            if v["facet"] == self.facet and v["by"] == self.groupings[0]:
                return v["key"]
        return self.views[0]["key"] if self.views else None

    def view(self, facet: str | None = None, by: str | None = None, key: str | None = None) -> dict:
        """The view with this key, or of this facet and grouping (default: the opening view)."""
        if key is None and facet is None and by is None:
            key = self.initial
        for v in self.views:
            if v["key"] == key or (key is None and (facet is None or v["facet"] == facet)
                                   and (by is None or v["by"] == by)):
                return v
        raise KeyError(f"no view for facet={facet!r}, by={by!r}, key={key!r}; have "
                       + ", ".join(v["key"] for v in self.views))

    def cell_sentences(self, group: str, label: str, facet: str | None = None, by: str | None = None,
                       key: str | None = None) -> pd.DataFrame:
        """The rows of :attr:`wide` behind one heat-map cell, in the cell's order (by score)."""
        v = self.view(facet, by, key)
        gi, li = v["groups"].index(str(group)), v["labels"].index(str(label))
        cell = next(c for c in v["cells"] if c["g"] == gi and c["l"] == li)
        return self.wide.iloc[cell["s"]].reset_index(drop=True)

    # -------------------------------------------------------------- queue
    def training_counts(self) -> pd.DataFrame:
        if self._counts is None:
            self._counts = training_label_counts()
        return self._counts

    def _queue(self) -> pd.DataFrame:
        names = P.label_names(P.taxonomy_labels())
        return review_queue(self.predicted, self.training_counts(), names=names)

    def review_queue(self, n: int | None = None, undecided: bool = True) -> pd.DataFrame:
        """The review queue (:func:`~.queue.review_queue`), without decided sentences by default."""
        q = self.queue if self.queue is not None else self._queue()
        if undecided:
            q = q[~q["sent_id"].isin(set(self.decisions))]
        return (q.head(n) if n else q).reset_index(drop=True)

    # -------------------------------------------------------------- decisions
    def _source(self, doc_id: str) -> tuple[str | None, str | None]:
        if self.documents is None or "doc_id" not in self.documents.columns:
            return None, None
        d = self.documents[self.documents["doc_id"] == doc_id]
        if d.empty:
            return None, None
        r = d.iloc[0]
        return (str(r["source_path"]) if "source_path" in d.columns else None,
                str(r["sha256"]) if "sha256" in d.columns else None)

    def decide(self, sent_id: str, new: Mapping[str, Any] | None = None, *, action: str | None = None,
               note: str = "", decision_id: str | None = None, annotator: str | None = None) -> dict:
        """Confirm or correct one sentence; the decision is appended to the corrections file.

        Parameters
        ----------
        sent_id : str
        new : mapping, optional
            Labels in the gold schema (``role``, ``risk_domains``, ``risk_subdomains``,
            ``instruments``, ``addressee``); fields left out keep their current value. None
            confirms the current labels.
        action : {"confirm", "correct"}, optional
            Default: derived from whether the labels change.
        decision_id : str, optional
            Pass the same id to re-submit the same decision (written once).

        Returns
        -------
        dict
            ``status`` (``appended``, ``duplicate``, ``unchanged``, or ``memory`` without a
            file), ``sent_id``, ``action``, ``decision_id``, ``new``, ``path``.
        """
        if sent_id not in self.index:
            raise KeyError(f"no sentence {sent_id!r} in this explorer")
        i = self.index[sent_id]
        row = self.wide.iloc[i].to_dict()
        current = C.labels_of(row)
        merged = {**current, **dict(new or {})}
        if "addressees" in merged:
            merged["addressee"] = merged.pop("addressees")
        src, sha = self._source(row["doc_id"])
        pred = C.labels_of(self.predicted.iloc[i].to_dict())
        pred["role_score"] = self.predicted.iloc[i].get("role_score")
        rec = C.decision(row, merged, action=action, old=current, predicted=pred, note=note,
                         decision_id=decision_id, source_path=src, source_sha256=sha, annotator=annotator)
        status = C.append(rec, self.path) if self.path is not None else "memory"
        if status in (C.APPENDED, "memory") or sent_id not in self.decisions:
            if status != C.DUPLICATE:
                self._set(i, rec)
        return {"status": status, "sent_id": sent_id, "action": rec["action"], "decision_id": rec["decision_id"],
                "new": rec["new"], "path": None if self.path is None else str(self.path)}

    def _set(self, i: int, rec: dict) -> None:
        sid = rec["sent_id"]
        self.decisions[sid] = {"action": rec["action"], "time": rec["time"], "decision_id": rec["decision_id"],
                               "new": rec["new"]}
        w = self.wide.copy() if self.wide is self.predicted else self.wide
        for field, col in C.WIDE_COLUMNS.items():
            w.at[w.index[i], col] = rec["new"][field] if field == "role" else list(rec["new"][field])
        self.wide = w

    # -------------------------------------------------------------- payload
    def corrections_info(self) -> dict:
        unmatched = self.report[self.report["status"] != "applied"] if len(self.report) else self.report
        unmatched = unmatched[unmatched["status"] != "other_document"] if len(unmatched) else unmatched
        return {"path": None if self.path is None else str(self.path),
                "applied": int((self.report["status"] == "applied").sum()) if len(self.report) else 0,
                "unmatched": [{k: str(v) for k, v in r.items()} for r in
                              unmatched[["sent_id", "status", "detail"]].to_dict("records")] if len(unmatched) else [],
                "note": "" if self.path is not None else "decisions are kept in memory only"}

    def payload(self, mode: str = "widget") -> dict:
        """The front end's data (:func:`~.payload.build_payload`; built once, the model's labels:
        decisions travel separately)."""
        if getattr(self, "_payload", None) is None:
            self._payload = P.build_payload(self.predicted, self.corpus, views=self.views, groupings=self.groupings,
                                            documents=self.documents, initial=self.initial, queue=self.queue,
                                            title=self.title, corrections_info=self.corrections_info(),
                                            page_size=self.page_size, mode=mode)
        return {**self._payload, "mode": mode, "corrections": self.corrections_info()}

    def html(self) -> str:
        """The exported page as a string, the current decisions shown as decided."""
        from .html import render_html

        pl = self.payload(mode="static")
        pl["decisions"] = self.decisions
        return render_html(pl)

    def to_html(self, path: str | os.PathLike) -> Path:
        """Write the exported page (one self-contained file) atomically; returns its path."""
        from ..store import atomic_write

        p = Path(path)
        with atomic_write(p) as fh:
            fh.write(self.html())
        return p

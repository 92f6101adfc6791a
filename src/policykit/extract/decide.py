"""Decisions: from calibrated scores to labels with their evidence, following labels.md.

* **Role.** The most probable of claim / proposal / other. Sentences outside the body (title,
  author line, bio: the report's layout) are ``other``. Further rules are switches in
  ``data/models/thresholds.yaml`` (``questions_are_other``, ``headings_are_other``,
  ``imperatives_are_proposals``); each was measured on documents it was not written from and is
  off unless it helped there. A rule that changes the model's decision says so in the evidence
  (``kind: rule``, ``overrides``).
* **Risk domains** go on claims and proposals: every domain whose score reaches ``risk_domain``;
  when none does but the sentence's any-risk score reaches ``risk``, its best domain. Within each
  assigned domain its best subdomain, and any other of its subdomains reaching ``risk_subdomain``.
* **Instruments** go on proposals: every instrument reaching ``instrument``; when none does, the
  best one if it reaches ``instrument_top``.
* **Addressees** go on proposals: the best one always (every annotated proposal has one), others
  reaching ``addressee``; ``unspecified`` stands alone.
* Label lists are ordered by descending score (ties by taxonomy order).

The numeric thresholds are chosen by grouped cross-validation when the model is trained and
stored with it (``model.json``); ``thresholds=`` or ``--thresholds FILE`` override them.

Evidence of every label: the cue spans of that label (``kind: cue``, offsets into the sentence
text, mapped to the raw text by the caller), and what the model saw (``kind: model``):
``features`` lists the input blocks that pushed the label's logit up most (the sentence's
vector, or a named rule feature; with a document model, the change the document context made)
with their contribution, and ``neighbours`` the most similar training sentences carrying the
label (``[unit_id, cosine]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np

from .. import config
from ..errors import InputError
from ..yamlfile import read_yaml
from .rules import is_heading_phrase
from .vocab import FACET_COLUMNS, ROLES, STRUCT_FEATURES, UNSPECIFIED

THRESHOLDS_FILE = config.MODELS_DIR / "thresholds.yaml"
#: numeric thresholds (defaults; a trained model carries its own)
NUMERIC = {"risk": 0.5, "risk_domain": 0.5, "risk_subdomain": 0.5, "instrument": 0.5, "instrument_top": 0.3,
           "addressee": 0.5, "report_min": 0.1}
#: rule switches (defaults; thresholds.yaml sets the shipped values)
SWITCHES = {"questions_are_other": False, "headings_are_other": False, "imperatives_are_proposals": False}
N_NEIGHBOURS = 3
N_FEATURES = 5
RULE_SCORE = 0.9
_STRUCT_IX = {k: i for i, k in enumerate(STRUCT_FEATURES)}
#: layout flags that make a sentence a proposal by rule. A verbless "-ing" opening
#: (``gerund_start``) stays a model feature only: as a rule it changed role macro-F1 by +0.001 in
#: grouped CV and turned claims such as "Training and running large models consumes energy" into
#: proposals.
IMPERATIVE_FLAGS = ("imperative_start",)


def load_thresholds(thresholds: dict | str | Path | None = None, model=None, documents: bool = True) -> dict:
    """Thresholds in force: defaults, then the model's, then ``thresholds.yaml``, then ``thresholds``.

    The model carries one set for sentences read in their document (``documents``, the
    document model's) and one for snippets scored on their own.

    Raises
    ------
    InputError
        For an unknown key or a numeric threshold outside [0, 1].
    """
    out = {**NUMERIC, **SWITCHES}
    if model is not None:
        use_doc = documents and getattr(model, "doc_model_", None) is not None
        out.update((getattr(model, "doc_thresholds_", None) if use_doc else getattr(model, "thresholds_", None)) or {})
    if THRESHOLDS_FILE.exists():
        out.update(_validated(read_yaml(THRESHOLDS_FILE, what="thresholds file",
                                        restore="restore data/models/thresholds.yaml from the repository") or {},
                              THRESHOLDS_FILE))
    if thresholds is None:
        return out
    src = None
    if isinstance(thresholds, (str, Path)):
        src = Path(thresholds)
        thresholds = read_yaml(src, what="thresholds file",
                               restore="give a YAML file like data/models/thresholds.yaml") or {}
    out.update(_validated(dict(thresholds), src))
    return out


def _validated(th: dict, src) -> dict:
    unknown = set(th) - set(NUMERIC) - set(SWITCHES)
    if unknown:
        raise InputError(src, f"unknown threshold(s) {', '.join(sorted(unknown))}",
                         f"use {', '.join(sorted(set(NUMERIC) | set(SWITCHES)))}")
    for k, v in th.items():
        if k in SWITCHES:
            if not isinstance(v, bool):
                raise InputError(src, f"switch {k} must be true or false, not {v!r}")
        elif not (isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 <= float(v) <= 1.0):
            raise InputError(src, f"threshold {k} must be a number in [0, 1], not {v!r}")
    return th


def _order(labels: list[str], scores: dict[str, float], ids: list[str]) -> list[str]:
    return sorted(labels, key=lambda lab: (-scores[lab], ids.index(lab)))


def _reported(scores: dict[str, float], chosen: list[str], report_min: float) -> dict[str, float]:
    """The scores listed in the ``scores`` column: those reaching ``report_min`` and every chosen label."""
    return {lab: round(v, 4) for lab, v in scores.items() if v >= report_min or lab in chosen}


def rule_role(text: str, section: str, struct_row: np.ndarray, th: dict) -> str | None:
    """The reason a rule makes a sentence ``other`` (None when no rule applies)."""
    if not text.strip():
        return "empty text"
    if section not in ("body", "heading"):
        return f"section: {section}"
    if th["questions_are_other"] and text.rstrip().endswith("?"):
        return "question"
    if th["headings_are_other"] and (section == "heading" or is_heading_phrase(text, struct_row)):
        return "heading" if section == "heading" else "run-in heading (short verbless phrase)"
    return None


def imperative_flags(struct_row: np.ndarray, th: dict) -> list[str]:
    """The layout flags that make a sentence a proposal by rule (empty when the switch is off)."""
    if not th["imperatives_are_proposals"]:
        return []
    return [k for k in IMPERATIVE_FLAGS if struct_row[_STRUCT_IX[k]] > 0]


def choose_labels(role: str, risk: float, dom: np.ndarray, sub: np.ndarray, inst: np.ndarray, addr: np.ndarray,
                  th: dict, parent: np.ndarray, addr_unspecified: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """Indices of the chosen domains, subdomains, instruments and addressees of one sentence."""
    doms: list[int] = []
    subs: list[int] = []
    insts: list[int] = []
    addrs: list[int] = []
    if role in ("claim", "proposal"):
        doms = np.flatnonzero(dom >= th["risk_domain"]).tolist()
        if not doms and risk >= th["risk"]:
            doms = [int(np.argmax(dom))]
        for j in doms:
            kids = np.flatnonzero(parent == j)
            best = int(kids[np.argmax(sub[kids])])
            subs += [int(k) for k in kids[(kids == best) | (sub[kids] >= th["risk_subdomain"])]]
    if role == "proposal":
        insts = np.flatnonzero(inst >= th["instrument"]).tolist()
        if not insts and inst.max() >= th["instrument_top"]:
            insts = [int(np.argmax(inst))]
        top = int(np.argmax(addr))
        if top == addr_unspecified:
            addrs = [top]
        else:
            keep = addr >= th["addressee"]
            keep[top] = True
            keep[addr_unspecified] = False
            addrs = np.flatnonzero(keep).tolist()
    return doms, subs, insts, addrs


def _evidence_cache(model) -> dict:
    """What the evidence of every document reuses: the training sentences' vectors and ids,
    the heads' weights and each label's training sentences (kept on the model object)."""
    key = (id(getattr(model, "heads_", None)), id(getattr(model, "arrays_", None)),
           id(getattr(model, "memory_ids_", None)))
    cache = getattr(model, "_evidence_cache", None)
    if cache is None or cache["key"] != key:  # a refitted model gets a new cache
        mem = (getattr(model, "arrays_", None) or {}).get("memory.emb")
        cache = {"key": key, "mem": None if mem is None else np.ascontiguousarray(mem, dtype=np.float32),
                 "mem_ids": list(getattr(model, "memory_ids_", [])), "weights": {}, "candidates": {}}
        try:
            model._evidence_cache = cache
        except AttributeError:  # pragma: no cover - a model that takes no attributes
            pass
    return cache


class Explainer:
    """Evidence of the model's decisions: input-block contributions and nearest training sentences.

    The per-head weights, the names of the input blocks and the training sentences of every
    label are prepared once per document; each label's evidence is then a few array operations
    (the same values and order as a full sort, which only the top entries need).
    """

    def __init__(self, model, E: np.ndarray, scores):
        self.model = model
        self.scores = scores
        self.blocks = model.input_blocks()
        self.rule_names = list(getattr(model, "rule_names_", []))
        cache = _evidence_cache(model)
        self.mem = cache["mem"]
        self.mem_ids = cache["mem_ids"]
        self.sims = E @ self.mem.T if self.mem is not None and len(E) else None
        self._weights: dict[str, np.ndarray] = cache["weights"]
        self._cands: dict[tuple[str, int], np.ndarray | None] = cache["candidates"]
        # the items of features(): every rule feature on its own, every other block summed
        self._pieces: list[tuple[bool, int, int]] = []
        names: list[str] = []
        for name, s, e in self.blocks:
            if name == "rules" and self.rule_names:
                m = min(len(self.rule_names), e - s)
                self._pieces.append((True, s, s + m))
                names += self.rule_names[:m]
            else:
                self._pieces.append((False, s, e))
                names.append(name)
        self._names = names
        self._pending: dict[tuple[str, int, str], list] = {}

    def _weight(self, head: str) -> np.ndarray:
        w = self._weights.get(head)
        if w is None:
            W, _b = self.model.heads_[head]
            w = W - W.mean(axis=0) if head == "role" else W
            self._weights[head] = w
        return w

    def _candidates(self, facet: str, label_index: int | None) -> np.ndarray | None:
        key = (facet, label_index)
        if key not in self._cands:
            lab = (getattr(self.model, "arrays_", None) or {}).get(f"memory.{facet}")
            if lab is None:
                self._cands[key] = None
            else:
                mask = lab == label_index if facet == "role" else lab[:, label_index].astype(bool)
                self._cands[key] = np.where(mask)[0]
        return self._cands[key]

    def request(self, i: int, head: str, k: int, facet: str, self_id: str | None) -> dict:
        """The ``kind: model`` evidence of label ``k`` of ``head`` for sentence ``i``, filled in by
        :meth:`resolve` (which computes every request of one label in a few array operations)."""
        ev = {"kind": "model", "features": None, "neighbours": None}
        self._pending.setdefault((head, k, facet), []).append((i, self_id, ev))
        return ev

    def _context(self, rows: np.ndarray, head: str, k: int) -> np.ndarray | None:
        """The document context's change of the logit of label ``k`` for ``rows`` (None without a
        document model)."""
        sc = self.scores
        if sc.final_logits is None or sc.final_logits is sc.sentence_logits:
            return None
        fl, sl = sc.final_logits[head][rows], sc.sentence_logits[head][rows]
        if head == "role":
            return np.array([float((f[k] - f.mean()) - (s[k] - s.mean())) for f, s in zip(fl, sl)])
        return np.array([float(v) for v in fl[:, k] - sl[:, k]])

    def resolve(self) -> None:
        """Fill in every requested evidence, one label at a time over all its sentences.

        ``features``: the input blocks that pushed the label's logit up most (every rule feature
        on its own, every other block summed; with a document model, the document context's
        change of the logit), by descending contribution, ties by block order. ``neighbours``:
        the most similar training sentences carrying the label (the sentence itself left out),
        by descending cosine, ties by position. The values and order are those of scoring each
        sentence alone (a stable sort of each row; tested byte for byte on the report and AGORA).
        """
        pending, self._pending = self._pending, {}
        X = self.scores.inputs
        for (head, k, facet), reqs in pending.items():
            rows = np.fromiter((r[0] for r in reqs), dtype=np.intp, count=len(reqs))
            feats = self._features_rows(X[rows], head, k, self._context(rows, head, k))
            neigh = self._neighbours_rows(rows, facet, k, [r[1] for r in reqs])
            for (_i, _sid, ev), f, nb in zip(reqs, feats, neigh):
                ev["features"], ev["neighbours"] = f, nb

    def _features_rows(self, X_rows: np.ndarray, head: str, k: int, context: np.ndarray | None) -> list:
        contrib = self._weight(head)[k] * X_rows
        vals = np.concatenate([contrib[:, s:e] if single else contrib[:, s:e].sum(axis=1, keepdims=True)
                               for single, s, e in self._pieces], axis=1)
        names = self._names
        if context is not None:
            vals = np.concatenate([vals.astype(np.float64), context[:, None]], axis=1)
            names = names + ["document context"]
        order = np.argsort(-vals, axis=1, kind="stable")[:, :N_FEATURES]
        top = np.take_along_axis(vals, order, axis=1)
        out = []
        for o, v in zip(order.tolist(), top.tolist()):
            out.append([[names[j], round(x, 3)] for j, x in zip(o, v) if x > 0])
        return out

    def _neighbours_rows(self, rows: np.ndarray, facet: str, label_index: int, self_ids: list) -> list:
        if self.sims is None:
            return [[] for _ in self_ids]
        cand = self._candidates(facet, label_index)
        if cand is None or not len(cand):
            return [[] for _ in self_ids]
        S = self.sims[rows][:, cand]
        order = _top_stable(S, min(N_NEIGHBOURS + 1, S.shape[1]))  # one more: the sentence itself may be among them
        vals = np.take_along_axis(S, order, axis=1).tolist()
        out = [self._take(o, v, cand, self_id) for o, v, self_id in zip(order.tolist(), vals, self_ids)]
        for r, got in enumerate(out):
            if len(got) < N_NEIGHBOURS and order.shape[1] < S.shape[1]:  # more than one own id skipped
                full = np.argsort(-S[r], kind="stable")
                out[r] = self._take(full.tolist(), S[r, full].tolist(), cand, self_ids[r])
        return out

    def _take(self, order: list, vals: list, cand: np.ndarray, self_id: str | None) -> list[list]:
        ids = self.mem_ids
        got = []
        for j, x in zip(order, vals):
            c = int(cand[j])
            sid = ids[c] if c < len(ids) else str(c)
            if sid == self_id:
                continue
            got.append([sid, round(x, 3)])
            if len(got) == N_NEIGHBOURS:
                break
        return got


def _top_stable(S: np.ndarray, want: int) -> np.ndarray:
    """Column indices of the ``want`` largest entries of every row of ``S``, in the order of a full
    stable sort (descending value, ties by position), without sorting whole rows where the
    ``want``-th value is not tied (a partition finds them; rows with ties or NaN are fully sorted)."""
    n, m = S.shape
    if want <= 0 or m == 0:
        return np.zeros((n, 0), dtype=np.intp)
    if m <= 4 * want:
        return np.argsort(-S, axis=1, kind="stable")[:, :want]
    neg = -S
    part = np.sort(np.argpartition(neg, want - 1, axis=1)[:, :want], axis=1)  # positions ascending
    pv = np.take_along_axis(neg, part, axis=1)
    order = np.take_along_axis(part, np.argsort(pv, axis=1, kind="stable"), axis=1)
    kth = pv.max(axis=1, keepdims=True)
    exact = ((neg <= kth).sum(axis=1) == want) & ~np.isnan(S).any(axis=1)
    if not exact.all():
        bad = np.nonzero(~exact)[0]
        order[bad] = np.argsort(neg[bad], axis=1, kind="stable")[:, :want]
    return order


def decide(texts: list[str], sections: list[str], struct: np.ndarray, cues: list[list], sc, model, thresholds: dict,
           E: np.ndarray, sent_ids: list | None = None, risk: list | None = None) -> list[dict]:
    """Labels, scores and evidence of every sentence of one document (or snippet run).

    Parameters
    ----------
    texts, sections : the sentences and their sections.
    struct : (n, len(STRUCT_FEATURES)) layout flags.
    cues : per sentence, the matched cues ``(facet, label, start, end, pattern)``.
    sc : :class:`policykit.extract.model.Scores`.
    model : :class:`policykit.extract.model.ExtractionModel`.
    thresholds : dict from :func:`load_thresholds`.
    E : (n, 384) the sentences' vectors (for neighbour evidence).
    sent_ids : ids to leave out of the neighbour lists (a training sentence is not its own evidence).
    risk : per sentence None, ``"auto"`` or ``"risk"``: a risk description (``"risk"``, or
        ``"auto"`` when the any-risk score reaches ``risk``) gets at least its best domain and
        that domain's best subdomain whatever its role (``kind: rule`` evidence).

    Returns
    -------
    list of dict
        ``role``, ``role_score``, ``risk_domains``, ``risk_subdomains``, ``instruments``,
        ``addressees``, ``scores``, ``evidence`` per sentence (cue offsets into its text).
    """
    th = thresholds
    labels = model.labels_
    dom_ids, sub_ids = labels["risk_domain"], labels["risk_subdomain"]
    inst_ids, addr_ids = labels["instrument"], labels["addressee"]
    parent = np.asarray(model.subdomain_parent_)
    n = len(texts)
    sent_ids = list(sent_ids) if sent_ids is not None else [None] * n
    ex = Explainer(model, E, sc)
    # rows as Python floats once per document (the same values as each row's tolist())
    role_rows, risk_rows = sc.role.tolist(), np.asarray(sc.risk, dtype=np.float64).reshape(-1).tolist()
    dom_rows, sub_rows = sc.risk_domain.tolist(), sc.risk_subdomain.tolist()
    inst_rows, addr_rows = sc.instrument.tolist(), sc.addressee.tolist()
    unspecified = addr_ids.index(UNSPECIFIED)
    out = []
    for i in range(n):
        text = texts[i]
        section = str(sections[i])
        by_label: dict[tuple[str, str], list[dict]] = {}
        for f, lab, s, e, pat in cues[i]:
            by_label.setdefault((f, lab), []).append({"kind": "cue", "text": text[s:e], "start": s, "end": e,
                                                      "pattern": pat})
        rec: dict = {"scores": {}, "evidence": {}}
        model_role = ROLES[int(np.argmax(sc.role[i]))]
        rec["scores"]["role"] = {r: round(v, 4) for r, v in zip(ROLES, role_rows[i])}
        why = rule_role(text, section, struct[i], th)
        if why is not None:
            ev = {"kind": "rule", "features": [[why, 1.0]], "neighbours": []}
            if model_role != "other":
                ev["overrides"] = f"model: {model_role} ({float(sc.role[i].max()):.2f})"
            rec.update(role="other", role_score=1.0, risk_domains=[], risk_subdomains=[], instruments=[],
                       addressees=[])
            rec["evidence"] = {"role": {"other": [ev]}}
            for facet in FACET_COLUMNS:
                rec["scores"][facet] = {}
                rec["evidence"][facet] = {}
            r_kind = risk[i] if risk is not None else None
            if text.strip() and (r_kind == "risk" or (r_kind == "auto" and risk_rows[i] >= th["risk"])):
                _force_domain(rec, i, sc, th, parent, dom_ids, sub_ids, ex, sent_ids)
            out.append(rec)
            continue
        role = model_role
        imperative = imperative_flags(struct[i], th)
        if imperative and role != "proposal":
            role = "proposal"
            rec["role_score"] = round(max(float(sc.role[i, 1]), RULE_SCORE), 4)
            role_ev = [{"kind": "rule", "features": [[f"layout:{k}", 1.0] for k in imperative], "neighbours": [],
                        "overrides": f"model: {model_role} ({float(sc.role[i].max()):.2f})"}]
        else:
            k = ROLES.index(role)
            rec["role_score"] = round(float(sc.role[i, k]), 4)
            role_ev = [ex.request(i, "role", k, "role", sent_ids[i])]
        rec["role"] = role
        role_cues = [c for (f, _lab), cs in by_label.items() if f == "role_cue" for c in cs]
        uniq = {(c["start"], c["end"]): c for c in sorted(role_cues, key=lambda c: (c["start"], -c["end"]))}
        rec["evidence"]["role"] = {role: role_ev + list(uniq.values())}
        # ------------------------------------------------------------------ risk domains and subdomains
        dom_sc = dict(zip(dom_ids, dom_rows[i]))
        sub_sc = dict(zip(sub_ids, sub_rows[i]))
        di, si, ii, ai = choose_labels(role, risk_rows[i], sc.risk_domain[i], sc.risk_subdomain[i],
                                       sc.instrument[i], sc.addressee[i], th, parent, unspecified)
        doms, subs = [dom_ids[k] for k in di], [sub_ids[k] for k in si]
        forced = None
        r_kind = risk[i] if risk is not None else None
        if not doms and (r_kind == "risk" or (r_kind == "auto" and risk_rows[i] >= th["risk"])):
            j = int(np.argmax(sc.risk_domain[i]))
            kids = np.where(parent == j)[0]
            doms, subs = [dom_ids[j]], [sub_ids[int(kids[np.argmax(sc.risk_subdomain[i, kids])])]]
            forced = {"kind": "rule", "neighbours": [],
                      "features": [["risk description: at least its best domain", 1.0],
                                   ["any-risk score", round(risk_rows[i], 3)]]}
        rec["risk_domains"] = _order(doms, dom_sc, dom_ids)
        rec["risk_subdomains"] = _order(subs, sub_sc, sub_ids)
        rec["scores"]["risk_domain"] = _reported(dom_sc, doms, th["report_min"])
        rec["scores"]["risk_subdomain"] = _reported(sub_sc, subs, th["report_min"])
        rec["evidence"]["risk_domain"] = {
            lab: by_label.get(("risk_domain", lab), []) + ([forced] if forced else [])
            + [ex.request(i, "risk_domain", dom_ids.index(lab), "risk_domain", sent_ids[i])]
            for lab in rec["risk_domains"]}
        rec["evidence"]["risk_subdomain"] = {
            lab: by_label.get(("risk_subdomain", lab), [])
            + [ex.request(i, "risk_subdomain", sub_ids.index(lab), "risk_subdomain", sent_ids[i])]
            for lab in rec["risk_subdomains"]}
        # ------------------------------------------------------------------ instruments and addressees
        inst_sc = dict(zip(inst_ids, inst_rows[i]))
        addr_sc = dict(zip(addr_ids, addr_rows[i]))
        insts, addrs = [inst_ids[k] for k in ii], [addr_ids[k] for k in ai]
        rec["instruments"] = _order(insts, inst_sc, inst_ids)
        rec["addressees"] = _order(addrs, addr_sc, addr_ids)
        rec["scores"]["instrument"] = _reported(inst_sc, insts, th["report_min"])
        rec["scores"]["addressee"] = _reported(addr_sc, addrs, th["report_min"])
        rec["evidence"]["instrument"] = {
            lab: by_label.get(("instrument", lab), [])
            + [ex.request(i, "instrument", inst_ids.index(lab), "instrument", sent_ids[i])]
            for lab in rec["instruments"]}
        rec["evidence"]["addressee"] = {
            lab: by_label.get(("addressee", lab), [])
            + [ex.request(i, "addressee", addr_ids.index(lab), "addressee", sent_ids[i])]
            for lab in rec["addressees"]}
        out.append(rec)
    ex.resolve()
    return out


def _force_domain(rec, i, sc, th, parent, dom_ids, sub_ids, ex, sent_ids) -> None:
    """Give a risk description its best domain and that domain's best subdomain (rule evidence)."""
    j = int(np.argmax(sc.risk_domain[i]))
    kids = np.where(parent == j)[0]
    k = int(kids[np.argmax(sc.risk_subdomain[i, kids])])
    rule = {"kind": "rule", "neighbours": [],
            "features": [["risk description: at least its best domain", 1.0],
                         ["any-risk score", round(float(sc.risk[i]), 3)]]}
    rec["risk_domains"], rec["risk_subdomains"] = [dom_ids[j]], [sub_ids[k]]
    rec["scores"]["risk_domain"] = {dom_ids[j]: round(float(sc.risk_domain[i, j]), 4)}
    rec["scores"]["risk_subdomain"] = {sub_ids[k]: round(float(sc.risk_subdomain[i, k]), 4)}
    rec["evidence"]["risk_domain"] = {dom_ids[j]: [rule, ex.request(i, "risk_domain", j, "risk_domain", sent_ids[i])]}
    rec["evidence"]["risk_subdomain"] = {sub_ids[k]: [ex.request(i, "risk_subdomain", k, "risk_subdomain", sent_ids[i])]}


def label_document(docs: list, model, thresholds: dict | None = None) -> Iterable:
    """Label the docs of one document (the ``pk_labeller`` component's work).

    Each doc carries ``user_data``: ``pk_text``, ``pk_group``, ``pk_section``, ``pk_sent_id``,
    ``pk_vector`` (the tuned encoder's vector; computed here if absent) and optionally
    ``pk_context`` (False for a snippet without document context).
    """
    from .features import featurize
    in_document = all(bool(d.user_data.get("pk_context", True)) for d in docs)
    th = thresholds.get("documents" if in_document else "snippets") if isinstance(thresholds, dict) and \
        "documents" in thresholds else load_thresholds(thresholds, model, documents=in_document)
    texts = [d.user_data.get("pk_text") or d.text for d in docs]
    vecs = [d.user_data.get("pk_vector") for d in docs]
    E = model.encode(texts) if any(v is None for v in vecs) else np.vstack(vecs).astype(np.float32)
    groups = [d.user_data.get("pk_group", f"__{id(d)}") for d in docs]
    sections = [d.user_data.get("pk_section", "body") for d in docs]
    fs = featurize(docs, model.taxonomy, E, groups=groups, sections=sections)
    sc = model.score(E, fs.rule_matrix(), groups if in_document else None)
    recs = decide(texts, sections, fs.struct, fs.cues, sc, model, th, E,
                  sent_ids=[d.user_data.get("pk_sent_id") for d in docs],
                  risk=[d.user_data.get("pk_risk") for d in docs])
    for doc, rec in zip(docs, recs):
        doc._.pk_labels = rec
        yield doc

"""Decision rules: from scores to labels, following the gold annotation conventions.

* Sentences outside the body (title, author line, bio, heading) are ``other`` with score 1 and
  carry no label; so are questions (``questions_are_other``) and bare noun-phrase headings run
  into the body ("Institutional structure.": at most five words, no finite verb, pronoun or
  opening imperative; ``headings_are_other``).
* A body sentence that opens (after list markers, run-in headings and ordinals) with an
  imperative verb, or is a verbless recommendation opening with an "-ing" form of one
  ("Strengthening the standardization of ..."), is a ``proposal`` (score at least 0.9,
  ``imperatives_are_proposals``); labels.md counts imperative lists of measures as proposals.
* Otherwise the role is the most probable of claim / proposal / other.
* Risk domains go on claim and proposal sentences only: every domain whose score reaches
  ``risk_domain``. Within each assigned domain the best subdomain is kept, and any other whose
  share of the domain reaches ``risk_subdomain_share``.
* Instruments and addressees go on proposals only: instruments scoring at least
  ``instrument``, or at least ``instrument_top`` when a cue of the instrument matched (and the
  best one if it reaches ``instrument_top``).
* Addressees, rule first (``explicit_agents_first``): addressee cues that are the subject of
  the first deontic modal ("governments and companies should") or the object of a calling verb
  or passive agent ("we call on AI companies", "licensed by local authorities") are the
  addressees (``kind: rule`` evidence plus the cue spans); a proposal with an agentless passive
  or impersonal necessity ("should be established", "it is necessary to") and no addressee cue
  at all is ``unspecified``; otherwise the learned heads decide: the best addressee always,
  further named addressees from ``addressee`` on (``unspecified`` stands alone).
* Label lists are ordered by descending score (ties by taxonomy order).

Evidence: for each label, the matched cue spans (``kind: cue``, offsets into the sentence text,
mapped to the raw text by the caller) and the learned component's top contributions (feature,
weight x value) and nearest gold training sentences carrying the label (``kind: model``:
``features`` and ``neighbours`` as ``[sent_id, cosine similarity]``). Roles fixed by a rule
(section, question, run-in heading, imperative) carry ``kind: rule`` evidence with the same two
keys.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import numpy as np
import yaml

from .. import config
from ..errors import InputError
from .components import AUXILIARIES, STRUCT_FEATURES
from .features import FeatureSet, featurize
from .model import ROLES, ExtractionModel

THRESHOLDS_FILE = config.MODELS_DIR / "thresholds.yaml"
_BUILTIN = {"risk_domain": 0.5, "risk_subdomain_share": 0.4, "instrument": 0.3, "instrument_top": 0.15,
            "addressee": 0.5, "report_min": 0.1, "questions_are_other": True,
            "imperatives_are_proposals": True, "explicit_agents_first": True, "headings_are_other": True}
#: on/off rules among the thresholds (every other threshold is a number in [0, 1])
SWITCHES = tuple(k for k, v in _BUILTIN.items() if isinstance(v, bool))
N_NEIGHBOURS = 3
#: layout cues that make a body sentence a proposal whatever the classifier says
IMPERATIVE_RULES = ("imperative_start", "gerund_start")
RULE_SCORE = 0.9
_STRUCT_IX = {k: i for i, k in enumerate(STRUCT_FEATURES)}
N_FEATURES = 5
#: words that make a short sentence more than a heading (finite verbs, auxiliaries, pronouns)
_NOT_HEADING = AUXILIARIES | {"being", "this", "that", "these", "those", "it", "they", "we", "i", "you",
                              "he", "she", "there", "here"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")


def is_heading_phrase(text: str, struct: np.ndarray | None = None) -> bool:
    """A bare noun phrase used as a run-in heading ("Institutional structure.").

    At most five words, opening with a capital letter, ending in a full stop (or nothing), with
    no finite verb, auxiliary or pronoun, and (when ``struct`` is given) not opening with an
    imperative verb or its "-ing" form.
    """
    t = text.strip()
    words = _WORD.findall(t)
    if not words or len(t.split()) > 5 or not t[:1].isupper() or not (t.endswith(".") or t[-1].isalnum()):
        return False
    if any(w.lower() in _NOT_HEADING for w in words):
        return False
    if struct is not None and any(struct[_STRUCT_IX[k]] > 0 for k in IMPERATIVE_RULES):
        return False
    return True


def load_thresholds(thresholds: dict | str | Path | None = None) -> dict:
    """Defaults from ``data/models/thresholds.yaml`` updated with ``thresholds`` (dict or YAML file)."""
    out = dict(_BUILTIN)
    if THRESHOLDS_FILE.exists():
        out.update(yaml.safe_load(THRESHOLDS_FILE.read_text(encoding="utf-8")) or {})
    if thresholds is None:
        return out
    if isinstance(thresholds, (str, Path)):
        p = Path(thresholds)
        if not p.exists():
            raise InputError(p, "thresholds file not found", "give a YAML file like data/models/thresholds.yaml")
        try:
            thresholds = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise InputError(p, f"not valid YAML: {e}") from None
        src = p
    else:
        src = None
    unknown = set(thresholds) - set(_BUILTIN)
    if unknown:
        raise InputError(src, f"unknown threshold(s) {', '.join(sorted(unknown))}",
                         f"use {', '.join(sorted(_BUILTIN))}")
    for k, v in thresholds.items():
        if k not in SWITCHES and not (isinstance(v, (int, float)) and 0.0 <= float(v) <= 1.0):
            raise InputError(src, f"threshold {k} must be a number in [0, 1], not {v!r}")
    out.update(thresholds)
    return out


def _order(labels: list[str], scores: dict[str, float], facet_order: list[str]) -> list[str]:
    return sorted(labels, key=lambda l: (-scores[l], facet_order.index(l)))


def _reported(scores: dict[str, float], chosen: list[str], report_min: float) -> dict[str, float]:
    """The scores listed in the ``scores`` column: those reaching ``report_min`` and every chosen label."""
    return {l: round(v, 4) for l, v in scores.items() if v >= report_min or l in chosen}


def _neighbours(sims_row: np.ndarray, mask: np.ndarray, ids: list[str], self_id: str | None) -> list[list]:
    cand = np.where(mask)[0]
    if not len(cand):
        return []
    s = sims_row[cand]
    order = np.argsort(-s, kind="stable")
    out = []
    for k in order:
        sid = ids[cand[k]]
        if sid == self_id:
            continue
        out.append([sid, round(float(s[k]), 3)])
        if len(out) == N_NEIGHBOURS:
            break
    return out


def _top(items: Iterable[tuple[str, float]], n: int = N_FEATURES) -> list[list]:
    pos = [(k, v) for k, v in items if v > 0]
    pos.sort(key=lambda kv: -kv[1])
    return [[k, round(float(v), 3)] for k, v in pos[:n]]


def decide(fs: FeatureSet, sc, model: ExtractionModel, thresholds: dict, sent_ids=None) -> list[dict]:
    """Labels, scores and evidence of every sentence of ``fs``.

    Returns one dict per sentence with ``role``, ``role_score``, ``risk_domains``,
    ``risk_subdomains``, ``instruments``, ``addressees``, ``scores`` and ``evidence``
    (cue offsets relative to the sentence text).
    """
    th = thresholds
    tax = model.taxonomy
    n = len(fs)
    dom_ids, sub_ids, inst_ids, addr_ids = model.dom_labels_, model.sub_labels_, model.inst_labels_, model.addr_labels_
    sent_ids = list(sent_ids) if sent_ids is not None else [None] * n
    mem = model.mem_emb_.astype(np.float32)
    sims = fs.emb @ mem.T if n else np.zeros((0, len(mem)), np.float32)
    mem_role = np.asarray(model.mem_labels_["role"])
    role_idx = sc.role.argmax(axis=1) if n else np.zeros(0, int)
    contrib = model.role_contributions(fs, np.arange(n), role_idx) if n else []
    mitp = sc.mit_domain
    pair = (sc.pair if sc.pair is not None else model._pair_X(fs)) if n else None
    addr_X = model._addr_X(fs) if n else None
    addr_names = model.addr_feature_names()
    pair_names = model.pair_feature_names()
    d = model.dim_
    unspecified = "unspecified"
    dom_named = _dom_named(model, fs, mitp) if n else []
    signals = {g.id: g.signals for g in tax.role_cues}
    out = []
    for i in range(n):
        section = str(fs.sections[i])
        text = fs.texts[i]
        cues = fs.cues[i]
        rec: dict = {"scores": {}, "evidence": {}}
        by_label: dict[tuple[str, str], list[dict]] = {}
        for f, lab, s, e, pat in cues:
            by_label.setdefault((f, lab), []).append({"kind": "cue", "text": text[s:e], "start": s, "end": e,
                                                      "pattern": pat})
        is_question = bool(th.get("questions_are_other", True)) and text.rstrip().endswith("?")
        is_heading = bool(th.get("headings_are_other", True)) and is_heading_phrase(text, fs.struct[i])
        if section != "body" or is_question or is_heading or not text.strip():
            why = (f"section: {section}" if section != "body" else "question" if is_question
                   else "run-in heading (short verbless phrase)" if is_heading else "empty text")
            rec.update(role="other", role_score=1.0, risk_domains=[], risk_subdomains=[], instruments=[],
                       addressees=[])
            rec["scores"] = {"role": {"other": 1.0}}
            rec["evidence"] = {"role": {"other": [{"kind": "rule", "features": [[why, 1.0]], "neighbours": []}]}}
            out.append(rec)
            continue
        role = ROLES[role_idx[i]]
        rec["scores"]["role"] = {r: round(float(sc.role[i, k]), 4) for k, r in enumerate(ROLES)}
        rule = [k for k in IMPERATIVE_RULES if fs.struct[i, _STRUCT_IX[k]] > 0] if th.get("imperatives_are_proposals", True) else []
        if rule:  # an imperative or a verbless "-ing" recommendation is a proposal (labels.md)
            role = "proposal"
            rec["role_score"] = round(max(float(sc.role[i, ROLES.index(role)]), RULE_SCORE), 4)
            role_ev = [{"kind": "rule", "features": [[f"layout:{k}", 1.0] for k in rule], "neighbours": []}]
        else:
            rec["role_score"] = round(float(sc.role[i, role_idx[i]]), 4)
            role_ev = [{"kind": "model", "features": _top(contrib[i]),
                        "neighbours": _neighbours(sims[i], mem_role == role, model.mem_ids_, sent_ids[i])}]
        rec["role"] = role
        role_cues = [c for (f, lab), cs in by_label.items() if f == "role_cue" and signals.get(lab) == role
                     for c in cs]
        uniq = {(c["start"], c["end"]): c for c in sorted(role_cues, key=lambda c: (c["start"], -c["end"]))}
        rec["evidence"]["role"] = {role: role_ev + list(uniq.values())}
        # ---------------------------------------------------------- risk domains and subdomains
        dom_scores = {lab: float(sc.risk_domain[i, k]) for k, lab in enumerate(dom_ids)}
        sub_scores = {lab: float(sc.risk_subdomain[i, k]) for k, lab in enumerate(sub_ids)}
        doms, subs = [], []
        if role in ("claim", "proposal"):
            doms = [lab for lab in dom_ids if dom_scores[lab] >= th["risk_domain"]]
            for lab in doms:
                j = dom_ids.index(lab)
                kids = np.where(model.sub_parent_ == j)[0]
                shares = sc.sub_share[i, kids]
                best = int(np.argmax(shares))
                for r, k in enumerate(kids):
                    if r == best or shares[r] >= th["risk_subdomain_share"]:
                        subs.append(sub_ids[k])
        rec["risk_domains"] = _order(doms, dom_scores, dom_ids)
        rec["risk_subdomains"] = _order(subs, sub_scores, sub_ids)
        rec["scores"]["risk_domain"] = _reported(dom_scores, doms, th["report_min"])
        rec["scores"]["risk_subdomain"] = _reported(sub_scores, subs, th["report_min"])
        ev = {}
        for lab in rec["risk_domains"]:
            j = dom_ids.index(lab)
            ev[lab] = by_label.get(("risk_domain", lab), []) + [{
                "kind": "model",
                "features": _dom_features(model, fs, i, j, dom_named),
                "neighbours": _neighbours(sims[i], model.mem_labels_["risk_domain"][:, j], model.mem_ids_,
                                          sent_ids[i])}]
        rec["evidence"]["risk_domain"] = ev
        ev = {}
        for lab in rec["risk_subdomains"]:
            k = sub_ids.index(lab)
            ev[lab] = by_label.get(("risk_subdomain", lab), []) + [{
                "kind": "model",
                "features": [["share of its domain (MIT subdomain classifier + cues)", round(float(sc.sub_share[i, k]), 3)]],
                "neighbours": _neighbours(sims[i], model.mem_labels_["risk_subdomain"][:, k], model.mem_ids_,
                                          sent_ids[i])}]
        rec["evidence"]["risk_subdomain"] = ev
        # ---------------------------------------------------------- instruments and addressees
        inst_scores = {lab: float(sc.instrument[i, k]) for k, lab in enumerate(inst_ids)}
        addr_scores = {lab: float(sc.addressee[i, k]) for k, lab in enumerate(addr_ids)}
        insts, addrs = [], []
        addr_rule: dict = {}
        if role == "proposal":
            # a cue naming the instrument lowers the bar to ``instrument_top`` (cue + model support)
            cued = {lab for (f, lab) in by_label if f == "instrument"}
            insts = [lab for lab in inst_ids if inst_scores[lab] >= th["instrument"]
                     or (lab in cued and inst_scores[lab] >= th["instrument_top"])]
            best = max(inst_ids, key=lambda l: inst_scores[l])
            if not insts and inst_scores[best] >= th["instrument_top"]:
                insts = [best]
            agents = _explicit_agents(text, cues)
            if agents and th.get("explicit_agents_first", True):
                # rule first: the actors the proposal explicitly asks to act
                addrs = [lab for lab in addr_ids if lab in agents]
                addr_rule = agents
            elif th.get("explicit_agents_first", True) and _IMPERSONAL.search(text) and \
                    not any(f == "addressee" for f, *_ in cues):
                # agentless passive or impersonal necessity naming no actor at all
                addrs = [unspecified]
                addr_rule = {unspecified: [{"kind": "cue", "text": m.group(0), "start": m.start(), "end": m.end(),
                                            "pattern": "impersonal"} for m in _IMPERSONAL.finditer(text)][:1]}
            else:
                top = max(addr_ids, key=lambda l: (addr_scores[l], -addr_ids.index(l)))
                if top == unspecified:
                    addrs = [top]
                else:
                    addrs = [lab for lab in addr_ids if lab != unspecified and (lab == top or addr_scores[lab] >= th["addressee"])]
        rec["instruments"] = _order(insts, inst_scores, inst_ids)
        rec["addressees"] = (sorted(addrs, key=lambda l: (-len(addr_rule[l]), -addr_scores[l], addr_ids.index(l)))
                             if addr_rule else _order(addrs, addr_scores, addr_ids))
        rec["scores"]["instrument"] = _reported(inst_scores, insts, th["report_min"])
        rec["scores"]["addressee"] = _reported(addr_scores, addrs, th["report_min"])
        ev = {}
        for lab in rec["instruments"]:
            k = inst_ids.index(lab)
            w = model.inst_head_.coef[0]
            feats = _top(zip(pair_names, (w * pair[i, k]).tolist()))
            ev[lab] = by_label.get(("instrument", lab), []) + [{
                "kind": "model", "features": feats,
                "neighbours": _neighbours(sims[i], model.mem_labels_["instrument"][:, k], model.mem_ids_, sent_ids[i])}]
        rec["evidence"]["instrument"] = ev
        ev = {}
        for lab in rec["addressees"]:
            k = addr_ids.index(lab)
            if lab in addr_rule:
                why = "agentless passive or impersonal construction" if lab == unspecified else "explicit agent cue"
                ev[lab] = [{"kind": "rule", "features": [[why, 1.0]], "neighbours": []}] + addr_rule[lab]
                continue
            c = model.addr_heads_[k].coef[0] * addr_X[i]
            feats = _top([("embedding", float(c[:d].sum()))] + list(zip(addr_names, c[d:].tolist())))
            ev[lab] = by_label.get(("addressee", lab), []) + [{
                "kind": "model", "features": feats,
                "neighbours": _neighbours(sims[i], model.mem_labels_["addressee"][:, k], model.mem_ids_, sent_ids[i])}]
        rec["evidence"]["addressee"] = ev
        out.append(rec)
    return out


#: agentless passives and impersonal necessity ("should be established", "it is necessary to")
_IMPERSONAL = re.compile(
    r"\b(?:it(?:'s|\u2019s| is| was| will be| remains)\s+(?:\w+\s+)?(?:necessary|essential|crucial|important|"
    r"critical|vital|imperative|key|urgent)|(?:should|must|need to|needs to|shall|could|can|will|would|might|may)"
    r"\s+(?:also\s+|therefore\s+|further\s+)?be\s+\w+(?:ed|en|wn|lt|ne)\b|(?:is|are)\s+(?:\w+\s+)?(?:needed|"
    r"required|essential|crucial|necessary|critical|important|key|vital))", re.IGNORECASE)
#: the span between an agent and its deontic modal ("governments and companies should")
_AGENT_GAP = re.compile(r"^[\w\s'\u2019-]{0,40}$")
#: verbs and prepositions whose object is the addressee ("call on companies", "licensed by regulators")
_AGENT_LEAD = re.compile(r"\b(?:call(?:s|ed|ing)?\s+(?:on|upon)|urg(?:e|es|ed|ing)|encourag(?:e|es|ed|ing)|"
                         r"invit(?:e|es|ed|ing)|by)\s+[\w\s'\u2019-]{0,25}$", re.IGNORECASE)


def _explicit_agents(text: str, cues: list) -> dict[str, list[dict]]:
    """Addressee cue spans that name the actor a proposal asks to act.

    A cue is an explicit agent when it is the subject of the sentence's first deontic modal
    (only words between them: "governments and companies should", "the UN must") or the object
    of a calling verb or the agent of a passive ("we call on AI companies", "licensed by local
    authorities"). Returns ``{label: [cue evidence, ...]}``.
    """
    modal = min((c[2] for c in cues if c[0] == "role_cue" and c[1] == "deontic_modal"), default=None)
    out: dict[str, list[dict]] = {}
    for f, lab, s, e, pat in cues:
        if f != "addressee" or lab == "unspecified":
            continue
        subject = modal is not None and e <= modal and _AGENT_GAP.match(text[e:modal]) is not None
        lead = _AGENT_LEAD.search(text[max(0, s - 60):s]) is not None
        if subject or lead:
            out.setdefault(lab, []).append({"kind": "cue", "text": text[s:e], "start": s, "end": e, "pattern": pat})
    return out


_DOM_NAMES = ("cue count", "MIT-description classifier", "previous sentence cue count",
              "previous sentence MIT classifier", "next sentence cue count", "next sentence MIT classifier")


def _dom_named(model: ExtractionModel, fs: FeatureSet, mitp: np.ndarray) -> list[np.ndarray]:
    """Per domain, the named (non-embedding) inputs of its head for every sentence."""
    out = []
    for j in range(len(model.dom_labels_)):
        cols = np.stack([fs.dom[:, j], mitp[:, j]], axis=1)
        prev, nxt = fs.context(cols)
        out.append(np.hstack([cols, model.ctx_weight * prev, model.ctx_weight * nxt]))
    return out


def _dom_features(model: ExtractionModel, fs: FeatureSet, i: int, j: int, named: list[np.ndarray]) -> list[list]:
    """Named contributions of the domain head ``j`` for sentence ``i``."""
    coef = model.dom_heads_[j].coef[0]
    d = model.dim_
    emb = float(coef[:d] @ (model.emb_scale * fs.emb[i]))
    return _top([("embedding", emb)] + list(zip(_DOM_NAMES, (coef[d:] * named[j][i]).tolist())))


def decide_batch(docs: list, model: ExtractionModel, thresholds: dict | None = None):
    """Label a run of docs of one document (the ``policykit_labeller`` component's work)."""
    from ..embed import embed
    th = load_thresholds(thresholds) if not isinstance(thresholds, dict) or "report_min" not in thresholds else thresholds
    vecs = [d.user_data.get("pk_vector") for d in docs]
    if any(v is None for v in vecs):
        emb = embed([d.text for d in docs], model=model.embedding, cache=False)
    else:
        emb = np.vstack(vecs)
    fs = featurize(docs, model.taxonomy, emb,
                   groups=[d.user_data.get("pk_group", f"__{id(d)}") for d in docs],
                   sections=[d.user_data.get("pk_section", "body") for d in docs])
    sc = model.score(fs)
    recs = decide(fs, sc, model, th, sent_ids=[d.user_data.get("pk_sent_id") for d in docs])
    for doc, rec in zip(docs, recs):
        doc._.pk_labels = rec
        yield doc

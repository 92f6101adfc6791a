"""Stances of each document on the five contested questions, with evidence sentences.

The rules are data (``data/taxonomy/stances.yaml``): each rule says which extracted sentences
(role, instruments, risk domains or subdomains, cue patterns) count as evidence for a stance
value. A document takes the best-supported non-default value when its evidence is strong
enough, else the default (``none``). See the YAML file's header for the exact semantics.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policykit.compare._frames import _as_list, documents_frame, shorten
from policykit.config import GOLD_DOCUMENTS, TAXONOMY_DIR
from policykit.errors import InputError
from policykit.yamlfile import read_yaml

STANCES_YAML = TAXONOMY_DIR / "stances.yaml"
QUESTIONS = ("new_international_body", "binding_regulation", "open_source",
             "catastrophic_risk_priority", "global_south_focus")
STANCE_COLUMNS = ["doc_id", "question", "stance", "weight", "share", "n_evidence",
                  "evidence_sent_ids", "evidence_texts", "weights"]
_LABEL_KEYS = {"instruments": "instruments", "risk_domains": "risk_domains",
               "risk_subdomains": "risk_subdomains"}


@dataclass
class Rule:
    """One evidence rule (see ``stances.yaml``)."""

    value: str
    roles: tuple[str, ...] = ("claim", "proposal")
    labels: dict[str, frozenset[str]] = field(default_factory=dict)
    cues: list[re.Pattern] = field(default_factory=list)
    require: list[re.Pattern] = field(default_factory=list)
    exclude: list[re.Pattern] = field(default_factory=list)
    weight: float = 1.0

    def match(self, role: str, labels: dict[str, list[str]], text: str) -> str | None:
        """Why the sentence is evidence (a label id or the matched cue text), or None."""
        if self.roles and role not in self.roles:
            return None
        why = None
        for key, want in self.labels.items():
            hit = [l for l in labels.get(key, ()) if l in want]
            if hit:
                why = hit[0]
                break
        if why is None:
            for pat in self.cues:
                m = pat.search(text)
                if m:
                    why = m.group(0)
                    break
        if why is None:
            return None
        if self.require and not any(p.search(text) for p in self.require):
            return None
        if self.exclude and any(p.search(text) for p in self.exclude):
            return None
        return why


@dataclass
class Question:
    """A contested question: its values, default and evidence rules."""

    id: str
    name: str
    values: list[str]
    default: str
    rules: list[Rule]
    min_weight: dict[str, float]
    min_share: dict[str, float]


def load_stance_rules(path: str | Path | None = None) -> dict[str, Question]:
    """Read and validate the stance rules.

    Raises
    ------
    policykit.errors.InputError
        Unreadable YAML, a missing field, an unknown value or an invalid regular expression
        (the message names the file, question and rule).
    """
    path = Path(path) if path is not None else STANCES_YAML
    data = read_yaml(path, what="stance rules", restore="pass an existing YAML file")
    if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
        raise InputError(path, "expected a mapping with a 'questions' mapping",
                         "see data/taxonomy/stances.yaml for the format")
    out = {}
    for qid, q in data["questions"].items():
        where = f"question {qid!r}"
        if not isinstance(q, dict):
            raise InputError(path, f"{where} must be a mapping")
        for key in ("values", "default", "rules"):
            if key not in q:
                raise InputError(path, f"{where} lacks '{key}'", f"add '{key}:'")
        values = [str(v) for v in q["values"]]
        default = str(q["default"])
        if default not in values:
            raise InputError(path, f"{where}: default {default!r} is not among its values {values}")
        rules = []
        for i, r in enumerate(q["rules"] or []):
            rwhere = f"{where}, rule {i + 1}"
            if not isinstance(r, dict) or "value" not in r:
                raise InputError(path, f"{rwhere} lacks 'value'")
            if str(r["value"]) not in values:
                raise InputError(path, f"{rwhere}: value {r['value']!r} is not among {values}")
            unknown = set(r) - {"value", "roles", "cues", "require_cues", "exclude_cues",
                                "weight", *_LABEL_KEYS}
            if unknown:
                raise InputError(path, f"{rwhere}: unknown keys {sorted(unknown)}")
            labels = {k: frozenset(str(x) for x in r[k]) for k in _LABEL_KEYS if r.get(k)}
            if not labels and not r.get("cues"):
                raise InputError(path, f"{rwhere} has neither labels nor cues",
                                 "give instruments, risk_domains, risk_subdomains or cues")

            def compile_all(key):
                pats = []
                for c in r.get(key) or []:
                    try:
                        pats.append(re.compile(c, re.IGNORECASE))
                    except re.error as e:
                        raise InputError(path, f"{rwhere}: bad regular expression {c!r} in "
                                         f"'{key}': {e}") from None
                return pats

            rules.append(Rule(value=str(r["value"]),
                              roles=tuple(r.get("roles") or ("claim", "proposal")),
                              labels=labels, cues=compile_all("cues"),
                              require=compile_all("require_cues"),
                              exclude=compile_all("exclude_cues"),
                              weight=float(r.get("weight", 1.0))))
        out[str(qid)] = Question(id=str(qid), name=str(q.get("name", qid)), values=values,
                                 default=default, rules=rules,
                                 min_weight={str(k): float(v) for k, v in
                                             (q.get("min_weight") or {}).items()},
                                 min_share={str(k): float(v) for k, v in
                                            (q.get("min_share") or {}).items()})
    return out


def _contains(texts: list[str], pat: re.Pattern) -> np.ndarray:
    search = pat.search
    return np.fromiter((search(t) is not None for t in texts), dtype=bool, count=len(texts))


def _any_pattern(pats: list[re.Pattern]) -> re.Pattern | None:
    if not pats:
        return None
    return re.compile("|".join(f"(?:{p.pattern})" for p in pats), re.IGNORECASE)


def stance_evidence(wide: pd.DataFrame, rules: dict[str, Question] | None = None
                    ) -> pd.DataFrame:
    """Every (sentence, question, value) that a rule counts as evidence.

    Returns ``doc_id, sent_id, question, value, weight, why, text``; a sentence counts once per
    question and value (its first matching rule). Each rule's cues are first tested on the
    whole text column at once; the reason (``why``) is worked out only for matches.
    """
    rules = rules or load_stance_rules()
    cols = ["doc_id", "sent_id", "question", "value", "weight", "why", "text"]
    if wide.empty:
        return pd.DataFrame(columns=cols)
    texts = wide["text"].map(lambda t: t if isinstance(t, str) else "")
    tlist = texts.tolist()
    roles = wide["role"] if "role" in wide.columns else pd.Series("claim", index=wide.index)
    labels = {k: [[str(x) for x in _as_list(v)] for v in wide[k]] if k in wide.columns
              else [[] for _ in range(len(wide))] for k in _LABEL_KEYS}
    rows = []
    for q in rules.values():
        used: dict[str, set] = {}
        for rule in q.rules:
            mask = (roles.isin(rule.roles).to_numpy().copy() if rule.roles
                    else np.ones(len(wide), dtype=bool))
            hit = np.zeros(len(wide), dtype=bool)
            for key, want in rule.labels.items():
                hit |= np.fromiter((bool(want.intersection(ls)) for ls in labels[key]),
                                   dtype=bool, count=len(wide))
            cue = _any_pattern(rule.cues)
            if cue is not None:
                hit |= _contains(tlist, cue)
            mask &= hit
            req, exc = _any_pattern(rule.require), _any_pattern(rule.exclude)
            if req is not None:
                mask &= _contains(tlist, req)
            if exc is not None:
                mask &= ~_contains(tlist, exc)
            seen = used.setdefault(rule.value, set())
            for i in np.flatnonzero(mask):
                sid = wide["sent_id"].iat[i]
                if sid in seen:
                    continue
                why = rule.match(roles.iat[i], {k: labels[k][i] for k in _LABEL_KEYS},
                                 texts.iat[i])
                if why is None:
                    continue
                seen.add(sid)
                rows.append((wide["doc_id"].iat[i], sid, q.id, rule.value, rule.weight, why,
                             texts.iat[i]))
    out = pd.DataFrame(rows, columns=cols)
    # corpus order within each question
    order = {s: i for i, s in enumerate(wide["sent_id"])}
    out["_o"] = out["sent_id"].map(order)
    return out.sort_values(["question", "_o", "value"], kind="mergesort").drop(
        columns="_o").reset_index(drop=True)


def stances(wide: pd.DataFrame, rules: dict[str, Question] | str | Path | None = None,
            documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each document's stance on each question, with its evidence sentences.

    Parameters
    ----------
    wide : pandas.DataFrame
        Extraction wide view.
    rules : dict or path, optional
        Parsed rules or a YAML path (default ``data/taxonomy/stances.yaml``).
    documents : pandas.DataFrame, optional
        Corpus documents frame (documents without sentences get the default stance).

    Returns
    -------
    pandas.DataFrame
        :data:`STANCE_COLUMNS` plus document metadata: ``stance``; ``weight`` and ``share`` of
        its evidence (share of the document's claim + proposal sentences); the evidence
        ``sent_ids`` and texts (cut, unescaped); ``weights`` = evidence weight of every value.
    """
    if not isinstance(rules, dict):
        rules = load_stance_rules(rules)
    ev = stance_evidence(wide, rules)
    docs = documents_frame(wide, documents)
    n_sub = dict(zip(docs["doc_id"], docs["n_claim"] + docs["n_proposal"]))
    grouped = {k: g for k, g in ev.groupby(["doc_id", "question"], sort=False)}
    rows = []
    for did in docs["doc_id"]:
        for q in rules.values():
            g = grouped.get((did, q.id))
            weights = {v: 0.0 for v in q.values if v != q.default}
            if g is not None:
                for v, w in g.groupby("value")["weight"].sum().items():
                    weights[v] = float(w)
            denom = n_sub.get(did, 0)
            best, best_w = q.default, 0.0
            for v in q.values:  # listed order breaks ties
                if v == q.default:
                    continue
                w = weights.get(v, 0.0)
                share = w / denom if denom else 0.0
                if (w >= q.min_weight.get(v, 1.0) and share >= q.min_share.get(v, 0.0)
                        and w > best_w):
                    best, best_w = v, w
            if best != q.default and g is not None:
                sel = g[g["value"] == best]
                ids, texts = sel["sent_id"].tolist(), [shorten(t) for t in sel["text"]]
            else:
                ids, texts = [], []
            rows.append((did, q.id, best, best_w, best_w / denom if denom else 0.0, len(ids),
                         ids, texts, weights))
    out = pd.DataFrame(rows, columns=STANCE_COLUMNS)
    meta = docs.drop(columns=[c for c in ("n_sent_all", "n_claim", "n_proposal") if c in docs])
    return out.merge(meta, on="doc_id", how="left")


def gold_stances(path: str | Path = GOLD_DOCUMENTS) -> pd.DataFrame:
    """Human stance labels of the dev documents: ``doc_id, question, stance``."""
    docs = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = [(d["essay_id"], q, str(v)) for d in docs if d.get("stances")
            for q, v in d["stances"].items()]
    return pd.DataFrame(rows, columns=["doc_id", "question", "stance"])


def _kappa(a: Sequence[str], b: Sequence[str]) -> float:
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if len(a) == 0:
        return float("nan")
    cats = sorted(set(a) | set(b))
    po = float(np.mean(a == b))
    pe = sum(float(np.mean(a == c)) * float(np.mean(b == c)) for c in cats)
    return 1.0 if pe >= 1.0 else (po - pe) / (1.0 - pe)


def stance_agreement(pred: pd.DataFrame, gold: pd.DataFrame | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agreement of derived stances with human labels, on the documents both have.

    Returns
    -------
    summary : pandas.DataFrame
        Per question and ``all``: ``n_docs``, ``accuracy``, Cohen's ``kappa``, ``majority``
        (accuracy of always answering the gold's most common value) and ``n_non_default``
        (gold documents that take a stance).
    pairs : pandas.DataFrame
        ``doc_id, question, gold, predicted, agree`` for inspection.
    """
    gold = gold_stances() if gold is None else gold
    pairs = gold.rename(columns={"stance": "gold"}).merge(
        pred[["doc_id", "question", "stance"]].rename(columns={"stance": "predicted"}),
        on=["doc_id", "question"], how="inner")
    pairs["agree"] = pairs["gold"] == pairs["predicted"]
    rows = []
    for q, g in list(pairs.groupby("question", sort=False)) + [("all", pairs)]:
        maj = g["gold"].value_counts().iloc[0] / len(g) if len(g) else float("nan")
        rows.append({"question": q, "n_docs": int(g["doc_id"].nunique()),
                     "n_pairs": len(g), "accuracy": float(g["agree"].mean()) if len(g) else np.nan,
                     "kappa": _kappa(g["gold"], g["predicted"]), "majority": float(maj),
                     "n_non_default": int((g["gold"] != "none").sum())})
    return pd.DataFrame(rows), pairs

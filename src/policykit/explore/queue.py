"""A review queue: which sentences an analyst should read first so that a correction teaches the
model the most.

The order is a suggestion, not a measurement: priorities come from model scores, so two
sentences whose priorities are about 1e-4 apart can swap places on another processor (tested:
at least 90% of the report's sentences keep their rank under 1e-6 of embedding noise; labels,
scores and reasons do not move at all).

Three signals, each in [0, 1], read from the extraction wide view only (its ``scores`` and
``evidence`` columns, see docs/architecture.md), never from the model's internals:

* **uncertainty** — the lowest *margin* of the sentence's decisions. For the role, the learned
  probability of the decided role minus the best other role's. For the other facets, for every
  label with a reported score, the signed distance of its score from the facet's decision
  boundary (positive when the decision agrees with the score's side of the boundary). The
  boundary is estimated from the table itself: the score that best separates the labels the
  extraction assigned from those it did not (or given by ``thresholds``). A negative margin
  means a rule overrode the score. ``uncertainty = 1 - min(1, max(margin, 0) / 0.5)``.
  Subdomains are left out here: the extraction keeps a domain's best subdomain and any other
  with a large enough share of it, not those above a score boundary.
* **disagreement** — cue evidence against the learned score: a label assigned on a cue whose
  learned score is below the boundary, a role decided against the learned role probabilities
  (a rule fired), a role cue that signals another role (weight 1 each); a label assigned with
  no cue at all (0.25).
  ``disagreement = min(1, sum of weights)``.
* **rarity** — labels the training data has few examples of: ``1 - log(1 + n) / log(1 + n_max)``
  over the facet's labels, for the sentence's assigned labels and the near-boundary candidates
  (``|margin| < 0.15``); the maximum counts. Counts come from :func:`training_label_counts`.

``priority = w_u * uncertainty + w_d * disagreement + w_r * rarity`` (default weights 0.5, 0.3,
0.2), every sentence with the reasons behind its place.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config

FACETS = ("role", "risk_domain", "risk_subdomain", "instrument", "addressee")
WIDE_COLUMNS = {"role": "role", "risk_domain": "risk_domains", "risk_subdomain": "risk_subdomains",
                "instrument": "instruments", "addressee": "addressees"}
GOLD_FIELDS = {"role": "role", "risk_domain": "risk_domains", "risk_subdomain": "risk_subdomains",
               "instrument": "instruments", "addressee": "addressee"}
#: Which roles may carry a facet's labels (labels.md).
ELIGIBLE = {"risk_domain": ("claim", "proposal"), "risk_subdomain": ("claim", "proposal"),
            "instrument": ("proposal",), "addressee": ("proposal",)}
WEIGHTS = {"uncertainty": 0.5, "disagreement": 0.3, "rarity": 0.2}
MARGIN_SCALE = 0.5
NEAR = 0.15
#: weight of a label assigned with no cue at all (a weaker disagreement than a cue against the score)
MODEL_ONLY = 0.25
#: facets decided within another facet's labels (subdomains by their share of the domain)
SHARE_DECIDED = ("risk_subdomain",)
QUEUE_COLUMNS = ["sent_id", "doc_id", "rank", "priority", "uncertainty", "disagreement", "rarity",
                 "margin", "margin_facet", "margin_label", "reasons", "role", "text"]


# ----------------------------------------------------------------------------- training counts
def training_files() -> list[Path]:
    """The gold files whose labels are counted: ``data/training/*.jsonl`` and, when present and
    not already copied there, ``../shared/gold/sentences-governance.jsonl``."""
    files = sorted(config.TRAINING_DIR.glob("*.jsonl"))
    gov = config.SHARED_DIR / "gold" / "sentences-governance.jsonl"
    if gov.is_file() and gov.name not in {f.name for f in files}:
        files.append(gov)
    return files


def training_label_counts(paths: Iterable[str | Path] | None = None) -> pd.DataFrame:
    """How many training sentences carry each label.

    Parameters
    ----------
    paths : iterable of path, optional
        Gold-schema JSONL files (``role, risk_domains, risk_subdomains, instruments,
        addressee``); default :func:`training_files`.

    Returns
    -------
    pandas.DataFrame
        ``facet, label, n`` (labels of the taxonomy that no sentence carries have ``n = 0``).
    """
    from ..taxonomy import load_taxonomy

    counts: dict[tuple[str, str], int] = {}
    for p in (training_files() if paths is None else [Path(x) for x in paths]):
        if not Path(p).is_file():
            continue
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            for facet, field in GOLD_FIELDS.items():
                v = rec.get(field)
                vals = [v] if isinstance(v, str) else list(v or [])
                for lab in dict.fromkeys(vals):
                    counts[(facet, str(lab))] = counts.get((facet, str(lab)), 0) + 1
    try:
        tax = load_taxonomy(alternatives=False)
        for facet in FACETS:
            for lab in tax.ids(facet):
                counts.setdefault((facet, lab), 0)
    except Exception:  # pragma: no cover - no taxonomy: observed labels only
        pass
    rows = [(f, l, n) for (f, l), n in counts.items()]
    return pd.DataFrame(rows, columns=["facet", "label", "n"]).sort_values(["facet", "n", "label"]).reset_index(drop=True)


def rarity_table(counts: pd.DataFrame) -> dict[tuple[str, str], float]:
    """``(facet, label) -> rarity`` in [0, 1] (1 = no training example)."""
    out = {}
    for facet, g in counts.groupby("facet"):
        nmax = max(1, int(g["n"].max()))
        for lab, n in zip(g["label"], g["n"]):
            out[(facet, lab)] = 1.0 - math.log1p(int(n)) / math.log1p(nmax)
    return out


# ----------------------------------------------------------------------------- boundaries
def _lists(v) -> list:
    if v is None or (isinstance(v, float) and v != v):
        return []
    if isinstance(v, str):
        return [v]
    return list(v)


def estimate_boundaries(wide: pd.DataFrame) -> dict[str, float]:
    """Per facet (not role), the score threshold that best separates assigned from unassigned
    labels among the reported scores of eligible sentences (fewest disagreements; the midpoint of
    the best gap). 0.5 where a facet has no assigned or no unassigned score."""
    out = {}
    for facet in FACETS[1:]:
        col = WIDE_COLUMNS[facet]
        if col not in wide.columns or "scores" not in wide.columns:
            out[facet] = 0.5
            continue
        pos, neg = [], []
        roles = wide["role"] if "role" in wide.columns else pd.Series("proposal", index=wide.index)
        for role, labs, sc in zip(roles, wide[col], wide["scores"]):
            if role not in ELIGIBLE[facet]:
                continue
            fs = (sc or {}).get(facet) or {}
            chosen = set(_lists(labs))
            for lab, s in fs.items():
                (pos if lab in chosen else neg).append(float(s))
        if not pos or not neg:
            out[facet] = 0.5
            continue
        vals = np.array(pos + neg)
        is_pos = np.array([1] * len(pos) + [0] * len(neg))
        order = np.argsort(vals, kind="mergesort")
        v, y = vals[order], is_pos[order]
        # threshold between v[i-1] and v[i]: errors = positives below + negatives at/above
        pos_below = np.concatenate([[0], np.cumsum(y)])
        neg_above = (len(neg) - np.concatenate([[0], np.cumsum(1 - y)]))
        errors = pos_below + neg_above
        best = int(np.argmin(errors))
        if best == 0:
            t = v[0]
        elif best == len(v):
            t = v[-1] + 1e-6
        else:
            t = (v[best - 1] + v[best]) / 2
        out[facet] = float(round(t, 4))
    return out


# ----------------------------------------------------------------------------- role cues
def _role_cue_signals() -> dict[str, str]:
    """Role cue pattern -> the role it signals (phrases and 'pattern N of group' names)."""
    try:
        from ..taxonomy import load_taxonomy

        tax = load_taxonomy(alternatives=False)
    except Exception:  # pragma: no cover
        return {}
    out = {}
    for g in tax.role_cues:
        for ph in g.phrases:
            out.setdefault(ph.lower(), g.signals)
        for i in range(len(g.patterns)):
            out.setdefault(f"pattern {i + 1} of {g.id}", g.signals)
    return out


# ----------------------------------------------------------------------------- the queue
def review_queue(wide: pd.DataFrame, counts: pd.DataFrame | None = None, *,
                 thresholds: Mapping[str, float] | None = None,
                 weights: Mapping[str, float] | None = None, exclude: Iterable[str] = (),
                 names: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """Order a wide view's sentences by how much reviewing them would teach the model.

    Parameters
    ----------
    wide : pandas.DataFrame
        An extraction wide view.
    counts : pandas.DataFrame, optional
        :func:`training_label_counts` (default: computed from :func:`training_files`).
    thresholds : mapping, optional
        Decision boundaries per facet (default: :func:`estimate_boundaries`).
    weights : mapping, optional
        ``uncertainty``, ``disagreement``, ``rarity`` weights (default :data:`WEIGHTS`).
    exclude : iterable of str
        Sentence ids to leave out (e.g. those already decided).
    names : mapping, optional
        facet -> {label id: name}, used in the reasons (default: the ids).

    Returns
    -------
    pandas.DataFrame
        :data:`QUEUE_COLUMNS`, highest ``priority`` first (ties in table order); ``rank`` starts
        at 1; ``reasons`` lists readable strings.
    """
    w = {**WEIGHTS, **(weights or {})}
    counts = training_label_counts() if counts is None else counts
    rare = rarity_table(counts) if len(counts) else {}
    ncount = {(f, l): int(n) for f, l, n in zip(counts["facet"], counts["label"], counts["n"])} if len(counts) else {}
    bounds = {**estimate_boundaries(wide), **(thresholds or {})}
    signals = _role_cue_signals()
    skip = set(exclude)
    nm = names or {}

    def name(facet, lab):
        return (nm.get(facet) or {}).get(lab, lab)

    n = len(wide)

    def col(c, default=None):
        return wide[c].tolist() if c in wide.columns else [default] * n

    lists = {c: col(c) for c in ("sent_id", "doc_id", "role", "text", "scores", "evidence", *WIDE_COLUMNS.values())}
    rows = []
    for i in range(n):
        sid = lists["sent_id"][i]
        if sid in skip:
            continue
        sc = lists["scores"][i] or {}
        ev = lists["evidence"][i] or {}
        role = lists["role"][i]
        margins: list[tuple[float, str, str, str]] = []   # (margin, facet, label, description)
        dis: list[tuple[float, str]] = []
        involved: list[tuple[str, str]] = [("role", role)]
        # role margin
        rsc = {k: float(v) for k, v in (sc.get("role") or {}).items()}
        if rsc:
            p = rsc.get(role, 0.0)
            others = [v for k, v in rsc.items() if k != role]
            best_other = max(others) if others else 0.0
            alt = max((k for k in rsc if k != role), key=lambda k: rsc[k], default=None)
            margins.append((p - best_other, "role", role,
                            f"role {role} {p:.2f} vs {alt} {best_other:.2f}"))
            if best_other > p and alt is not None:
                dis.append((1.0, f"decided {role} although the learned role score prefers {alt} "
                                 f"({best_other:.2f} vs {p:.2f})"))
                involved.append(("role", alt))
        for item in (ev.get("role") or {}).get(role, []) or []:
            if item.get("kind") == "cue":
                sig = signals.get(str(item.get("pattern", "")).lower())
                if sig and sig != role:
                    dis.append((1.0, f"cue '{item.get('text')}' signals {sig}, decided {role}"))
        # label facets (subdomains follow their domain by share, not by a score boundary:
        # they count for rarity only)
        for facet in FACETS[1:]:
            chosen = _lists(lists[WIDE_COLUMNS[facet]][i])
            if facet in SHARE_DECIDED:
                involved += [(facet, lab) for lab in chosen]
                continue
            fs = {k: float(v) for k, v in (sc.get(facet) or {}).items()}
            t = float(bounds.get(facet, 0.5))
            eligible = role in ELIGIBLE[facet]
            for lab, s in fs.items():
                if lab in chosen:
                    m = s - t
                elif eligible:
                    m = t - s
                else:
                    continue  # not eligible: the role decides, not the score
                margins.append((m, facet, lab, f"{facet} {name(facet, lab)} {s:.2f} "
                                               f"({'assigned' if lab in chosen else 'not assigned'}; boundary {t:.2f})"))
                if abs(m) < NEAR:
                    involved.append((facet, lab))
            for lab in chosen:
                involved.append((facet, lab))
                items = (ev.get(facet) or {}).get(lab, []) or []
                cues = [x for x in items if x.get("kind") == "cue"]
                kinds = {x.get("kind") for x in items}
                s = fs.get(lab)
                if cues and s is not None and s < t:
                    dis.append((1.0, f"cue '{cues[0].get('text')}' gives {name(facet, lab)} but its learned "
                                     f"score {s:.2f} is below the boundary {t:.2f}"))
                elif not cues and "rule" not in kinds and items:
                    dis.append((MODEL_ONLY, f"{name(facet, lab)} assigned by the learned score alone (no cue)"))
        if margins:
            m, mf, ml, md = min(margins, key=lambda x: x[0])
        else:
            m, mf, ml, md = 1.0, "", "", ""
        unc = 1.0 - min(1.0, max(m, 0.0) / MARGIN_SCALE)
        d = min(1.0, sum(x[0] for x in dis))
        rr, rlab = 0.0, None
        for f, lab in involved:
            v = rare.get((f, lab))
            if v is not None and v > rr:
                rr, rlab = v, (f, lab)
        reasons = []
        if margins:
            reasons.append(f"lowest margin {m:+.2f}: {md}")
        reasons += [x[1] for x in dis]
        if rlab is not None and rr > 0:
            reasons.append(f"rare in training: {name(*rlab)} ({ncount.get(rlab, 0)} training sentences)")
        pr = w["uncertainty"] * unc + w["disagreement"] * d + w["rarity"] * rr
        rows.append({"sent_id": sid, "doc_id": lists["doc_id"][i], "_pos": i, "priority": round(pr, 4),
                     "uncertainty": round(unc, 4), "disagreement": round(d, 4), "rarity": round(rr, 4),
                     "margin": round(m, 4), "margin_facet": mf, "margin_label": ml, "reasons": reasons,
                     "role": role, "text": lists["text"][i]})
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in QUEUE_COLUMNS})
    df = pd.DataFrame(rows).sort_values(["priority", "_pos"], ascending=[False, True], kind="mergesort")
    df["rank"] = np.arange(1, len(df) + 1)
    return df[QUEUE_COLUMNS].reset_index(drop=True)

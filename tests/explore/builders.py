"""A tiny real corpus (three documents on disk) and a hand-made extraction of it, with scores and
cue evidence whose offsets index the raw text, so the explorer can be tested without the model.

One document contains ``<script>`` markup: every rendering of it must show the characters and
run nothing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TEXTS = {
    "alpha.md": """# Alpha policy

## Risks

Deepfakes can mislead voters during elections. Biased models can harm minorities.

## Measures

Governments should audit AI systems before deployment. Companies must report incidents to regulators.
""",
    "gamma.md": """# Gamma strategy

## Risks

Disinformation can spread quickly online.

## Measures

Regulators should audit large models every year.
""",
    "beta.txt": """Beta statement

The document <script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2"> contains markup & more. Regulators should license frontier models.
""",
}
META = "doc_id,region,sector\nalpha,europe,government\ngamma,europe,industry\nbeta,asia,government\n"
#: keyword -> (facet, label) of the hand-made extraction (a cue that the rule "finds")
CUES = {
    "deepfakes": ("risk_domain", "misinformation"), "disinformation": ("risk_domain", "misinformation"),
    "biased": ("risk_domain", "discrimination_toxicity"), "audit": ("instrument", "evaluation_audit"),
    "report incidents": ("instrument", "transparency_disclosure"), "license": ("instrument", "licensing_registration"),
    "governments": ("addressee", "states"), "regulators": ("addressee", "states"),
    "companies": ("addressee", "industry"),
}
SUBDOMAIN = {"misinformation": "3.1", "discrimination_toxicity": "1.1"}


def write_corpus(folder: Path) -> tuple[Path, Path]:
    """The three texts in ``folder/texts`` and a metadata sidecar ``folder/meta.csv``."""
    texts = folder / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    for name, body in TEXTS.items():
        (texts / name).write_text(body, encoding="utf-8")
    meta = folder / "meta.csv"
    meta.write_text(META, encoding="utf-8")
    return texts, meta


def load_corpus(folder: Path):
    import policykit as pk

    texts, meta = write_corpus(folder)
    return pk.load([texts], metadata=meta)


def fake_extract(corpus) -> pd.DataFrame:
    """An extraction wide view of ``corpus`` in the contract of docs/architecture.md."""
    S = corpus.sentences.reset_index(drop=True)
    rows = []
    for r in S.itertuples(index=False):
        raw = corpus.raw(r.doc_id)
        seg = raw[r.start:r.end].lower()
        text = r.text
        if r.section != "body":
            role, rs = "other", 1.0
        elif " should " in f" {text.lower()} " or " must " in f" {text.lower()} ":
            role, rs = "proposal", 0.91 if "should" in text else 0.55
        else:
            role, rs = "claim", 0.8
        labels = {"risk_domain": [], "risk_subdomain": [], "instrument": [], "addressee": []}
        scores = {"role": {"claim": 0.0, "proposal": 0.0, "other": 0.0}}
        scores["role"][role] = rs
        scores["role"]["claim" if role != "claim" else "other"] = round(1 - rs, 3)
        evidence = {"role": {role: [{"kind": "model", "features": [["embedding", 1.0]], "neighbours": []}]}}
        if role != "other":
            for kw, (facet, lab) in CUES.items():
                k = seg.find(kw)
                if k < 0 or lab in labels[facet] or (facet in ("instrument", "addressee") and role != "proposal"):
                    continue
                s, e = r.start + k, r.start + k + len(kw)
                labels[facet].append(lab)
                score = 0.42 if kw == "companies" else 0.8
                scores.setdefault(facet, {})[lab] = score
                evidence.setdefault(facet, {})[lab] = [
                    {"kind": "cue", "text": raw[s:e], "start": s, "end": e, "pattern": kw},
                    {"kind": "model", "features": [["cue present", 1.2], ["embedding", 0.4]], "neighbours": []}]
                if facet == "risk_domain":
                    sub = SUBDOMAIN[lab]
                    labels["risk_subdomain"].append(sub)
                    scores.setdefault("risk_subdomain", {})[sub] = 0.7
            if role == "proposal":  # an unassigned candidate just below the boundary
                scores.setdefault("instrument", {}).setdefault("standards_certification", 0.45)
        rows.append({**r._asdict(), "role": role, "role_score": rs,
                     "risk_domains": labels["risk_domain"], "risk_subdomains": labels["risk_subdomain"],
                     "instruments": labels["instrument"], "addressees": labels["addressee"],
                     "scores": scores, "evidence": evidence})
    return pd.DataFrame(rows)

"""Scoring by character offsets against a tiny hand-made gold, and agreement with the shared scorer."""

import json
import subprocess
import sys

import pytest

from policykit import config
from policykit.evaluate import evaluate_gold, gold_frame, score_predictions

RAW = ("Title of the essay\n\nAI will hallucinate often. Governments should audit models.\n"
       "We propose a treaty.\nBio: Jane Doe, Professor.\n")
GOLD = [
    {"essay_id": "e1", "text": "Title of the essay", "role": "other", "risk_domains": [], "risk_subdomains": [],
     "instruments": [], "addressee": []},
    {"essay_id": "e1", "text": "AI will hallucinate often.", "role": "claim", "risk_domains": ["misinformation"],
     "risk_subdomains": ["3.1"], "instruments": [], "addressee": []},
    {"essay_id": "e1", "text": "Governments should audit models.", "role": "proposal", "risk_domains": [],
     "risk_subdomains": [], "instruments": ["evaluation_audit"], "addressee": ["states"]},
    {"essay_id": "e1", "text": "We propose a treaty.", "role": "proposal", "risk_domains": [],
     "risk_subdomains": [], "instruments": ["international_agreement"], "addressee": ["unspecified"]},
    {"essay_id": "e1", "text": "Bio: Jane Doe, Professor.", "role": "other", "risk_domains": [],
     "risk_subdomains": [], "instruments": [], "addressee": []},
]


def _pred(text, role, **labs):
    s = RAW.index(text)
    return {"start": s, "end": s + len(text), "role": role, "risk_domains": labs.get("d", []),
            "risk_subdomains": labs.get("s", []), "instruments": labs.get("i", []), "addressees": labs.get("a", [])}


PREDS = [
    _pred("Title of the essay", "other"),
    _pred("AI will hallucinate often.", "claim", d=["misinformation", "malicious_use"], s=["3.1"]),
    _pred("Governments should audit models.", "proposal", i=["evaluation_audit"], a=["states"]),
    _pred("We propose a treaty.", "claim"),
    _pred("Bio: Jane Doe, Professor.", "other"),
]


def test_hand_made_gold():
    res = score_predictions(RAW, PREDS, GOLD)
    s = res["summary"]
    assert s["gold_sentences"] == 5 and s["unlocated_gold"] == 0
    assert s["role_accuracy"] == pytest.approx(4 / 5)
    assert s["role_f1"]["proposal"] == pytest.approx(2 / 3)
    assert s["role_f1"]["claim"] == pytest.approx(2 / 3)
    assert s["role_f1"]["other"] == pytest.approx(1.0)
    assert s["risk_domains_micro_f1"] == pytest.approx(2 / 3)   # tp 1, fp 1
    assert s["risk_subdomains_micro_f1"] == pytest.approx(1.0)
    assert s["instruments_micro_f1"] == pytest.approx(2 / 3)    # tp 1, fn 1
    assert s["addressee_micro_f1"] == pytest.approx(2 / 3)
    assert s["doc_instruments_micro_f1"] == pytest.approx(2 / 3)
    conf = res["role_confusion"]
    assert conf.loc["proposal", "claim"] == 1 and conf.loc["claim", "claim"] == 1
    pl = res["per_label"].set_index(["facet", "label"])
    assert pl.loc[("risk_domains", "malicious_use"), "fp"] == 1


def test_split_predictions_take_the_union_and_the_largest_overlap_role():
    text = "Governments should audit models."
    s = RAW.index(text)
    preds = [p for p in PREDS if p["start"] != s]
    preds += [{"start": s, "end": s + 12, "role": "claim", "instruments": ["harmonization"]},
              {"start": s + 12, "end": s + len(text), "role": "proposal", "instruments": ["evaluation_audit"],
               "addressees": ["states"]}]
    res = score_predictions(RAW, preds, GOLD)
    pl = res["per_label"].set_index(["facet", "label"])
    assert pl.loc[("instruments", "evaluation_audit"), "tp"] == 1
    # the first piece lies wholly inside the gold sentence: its labels count too (scorer rule)
    assert pl.loc[("instruments", "harmonization"), "fp"] == 1
    assert res["role_confusion"].loc["proposal", "proposal"] == 1


def test_agrees_with_the_shared_scorer(tmp_path):
    scorer = config.SHARED_DIR / "tools" / "score_sentences.py"
    if not scorer.exists():
        pytest.skip("../shared/tools/score_sentences.py is not available")
    raw, pred, gold = tmp_path / "raw.txt", tmp_path / "pred.jsonl", tmp_path / "gold.jsonl"
    raw.write_text(RAW, encoding="utf-8")
    pred.write_text("".join(json.dumps(p) + "\n" for p in PREDS), encoding="utf-8")
    gold.write_text("".join(json.dumps(g) + "\n" for g in GOLD), encoding="utf-8")
    out = subprocess.run([sys.executable, str(scorer), str(raw), str(pred), str(gold), "--json"],
                         capture_output=True, text=True, check=True)
    theirs = json.loads(out.stdout)
    ours = evaluate_gold(str(pred), gold, raw)["summary"]
    for k, v in theirs.items():
        if isinstance(v, dict):
            for kk, vv in v.items():
                assert ours[k][kk] == pytest.approx(vv, nan_ok=True), (k, kk)
        else:
            assert ours[k] == pytest.approx(v, nan_ok=True), k


def test_gold_frame_aligns_to_the_corpus(report):
    small = report.subset(["ch2-trager"])
    g = gold_frame(small)
    assert len(g) == len(small.sentences)
    for c in ("sent_id", "start", "end", "role", "risk_domains", "instruments", "addressees", "scores"):
        assert c in g.columns
    assert (g.loc[g["section"] != "body", "role"] == "other").all()
    assert g["role"].value_counts().get("proposal", 0) > 5
    props = g[g["role"] == "proposal"]
    assert props["addressees"].map(len).ge(1).all()

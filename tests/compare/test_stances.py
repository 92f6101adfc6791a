"""Stances from extracted sentences; the rules file; agreement."""

import pandas as pd
import pytest

from policykit.compare import load_stance_rules, stance_agreement, stances
from policykit.compare.stances import QUESTIONS
from policykit.errors import InputError
from tests.fixtures.tiny import sent


def frame():
    rows = [
        sent("d1", 0, "proposal", "A", ins=["international_body"],
             text="We should create an international AI agency."),
        sent("d1", 1, "claim", "A", rs=["7.1"], text="AI may escape human control."),
        sent("d1", 2, "claim", "A", text="Superintelligence could be catastrophic."),
        sent("d2", 0, "claim", "B", text="Talk of existential risk is overblown hype."),
        sent("d2", 1, "proposal", "B", text="Governance should not hinder innovation."),
        sent("d3", 0, "claim", "B", text="Nothing to see here."),
    ]
    return pd.DataFrame(rows)


def get(st, doc, q):
    return st[(st["doc_id"] == doc) & (st["question"] == q)].iloc[0]


def test_bundled_rules_cover_the_five_questions():
    rules = load_stance_rules()
    assert set(QUESTIONS) <= set(rules)


def test_stances_with_evidence():
    st = stances(frame())
    r = get(st, "d1", "new_international_body")
    assert r["stance"] == "support" and r["evidence_sent_ids"] == ["d1.p000.s00"]
    assert get(st, "d1", "catastrophic_risk_priority")["stance"] == "high"
    assert get(st, "d2", "catastrophic_risk_priority")["stance"] == "low"
    assert get(st, "d2", "binding_regulation")["stance"] == "cautious"
    none = get(st, "d3", "binding_regulation")
    assert none["stance"] == "none" and none["evidence_sent_ids"] == []
    assert len(st) == 3 * len(load_stance_rules())


def test_rule_errors_name_the_problem(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("questions:\n  q:\n    values: [yes, none]\n    default: none\n"
                   "    rules:\n      - value: yes\n        cues: ['(unclosed']\n")
    with pytest.raises(InputError, match="bad regular expression"):
        load_stance_rules(bad)
    bad.write_text("questions:\n  q:\n    values: [a, none]\n    default: none\n"
                   "    rules:\n      - value: b\n        cues: ['x']\n")
    with pytest.raises(InputError, match="not among"):
        load_stance_rules(bad)


def test_agreement_counts_pairs():
    pred = pd.DataFrame({"doc_id": ["d1", "d2"], "question": ["q", "q"],
                         "stance": ["support", "none"]})
    gold = pd.DataFrame({"doc_id": ["d1", "d2"], "question": ["q", "q"],
                         "stance": ["support", "support"]})
    summ, pairs = stance_agreement(pred, gold)
    allrow = summ[summ["question"] == "all"].iloc[0]
    assert allrow["accuracy"] == 0.5 and allrow["n_pairs"] == 2
    assert pairs["agree"].tolist() == [True, False]

"""extract / classify / labels_long / rollup: contracts, offsets, determinism, edge cases."""

import json

import pandas as pd
import pytest

from policykit.extract import classify, extract, labels_long, rollup

LIST_COLS = ["risk_domains", "risk_subdomains", "instruments", "addressees"]


@pytest.fixture(scope="module")
def small(report):
    return report.subset(["fm-editors-note", "ch2-trager", "ch3-png"])


@pytest.fixture(scope="module")
def wide(small):
    return extract(small)


def test_one_row_per_sentence_in_order(small, wide):
    assert len(wide) == len(small.sentences)
    assert wide["sent_id"].tolist() == small.sentences["sent_id"].tolist()
    for c in list(small.sentences.columns) + ["role", "role_score", *LIST_COLS, "scores", "evidence"]:
        assert c in wide.columns
    assert set(wide["role"]) <= {"claim", "proposal", "other"}
    assert wide["role_score"].between(0, 1).all()


def test_gold_conventions(wide):
    nonbody = wide[wide["section"] != "body"]
    assert len(nonbody) and (nonbody["role"] == "other").all()
    assert nonbody[LIST_COLS].map(len).eq(0).all().all()
    other = wide[wide["role"] == "other"]
    assert other[LIST_COLS].map(len).eq(0).all().all()
    claims = wide[wide["role"] == "claim"]
    assert claims[["instruments", "addressees"]].map(len).eq(0).all().all()
    props = wide[wide["role"] == "proposal"]
    assert props["addressees"].map(len).ge(1).all()
    assert not props["addressees"].map(lambda a: "unspecified" in a and len(a) > 1).any()


def test_subdomains_belong_to_assigned_domains(wide):
    from policykit.taxonomy import load_taxonomy
    tax = load_taxonomy()
    for doms, subs in zip(wide["risk_domains"], wide["risk_subdomains"]):
        assert {tax.parent("risk_subdomain", s) for s in subs} <= set(doms)
        assert not doms or subs


def test_lists_ordered_by_score_and_scores_in_range(wide):
    facets = dict(zip(LIST_COLS, ["risk_domain", "risk_subdomain", "instrument", "addressee"]))
    for r in wide.itertuples():
        for col, facet in facets.items():
            labs = getattr(r, col)
            sc = [r.scores[facet][lab] for lab in labs]
            assert sc == sorted(sc, reverse=True)
        for facet, d in r.scores.items():
            assert all(0.0 <= v <= 1.0 for v in d.values())


def test_evidence_offsets_index_the_raw_text(small, wide):
    n = 0
    for r in wide.itertuples():
        raw = small.raw(r.doc_id)
        for facet, labels in r.evidence.items():
            for lab, items in labels.items():
                assert items, (facet, lab)
                for ev in items:
                    assert ev["kind"] in ("cue", "model", "rule")
                    if ev["kind"] == "cue":
                        assert raw[ev["start"]:ev["end"]] == ev["text"]
                        assert r.start <= ev["start"] < ev["end"] <= r.end
                        n += 1
                    else:
                        assert isinstance(ev["features"], list) and isinstance(ev["neighbours"], list)
    assert n > 20


def test_every_listed_label_has_evidence(wide):
    for r in wide.itertuples():
        assert r.role in r.evidence["role"]
        for col, facet in zip(LIST_COLS, ["risk_domain", "risk_subdomain", "instrument", "addressee"]):
            assert set(getattr(r, col)) == set(r.evidence.get(facet, {}))


def test_deterministic(small, wide):
    again = extract(small)
    cols = [c for c in wide.columns if c not in ("scores", "evidence")]
    pd.testing.assert_frame_equal(wide[cols], again[cols])
    assert wide["scores"].map(json.dumps).tolist() == again["scores"].map(json.dumps).tolist()
    assert wide["evidence"].map(json.dumps).tolist() == again["evidence"].map(json.dumps).tolist()


def test_evidence_computed_per_label_equals_one_sentence_at_a_time(small, wide, monkeypatch):
    """The evidence of a document is computed label by label over all its sentences; computing
    each sentence's evidence on its own gives the same features, neighbours and order."""
    from policykit.extract import decide as D
    request = D.Explainer.request

    def at_once(self, *args):
        ev = request(self, *args)
        self.resolve()
        return ev

    monkeypatch.setattr(D.Explainer, "request", at_once)
    alone = extract(small)
    assert wide["evidence"].map(json.dumps).tolist() == alone["evidence"].map(json.dumps).tolist()
    assert any(ev.get("kind") == "model" and ev["neighbours"] for r in wide["evidence"]
               for labs in r.values() for evs in labs.values() for ev in evs)


def test_thresholds_are_configurable(small, wide):
    strict = extract(small, thresholds={"risk_domain": 0.99, "instrument": 1.0, "instrument_top": 1.0})
    assert strict["risk_domains"].map(len).sum() <= wide["risk_domains"].map(len).sum()
    assert strict["instruments"].map(len).sum() == 0
    from policykit.errors import InputError
    with pytest.raises(InputError):
        extract(small, thresholds={"risk_domian": 0.5})


def test_labels_long(wide):
    long = labels_long(wide)
    assert list(long.columns) == ["sent_id", "doc_id", "facet", "label", "score", "evidence"]
    assert (long["facet"] == "role").sum() == len(wide)
    n_labels = sum(wide[c].map(len).sum() for c in LIST_COLS)
    assert len(long) == len(wide) + n_labels
    assert long["score"].between(0, 1).all()


def test_classify_edge_cases():
    texts = ["", "Governments should establish an international AI agency to audit frontier models.",
             "AI " * 4000, "政府应当建立国际人工智能机构，以监督前沿模型。", "   \n  "]
    out = classify(texts)
    assert len(out) == len(texts) and out["text"].tolist() == texts
    assert out.loc[0, "role"] == "other" and out.loc[4, "role"] == "other"
    assert out.loc[1, "role"] == "proposal" and out.loc[1, "addressees"]
    for col in ["role", "role_score", *LIST_COLS, "scores", "evidence"]:
        assert col in out.columns
    for r, t in zip(out.itertuples(), texts):
        for labels in r.evidence.values():
            for items in labels.values():
                for ev in items:
                    if ev["kind"] == "cue":
                        assert t[ev["start"]:ev["end"]] == ev["text"]
    assert classify([]).empty
    assert classify(texts[1:2]).drop(columns=["evidence"]).equals(out.iloc[1:2].reset_index(drop=True).drop(columns=["evidence"]))
    with pytest.raises(TypeError):
        classify("a string")


def test_rules_decide_only_with_a_recorded_reason(wide):
    """No rule overrides the learned decision without saying so in the role's evidence."""
    from policykit.extract.vocab import ROLES
    n_rule = 0
    for r in wide.itertuples():
        model_role = max(ROLES, key=lambda k: r.scores["role"].get(k, 0.0))
        ev = r.evidence["role"][r.role]
        rules = [e for e in ev if e["kind"] == "rule"]
        if rules:
            n_rule += 1
            assert rules[0]["features"] and isinstance(rules[0]["features"][0][0], str)
        if model_role != r.role:
            assert rules and "overrides" in rules[0], (r.sent_id, r.role, r.scores["role"])
        else:
            assert not rules or r.section != "body" or "overrides" not in rules[0]
    assert n_rule  # the report has title, author and bio lines


def test_heading_and_imperative_rules_are_switches():
    on = {"headings_are_other": True, "imperatives_are_proposals": True}
    out = classify(["Public participation and deliberation.", "Take back control."], thresholds=on, kind="sentence")
    assert out["role"].tolist() == ["other", "proposal"]
    assert out.loc[0, "instruments"] == [] and out.loc[0, "evidence"]["role"]["other"][0]["kind"] == "rule"
    off = classify(["Public participation and deliberation."], kind="sentence",
                   thresholds={"headings_are_other": False, "imperatives_are_proposals": False})
    assert all(e["kind"] != "rule" for e in off.loc[0, "evidence"]["role"][off.loc[0, "role"]])


def test_risk_descriptions_get_a_domain():
    texts = ["Deepfakes: AI-generated audio and video used to impersonate people and deceive voters.",
             "Toxic content"]
    out = classify(texts, kind="risk")
    assert out["risk_domains"].map(len).ge(1).all()
    assert out["risk_subdomains"].map(len).ge(1).all()
    for r in out.itertuples():
        assert any(e["kind"] == "rule" for e in r.evidence["risk_domain"][r.risk_domains[0]]) or r.role != "other"
    plain = classify(["The meeting took place on Tuesday."], kind="sentence")
    assert plain.loc[0, "risk_domains"] == []


def _wide(rows):
    base = {"role_score": 1.0, "scores": {}, "evidence": {}, "risk_domains": [], "risk_subdomains": [],
            "instruments": [], "addressees": [], "title": "T", "region": "europe"}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_rollup_logic():
    w = _wide([
        {"doc_id": "a", "sent_id": "a1", "role": "claim", "risk_domains": ["misinformation"], "risk_subdomains": ["3.1"]},
        {"doc_id": "a", "sent_id": "a2", "role": "proposal", "risk_domains": ["misinformation"],
         "instruments": ["evaluation_audit"], "addressees": ["states"]},
        {"doc_id": "a", "sent_id": "a3", "role": "other", "risk_domains": ["malicious_use"]},  # never counted
        {"doc_id": "a", "sent_id": "a4", "role": "claim", "instruments": ["harmonization"]},  # claims raise no instrument
        {"doc_id": "b", "sent_id": "b1", "role": "other"},
    ])
    r = rollup(w)
    assert list(r.columns[:6]) == ["doc_id", "facet", "label", "n_sentences", "share", "sent_ids"]
    assert {"title", "region"} <= set(r.columns)
    got = {(x.doc_id, x.facet, x.label): (x.n_sentences, x.share, x.sent_ids) for x in r.itertuples()}
    assert got[("a", "risk_domain", "misinformation")] == (2, 2 / 3, ["a1", "a2"])
    assert got[("a", "instrument", "evaluation_audit")] == (1, 1 / 3, ["a2"])
    assert ("a", "risk_domain", "malicious_use") not in got
    assert ("a", "instrument", "harmonization") not in got
    assert not any(k[0] == "b" for k in got)
    assert len(rollup(w, min_sentences=2)) == 1
    assert rollup(w.iloc[0:0]).empty

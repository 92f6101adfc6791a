"""The review queue and the explorer's data (views, sentences, context), without a browser."""

import json

import pandas as pd
import pytest

import policykit as pk
from policykit.compare import prevalence
from policykit.explore import payload as P
from policykit.explore.queue import estimate_boundaries, review_queue, training_label_counts
from policykit.explore.session import as_wide


# ----------------------------------------------------------------------------- queue
def test_training_label_counts(tmp_path):
    f = tmp_path / "gold.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"role": "proposal", "risk_domains": [], "risk_subdomains": [], "instruments": ["evaluation_audit"], "addressee": ["states"]},
        {"role": "claim", "risk_domains": ["misinformation"], "risk_subdomains": ["3.1"], "instruments": [], "addressee": []},
        {"role": "claim", "risk_domains": ["misinformation"], "risk_subdomains": [], "instruments": [], "addressee": []},
    ]) + "\n", encoding="utf-8")
    c = training_label_counts([f]).set_index(["facet", "label"])["n"]
    assert c[("role", "claim")] == 2 and c[("risk_domain", "misinformation")] == 2 and c[("addressee", "states")] == 1
    assert c[("instrument", "sandboxes_zones")] == 0          # taxonomy labels without examples are listed


def test_default_training_files_are_counted():
    c = training_label_counts()
    assert c["n"].sum() > 0 and {"role", "risk_domain", "instrument", "addressee"} <= set(c["facet"])


def test_boundary_estimate_separates_assigned_from_unassigned():
    rows = [{"role": "proposal", "instruments": ["a"] if s >= 0.3 else [], "scores": {"instrument": {"a": s}}}
            for s in (0.1, 0.2, 0.25, 0.31, 0.5, 0.9)]
    b = estimate_boundaries(pd.DataFrame(rows))
    assert 0.25 < b["instrument"] <= 0.31 and b["risk_domain"] == 0.5


def test_queue_orders_by_margin_disagreement_and_rarity(tiny, counts):
    _, wide = tiny
    q = review_queue(wide, counts)
    assert list(q.columns[:4]) == ["sent_id", "doc_id", "rank", "priority"]
    assert q["rank"].tolist() == list(range(1, len(q) + 1)) and q["priority"].is_monotonic_decreasing
    assert len(q) == len(wide)
    top = q.iloc[0]
    # "Companies must report incidents": role 0.55 vs 0.45, a cue-backed addressee scored 0.42,
    # an instrument with no training example
    assert top["sent_id"] == "alpha.p004.s01"
    why = " | ".join(top["reasons"])
    assert "lowest margin" in why and "cue 'Companies'" in why and "rare in training" in why
    other = q.set_index("sent_id").loc["alpha.p000.s00"]          # a title: nothing to learn
    assert other["uncertainty"] == 0 and other["disagreement"] == 0
    assert "alpha.p004.s01" not in set(review_queue(wide, counts, exclude=["alpha.p004.s01"])["sent_id"])


# ----------------------------------------------------------------------------- views
@pytest.mark.parametrize("facet", ["risk_domain", "instrument", "addressee", "role"])
def test_cells_equal_prevalence(tiny, facet):
    corpus, wide = tiny
    prev = prevalence(wide, by="region", facet=facet, documents=corpus.documents, n_boot=0)
    v = P.prevalence_cells(wide, facet, "region", corpus.documents, labels=list(dict.fromkeys(prev["label"])))
    for r in prev.itertuples():
        c = next(x for x in v["cells"] if v["groups"][x["g"]] == r.group and v["labels"][x["l"]] == r.label)
        assert (c["n_docs"], c["n_docs_group"], c["n_sents"], c["n_sents_group"]) == (
            r.n_docs, r.n_docs_group, r.n_sents, r.n_sents_group)
        assert c["doc_share"] == pytest.approx(r.doc_share, abs=1e-3)
        assert [wide["sent_id"][i] for i in c["s"]] == list(r.sent_ids)


def test_table_views_from_comparison_tables(tiny):
    corpus, wide = tiny
    index = {s: i for i, s in enumerate(wide["sent_id"])}
    tab = pk.compare.prevalence_table(wide, by=["region", "sector"], facets=("risk_domain", "instrument"), n_boot=0)
    views = P.table_views(tab, index)
    assert {(v["facet"], v["by"]) for v in views} == {(f, b) for f in ("risk_domain", "instrument")
                                                      for b in ("region", "sector")}
    v = next(v for v in views if v["facet"] == "instrument" and v["by"] == "region")
    c = next(c for c in v["cells"] if v["groups"][c["g"]] == "europe" and v["labels"][c["l"]] == "evaluation_audit")
    assert c["doc_share"] == 1.0 and sorted(wide["sent_id"][i] for i in c["s"]) == ["alpha.p004.s00", "gamma.p004.s00"]
    assert v["values"][0] == "doc_share"
    roll = pk.compare.document_labels(wide, "instrument")            # no group column: one column per document
    rv = P.table_views(roll, index, value="n_sentences", facet="instrument")[0]
    assert rv["groups"] == ["alpha", "beta", "gamma"] and rv["values"][0] == "n_sentences"
    with pytest.raises(ValueError, match="sent_ids"):
        P.table_views(pd.DataFrame({"label": ["x"], "group": ["g"]}), index)


def test_sentence_columns_cues_context_and_escaping(tiny):
    corpus, wide = tiny
    cols = P.sentence_columns(wide, corpus)
    heads = cols.pop("_headings")
    i = cols["id"].index("alpha.p004.s01")
    spans = {(c[2], c[3]): cols["text"][i][c[0]:c[1]] for c in cols["cues"][i]}
    assert spans[("instrument", "transparency_disclosure")] == "report incidents"
    assert spans[("addressee", "industry")] == "Companies"
    assert heads[cols["heading"][i]] == "Measures"
    assert heads[cols["heading"][cols["id"].index("alpha.p002.s00")]] == "Risks"
    assert cols["heading"][cols["id"].index("alpha.p000.s00")] == -1
    nocorp = P.sentence_columns(wide, None)                         # without the raw text: found by search
    assert nocorp["cues"][i] == cols["cues"][i]
    b = cols["id"].index("beta.p001.s00")
    assert "<script>" in cols["text"][b]                             # data keeps the text as it is


def test_long_form_labels_become_a_wide_view(tiny):
    corpus, wide = tiny
    long = pk.labels_long(wide)
    w = as_wide(long, corpus).set_index("sent_id")
    ref = wide.set_index("sent_id")
    assert w["role"].equals(ref["role"])
    assert w.loc["alpha.p004.s01", "addressees"] == ref.loc["alpha.p004.s01", "addressees"]
    with pytest.raises(ValueError, match="need the corpus"):
        as_wide(long)

"""Comparison figures checked through fig.data: values match the tables, text is escaped."""

import numpy as np
import pandas as pd
import pytest

from policykit import compare as C
from policykit.figures import compare as F
from tests.fixtures.tiny import sent, tiny_wide

EVIL = "<script>alert('x')</script> & more"


@pytest.fixture(scope="module")
def wide():
    w = tiny_wide()
    w.loc[w["sent_id"] == "a1.p000.s01", "text"] = EVIL
    return w


@pytest.fixture(scope="module")
def prev(wide):
    return C.prevalence(wide, by="region", facet="risk_domain", n_boot=100)


def test_heatmap_values_match_table(prev):
    fig = F.prevalence_heatmap(prev)
    hm = fig.data[0]
    labels = list(dict.fromkeys(prev["label"]))
    assert list(hm.x) == labels
    expect = prev.pivot(index="group", columns="label", values="doc_share").loc[["A", "B"], labels]
    assert np.allclose(np.asarray(hm.z, dtype=float), expect.to_numpy())
    assert hm.y[1].endswith("†") and "(n=1)" in hm.y[1]  # B is a small group, flagged


def test_hover_escapes_document_text(prev):
    fig = F.prevalence_heatmap(prev)
    hover = [h for row in fig.data[0].hovertext for h in row]
    joined = " ".join(hover)
    assert "<script>" not in joined
    assert "&lt;script&gt;" in joined and "a1.p000.s01" in joined
    # customdata carries the example sentence id for click-through
    assert "a1.p000.s01" in [c for row in fig.data[0].customdata for c in row]


def test_bars_have_bootstrap_error_bars(prev):
    fig = F.prevalence_bars(prev)
    assert len(fig.data) == 2
    a = prev[prev["group"] == "A"]
    tr = fig.data[0]
    assert np.allclose(tr.y, a["doc_share"])
    assert np.allclose(tr.error_y.array, a["doc_share_hi"] - a["doc_share"])
    assert np.allclose(tr.error_y.arrayminus, a["doc_share"] - a["doc_share_lo"])


def test_distinctive_terms_one_panel_per_group():
    rows = [sent(d, 0, "claim", r, text=t) for d, r, t in [
        ("a1", "A", "privacy privacy rules"), ("a2", "A", "privacy rules"),
        ("b1", "B", "compute compute rules"), ("b2", "B", "compute rules")]]
    k = C.distinctive_terms(pd.DataFrame(rows), by="region", min_count=2, top_n=5)
    fig = F.distinctive_terms_chart(k)
    assert [t.name for t in fig.data] == ["A", "B"]
    a = k[k["group"] == "A"].sort_values("z")
    assert list(fig.data[0].y)[-1] == a["term"].iloc[-1]


def test_position_map_points(wide):
    pos, _ = C.positions(wide, by="region")
    fig = F.position_map_chart(pos)
    pts = [t for t in fig.data if t.mode == "markers+text"]
    assert sum(len(t.x) for t in pts) == len(pos)


def test_consensus_sankey_stances_editors(wide):
    cons = C.consensus(wide, by="region", min_groups=2)
    fig = F.consensus_chart(cons, min_groups=2)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["consensus"].x) == [2]
    p = C.prevalence(wide, by="region", facet="instrument", n_boot=0)
    sk = F.sankey_chart(p).data[0]
    assert sorted(sk.link.value) == sorted(p.loc[p["n_docs"] > 0, "n_docs"].astype(float))
    assert list(sk.node.label[:2]) == ["A", "B"]
    st = C.stances(wide)
    sm = F.stance_matrix_chart(st).data[0]
    assert set(np.unique(np.asarray(sm.z))) <= {-1.0, 0.0, 1.0}
    assert F.stance_code("support") == 1 and F.stance_code("cautious") == -1
    dl = C.document_labels(wide, "risk_domain")
    pts = pd.DataFrame({"chapter": [1], "point": [1], "kind": ["risk"], "text": [""],
                        "risk_domains": [["privacy_security"]], "instruments": [[]],
                        "essay_ids": [[]]})
    chk = C.editors_check(dl, C.documents_frame(wide), points=pts)
    ed = F.editors_chart(C.editors_matrix(chk), summary=chk.summary)
    assert {t.name for t in ed.data} <= set(F.EDITOR_NAMES.values())
    assert ed.layout.template.layout.colorway  # themed

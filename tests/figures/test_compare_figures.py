"""Comparison figures checked through fig.data: values match the tables, text is escaped."""

import numpy as np
import pandas as pd
import pytest

from policykit import compare as C
from policykit.compare import _frames as C_frames
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
    names = dict(zip(prev["label"], prev["label_name"]))
    assert list(hm.x) == [F.esc(names[l], 0) for l in labels]  # names, not ids
    assert "Privacy &amp; security" in hm.x and "privacy_security" not in hm.x
    expect = prev.pivot(index="group", columns="label", values="doc_share").loc[["A", "B"], labels]
    assert np.allclose(np.asarray(hm.z, dtype=float), expect.to_numpy(), atol=5e-4)
    assert hm.y[1].endswith("†") and "(n=1)" in hm.y[1]  # B is a small group, flagged
    hover = " ".join(h for row in hm.hovertext for h in row)
    assert "[privacy_security]" in hover  # ids stay in the hover text


def test_figure_numbers_are_rounded_to_three_decimals(prev):
    fig = F.prevalence_heatmap(prev)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert np.allclose(z[np.isfinite(z)], np.round(z[np.isfinite(z)], 3), atol=0)
    bars = F.prevalence_bars(prev)
    assert all(float(v) == round(float(v), 3) for v in bars.data[0].error_y.array)


def test_long_names_are_wrapped_not_cut():
    long = "Power centralization and unfair distribution of benefits"
    w = F.wrap(long)
    assert w.replace("<br>", " ") == long and "<br>" in w


def test_hover_escapes_document_text(prev):
    fig = F.prevalence_heatmap(prev)
    hover = [h for row in fig.data[0].hovertext for h in row]
    joined = " ".join(hover)
    assert "<script>" not in joined
    assert "&lt;script&gt;" in joined and "a1.p000.s01" in joined
    # customdata carries the example sentence id for click-through
    assert "a1.p000.s01" in [c for row in fig.data[0].customdata for c in row]


def test_bars_have_wilson_error_bars(prev):
    fig = F.prevalence_bars(prev)
    assert len(fig.data) == 2
    a = prev[prev["group"] == "A"]
    tr = fig.data[0]
    assert np.allclose(tr.y, a["doc_share"], atol=5e-4)
    assert np.allclose(tr.error_y.array, a["doc_share_hi"] - a["doc_share"], atol=1e-3)
    assert np.allclose(tr.error_y.arrayminus, a["doc_share"] - a["doc_share_lo"], atol=1e-3)
    assert (np.asarray(tr.error_y.array) + np.asarray(tr.error_y.arrayminus) > 0).all()  # never zero width
    assert "Wilson score 95%" in tr.hovertext[0]


def test_distinctive_terms_one_panel_per_group():
    rows = [sent(d, 0, "claim", r, text=t) for d, r, t in [
        ("a1", "A", "privacy privacy rules"), ("a2", "A", "privacy rules"),
        ("b1", "B", "compute compute rules"), ("b2", "B", "compute rules")]]
    k = C.distinctive_terms(pd.DataFrame(rows), by="region", min_count=2, top_n=5)
    fig = F.distinctive_terms_chart(k)
    assert [t.name for t in fig.data] == ["A", "B"]
    a = k[k["group"] == "A"].sort_values("z")
    assert list(fig.data[0].y)[-1] == a["term"].iloc[-1]


def test_position_map_points_and_labels_are_not_clipped(wide):
    pos, _ = C.positions(wide, by="region")
    fig = F.position_map_chart(pos)
    pts = [t for t in fig.data if t.mode == "markers+text"]
    assert sum(len(t.x) for t in pts) == len(pos)
    assert all(t.cliponaxis is False for t in pts)
    lo, hi = fig.layout.xaxis.range
    assert lo < pos["x"].min() and hi > pos["x"].max()  # padded: edge labels stay inside
    assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin


def test_sankey_folds_all_but_the_top_instruments():
    """Issue 14, failure 7: the 22-instrument Sankey shows the top instruments, the rest as one node."""
    from policykit.taxonomy import load_taxonomy

    ids = load_taxonomy().ids("instrument")
    rows = [{"group": g, "label": l, "n_docs": 1 + (i % 3), "example_sent_id": "", "example_text": ""}
            for i, l in enumerate(ids) for g in ("A", "B")]
    df = pd.DataFrame(rows)
    sk = F.sankey_chart(df, top_targets=8).data[0]
    labels = [l.replace("<br>", " ") for l in sk.node.label]
    assert len(labels) == 2 + 8 and labels[-1] == f"other instruments ({len(ids) - 7})"
    assert sum(sk.link.value) == df["n_docs"].sum()  # nothing lost in the fold
    assert "includes:" in " ".join(sk.link.customdata)


def test_many_groups_are_folded_into_other():
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(60)],
                         "authority": [f"auth{i % 30}" if i < 50 else f"big" for i in range(60)]})
    folded, note = C_frames.fold_groups(docs, "authority", max_groups=12)
    groups = set(folded["authority"])
    assert len(groups) == 12 and "big" in groups and "other (20 groups)" in groups
    assert "pooled" in note and len(folded) == len(docs)


def test_consensus_sankey_stances_editors(wide):
    cons = C.consensus(wide, by="region", min_groups=2)
    fig = F.consensus_chart(cons, min_groups=2)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["consensus"].x) == [2]
    p = C.prevalence(wide, by="region", facet="instrument", n_boot=0)
    sk = F.sankey_chart(p).data[0]
    assert sorted(sk.link.value) == sorted(p.loc[p["n_docs"] > 0, "n_docs"].astype(float))
    assert list(sk.node.label[:2]) == ["A", "B"]
    assert "Evaluation and audit" in list(sk.node.label)
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

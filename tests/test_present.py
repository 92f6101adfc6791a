"""policykit.present: the one rule for numbers and lists shown to people."""

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from policykit import present as P


def test_rule_three_decimals_p_values_significant_lists_joined():
    df = pd.DataFrame({"share": [0.123456, 1 / 3, np.nan], "p": [1.234567e-12, 0.049999, np.nan],
                       "ids": [["a.s00", "b.s01"], [], None], "scores": [{"x": 0.8123456}, {}, None],
                       "n": pd.array([1, None, 3], dtype="Int64"), "name": ["A", "B", "C"]})
    t = P.present_table(df)
    assert t["share"].tolist()[:2] == [0.123, 0.333] and np.isnan(t["share"].iloc[2])
    assert t["p"].iloc[0] == pytest.approx(1.23e-12, rel=0, abs=1e-18) and t["p"].iloc[1] == 0.05
    assert t["ids"].tolist()[:2] == ["a.s00; b.s01", ""]
    assert t["scores"].iloc[0] == '{"x": 0.81}'  # model scores: 2 decimals
    assert t["n"].tolist()[0] == 1 and t["name"].tolist() == ["A", "B", "C"]
    assert list(t.columns) == list(df.columns)


def test_noise_of_1e_6_does_not_change_what_is_shown():
    rng = np.random.default_rng(0)
    x = np.round(rng.random(1000), 3) + 0.0002  # values away from a rounding boundary
    noisy = x + rng.uniform(-1e-6, 1e-6, size=x.size)
    a = P.present_table(pd.DataFrame({"v": x}))
    b = P.present_table(pd.DataFrame({"v": noisy}))
    assert a.equals(b)


def test_round_figure_rounds_coordinates_not_text():
    fig = go.Figure(go.Scatter(x=[0.1234567, 2.0000004], y=np.array([1 / 3, 2 / 3]), text=["0.1234567", "b"],
                               error_y=dict(array=[0.011111, 0.02])))
    P.round_figure(fig)
    assert tuple(fig.data[0].x) == (0.123, 2.0) and list(fig.data[0].y) == [0.333, 0.667]
    assert tuple(fig.data[0].error_y.array) == (0.011, 0.02) and fig.data[0].text[0] == "0.1234567"


def test_themed_figures_are_rounded():
    from policykit.figures.theme import apply_theme

    fig = apply_theme(go.Figure(go.Heatmap(z=[[0.123456, 0.5]])))
    assert fig.data[0].z[0][0] == 0.123


def test_xlsx_one_sheet_per_table(tmp_path):
    import openpyxl

    a = pd.DataFrame({"label": ["x"], "share": [0.12345], "ids": [["s1", "s2"]]})
    path = P.write_xlsx({"first table": a, "b" * 40: a, "first/table": a}, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["first table", "b" * 31, "first-table"]
    assert [c.value for c in wb["first table"][2]] == ["x", 0.123, "s1; s2"]
    assert not list(tmp_path.glob(".*tmp*"))


def test_missing_openpyxl_is_reported_before_work(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "openpyxl":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    from policykit.errors import InputError

    with pytest.raises(InputError, match="openpyxl"):
        P.check_xlsx()


def test_scores_two_decimals_shares_three():
    t = P.present_table(pd.DataFrame({"role_score": [0.81234], "score": [0.5555], "doc_share": [0.81234],
                                      "doc_share_lo": [0.20654], "x": [0.12345]}))
    assert t.iloc[0].tolist() == [0.81, 0.56, 0.812, 0.207, 0.123]
    assert P.decimals_for("probability") == 2 and P.decimals_for("sent_share") == 3


def test_evidence_is_presented_without_noisy_contributions():
    from policykit.present import present_table

    ev = {"instrument": {"international_body": [
        {"kind": "model", "features": [["sentence text", 5.5123], ["cue:iaea", 0.2]], "neighbours": [["a#1", 0.6612]]},
        {"kind": "cue", "text": "IAEA", "start": 3, "end": 7, "pattern": "iaea"}]}}
    out = present_table(pd.DataFrame({"sent_id": ["s1"], "evidence": [ev]}))
    got = json.loads(out.loc[0, "evidence"])["instrument"]["international_body"]
    assert got[0]["features"] == ["sentence text", "cue:iaea"] and got[0]["neighbours"] == ["a#1"]
    assert got[1] == {"kind": "cue", "text": "IAEA", "start": 3, "end": 7, "pattern": "iaea"}

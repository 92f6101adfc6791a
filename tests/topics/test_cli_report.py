"""``policykit topics`` and the report section."""

import json

import pandas as pd
import plotly.graph_objects as go

from policykit.cli import main


def test_cli_writes_tables_figures_summary(tmp_path, fitted):
    out = tmp_path / "topics"
    rc = main(["topics", "--out", str(out), "--by", "region,chapter", "--tables", "csv,parquet",
               "--save-model", "-q"])
    assert rc == 0
    for name in ("topic_assignments", "topic_terms", "topic_keywords", "topic_info", "topics_by_region",
                 "topics_by_chapter", "topic_quality", "topic_hierarchy", "topic_doc_map", "nmf_terms"):
        assert (out / "tables" / f"{name}.csv").is_file(), name
        assert (out / "tables" / f"{name}.parquet").is_file(), name
    a = pd.read_parquet(out / "tables" / "topic_assignments.parquet")
    assert list(a.columns[:4]) == ["unit_id", "doc_id", "topic", "probability"]
    figs = {p.stem for p in (out / "figures").glob("*.html")}
    assert {"topics-terms", "topics-by-region", "topics-by-chapter", "topics-document-map",
            "topics-hierarchy", "topics-quality"} <= figs
    assert (out / "figures" / "plotly.min.js").is_file()  # offline-viewable
    summary = json.loads((out / "summary.json").read_text())
    assert summary["fingerprint"] == fitted.fingerprint()  # CLI == library, same topics
    assert summary["n_topics"] == fitted.n_topics_
    assert (out / "model" / "arrays.safetensors").is_file()


def test_cli_unknown_by_column(tmp_path, capsys):
    rc = main(["topics", "--by", "continent", "--out", str(tmp_path / "o"), "-q"])
    assert rc == 2
    assert "no document column named 'continent'" in capsys.readouterr().err


def test_report_section(report):
    from policykit.topics import topics_report_section

    specs = topics_report_section(report, None, ["region", "chapter"])
    names = [s["name"] for s in specs]
    assert len(names) == len(set(names))
    assert {"topics-terms", "topics-by-region", "topics-by-chapter", "topics-quality"} <= set(names)
    for s in specs:
        assert set(s) == {"name", "title", "caption", "figure", "table"}
        assert isinstance(s["figure"], go.Figure) and isinstance(s["table"], pd.DataFrame)
        assert s["caption"]
    by_region = next(s for s in specs if s["name"] == "topics-by-region")["table"]
    assert "sent_ids" in by_region.columns  # the report links these to evidence sentences

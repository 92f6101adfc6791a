"""Topic figures: DataFrame in, go.Figure out, inspected through fig.data."""

import plotly.graph_objects as go
import pytest

from policykit.figures import topics as F
from policykit.topics import compare_models, topic_hierarchy, topics_per_group


def test_topic_terms(fitted):
    fig = F.topic_terms(fitted.terms_, n_terms=5)
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == min(16, fitted.n_topics_)
    first = fig.data[0]
    assert len(first.y) == 5
    top = fitted.terms_[(fitted.terms_["topic"] == 0) & (fitted.terms_["rank"] == 1)]["term"].item()
    assert first.y[-1] == top  # horizontal bars: best term on top
    assert fig.layout.template.layout.font.family.startswith("Inter")


@pytest.mark.parametrize("by", ["region", "chapter"])
def test_group_heatmaps(fitted, by):
    table = topics_per_group(fitted, ("region", "chapter"))
    fig = F.topic_group_heatmap(table, by=by)
    hm = fig.data[0]
    groups = table[table["by"] == by]["group"].nunique()
    assert len(hm.x) == groups and len(hm.y) == fitted.n_topics_
    assert hm.z.shape == (fitted.n_topics_, groups) if hasattr(hm.z, "shape") else len(hm.z) == fitted.n_topics_
    assert list(hm.y) == [fitted.labels_[t] for t in fitted.topic_ids_]


def test_document_map(fitted):
    fig = F.document_map(fitted.doc_map_)
    assert len(fig.data) == len(set(fitted.doc_map_["topic"]))
    assert sum(len(t.x) for t in fig.data) == len(fitted.doc_map_)
    # styles differ between topics (colour + symbol), so >9 topics stay distinguishable
    styles = {(t.marker.color, t.marker.symbol) for t in fig.data}
    assert len(styles) == len(fig.data)


def test_hierarchy_figure(fitted):
    h = topic_hierarchy(fitted)
    fig = F.topic_hierarchy(h)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == fitted.n_topics_ - 1
    assert sorted(fig.layout.yaxis.ticktext) == sorted(fitted.labels_[t] for t in fitted.topic_ids_)
    junctions = [t for t in fig.data if t.mode == "markers"][0]
    assert len(junctions.x) == fitted.n_topics_ - 1


def test_quality_and_label_heatmap(fitted, nmf):
    q = compare_models({"bertopic": fitted, "nmf": nmf})
    fig = F.topic_quality(q)
    assert [t.name for t in fig.data] == ["bertopic", "nmf"]
    import pandas as pd

    from policykit.topics import topic_label_crosstab
    a = fitted.assignments_.head(8)
    long = pd.DataFrame({"sent_id": [f"{u}.s00" for u in a["unit_id"]], "facet": "risk_domain",
                         "label": ["privacy_security", "misinformation"] * 4})
    ct = topic_label_crosstab(fitted, long)
    for value in ("share", "lift"):
        fig = F.topic_label_heatmap(ct, facet="risk_domain", value=value)
        assert list(fig.data[0].x) == ["Misinformation", "Privacy & security"]  # names, not ids

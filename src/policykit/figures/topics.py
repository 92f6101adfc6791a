"""Topic-model figures: DataFrame in, ``go.Figure`` out (saving is the report's job).

* :func:`topic_terms` — top terms per topic as small horizontal bar charts;
* :func:`topic_group_heatmap` — topics × region / chapter / sector (share of the group's units);
* :func:`topic_label_heatmap` — topics × extracted risk domains or instruments;
* :func:`document_map` — units on precomputed 2-D coordinates (a seeded UMAP: stable across runs);
* :func:`topic_hierarchy` — dendrogram of the topic hierarchy table;
* :func:`topic_quality` — NPMI coherence and diversity of several models side by side.

Every function takes the tidy tables of :mod:`policykit.topics` and column names, and returns a
themed figure (:func:`policykit.figures.theme.apply_theme`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from policykit.figures.theme import QUALITATIVE, SEQUENTIAL, apply_theme

#: Marker symbols combined with the 9 Okabe-Ito colours so that >9 topics stay distinguishable.
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "star", "triangle-down"]
OUTLIER_COLOR = "#BBBBBB"


def topic_style(topics: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Topic → (colour, marker symbol): Okabe-Ito colours, a new symbol every 9 topics; -1 grey."""
    style = {}
    i = 0
    for t in sorted(set(int(x) for x in topics)):
        if t == -1:
            style[t] = (OUTLIER_COLOR, "circle-open")
            continue
        style[t] = (QUALITATIVE[i % len(QUALITATIVE)], SYMBOLS[(i // len(QUALITATIVE)) % len(SYMBOLS)])
        i += 1
    return style


def _wrap(text: str, width: int = 60) -> str:
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "<br>".join(lines)


def topic_terms(terms: pd.DataFrame, topic: str = "topic", term: str = "term", weight: str = "weight",
                label: str = "label", rank: str | None = "rank", n_terms: int = 8,
                max_topics: int | None = 16, cols: int = 4, title: str = "Top terms per topic",
                include_outliers: bool = False) -> go.Figure:
    """Small multiples of horizontal bars: the top ``n_terms`` terms of each topic.

    Parameters
    ----------
    terms : DataFrame
        Tidy terms (``topic, term, weight, rank, label``), e.g. ``TopicModel.terms_``.
    topic, term, weight, label, rank : str
        Column names (``rank`` may be None: then terms are ordered by weight).
    n_terms : int
        Terms per topic.
    max_topics : int, optional
        Show at most this many topics (lowest ids first; BERTopic numbers topics by size).
    cols : int
        Panels per row.
    """
    from plotly.subplots import make_subplots

    df = terms if include_outliers else terms[terms[topic] != -1]
    topics = sorted(df[topic].unique())
    if max_topics is not None:
        topics = topics[:max_topics]
    if not topics:
        return apply_theme(go.Figure(layout=dict(title=title)))
    cols = max(1, min(cols, len(topics)))
    rows = int(np.ceil(len(topics) / cols))
    labels = {t: str(df.loc[df[topic] == t, label].iloc[0]) for t in topics}
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[_wrap(labels[t], 34) for t in topics],
                        horizontal_spacing=0.12, vertical_spacing=min(0.5 / rows, 0.12))
    style = topic_style(topics)
    for i, t in enumerate(topics):
        part = df[df[topic] == t]
        part = part.sort_values(rank) if rank and rank in part.columns else part.sort_values(weight, ascending=False)
        part = part.head(n_terms).iloc[::-1]
        fig.add_trace(go.Bar(x=part[weight], y=part[term], orientation="h", marker_color=style[t][0],
                             name=labels[t], showlegend=False,
                             hovertemplate="%{y}: %{x:.3g}<extra>" + labels[t].replace("%", "%%") + "</extra>"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_annotations(font_size=11)
    fig.update_xaxes(showticklabels=False, showgrid=False)
    fig.update_yaxes(tickfont=dict(size=10), showgrid=False)
    fig.update_layout(title=title, height=max(320, 210 * rows), bargap=0.25,
                      margin=dict(l=40, r=20, t=90, b=30))
    return apply_theme(fig)


def _order_groups(groups: Sequence[str]) -> list[str]:
    def key(g):
        try:
            return (0, float(g), "")
        except ValueError:
            return (2 if g == "unknown" else 1, 0.0, str(g))
    return sorted(dict.fromkeys(groups), key=key)


def topic_group_heatmap(table: pd.DataFrame, by: str | None = None, group: str = "group",
                        topic: str = "topic", label: str = "label", value: str = "share",
                        count: str | None = "count", title: str | None = None,
                        include_outliers: bool = False) -> go.Figure:
    """Heatmap of topics (rows) × groups (columns), coloured by ``value``.

    Parameters
    ----------
    table : DataFrame
        :func:`policykit.topics.topics_per_group` output (or any table with the named columns).
    by : str, optional
        Keep rows whose ``by`` column equals this (e.g. ``"region"``).
    value : str
        Colour: ``share`` (of the group's units, default) or ``share_of_topic``.
    count : str, optional
        Column printed in each cell and shown on hover.
    """
    df = table
    if by is not None and "by" in df.columns:
        df = df[df["by"] == by]
    if not include_outliers:
        df = df[df[topic] != -1]
    groups = _order_groups(df[group].astype(str))
    topics = sorted(df[topic].unique())
    labels = {t: str(df.loc[df[topic] == t, label].iloc[0]) for t in topics}
    Z = np.zeros((len(topics), len(groups)))
    C = np.zeros_like(Z, dtype=int)
    ti, gi = {t: i for i, t in enumerate(topics)}, {g: j for j, g in enumerate(groups)}
    for r in df.itertuples(index=False):
        i, j = ti[getattr(r, topic)], gi[str(getattr(r, group))]
        Z[i, j] = getattr(r, value)
        if count:
            C[i, j] = getattr(r, count)
    text = [[f"{c}" if c else "" for c in row] for row in C] if count else None
    pct = value.startswith("share")
    from policykit.compare._frames import readable_value

    fig = go.Figure(go.Heatmap(
        z=Z, x=[readable_value(g) for g in groups], y=[labels[t] for t in topics], colorscale=SEQUENTIAL, zmin=0,
        text=text, texttemplate="%{text}" if count else None, textfont=dict(size=10),
        colorbar=dict(title=value.replace("_", " "), tickformat=".0%" if pct else None),
        hovertemplate=("%{y}<br>" + (by or group) + ": %{x}<br>" + value.replace("_", " ")
                       + (": %{z:.1%}" if pct else ": %{z:.3g}")
                       + ("<br>units: %{text}" if count else "") + "<extra></extra>")))
    fig.update_layout(title=title or f"Topics by {by or group}", xaxis_title=by or group,
                      yaxis=dict(autorange="reversed", showgrid=False), xaxis=dict(showgrid=False, type="category"),
                      height=max(360, 28 * len(topics) + 160))
    return apply_theme(fig)


def topic_label_heatmap(crosstab: pd.DataFrame, facet: str | None = None, value: str = "share",
                        topic: str = "topic", topic_label: str = "topic_label", label: str = "label",
                        count: str | None = "count", title: str | None = None) -> go.Figure:
    """Heatmap of topics × extracted labels (from :func:`policykit.topics.topic_label_crosstab`).

    ``value`` ``share`` colours by the share of the topic's units carrying the label; ``lift``
    by how much more often than in the whole corpus (diverging around 1).
    """
    from policykit.figures.theme import DIVERGING

    from policykit.taxonomy import label_name

    df = crosstab if facet is None else crosstab[crosstab["facet"] == facet]
    topics = sorted(df[topic].unique())
    labs = sorted(df[label].unique())
    facet_of = dict(zip(df[label].astype(str), df["facet"].astype(str))) if "facet" in df else {}
    lab_names = [_wrap(label_name(facet_of.get(str(l), facet), l), 28) for l in labs]
    tl = {t: str(df.loc[df[topic] == t, topic_label].iloc[0]) for t in topics}
    piv = df.pivot_table(index=topic, columns=label, values=value, aggfunc="first").reindex(index=topics, columns=labs)
    cnt = (df.pivot_table(index=topic, columns=label, values=count, aggfunc="first")
           .reindex(index=topics, columns=labs).fillna(0).astype(int) if count else None)
    lift = value == "lift"
    z = piv.to_numpy(dtype=float)
    if lift:
        z = np.log2(np.clip(np.nan_to_num(z, nan=1.0), 1 / 8, 8))
    fig = go.Figure(go.Heatmap(
        z=z, x=lab_names, y=[tl[t] for t in topics],
        colorscale=DIVERGING if lift else SEQUENTIAL, zmid=0 if lift else None, zmin=None if lift else 0,
        text=None if cnt is None else [[str(c) if c else "" for c in row] for row in cnt.to_numpy()],
        texttemplate="%{text}" if count else None, textfont=dict(size=10),
        customdata=piv.to_numpy(dtype=float),
        colorbar=dict(title="log2 lift" if lift else "share of topic's units", tickformat=None if lift else ".0%"),
        hovertemplate=("%{y}<br>%{x}<br>" + ("lift: %{customdata:.2f}" if lift else "share: %{z:.1%}")
                       + ("<br>units: %{text}" if count else "") + "<extra></extra>")))
    name = f"extracted {facet.replace('_', ' ')}s" if facet else "extracted labels"
    fig.update_layout(title=title or f"Topics × {name}", xaxis=dict(tickangle=-35, showgrid=False,
                                                                    automargin=True),
                      yaxis=dict(autorange="reversed", showgrid=False),
                      height=max(380, 28 * len(topics) + 220))
    return apply_theme(fig)


def document_map(doc_map: pd.DataFrame, x: str = "x", y: str = "y", topic: str = "topic",
                 label: str = "label", hover: Sequence[str] = ("unit_id", "title", "region", "chapter", "snippet"),
                 title: str = "Document map (seeded 2-D UMAP of unit embeddings)") -> go.Figure:
    """Scatter of units on precomputed coordinates, one trace per topic.

    The coordinates come from the model (``TopicModel.doc_map_``), so the picture is the same on
    every run; the figure itself computes nothing.
    """
    hover = [h for h in hover if h in doc_map.columns]
    style = topic_style(doc_map[topic])
    fig = go.Figure()
    for t in sorted(style):
        part = doc_map[doc_map[topic] == t]
        lab = str(part[label].iloc[0])
        custom = part[hover].astype(str).to_numpy() if hover else None
        hov = "<br>".join(f"{h}: %{{customdata[{i}]}}" for i, h in enumerate(hover))
        color, symbol = style[t]
        fig.add_trace(go.Scattergl(
            x=part[x], y=part[y], mode="markers", name=lab, customdata=custom,
            marker=dict(color=color, symbol=symbol, size=6 if t == -1 else 8, opacity=0.85,
                        line=dict(width=0.5, color="white")),
            hovertemplate=f"<b>{lab}</b><br>{hov}<extra></extra>"))
    fig.update_layout(title=title, xaxis=dict(showticklabels=False, title=None, showgrid=False),
                      yaxis=dict(showticklabels=False, title=None, showgrid=False, scaleanchor="x"),
                      legend=dict(title="topic", font=dict(size=10)), height=620)
    return apply_theme(fig)


def topic_hierarchy(hierarchy: pd.DataFrame, title: str = "Topic hierarchy (c-TF-IDF, average linkage)") -> go.Figure:
    """Dendrogram of a topic hierarchy table (:func:`policykit.topics.topic_hierarchy`).

    Leaves are topics (their labels on the axis); hovering a junction shows the merged topics'
    top terms and the cosine distance at which they merge.
    """
    from scipy.cluster.hierarchy import dendrogram

    leaves = hierarchy[hierarchy["kind"] == "leaf"].sort_values("node")
    merges = hierarchy[hierarchy["kind"] == "merge"].sort_values("node")
    fig = go.Figure()
    if len(leaves) < 2:
        fig.update_layout(title=title, annotations=[dict(text="fewer than two topics", showarrow=False)])
        return apply_theme(fig)
    Z = merges[["left", "right", "distance", "n_topics"]].to_numpy(dtype=float)
    d = dendrogram(Z, no_plot=True, orientation="left", labels=leaves["label"].tolist())
    for xs, ys in zip(d["dcoord"], d["icoord"]):
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=QUALITATIVE[0], width=1.6),
                                 hoverinfo="skip", showlegend=False))
    # a marker on every junction, matched to its merge row by height
    used = set()
    jx, jy, jt = [], [], []
    for xs, ys in zip(d["dcoord"], d["icoord"]):
        h, mid = xs[1], (ys[1] + ys[2]) / 2
        cand = [r for r in merges.itertuples(index=False) if r.node not in used and abs(r.distance - h) < 1e-9]
        if not cand:
            continue
        r = cand[0]
        used.add(r.node)
        jx.append(h)
        jy.append(mid)
        jt.append(f"topics {', '.join(map(str, r.topics))}<br>{r.label}<br>distance {h:.3f}")
    fig.add_trace(go.Scatter(x=jx, y=jy, mode="markers", marker=dict(color=QUALITATIVE[1], size=7),
                             text=jt, hovertemplate="%{text}<extra></extra>", showlegend=False))
    ticks = [5 + 10 * i for i in range(len(d["ivl"]))]
    fig.update_layout(title=title, xaxis_title="cosine distance of term profiles",
                      yaxis=dict(tickvals=ticks, ticktext=d["ivl"], showgrid=False),
                      xaxis=dict(showgrid=True), height=max(360, 30 * len(leaves) + 140))
    return apply_theme(fig)


def topic_quality(quality: pd.DataFrame, model: str = "model",
                  metrics: Sequence[str] = ("npmi", "diversity"),
                  title: str = "Topic quality: NPMI coherence and diversity") -> go.Figure:
    """Grouped bars of quality metrics (one group per metric, one bar per model)."""
    fig = go.Figure()
    for i, r in enumerate(quality.itertuples(index=False)):
        name = str(getattr(r, model))
        vals = [float(getattr(r, m)) for m in metrics]
        fig.add_trace(go.Bar(x=list(metrics), y=vals, name=name, marker_color=QUALITATIVE[i % len(QUALITATIVE)],
                             text=[f"{v:.3f}" for v in vals], textposition="outside",
                             hovertemplate=name + "<br>%{x}: %{y:.3f}<extra></extra>"))
    fig.update_layout(title=title, barmode="group", yaxis_title="score (higher is better)",
                      yaxis=dict(range=[min(0, float(np.nanmin(quality[list(metrics)].to_numpy(dtype=float)))) - 0.05, 1.05]))
    return apply_theme(fig)

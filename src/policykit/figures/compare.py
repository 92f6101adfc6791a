"""Comparison figures: a tidy DataFrame and column names in, a themed ``go.Figure`` out.

Hover text shows the counts behind each mark and an example evidence sentence with its
``sent_id``; every string that comes from a document is HTML-escaped before it reaches plotly
(:func:`esc`), so document text is shown, never interpreted. Each trace's ``customdata`` starts
with the example ``sent_id`` so a page can link a click to the evidence.
"""

from __future__ import annotations

import html
import textwrap
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from policykit.figures.theme import QUALITATIVE, SEQUENTIAL, apply_theme, color_map

#: Colours of stance values: positive / negative / none (Okabe-Ito orange, blue, light grey).
STANCE_COLORS = {"positive": "#D55E00", "negative": "#0072B2", "none": "#E5E5E5"}
POSITIVE = ("support", "favourable", "high")
NEGATIVE = ("oppose", "cautious", "low")
STATUS_COLORS = {"consensus": "#009E73", "shared": "#56B4E9", "single": "#E69F00",
                 "absent": "#999999"}
EDITOR_COLORS = {"both": "#009E73", "editors_only": "#D55E00", "extracted_only": "#0072B2"}
EDITOR_NAMES = {"both": "named by the editors and in the extracted top ranks",
                "editors_only": "named by the editors, not in the extracted top ranks",
                "extracted_only": "extracted top rank the editors did not name"}


def esc(value, width: int = 70) -> str:
    """HTML-escape a value for hover text and wrap it with ``<br>`` every ``width`` characters."""
    if value is None or (not isinstance(value, (str, list, tuple, dict)) and pd.isna(value)):
        return ""
    s = html.escape(str(value), quote=True)
    if width and len(s) > width:
        s = "<br>".join(textwrap.wrap(s, width=width, break_long_words=True,
                                      break_on_hyphens=False))
    return s


def _example(sent_id, text) -> str:
    sid = esc(sent_id, 0)
    if not sid:
        return "<i>no evidence sentence</i>"
    return f"e.g. <b>[{sid}]</b><br>{esc(text)}"


def _col(df: pd.DataFrame, name: str | None, default=""):
    if name is None or name not in df.columns:
        return pd.Series([default] * len(df), index=df.index)
    return df[name]


def _pct(v) -> str:
    return "–" if v is None or pd.isna(v) else f"{100 * float(v):.0f}%"


def group_tick(group, n_docs, small: bool) -> str:
    """Axis label of a group with its size; small groups are marked with a dagger."""
    return f"{esc(group, 0)} (n={int(n_docs)}){' †' if small else ''}"


def prevalence_heatmap(df: pd.DataFrame, x: str = "label", y: str = "group",
                       z: str = "doc_share", count: str = "n_docs", total: str = "n_docs_group",
                       sent_count: str | None = "n_sents", small: str | None = "small_group",
                       example_id: str = "example_sent_id", example_text: str = "example_text",
                       x_order: Sequence[str] | None = None, y_order: Sequence[str] | None = None,
                       title: str = "", zlabel: str = "share of documents") -> go.Figure:
    """Group x label heatmap of a share (e.g. region x risk domain, chapter x instrument).

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy rows, one per group x label (a :func:`policykit.compare.prevalence` result).
    x, y, z : str
        Label column (columns of the map), group column (rows) and value column (0..1).
    count, total, sent_count : str
        Columns with the documents raising the label, documents in the group and sentences
        carrying it (hover).
    small : str, optional
        Boolean column flagging small groups (marked with † on the axis).
    """
    xs = list(x_order) if x_order is not None else list(dict.fromkeys(df[x]))
    ys = list(y_order) if y_order is not None else list(dict.fromkeys(df[y]))
    idx = df.set_index([y, x])
    zmat = np.full((len(ys), len(xs)), np.nan)
    hover = [["" for _ in xs] for _ in ys]
    custom = [["" for _ in xs] for _ in ys]
    text = [["" for _ in xs] for _ in ys]
    ticks = []
    for i, g in enumerate(ys):
        rows = df[df[y] == g]
        n_tot = int(rows[total].iloc[0]) if len(rows) and total in rows else 0
        is_small = bool(rows[small].iloc[0]) if small and small in rows and len(rows) else False
        ticks.append(group_tick(g, n_tot, is_small))
        for j, lab in enumerate(xs):
            if (g, lab) not in idx.index:
                continue
            r = idx.loc[(g, lab)]
            if isinstance(r, pd.DataFrame):
                r = r.iloc[0]
            zmat[i, j] = r[z]
            text[i][j] = _pct(r[z])
            ns = f", {int(r[sent_count])} sentences" if sent_count and sent_count in r else ""
            hover[i][j] = (f"<b>{esc(g, 0)}</b> × <b>{esc(lab, 0)}</b><br>"
                           f"{zlabel}: {_pct(r[z])} ({int(r[count])} of {n_tot} documents{ns})"
                           f"<br>{_example(r.get(example_id, ''), r.get(example_text, ''))}")
            custom[i][j] = str(r.get(example_id, "") or "")
    fig = go.Figure(go.Heatmap(
        z=zmat, x=[esc(v, 0) for v in xs], y=ticks, colorscale=SEQUENTIAL, zmin=0,
        zmax=max(1e-9, float(np.nanmax(zmat))) if np.isfinite(zmat).any() else 1,
        text=text, texttemplate="%{text}", hovertext=hover, customdata=custom,
        hovertemplate="%{hovertext}<extra></extra>", colorbar=dict(title=zlabel, tickformat=".0%"),
        xgap=1, ygap=1,
    ))
    fig.update_layout(title=title, height=max(320, 60 + 34 * len(ys) + 8 * max(map(len, xs or [""]))),
                      xaxis=dict(tickangle=-35, showgrid=False), yaxis=dict(autorange="reversed",
                                                                           showgrid=False))
    return apply_theme(fig)


def prevalence_bars(df: pd.DataFrame, x: str = "label", y: str = "doc_share",
                    lo: str = "doc_share_lo", hi: str = "doc_share_hi", color: str = "group",
                    count: str = "n_docs", total: str = "n_docs_group",
                    small: str | None = "small_group", example_id: str = "example_sent_id",
                    example_text: str = "example_text", x_order: Sequence[str] | None = None,
                    title: str = "", ylabel: str = "share of documents") -> go.Figure:
    """Grouped bars of a share per label and group, with bootstrap interval error bars."""
    xs = list(x_order) if x_order is not None else list(dict.fromkeys(df[x]))
    colors = color_map(df[color].astype(str))
    fig = go.Figure()
    for g, rows in df.groupby(color, sort=False):
        rows = rows.set_index(x).reindex(xs)
        n_tot = int(rows[total].dropna().iloc[0]) if rows[total].notna().any() else 0
        is_small = bool(rows[small].dropna().iloc[0]) if small and small in rows and \
            rows[small].notna().any() else False
        val = rows[y].to_numpy(dtype=float)
        hover = [f"<b>{esc(g, 0)}</b> × <b>{esc(lab, 0)}</b><br>{ylabel}: {_pct(v)} "
                 f"[{_pct(l)}–{_pct(h)}]<br>{0 if pd.isna(c) else int(c)} of {n_tot} documents"
                 f"<br>{_example(e, t)}"
                 for lab, v, l, h, c, e, t in zip(xs, val, rows[lo], rows[hi], rows[count],
                                                  _col(rows, example_id), _col(rows, example_text))]
        fig.add_trace(go.Bar(
            name=group_tick(g, n_tot, is_small), x=[esc(v, 0) for v in xs], y=val,
            marker_color=colors[str(g)],
            error_y=dict(type="data", symmetric=False, array=rows[hi].to_numpy(dtype=float) - val,
                         arrayminus=val - rows[lo].to_numpy(dtype=float), thickness=1.2,
                         width=3),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            customdata=list(_col(rows, example_id).fillna("")),
        ))
    fig.update_layout(title=title, barmode="group", yaxis=dict(title=ylabel, tickformat=".0%"),
                      xaxis=dict(tickangle=-35), legend=dict(title=esc(color, 0)))
    return apply_theme(fig)


def distinctive_terms_chart(df: pd.DataFrame, group: str = "group", term: str = "term",
                            value: str = "z", count: str = "n_group", rest: str = "n_rest",
                            log_odds: str | None = "log_odds", chi2: str | None = "chi2",
                            example_id: str = "example_sent_id",
                            example_text: str = "example_text", top_n: int = 10,
                            cols: int = 3, title: str = "") -> go.Figure:
    """One panel per group: its most distinctive terms as horizontal bars of ``value``."""
    groups = list(dict.fromkeys(df[group]))
    n = max(1, len(groups))
    cols = max(1, min(cols, n))
    rows_n = int(np.ceil(n / cols))
    fig = make_subplots(rows=rows_n, cols=cols, subplot_titles=[esc(g, 0) for g in groups] or [""],
                        horizontal_spacing=0.16, vertical_spacing=0.16 if rows_n > 1 else 0.1)
    colors = color_map(groups)
    for k, g in enumerate(groups):
        sub = df[df[group] == g].sort_values(value, ascending=False).head(top_n)[::-1]
        hover = []
        for r in sub.itertuples(index=False):
            r = r._asdict()
            extra = ""
            if log_odds and log_odds in r:
                extra += f"<br>log-odds {r[log_odds]:.2f}"
            if chi2 and chi2 in r:
                extra += f", χ² {r[chi2]:.1f}"
            hover.append(f"<b>{esc(r[term], 0)}</b> ({esc(g, 0)})<br>{value} = {r[value]:.2f}"
                         f"{extra}<br>{int(r[count])} uses here, {int(r[rest])} elsewhere"
                         f"<br>{_example(r.get(example_id, ''), r.get(example_text, ''))}")
        fig.add_trace(go.Bar(
            x=sub[value], y=[esc(t, 0) for t in sub[term]], orientation="h", name=esc(g, 0),
            marker_color=colors[str(g)], hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
            customdata=list(_col(sub, example_id).fillna("")),
        ), row=k // cols + 1, col=k % cols + 1)
    for c in range(1, cols + 1):  # axis title under the bottom panel of each column only
        bottom = rows_n if (rows_n - 1) * cols + c <= n else rows_n - 1
        fig.update_xaxes(title_text=value, title_font_size=11, row=bottom, col=c)
    fig.update_layout(title=title, height=max(360, 40 + rows_n * (28 + 22 * top_n)),
                      bargap=0.25)
    return apply_theme(fig)


def position_map_chart(df: pd.DataFrame, x: str = "x", y: str = "y", color: str = "group",
                       label: str = "doc_id", title_col: str | None = "title",
                       detail: str | None = "top_labels", x_title: str = "", y_title: str = "",
                       title: str = "", centroids: bool = True) -> go.Figure:
    """Scatter of document positions coloured by group, with group centroids (diamonds)."""
    colors = color_map(df[color].astype(str))
    fig = go.Figure()
    for g, rows in df.groupby(color, sort=True):
        hover = [f"<b>{esc(d, 0)}</b> ({esc(g, 0)})<br>{esc(t)}<br>emphasis: {esc(e)}"
                 for d, t, e in zip(rows[label], _col(rows, title_col), _col(rows, detail))]
        fig.add_trace(go.Scatter(
            x=rows[x], y=rows[y], mode="markers+text", name=f"{esc(g, 0)} (n={len(rows)})",
            text=[esc(d, 0) for d in rows[label]], textposition="top center",
            textfont=dict(size=9, color="#555555"),
            marker=dict(size=11, color=colors[str(g)], line=dict(width=0.8, color="white")),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            customdata=list(rows[label].astype(str)), legendgroup=str(g),
        ))
        if centroids and len(rows) > 1:
            fig.add_trace(go.Scatter(
                x=[rows[x].mean()], y=[rows[y].mean()], mode="markers", showlegend=False,
                marker=dict(symbol="diamond", size=16, color=colors[str(g)],
                            line=dict(width=1.5, color="#222222")),
                hovertemplate=f"<b>{esc(g, 0)}</b> centroid of {len(rows)} documents"
                              "<extra></extra>", legendgroup=str(g)))
    fig.update_layout(title=title, xaxis=dict(title=x_title, zeroline=True,
                                              zerolinecolor="#CCCCCC"),
                      yaxis=dict(title=y_title, zeroline=True, zerolinecolor="#CCCCCC"),
                      height=560)
    return apply_theme(fig)


def consensus_chart(df: pd.DataFrame, label: str = "label", n_groups: str = "n_groups",
                    status: str = "status", groups: str = "groups", n_docs: str = "n_docs",
                    total: str = "n_groups_total", example_id: str = "example_sent_id",
                    example_text: str = "example_text", min_groups: int | None = None,
                    title: str = "") -> go.Figure:
    """Horizontal bars: how many groups propose each label, coloured by consensus status."""
    d = df.iloc[::-1]
    fig = go.Figure()
    for st, colour in STATUS_COLORS.items():
        rows = d[d[status] == st]
        if rows.empty:
            continue
        hover = [f"<b>{esc(l, 0)}</b>: {st}<br>{int(n)} of {int(t)} groups, {int(nd)} documents"
                 f"<br>groups: {esc(', '.join(map(str, gs)))}<br>{_example(e, tx)}"
                 for l, n, t, nd, gs, e, tx in zip(rows[label], rows[n_groups], rows[total],
                                                   rows[n_docs], rows[groups],
                                                   _col(rows, example_id), _col(rows, example_text))]
        fig.add_trace(go.Bar(
            x=rows[n_groups], y=[esc(l, 0) for l in rows[label]], orientation="h", name=st,
            marker_color=colour, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            text=[", ".join(map(str, gs)) for gs in rows[groups]], textposition="auto",
            insidetextanchor="start", textfont=dict(size=10),
            customdata=list(_col(rows, example_id).fillna("")),
        ))
    if min_groups:
        fig.add_vline(x=min_groups - 0.5, line_dash="dot", line_color="#555555",
                      annotation_text=f"consensus: ≥ {min_groups} groups",
                      annotation_position="top")
    fig.update_layout(title=title, barmode="overlay", xaxis=dict(title="groups proposing it",
                                                                 dtick=1),
                      yaxis=dict(categoryorder="array", categoryarray=[esc(l, 0) for l in d[label]]),
                      height=max(360, 80 + 24 * len(df)))
    return apply_theme(fig)


def sankey_chart(df: pd.DataFrame, source: str = "group", target: str = "label",
                 value: str = "n_docs", example_id: str = "example_sent_id",
                 example_text: str = "example_text", source_order: Sequence[str] | None = None,
                 target_order: Sequence[str] | None = None, unit: str = "documents",
                 title: str = "") -> go.Figure:
    """Flows from groups (left) to labels (right), e.g. region -> instrument."""
    d = df[df[value] > 0]
    srcs = list(source_order) if source_order is not None else sorted(d[source].astype(str).unique())
    tgts = list(target_order) if target_order is not None else list(
        d.groupby(target)[value].sum().sort_values(ascending=False).index.astype(str))
    srcs = [s for s in srcs if s in set(d[source].astype(str))]
    tgts = [t for t in tgts if t in set(d[target].astype(str))]
    node_index = {("s", s): i for i, s in enumerate(srcs)}
    node_index.update({("t", t): len(srcs) + i for i, t in enumerate(tgts)})
    colors = color_map(srcs)
    s_idx, t_idx, vals, hover, custom, lcol = [], [], [], [], [], []
    for r in d.itertuples(index=False):
        r = r._asdict()
        s, t = str(r[source]), str(r[target])
        if ("s", s) not in node_index or ("t", t) not in node_index:
            continue
        s_idx.append(node_index[("s", s)])
        t_idx.append(node_index[("t", t)])
        vals.append(float(r[value]))
        hover.append(f"<b>{esc(s, 0)}</b> → <b>{esc(t, 0)}</b>: {r[value]:g} {unit}"
                     f"<br>{_example(r.get(example_id, ''), r.get(example_text, ''))}")
        custom.append(str(r.get(example_id, "") or ""))
        c = colors[s].lstrip("#")
        lcol.append(f"rgba({int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},0.45)")
    node_tot = {}
    for si, ti, v in zip(s_idx, t_idx, vals):
        node_tot[si] = node_tot.get(si, 0) + v
        node_tot[ti] = node_tot.get(ti, 0) + v
    labels = [esc(s, 0) for s in srcs] + [esc(t, 0) for t in tgts]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=labels, pad=12, thickness=14,
                  color=[colors[s] for s in srcs] + ["#999999"] * len(tgts),
                  customdata=[f"{node_tot.get(i, 0):g} {unit}" for i in range(len(labels))],
                  hovertemplate="<b>%{label}</b><br>%{customdata}<extra></extra>"),
        link=dict(source=s_idx, target=t_idx, value=vals, color=lcol, customdata=hover,
                  hovertemplate="%{customdata}<extra></extra>"),
    ))
    fig.update_layout(title=title, height=max(420, 30 * max(len(srcs), len(tgts)) + 120))
    return apply_theme(fig)


def stance_code(value: str) -> int:
    """+1 for supportive values, -1 for opposing or cautious ones, 0 for none."""
    v = str(value)
    return 1 if v in POSITIVE else -1 if v in NEGATIVE else 0


def stance_matrix_chart(df: pd.DataFrame, doc: str = "doc_id", question: str = "question",
                        stance: str = "stance", group: str | None = "region",
                        evidence_ids: str = "evidence_sent_ids",
                        evidence_texts: str = "evidence_texts", gold: str | None = None,
                        question_order: Sequence[str] | None = None, title: str = "") -> go.Figure:
    """Documents x questions grid of stances (orange: support / favourable / high; blue:
    oppose / cautious / low; grey: none), documents sorted by group. Hover lists the evidence.

    ``gold`` names an optional column with human labels, shown in the hover and marked with ✗
    in the cell when it disagrees.
    """
    qs = list(question_order) if question_order is not None else list(dict.fromkeys(df[question]))
    if group == doc:
        group = None
    order = df[[doc] + ([group] if group and group in df else [])].drop_duplicates(doc)
    if group and group in order:
        order = order.sort_values([group, doc], kind="mergesort")
    docs = list(order[doc])
    gmap = dict(zip(order[doc], order[group])) if group and group in order else {}
    idx = df.set_index([doc, question])
    z = np.zeros((len(docs), len(qs)))
    text = [["" for _ in qs] for _ in docs]
    hover = [["" for _ in qs] for _ in docs]
    custom = [["" for _ in qs] for _ in docs]
    for i, d in enumerate(docs):
        for j, q in enumerate(qs):
            if (d, q) not in idx.index:
                continue
            r = idx.loc[(d, q)]
            if isinstance(r, pd.DataFrame):
                r = r.iloc[0]
            v = str(r[stance])
            z[i, j] = stance_code(v)
            ids = list(r[evidence_ids]) if evidence_ids in r and isinstance(
                r[evidence_ids], (list, tuple, np.ndarray)) else []
            txts = list(r[evidence_texts]) if evidence_texts in r and isinstance(
                r[evidence_texts], (list, tuple, np.ndarray)) else []
            g = r[gold] if gold and gold in r and isinstance(r[gold], str) else None
            mark = " ✗" if g is not None and g != v else ""
            text[i][j] = ("" if v == "none" else esc(v, 0)) + mark
            ev = "<br>".join(f"<b>[{esc(s, 0)}]</b> {esc(t)}" for s, t in zip(ids[:2], txts[:2]))
            more = f"<br>… and {len(ids) - 2} more" if len(ids) > 2 else ""
            gl = f"<br>human label: {esc(g, 0)}" if g is not None else ""
            hover[i][j] = (f"<b>{esc(d, 0)}</b> – {esc(q, 0)}: <b>{esc(v, 0)}</b>{gl}<br>"
                           f"{len(ids)} evidence sentences<br>{ev or '<i>no evidence</i>'}{more}")
            custom[i][j] = ids[0] if ids else ""
    ticks = [f"{esc(d, 0)}" + (f" · {esc(gmap[d], 0)}" if d in gmap else "") for d in docs]
    scale = [[0.0, STANCE_COLORS["negative"]], [0.5, STANCE_COLORS["none"]],
             [1.0, STANCE_COLORS["positive"]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(q, 0) for q in qs], y=ticks, zmin=-1, zmax=1, colorscale=scale,
        showscale=False, text=text, texttemplate="%{text}", hovertext=hover, customdata=custom,
        hovertemplate="%{hovertext}<extra></extra>", xgap=2, ygap=2,
    ))
    fig.update_layout(title=title, height=max(360, 90 + 22 * len(docs)),
                      xaxis=dict(side="top", showgrid=False),
                      yaxis=dict(autorange="reversed", showgrid=False))
    return apply_theme(fig)


def editors_chart(df: pd.DataFrame, chapter: str = "chapter", label: str = "label",
                  facet: str = "facet", status: str = "status", n_essays: str = "n_essays",
                  total: str = "n_essays_chapter", rank: str = "rank", points: str = "points",
                  example_id: str = "example_sent_id", example_text: str = "example_text",
                  summary: pd.DataFrame | None = None, title: str = "") -> go.Figure:
    """Chapter x label dot matrix: what the editors name vs what the extraction ranks on top.

    Marker size grows with the number of the chapter's essays raising the label. ``summary``
    (an :class:`~policykit.compare.editors.EditorsCheck` summary) adds the recovered share
    per chapter to the axis labels.
    """
    chapters = sorted(df[chapter].unique())
    tick = {c: f"chapter {c}" for c in chapters}
    if summary is not None and len(summary):
        s = summary.set_index(summary["chapter"].astype(str))
        for c in chapters:
            if str(c) in s.index and s.loc[str(c), "n_labelled"]:
                r = s.loc[str(c)]
                tick[c] = f"chapter {c} ({int(r['n_recovered'])}/{int(r['n_labelled'])})"
    order = (df[[facet, label]].drop_duplicates()
             .sort_values([facet, label], ascending=[False, True]))
    xs = [f"{esc(l, 0)}" for l in order[label]]
    fig = go.Figure()
    for st, colour in EDITOR_COLORS.items():
        rows = df[df[status] == st]
        if rows.empty:
            continue
        size = 8 + 5 * rows[n_essays].clip(lower=0)
        hover = [f"<b>{tick[c]}</b> – {esc(l, 0)} ({esc(f, 0)})<br>{EDITOR_NAMES[st]}<br>"
                 f"raised by {int(n)} of {int(t)} essays" + (f", rank {int(rk)}" if pd.notna(rk)
                                                             else "")
                 + (f"<br>editors' points: {', '.join(map(str, p))}" if p else "")
                 + (f"<br>{_example(e, tx)}" if e else "")
                 for c, l, f, n, t, rk, p, e, tx in zip(
                     rows[chapter], rows[label], rows[facet], rows[n_essays], rows[total],
                     rows[rank], _col(rows, points, []), _col(rows, example_id),
                     _col(rows, example_text))]
        fig.add_trace(go.Scatter(
            x=[esc(l, 0) for l in rows[label]], y=[tick[c] for c in rows[chapter]],
            mode="markers", name=EDITOR_NAMES[st],
            marker=dict(size=size, color=colour, symbol="circle-open" if st == "editors_only" else "circle",
                        line=dict(width=2, color=colour)),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            customdata=list(_col(rows, example_id).fillna("")),
        ))
    fig.update_layout(title=title,
                      xaxis=dict(categoryorder="array", categoryarray=xs, tickangle=-40),
                      yaxis=dict(categoryorder="array",
                                 categoryarray=[tick[c] for c in chapters][::-1]),
                      legend=dict(orientation="h", y=-0.45), height=520)
    return apply_theme(fig)

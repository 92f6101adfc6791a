"""Comparison figures: a tidy DataFrame and column names in, a themed ``go.Figure`` out.

Hover text shows the counts behind each mark and an example evidence sentence with its
``sent_id``; every string that comes from a document is HTML-escaped before it reaches plotly
(:func:`esc`), so document text is shown, never interpreted. Each trace's ``customdata`` starts
with the example ``sent_id`` so a page can link a click to the evidence.

Labels are shown by their taxonomy names (``Dedicated regulator``, not ``dedicated_regulator``;
the id is in the hover text and the tables), groups by their names (``label_name`` /
``group_name`` columns of the comparison tables, else :func:`policykit.taxonomy.label_names`
and :func:`policykit.compare._frames.readable_value`); long names are wrapped, never cut.
Numbers are taken from :func:`policykit.present.rounded` tables, so hover text and marks show
the stated precision.
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
from policykit.present import rounded

#: Characters per line of a wrapped axis label.
WRAP = 28

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


def wrap(text, width: int = WRAP) -> str:
    """Escape a label and break it into lines of at most ``width`` characters (``<br>``),
    so that long names are wrapped instead of cut."""
    s = "" if text is None else str(text)
    if not width or len(s) <= width:
        return html.escape(s, quote=True)
    return "<br>".join(html.escape(line, quote=True) for line in textwrap.wrap(
        s, width=width, break_long_words=False, break_on_hyphens=False))


def label_display(df: pd.DataFrame, label: str, name: str | None = "label_name",
                  facet: str | None = "facet") -> dict[str, str]:
    """Label id → name shown: the table's ``name`` column, else the taxonomy's name of the
    label in the table's ``facet`` (any facet when the table has none), else the id."""
    from policykit.taxonomy import label_name

    out: dict[str, str] = {}
    has_name = name is not None and name in df.columns
    has_facet = facet is not None and facet in df.columns
    for i, r in enumerate(df[label]):
        key = str(r)
        if key in out:
            continue
        if has_name and isinstance(df[name].iloc[i], str) and df[name].iloc[i]:
            out[key] = df[name].iloc[i]
        else:
            out[key] = label_name(str(df[facet].iloc[i]) if has_facet else None, key)
    return out


def group_display(df: pd.DataFrame, group: str, name: str | None = "group_name") -> dict[str, str]:
    """Group value → name shown: the table's ``name`` column, else
    :func:`~policykit.compare._frames.readable_value`."""
    from policykit.compare._frames import readable_value

    if name is not None and name in df.columns:
        return {str(g): (n if isinstance(n, str) and n else readable_value(g))
                for g, n in zip(df[group], df[name])}
    return {str(g): readable_value(g) for g in df[group]}


def _id_note(name: str, ident) -> str:
    """`` [id]`` after a name when they differ (hover text keeps the ids)."""
    i = str(ident)
    return "" if i == name else f" <span style='color:#777'>[{esc(i, 0)}]</span>"


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


def group_tick(group, n_docs, small: bool, width: int | None = 44) -> str:
    """Axis label of a group with its size; small groups are marked with a dagger.
    Long names (chapter titles) are wrapped at ``width`` characters."""
    return f"{wrap(group, width or 0)} (n={int(n_docs)}){' †' if small else ''}"


def prevalence_heatmap(df: pd.DataFrame, x: str = "label", y: str = "group",
                       z: str = "doc_share", count: str = "n_docs", total: str = "n_docs_group",
                       sent_count: str | None = "n_sents", small: str | None = "small_group",
                       example_id: str = "example_sent_id", example_text: str = "example_text",
                       x_order: Sequence[str] | None = None, y_order: Sequence[str] | None = None,
                       title: str = "", zlabel: str = "share of documents",
                       x_name: str | None = "label_name", y_name: str | None = "group_name"
                       ) -> go.Figure:
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
    x_order, y_order : sequence of str, optional
        Label ids and group values in display order (default: order of appearance).
    x_name, y_name : str, optional
        Columns with the names shown for labels and groups (ids stay in the hover text).
    """
    df = rounded(df)
    xs = list(x_order) if x_order is not None else list(dict.fromkeys(df[x]))
    ys = list(y_order) if y_order is not None else list(dict.fromkeys(df[y]))
    lnames = label_display(df, x, x_name)
    gnames = group_display(df, y, y_name)
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
        gname = gnames.get(str(g), str(g))
        ticks.append(group_tick(gname, n_tot, is_small))
        for j, lab in enumerate(xs):
            if (g, lab) not in idx.index:
                continue
            r = idx.loc[(g, lab)]
            if isinstance(r, pd.DataFrame):
                r = r.iloc[0]
            lname = lnames.get(str(lab), str(lab))
            zmat[i, j] = r[z]
            text[i][j] = _pct(r[z])
            ns = f", {int(r[sent_count])} sentences" if sent_count and sent_count in r else ""
            hover[i][j] = (f"<b>{esc(gname, 0)}</b> × <b>{esc(lname, 0)}</b>{_id_note(lname, lab)}<br>"
                           f"{zlabel}: {_pct(r[z])} ({int(r[count])} of {n_tot} documents{ns})"
                           f"<br>{_example(r.get(example_id, ''), r.get(example_text, ''))}")
            custom[i][j] = str(r.get(example_id, "") or "")
    xt = [esc(lnames.get(str(v), str(v)), 0) for v in xs]  # one line each, rotated: never cut (automargin)
    longest = max([max(len(p) for p in t.split("<br>")) for t in xt] or [1])
    lines = max([t.count("<br>") + 1 for t in xt] or [1])
    fig = go.Figure(go.Heatmap(
        z=zmat, x=xt, y=ticks, colorscale=SEQUENTIAL, zmin=0,
        zmax=max(1e-9, float(np.nanmax(zmat))) if np.isfinite(zmat).any() else 1,
        text=text, texttemplate="%{text}", hovertext=hover, customdata=custom,
        hovertemplate="%{hovertext}<extra></extra>", colorbar=dict(title=zlabel, tickformat=".0%"),
        xgap=1, ygap=1,
    ))
    tick_lines = sum(t.count("<br>") + 1 for t in ticks)
    fig.update_layout(title=title, height=max(320, 120 + 20 * tick_lines + 14 * len(ys)
                                              + 6 * longest + 12 * lines),
                      xaxis=dict(tickangle=-40, showgrid=False, automargin=True),
                      yaxis=dict(autorange="reversed", showgrid=False, automargin=True))
    return apply_theme(fig)


def prevalence_bars(df: pd.DataFrame, x: str = "label", y: str = "doc_share",
                    lo: str = "doc_share_lo", hi: str = "doc_share_hi", color: str = "group",
                    count: str = "n_docs", total: str = "n_docs_group",
                    small: str | None = "small_group", example_id: str = "example_sent_id",
                    example_text: str = "example_text", x_order: Sequence[str] | None = None,
                    title: str = "", ylabel: str = "share of documents",
                    x_name: str | None = "label_name", color_name: str | None = "group_name",
                    ci_label: str | None = "doc_share_ci") -> go.Figure:
    """Grouped bars of a share per label and group, with interval error bars (the table's
    ``lo`` / ``hi`` columns; ``ci_label`` names the method in the hover text)."""
    df = rounded(df)
    xs = list(x_order) if x_order is not None else list(dict.fromkeys(df[x]))
    lnames = label_display(df, x, x_name)
    gnames = group_display(df, color, color_name)
    colors = color_map(df[color].astype(str))
    method = ""
    if ci_label and ci_label in df.columns and len(df):
        method = f" ({esc(df[ci_label].iloc[0], 0)})"
    xt = [esc(lnames.get(str(v), str(v)), 0) for v in xs]  # one line each, rotated: never cut (automargin)
    fig = go.Figure()
    for g, rows in df.groupby(color, sort=False):
        rows = rows.set_index(x).reindex(xs)
        n_tot = int(rows[total].dropna().iloc[0]) if rows[total].notna().any() else 0
        is_small = bool(rows[small].dropna().iloc[0]) if small and small in rows and \
            rows[small].notna().any() else False
        gname = gnames.get(str(g), str(g))
        val = rows[y].to_numpy(dtype=float)
        hover = [f"<b>{esc(gname, 0)}</b> × <b>{esc(lnames.get(str(lab), lab), 0)}</b>"
                 f"{_id_note(lnames.get(str(lab), str(lab)), lab)}<br>{ylabel}: {_pct(v)} "
                 f"[{_pct(l)}–{_pct(h)}]{method}<br>{0 if pd.isna(c) else int(c)} of {n_tot} documents"
                 f"<br>{_example(e, t)}"
                 for lab, v, l, h, c, e, t in zip(xs, val, rows[lo], rows[hi], rows[count],
                                                  _col(rows, example_id), _col(rows, example_text))]
        fig.add_trace(go.Bar(
            name=group_tick(gname, n_tot, is_small, width=0), x=xt, y=val,
            marker_color=colors[str(g)],
            error_y=dict(type="data", symmetric=False, array=rows[hi].to_numpy(dtype=float) - val,
                         arrayminus=val - rows[lo].to_numpy(dtype=float), thickness=1.2,
                         width=3),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            customdata=list(_col(rows, example_id).fillna("")),
        ))
    fig.update_layout(title=title, barmode="group", yaxis=dict(title=ylabel, tickformat=".0%"),
                      xaxis=dict(tickangle=-40, automargin=True), legend=dict(title=esc(color, 0)))
    return apply_theme(fig)


def distinctive_terms_chart(df: pd.DataFrame, group: str = "group", term: str = "term",
                            value: str = "z", count: str = "n_group", rest: str = "n_rest",
                            log_odds: str | None = "log_odds", chi2: str | None = "chi2",
                            example_id: str = "example_sent_id",
                            example_text: str = "example_text", top_n: int = 10,
                            cols: int = 3, title: str = "") -> go.Figure:
    """One panel per group: its most distinctive terms as horizontal bars of ``value``
    (panel titles: the ``group_name`` column when present, else readable group values)."""
    df = rounded(df)
    groups = list(dict.fromkeys(df[group]))
    gnames = group_display(df, group)
    n = max(1, len(groups))
    cols = max(1, min(cols, n))
    rows_n = int(np.ceil(n / cols))
    fig = make_subplots(rows=rows_n, cols=cols,
                        subplot_titles=[wrap(gnames.get(str(g), g), 36) for g in groups] or [""],
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
            hover.append(f"<b>{esc(r[term], 0)}</b> ({esc(gnames.get(str(g), g), 0)})<br>{value} = {r[value]:.2f}"
                         f"{extra}<br>{int(r[count])} uses here, {int(r[rest])} elsewhere"
                         f"<br>{_example(r.get(example_id, ''), r.get(example_text, ''))}")
        fig.add_trace(go.Bar(
            x=sub[value], y=[esc(t, 0) for t in sub[term]], orientation="h",
            name=esc(gnames.get(str(g), g), 0),
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
                       title: str = "", centroids: bool = True, max_text: int = 40,
                       color_name: str | None = "group_name") -> go.Figure:
    """Scatter of document positions coloured by group, with group centroids (diamonds).

    Point labels (document ids) are drawn for at most ``max_text`` documents and never clipped:
    the axes are padded and labels may extend past the plot area.
    """
    df = rounded(df)
    colors = color_map(df[color].astype(str))
    gnames = group_display(df, color, color_name)
    show_text = len(df) <= max_text
    fig = go.Figure()
    for g, rows in df.groupby(color, sort=True):
        gname = gnames.get(str(g), str(g))
        hover = [f"<b>{esc(d, 0)}</b> ({esc(gname, 0)})<br>{esc(t)}<br>emphasis: {esc(e)}"
                 for d, t, e in zip(rows[label], _col(rows, title_col), _col(rows, detail))]
        fig.add_trace(go.Scatter(
            x=rows[x], y=rows[y], mode="markers+text" if show_text else "markers",
            name=f"{esc(gname, 0)} (n={len(rows)})",
            text=[esc(d, 0) for d in rows[label]] if show_text else None, textposition="top center",
            textfont=dict(size=9, color="#555555"), cliponaxis=False,
            marker=dict(size=11, color=colors[str(g)], line=dict(width=0.8, color="white")),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            customdata=list(rows[label].astype(str)), legendgroup=str(g),
        ))
        if centroids and len(rows) > 1:
            fig.add_trace(go.Scatter(
                x=[rows[x].mean()], y=[rows[y].mean()], mode="markers", showlegend=False,
                marker=dict(symbol="diamond", size=16, color=colors[str(g)],
                            line=dict(width=1.5, color="#222222")), cliponaxis=False,
                hovertemplate=f"<b>{esc(gname, 0)}</b> centroid of {len(rows)} documents"
                              "<extra></extra>", legendgroup=str(g)))

    def padded(col):
        v = pd.to_numeric(df[col], errors="coerce").dropna()
        if v.empty:
            return None
        lo, hi = float(v.min()), float(v.max())
        pad = max(0.12 * (hi - lo), 0.05)
        return [round(lo - pad, 3), round(hi + pad, 3)]

    fig.update_layout(title=title, xaxis=dict(title=wrap(x_title, 110), zeroline=True,
                                              zerolinecolor="#CCCCCC", range=padded(x),
                                              automargin=True),
                      yaxis=dict(title=wrap(y_title, 70), zeroline=True, zerolinecolor="#CCCCCC",
                                 range=padded(y), automargin=True),
                      height=600, margin=dict(t=90, r=40))
    return apply_theme(fig)


def consensus_chart(df: pd.DataFrame, label: str = "label", n_groups: str = "n_groups",
                    status: str = "status", groups: str = "groups", n_docs: str = "n_docs",
                    total: str = "n_groups_total", example_id: str = "example_sent_id",
                    example_text: str = "example_text", min_groups: int | None = None,
                    title: str = "") -> go.Figure:
    """Horizontal bars: how many groups propose each label, coloured by consensus status.

    Bars are labelled with the groups' names (the first ``max_listed``, then "+ N more")."""
    from policykit.compare._frames import readable_value

    df = rounded(df)
    d = df.iloc[::-1]
    lnames = label_display(df, label)

    def listed(gs, k=6):
        names = [readable_value(g) for g in gs]
        return ", ".join(names[:k]) + (f" + {len(names) - k} more" if len(names) > k else "")

    fig = go.Figure()
    for st, colour in STATUS_COLORS.items():
        rows = d[d[status] == st]
        if rows.empty:
            continue
        hover = [f"<b>{esc(lnames.get(str(l), l), 0)}</b>{_id_note(lnames.get(str(l), str(l)), l)}: {st}"
                 f"<br>{int(n)} of {int(t)} groups, {int(nd)} documents"
                 f"<br>groups: {esc(listed(gs, 30))}<br>{_example(e, tx)}"
                 for l, n, t, nd, gs, e, tx in zip(rows[label], rows[n_groups], rows[total],
                                                   rows[n_docs], rows[groups],
                                                   _col(rows, example_id), _col(rows, example_text))]
        fig.add_trace(go.Bar(
            x=rows[n_groups], y=[esc(lnames.get(str(l), l), 0) for l in rows[label]], orientation="h",
            name=st, marker_color=colour, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            text=[esc(listed(gs), 0) for gs in rows[groups]], textposition="auto",
            insidetextanchor="start", textfont=dict(size=10),
            customdata=list(_col(rows, example_id).fillna("")),
        ))
    if min_groups:
        fig.add_vline(x=min_groups - 0.5, line_dash="dot", line_color="#555555",
                      annotation_text=f"consensus: ≥ {min_groups} groups",
                      annotation_position="top")
    fig.update_layout(title=title, barmode="overlay", xaxis=dict(title="groups proposing it",
                                                                 dtick=1),
                      yaxis=dict(categoryorder="array", automargin=True,
                                 categoryarray=[esc(lnames.get(str(l), l), 0) for l in d[label]]),
                      height=max(360, 80 + 24 * len(df)))
    return apply_theme(fig)


def sankey_chart(df: pd.DataFrame, source: str = "group", target: str = "label",
                 value: str = "n_docs", example_id: str = "example_sent_id",
                 example_text: str = "example_text", source_order: Sequence[str] | None = None,
                 target_order: Sequence[str] | None = None, unit: str = "documents",
                 title: str = "", top_targets: int | None = 10, top_sources: int | None = 12,
                 source_name: str | None = "group_name", target_name: str | None = "label_name"
                 ) -> go.Figure:
    """Flows from groups (left) to labels (right), e.g. region -> instrument.

    Only the ``top_targets`` labels with the largest total flow (and the ``top_sources``
    largest groups) get their own node; the rest are folded into one "other …" node each, whose
    hover lists what it holds, so a 22-instrument Sankey stays readable. ``None`` keeps all.
    """
    d = rounded(df[df[value] > 0])
    lnames = label_display(d, target, target_name) if len(d) else {}
    gnames = group_display(d, source, source_name) if len(d) else {}
    tot_t = d.groupby(d[target].astype(str))[value].sum()
    tot_s = d.groupby(d[source].astype(str))[value].sum()
    tgts = list(target_order) if target_order is not None else sorted(
        tot_t.index, key=lambda t: (-tot_t[t], t))
    srcs = list(source_order) if source_order is not None else sorted(tot_s.index)
    tgts = [str(t) for t in tgts if str(t) in tot_t.index]
    srcs = [str(s_) for s_ in srcs if str(s_) in tot_s.index]

    def fold(items, totals, top, what):
        if top is None or len(items) <= top:
            return items, {}, None
        ranked = sorted(items, key=lambda i: (-totals[i], items.index(i)))
        keep = set(ranked[: max(1, top - 1)])
        rest = [i for i in items if i not in keep]
        other = f"other {what} ({len(rest)})"
        return [i for i in items if i in keep] + [other], {r: other for r in rest}, other

    tgts, t_fold, t_other = fold(tgts, tot_t, top_targets, "instruments" if target == "label" else target)
    srcs, s_fold, s_other = fold(srcs, tot_s, top_sources, "groups")
    node_index = {("s", x): i for i, x in enumerate(srcs)}
    node_index.update({("t", x): len(srcs) + i for i, x in enumerate(tgts)})
    colors = color_map(srcs)
    flows: dict[tuple[int, int], dict] = {}
    for r in d.itertuples(index=False):
        r = r._asdict()
        s0, t0 = str(r[source]), str(r[target])
        s1, t1 = s_fold.get(s0, s0), t_fold.get(t0, t0)
        if ("s", s1) not in node_index or ("t", t1) not in node_index:
            continue
        k = (node_index[("s", s1)], node_index[("t", t1)])
        f = flows.setdefault(k, {"value": 0.0, "parts": [], "example": ("", ""), "src": s1})
        f["value"] += float(r[value])
        f["parts"].append(lnames.get(t0, t0) if t1 == t_other else gnames.get(s0, s0))
        if not f["example"][0] and r.get(example_id):
            f["example"] = (r.get(example_id, ""), r.get(example_text, ""))
    s_idx, t_idx, vals, hover, custom, lcol = [], [], [], [], [], []
    names = [gnames.get(x, x) for x in srcs] + [lnames.get(x, x) for x in tgts]
    for (si, ti), f in flows.items():
        s_idx.append(si)
        t_idx.append(ti)
        vals.append(f["value"])
        folded = ""
        if names[ti] == t_other or names[si] == s_other:
            folded = f"<br>includes: {esc(', '.join(dict.fromkeys(f['parts'])), 70)}"
        hover.append(f"<b>{esc(names[si], 0)}</b> → <b>{esc(names[ti], 0)}</b>: {f['value']:g} {unit}"
                     f"{folded}<br>{_example(*f['example'])}")
        custom.append(str(f["example"][0] or ""))
        c = colors[f["src"]].lstrip("#")
        lcol.append(f"rgba({int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},0.45)")
    node_tot = {}
    for si, ti, v in zip(s_idx, t_idx, vals):
        node_tot[si] = node_tot.get(si, 0) + v
        node_tot[ti] = node_tot.get(ti, 0) + v
    labels = [wrap(n, 34) for n in names]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=labels, pad=12, thickness=14,
                  color=[colors[x] for x in srcs] + ["#999999"] * len(tgts),
                  customdata=[f"{node_tot.get(i, 0):g} {unit}" for i in range(len(labels))],
                  hovertemplate="<b>%{label}</b><br>%{customdata}<extra></extra>"),
        link=dict(source=s_idx, target=t_idx, value=vals, color=lcol, customdata=hover,
                  hovertemplate="%{customdata}<extra></extra>"),
    ))
    fig.update_layout(title=title, height=max(420, 34 * max(len(srcs), len(tgts)) + 140),
                      margin=dict(l=30, r=30))
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
    from policykit.compare._frames import readable_value

    qs = list(question_order) if question_order is not None else list(dict.fromkeys(df[question]))
    qnames = question_names()
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
            hover[i][j] = (f"<b>{esc(d, 0)}</b> – {esc(qnames.get(q, q), 0)}: <b>{esc(v, 0)}</b>{gl}<br>"
                           f"{len(ids)} evidence sentences<br>{ev or '<i>no evidence</i>'}{more}")
            custom[i][j] = ids[0] if ids else ""
    ticks = [f"{esc(d, 0)}" + (f" · {esc(readable_value(gmap[d]), 0)}" if d in gmap else "")
             for d in docs]
    scale = [[0.0, STANCE_COLORS["negative"]], [0.5, STANCE_COLORS["none"]],
             [1.0, STANCE_COLORS["positive"]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[wrap(qnames.get(q, q), 24) for q in qs], y=ticks, zmin=-1, zmax=1, colorscale=scale,
        showscale=False, text=text, texttemplate="%{text}", hovertext=hover, customdata=custom,
        hovertemplate="%{hovertext}<extra></extra>", xgap=2, ygap=2,
    ))
    fig.update_layout(title=title, height=max(380, 150 + 22 * len(docs)),
                      xaxis=dict(side="top", showgrid=False, automargin=True),
                      yaxis=dict(autorange="reversed", showgrid=False, automargin=True))
    return apply_theme(fig)


def question_names() -> dict[str, str]:
    """Stance question id → its name in ``data/taxonomy/stances.yaml`` (empty if unreadable)."""
    try:
        from policykit.compare.stances import load_stance_rules

        return {k: q.name for k, q in load_stance_rules().items()}
    except Exception:  # the figure still draws with ids
        return {}


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
    from policykit.compare._frames import report_chapter_titles

    df = rounded(df)
    chapters = sorted(df[chapter].unique())
    titles = report_chapter_titles()
    tick = {c: f"{c}: {wrap(titles[str(c)], 30)}" if str(c) in titles else f"chapter {c}"
            for c in chapters}
    lnames = label_display(df, label)
    if summary is not None and len(summary):
        s = summary.set_index(summary["chapter"].astype(str))
        for c in chapters:
            if str(c) in s.index and s.loc[str(c), "n_labelled"]:
                r = s.loc[str(c)]
                tick[c] = f"{tick[c]} ({int(r['n_recovered'])}/{int(r['n_labelled'])})"
    order = (df[[facet, label]].drop_duplicates()
             .sort_values([facet, label], ascending=[False, True]))
    xs = [wrap(lnames.get(str(l), l), 26) for l in order[label]]
    fig = go.Figure()
    for st, colour in EDITOR_COLORS.items():
        rows = df[df[status] == st]
        if rows.empty:
            continue
        size = 8 + 5 * rows[n_essays].clip(lower=0)
        hover = [f"<b>{tick[c]}</b> – {esc(lnames.get(str(l), l), 0)} [{esc(l, 0)}]<br>{EDITOR_NAMES[st]}<br>"
                 f"raised by {int(n)} of {int(t)} essays" + (f", rank {int(rk)}" if pd.notna(rk)
                                                             else "")
                 + (f"<br>editors' points: {', '.join(map(str, p))}" if p else "")
                 + (f"<br>{_example(e, tx)}" if e else "")
                 for c, l, f, n, t, rk, p, e, tx in zip(
                     rows[chapter], rows[label], rows[facet], rows[n_essays], rows[total],
                     rows[rank], _col(rows, points, []), _col(rows, example_id),
                     _col(rows, example_text))]
        fig.add_trace(go.Scatter(
            x=[wrap(lnames.get(str(l), l), 26) for l in rows[label]], y=[tick[c] for c in rows[chapter]],
            mode="markers", name=EDITOR_NAMES[st],
            marker=dict(size=size, color=colour, symbol="circle-open" if st == "editors_only" else "circle",
                        line=dict(width=2, color=colour)),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            customdata=list(_col(rows, example_id).fillna("")),
        ))
    fig.update_layout(title=title,
                      xaxis=dict(categoryorder="array", categoryarray=xs, tickangle=-40,
                                 automargin=True),
                      yaxis=dict(categoryorder="array", automargin=True,
                                 categoryarray=[tick[c] for c in chapters][::-1]),
                      legend=dict(orientation="h", yanchor="top", y=-0.35), height=640)
    return apply_theme(fig)

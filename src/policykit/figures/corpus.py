"""Figures describing a corpus (DataFrame in, go.Figure out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .theme import QUALITATIVE, apply_theme


def count_bars(df: pd.DataFrame, x: str, y: str, *, hover: list[str] | None = None,
               title: str | None = None) -> go.Figure:
    """Bar chart of one count per group.

    Parameters
    ----------
    df : DataFrame
        One row per group.
    x, y : str
        Group column and count column.
    hover : list of str, optional
        Further columns shown on hover.
    title : str, optional
        Figure title.
    """
    hover = hover or []
    custom = df[hover].to_numpy() if hover else None
    tmpl = "<b>%{x}</b><br>" + f"{y}: %{{y}}"
    for i, col in enumerate(hover):
        tmpl += f"<br>{col}: %{{customdata[{i}]}}"
    fig = go.Figure(go.Bar(x=df[x].astype(str), y=df[y], marker_color=QUALITATIVE[0],
                           customdata=custom, hovertemplate=tmpl + "<extra></extra>"))
    fig.update_layout(title=title or f"{y} by {x}", xaxis_title=x, yaxis_title=y)
    return apply_theme(fig)

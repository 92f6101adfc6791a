"""One look for every policykit figure: a plotly template and colour-blind-safe palettes."""

from __future__ import annotations

from typing import Iterable

import plotly.graph_objects as go
import plotly.io as pio

#: Okabe & Ito (2008) qualitative palette, safe for the common colour-vision deficiencies.
QUALITATIVE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
               "#F0E442", "#000000", "#999999"]
#: Sequential scale (cividis: perceptually uniform and readable with colour-vision deficiencies).
SEQUENTIAL = "cividis"
#: Diverging scale for signed quantities (log-odds, z-scores), blue–orange.
DIVERGING = [[0.0, "#0072B2"], [0.5, "#F7F7F7"], [1.0, "#D55E00"]]

TEMPLATE = "policykit"
FONT = "Inter, Helvetica Neue, Arial, sans-serif"

_template = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#222222"),
        title=dict(font=dict(size=17), x=0.0, xanchor="left"),
        colorway=QUALITATIVE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(showgrid=True, gridcolor="#E5E5E5", zeroline=False, linecolor="#888888",
                   automargin=True),
        yaxis=dict(showgrid=True, gridcolor="#E5E5E5", zeroline=False, linecolor="#888888",
                   automargin=True),
        colorscale=dict(sequential=SEQUENTIAL, diverging=DIVERGING),
        hoverlabel=dict(font=dict(family=FONT, size=12), align="left"),
        legend=dict(bgcolor="rgba(255,255,255,0.8)"),
        margin=dict(l=60, r=30, t=70, b=60),
    )
)
pio.templates[TEMPLATE] = _template


def apply_theme(fig: go.Figure) -> go.Figure:
    """Apply the policykit template to ``fig`` (in place) and return it.

    Also rounds the figure's numbers to the stated precision
    (:func:`policykit.present.round_figure`: 3 decimals), so a figure never depends on float
    noise in the last bits of embeddings.
    """
    from policykit.present import round_figure

    fig.update_layout(template=TEMPLATE)
    return round_figure(fig)


def color_map(labels: Iterable[str]) -> dict[str, str]:
    """Stable colour per label: sorted labels take the qualitative palette in turn."""
    uniq = sorted({str(x) for x in labels})
    return {lab: QUALITATIVE[i % len(QUALITATIVE)] for i, lab in enumerate(uniq)}

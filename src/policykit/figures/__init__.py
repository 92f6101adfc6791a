"""Plotly figures: DataFrame in, go.Figure out (saving is separate, see :mod:`policykit.report`).

Modules: :mod:`.theme` (template ``policykit``, Okabe-Ito ``QUALITATIVE``, ``SEQUENTIAL``),
:mod:`.compare` (group comparison figures), and the other stages' figure modules
(``corpus``, ``topics``). Import a module to use its functions, e.g.
``from policykit.figures import compare as F; F.prevalence_heatmap(table)``.
"""

from policykit.figures.theme import (  # noqa: F401  (registers the template)
    DIVERGING, QUALITATIVE, SEQUENTIAL, TEMPLATE, apply_theme, color_map,
)

__all__ = ["DIVERGING", "QUALITATIVE", "SEQUENTIAL", "TEMPLATE", "apply_theme", "color_map"]

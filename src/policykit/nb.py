"""Notebook set-up: deterministic display so that nbval can validate committed outputs."""

from __future__ import annotations


def setup_notebook(seed: int | None = None) -> None:
    """Configure plotly and pandas for reproducible notebook output.

    * plotly figures render as their JSON mimetype (``plotly_mimetype``): deterministic,
      shown by JupyterLab, no random ``div`` ids or CDN script tags;
    * pandas prints wide frames without truncating columns;
    * numpy's and Python's global random generators are seeded.
    """
    import random

    import numpy as np
    import pandas as pd
    import plotly.io as pio

    from . import config
    from .figures import theme  # registers the template

    pio.renderers.default = "plotly_mimetype"
    pio.templates.default = theme.TEMPLATE
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_colwidth", 90)
    s = config.SEED if seed is None else seed
    random.seed(s)
    np.random.seed(s)

"""How numbers and lists are presented to people: one rule for every CSV, XLSX and figure.

Scores come from float32 embeddings that differ between processors by about 1e-7 (issue 11), so
what people read must not show those last bits. The rule, applied where report and command-line
tables are written (:func:`present_table`, :func:`write_csv`, :func:`write_xlsx`) and to every
figure's data (:func:`round_figure`, called by :func:`policykit.figures.theme.apply_theme`):

* model scores (columns named in :data:`SCORE_COLUMNS` or ending in ``_score``: ``role_score``,
  ``score``, ``probability``, ``weight``, ``similarity``, and the floats inside ``scores`` and
  ``evidence``) are rounded to :data:`SCORE_DECIMALS` = 2 decimal places: they come straight
  from embeddings, so they carry the noise, and 2 decimals make a flip at a rounding boundary
  ten times rarer than 3 would (1e-6 of noise moves a 2-decimal value with probability 2e-4);
* every other float shown (shares of documents and sentences, interval bounds, z, log-odds,
  chi-squared, frequencies, figure coordinates) is rounded to :data:`DECIMALS` = 3 places: these
  are ratios of counts, exact unless a label flips;
* p-values (columns named in :data:`P_COLUMNS`) keep :data:`P_SIGNIFICANT` = 3 significant digits,
  so that 1e-12 does not print as 0;
* evidence keeps what is stable and drops what is not: a model reason's ``features`` are listed
  by name in the order of their contribution, ``neighbours`` by sentence id in order of
  similarity (a contribution to a logit is a sum over 384 noisy products: 1e-6 of noise moves
  it by about 1e-4, enough to flip its second decimal now and then); cue spans stay as they are;
* list cells (authors, labels, sentence ids) are joined with :data:`LIST_SEPARATOR` ``"; "``
  (the separator sidecars use for lists); dict cells (``scores``, ``evidence``) stay JSON, with
  their floats rounded the same way.

Parquet and JSONL outputs are not presented: they keep full precision and real lists.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

#: Decimal places of every float shown in a table or figure (shares, intervals, statistics).
DECIMALS = 3
#: Decimal places of model scores (they carry the embeddings' float noise).
SCORE_DECIMALS = 2
#: Columns holding model scores (also any column whose name ends in ``_score``).
SCORE_COLUMNS = ("score", "scores", "evidence", "probability", "weight", "similarity")
#: Decimal places of figure coordinates (x, y, z, error bars, link values).
COORD_DECIMALS = 3
#: Significant digits of p-values.
P_SIGNIFICANT = 3
#: Columns holding p-values.
P_COLUMNS = ("p", "p_value", "pvalue")
#: How list cells are written in CSV and XLSX.
LIST_SEPARATOR = "; "
#: Table formats meant for people (presented) and for programs (full precision).
PRESENTED_FORMATS = ("csv", "xlsx")

#: One sentence per rule, for captions, --help and the README.
RULE = (f"model scores are rounded to {SCORE_DECIMALS} decimals, shares, intervals and other "
        f"numbers to {DECIMALS} (p-values to {P_SIGNIFICANT} significant digits); lists are joined "
        f"with '{LIST_SEPARATOR}'; dicts are JSON; Parquet and JSONL keep full precision and real lists")


def decimals_for(column) -> int:
    """Decimal places of a column: :data:`SCORE_DECIMALS` for scores, else :data:`DECIMALS`."""
    c = str(column)
    return SCORE_DECIMALS if c in SCORE_COLUMNS or c.endswith("_score") else DECIMALS


def round_number(value: float, decimals: int = DECIMALS) -> float:
    """``value`` rounded to ``decimals`` places (NaN and infinities unchanged, -0.0 becomes 0.0)."""
    v = float(value)
    if not math.isfinite(v):
        return v
    r = round(v, decimals)
    return r + 0.0  # no negative zero


def round_significant(value: float, digits: int = P_SIGNIFICANT) -> float:
    """``value`` rounded to ``digits`` significant digits."""
    v = float(value)
    if not math.isfinite(v) or v == 0:
        return v
    return float(f"{v:.{digits - 1}e}")


def _round_any(v: Any, decimals: int = DECIMALS) -> Any:
    """Round floats inside scalars, lists, tuples, arrays and dicts (strings untouched)."""
    if isinstance(v, (bool, np.bool_)) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (float, np.floating)):
        return round_number(v, decimals)
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "f":
            return np.round(v, decimals) + 0.0
        if v.dtype == object:
            return np.array([_round_any(x, decimals) for x in v.tolist()], dtype=object)
        return v
    if isinstance(v, dict):
        return {k: _round_any(x, decimals) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_round_any(x, decimals) for x in v)
    return v


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, (float, np.floating)) and math.isnan(v)


def _scalar_text(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return repr(round_number(v))
    if isinstance(v, np.generic):
        return str(v.item())
    return str(v)


def list_cell(value: Any, sep: str = LIST_SEPARATOR) -> Any:
    """A cell as people read it: lists of scalars joined with ``sep``, dicts and nested lists as
    JSON (floats rounded), other values unchanged."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        from policykit.store import to_jsonable

        return json.dumps(to_jsonable(_round_any(value)), ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        if any(isinstance(x, (dict, list, tuple, np.ndarray)) for x in value):
            from policykit.store import to_jsonable

            return json.dumps(to_jsonable(_round_any(list(value))), ensure_ascii=False)
        return sep.join(_scalar_text(x) for x in value if not _missing(x))
    return value


def rounded(df: pd.DataFrame, decimals: int | None = None) -> pd.DataFrame:
    """A copy of ``df`` with every float column (and floats inside list/dict cells) rounded:
    the numbers a figure or table shows (:func:`decimals_for` each column unless ``decimals``
    is given). p-value columns keep 3 significant digits."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        d = decimals if decimals is not None else decimals_for(c)
        if str(c) in P_COLUMNS and pd.api.types.is_float_dtype(col):
            out[c] = col.map(lambda v: v if _missing(v) else round_significant(v))
        elif pd.api.types.is_float_dtype(col):
            out[c] = col.round(d) + 0.0
        elif col.dtype == object:
            out[c] = [_round_any(v, d) for v in col]
    out.attrs = dict(df.attrs)
    return out


def present_evidence(evidence: Any) -> Any:
    """An ``evidence`` cell as people read it: model reasons' ``features`` and ``neighbours`` by
    name / sentence id only, in rank order (see the module docstring); everything else as is."""
    if isinstance(evidence, np.ndarray):
        evidence = evidence.tolist()
    if isinstance(evidence, dict):
        if "kind" in evidence:
            out = dict(evidence)
            for key in ("features", "neighbours"):
                v = out.get(key)
                if isinstance(v, np.ndarray):
                    v = v.tolist()
                if isinstance(v, (list, tuple)):
                    out[key] = [x[0] if isinstance(x, (list, tuple, np.ndarray)) and len(x) else x for x in v]
            return out
        return {k: present_evidence(v) for k, v in evidence.items()}
    if isinstance(evidence, (list, tuple)):
        return [present_evidence(v) for v in evidence]
    return evidence


def present_table(df: pd.DataFrame, sep: str = LIST_SEPARATOR) -> pd.DataFrame:
    """``df`` as it is written to CSV and XLSX: :func:`rounded`, lists joined with ``sep``,
    dicts as JSON, evidence by :func:`present_evidence`. Column names and row order are
    unchanged."""
    out = rounded(df)
    if "evidence" in out.columns:
        out["evidence"] = [present_evidence(v) for v in out["evidence"]]
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = [list_cell(v, sep) for v in out[c]]
    return out


# ----------------------------------------------------------------------------- figures
_TRACE_SKIP = {"type", "name", "text", "hovertext", "hovertemplate", "texttemplate", "legendgroup",
               "uid", "meta", "ids"}


def round_figure(fig, decimals: int = COORD_DECIMALS):
    """Round the numbers a figure carries (coordinates, z values, error bars, Sankey values,
    marker sizes, numeric custom data) to ``decimals`` places, in place; returns ``fig``.

    Strings (labels, hover text) are not touched: figure functions format them from
    :func:`rounded` tables, so they show the same rounded numbers.
    """
    for tr in fig.data:
        d = tr.to_plotly_json()
        for k, v in d.items():
            if k in _TRACE_SKIP:
                continue
            if _has_float(v):
                tr[k] = _round_any(v, decimals)
    return fig


def _has_float(v: Any) -> bool:
    """Whether a trace property holds a float somewhere (only those are rewritten)."""
    if isinstance(v, (float, np.floating)) and not isinstance(v, bool):
        return True
    if isinstance(v, np.ndarray):
        return v.dtype.kind == "f" or (v.dtype == object and any(_has_float(x) for x in v.flat))
    if isinstance(v, dict):
        return any(_has_float(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return any(_has_float(x) for x in v)
    return False


# ----------------------------------------------------------------------------- writers
def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as presented CSV (:func:`present_table`), atomically."""
    from policykit.store import write_table

    write_table(present_table(df), path, "csv")
    return Path(path)


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_names(names) -> list[str]:
    """Valid, unique Excel sheet names (at most 31 characters, no ``[]:*?/\\``)."""
    out: list[str] = []
    for n in names:
        base = _SHEET_BAD.sub("-", str(n)).strip("'") or "sheet"
        name = base[:31]
        k = 2
        while name.lower() in {o.lower() for o in out}:
            suffix = f"~{k}"
            name = base[: 31 - len(suffix)] + suffix
            k += 1
        out.append(name)
    return out


def check_xlsx() -> None:
    """Raise :class:`~policykit.errors.InputError` now (before any expensive work) when XLSX
    cannot be written because openpyxl is missing."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        from policykit.errors import InputError

        raise InputError(None, "writing .xlsx needs the openpyxl package, which is not installed",
                         "pip install openpyxl, or write CSV or Parquet instead") from None


_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EXCEL_MAX = 32767


def _excel_text(v: Any) -> Any:
    if not isinstance(v, str):
        return v
    v = _EXCEL_ILLEGAL.sub(" ", v)
    return v if len(v) <= _EXCEL_MAX else v[: _EXCEL_MAX - 1] + "…"


def write_xlsx(tables: Mapping[str, pd.DataFrame] | pd.DataFrame, path: str | Path) -> Path:
    """Write one sheet per table (presented, :func:`present_table`) to an Excel workbook,
    atomically. Control characters Excel refuses become spaces; a cell longer than Excel's
    32,767 characters is cut with an ellipsis (CSV and Parquet keep the whole text).

    Parameters
    ----------
    tables : mapping of str to DataFrame, or one DataFrame
        Sheet name → table (names are made valid and unique, see :func:`sheet_names`).
    path : str or Path
        The ``.xlsx`` file.
    """
    from policykit.store import atomic_path

    check_xlsx()
    if isinstance(tables, pd.DataFrame):
        tables = {Path(path).stem or "table": tables}
    names = sheet_names(tables)
    path = Path(path)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, (_, df) in zip(names, tables.items()):
                t = present_table(df)
                t = t.astype({c: object for c in t.columns if str(t[c].dtype) in ("Int64", "boolean")})
                t = t.where(pd.notna(t), None)
                for c in t.columns:  # Excel refuses control characters and cells over 32,767 chars
                    if not pd.api.types.is_numeric_dtype(t[c]):
                        t[c] = pd.Series([_excel_text(v) for v in t[c]], index=t.index, dtype=object)
                t.to_excel(xw, sheet_name=name, index=False)
                ws = xw.sheets[name]
                ws.freeze_panes = "A2"
                for j, c in enumerate(t.columns, start=1):
                    width = max([len(str(c))] + [len(str(v)) for v in t[c].head(200) if v is not None])
                    ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = min(60, width + 2)
    return path

"""Writing tables: atomic files, JSONL/CSV/Parquet, content-hash keys, and the Parquet + DuckDB store.

* :func:`atomic_write` / :func:`atomic_path` — write to a temporary file in the target's folder,
  then ``os.replace`` it into place; on any failure the temporary file is removed and the
  target is left as it was. A failed run never leaves a half-written table.
* :func:`write_table` / :func:`read_table` — one DataFrame to or from JSONL, CSV or Parquet.
  Lists of scalars stay lists in JSONL and Parquet; dicts and nested lists become JSON strings
  in Parquet (and are decoded again by :func:`read_table`); every list/dict is a JSON string in CSV.
* :func:`content_key` — a short hash of inputs and configuration.
* :class:`Store` — processed tables as ``data/processed/<name>-<key>.parquet`` plus a table
  ``<name>`` in the embedded DuckDB database ``data/processed/policykit.duckdb``; a call with a
  known key reuses the stored table, a new key (changed input or configuration) rebuilds it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import IO, Any, Callable, Iterator

import numpy as np
import pandas as pd

from policykit.errors import InputError, PolicykitError

FORMATS = ("jsonl", "csv", "parquet")
_SUFFIX_FORMAT = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_JSON_COLUMNS_KEY = b"policykit.json_columns"


# --------------------------------------------------------------------------- atomic writes
def _default_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    return 0o644


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place if the block succeeds.

    Use this for libraries that write to a path themselves (pyarrow, DuckDB, plotly).

    Parameters
    ----------
    path : str or Path
        The final destination (its folder is created if missing).

    Yields
    ------
    Path
        A fresh temporary file name in the same folder (so ``os.replace`` is atomic); for an
        existing device or FIFO (``/dev/null``, ``/dev/stdout``) the path itself.
    """
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        yield path  # a device or FIFO (e.g. /dev/null, /dev/stdout): write in place, never replace it
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, _default_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file for writing; on success replace ``path`` with it.

    Parameters
    ----------
    path : str or Path
        The final destination.
    mode : {"w", "wb"}
        Text or binary.
    encoding : str, optional
        Text encoding (ignored for binary mode).
    newline : str, optional
        Passed to :func:`open` in text mode.

    Yields
    ------
    file object
        Write to it; it is flushed, fsynced and renamed to ``path`` when the block ends
        without an exception, and deleted otherwise (``path`` keeps its previous content).

    Examples
    --------
    >>> with atomic_write("out.jsonl") as fh:  # doctest: +SKIP
    ...     fh.write("{}\\n")
    """
    if mode not in ("w", "wb", "x", "xb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', got {mode!r}")
    if mode.startswith("x") and Path(path).exists():
        raise FileExistsError(path)
    binary = "b" in mode
    with atomic_path(path) as tmp:
        if binary:
            fh = open(tmp, "wb")
        else:
            fh = open(tmp, "w", encoding=encoding, newline=newline)
        try:
            yield fh
            fh.flush()
            with contextlib.suppress(OSError):  # devices may not support fsync
                os.fsync(fh.fileno())
        finally:
            fh.close()


# --------------------------------------------------------------------------- JSON conversion
def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, np.floating) and np.isnan(v):
        return True
    return False


def to_jsonable(v: Any) -> Any:
    """Convert a cell value to plain JSON types (NA → None, numpy → Python, arrays → lists)."""
    if isinstance(v, (str, bool, int)) and not isinstance(v, np.generic):
        return v
    if _is_missing(v):
        return None
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, np.generic):
        return to_jsonable(v.item())
    if isinstance(v, np.ndarray):
        return [to_jsonable(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, Path):
        return str(v)
    return v


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _column_kind(values: pd.Series) -> str:
    """``scalar``, ``list`` (lists of scalars) or ``json`` (dicts, nested lists, lists mixed with scalars)."""
    has_list = has_scalar = False
    for v in values:
        if isinstance(v, dict):
            return "json"
        if isinstance(v, (list, tuple, np.ndarray)):
            items = v.tolist() if isinstance(v, np.ndarray) else v
            if any(isinstance(x, (dict, list, tuple)) for x in items):
                return "json"
            has_list = True
        elif not _is_missing(v):
            has_scalar = True
        if has_list and has_scalar:
            return "json"
    return "list" if has_list else "scalar"


def _object_columns(df: pd.DataFrame) -> dict[str, str]:
    return {c: _column_kind(df[c]) for c in df.columns if df[c].dtype == object}


def infer_format(path: str | Path | None, fmt: str | None = None) -> str:
    """The output format: ``fmt`` if given, else from ``path``'s suffix, else ``jsonl``."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(None, f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
        return fmt
    if path is None:
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix in _SUFFIX_FORMAT:
        return _SUFFIX_FORMAT[suffix]
    raise InputError(path, f"cannot tell the output format from the suffix {suffix or '(none)'!r}",
                     "name the file .jsonl, .csv or .parquet, or pass --format")


# --------------------------------------------------------------------------- writers
def _jsonl_lines(df: pd.DataFrame) -> Iterator[str]:
    cols = list(df.columns)
    columns = [df[c].tolist() for c in cols]
    for row in zip(*columns):
        yield _dumps({c: to_jsonable(v) for c, v in zip(cols, row)}) + "\n"


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c, kind in _object_columns(df).items():
        if kind != "scalar":
            out[c] = [None if _is_missing_cell(v) else _dumps(to_jsonable(v)) for v in df[c]]
    return out


def _is_missing_cell(v: Any) -> bool:
    return not isinstance(v, (list, tuple, dict, np.ndarray)) and _is_missing(v)


def _arrow_table(df: pd.DataFrame):
    import pyarrow as pa

    out = df.copy()
    json_cols = []
    for c, kind in _object_columns(df).items():
        if kind == "json":
            out[c] = [None if _is_missing_cell(v) else _dumps(to_jsonable(v)) for v in df[c]]
            json_cols.append(c)
        elif kind == "list":
            out[c] = [None if _is_missing_cell(v) else [to_jsonable(x) for x in (v.tolist() if isinstance(v, np.ndarray) else v)]
                      for v in df[c]]
    try:
        table = pa.Table.from_pandas(out, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # mixed-type object columns: store those as JSON text
        for c in out.columns:
            if out[c].dtype == object and c not in json_cols:
                try:
                    pa.array(out[c].tolist())
                except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                    out[c] = [None if _is_missing_cell(v) else _dumps(to_jsonable(v)) for v in df[c]]
                    json_cols.append(c)
        table = pa.Table.from_pandas(out, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[_JSON_COLUMNS_KEY] = json.dumps(json_cols).encode()
    return table.replace_schema_metadata(meta)


def _write(df: pd.DataFrame, fh: IO, fmt: str, binary: bool) -> None:
    if fmt == "jsonl":
        for line in _jsonl_lines(df):
            fh.write(line.encode("utf-8") if binary else line)
    elif fmt == "csv":
        text = _csv_frame(df).to_csv(index=False, lineterminator="\n")
        fh.write(text.encode("utf-8") if binary else text)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        if not binary:
            raise ValueError("parquet needs a binary stream")
        pq.write_table(_arrow_table(df), fh, compression="zstd")
    else:  # pragma: no cover - guarded by infer_format
        raise ValueError(fmt)


def write_table(df: pd.DataFrame, path: str | Path | IO, format: str | None = None) -> None:
    """Write a DataFrame as JSONL, CSV or Parquet; files are written atomically.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    path : str or Path or file object
        Destination file, or an open stream (text or binary; Parquet needs binary).
    format : {"jsonl", "csv", "parquet"}, optional
        Default: inferred from the file suffix (``jsonl`` for streams).

    Notes
    -----
    JSONL: one JSON object per row, lists and dicts as JSON values, NA as ``null``.
    CSV: lists and dicts as JSON strings, NA as an empty field.
    Parquet (zstd): lists of scalars as list columns; dicts and nested lists as JSON strings
    (their names are stored in the schema metadata, so :func:`read_table` decodes them).
    """
    if hasattr(path, "write"):
        fmt = infer_format(None, format)
        stream = path
        binary = isinstance(stream, (io.RawIOBase, io.BufferedIOBase)) or "b" in getattr(stream, "mode", "")
        if fmt == "parquet" and not binary:
            buffer = getattr(stream, "buffer", None)
            if buffer is None:
                raise ValueError("parquet needs a binary stream")
            stream.flush()
            _write(df, buffer, fmt, True)
            buffer.flush()
            return
        _write(df, stream, fmt, binary)
        return
    fmt = infer_format(path, format)
    with atomic_write(path, "wb") as fh:
        _write(df, fh, fmt, True)


def read_table(path: str | Path, format: str | None = None) -> pd.DataFrame:
    """Read a table written by :func:`write_table` (JSON columns of Parquet files decoded).

    Parquet list columns come back as Python lists (not numpy arrays).
    """
    path = Path(path)
    fmt = infer_format(path, format)
    if fmt == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return pd.DataFrame(rows)
    if fmt == "csv":
        return pd.read_csv(path)
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    json_cols = json.loads((table.schema.metadata or {}).get(_JSON_COLUMNS_KEY, b"[]"))
    list_cols = [f.name for f in table.schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
    df = table.to_pandas()
    for c in list_cols:
        df[c] = pd.Series([v.tolist() if isinstance(v, np.ndarray) else v for v in df[c]], index=df.index, dtype=object)
    for c in json_cols:
        df[c] = pd.Series([json.loads(v) if isinstance(v, str) else None for v in df[c]], index=df.index, dtype=object)
    return df


# --------------------------------------------------------------------------- content keys
def _feed(h, part: Any) -> None:
    if isinstance(part, pd.DataFrame):
        h.update(b"D")
        h.update(_dumps([str(c) for c in part.columns]).encode())
        h.update(pd.util.hash_pandas_object(part.astype(str), index=False).values.tobytes())
    elif isinstance(part, pd.Series):
        _feed(h, part.to_frame())
    elif isinstance(part, Path):
        h.update(b"P")
        if part.is_file():
            h.update(hashlib.sha256(part.read_bytes()).digest())
        else:
            h.update(str(part).encode())
    elif isinstance(part, bytes):
        h.update(b"B" + len(part).to_bytes(8, "big") + part)
    elif isinstance(part, str):
        data = part.encode()
        h.update(b"S" + len(data).to_bytes(8, "big") + data)
    else:
        data = json.dumps(to_jsonable(part), sort_keys=True, ensure_ascii=False, default=repr).encode()
        h.update(b"J" + len(data).to_bytes(8, "big") + data)


def package_versions(*dists: str) -> str:
    """``"name=version,..."`` of installed distributions (``name=none`` when missing): the part
    of a cache key that changes when a library that computes the cached values changes."""
    from importlib import metadata

    out = []
    for dist in dists:
        try:
            out.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(f"{dist}=none")
    return ",".join(out)


def content_key(*parts: Any, length: int = 16) -> str:
    """A short hex hash of inputs and configuration.

    Parameters
    ----------
    *parts
        Strings, bytes, numbers, dicts/lists (hashed as canonical JSON with sorted keys),
        DataFrames (hashed by content), or ``Path`` objects (hashed by the *file's bytes* when
        the file exists, else by the path string).
    length : int
        Number of hex characters returned.

    Returns
    -------
    str
        Equal for equal inputs; different when any part changes.
    """
    h = hashlib.sha256()
    for part in parts:
        _feed(h, part)
    return h.hexdigest()[:length]


# --------------------------------------------------------------------------- the store
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Store:
    """Processed tables as Parquet files plus an embedded DuckDB database.

    Parameters
    ----------
    root : str or Path, optional
        Folder of the Parquet files and the database (default ``config.PROCESSED_DIR``).
    database : str
        File name of the DuckDB database inside ``root``.

    Notes
    -----
    Table ``<name>`` with key ``<key>`` is stored as ``<root>/<name>-<key>.parquet`` and loaded
    into the DuckDB table ``<name>`` (the most recently stored or reused key wins). The table
    ``_policykit_catalog`` records name, key, file, row count and time of every stored table.

    Examples
    --------
    >>> store = Store()                                                     # doctest: +SKIP
    >>> key = content_key(corpus.content_hash(), {"model": "minilm"})       # doctest: +SKIP
    >>> labels = store.cached("labels", key, lambda: extract(corpus))       # doctest: +SKIP
    >>> store.query("SELECT label, count(*) FROM labels GROUP BY 1")        # doctest: +SKIP
    """

    CATALOG = "_policykit_catalog"

    def __init__(self, root: str | Path | None = None, database: str = "policykit.duckdb"):
        if root is None:
            from policykit.config import processed_dir

            root = processed_dir()
        self.root = Path(root)
        self.database = self.root / database

    # -------------------------------------------------------------- files
    def path_for(self, name: str, key: str) -> Path:
        """The Parquet file of table ``name`` with key ``key``."""
        self._check_name(name)
        return self.root / f"{name}-{key}.parquet"

    def has(self, name: str, key: str) -> bool:
        """True if table ``name`` with key ``key`` is stored."""
        return self.path_for(name, key).is_file()

    def get(self, name: str, key: str) -> pd.DataFrame | None:
        """The stored table, or None if this key was never stored."""
        path = self.path_for(name, key)
        if not path.is_file():
            return None
        df = read_table(path)
        self._register(name, key, path, len(df), refresh_only=True)
        return df

    def use(self, name: str, key: str) -> None:
        """Point the DuckDB table ``name`` at the stored key ``key`` (without reading it into pandas)."""
        import pyarrow.parquet as pq

        path = self.path_for(name, key)
        if not path.is_file():
            raise KeyError(f"{path}: table {name!r} with key {key!r} is not stored")
        self._register(name, key, path, pq.ParquetFile(path).metadata.num_rows, refresh_only=True)

    def put(self, name: str, key: str, df: pd.DataFrame) -> Path:
        """Store ``df`` as table ``name`` under ``key`` (Parquet, atomically, then DuckDB)."""
        path = self.path_for(name, key)
        write_table(df, path, "parquet")
        self._register(name, key, path, len(df))
        return path

    def cached(self, name: str, key: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """Reuse table ``name`` stored under ``key``, or build, store and return it."""
        df = self.get(name, key)
        if df is not None:
            return df
        df = build()
        self.put(name, key, df)
        return df

    def keys(self, name: str) -> list[str]:
        """Keys stored for ``name`` (newest file first)."""
        self._check_name(name)
        files = sorted(self.root.glob(f"{name}-*.parquet"), key=lambda p: p.stat().st_mtime, reverse=True)
        pat = re.compile(rf"^{re.escape(name)}-([0-9A-Za-z]+)\.parquet$")
        return [m.group(1) for p in files if (m := pat.match(p.name))]

    def prune(self, name: str, keep: str | None = None) -> list[Path]:
        """Delete stored files of ``name`` except key ``keep``; returns the deleted paths."""
        removed = []
        for key in self.keys(name):
            if key != keep:
                p = self.path_for(name, key)
                p.unlink(missing_ok=True)
                removed.append(p)
        return removed

    # -------------------------------------------------------------- DuckDB
    def connect(self, read_only: bool = False):
        """A DuckDB connection to the store's database (create the folder first)."""
        import duckdb

        self.root.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(self.database), read_only=read_only)

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL against the database and return the result as a DataFrame."""
        if not self.database.exists():
            raise PolicykitError(f"{self.database}: no database yet; store a table first")
        with self.connect(read_only=True) as con:
            return con.execute(sql, params or []).df()

    def tables(self) -> list[str]:
        """Names of the tables in the database (without the catalog)."""
        if not self.database.exists():
            return []
        with self.connect(read_only=True) as con:
            names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                               "WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        return [n for n in names if n != self.CATALOG]

    def current_key(self, name: str) -> str | None:
        """The key whose data the DuckDB table ``name`` currently holds."""
        if not self.database.exists():
            return None
        with self.connect(read_only=True) as con:
            if not self._has_catalog(con):
                return None
            row = con.execute(f"SELECT key FROM {self.CATALOG} WHERE name = ? AND current", [name]).fetchone()
        return None if row is None else row[0]

    def _has_catalog(self, con) -> bool:
        return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                                [self.CATALOG]).fetchone()[0])

    def _register(self, name: str, key: str, path: Path, n_rows: int, refresh_only: bool = False) -> None:
        import duckdb

        try:
            if refresh_only and self.current_key(name) == key:
                return
            with self.connect() as con:
                con.execute("BEGIN TRANSACTION")
                con.execute(f"CREATE TABLE IF NOT EXISTS {self.CATALOG} (name VARCHAR, key VARCHAR, path VARCHAR, "
                            "n_rows BIGINT, stored_at TIMESTAMP, current BOOLEAN)")
                con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(path)])
                con.execute(f"DELETE FROM {self.CATALOG} WHERE name = ? AND key = ?", [name, key])
                con.execute(f"UPDATE {self.CATALOG} SET current = false WHERE name = ?", [name])
                con.execute(f"INSERT INTO {self.CATALOG} VALUES (?, ?, ?, ?, current_timestamp, true)",
                            [name, key, str(path), n_rows])
                con.execute("COMMIT")
        except duckdb.IOException as exc:  # e.g. the database is open in another process
            warnings.warn(f"{self.database}: could not update the DuckDB table {name!r} ({exc}); "
                          f"the Parquet file {path} is written", RuntimeWarning, stacklevel=3)

    @staticmethod
    def _check_name(name: str) -> None:
        if not _NAME.match(name):
            raise ValueError(f"table name must be an identifier (letters, digits, _), got {name!r}")


def save_corpus(corpus, store: Store | None = None, config: Any = None) -> dict[str, Path]:
    """Store a corpus's ``documents``, ``paragraphs`` and ``sentences`` tables.

    Parameters
    ----------
    corpus : policykit.corpus.model.Corpus
    store : Store, optional
        Default: ``Store()`` (``data/processed``).
    config : any, optional
        Extra configuration folded into the key (besides ``corpus.content_hash()``).

    Returns
    -------
    dict
        Table name → Parquet path.
    """
    store = store or Store()
    key = content_key(corpus.content_hash(), config)
    out = {}
    for name in ("documents", "paragraphs", "sentences"):
        path = store.path_for(name, key)
        if path.is_file():
            store.use(name, key)
        else:
            store.put(name, key, getattr(corpus, name))
        out[name] = path
    return out


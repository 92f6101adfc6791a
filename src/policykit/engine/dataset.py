"""The stored extraction: a Parquet dataset of per-document results, keyed by content and model.

Layout under ``<root>`` (default ``config.processed_dir()/extraction``)::

    <model_version>/sentences/part-<id>.parquet   one row per sentence: doc_key, row, the
                                                  sentence columns and the label columns
    <model_version>/documents/part-<id>.parquet   one row per document of that part: doc_key,
                                                  doc_id, n_paragraphs, n_sentences, n_words

A *document key* (:func:`doc_key`) hashes the document id, its text and the segmentation code
and rules; the *model version* (:func:`policykit.engine.tiers.model_version`) hashes everything
that decides a label. A document is stored once its ``documents`` part exists (that file is
written after the ``sentences`` part, both atomically), so an interrupted run leaves nothing
half-visible and the next run redoes only the unfinished part. Parts are written by one
process each (the single-process engine or a Dask worker) and never modified.

Document metadata (title, region, year, …) is *not* stored with the labels: it is joined from
the current documents table when the wide table is read (:meth:`ExtractionDataset.read`), so a
corrected metadata sidecar needs no re-extraction.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ..store import _JSON_COLUMNS_KEY, _dumps, atomic_path

#: Columns of a stored sentence row (the wide table's sentence and label columns, without
#: document metadata), in order.
SENTENCE_COLUMNS = ["sent_id", "doc_id", "para_idx", "sent_idx", "section", "start", "end", "text", "n_words"]
LABEL_COLUMNS = ["role", "role_score", "risk_domains", "risk_subdomains", "instruments", "addressees",
                 "scores", "evidence"]
LIST_COLUMNS = ("risk_domains", "risk_subdomains", "instruments", "addressees")
JSON_COLUMNS = ("scores", "evidence")
STORED_COLUMNS = ["doc_key", "row"] + SENTENCE_COLUMNS + LABEL_COLUMNS
DOC_STAT_COLUMNS = ["doc_key", "doc_id", "n_paragraphs", "n_sentences", "n_words"]
#: Document metadata columns the corpus puts on every sentence row (corpus.model.META_COLUMNS).
META_COLUMNS = ["title", "chapter", "region", "sector", "year", "doc_type"]


def _schemas():
    import pyarrow as pa

    strs = pa.list_(pa.string())
    sent = pa.schema([
        ("doc_key", pa.string()), ("row", pa.int32()), ("sent_id", pa.string()), ("doc_id", pa.string()),
        ("para_idx", pa.int64()), ("sent_idx", pa.int64()), ("section", pa.string()), ("start", pa.int64()),
        ("end", pa.int64()), ("text", pa.string()), ("n_words", pa.int64()), ("role", pa.string()),
        ("role_score", pa.float64()), ("risk_domains", strs), ("risk_subdomains", strs), ("instruments", strs),
        ("addressees", strs), ("scores", pa.string()), ("evidence", pa.string())],
        metadata={_JSON_COLUMNS_KEY: json.dumps(list(JSON_COLUMNS)).encode()})
    docs = pa.schema([("doc_key", pa.string()), ("doc_id", pa.string()), ("n_paragraphs", pa.int64()),
                      ("n_sentences", pa.int64()), ("n_words", pa.int64())])
    return sent, docs


# ----------------------------------------------------------------------------- keys
_SEG_VERSION: list[str] = []


def segmentation_version() -> str:
    """Hash of the code and rules that turn a text into sentences (corpus building)."""
    if not _SEG_VERSION:
        from ..store import content_key
        try:
            from ..corpus.load import _code_parts
            parts = _code_parts()
        except ImportError:  # pragma: no cover - corpus package reshaped
            from ..corpus import build, segment
            parts = [Path(build.__file__), Path(segment.__file__)]
        _SEG_VERSION.append(content_key(*parts))
    return _SEG_VERSION[0]


def doc_key(doc_id: str, text: str) -> str:
    """Key of one document's extraction input: its id, its text and the segmentation version."""
    h = hashlib.sha256()
    for part in (str(doc_id), segmentation_version()):
        b = part.encode("utf-8")
        h.update(len(b).to_bytes(8, "big") + b)
    h.update(str(text).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


def part_id(keys: Sequence[str]) -> str:
    """Name of the part holding documents ``keys`` (hash of the keys, order included)."""
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:20]


# ----------------------------------------------------------------------------- conversion
def _str_list(v) -> list[str]:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return []
    return [str(x) for x in (v.tolist() if isinstance(v, np.ndarray) else v)]


def to_arrow(wide: pd.DataFrame, keys: dict[str, str]):
    """The stored sentence table of a wide extraction (``keys``: doc_id → doc_key)."""
    import pyarrow as pa

    from ..store import to_jsonable

    schema, _ = _schemas()
    n = len(wide)
    doc_ids = wide["doc_id"].astype(str).tolist() if n else []
    rows = np.zeros(n, np.int32)
    if n:
        rows = wide.groupby("doc_id", sort=False).cumcount().to_numpy(np.int32)
    cols = {
        "doc_key": [keys[d] for d in doc_ids], "row": rows,
        "sent_id": wide["sent_id"].astype(str).tolist() if n else [], "doc_id": doc_ids,
    }
    for c in ("para_idx", "sent_idx", "start", "end", "n_words"):
        cols[c] = wide[c].astype("int64").to_numpy() if n else np.zeros(0, np.int64)
    for c in ("section", "text", "role"):
        cols[c] = wide[c].astype(str).tolist() if n else []
    cols["role_score"] = wide["role_score"].astype(float).to_numpy() if n else np.zeros(0)
    for c in LIST_COLUMNS:
        cols[c] = [_str_list(v) for v in wide[c]] if n else []
    for c in JSON_COLUMNS:
        cols[c] = [_json_text(v, to_jsonable) for v in wide[c]] if n else []
    return pa.table([pa.array(cols[f.name], type=f.type) for f in schema], schema=schema)


def _json_text(v, to_jsonable) -> str:
    """``store._dumps(to_jsonable(v))`` without walking plain-JSON values in Python (the same text:
    values json cannot take as they are, numpy scalars or NaN, go through ``to_jsonable``)."""
    try:
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return _dumps(to_jsonable(v))


def _write_arrow(table, path: Path) -> None:
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


# ----------------------------------------------------------------------------- the dataset
class ExtractionDataset:
    """Stored per-document extraction results of one model version.

    Parameters
    ----------
    version : str
        The model version (:func:`policykit.engine.tiers.model_version`).
    root : path, optional
        Folder of all versions (default ``config.processed_dir()/extraction``).
    """

    def __init__(self, version: str, root: str | Path | None = None):
        if root is None:
            from ..config import processed_dir
            root = processed_dir() / "extraction"
        self.root = Path(root)
        self.version = version
        self.dir = self.root / version
        self.sentences_dir = self.dir / "sentences"
        self.documents_dir = self.dir / "documents"
        self._index: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"ExtractionDataset({self.dir}, {len(self.index())} documents)"

    # -------------------------------------------------------------- index
    def index(self, refresh: bool = False) -> dict[str, str]:
        """``doc_key`` → part id of every stored document."""
        if self._index is None or refresh:
            import pyarrow.parquet as pq

            idx: dict[str, str] = {}
            if self.documents_dir.is_dir():
                for p in sorted(self.documents_dir.glob("part-*.parquet")):
                    pid = p.stem[len("part-"):]
                    if not (self.sentences_dir / p.name).is_file():
                        continue
                    for k in pq.read_table(p, columns=["doc_key"]).column("doc_key").to_pylist():
                        idx.setdefault(k, pid)
            self._index = idx
        return self._index

    def has(self, key: str) -> bool:
        return key in self.index()

    def missing(self, keys: Iterable[str]) -> list[str]:
        """Keys not stored yet (input order, duplicates dropped)."""
        idx = self.index()
        return [k for k in dict.fromkeys(keys) if k not in idx]

    # -------------------------------------------------------------- writing
    def write_part(self, wide: pd.DataFrame, doc_stats: pd.DataFrame, keys: dict[str, str]) -> str:
        """Store the extraction of some documents (``doc_stats``: one row per document with
        ``doc_id, n_paragraphs, n_sentences, n_words``; ``keys``: doc_id → doc_key).

        Returns the part id. Sentences are written first, then the documents part that makes
        them visible; both atomically.
        """
        import pyarrow as pa

        _, dschema = _schemas()
        order = [keys[str(d)] for d in doc_stats["doc_id"]]
        pid = part_id(order)
        table = to_arrow(wide, keys)
        _write_arrow(table, self.sentences_dir / f"part-{pid}.parquet")
        docs = pa.table({"doc_key": order, "doc_id": doc_stats["doc_id"].astype(str).tolist(),
                         "n_paragraphs": doc_stats["n_paragraphs"].astype("int64").to_numpy(),
                         "n_sentences": doc_stats["n_sentences"].astype("int64").to_numpy(),
                         "n_words": doc_stats["n_words"].astype("int64").to_numpy()}, schema=dschema)
        _write_arrow(docs, self.documents_dir / f"part-{pid}.parquet")
        if self._index is not None:
            for k in order:
                self._index.setdefault(k, pid)
        return pid

    # -------------------------------------------------------------- reading
    def doc_stats(self, keys: Sequence[str]) -> pd.DataFrame:
        """``doc_key, doc_id, n_paragraphs, n_sentences, n_words`` of stored documents ``keys``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        idx = self.index()
        parts = sorted({idx[k] for k in keys if k in idx})
        want = set(keys)
        tables = [pq.read_table(self.documents_dir / f"part-{p}.parquet") for p in parts]
        if not tables:
            return pd.DataFrame(columns=DOC_STAT_COLUMNS)
        df = pa.concat_tables(tables).to_pandas()
        df = df[df["doc_key"].isin(want)].drop_duplicates("doc_key")
        return df.reset_index(drop=True)

    def read_stored(self, keys: Sequence[str], columns: Sequence[str] | None = None,
                    decode: bool = True) -> pd.DataFrame:
        """Stored sentence rows of documents ``keys``, in the order of ``keys`` then ``row``.

        Parameters
        ----------
        keys : sequence of str
            Document keys; unknown keys raise ``KeyError``.
        columns : sequence of str, optional
            Stored columns to read (``doc_key`` and ``row`` are always read).
        decode : bool
            Decode the JSON columns (``scores``, ``evidence``) into dicts.
        """
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        idx = self.index()
        missing = [k for k in keys if k not in idx]
        if missing:
            raise KeyError(f"{len(missing)} document(s) not stored in {self.dir} (first: {missing[0]})")
        cols = None
        if columns is not None:
            cols = ["doc_key", "row"] + [c for c in columns if c not in ("doc_key", "row")]
        by_part: dict[str, list[str]] = {}
        for k in dict.fromkeys(keys):
            by_part.setdefault(idx[k], []).append(k)
        tables = []
        for pid, ks in by_part.items():
            t = pq.read_table(self.sentences_dir / f"part-{pid}.parquet", columns=cols)
            mask = pc.is_in(t.column("doc_key"), value_set=pa.array(ks, pa.string()))
            tables.append(t.filter(mask))
        if not tables:
            schema, _ = _schemas()
            t = schema.empty_table() if cols is None else schema.empty_table().select(cols)
        else:
            t = pa.concat_tables(tables)
        df = t.to_pandas()
        pos = {k: i for i, k in enumerate(dict.fromkeys(keys))}
        df["_pos"] = df["doc_key"].map(pos)
        df = df.sort_values(["_pos", "row"], kind="stable").drop(columns="_pos").reset_index(drop=True)
        for c in LIST_COLUMNS:
            if c in df.columns:
                df[c] = pd.Series([v.tolist() if isinstance(v, np.ndarray) else ([] if v is None else list(v))
                                   for v in df[c]], index=df.index, dtype=object)
        if decode:
            for c in JSON_COLUMNS:
                if c in df.columns:
                    df[c] = pd.Series([json.loads(v) if isinstance(v, str) else None for v in df[c]],
                                      index=df.index, dtype=object)
        return df

    def read(self, documents: pd.DataFrame, columns: Sequence[str] | None = None,
             decode: bool = True) -> pd.DataFrame:
        """The wide extraction table of the corpus described by ``documents``.

        Parameters
        ----------
        documents : pandas.DataFrame
            One row per document in corpus order with ``doc_key``, ``doc_id`` and the metadata
            columns (what :class:`~policykit.engine.run.ExtractionRun` keeps).
        columns : sequence of str, optional
            Wide-table columns wanted (default all); e.g. leave out ``evidence`` to save memory.
        decode : bool
            Decode ``scores`` and ``evidence`` from JSON.

        Returns
        -------
        pandas.DataFrame
            The columns of :func:`policykit.extract.extract`: sentence columns, document
            metadata, label columns, in corpus order.
        """
        want = list(columns) if columns is not None else None
        stored = [c for c in SENTENCE_COLUMNS + LABEL_COLUMNS if want is None or c in want or c == "doc_id"]
        df = self.read_stored(documents["doc_key"].tolist(), stored, decode=decode)
        meta_cols = [c for c in META_COLUMNS if c in documents.columns]
        meta = documents[["doc_key"] + meta_cols]
        df = df.merge(meta, on="doc_key", how="left", validate="many_to_one", sort=False)
        order = SENTENCE_COLUMNS + meta_cols + LABEL_COLUMNS
        out = df[[c for c in order if c in df.columns and (want is None or c in want or c == "doc_id")]]
        return out.reset_index(drop=True)

    # -------------------------------------------------------------- DuckDB
    def register(self, documents: pd.DataFrame, store=None) -> Path | None:
        """Make the dataset queryable from ``policykit.duckdb``.

        Creates the view ``extraction_labels`` over every stored sentence of this model version,
        the table ``extraction_documents`` (the last run's documents: position, ``doc_key``,
        part and metadata) and the view ``extraction`` (the last run's corpus: labels joined
        with its documents, in corpus order; list columns as lists, ``scores`` and
        ``evidence`` as JSON text). Returns the database path, or None if it is locked.
        """
        import warnings

        import duckdb

        from ..store import Store, _arrow_table

        store = store or Store()
        idx = self.index()
        docs = documents.copy()
        docs.insert(0, "position", np.arange(len(docs), dtype=np.int64))
        docs["part"] = [idx.get(k) for k in docs["doc_key"]]
        glob = str(self.sentences_dir / "part-*.parquet")
        try:
            with store.connect() as con:
                con.execute("BEGIN TRANSACTION")
                con.execute("CREATE OR REPLACE VIEW extraction_labels AS SELECT * EXCLUDE (filename), "
                            "regexp_extract(filename, 'part-([0-9a-f]+)[.]parquet', 1) AS part "
                            f"FROM read_parquet('{glob}', filename = true)")
                con.register("_pk_docs", _arrow_table(docs))
                con.execute("CREATE OR REPLACE TABLE extraction_documents AS SELECT * FROM _pk_docs")
                con.unregister("_pk_docs")
                meta = [c for c in docs.columns if c not in ("doc_key", "doc_id", "part", "position",
                                                             "n_sentences", "n_words", "n_paragraphs")]
                sel = "".join(f', d."{c}"' for c in meta)
                con.execute("CREATE OR REPLACE VIEW extraction AS SELECT l.* EXCLUDE (doc_key, row, part)"
                            f"{sel} FROM extraction_labels l JOIN extraction_documents d "
                            "ON l.doc_key = d.doc_key AND l.part = d.part ORDER BY d.position, l.row")
                con.execute("COMMIT")
        except duckdb.IOException as exc:  # the database is open in another process
            warnings.warn(f"{store.database}: could not register the extraction views ({exc})",
                          RuntimeWarning, stacklevel=2)
            return None
        return store.database

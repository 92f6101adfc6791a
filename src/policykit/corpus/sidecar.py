"""Optional metadata sidecars: a CSV or YAML table of document metadata.

A sidecar has one row per document. Rows are matched to input files by

* a ``file`` (or ``path``) column: a path relative to the sidecar's folder, or a bare file name;
* otherwise ``doc_id``: the default doc_id of a file (its stem) or of a collection document
  (``agora-<id>``, a governance-text slug).

When a row has both ``file`` and ``doc_id``, ``doc_id`` renames the document. Known columns are
``doc_id``, ``title``, ``region``, ``sector``, ``year`` (integer, or a date whose year is taken),
``chapter`` (integer), ``type``/``doc_type``, and the list columns ``authors``,
``authors_native``, ``affiliations``, ``tags`` (``;``-separated in CSV, lists in YAML). Any
other column is kept as document metadata; a column's values share one type (int, float, bool
or str). Column names are normalised to lower snake case.

Accepted layouts: CSV/TSV with a header row (delimiter sniffed among ``,``, ``;``, tab), and
YAML/JSON as a list of mappings, a mapping ``{documents: [...]}``, or a mapping
``doc_id → {field: value}``.

Mistakes that would otherwise give a silently wrong comparison are reported: a column whose
name is close to a known column that the sidecar lacks (``regoin``, ``Regions`` for ``region``)
raises a :class:`SidecarColumnWarning` with "did you mean" (the column is kept under its own
name, so ``--by region`` then finds no values and ``policykit report`` stops with an error that
names it); rows that match no document are listed with the nearest document ids and file names
(:func:`unmatched_note`).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from policykit.errors import InputError

#: Sidecar suffixes accepted.
SIDECAR_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".yaml": "yaml", ".yml": "yaml", ".json": "yaml"}
#: Columns whose values are lists (``;``-separated in CSV).
LIST_COLUMNS = ("authors", "authors_native", "affiliations", "tags")
#: Integer columns.
INT_COLUMNS = ("year", "chapter")
#: Columns a sidecar may not set: they are computed, or would clobber unit-table columns.
RESERVED_COLUMNS = frozenset({
    "source_path", "sha256", "encoding", "n_paragraphs", "n_sentences", "n_words",
    "para_id", "sent_id", "para_idx", "sent_idx", "section", "start", "end", "text",
})
_ALIASES = {"type": "doc_type", "path": "file", "filename": "file", "file_name": "file"}
#: Columns with a meaning of their own (matched, typed or used by the comparisons).
KNOWN_COLUMNS = ("doc_id", "file", "title", "region", "sector", "year", "chapter", "doc_type",
                 *LIST_COLUMNS)
#: How close (difflib ratio) a column name must be to a known one to be reported as a likely typo.
CLOSE_CUTOFF = 0.75


class SidecarColumnWarning(UserWarning):
    """A sidecar column looks like a misspelt known column (e.g. ``regoin`` for ``region``)."""


def close_known_column(col: str, present=()) -> str | None:
    """The known column ``col`` is probably a misspelling of, or None.

    Parameters
    ----------
    col : str
        A normalised column name that is not itself known.
    present : iterable of str
        Columns the sidecar has: a known column it already has is not suggested.
    """
    if col in KNOWN_COLUMNS or col in _ALIASES:
        return None
    cands = [k for k in KNOWN_COLUMNS if k not in set(present)]
    hit = difflib.get_close_matches(col, cands, n=1, cutoff=CLOSE_CUTOFF)
    if not hit and col.endswith("s"):
        hit = [c for c in cands if c == col[:-1]]
    return hit[0] if hit else None
_FIX_FORMAT = ("a sidecar is a CSV with a header row (doc_id or file, title, region, year, type, ...) "
               "or a YAML list of mappings with those keys")


def _looked_for(path: Path) -> str:
    if path.is_absolute():
        return ""
    try:
        return f" (looked for {Path.cwd() / path}; relative paths are relative to the current folder)"
    except OSError:
        return ""


def _norm_col(name: str) -> str:
    col = re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")
    return col


@dataclass
class SidecarRow:
    """One sidecar row: how to match it, and the metadata it sets."""

    line: int
    doc_id: str | None
    file: str | None
    metadata: dict = field(default_factory=dict)
    matched: bool = False


@dataclass
class Sidecar:
    """A parsed metadata sidecar.

    Attributes
    ----------
    path : Path
        The sidecar file.
    rows : list of SidecarRow
        Its rows, in file order.
    columns : list of str
        Normalised metadata column names (without ``doc_id``/``file``).
    suspicious : dict
        Column → the known column it is probably a misspelling of (reported when read).
    """

    path: Path
    rows: list[SidecarRow]
    columns: list[str]
    suspicious: dict = field(default_factory=dict)

    def match(self, file_path: str | Path | None, doc_id: str) -> SidecarRow | None:
        """The row for a document, or None.

        Parameters
        ----------
        file_path : str or Path or None
            The document's file (None for documents without their own file).
        doc_id : str
            The document's default id.
        """
        if file_path is not None:
            fp = Path(file_path)
            try:
                resolved = fp.resolve()
            except OSError:
                resolved = fp
            by_name = None
            for row in self.rows:
                if row.file is None:
                    continue
                cand = Path(row.file)
                if not cand.is_absolute():
                    cand = self.path.parent / cand
                try:
                    if cand.resolve() == resolved:
                        return row
                except OSError:
                    pass
                if by_name is None and "/" not in row.file and "\\" not in row.file and row.file == fp.name:
                    by_name = row
            if by_name is not None:
                return by_name
        for row in self.rows:
            if row.file is None and row.doc_id == doc_id:
                return row
        return None

    def unmatched(self) -> list[SidecarRow]:
        """Rows that matched no document (after :meth:`match` was marked via ``row.matched``)."""
        return [r for r in self.rows if not r.matched]


# --------------------------------------------------------------------------- value coercion
def _coerce_year(value, path, line, col):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InputError(path, f"column {col!r} must be a year, got {value!r}", "write a four-digit year such as 2023", line)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    s = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:\.0+|[-/]\d{1,2}(?:[-/]\d{1,2})?(?:[T ].*)?)?", s)
    if m is None:
        raise InputError(path, f"column {col!r} must be a year, got {value!r}",
                         "write a four-digit year such as 2023 (or leave it empty)", line)
    return int(m.group(1))


def _coerce_int(value, path, line, col):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InputError(path, f"column {col!r} must be an integer, got {value!r}", "write a whole number", line)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = str(value).strip()
    if re.fullmatch(r"[+-]?\d+(?:\.0+)?", s):
        return int(float(s))
    raise InputError(path, f"column {col!r} must be an integer, got {value!r}", "write a whole number (or leave it empty)", line)


def _coerce_list(value, path, line, col):
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            if isinstance(v, (dict, list, tuple)):
                raise InputError(path, f"column {col!r} must be a list of names, got a nested {type(v).__name__}",
                                 "give a flat list of strings", line)
            if v is not None and str(v).strip():
                out.append(str(v).strip())
        return out
    return [str(value).strip()]


def _coerce_scalar(value, path, line, col):
    if isinstance(value, (dict, list, tuple, set)):
        raise InputError(path, f"column {col!r} has an unsupported value type {type(value).__name__} ({value!r})",
                         "sidecar values must be text, numbers, booleans or dates "
                         "(lists only in authors/authors_native/affiliations/tags)", line)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _unify_column(rows: list[SidecarRow], col: str) -> None:
    """Give every value of an extra column one type (int, float, bool or str)."""
    vals = [r.metadata[col] for r in rows if r.metadata.get(col) is not None]
    if not vals:
        return
    types = {type(v) for v in vals}
    if types <= {int} or types <= {bool} or types <= {str}:
        return
    if types <= {int, float}:
        for r in rows:
            if r.metadata.get(col) is not None:
                r.metadata[col] = float(r.metadata[col])
        return
    for r in rows:
        if r.metadata.get(col) is not None:
            r.metadata[col] = str(r.metadata[col])


# --------------------------------------------------------------------------- parsing
def _read_text(path: Path) -> str:
    from policykit.corpus.readers import decode_bytes

    if not path.exists():
        raise InputError(path, "metadata sidecar not found" + _looked_for(path),
                         "check the --metadata path, or omit it")
    if path.is_dir():
        raise InputError(path, "metadata sidecar is a folder, not a file", "pass the CSV or YAML file itself")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"metadata sidecar cannot be read ({exc.strerror or exc})", "check its permissions") from exc
    if not data.strip():
        raise InputError(path, "metadata sidecar is empty", _FIX_FORMAT)
    text, _ = decode_bytes(data, path)
    return text


def _records_from_csv(path: Path, text: str) -> list[tuple[int, dict]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    if delimiter == ",":
        header = text.split("\n", 1)[0]
        if header.count(";") > header.count(",") and header.count(";") > 0:
            delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, "metadata sidecar has no header row", _FIX_FORMAT) from None
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV header ({exc})", _FIX_FORMAT, 1) from exc
    header = [h.strip() for h in header]
    if not any(header):
        raise InputError(path, "metadata sidecar has an empty header row", _FIX_FORMAT, 1)
    if any(not h for h in header):
        pos = [i + 1 for i, h in enumerate(header) if not h]
        raise InputError(path, f"header has empty column name(s) at position(s) {pos}", "name every column", 1)
    records = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(path, f"malformed CSV ({exc})",
                             "check the quoting near this line: a field with a comma or line break must be in double quotes, "
                             "and quotes inside it doubled (\"\")", reader.line_num) from exc
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(path, f"row has {len(row)} fields but the header has {len(header)}",
                             "quote fields that contain the delimiter, and give every row the same number of columns", line)
        records.append((line, dict(zip(header, row))))
    return records


def _records_from_yaml(path: Path, text: str) -> list[tuple[int, dict]]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, f"malformed YAML ({problem})", "fix the YAML syntax (indentation, quotes, brackets)",
                         None if mark is None else mark.line + 1) from exc
    if data is None:
        raise InputError(path, "metadata sidecar is empty", _FIX_FORMAT)
    records: list[tuple[int, dict]] = []
    if isinstance(data, dict) and "documents" in data and isinstance(data["documents"], list):
        key_nodes = {k.value: v for k, v in node.value}
        data, node = data["documents"], key_nodes["documents"]
    if isinstance(data, list):
        for i, item in enumerate(data):
            line = node.value[i].start_mark.line + 1
            if not isinstance(item, dict):
                raise InputError(path, f"entry {i + 1} is a {type(item).__name__}, not a mapping", _FIX_FORMAT, line)
            records.append((line, item))
    elif isinstance(data, dict):
        for (knode, vnode), (key, item) in zip(node.value, data.items()):
            line = knode.start_mark.line + 1
            if not isinstance(item, dict):
                raise InputError(path, f"entry {key!r} is a {type(item).__name__}, not a mapping of fields",
                                 "write `doc_id: {title: ..., year: ...}` or a list of mappings", line)
            rec = dict(item)
            if "doc_id" in rec and str(rec["doc_id"]) != str(key):
                raise InputError(path, f"entry {key!r} also sets doc_id {rec['doc_id']!r}",
                                 "use one doc_id: the mapping key", line)
            rec["doc_id"] = key
            records.append((line, rec))
    else:
        raise InputError(path, f"metadata sidecar is a YAML {type(data).__name__}, not a table", _FIX_FORMAT)
    return records


def read_sidecar(path: str | Path) -> Sidecar:
    """Read and validate a metadata sidecar.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv`` or ``.yaml``/``.yml``/``.json`` file.

    Returns
    -------
    Sidecar

    Raises
    ------
    InputError
        If the file is missing, empty or malformed; has no ``doc_id``/``file`` column; uses a
        reserved column; has a value of the wrong type; or repeats a doc_id or file.
    """
    path = Path(path).expanduser()
    kind = SIDECAR_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        if not path.exists():
            raise InputError(path, "metadata sidecar not found" + _looked_for(path),
                             "check the --metadata path, or omit it")
        raise InputError(path, f"unsupported sidecar type {path.suffix or '(no suffix)'!r}",
                         "use a .csv, .tsv, .yaml, .yml or .json file")
    text = _read_text(path)
    records = _records_from_csv(path, text) if kind == "csv" else _records_from_yaml(path, text)
    if not records:
        raise InputError(path, "metadata sidecar has a header but no rows", "add one row per document, or omit --metadata")

    rows: list[SidecarRow] = []
    columns: list[str] = []
    for line, rec in records:
        norm: dict = {}
        for key, value in rec.items():
            col = _norm_col(key)
            col = _ALIASES.get(col, col)
            if not col:
                raise InputError(path, f"column name {key!r} is empty after normalisation", "give the column a name", line)
            if col in norm:
                raise InputError(path, f"column {col!r} is given twice (e.g. both `type` and `doc_type`)",
                                 "keep one of them", line)
            if col in RESERVED_COLUMNS:
                raise InputError(path, f"column {key!r} is reserved (policykit computes it)",
                                 f"rename or drop the column; reserved: {', '.join(sorted(RESERVED_COLUMNS))}", line)
            norm[col] = value
        if "doc_id" not in norm and "file" not in norm:
            raise InputError(path, "the sidecar has neither a `doc_id` nor a `file` column",
                             "add a doc_id column (the file name without extension) or a file column (path or file name)", line)
        doc_id = norm.pop("doc_id", None)
        file = norm.pop("file", None)
        doc_id = None if doc_id is None or not str(doc_id).strip() else str(doc_id).strip()
        file = None if file is None or not str(file).strip() else str(file).strip()
        if doc_id is None and file is None:
            raise InputError(path, "row has neither a doc_id nor a file", "fill in doc_id (or file) for every row", line)
        if doc_id is not None and re.search(r"\s", doc_id):
            raise InputError(path, f"doc_id {doc_id!r} contains whitespace", "use ids without spaces, e.g. us-eo-14110", line)
        meta: dict = {}
        for col, value in norm.items():
            if col in INT_COLUMNS:
                meta[col] = (_coerce_year if col == "year" else _coerce_int)(value, path, line, col)
            elif col in LIST_COLUMNS:
                meta[col] = _coerce_list(value, path, line, col)
            else:
                meta[col] = _coerce_scalar(value, path, line, col)
            if col not in columns:
                columns.append(col)
        rows.append(SidecarRow(line, doc_id, file, meta))

    for col in columns:
        if col not in INT_COLUMNS and col not in LIST_COLUMNS:
            _unify_column(rows, col)

    seen_id: dict[str, int] = {}
    seen_file: dict[str, int] = {}
    for row in rows:
        if row.doc_id is not None:
            if row.doc_id in seen_id:
                raise InputError(path, f"duplicate doc_id {row.doc_id!r} (also on line {seen_id[row.doc_id]})",
                                 "give every document one row with a unique doc_id", row.line)
            seen_id[row.doc_id] = row.line
        if row.file is not None:
            if row.file in seen_file:
                raise InputError(path, f"file {row.file!r} is listed twice (also on line {seen_file[row.file]})",
                                 "give every file one row", row.line)
            seen_file[row.file] = row.line
    present = set(columns) | {"doc_id" if any(r.doc_id for r in rows) else "",
                              "file" if any(r.file for r in rows) else ""}
    suspicious = {c: k for c in columns if (k := close_known_column(c, present))}
    raw_names = {}
    for _, rec in records[:1]:
        raw_names = {_ALIASES.get(_norm_col(k), _norm_col(k)): str(k) for k in rec}
    for col, known in suspicious.items():
        warnings.warn(
            f"{path}: column {raw_names.get(col, col)!r} is not a known metadata column; did you mean "
            f"{known!r}? It is kept as a column named {col!r}, so comparisons by {known} will find "
            f"no values (fix: rename the header to {known}, or give the column a name that is not "
            "close to a known one)", SidecarColumnWarning, stacklevel=2)
    return Sidecar(path, rows, columns, suspicious)


def unmatched_note(sidecar: Sidecar, sources, limit: int = 10) -> str | None:
    """A note listing the sidecar rows that matched no document, each with the nearest
    document ids or file names, or None when every row matched.

    Parameters
    ----------
    sidecar : Sidecar
        After matching (rows carry ``matched``).
    sources : iterable
        The documents' sources (objects with ``path`` and ``doc_id``).
    """
    rows = sidecar.unmatched()
    if not rows:
        return None
    sources = list(sources)
    ids = sorted({str(s.doc_id) for s in sources})
    names = sorted({Path(s.path).name for s in sources if getattr(s, "path", None) is not None})
    parts = []
    for r in rows[:limit]:
        key = r.file if r.file is not None else r.doc_id
        pool = names if r.file is not None else ids
        near = difflib.get_close_matches(str(key), pool, n=3, cutoff=0.5)
        if not near and r.file is not None:
            near = difflib.get_close_matches(Path(str(key)).stem, ids, n=3, cutoff=0.5)
        what = "file" if r.file is not None else "doc_id"
        hint = f" (nearest: {', '.join(near)})" if near else ""
        parts.append(f"line {r.line}: {what} {key!r}{hint}")
    more = f"; and {len(rows) - limit} more" if len(rows) > limit else ""
    return (f"{sidecar.path}: {len(rows)} row(s) matched no input document, so their metadata was "
            f"not applied: {'; '.join(parts)}{more}")

"""Document collections that come with their own index: AGORA folders and governance-text indexes.

* **AGORA** (ETO's AI Governance and Regulatory Archive): a folder with ``documents.csv`` (one
  row per document, first header cell with a UTF-8 byte-order mark, header names with commas
  and line breaks inside quotes) and ``fulltext/<AGORA ID>.txt``. Documents get
  ``doc_id = "agora-<id>"``, title (official name), authority, jurisdiction, region, sector,
  year (of the proposed date, else of the most recent activity), status, collections, tags.
  An optional ``authorities.csv`` maps authorities to jurisdictions.
* **Governance texts**: a folder with ``index.csv`` (``slug, title, issuer, jurisdiction,
  region, year, doc_type, source, license_note, words``) and one ``<slug>.txt`` per row;
  ``doc_id = slug``.

Both functions return :class:`~policykit.corpus.readers.Source` objects (file + doc_id +
metadata); :func:`policykit.load` reads them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from policykit.corpus.readers import SUPPORTED_SUFFIXES, Source
from policykit.errors import InputError

AGORA_INDEX = "documents.csv"
AGORA_FULLTEXT = "fulltext"
AGORA_AUTHORITIES = "authorities.csv"
GOVERNANCE_INDEX = "index.csv"
GOVERNANCE_COLUMNS = ("slug", "title", "issuer", "jurisdiction", "region", "year", "doc_type",
                      "source", "license_note", "words")

#: AGORA authority (or its jurisdiction) → region id of the label schema.
AGORA_REGION = {
    "United States": "north_america", "China": "china",
    "European Union": "europe", "Government of the United Kingdom": "europe",
    "Government of Canada": "north_america", "Government of Singapore": "southeast_asia",
    "United Nations": "international", "OECD": "international", "Other multinational": "international",
}
#: AGORA authority → sector id of the label schema (default ``government``).
AGORA_SECTOR = {
    "Private-sector companies": "industry", "Other authorities": None,
    "United Nations": "international_org", "OECD": "international_org",
    "Other multinational": "international_org", "European Union": "government",
}


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and (line, row) records of a CSV; tolerant of a BOM and quoted line breaks."""
    from policykit.corpus.readers import decode_bytes

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})", "check the file's permissions") from exc
    text, _ = decode_bytes(data, path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        records = []
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise InputError(path, f"row has {len(row)} fields but the header has {len(header)}",
                                 "repair the CSV (quote fields with commas or line breaks)", reader.line_num)
            records.append((reader.line_num, dict(zip(header, row))))
    except StopIteration:
        raise InputError(path, "the index is empty", "restore the index file") from None
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV ({exc})", "repair the CSV quoting", reader.line_num) from exc
    return header, records


# --------------------------------------------------------------------------- detection
def is_agora_folder(path: str | Path) -> bool:
    """True if ``path`` is a folder with ``documents.csv`` (AGORA header) and ``fulltext/``."""
    path = Path(path)
    index = path / AGORA_INDEX
    if not (path.is_dir() and index.is_file() and (path / AGORA_FULLTEXT).is_dir()):
        return False
    with open(index, "rb") as fh:
        head = fh.read(200).lstrip(b"\xef\xbb\xbf")
    return head.startswith(b"AGORA ID") or head.startswith(b'"AGORA ID"')


def is_governance_folder(path: str | Path) -> bool:
    """True if ``path`` is a folder with an ``index.csv`` whose header starts with ``slug``."""
    path = Path(path)
    index = path / GOVERNANCE_INDEX
    if not (path.is_dir() and index.is_file()):
        return False
    with open(index, "rb") as fh:
        head = fh.read(200).lstrip(b"\xef\xbb\xbf")
    return head.startswith(b"slug,") or head.startswith(b'"slug",')


# --------------------------------------------------------------------------- AGORA
def _year(*dates: str) -> int | None:
    for d in dates:
        m = re.match(r"\s*(\d{4})", d or "")
        if m:
            return int(m.group(1))
    return None


def _split(value: str) -> list[str]:
    out: list[str] = []
    for part in (value or "").split(";"):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


#: A collection name with commas that some AGORA rows store split into pieces.
_US_REGULATIONS = "U.S. regulations, executive orders, and agency policies"
_US_REGULATIONS_PIECES = {"U.S. regulations", "executive orders", "and agency policies"}


def _collections(value: str) -> list[str]:
    parts = _split(value)
    if _US_REGULATIONS_PIECES <= set(parts):
        i = min(parts.index(p) for p in _US_REGULATIONS_PIECES)
        parts = [p for p in parts if p not in _US_REGULATIONS_PIECES]
        parts.insert(i, _US_REGULATIONS)
    return parts


def _agora_doc_type(collections: list[str]) -> str | None:
    for c in collections:
        if c != "Editors' Picks":
            return _slug(c.replace("U.S.", "us"))
    return None


def agora_sources(folder: str | Path) -> tuple[list[Source], list[str]]:
    """The documents of an AGORA-style folder.

    Parameters
    ----------
    folder : str or Path
        Folder with ``documents.csv`` and ``fulltext/<AGORA ID>.txt`` (optionally
        ``authorities.csv``).

    Returns
    -------
    sources : list of Source
        One per full-text file, sorted by numeric AGORA ID; ``doc_id = "agora-<id>"``.
        Full texts without an index row get only the doc_id and ``title = None``.
    notes : list of str
        Index rows without a full text (reported, not errors).
    """
    folder = Path(folder)
    index = folder / AGORA_INDEX
    header, records = _read_csv(index)
    if "AGORA ID" not in header:
        raise InputError(index, "is not an AGORA index (no `AGORA ID` column)",
                         "pass the folder of an AGORA snapshot (documents.csv + fulltext/)")
    jurisdiction: dict[str, str] = {}
    auth_path = folder / AGORA_AUTHORITIES
    if auth_path.is_file():
        _, auth = _read_csv(auth_path)
        for _, row in auth:
            if row.get("Name"):
                jurisdiction[row["Name"].strip()] = (row.get("Jurisdiction") or "").strip()
    rows: dict[str, tuple[int, dict]] = {}
    for line, row in records:
        aid = (row.get("AGORA ID") or "").strip()
        if not aid:
            continue
        if aid in rows:
            raise InputError(index, f"duplicate AGORA ID {aid!r} (also on line {rows[aid][0]})",
                             "remove the repeated row", line)
        rows[aid] = (line, row)

    texts = {p.stem: p for p in (folder / AGORA_FULLTEXT).iterdir()
             if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")}

    def order(aid: str):
        return (0, int(aid), aid) if aid.isdigit() else (1, 0, aid)

    sources = []
    for aid in sorted(texts, key=order):
        meta: dict = {"title": None, "agora_id": aid}
        if aid in rows:
            row = rows[aid][1]
            authority = (row.get("Authority") or "").strip() or None
            juris = jurisdiction.get(authority or "", "") or None
            collections = _collections(row.get("Collections", ""))
            region = AGORA_REGION.get(authority or "") or AGORA_REGION.get(juris or "")
            sector = AGORA_SECTOR.get(authority, "government") if authority else None
            meta.update({
                "title": (row.get("Official name") or "").strip() or (row.get("Casual name") or "").strip() or None,
                "casual_name": (row.get("Casual name") or "").strip() or None,
                "authority": authority,
                "jurisdiction": juris,
                "region": region,
                "sector": sector,
                "year": _year(row.get("Proposed date", ""), row.get("Most recent activity date", "")),
                "doc_type": _agora_doc_type(collections),
                "status": (row.get("Most recent activity") or "").strip() or None,
                "proposed_date": (row.get("Proposed date") or "").strip() or None,
                "activity_date": (row.get("Most recent activity date") or "").strip() or None,
                "collections": collections,
                "tags": _split(row.get("Tags", "")),
                "link": (row.get("Link to document") or "").strip() or None,
            })
        sources.append(Source(texts[aid], f"agora-{aid}", meta, origin="agora"))
    missing = sorted(set(rows) - set(texts), key=order)
    notes = []
    if missing:
        notes.append(f"{index}: {len(missing)} index row(s) have no full text and were not loaded "
                     f"(AGORA ID {', '.join(missing)})")
    return sources, notes


# --------------------------------------------------------------------------- governance texts
def governance_sources(folder: str | Path) -> tuple[list[Source], list[str]]:
    """The documents listed by a governance-texts ``index.csv``.

    Parameters
    ----------
    folder : str or Path
        Folder with ``index.csv`` and one ``<slug>.txt`` (or other supported file) per row.

    Returns
    -------
    sources : list of Source
        One per index row, in index order; ``doc_id = slug``; metadata title, issuer,
        jurisdiction, region, year, doc_type, source, license_note and ``sector`` (from the
        index if it has the column, else ``international_org`` for intergovernmental
        jurisdictions and ``government`` otherwise). The ``words`` column is dropped
        (``n_words`` is computed).
    notes : list of str
        Always empty (a listed file that is missing is an error).

    Raises
    ------
    InputError
        If the index lacks the ``slug`` column, repeats a slug, has a bad year, or names a
        file that does not exist.
    """
    folder = Path(folder)
    index = folder / GOVERNANCE_INDEX
    header, records = _read_csv(index)
    if "slug" not in header:
        raise InputError(index, "is not a governance-texts index (no `slug` column)",
                         f"give index.csv the columns {', '.join(GOVERNANCE_COLUMNS)}")
    seen: dict[str, int] = {}
    sources = []
    for line, row in records:
        slug = (row.get("slug") or "").strip()
        if not slug:
            raise InputError(index, "row has an empty slug", "fill in the slug (the file name without .txt)", line)
        if slug in seen:
            raise InputError(index, f"duplicate slug {slug!r} (also on line {seen[slug]})", "remove the repeated row", line)
        seen[slug] = line
        candidates = [folder / f"{slug}{ext}" for ext in (".txt", ".md", ".html", ".htm", ".pdf", ".docx")]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise InputError(folder / f"{slug}.txt", f"listed in {index.name} (line {line}) but missing",
                             "restore the file, or remove its row from index.csv")
        meta: dict = {}
        for col, value in row.items():
            col = _slug(col)
            if col in ("slug", "words"):
                continue
            value = (value or "").strip() or None
            if col == "year" and value is not None:
                if not re.fullmatch(r"\d{4}", value):
                    raise InputError(index, f"year {value!r} is not a four-digit year", "write e.g. 2023", line)
                value = int(value)
            meta[col] = value
        if not meta.get("sector"):
            juris = (meta.get("jurisdiction") or "").lower()
            meta["sector"] = "international_org" if "intergovernmental" in juris else "government"
        sources.append(Source(path, slug, meta, origin="governance-index"))
    return sources, []

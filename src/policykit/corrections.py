"""Analysts' corrections of extracted sentence labels: an append-only decision log.

An analyst *confirms* a sentence's labels or *corrects* them (role, risk domains and
subdomains, instruments, addressees), usually from the evidence explorer
(:func:`policykit.explore`). Every decision is one JSON line of the corrections file; nothing is
ever rewritten or deleted, so the log is the full history of the review.

* :func:`default_path` — ``data/annotations/corrections.jsonl`` of the project (resolved when
  called, like :mod:`policykit.config`'s writable folders; ``POLICYKIT_CORRECTIONS`` overrides);
* :func:`decision` + :func:`append` — build a record from a wide-view row and append it
  atomically (one ``write`` of one line under an exclusive lock, fsynced). A re-submitted
  decision (same ``decision_id``) and a decision equal to the sentence's latest one are not
  written again, so nothing is duplicated;
* :func:`read_log` — every decision, in file order; :func:`read_corrections` — the *latest*
  decision per sentence with the labels in the gold schema (``role, risk_domains,
  risk_subdomains, instruments, addressee``), what ``policykit train --corrections`` consumes;
* :func:`apply_corrections` — put the latest decisions on an extraction wide view when the
  sentence still matches by offsets and text hash; a changed text is reported, never guessed;
* :func:`before_after` / :func:`before_after_summary` — how two extractions (e.g. before and
  after retraining with the corrections) agree with the corrections.

Record (one JSON object per line)::

    {"schema": "policykit-correction/1", "decision_id": "…", "time": "2025-…Z",
     "sent_id": "ch3-png.p004.s01", "doc_id": "ch3-png", "start": 81234, "end": 81391,
     "text": "…", "text_sha256": "…", "source_path": "…", "source_sha256": "…",
     "action": "correct",                       # or "confirm"
     "old": {"role": …, "risk_domains": […], …},   # labels shown before the decision
     "new": {"role": …, "risk_domains": […], …},   # the analyst's labels (gold schema)
     "predicted": {…, "role_score": 0.62},          # the model's labels
     "annotator": "…", "note": "…", "tool": "policykit 0.1.0"}

Offsets are those of the sentence table (string indices into ``Corpus.raw(doc_id)``);
``text_sha256`` is the SHA-256 of the whitespace-collapsed sentence text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import os
import uuid
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError

SCHEMA = "policykit-correction/1"
#: Label fields of a decision, in the gold schema (``data/training/sentences-dev.jsonl``).
GOLD_FIELDS = ("role", "risk_domains", "risk_subdomains", "instruments", "addressee")
#: gold field -> column of the extraction wide view
WIDE_COLUMNS = {"role": "role", "risk_domains": "risk_domains", "risk_subdomains": "risk_subdomains",
                "instruments": "instruments", "addressee": "addressees"}
#: gold field -> taxonomy facet
FIELD_FACETS = {"role": "role", "risk_domains": "risk_domain", "risk_subdomains": "risk_subdomain",
                "instruments": "instrument", "addressee": "addressee"}
FACET_FIELDS = {v: k for k, v in FIELD_FACETS.items()}
ACTIONS = ("confirm", "correct")
#: Statuses of :func:`append`.
APPENDED, DUPLICATE, UNCHANGED = "appended", "duplicate", "unchanged"
#: Statuses of :func:`apply_corrections`'s report.
MATCH_STATUSES = ("applied", "text_changed", "offsets_changed", "missing_sentence", "other_document")
CORRECTION_COLUMNS = ["sent_id", "doc_id", "essay_id", "start", "end", "text", "text_sha256", *GOLD_FIELDS,
                      "action", "time", "annotator", "note", "decision_id", "n_decisions", "old", "predicted"]
REPORT_COLUMNS = ["sent_id", "doc_id", "status", "changed", "detail", "decision_id"]


# ----------------------------------------------------------------------------- paths and hashes
def default_path() -> Path:
    """The corrections file used when none is given, resolved at each call.

    ``$POLICYKIT_CORRECTIONS`` if set; else, inside the project checkout (see
    :func:`policykit.config.in_project`), ``data/annotations/corrections.jsonl`` of the project;
    elsewhere ``$XDG_DATA_HOME/policykit/annotations/corrections.jsonl`` (by default under
    ``~/.local/share``): corrections are an analyst's work, never a cache.
    """
    from . import config

    env = os.environ.get("POLICYKIT_CORRECTIONS")
    if env:
        return Path(env).expanduser().resolve()
    if config.in_project():
        return config.DATA_DIR / "annotations" / "corrections.jsonl"
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "policykit" / "annotations" / "corrections.jsonl"


def resolve_path(path: str | os.PathLike | None) -> Path:
    """``path`` (relative paths against the working directory), or :func:`default_path`."""
    return default_path() if path is None else Path(path).expanduser().resolve()


def text_hash(text: str) -> str:
    """SHA-256 (hex) of the whitespace-collapsed text: the identity of a sentence's wording."""
    return hashlib.sha256(" ".join(str(text or "").split()).encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- labels
def _as_list(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v] if v else []
    try:
        return [str(x) for x in v if x is not None and x == x]
    except TypeError:
        return []


def labels_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The labels of a wide-view row (or a gold record) in the gold schema."""
    out: dict[str, Any] = {"role": None if row.get("role") is None else str(row.get("role"))}
    for field, col in WIDE_COLUMNS.items():
        if field == "role":
            continue
        v = row.get(col) if col in row else row.get(field)
        out[field] = _as_list(v)
    return out


def normalize_labels(labels: Mapping[str, Any], taxonomy=None, path: str | os.PathLike | None = None
                     ) -> dict[str, Any]:
    """Validate labels against the taxonomy and the annotation conventions.

    Unknown fields or labels raise :class:`~policykit.errors.InputError`. Conventions of
    ``labels.md`` are enforced, never guessed around: an ``other`` sentence carries no label,
    a claim no instrument or addressee; a subdomain brings its domain. Lists come back
    de-duplicated in taxonomy order.

    Parameters
    ----------
    labels : mapping
        ``role`` plus any of ``risk_domains, risk_subdomains, instruments, addressee`` (the
        wide view's ``addressees`` is accepted too). Missing lists are empty.
    taxonomy : policykit.taxonomy.Taxonomy, optional
    path : path, optional
        Named in error messages.
    """
    from .taxonomy import load_taxonomy

    tax = taxonomy or load_taxonomy(alternatives=False)
    lab = dict(labels)
    if "addressees" in lab and "addressee" not in lab:
        lab["addressee"] = lab.pop("addressees")
    unknown = [k for k in lab if k not in GOLD_FIELDS]
    if unknown:
        raise InputError(path, f"unknown label field(s) {', '.join(map(str, unknown))}",
                         f"use {', '.join(GOLD_FIELDS)}")
    role = lab.get("role")
    if role not in tax.ids("role"):
        raise InputError(path, f"role must be one of {', '.join(tax.ids('role'))}, got {role!r}")
    out: dict[str, Any] = {"role": role}
    for field in GOLD_FIELDS[1:]:
        ids = tax.ids(FIELD_FACETS[field])
        vals = _as_list(lab.get(field))
        bad = [v for v in vals if v not in ids]
        if bad:
            raise InputError(path, f"unknown {FIELD_FACETS[field]} label(s) {', '.join(bad)}",
                             f"use ids of data/taxonomy ({', '.join(ids[:6])}, …)")
        out[field] = vals
    if out["risk_subdomains"]:
        parents = [tax.parent("risk_subdomain", s) for s in out["risk_subdomains"]]
        out["risk_domains"] = out["risk_domains"] + [p for p in parents if p]
    if role == "other":
        for field in GOLD_FIELDS[1:]:
            out[field] = []
    elif role == "claim":
        out["instruments"], out["addressee"] = [], []
    for field in GOLD_FIELDS[1:]:
        order = {k: i for i, k in enumerate(tax.ids(FIELD_FACETS[field]))}
        out[field] = sorted(dict.fromkeys(out[field]), key=lambda x: order.get(x, len(order)))
    return out


def same_labels(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two label sets (gold schema, see :func:`labels_of`) are equal, list order aside."""
    return all((a.get(f) if f == "role" else sorted(_as_list(a.get(f))))
               == (b.get(f) if f == "role" else sorted(_as_list(b.get(f)))) for f in GOLD_FIELDS)


# ----------------------------------------------------------------------------- records
def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _annotator() -> str:
    env = os.environ.get("POLICYKIT_ANNOTATOR")
    if env:
        return env
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "unknown"


def decision(row: Mapping[str, Any], new: Mapping[str, Any] | None = None, *, action: str | None = None,
             old: Mapping[str, Any] | None = None, predicted: Mapping[str, Any] | None = None,
             annotator: str | None = None, note: str = "", decision_id: str | None = None,
             source_path: str | None = None, source_sha256: str | None = None,
             time: str | None = None, taxonomy=None) -> dict[str, Any]:
    """One decision record about a sentence.

    Parameters
    ----------
    row : mapping
        The sentence's row of an extraction wide view (``sent_id, doc_id, start, end, text`` and
        its labels).
    new : mapping, optional
        The analyst's labels (gold schema; see :func:`normalize_labels`). None confirms the
        labels the row shows.
    action : {"confirm", "correct"}, optional
        Default: ``confirm`` when ``new`` equals the shown labels, else ``correct``.
    old : mapping, optional
        The labels shown to the analyst (default: the row's).
    predicted : mapping, optional
        The model's labels (default: ``old``), with ``role_score`` when known.
    decision_id : str, optional
        Identity of the decision: a client re-sending the same decision passes the same id and
        :func:`append` writes it once. Default: a new random id.

    Returns
    -------
    dict
        The record (see the module docstring).
    """
    if action is not None and action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")
    shown = labels_of(old if old is not None else row)
    new_labels = normalize_labels(new if new is not None else shown, taxonomy)
    if action is None:
        action = "confirm" if same_labels(new_labels, shown) else "correct"
    pred = dict(labels_of(predicted) if predicted is not None else shown)
    rs = (predicted or {}).get("role_score", row.get("role_score"))
    if rs is not None and rs == rs:
        pred["role_score"] = round(float(rs), 4)
    text = " ".join(str(row.get("text") or "").split())
    return {
        "schema": SCHEMA,
        "decision_id": str(decision_id) if decision_id else uuid.uuid4().hex,
        "time": time or _now(),
        "sent_id": str(row["sent_id"]), "doc_id": str(row.get("doc_id")),
        "start": int(row["start"]), "end": int(row["end"]),
        "text": text, "text_sha256": text_hash(text),
        "source_path": source_path if source_path is not None else row.get("source_path"),
        "source_sha256": source_sha256,
        "action": action, "old": shown, "new": new_labels, "predicted": pred,
        "annotator": annotator or _annotator(), "note": str(note or ""),
        "tool": f"policykit {_version()}",
    }


def _version() -> str:
    try:
        from . import __version__
        return __version__
    except Exception:  # pragma: no cover
        return "?"


def _check_record(rec: Mapping[str, Any], path=None, line=None) -> None:
    missing = [k for k in ("decision_id", "sent_id", "start", "end", "text_sha256", "new", "action") if k not in rec]
    if missing:
        raise InputError(path, f"correction record lacks {', '.join(missing)}",
                         "write records with policykit.corrections.decision()", line=line)
    if rec["action"] not in ACTIONS:
        raise InputError(path, f"unknown action {rec['action']!r}", f"use one of {ACTIONS}", line=line)


# ----------------------------------------------------------------------------- the log file
@contextlib.contextmanager
def _locked(path: Path):
    """Open ``path`` for appending under an exclusive lock (advisory ``flock`` where available)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: single writer assumed
            fcntl = None
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _parse_lines(data: bytes, path) -> tuple[list[dict], list[str]]:
    records, problems = [], []
    lines = data.split(b"\n")
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line.decode("utf-8"))
            if not isinstance(rec, dict):
                raise ValueError("not an object")
            _check_record(rec, path, i)
        except (ValueError, UnicodeDecodeError, InputError) as exc:
            last = i == len(lines) and not data.endswith(b"\n")
            problems.append(f"{path}:{i}: {'truncated last line' if last else 'unreadable record'} skipped ({exc})")
            continue
        rec["_line"] = i
        records.append(rec)
    return records, problems


def _read_fd(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    chunks, pos = [], 0
    while pos < size:
        b = os.pread(fd, min(1 << 20, size - pos), pos)
        if not b:
            break
        chunks.append(b)
        pos += len(b)
    return b"".join(chunks)


def append(record: Mapping[str, Any], path: str | os.PathLike | None = None) -> str:
    """Append one decision to the corrections file, atomically and at most once.

    The file is locked, its records read, and the record written with a single ``write`` of one
    complete line (after a newline if an earlier writer died mid-line), then fsynced.

    Returns
    -------
    str
        ``"appended"``; ``"duplicate"`` when a record with the same ``decision_id`` is already in
        the log (a re-submission); ``"unchanged"`` when the sentence's latest decision already has
        the same labels for the same text and offsets (nothing new to record).
    """
    rec = {k: v for k, v in dict(record).items() if not k.startswith("_")}
    p = resolve_path(path)
    _check_record(rec, p)
    line = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
    with _locked(p) as fd:
        data = _read_fd(fd)
        records, _ = _parse_lines(data, p)
        if any(r["decision_id"] == rec["decision_id"] for r in records):
            return DUPLICATE
        latest = next((r for r in reversed(records) if r["sent_id"] == rec["sent_id"]), None)
        if (latest is not None and latest["text_sha256"] == rec["text_sha256"]
                and (latest["start"], latest["end"]) == (rec["start"], rec["end"])
                and same_labels(latest["new"], rec["new"])):
            return UNCHANGED
        out = line.encode("utf-8")
        if data and not data.endswith(b"\n"):
            warnings.warn(f"{p}: the last line was cut short (truncated last line, e.g. a writer died); it is kept "
                          "as is and reported when read, the new record starts on a new line", RuntimeWarning,
                          stacklevel=2)
            out = b"\n" + out
        written = os.write(fd, out)
        if written != len(out):  # pragma: no cover - disk full; never leave half a record silently
            raise OSError(f"{p}: short write ({written} of {len(out)} bytes); check the last line")
        os.fsync(fd)
    return APPENDED


def append_many(records: Iterable[Mapping[str, Any]], path: str | os.PathLike | None = None) -> pd.Series:
    """:func:`append` each record in order (e.g. corrections downloaded from an exported
    explorer page); returns the status of each, indexed by ``decision_id``."""
    out = {}
    for r in records:
        out[str(r.get("decision_id"))] = append(r, path)
    return pd.Series(out, dtype=object, name="status")


def read_records(path: str | os.PathLike) -> list[dict]:
    """The records of a JSONL file of decisions (problems are warned about, not raised)."""
    p = Path(path)
    if not p.exists():
        return []
    records, problems = _parse_lines(p.read_bytes(), p)
    for msg in problems:
        warnings.warn(msg, RuntimeWarning, stacklevel=3)
    return records


def read_log(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every decision of the corrections file, in the order written (missing file: empty).

    Unreadable lines (e.g. a line cut short by a crash) are skipped with a ``RuntimeWarning``
    naming the file and line, never silently.
    """
    recs = read_records(resolve_path(path))
    cols = ["line", "decision_id", "time", "sent_id", "doc_id", "start", "end", "text_sha256", "action",
            "annotator", "old", "new"]
    if not recs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.DataFrame(recs).rename(columns={"_line": "line"})
    return df[[c for c in cols if c in df.columns] + [c for c in df.columns if c not in cols]]


def read_corrections(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The latest decision per sentence, with its labels in the gold schema.

    A later decision on a sentence supersedes an earlier one (file order decides; both stay in
    the log: ``n_decisions`` counts them). Confirmations are included: a confirmed sentence is a
    training example as good as a corrected one.

    Returns
    -------
    pandas.DataFrame
        :data:`CORRECTION_COLUMNS`: ``sent_id, doc_id, essay_id`` (= ``doc_id``, as in the gold
        files), ``start, end, text, text_sha256``, the labels ``role, risk_domains,
        risk_subdomains, instruments, addressee``, then ``action, time, annotator, note,
        decision_id, n_decisions`` and the ``old`` / ``predicted`` label dicts.
    """
    recs = read_records(resolve_path(path))
    if not recs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CORRECTION_COLUMNS})
    counts: dict[str, int] = {}
    latest: dict[str, dict] = {}
    for r in recs:
        counts[r["sent_id"]] = counts.get(r["sent_id"], 0) + 1
        latest[r["sent_id"]] = r
    rows = []
    for sid, r in latest.items():
        new = r["new"]
        rows.append({
            "sent_id": sid, "doc_id": r.get("doc_id"), "essay_id": r.get("doc_id"),
            "start": int(r["start"]), "end": int(r["end"]), "text": r.get("text", ""),
            "text_sha256": r["text_sha256"], "role": new.get("role"),
            **{f: _as_list(new.get(f)) for f in GOLD_FIELDS[1:]},
            "action": r["action"], "time": r.get("time"), "annotator": r.get("annotator"),
            "note": r.get("note", ""), "decision_id": r["decision_id"], "n_decisions": counts[sid],
            "old": r.get("old"), "predicted": r.get("predicted"),
        })
    return pd.DataFrame(rows, columns=CORRECTION_COLUMNS)


def _corrections_frame(corrections) -> pd.DataFrame:
    if isinstance(corrections, pd.DataFrame):
        return corrections
    return read_corrections(corrections)


# ----------------------------------------------------------------------------- applying
def match(wide: pd.DataFrame, corrections) -> pd.DataFrame:
    """How each correction matches a wide view: :data:`REPORT_COLUMNS`.

    ``status`` is ``applied`` (same sentence id, offsets and text hash), ``text_changed`` (same
    id and offsets, other wording), ``offsets_changed`` (same id, moved), ``missing_sentence``
    (the document is there, the id is not) or ``other_document`` (the table does not cover the
    document; normal when one corrections file serves several corpora). ``changed`` says whether
    applying it changes the row's labels.
    """
    corr = _corrections_frame(corrections)
    if corr.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REPORT_COLUMNS})
    by_id = wide.set_index("sent_id", drop=False) if len(wide) else None
    docs = set(wide["doc_id"]) if len(wide) else set()
    rows = []
    for c in corr.itertuples(index=False):
        status, detail, changed = "applied", "", False
        if by_id is None or c.sent_id not in by_id.index:
            status = "missing_sentence" if c.doc_id in docs else "other_document"
            detail = f"no sentence {c.sent_id} in the table"
        else:
            w = by_id.loc[c.sent_id]
            if isinstance(w, pd.DataFrame):
                w = w.iloc[0]
            same_offsets = (int(w["start"]), int(w["end"])) == (int(c.start), int(c.end))
            same_text = text_hash(w["text"]) == c.text_sha256
            if not same_text and same_offsets:
                status, detail = "text_changed", "the sentence at these offsets now reads differently; decide again"
            elif not same_offsets:
                status = "offsets_changed"
                detail = (f"the sentence moved from {c.start}–{c.end} to {int(w['start'])}–{int(w['end'])}"
                          + ("" if same_text else " and its text changed") + "; decide again")
            else:
                changed = not same_labels(labels_of(w), {f: getattr(c, f) for f in GOLD_FIELDS})
        rows.append({"sent_id": c.sent_id, "doc_id": c.doc_id, "status": status, "changed": changed,
                     "detail": detail, "decision_id": c.decision_id})
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def apply_corrections(wide: pd.DataFrame, corrections) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put the analysts' latest labels on an extraction wide view.

    Parameters
    ----------
    wide : pandas.DataFrame
        An extraction wide view (``policykit.extract``).
    corrections : pandas.DataFrame or path or None
        :func:`read_corrections`'s table, or a corrections file (None: :func:`default_path`).

    Returns
    -------
    wide : pandas.DataFrame
        A copy whose matched sentences carry the corrected ``role``, ``risk_domains``,
        ``risk_subdomains``, ``instruments`` and ``addressees`` (``scores`` and ``evidence`` stay
        the model's). Columns and row order are unchanged.
    report : pandas.DataFrame
        :func:`match`'s table: one row per correction with its ``status``; only ``applied`` ones
        are put on the table.
    """
    corr = _corrections_frame(corrections)
    report = match(wide, corr)
    out = wide.copy()
    ok = report.loc[report["status"] == "applied", "sent_id"]
    if len(ok):
        pos = {s: i for i, s in enumerate(out["sent_id"])}
        c = corr.set_index("sent_id")
        for field, col in WIDE_COLUMNS.items():
            vals = out[col].tolist()
            for sid in ok:
                v = c.at[sid, field]
                vals[pos[sid]] = v if field == "role" else list(_as_list(v))
            out[col] = pd.Series(vals, index=out.index, dtype=object if field != "role" else out[col].dtype)
    return out, report


# ----------------------------------------------------------------------------- before / after
def _score(row, facet: str, label: str) -> float:
    sc = row.get("scores") if isinstance(row, Mapping) else row["scores"]
    v = ((sc or {}).get(facet) or {}).get(label) if isinstance(sc, Mapping) else None
    return float("nan") if v is None else float(v)


def before_after(old_wide: pd.DataFrame, new_wide: pd.DataFrame, corrections) -> pd.DataFrame:
    """How two extractions of the same corpus agree with the analysts' corrections.

    Typically ``old_wide`` comes from the shipped model and ``new_wide`` from a model retrained
    with the corrections (``policykit train --corrections FILE``); only corrections that match
    both tables (:func:`match`: same offsets and text hash) are compared.

    Returns
    -------
    pandas.DataFrame
        One row per corrected sentence × facet × label in the union of the corrected, old and
        new labels: ``sent_id, doc_id, facet, label, corrected`` (the analyst gives the label),
        ``before`` / ``after`` (each extraction gives it), ``before_score`` / ``after_score``
        (the learned scores, NaN when not reported), ``score_change`` and ``outcome``:
        ``fixed`` (wrong before, right after), ``broken`` (right before, wrong after),
        ``still_right`` or ``still_wrong``. Facets are ``role, risk_domain, risk_subdomain,
        instrument, addressee``.
    """
    corr = _corrections_frame(corrections)
    cols = ["sent_id", "doc_id", "facet", "label", "corrected", "before", "after", "before_score",
            "after_score", "score_change", "outcome"]
    if corr.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    m_old, m_new = match(old_wide, corr), match(new_wide, corr)
    ok = set(m_old.loc[m_old["status"] == "applied", "sent_id"]) & set(m_new.loc[m_new["status"] == "applied", "sent_id"])
    old_i, new_i = old_wide.set_index("sent_id"), new_wide.set_index("sent_id")
    rows = []
    for c in corr.itertuples(index=False):
        if c.sent_id not in ok:
            continue
        o, n = old_i.loc[c.sent_id], new_i.loc[c.sent_id]
        lo, ln = labels_of(o), labels_of(n)
        for field, facet in FIELD_FACETS.items():
            target = [getattr(c, field)] if field == "role" else _as_list(getattr(c, field))
            before = [lo[field]] if field == "role" else lo[field]
            after = [ln[field]] if field == "role" else ln[field]
            for lab in dict.fromkeys([*target, *before, *after]):
                if lab is None:
                    continue
                t, b, a = lab in target, lab in before, lab in after
                bs, as_ = _score(o, facet, lab), _score(n, facet, lab)
                outcome = ("still_right" if b == t and a == t else "fixed" if a == t else
                           "broken" if b == t else "still_wrong")
                rows.append((c.sent_id, c.doc_id, facet, lab, t, b, a, bs, as_, as_ - bs, outcome))
    return pd.DataFrame(rows, columns=cols)


def before_after_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per facet: how many corrected sentences each extraction gets exactly right, and how the
    labels and their scores moved.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`before_after`'s result.

    Returns
    -------
    pandas.DataFrame
        Indexed by facet: ``sentences`` (corrected sentences compared), ``right_before``,
        ``right_after`` (those whose labels for the facet equal the correction, no label being a
        right answer too), ``fixed``, ``broken`` (sentence × label decisions),
        ``mean_score_before`` / ``mean_score_after`` of the corrected labels (NaN scores count as
        0: the model did not even report them) and ``mean_score_change``.
    """
    facets = list(FIELD_FACETS.values())
    cols = ["sentences", "right_before", "right_after", "fixed", "broken", "mean_score_before",
            "mean_score_after", "mean_score_change"]
    if table.empty:
        return pd.DataFrame(index=pd.Index(facets, name="facet"), columns=cols, dtype=float).fillna(0)
    ids = table["sent_id"].unique()
    out = {}
    for f in facets:
        t = table[table["facet"] == f]
        wrong_b = set(t.loc[t["before"] != t["corrected"], "sent_id"])
        wrong_a = set(t.loc[t["after"] != t["corrected"], "sent_id"])
        tc = t[t["corrected"]]
        sb, sa = tc["before_score"].fillna(0.0), tc["after_score"].fillna(0.0)
        out[f] = {"sentences": len(ids), "right_before": len(ids) - len(wrong_b), "right_after": len(ids) - len(wrong_a),
                  "fixed": int((t["outcome"] == "fixed").sum()), "broken": int((t["outcome"] == "broken").sum()),
                  "mean_score_before": float(sb.mean()) if len(tc) else float("nan"),
                  "mean_score_after": float(sa.mean()) if len(tc) else float("nan")}
        out[f]["mean_score_change"] = out[f]["mean_score_after"] - out[f]["mean_score_before"]
    df = pd.DataFrame(out).T[cols]
    df.index.name = "facet"
    return df.astype({c: int for c in cols[:5]}).astype({c: float for c in cols[5:]})


def before_after_documents(old_wide: pd.DataFrame, new_wide: pd.DataFrame, corrections) -> pd.DataFrame:
    """The corrected documents as a whole: per document × facet, how many of *all* their
    sentences changed labels between the two extractions (the collateral effect of retraining),
    and which document-level labels (any sentence carries it) appeared or disappeared.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, facet, n_sentences, n_changed, labels_before, labels_after, added, removed``.
    """
    corr = _corrections_frame(corrections)
    cols = ["doc_id", "facet", "n_sentences", "n_changed", "labels_before", "labels_after", "added", "removed"]
    docs = [d for d in dict.fromkeys(corr["doc_id"]) if d in set(old_wide["doc_id"]) and d in set(new_wide["doc_id"])] \
        if len(corr) else []
    rows = []
    for d in docs:
        o = old_wide[old_wide["doc_id"] == d].set_index("sent_id")
        n = new_wide[new_wide["doc_id"] == d].set_index("sent_id").reindex(o.index)
        for field, facet in FIELD_FACETS.items():
            col = WIDE_COLUMNS[field]
            ov = [frozenset([v]) if field == "role" else frozenset(_as_list(v)) for v in o[col]]
            nv = [frozenset([v]) if field == "role" else frozenset(_as_list(v)) for v in n[col]]
            lb = sorted(set().union(*ov)) if ov else []
            la = sorted(set().union(*nv)) if nv else []
            rows.append({"doc_id": d, "facet": facet, "n_sentences": len(o),
                         "n_changed": sum(a != b for a, b in zip(ov, nv)), "labels_before": lb, "labels_after": la,
                         "added": sorted(set(la) - set(lb)), "removed": sorted(set(lb) - set(la))})
    return pd.DataFrame(rows, columns=cols)

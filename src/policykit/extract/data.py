"""Training data of the extraction model: every annotated unit it learns from, with provenance.

Three sources, all shipped or referenced from ``data/training/``:

* ``sentences-dev.jsonl`` — every sentence of 14 essays and the front matter of the bundled
  report, aligned to the report's corpus sentences (so each unit has the section, neighbours and
  offsets it has at extraction time);
* ``sentences-governance.jsonl`` — 2,591 sentences of 31 governance documents (laws, strategies,
  corporate policies, commitments, a treaty, a UN resolution, ...). Labels and offsets are shipped
  for all; the text only where the source may be redistributed (``data/raw/governance-texts``).
  The others are read from ``../shared/data/`` and checked against the shipped SHA-256; when that
  folder is absent they are left out, and :class:`TrainingData` says so (``missing``);
* the MIT AI Risk Repository's risk descriptions (``data/external/mit-ai-risk``, CC BY 4.0):
  domain (and where given subdomain) labels only.

Each annotated unit becomes one row of :attr:`TrainingData.units` (columns below), in document
order, so that context (previous and next unit of the same document) is read from the order.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import InputError
from ..taxonomy import Taxonomy, load_taxonomy
from ..yamlfile import read_yaml

DEV_FILE = config.TRAINING_DIR / "sentences-dev.jsonl"
GOVERNANCE_FILE = config.TRAINING_DIR / "sentences-governance.jsonl"
GOVERNANCE_DOCS_FILE = config.TRAINING_DIR / "documents-governance.json"
GENRES_FILE = config.TRAINING_DIR / "genres.yaml"
MIT_FILE = config.EXTERNAL_DIR / "mit-ai-risk" / "ai_risk_database_v3.csv"
GOLD_FIELDS = ("essay_id", "role", "risk_domains", "risk_subdomains", "instruments")
LABEL_COLUMNS = ("risk_domains", "risk_subdomains", "instruments", "addressees")
#: columns of :attr:`TrainingData.units`
UNIT_COLUMNS = ("unit_id", "doc_id", "source_set", "genre", "doc_type", "section", "text", "role",
                *LABEL_COLUMNS, "sent_id", "start", "end", "source")


# ----------------------------------------------------------------------------- readers
def read_gold(path: str | Path, *, need_text: bool = True) -> pd.DataFrame:
    """Gold annotations (one JSON object per line) as a DataFrame.

    The addressee field may be called ``addressee`` or ``addressees``; it becomes
    ``addressees``. Subdomains ending in ``.0`` (domain only) are dropped. Records without
    ``text`` are allowed when ``need_text`` is false (they must then carry ``source``,
    ``start``, ``end`` and ``text_sha256``).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "gold file not found", "give a JSON-lines file of annotated sentences")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(path, f"not valid JSON: {e.msg}", "one JSON object per line", line=ln) from None
            need = GOLD_FIELDS + (("text",) if need_text or "text_sha256" not in r else ())
            missing = [k for k in need if k not in r]
            if missing:
                raise InputError(path, f"record lacks {', '.join(missing)}",
                                 f"every record needs {', '.join(need)}", line=ln)
            r["addressees"] = list(r.get("addressees", r.get("addressee")) or [])
            r.pop("addressee", None)
            r["risk_subdomains"] = [s for s in r.get("risk_subdomains") or [] if not str(s).endswith(".0")]
            r["line"] = ln
            rows.append(r)
    if not rows:
        raise InputError(path, "no gold records", "the file is empty")
    df = pd.DataFrame(rows)
    if "n" not in df.columns:
        df["n"] = df.groupby("essay_id").cumcount()
    return df


def read_mit(path: str | Path = MIT_FILE, tax: Taxonomy | None = None) -> pd.DataFrame:
    """MIT AI Risk Database rows with a description and a domain.

    Returns columns ``text`` (risk name + description), ``domain`` and ``subdomain`` (label ids,
    subdomain may be None), ``paper_id``, ``ev_id``, ``line``.
    """
    path = Path(path)
    tax = tax or load_taxonomy()
    if not path.exists():
        raise InputError(path, "MIT AI Risk Database CSV not found",
                         "give the CSV of the MIT AI Risk Repository (see data/external/mit-ai-risk/SOURCE.md)")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"Description", "Domain", "Sub-domain", "Paper_ID"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise InputError(path, f"missing column(s) {', '.join(sorted(need - set(reader.fieldnames or [])))}",
                             "use the 'AI Risk Database v3' sheet flattened to CSV", line=1)
        out = []
        for ln, r in enumerate(reader, 2):
            desc = " ".join((r.get("Description") or "").split()).strip('"“” ')
            if not desc:
                continue
            dom, sub = tax.label_from_mit(r.get("Domain") or "")
            if dom is None:
                continue
            if sub is None:
                d2, sub = tax.label_from_mit(r.get("Sub-domain") or "")
                if d2 is not None and d2 != dom:
                    sub = None
            name = " ".join((r.get("Risk subcategory") or "").split()) or " ".join((r.get("Risk category") or "").split())
            out.append({"text": f"{name}: {desc}" if name else desc, "domain": dom, "subdomain": sub,
                        "paper_id": str(r.get("Paper_ID") or "").strip(), "ev_id": str(r.get("Ev_ID") or ""),
                        "line": ln})
    if not out:
        raise InputError(path, "no rows with a description and a domain label")
    return pd.DataFrame(out)


def read_genres(path: str | Path = GENRES_FILE) -> dict[str, dict]:
    """``genres.yaml``: genre id -> ``{"label": str, "doc_types": [str, ...]}``."""
    path = Path(path)
    doc = read_yaml(path, what="genre table", restore="restore data/training/genres.yaml from the repository") or {}
    seen: dict[str, str] = {}
    for g, spec in doc.items():
        for t in spec.get("doc_types") or []:
            if t in seen:
                raise InputError(path, f"doc_type {t!r} is in genres {seen[t]!r} and {g!r}",
                                 "list every doc_type under one genre")
            seen[t] = g
    return doc


def genre_of(doc_type: str, genres: dict[str, dict]) -> str:
    """The genre id of a ``doc_type`` (``other`` when no genre lists it)."""
    for g, spec in genres.items():
        if doc_type in (spec.get("doc_types") or []):
            return g
    return "other"


# ----------------------------------------------------------------------------- alignment
def align_gold(corpus, gold: pd.DataFrame) -> pd.DataFrame:
    """Attach ``sent_id``, ``doc_id``, ``start``, ``end``, ``section`` of the corpus sentence that
    each gold sentence is (same document, same text, in order; failing that, the corpus sentence
    of the same document overlapping the gold text's location most). Unmatched rows get NA."""
    import re
    S = corpus.sentences
    by_doc = {d: df.reset_index(drop=True) for d, df in S.groupby("doc_id", sort=False)}
    ptr: dict[str, int] = {}
    rec = []
    for g in gold.itertuples(index=False):
        df = by_doc.get(g.essay_id)
        hit = None
        if df is not None:
            start = ptr.get(g.essay_id, 0)
            texts = df["text"].tolist()
            want = " ".join(g.text.split())
            for j in list(range(start, len(df))) + list(range(0, start)):
                if texts[j] == want:
                    hit = j
                    break
            if hit is None:  # locate by words in the raw text, take the most-overlapping sentence
                raw = corpus.raw(g.essay_id)
                pat = r"\s+".join(re.escape(w) for w in g.text.split())
                m = re.search(pat, raw[int(df["start"].min()):int(df["end"].max()) + 1]) if pat else None
                if m:
                    s0 = int(df["start"].min()) + m.start()
                    e0 = s0 + (m.end() - m.start())
                    ov = (np.minimum(df["end"], e0) - np.maximum(df["start"], s0)).to_numpy()
                    if ov.max() > 0:
                        hit = int(ov.argmax())
        if hit is None:
            rec.append({"sent_id": None, "doc_id": g.essay_id, "start": None, "end": None, "section": None})
            continue
        ptr[g.essay_id] = hit + 1
        r = df.iloc[hit]
        rec.append({"sent_id": r["sent_id"], "doc_id": r["doc_id"], "start": int(r["start"]), "end": int(r["end"]),
                    "section": r["section"]})
    return pd.concat([gold.reset_index(drop=True), pd.DataFrame(rec)], axis=1)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (empty string if it does not exist)."""
    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else ""


# ----------------------------------------------------------------------------- the training set
@dataclass
class TrainingData:
    """Everything the extraction model is fitted on.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per annotated unit, grouped by document in document order, with
        :data:`UNIT_COLUMNS`: ``unit_id`` (sent_id for report units, ``{doc}#{n}`` otherwise),
        ``doc_id``, ``source_set`` (``report`` | ``governance`` | ``corrections``), ``genre``,
        ``doc_type``, ``section``, ``text``, ``role`` and the label lists, offsets and source.
    mit : pandas.DataFrame
        MIT risk descriptions (:func:`read_mit`).
    provenance : dict
        Files read with their SHA-256 and counts; ``missing`` lists governance documents left
        out because their text was not found.
    """

    units: pd.DataFrame
    mit: pd.DataFrame
    provenance: dict = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return list(self.provenance.get("missing", []))


def reader_section(text: str) -> str:
    """The section the corpus reader gives a unit of its own: ``heading`` for a short line that
    ends without terminal punctuation (:mod:`policykit.corpus.layout`), else ``body``. Governance
    units get it so that training and cross-validation see what extraction sees."""
    from ..corpus.layout import HEADING_MAX_CHARS, ends_open
    return "heading" if len(text) < HEADING_MAX_CHARS and ends_open(text) else "body"


def _governance_units(shared_dir: Path, genres: dict, gold_path: Path, docs_path: Path) -> tuple[list[dict], dict]:
    gold = read_gold(gold_path, need_text=False)
    docs = {d["essay_id"]: d for d in json.loads(Path(docs_path).read_text(encoding="utf-8"))}
    raws: dict[str, str | None] = {}
    missing: dict[str, str] = {}
    rows = []
    for g in gold.itertuples(index=False):
        meta = docs.get(g.essay_id, {})
        text = getattr(g, "text", None)
        if not isinstance(text, str):
            src = str(g.source)
            if src not in raws:
                shipped = config.GOVERNANCE_TEXTS_DIR / Path(src).name
                path = shipped if src.startswith("data/governance-texts/") and shipped.exists() else shared_dir / src
                raws[src] = path.read_text(encoding="utf-8") if path.exists() else None
                if raws[src] is None:
                    missing[g.essay_id] = str(path)
            raw = raws[src]
            if raw is None:
                continue
            text = " ".join(raw[int(g.start):int(g.end)].split())
            if _sha(text) != g.text_sha256:
                raise InputError(shared_dir / src, f"the text at {g.start}:{g.end} is not the annotated sentence "
                                 f"{g.essay_id} #{g.n}", "use the unchanged ../shared/data texts the gold was drawn on")
        doc_type = str(meta.get("doc_type", "other"))
        text = " ".join(str(text).split())
        rows.append({"unit_id": f"{g.essay_id}#{g.n}", "doc_id": g.essay_id, "source_set": "governance",
                     "genre": genre_of(doc_type, genres), "doc_type": doc_type, "section": reader_section(text),
                     "text": " ".join(str(text).split()), "role": g.role,
                     **{c: list(getattr(g, c)) for c in LABEL_COLUMNS},
                     "sent_id": None, "start": int(g.start), "end": int(g.end), "source": str(g.source)})
    return rows, missing


def load_training(*, corpus=None, shared_dir: str | Path | None = None, corrections: str | Path | None = None,
                  dev_path: str | Path = DEV_FILE, governance_path: str | Path = GOVERNANCE_FILE,
                  governance_docs_path: str | Path = GOVERNANCE_DOCS_FILE, mit_path: str | Path = MIT_FILE,
                  include_governance: bool = True) -> TrainingData:
    """Read, align and check the shipped training data.

    Parameters
    ----------
    corpus : policykit.Corpus, optional
        The bundled report (default: ``policykit.load()``), to align the dev gold to.
    shared_dir : path, optional
        Where the governance texts that are not shipped are read from (default ``../shared``).
    corrections : path, optional
        A corrections file of the evidence explorer (``policykit.corrections``): its latest
        decision per sentence replaces the unit's labels, or adds the sentence as a new unit.
    include_governance : bool
        Read the governance gold (default); false trains on the report and MIT rows only.
    """
    from .. import load as load_corpus
    tax = load_taxonomy()
    genres = read_genres()
    shared = Path(shared_dir) if shared_dir is not None else config.SHARED_DIR
    corpus = corpus if corpus is not None else load_corpus()
    dev = align_gold(corpus, read_gold(dev_path))
    lost = dev["sent_id"].isna()
    if lost.any():
        g = dev[lost].iloc[0]
        raise InputError(dev_path, f"{int(lost.sum())} gold sentence(s) not found in the corpus, e.g. "
                                   f"{g.essay_id!r}: {g.text[:60]!r}",
                         "train against the report the gold was annotated on", line=int(g.line))
    rows = [{"unit_id": r.sent_id, "doc_id": r.essay_id, "source_set": "report", "genre": "report",
             "doc_type": "report", "section": r.section, "text": " ".join(r.text.split()), "role": r.role,
             **{c: list(getattr(r, c)) for c in LABEL_COLUMNS}, "sent_id": r.sent_id, "start": int(r.start),
             "end": int(r.end), "source": str(config.REPORT_RAW.name)} for r in dev.itertuples(index=False)]
    missing: dict[str, str] = {}
    if include_governance and Path(governance_path).exists():
        gov, missing = _governance_units(shared, genres, Path(governance_path), Path(governance_docs_path))
        rows += gov
    units = pd.DataFrame(rows, columns=list(UNIT_COLUMNS))
    prov = {"files": {str(Path(p).name): file_sha256(p) for p in (dev_path, governance_path, mit_path)
                      if include_governance or p != governance_path},
            "missing": sorted(missing), "missing_paths": missing}
    if corrections is not None:
        units, n_corr = _apply_corrections(units, corpus, Path(corrections))
        prov["files"][Path(corrections).name] = file_sha256(corrections)
        prov["corrections"] = n_corr
    mit = read_mit(mit_path, tax)
    prov["counts"] = {"units": int(len(units)), "documents": int(units["doc_id"].nunique()),
                      "by_set": {k: int(v) for k, v in units["source_set"].value_counts().sort_index().items()},
                      "mit_descriptions": int(len(mit))}
    return TrainingData(units.reset_index(drop=True), mit, prov)


def _apply_corrections(units: pd.DataFrame, corpus, path: Path) -> tuple[pd.DataFrame, int]:
    """Units with the analyst's corrections (latest decision per sentence) applied."""
    from ..corrections import read_corrections
    corr = read_corrections(path)
    if corr.empty:
        return units, 0
    units = units.copy()
    by_sent = {s: i for i, s in enumerate(units["sent_id"]) if isinstance(s, str)}
    S = corpus.sentences.set_index("sent_id") if len(corpus.sentences) else None
    new = []
    for c in corr.to_dict("records"):
        labels = {"role": c["role"], "risk_domains": list(c.get("risk_domains") or []),
                  "risk_subdomains": list(c.get("risk_subdomains") or []),
                  "instruments": list(c.get("instruments") or []),
                  "addressees": list(c.get("addressees", c.get("addressee")) or [])}
        i = by_sent.get(c["sent_id"])
        if i is not None:
            for k, v in labels.items():
                units.at[i, k] = v
            continue
        text = c.get("text")
        if not text and S is not None and c["sent_id"] in S.index:
            text = S.loc[c["sent_id"], "text"]
        if not text:
            continue
        new.append({"unit_id": c["sent_id"], "doc_id": c.get("doc_id") or str(c["sent_id"]).split(".")[0],
                    "source_set": "corrections", "genre": c.get("genre") or "corrections",
                    "doc_type": c.get("doc_type") or "corrections", "section": "body",
                    "text": " ".join(str(text).split()), **labels, "sent_id": c["sent_id"],
                    "start": c.get("start"), "end": c.get("end"), "source": str(path.name)})
    if new:
        units = pd.concat([units, pd.DataFrame(new, columns=units.columns)], ignore_index=True)
    return units, int(len(corr))


def label_matrix(values, ids: list[str]) -> np.ndarray:
    """Boolean matrix (n, len(ids)) of list-valued labels."""
    pos = {l: j for j, l in enumerate(ids)}
    out = np.zeros((len(values), len(ids)), dtype=bool)
    for i, v in enumerate(values):
        for lab in v or []:
            if lab in pos:
                out[i, pos[lab]] = True
    return out

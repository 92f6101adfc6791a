"""Training data, fitting and grouped cross-validation of the extraction model.

Training data ship with the repository:

* ``data/training/sentences-dev.jsonl`` — every sentence of 14 essays and the front matter of
  the bundled report, with role, risk domains and subdomains, instruments and addressees;
* ``data/external/mit-ai-risk/ai_risk_database_v3.csv`` — the MIT AI Risk Repository's risk
  descriptions with their domain and subdomain (CC BY 4.0).

Gold sentences are aligned to the bundled report's corpus sentences (by document and text, in
order) so that they get the same section, neighbours and features as at extraction time.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import InputError
from ..taxonomy import Taxonomy, load_taxonomy
from .components import build_pipeline
from .features import FeatureSet, featurize
from .model import ExtractionModel

TRAINING_DIR = config.DATA_DIR / "training"
GOLD_FILE = TRAINING_DIR / "sentences-dev.jsonl"
DOCUMENTS_FILE = TRAINING_DIR / "documents.json"
MIT_FILE = config.EXTERNAL_DIR / "mit-ai-risk" / "ai_risk_database_v3.csv"
GOLD_FIELDS = ("essay_id", "text", "role", "risk_domains", "risk_subdomains", "instruments")


# ----------------------------------------------------------------------------- readers
def read_gold(path: str | Path = GOLD_FILE) -> pd.DataFrame:
    """Gold sentence annotations (one JSON object per line) as a DataFrame.

    The addressee field may be called ``addressee`` or ``addressees``; it becomes
    ``addressees``. Subdomains ending in ``.0`` (domain only) are dropped.
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
            missing = [k for k in GOLD_FIELDS if k not in r]
            if missing:
                raise InputError(path, f"record lacks {', '.join(missing)}",
                                 f"every record needs {', '.join(GOLD_FIELDS)}", line=ln)
            r["addressees"] = list(r.get("addressees", r.get("addressee")) or [])
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
    subdomain may be None), ``paper_id``, ``ev_id``.
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
            for j in list(range(start, len(df))) + list(range(0, start)):
                if texts[j] == " ".join(g.text.split()):
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


def label_arrays(gold: pd.DataFrame, tax: Taxonomy) -> dict:
    """Role vector and boolean label matrices in taxonomy order."""
    def mat(col: str, facet: str) -> np.ndarray:
        ids = tax.ids(facet)
        return np.array([[lab in set(v or []) for lab in ids] for v in gold[col]], dtype=bool).reshape(len(gold), len(ids))
    return {"role": gold["role"].to_numpy(), "risk_domain": mat("risk_domains", "risk_domain"),
            "risk_subdomain": mat("risk_subdomains", "risk_subdomain"), "instrument": mat("instruments", "instrument"),
            "addressee": mat("addressees", "addressee"), "sent_id": gold["sent_id"].astype(str).to_numpy()}


# ----------------------------------------------------------------------------- features
def sentence_features(sentences: pd.DataFrame, embedding: str, *, tax: Taxonomy | None = None,
                      progress: bool = False, cache: bool = True, nlp=None) -> FeatureSet:
    """Rule features and embeddings of corpus sentences (in the given order)."""
    from ..embed import embed
    tax = tax or load_taxonomy()
    nlp = nlp or build_pipeline()
    texts = sentences["text"].astype(str).tolist()
    docs = list(nlp.pipe(texts, batch_size=512))
    emb = embed(texts, model=embedding, cache=cache, progress=progress)
    return featurize(docs, tax, emb, groups=sentences["doc_id"].astype(str).tolist(),
                     sections=sentences["section"].astype(str).tolist())


@dataclass
class TrainingData:
    """Everything the model is fitted on."""

    fs: FeatureSet            # gold sentences, in corpus order
    gold: pd.DataFrame        # aligned gold rows, same order as fs
    labels: dict
    mit: pd.DataFrame
    mit_emb: np.ndarray
    corpus: object
    mit_fs: FeatureSet | None = None  # rule features of the MIT descriptions (each on its own)


def load_training(embedding: str = "minilm", *, gold_path=GOLD_FILE, mit_path=MIT_FILE, corpus=None,
                  progress: bool = False) -> TrainingData:
    """Read, align and featurize the shipped training data."""
    from .. import load as load_corpus
    from ..embed import embed
    tax = load_taxonomy()
    corpus = corpus if corpus is not None else load_corpus()
    gold = align_gold(corpus, read_gold(gold_path))
    missing = gold["sent_id"].isna()
    if missing.any():
        g = gold[missing].iloc[0]
        raise InputError(gold_path, f"{int(missing.sum())} gold sentence(s) not found in the corpus, e.g. "
                                    f"{g.essay_id!r}: {g.text[:60]!r}",
                         "train against the report the gold was annotated on", line=int(g.line))
    order = {s: i for i, s in enumerate(corpus.sentences["sent_id"])}
    gold = gold.assign(_o=gold["sent_id"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")
    gold = gold.reset_index(drop=True)
    sents = corpus.sentences.set_index("sent_id").loc[gold["sent_id"]].reset_index()
    fs = sentence_features(sents, embedding, tax=tax, progress=progress)
    mit = read_mit(mit_path, tax)
    mit_emb = embed(mit["text"].tolist(), model=embedding, progress=progress)
    nlp = build_pipeline()
    mit_fs = featurize(list(nlp.pipe(mit["text"].tolist(), batch_size=256)), tax, mit_emb)
    return TrainingData(fs, gold, label_arrays(gold, tax), mit, mit_emb, corpus, mit_fs)


def mit_arrays(mit: pd.DataFrame, mit_emb: np.ndarray, tax: Taxonomy, rows=None, mit_fs: FeatureSet | None = None) -> dict:
    rows = np.arange(len(mit)) if rows is None else np.asarray(rows)
    dom_ids, sub_ids = tax.ids("risk_domain"), tax.ids("risk_subdomain")
    return {"emb": mit_emb[rows], "fs": None if mit_fs is None else mit_fs.subset(rows),
            "groups": mit["paper_id"].to_numpy()[rows],
            "domain": np.array([dom_ids.index(d) for d in mit["domain"].iloc[rows]]),
            "subdomain": np.array([sub_ids.index(s) if isinstance(s, str) and s in sub_ids else -1
                                   for s in mit["subdomain"].iloc[rows]])}


def fit_model(td: TrainingData, *, rows=None, mit_rows=None, **params) -> ExtractionModel:
    """Fit an :class:`ExtractionModel` on gold rows ``rows`` and MIT rows ``mit_rows`` (default: all)."""
    tax = load_taxonomy()
    rows = np.arange(len(td.fs)) if rows is None else np.asarray(rows)
    labels = {k: v[rows] for k, v in td.labels.items()}
    model = ExtractionModel(**params)
    return model.fit(td.fs.subset(rows), labels, mit_arrays(td.mit, td.mit_emb, tax, mit_rows, td.mit_fs))


def train(embedding: str = "minilm", out_dir: str | Path | None = None, *, progress: bool = False,
          **params) -> tuple[ExtractionModel, Path]:
    """Fit on all shipped training data and save to ``data/models/extract-<embedding>``."""
    from .model import model_dir
    td = load_training(embedding, progress=progress)
    model = fit_model(td, embedding=embedding, **params)
    meta = {"training": {"gold": str(GOLD_FILE.relative_to(config.PROJECT_ROOT)) if GOLD_FILE.is_relative_to(config.PROJECT_ROOT) else str(GOLD_FILE),
                         "mit": str(MIT_FILE.relative_to(config.PROJECT_ROOT)) if MIT_FILE.is_relative_to(config.PROJECT_ROOT) else str(MIT_FILE),
                         "gold_sha256": _sha(GOLD_FILE), "mit_sha256": _sha(MIT_FILE), "seed": config.SEED}}
    out = model.save(out_dir or model_dir(embedding), extra_meta=meta)
    return model, Path(out)


def _sha(path: Path) -> str:
    import hashlib
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).exists() else ""

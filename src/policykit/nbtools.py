"""Notebook-facing conveniences (used by the analysis notebooks in ``notebooks/``).

* :func:`setup` — deterministic display and no cache-dependent chatter (nbval compares outputs);
* :func:`load_corpus`, :func:`resolve_path`, :func:`first_existing`, :func:`describe_path` — a
  notebook's ``corpus`` / ``metadata`` parameters into a :class:`~policykit.corpus.Corpus`.
  Paths mean what the user typed: absolute, or relative to the working directory (the folder
  of the notebook in JupyterLab and nbval; ``policykit notebook`` makes path parameters absolute
  against the folder it was run from). A path that does not exist is an error naming it; nothing
  falls back to another corpus;
* :func:`evidence`, :func:`label_errors`, :func:`label_names`, :func:`group_sizes` — small views
  of library tables: the sentences behind a number (one column per facet, label names),
  disagreements with the gold, readable names;
* :func:`cross_validated`, :func:`cv_scores`, :func:`per_label_scores` — the out-of-fold
  predictions ``policykit train`` keeps beside the shipped model, scored per genre or label;
* :func:`cached`, :func:`fingerprint`, :func:`quiet` — expensive, deterministic results computed
  once per code/model/data version.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import warnings
from pathlib import Path
from typing import Callable, Iterator, Sequence

from . import config
from .errors import InputError

#: Environment set before any model loads, so that a run with cold caches prints exactly what a
#: run with warm caches prints (no weight-loading progress bars or load reports).
QUIET_ENV = {"TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}


def cache_dir() -> Path:
    """Folder of the tables :func:`cached` keeps (rebuildable, under ``config.interim_dir()``)."""
    return config.interim_dir() / "notebooks"


def setup(seed: int | None = None) -> None:
    """Everything a notebook needs before its first library call.

    Calls :func:`policykit.nb.setup_notebook` (deterministic plotly output, pandas display,
    seeds), sets :data:`QUIET_ENV` and silences tqdm's "IProgress not found" warning, so that the
    committed outputs do not depend on whether caches were warm.
    """
    for k, v in QUIET_ENV.items():
        os.environ.setdefault(k, v)
    try:
        from tqdm import TqdmWarning

        warnings.filterwarnings("ignore", category=TqdmWarning)
    except ImportError:  # pragma: no cover
        pass
    from .nb import setup_notebook

    setup_notebook(seed)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow printed output and warnings of a block (for steps whose chatter depends on cache
    state, e.g. a first-time model load)."""
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        yield


def fingerprint(*paths: str | os.PathLike) -> str:
    """A short hash of the bytes of every file under ``paths`` (files or folders; caches and
    byte-code skipped): changes whenever code, models or data a result depends on change."""
    h = hashlib.sha256()
    for p in paths:
        p = Path(p)
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            if "__pycache__" in f.parts or f.suffix == ".pyc" or not f.exists():
                continue
            h.update(str(f.relative_to(p) if p.is_dir() else f.name).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def cached(name: str, key: str, build: Callable[[], "object"]):
    """A DataFrame built once per ``key`` and kept as Parquet in :func:`cache_dir`.

    Use it for expensive, deterministic steps (cross-validation) with a ``key`` from
    :func:`fingerprint` of everything they depend on. ``build`` runs inside :func:`quiet`. The
    Parquet round trip is lossless for extraction tables (lists, dicts, nullable integers).
    """
    from .store import read_table, write_table

    path = cache_dir() / f"{name}-{key}.parquet"
    if path.is_file():
        return read_table(path)
    with quiet():
        df = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_table(df, path, "parquet")
    for old in cache_dir().glob(f"{name}-*.parquet"):  # results for earlier keys are stale
        if old != path and old.stem[len(name) + 1:].isalnum():
            old.unlink(missing_ok=True)
    return df


def resolve_path(path: str | os.PathLike) -> Path:
    """An existing path, absolute or relative to the working directory (``~`` expanded).

    Raises
    ------
    policykit.errors.InputError
        If it does not exist; the message names the full path looked for. There is no fallback
        to another folder.
    """
    p = Path(path).expanduser()
    full = p if p.is_absolute() else Path.cwd() / p
    if full.exists():
        return full.resolve()
    raise InputError(p, f"no such file or folder (looked for {full}; relative paths are relative to "
                        "the working directory)", "give an absolute path, or one relative to the "
                        "notebook's folder (or to where you ran `policykit notebook`)")


def first_existing(*paths: str | os.PathLike | None) -> Path | None:
    """The first of ``paths`` that exists (see :func:`resolve_path`), or None. Use it only to
    choose among *defaults*; a path the user gave goes through :func:`resolve_path`."""
    for p in paths:
        if p is None:
            continue
        try:
            return resolve_path(p)
        except InputError:
            continue
    return None


def describe_path(path: str | os.PathLike | None) -> str:
    """A path for display: relative to the project root when close to it (``data/raw/...``,
    ``../shared/data/...``), so the text is the same on every checkout; else absolute."""
    if path is None:
        return "the bundled report"
    p = Path(path).resolve()
    rel = os.path.relpath(p, config.PROJECT_ROOT)
    return rel if not rel.startswith(("../../", "..\\..\\")) else str(p)


def load_corpus(corpus: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
                metadata: str | os.PathLike | None = None, on_error: str = "raise"):
    """:func:`policykit.load` on a notebook's ``corpus`` / ``metadata`` parameters.

    ``corpus`` is None (the bundled report), a path, or a list of paths; relative paths are
    resolved with :func:`resolve_path` (a missing path raises; there is no fallback).
    """
    from . import load

    if corpus is None or (isinstance(corpus, str) and not corpus.strip()):
        return load()
    paths = [corpus] if isinstance(corpus, (str, os.PathLike)) else list(corpus)
    meta = resolve_path(metadata) if metadata else None
    return load([resolve_path(p) for p in paths], metadata=meta, on_error=on_error)


def groupings(documents, group_by: str | Sequence[str]) -> list[str]:
    """The columns of a notebook's ``group_by`` parameter that can group ``documents``.

    Columns that do not exist, or that no document has a value for, are skipped with a printed
    note (never silently). When none is usable the documents are compared one by one
    (``["doc_id"]``), as ``policykit report`` does.

    Parameters
    ----------
    documents : pandas.DataFrame
        The corpus's ``documents`` frame (or any frame carrying the document columns).
    group_by : str or sequence of str
        Requested grouping columns; the first usable one is the primary grouping.

    Returns
    -------
    list of str
    """
    from .compare._frames import usable_groupings

    by, notes = usable_groupings(documents, group_by)
    for note in notes:
        print(f"note: {note}")
    if not by:
        print("note: no usable grouping column: documents are compared one by one "
              "(set group_by to a metadata column, or pass a metadata sidecar)")
        by = ["doc_id"]
    return by


def group_sizes(documents, by: str):
    """Number of documents per group of ``by`` as a Series indexed by the group's display string
    (the strings every comparison table uses: ``"3"`` for chapter 3, ``"unknown"`` for missing)."""
    from .compare._frames import group_values

    return group_values(documents, by).value_counts().sort_index().rename("documents")


#: Wide-view facet columns shown by :func:`evidence` (column → facet).
EVIDENCE_FACETS = {"risk_domains": "risk_domain", "risk_subdomains": "risk_subdomain",
                   "instruments": "instrument", "addressees": "addressee"}


def evidence(wide, sent_ids, facet: str | None = None, label: str | None = None,
             columns: Sequence[str] = ("region", "chapter"), n_features: int = 3,
             facets: bool = True):
    """The sentences behind a number, with why they were labelled.

    Parameters
    ----------
    wide : pandas.DataFrame
        An extraction wide view (:func:`policykit.extract.extract`, or cross-validated
        predictions from :func:`policykit.evaluate.cross_validate`).
    sent_ids : iterable of str
        Sentence ids, e.g. a prevalence row's ``sent_ids`` or ``example_sent_id``.
    facet, label : str, optional
        ``role``, ``risk_domain``, ``risk_subdomain``, ``instrument`` or ``addressee`` and one of
        its labels: adds the label's ``score``, its rule ``cues`` (matched text) and the learned
        component's top ``features``.
    columns : sequence of str
        Metadata columns to show (those present).
    n_features : int
        Model features listed per sentence.
    facets : bool
        Add one column per facet (``risk_domains``, ``risk_subdomains``, ``instruments``,
        ``addressees``) with the sentence's labels by their taxonomy names, joined with "; ".

    Returns
    -------
    pandas.DataFrame
        ``sent_id, doc_id, <columns>, role, [<one column per facet>,] [score, cues, features,]
        text`` in this order.
    """
    import pandas as pd

    from .compare._frames import _as_list
    from .taxonomy import label_names as _names

    ids = list(dict.fromkeys(sent_ids))
    cols = ["sent_id", "doc_id"] + [c for c in dict.fromkeys(columns)
                                     if c in wide.columns and c not in ("sent_id", "doc_id", "role")] + ["role"]
    rows = wide.set_index("sent_id", drop=False).reindex(ids).dropna(subset=["sent_id"])
    out = rows[cols].reset_index(drop=True)
    if facets:
        for col, f in EVIDENCE_FACETS.items():
            if col in rows.columns:
                names = _names(f)
                out[col] = ["; ".join(names.get(str(l), str(l)) for l in _as_list(v)) for v in rows[col]]
    if facet is not None and label is not None:
        sc = [((s or {}).get(facet) or {}).get(label) for s in rows["scores"]]
        ev = [((e or {}).get(facet) or {}).get(label) or [] for e in rows["evidence"]]
        out["score"] = pd.array([None if v is None else round(float(v), 2) for v in sc], dtype="Float64")
        out["cues"] = [[x["text"] for x in items if x.get("kind") == "cue"] for items in ev]
        out["features"] = [[f"{f} ({w:.2f})" for x in items if x.get("kind") == "model"
                            for f, w in x.get("features", [])[:n_features]] for items in ev]
    out["text"] = rows["text"].to_numpy()
    return out


def label_errors(pred, gold, facet: str, label: str | None = None):
    """Sentences on which predictions and gold disagree about one label (or about the role).

    Parameters
    ----------
    pred : pandas.DataFrame
        Predicted wide view (e.g. the out-of-fold predictions of
        :func:`policykit.evaluate.cross_validate`).
    gold : pandas.DataFrame
        Gold labels in the same schema, aligned by ``sent_id``
        (:func:`policykit.evaluate.gold_frame`).
    facet : str
        ``role``, ``risk_domain``, ``risk_subdomain``, ``instrument`` or ``addressee``.
    label : str, optional
        The label (required unless ``facet == "role"``).

    Returns
    -------
    pandas.DataFrame
        ``sent_id, doc_id, error, predicted, gold, text``: ``error`` is ``false positive`` /
        ``false negative`` for a label, or ``gold → predicted`` for roles.
    """
    import pandas as pd

    from .extract.api import FACET_COLUMNS

    col = "role" if facet == "role" else FACET_COLUMNS[facet]
    m = pred[["sent_id", "doc_id", col, "text"]].merge(
        gold[["sent_id", col]].rename(columns={col: "gold"}), on="sent_id").rename(columns={col: "predicted"})
    if facet == "role":
        m = m[m["predicted"] != m["gold"]]
        err = [f"{g} → {p}" for g, p in zip(m["gold"], m["predicted"])]
    else:
        has_p = m["predicted"].map(lambda v: label in (v if isinstance(v, (list, tuple)) else list(v)))
        has_g = m["gold"].map(lambda v: label in (v if isinstance(v, (list, tuple)) else list(v)))
        m = m[has_p != has_g]
        err = ["false positive" if p else "false negative" for p in has_p[has_p != has_g]]
    out = m.assign(error=pd.Series(err, index=m.index, dtype=object))
    return out[["sent_id", "doc_id", "error", "predicted", "gold", "text"]].reset_index(drop=True)


def cross_validated(kind: str = "units", model: str = "accurate"):
    """The out-of-fold predictions written by ``policykit train`` beside the shipped model.

    Training cross-validates the extractor with folds of whole documents (5 folds over the
    report's dev essays and the governance documents; MIT descriptions grouped by framework)
    and keeps every held-out prediction, so the notebooks audit the extractor on text it was
    not fitted on without retraining it (training takes half an hour).

    Parameters
    ----------
    kind : {"units", "gold", "mit"}
        ``units``: one row per annotated sentence of the training data: ``unit_id, doc_id,
        sent_id, source_set, genre, doc_type, section, text, fold``, the gold ``role`` and label
        lists, and the decisions ``pred_role, pred_role_score, pred_role_rule, pred_risk_domains,
        pred_risk_subdomains, pred_instruments, pred_addressees``. ``gold``: the report's dev
        sentences as a predicted wide view (``sent_id, doc_id, role, role_score, risk_domains,
        risk_subdomains, instruments, addressees, text``) for :func:`label_errors`. ``mit``:
        ``paper_id, fold, domain, predicted, correct``.
    model : {"accurate", "fast"}
        The tier whose cross-validation to read (``minilm`` / ``static`` are accepted too).

    Raises
    ------
    InputError
        If the model directory has no out-of-fold predictions (a model trained elsewhere).
    """
    import pandas as pd

    from .extract.crossval import CV_MIT_FILE, CV_PREDICTIONS_FILE
    from .extract.training import MODEL_NAME, STUDENT_NAME

    tier = {"minilm": "accurate", "static": "fast"}.get(model, model)
    if tier not in ("accurate", "fast") or kind not in ("units", "gold", "mit"):
        raise InputError(None, f"unknown cross-validation {kind!r} of model {model!r}",
                         'use kind "units", "gold" or "mit" and model "accurate" or "fast"')
    d = config.MODELS_DIR / (MODEL_NAME if tier == "accurate" else STUDENT_NAME)
    path = d / (CV_MIT_FILE if kind == "mit" else CV_PREDICTIONS_FILE)
    if not path.exists():
        raise InputError(path, "no out-of-fold predictions beside the model",
                         "retrain the shipped model with `policykit train` (it writes them)")
    df = pd.read_parquet(path)
    for c in df.columns:  # Parquet list columns come back as arrays
        if c.endswith(("risk_domains", "risk_subdomains", "instruments", "addressees")):
            df[c] = df[c].map(lambda v: [] if v is None else [str(x) for x in v])
    if kind != "gold":
        return df
    rep = df[df["source_set"] == "report"].drop_duplicates("sent_id")
    out = pd.DataFrame({"sent_id": rep["sent_id"], "doc_id": rep["doc_id"], "role": rep["pred_role"],
                        "role_score": rep["pred_role_score"],
                        **{c: rep[f"pred_{c}"] for c in ("risk_domains", "risk_subdomains", "instruments",
                                                          "addressees")},
                        "text": rep["text"]})
    return out.reset_index(drop=True)


def cv_scores(units, by: str = "genre", min_sentences: int = 1):
    """Scorer metrics of out-of-fold predictions (``cross_validated("units")``) per group.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``by`` (plus ``all``): ``documents, sentences`` and the scorer's
        summary metrics (role macro-F1, micro-F1 per facet, document-level F1), rounded to 3
        decimals.
    """
    import pandas as pd

    from .evaluate import score_aligned

    def score(g):
        summ = score_aligned(*_cv_records(g))["summary"]
        return {"documents": int(g["doc_id"].nunique()), "sentences": int(len(g)),
                **{k: v for k, v in summ.items() if k.endswith("f1") or k.endswith("accuracy")}}

    rows = [{by: "all", **score(units)}]
    for key, g in units.groupby(by, sort=True):
        if len(g) >= min_sentences:
            rows.append({by: key, **score(g)})
    return pd.DataFrame(rows).set_index(by).round(3)


def per_label_scores(units):
    """Per-label precision, recall, F1 and support of out-of-fold predictions (scorer rules)."""
    from .evaluate import score_aligned

    return score_aligned(*_cv_records(units))["per_label"]


def cv_role_confusion(units):
    """Gold roles (rows) × predicted roles (columns) of out-of-fold predictions."""
    from .evaluate import score_aligned

    return score_aligned(*_cv_records(units))["role_confusion"]


def _cv_records(units) -> tuple[list[dict], list[dict]]:
    """Gold and predicted scorer records of ``cross_validated("units")`` rows."""
    facets = ("risk_domains", "risk_subdomains", "instruments", "addressees")
    gold = [{"essay_id": r["doc_id"], "role": r["role"], **{f: list(r[f]) for f in facets}}
            for r in units.to_dict("records")]
    pred = [{"role": r["pred_role"], **{f: list(r[f"pred_{f}"]) for f in facets}} for r in units.to_dict("records")]
    return gold, pred


def label_names(facet: str) -> dict[str, str]:
    """Label id → human-readable name for a facet of the shipped taxonomy (e.g. ``"6.1"`` →
    ``"Power centralization and unfair distribution of benefits"``); see
    :func:`policykit.taxonomy.label_names`."""
    from .taxonomy import label_names as _names

    return _names(facet)


def pct(value, decimals: int = 0) -> str:
    """A share as a percentage for findings text (``0.2914`` → ``"29%"``; NaN → ``"n/a"``)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if v != v else f"{100 * v:.{decimals}f}%"

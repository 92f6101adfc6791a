"""Run the extraction over a corpus of any size: incremental, streaming, local or on Dask.

:func:`extract_paths` (files and folders) works in two passes:

1. *scan*: read every document once (no segmentation), compute its key
   (:func:`~policykit.engine.dataset.doc_key`) and count its words; this chooses the tier for
   ``model="auto"`` and tells which documents are already stored for that model version.
   Texts are kept for pass 2 only while they fit in :data:`KEEP_TEXT_CHARS`.
2. *extract*: the documents not stored yet go, in batches of at most ``batch_words`` words
   (and :data:`MAX_BATCH_DOCS` documents), through read → segment → extract → write one part
   of the Parquet dataset. Peak memory is bounded by a batch, not by the corpus. With
   ``engine="dask"`` the batches are Dask tasks (:mod:`policykit.engine.worker`) on a local
   cluster of processes or an existing scheduler; they write the same dataset.

:func:`extract_corpus` does the same for a :class:`~policykit.corpus.Corpus` already in memory
(e.g. the bundled report), keyed by each document's sentences.

Both return an :class:`ExtractionRun`; :meth:`ExtractionRun.read` (or
:func:`read_extraction`) gives the wide table of :func:`policykit.extract.extract`.
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from ..errors import InputError
from .dataset import ExtractionDataset, doc_key
from .tiers import Tier, choose_tier, model_version
from .worker import documents_frame, extract_corpus_part, extract_sources_part

ENGINES = ("local", "dask")
#: Default words per batch (a batch is read, segmented, extracted and written at once).
BATCH_WORDS = 100_000
#: At most this many documents per batch.
MAX_BATCH_DOCS = 200
#: Texts read in the scan are kept for the extraction pass up to this many characters in all.
KEEP_TEXT_CHARS = 200_000_000


@dataclass
class ExtractionRun:
    """What a run extracted and where the results are.

    Attributes
    ----------
    dataset : ExtractionDataset
        The stored results (of ``version``).
    documents : pandas.DataFrame
        The corpus's documents table, in corpus order, with ``doc_key`` added.
    tier : Tier
    version : str
        Model version keying the results.
    reason : str
        Why this tier (e.g. ``"auto: 1,790,547 words >= 300,000"``).
    n_new, n_reused : int
        Documents extracted by this run, and found already stored.
    engine : str
    timings : dict
        Seconds: ``scan``, ``extract`` (wall time of the extraction pass), and summed over
        batches ``read``, ``segment``, ``extract_cpu``, ``write``, ``load``.
    skipped : list of (str, str)
        Inputs skipped with ``on_error="skip"``.
    parts : list of dict
        Per-batch reports from :mod:`policykit.engine.worker`.
    """

    dataset: ExtractionDataset
    documents: pd.DataFrame
    tier: Tier
    version: str
    reason: str
    n_new: int
    n_reused: int
    engine: str = "local"
    timings: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    parts: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def n_words(self) -> int:
        return int(self.documents["n_words"].sum()) if len(self.documents) else 0

    def read(self, columns: Sequence[str] | None = None, decode: bool = True) -> pd.DataFrame:
        """The wide extraction table (see :meth:`ExtractionDataset.read`)."""
        wide = self.dataset.read(self.documents, columns=columns, decode=decode)
        wide.attrs["model_version"] = self.version
        wide.attrs["source"] = f"policykit extraction, {self.tier.name} tier ({self.version})"
        return wide

    def iter_read(self, batch_docs: int = 200, columns: Sequence[str] | None = None,
                  decode: bool = True):
        """The wide table in chunks of ``batch_docs`` documents (corpus order), for outputs
        larger than memory."""
        for i in range(0, len(self.documents), batch_docs):
            yield self.dataset.read(self.documents.iloc[i:i + batch_docs], columns=columns, decode=decode)

    def summary(self) -> str:
        """One line for the log: tier, reason, new and reused documents."""
        return (f"model: {self.tier.describe()} [{self.reason}]; version {self.version}; "
                f"{self.n_new} document(s) extracted, {self.n_reused} reused from {self.dataset.dir}")


def read_extraction(run: ExtractionRun | None = None, *, documents: pd.DataFrame | None = None,
                    version: str | None = None, root: str | Path | None = None,
                    columns: Sequence[str] | None = None, decode: bool = True) -> pd.DataFrame:
    """The wide extraction table from the stored results, without extracting anything.

    Parameters
    ----------
    run : ExtractionRun, optional
        A run's result (the usual way).
    documents, version, root : optional
        Or: a documents table with ``doc_key`` (e.g. ``run.documents`` saved earlier), the model
        version and the dataset root.
    columns : sequence of str, optional
        Only these wide-table columns (e.g. without ``evidence``, which is most of the memory).
    decode : bool
        Decode ``scores`` and ``evidence`` from JSON.

    Returns
    -------
    pandas.DataFrame
        The table :func:`policykit.extract.extract` returns, for topics, comparisons and reports.
    """
    if run is not None:
        return run.read(columns=columns, decode=decode)
    if documents is None or version is None:
        raise ValueError("read_extraction needs a run, or documents and version")
    return ExtractionDataset(version, root).read(documents, columns=columns, decode=decode)


# ----------------------------------------------------------------------------- sources
def collect_sources(paths, metadata=None, on_error: str = "raise", limit: int | None = None):
    """Sources (files with doc_id and metadata) of the inputs, as :func:`policykit.load` finds them.

    Returns
    -------
    (list of Source, collector)
        The collector has ``report`` (the bundled report was named), ``skipped``, ``notes``.
    """
    import importlib
    L = importlib.import_module("policykit.corpus.load")  # the module (policykit.corpus.load is also a function)

    if hasattr(L, "collect_sources"):  # the corpus package's own, when it has one
        return L.collect_sources(paths, metadata=metadata, on_error=on_error, limit=limit)
    path_list = L._as_paths(paths)
    sidecar = L.read_sidecar(Path(metadata).expanduser()) if metadata is not None else None
    col = L._Collector(on_error)
    for p in path_list:
        col.add(p)
    sources = L._dedupe(col.sources)
    if sidecar is not None:
        L._apply_sidecar(sources, sidecar)
    sources = L._check_duplicates(sources, col)
    if limit is not None:
        sources = sources[:limit]
    return sources, col


def _batches(items: Sequence, words: Sequence[int], batch_words: int, max_docs: int = MAX_BATCH_DOCS):
    batch, n = [], 0
    for it, w in zip(items, words):
        if batch and (n + w > batch_words or len(batch) >= max_docs):
            yield batch
            batch, n = [], 0
        batch.append(it)
        n += w
    if batch:
        yield batch


def _say(log: Callable[[str], None] | None, msg: str) -> None:
    if log is not None:
        log(msg)


# ----------------------------------------------------------------------------- executors
class _Local:
    name = "local"

    def map(self, fn, units, progress: bool, total_words: int):
        from tqdm.auto import tqdm
        with tqdm(total=total_words, unit="word", unit_scale=True, desc="extract", disable=not progress,
                  leave=False, file=sys.stderr) as bar:
            for u in units:
                res = fn(*u)
                bar.update(res["n_words"])
                yield res

    def close(self):
        pass


class _Dask:
    name = "dask"

    def __init__(self, scheduler: str | None, workers: int | None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - depends on the environment
            raise InputError(None, "--engine dask needs the dask[distributed] package",
                             "pip install 'dask[distributed]'") from None
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=int(workers or 2), threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)

    def map(self, fn, units, progress: bool, total_words: int):
        from distributed import as_completed
        from tqdm.auto import tqdm
        futures = [self.client.submit(fn, *u, pure=False, key=f"policykit-extract-{i}-{_unit_key(u)}")
                   for i, u in enumerate(units)]
        with tqdm(total=total_words, unit="word", unit_scale=True, desc="extract (dask)", disable=not progress,
                  leave=False, file=sys.stderr) as bar:
            for fut in as_completed(futures):
                res = fut.result()
                bar.update(res["n_words"])
                yield res

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _unit_key(u) -> str:
    keys = u[1] if isinstance(u[1], (list, tuple)) else list(u[1].values())
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()[:12]


def _executor(engine: str, scheduler: str | None, workers: int | None):
    if engine not in ENGINES:
        raise InputError(None, f"unknown engine {engine!r}", "use --engine local or dask")
    if engine == "local":
        if scheduler or workers:
            raise InputError(None, "--scheduler and --workers need --engine dask", "add --engine dask")
        return _Local()
    return _Dask(scheduler, workers)


def _sum_seconds(parts: list[dict]) -> dict:
    out: dict[str, float] = {}
    for p in parts:
        for k, v in p["seconds"].items():
            out[k] = out.get(k, 0.0) + float(v)
    return out


# ----------------------------------------------------------------------------- entry points
def extract_paths(paths, *, metadata=None, on_error: str = "raise", limit: int | None = None,
                  model: str = "auto", encoder: str | None = None, model_dir: str | Path | None = None,
                  thresholds: dict | str | None = None, engine: str = "local", scheduler: str | None = None,
                  workers: int | None = None, root: str | Path | None = None, batch_words: int = BATCH_WORDS,
                  progress: bool = False, log: Callable[[str], None] | None = None) -> ExtractionRun:
    """Extract files and folders into the stored dataset, extracting only what is not stored.

    Parameters
    ----------
    paths : str, Path or list of them
        As for :func:`policykit.load` (files, folders, AGORA and governance collections). With
        no paths (``None`` or ``[]``) the bundled report is extracted via :func:`extract_corpus`.
    metadata, on_error, limit
        As for :func:`policykit.load`.
    model : {"auto", "fast", "accurate"}
        The tier; ``auto`` chooses by the corpus's word count
        (:data:`~policykit.engine.tiers.AUTO_ACCURATE_MAX_WORDS`).
    encoder : {"onnx", "torch"}, optional
        MiniLM encoder of the accurate tier (default ``onnx``).
    model_dir : path, optional
        A model directory written by ``policykit train --out`` instead of a tier.
    thresholds : dict or path, optional
        Overrides of ``data/models/thresholds.yaml`` (part of the model version).
    engine : {"local", "dask"}
        One process, or Dask tasks (one per batch of documents).
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``); else a ``LocalCluster``
        of ``workers`` processes (default 2) with one thread each is started and stopped.
    workers : int, optional
    root : path, optional
        Dataset folder (default ``config.processed_dir()/extraction``); on a cluster it must be
        a folder every worker can write.
    batch_words : int
        Words per batch (bounds memory; on Dask, the unit of work).
    progress : bool
        Progress bars on stderr.
    log : callable, optional
        Receives one-line messages (the CLI prints them on stderr).

    Returns
    -------
    ExtractionRun
    """
    from ..corpus.build import documents_row
    from ..corpus.load import read_sources

    if not paths:
        from ..corpus import load as load_corpus
        corpus = load_corpus(None)
        return extract_corpus(corpus, model=model, encoder=encoder, model_dir=model_dir, thresholds=thresholds,
                              engine=engine, scheduler=scheduler, workers=workers, root=root,
                              batch_words=batch_words, progress=progress, log=log)
    t0 = time.perf_counter()
    sources, col = collect_sources(paths, metadata=metadata, on_error=on_error, limit=limit)
    skipped = list(col.skipped)
    if getattr(col, "report", False):
        raise InputError(None, "the bundled report cannot be mixed with other inputs here",
                         "extract it on its own (no PATHS) or pass only your files")
    # pass 1: read, key and count every document (texts kept while they fit)
    scanned = []  # (source, raw_doc or None, key, words)
    kept_chars = 0
    from tqdm.auto import tqdm
    for src in tqdm(sources, desc="reading", unit="file", disable=not progress, leave=False, file=sys.stderr):
        got = read_sources([src], on_error=on_error, progress=False, skipped=skipped)
        if not got:
            continue
        raw = got[0]
        key = doc_key(raw.doc_id, raw.text)
        words = len(raw.text.split())
        keep = kept_chars + len(raw.text) <= KEEP_TEXT_CHARS
        kept_chars += len(raw.text) if keep else 0
        scanned.append((src, raw if keep else _strip(raw), key, words, keep))
    if not scanned:
        detail = "\n".join(f"  {p}: {r}" for p, r in skipped)
        raise InputError(None, f"none of the inputs could be read:\n{detail}", "fix or remove the inputs listed above")
    t_scan = time.perf_counter() - t0
    total_words = sum(s[3] for s in scanned)
    tier, reason = choose_tier(model, total_words, encoder=encoder, model_dir=model_dir)
    from ..extract.decide import load_thresholds
    th = load_thresholds(thresholds)  # the effective thresholds key the model version
    user_th = str(thresholds) if isinstance(thresholds, Path) else thresholds  # what extract() is given
    version = model_version(tier, thresholds)
    ds = ExtractionDataset(version, root)
    _say(log, f"model: {tier.describe()} [{reason}]")
    todo_keys = set(ds.missing(s[2] for s in scanned))
    todo = [s for s in scanned if s[2] in todo_keys]
    n_reused = len(scanned) - len(todo)
    _say(log, f"{len(scanned)} documents, {total_words:,} words: {len(todo)} to extract, {n_reused} already "
              f"stored ({ds.dir})")
    # pass 2: extract what is missing, batch by batch
    parts: list[dict] = []
    t1 = time.perf_counter()
    if todo:
        ex = _executor(engine, scheduler, workers)
        try:
            if ex.name == "local":
                units = (_local_unit(b, tier, user_th, ds, version) for b in _batches(todo, [s[3] for s in todo], batch_words))
                fn = _run_local_unit
            else:
                units = [([s[0] for s in b], [s[2] for s in b], tier, user_th, str(ds.root), version)
                         for b in _batches(todo, [s[3] for s in todo], batch_words)]
                fn = extract_sources_part
            for res in ex.map(fn, units, progress, sum(s[3] for s in todo)):
                parts.append(res)
        finally:
            ex.close()
        ds.index(refresh=True)
    t_extract = time.perf_counter() - t1
    # the documents table: current metadata + stored segmentation counts
    stats = ds.doc_stats([s[2] for s in scanned]).set_index("doc_key")
    rows = []
    for src, raw, key, words, _keep in scanned:
        st = stats.loc[key]
        rows.append(documents_row(raw, int(st["n_paragraphs"]), int(st["n_sentences"]), int(st["n_words"])))
    documents = documents_frame(rows)
    documents.insert(1, "doc_key", [s[2] for s in scanned])
    timings = {"scan": t_scan, "extract": t_extract, **{f"sum_{k}": v for k, v in _sum_seconds(parts).items()}}
    run = ExtractionRun(ds, documents, tier, version, reason, len(todo), n_reused, ex.name if todo else engine,
                        timings, skipped, parts)
    try:
        ds.register(documents)
    except Exception as exc:  # DuckDB is a convenience: never fail the run for it
        run.notes.append(f"DuckDB views not updated ({type(exc).__name__}: {exc})")
    return run


def _strip(raw):
    """A RawDocument without its text (re-read in pass 2); documents_row needs no text."""
    from dataclasses import replace
    return replace(raw, text="")


def _local_unit(batch, tier, th, ds, version):
    return (batch, tier, th, ds, version)


def _run_local_unit(batch, tier, th, ds, version) -> dict:
    """Local batch: reuse the texts kept from the scan, re-read the others."""
    from ..corpus.build import build_corpus
    from ..corpus.load import read_sources

    t0 = time.perf_counter()
    raws = [s[1] for s in batch]
    reread = [i for i, s in enumerate(batch) if not s[4]]
    if reread:
        again = read_sources([batch[i][0] for i in reread], on_error="raise", progress=False)
        for i, r in zip(reread, again):
            raws[i] = r
    keys = {}
    for r, s in zip(raws, batch):
        k = doc_key(r.doc_id, r.text) if not s[4] else s[2]
        if k != s[2]:
            raise RuntimeError(f"{r.source_path} changed while it was being extracted; run again")
        keys[r.doc_id] = k
    t1 = time.perf_counter()
    corpus = build_corpus(raws)
    t2 = time.perf_counter()
    res = extract_corpus_part(corpus, keys, tier, th, ds.root, version)
    res["seconds"].update(read=t1 - t0, segment=t2 - t1)
    return res


def corpus_doc_keys(corpus) -> dict[str, str]:
    """Keys of an in-memory corpus's documents.

    A document with a raw text of its own (every file-based document) gets the key
    :func:`extract_paths` gives it (id + text + segmentation version), so ``policykit extract``
    and ``policykit report`` share stored results. Documents sharing one raw text (the bundled
    report's 32 essays) are keyed by their sentences (section, offsets, text) instead.
    """
    docs = corpus.documents
    src = docs["source_path"].astype(str) if "source_path" in docs else pd.Series([""] * len(docs))
    shared = set(src[src.duplicated(keep=False)])
    keys: dict[str, str] = {}
    by_doc = {str(d): df for d, df in corpus.sentences.groupby("doc_id", sort=False)}
    cols = ["section", "start", "end", "text"]
    for doc_id, path in zip(docs["doc_id"].astype(str), src):
        if path not in shared:
            keys[doc_id] = doc_key(doc_id, corpus.raw(doc_id))
            continue
        df = by_doc.get(doc_id)
        payload = "" if df is None else "\x1e".join(
            "\x1f".join(str(v) for v in row) for row in df[cols].itertuples(index=False))
        keys[doc_id] = "s" + doc_key(doc_id, payload)[1:]
    return keys


def extract_corpus(corpus, *, model: str = "auto", encoder: str | None = None, model_dir: str | Path | None = None,
                   thresholds: dict | str | None = None, engine: str = "local", scheduler: str | None = None,
                   workers: int | None = None, root: str | Path | None = None, batch_words: int = BATCH_WORDS,
                   progress: bool = False, log: Callable[[str], None] | None = None) -> ExtractionRun:
    """Like :func:`extract_paths` for a corpus already in memory (same store, same tiers).

    Documents are keyed by their sentences, so an unchanged document is never extracted twice.
    """
    t0 = time.perf_counter()
    n_words = int(corpus.sentences["n_words"].sum()) if len(corpus.sentences) else 0
    tier, reason = choose_tier(model, n_words, encoder=encoder, model_dir=model_dir)
    from ..extract.decide import load_thresholds
    th = load_thresholds(thresholds)  # the effective thresholds key the model version
    user_th = str(thresholds) if isinstance(thresholds, Path) else thresholds  # what extract() is given
    version = model_version(tier, thresholds)
    ds = ExtractionDataset(version, root)
    _say(log, f"model: {tier.describe()} [{reason}]")
    keys = corpus_doc_keys(corpus)
    order = [str(d) for d in corpus.doc_ids]
    missing = set(ds.missing(keys[d] for d in order))
    todo = [d for d in order if keys[d] in missing]
    words = corpus.sentences.groupby("doc_id")["n_words"].sum()
    parts: list[dict] = []
    t1 = time.perf_counter()
    if todo:
        ex = _executor(engine, scheduler, workers)
        try:
            units = [(corpus.subset(b), {d: keys[d] for d in b}, tier, user_th, str(ds.root), version)
                     for b in _batches(todo, [int(words.get(d, 0)) for d in todo], batch_words)]
            for res in ex.map(extract_corpus_part, units, progress, sum(int(words.get(d, 0)) for d in todo)):
                parts.append(res)
        finally:
            ex.close()
        ds.index(refresh=True)
    documents = corpus.documents.copy()
    documents.insert(1, "doc_key", [keys[str(d)] for d in documents["doc_id"]])
    timings = {"scan": t1 - t0, "extract": time.perf_counter() - t1,
               **{f"sum_{k}": v for k, v in _sum_seconds(parts).items()}}
    run = ExtractionRun(ds, documents, tier, version, reason, len(todo), len(order) - len(todo), engine, timings,
                        [], parts)
    try:
        ds.register(documents)
    except Exception as exc:  # pragma: no cover - DuckDB is a convenience
        run.notes.append(f"DuckDB views not updated ({type(exc).__name__}: {exc})")
    return run

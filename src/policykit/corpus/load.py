"""``policykit.load``: files, folders and collections into one :class:`Corpus`.

>>> import policykit as pk
>>> report = pk.load()                                          # doctest: +SKIP
>>> agora = pk.load("../shared/data/agora")                     # doctest: +SKIP
>>> mine = pk.load(["texts/", "extra.pdf"], metadata="meta.csv", on_error="skip")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from ..errors import InputError
from .collections import agora_sources, governance_sources, is_agora_folder, is_governance_folder
from .model import Corpus, RawDocument
from .readers import SUPPORTED_SUFFIXES, Source, read_document
from .sidecar import Sidecar, read_sidecar, unmatched_note

log = logging.getLogger("policykit.load")

ON_ERROR = ("raise", "skip")
#: File names a folder walk ignores (pass such a file explicitly to read it).
IGNORED_NAMES = ("readme", "source", "sources", "license", "licence", "changelog", "notice")
#: Show a progress bar from this many files on (``progress=None``).
PROGRESS_MIN_FILES = 50


class SkippedInputWarning(UserWarning):
    """Some inputs could not be read and were skipped (``on_error="skip"``)."""


@dataclass
class LoadSummary:
    """What :func:`load` read.

    Attributes
    ----------
    files_in : int
        Document files attempted (a collection counts its full-text files; the bundled report is one file).
    documents_out : int
        Documents in the corpus.
    skipped : list of (str, str)
        ``(path, reason)`` of every input skipped with ``on_error="skip"``.
    ignored : list of str
        Files in folders that were not read (unsupported suffix, README/SOURCE/LICENSE files).
    notes : list of str
        Other remarks (e.g. collection index rows without a full text, sidecar rows matching nothing).
    encodings : dict
        Encoding or extractor → number of documents.
    seconds : float
        Wall time of the load.
    """

    files_in: int = 0
    documents_out: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encodings: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        enc = ", ".join(f"{k} {v}" for k, v in sorted(self.encodings.items()))
        s = (f"read {self.files_in} file(s) -> {self.documents_out} document(s), "
             f"{len(self.skipped)} skipped, {self.seconds:.1f} s")
        if enc:
            s += f" [{enc}]"
        if self.ignored:
            s += f"; {len(self.ignored)} other file(s) in folders ignored"
        return s

    def skipped_report(self) -> str:
        """One line per skipped input: path and reason."""
        return "\n".join(f"  {p}: {r}" for p, r in self.skipped)


# --------------------------------------------------------------------------- collecting sources
def _as_paths(paths) -> list[Path]:
    """Input paths as given (``~`` expanded); relative paths are relative to the current folder."""
    if paths is None:
        return []
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths).expanduser()]
    return [Path(p).expanduser() for p in paths]


def _where(p: Path) -> str:
    """Where a relative path was looked for (for error messages)."""
    if p.is_absolute():
        return ""
    try:
        return f" (looked for {Path.cwd() / p}; relative paths are relative to the current folder)"
    except OSError:
        return ""


def _ignored_name(p: Path) -> bool:
    return p.name.startswith((".", "~$")) or p.stem.lower() in IGNORED_NAMES


def _is_report(p: Path) -> bool:
    from .. import config

    try:
        return config.REPORT_RAW.exists() and p.is_file() and p.samefile(config.REPORT_RAW)
    except OSError:
        return False


class _Collector:
    """Turns paths into Sources, recording errors, ignored files and notes."""

    def __init__(self, on_error: str):
        self.on_error = on_error
        self.sources: list[Source] = []
        self.skipped: list[tuple[str, str]] = []
        self.ignored: list[str] = []
        self.notes: list[str] = []
        self.report = False
        self.n_errors_files = 0

    def fail(self, err: InputError) -> None:
        if self.on_error == "raise":
            raise err
        self.skipped.append((err.path or "", _reason(err)))

    def add_collection(self, folder: Path, kind: str) -> None:
        try:
            sources, notes = agora_sources(folder) if kind == "agora" else governance_sources(folder)
        except InputError as err:
            self.fail(err)
            return
        self.sources.extend(sources)
        self.notes.extend(notes)

    def add_folder(self, folder: Path) -> None:
        before = len(self.sources) + len(self.skipped)
        for root, dirs, files in os.walk(folder):
            rootp = Path(root)
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
            keep = []
            for d in dirs:
                sub = rootp / d
                if is_agora_folder(sub):
                    self.add_collection(sub, "agora")
                elif is_governance_folder(sub):
                    self.add_collection(sub, "governance")
                else:
                    keep.append(d)
            dirs[:] = keep
            for name in sorted(files):
                p = rootp / name
                if p.suffix.lower() in SUPPORTED_SUFFIXES and not _ignored_name(p):
                    self.sources.append(Source(p, p.stem, {}))
                else:
                    self.ignored.append(str(p))
        if len(self.sources) + len(self.skipped) == before:
            self.fail(InputError(folder, "the folder holds no readable documents",
                                 "put .txt, .md, .html, .pdf or .docx files in it (other files are ignored), "
                                 "or pass an AGORA folder (documents.csv + fulltext/) or a folder with index.csv"))

    def add(self, p: Path) -> None:
        if not p.exists():
            self.n_errors_files += 1
            self.fail(InputError(p, "no such file or folder" + _where(p),
                                 "check the path (typo? relative to the current folder?)"))
        elif p.is_dir():
            if is_agora_folder(p):
                self.add_collection(p, "agora")
            elif is_governance_folder(p):
                self.add_collection(p, "governance")
            else:
                self.add_folder(p)
        elif _is_report(p):
            self.report = True
        elif p.suffix.lower() in SUPPORTED_SUFFIXES:
            self.sources.append(Source(p, p.stem, {}))
        else:
            self.n_errors_files += 1
            self.fail(InputError(p, f"unsupported file type {p.suffix or '(no suffix)'!r}",
                                 "pass .txt, .md, .html/.htm, .pdf or .docx files (or a folder of them); "
                                 "a metadata table goes to --metadata"))


def _reason(err: InputError) -> str:
    return err.problem + (f" (fix: {err.fix})" if err.fix else "")


def _dedupe(sources: list[Source]) -> list[Source]:
    seen: set = set()
    out = []
    for s in sources:
        try:
            key = s.path.resolve()
        except OSError:
            key = s.path
        if key in seen:
            continue
        seen.add(key)
        out.append(s)
    return out


def _apply_sidecar(sources: list[Source], sidecar: Sidecar) -> None:
    for src in sources:
        row = sidecar.match(src.path, src.doc_id)
        if row is None:
            continue
        row.matched = True
        if row.doc_id is not None:
            src.doc_id = row.doc_id
        src.metadata.update(row.metadata)


def _check_duplicates(sources: list[Source], col: _Collector) -> list[Source]:
    first: dict[str, Source] = {}
    out = []
    for s in sources:
        if s.doc_id in first:
            col.fail(InputError(s.path, f"duplicate doc_id {s.doc_id!r} (also the id of {first[s.doc_id].path})",
                                "give every document a unique doc_id: rename one file, or set doc_id per file "
                                "in a metadata sidecar with a `file` column"))
            continue
        first[s.doc_id] = s
        out.append(s)
    return out


# --------------------------------------------------------------------------- reading
def _read_one(src: Source) -> RawDocument:
    res = read_document(src.path)
    meta = dict(src.metadata)
    if not meta.get("title") and res.title:
        meta["title"] = res.title
    return RawDocument(doc_id=src.doc_id, text=res.text, source_path=str(src.path), metadata=meta,
                       sha256=res.sha256, encoding=res.encoding)


def read_sources(sources: Sequence[Source], on_error: str = "raise", progress: bool | None = None,
                 skipped: list | None = None) -> list[RawDocument]:
    """Read every source into a :class:`RawDocument` (with a progress bar for many files).

    Parameters
    ----------
    sources : sequence of Source
    on_error : {"raise", "skip"}
        Raise the first :class:`InputError`, or append ``(path, reason)`` to ``skipped`` and go on.
    progress : bool, optional
        Show a tqdm bar; default: from :data:`PROGRESS_MIN_FILES` files on.
    skipped : list, optional
        Receives ``(path, reason)`` of skipped inputs.
    """
    if progress is None:
        progress = len(sources) >= PROGRESS_MIN_FILES
    it: Iterable[Source] = sources
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(sources, desc="reading", unit="file", leave=False)
    out = []
    for src in it:
        try:
            out.append(_read_one(src))
        except InputError as err:
            if on_error == "raise":
                raise
            if skipped is not None:
                skipped.append((str(err.path or src.path), _reason(err)))
    return out


def concat_corpora(corpora: Sequence[Corpus]) -> Corpus:
    """One corpus from several (doc_ids must be unique across them)."""
    corpora = [c for c in corpora if c is not None]
    if len(corpora) == 1:
        return corpora[0]
    docs = pd.concat([c.documents for c in corpora], ignore_index=True)
    dup = docs["doc_id"][docs["doc_id"].duplicated()]
    if len(dup):
        raise InputError(None, f"duplicate doc_id(s) across inputs: {', '.join(map(str, dup.unique()[:10]))}",
                         "give every document a unique doc_id (rename files or use a metadata sidecar)")
    raw: dict[str, str] = {}
    for c in corpora:
        raw.update(c.raw_texts)
    return Corpus(docs, pd.concat([c.paragraphs for c in corpora], ignore_index=True),
                  pd.concat([c.sentences for c in corpora], ignore_index=True), raw)


# --------------------------------------------------------------------------- cache
#: Number of built corpora kept in ``data/interim/corpus/``.
CACHE_KEEP = 8
_TABLES = ("documents", "paragraphs", "sentences")


def _code_parts() -> list:
    """Everything besides the inputs that shapes the tables: the code and rules that build them."""
    import spacy

    from . import build, model, readers, segment
    from . import encoding, layout, markup  # reading and layout rules (issue 14)

    return [Path(m.__file__) for m in (build, model, readers, segment)] + [Path(segment.RULES_PATH),
                                                                           spacy.__version__] + \
        [Path(m.__file__) for m in (encoding, layout, markup)] + [Path(layout.LAYOUT_RULES_PATH),
                                                                  Path(markup.HTML_RULES_PATH)]


def corpus_key(raw_docs: Sequence[RawDocument]) -> str:
    """Content key of the corpus built from ``raw_docs`` (inputs + segmentation code and rules)."""
    from ..store import content_key

    docs = [[d.doc_id, d.sha256, d.encoding, d.source_path, len(d.text), d.metadata] for d in raw_docs]
    return content_key(docs, *_code_parts())


def _cache_dir() -> Path:
    from .. import config

    return config.interim_dir() / "corpus"


def _cache_get(key: str, raw_docs: Sequence[RawDocument]) -> Corpus | None:
    from ..store import read_table

    folder = _cache_dir()
    paths = [folder / f"{key}-{t}.parquet" for t in _TABLES]
    if not all(p.is_file() for p in paths):
        return None
    try:
        docs, paras, sents = (read_table(p) for p in paths)
    except Exception as exc:  # a damaged cache file: rebuild
        log.warning("ignoring unreadable corpus cache %s (%s)", folder, exc)
        return None
    now = time.time()
    for p in paths:
        os.utime(p, (now, now))
    return Corpus(docs, paras, sents, {d.source_path: d.text for d in raw_docs})


def _cache_put(key: str, corpus: Corpus) -> None:
    from ..store import write_table

    folder = _cache_dir()
    try:
        for t in _TABLES:
            write_table(getattr(corpus, t), folder / f"{key}-{t}.parquet", "parquet")
        files = sorted(folder.glob("*-documents.parquet"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[CACHE_KEEP:]:
            k = old.name[: -len("-documents.parquet")]
            for t in _TABLES:
                (folder / f"{k}-{t}.parquet").unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not write the corpus cache in %s (%s)", folder, exc)


#: Documents segmented per call of ``build_corpus`` when a progress bar is shown.
BUILD_CHUNK = 25


def _build(raw_docs: Sequence[RawDocument], progress: bool) -> Corpus:
    from .build import build_corpus

    if not progress or len(raw_docs) <= BUILD_CHUNK:
        return build_corpus(raw_docs)
    from tqdm.auto import tqdm

    parts = []
    with tqdm(total=len(raw_docs), desc="segmenting", unit="doc", leave=False) as bar:
        for i in range(0, len(raw_docs), BUILD_CHUNK):
            chunk = raw_docs[i:i + BUILD_CHUNK]
            parts.append(build_corpus(chunk))
            bar.update(len(chunk))
    return concat_corpora(parts)


def build_cached(raw_docs: Sequence[RawDocument], cache: bool = True, progress: bool = False) -> Corpus:
    """:func:`~policykit.corpus.build.build_corpus`, reusing tables cached in ``data/interim/corpus/``.

    The key covers every document's id, file hash, encoding, path, text length and metadata,
    plus the bytes of the building code and segmentation rules, so any change rebuilds.
    With ``progress``, documents are segmented in chunks under one progress bar.
    """
    raw_docs = list(raw_docs)
    if not cache:
        return _build(raw_docs, progress)
    key = corpus_key(raw_docs)
    corpus = _cache_get(key, raw_docs)
    if corpus is not None:
        log.info("reused cached corpus tables %s", key)
        return corpus
    corpus = _build(raw_docs, progress)
    _cache_put(key, corpus)
    return corpus


# --------------------------------------------------------------------------- load
def load(paths=None, metadata=None, on_error: str = "raise", limit: int | None = None,
         progress: bool | None = None, cache: bool = True) -> Corpus:
    """Load documents into a :class:`Corpus`.

    Parameters
    ----------
    paths : str, Path, or list of them, optional
        Files (``.txt``, ``.md``, ``.html``/``.htm``, ``.pdf``, ``.docx``) and folders (read
        recursively; hidden files and README/SOURCE/LICENSE files skipped). A folder with
        ``documents.csv`` + ``fulltext/`` is read as an AGORA collection, a folder with an
        ``index.csv`` (``slug, title, ...``) as a governance-texts collection; such folders are
        also recognised inside other folders. ``None`` (or empty) loads the bundled report
        (32 documents); the report's file among ``paths`` also loads it as 32 documents.
    metadata : str or Path, optional
        A metadata sidecar (CSV or YAML; see :mod:`policykit.corpus.sidecar`). Its values
        override metadata from files and collection indexes. Rows that match no input are
        reported in a warning.
    on_error : {"raise", "skip"}
        ``"raise"`` stops at the first bad input with an :class:`~policykit.errors.InputError`;
        ``"skip"`` skips bad inputs (missing paths, empty, binary or undecodable files, PDFs
        without text, duplicate doc_ids), warns once with a list of them and their reasons
        (:class:`SkippedInputWarning`), and loads the rest. Sidecar errors always raise.
    limit : int, optional
        Read only the first ``limit`` documents (in path order; collections in index order).
    progress : bool, optional
        Progress bars; default: on from 50 files.
    cache : bool
        Reuse the tables of an identical earlier build (same files, metadata, code and rules)
        from ``data/interim/corpus/``; files are always read (and checked) again.

    Returns
    -------
    Corpus
        With ``corpus.load_summary`` (:class:`LoadSummary`): files in, documents out,
        skipped inputs, encodings and timing (also logged to ``policykit.load`` at INFO).

    Raises
    ------
    InputError
        For bad inputs (``on_error="raise"``), a bad sidecar, or when no input is usable.
    """
    from .wfeo import load_report

    t0 = time.perf_counter()
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    path_list = _as_paths(paths)
    sidecar = read_sidecar(Path(metadata).expanduser()) if metadata is not None else None

    col = _Collector(on_error)
    if not path_list:
        col.report = True
    for p in path_list:
        col.add(p)
    sources = _dedupe(col.sources)
    if sidecar is not None:
        if not sources:
            raise InputError(sidecar.path, "a metadata sidecar applies to input PATHS, but none were given "
                             "(the bundled report has its own metadata)", "pass the documents it describes")
        _apply_sidecar(sources, sidecar)
    n_before = len(sources)
    sources = _check_duplicates(sources, col)
    n_dups = n_before - len(sources)
    if limit is not None:
        sources = sources[:limit]
    if sidecar is not None and limit is None:
        note = unmatched_note(sidecar, sources)
        if note:
            col.notes.append(note)
            warnings.warn(note, UserWarning, stacklevel=2)

    raw_docs = read_sources(sources, on_error, progress, col.skipped)
    corpora = []
    if col.report:
        corpora.append(load_report())
    if raw_docs:
        show = bool(progress) or (progress is None and len(raw_docs) >= PROGRESS_MIN_FILES)
        corpora.append(build_cached(raw_docs, cache=cache, progress=show))
    files_in = len(sources) + n_dups + int(col.report) + col.n_errors_files
    if not corpora:
        detail = "\n".join(f"  {p}: {r}" for p, r in col.skipped)
        raise InputError(None, f"none of the {files_in} input(s) could be read:\n{detail}",
                         "fix or remove the inputs listed above")
    corpus = concat_corpora(corpora)

    summary = LoadSummary(files_in=files_in, documents_out=len(corpus.documents), skipped=col.skipped,
                          ignored=col.ignored, notes=col.notes,
                          encodings=corpus.documents["encoding"].fillna("?").value_counts().to_dict()
                          if "encoding" in corpus.documents else {},
                          seconds=time.perf_counter() - t0)
    corpus.load_summary = summary  # type: ignore[attr-defined]
    log.info("%s", summary)
    for note in col.notes:
        log.info("%s", note)
    if col.skipped:
        warnings.warn(f"skipped {len(col.skipped)} bad input(s) of {files_in}; loaded the other "
                      f"{summary.documents_out} document(s):\n{summary.skipped_report()}",
                      SkippedInputWarning, stacklevel=2)
    return corpus

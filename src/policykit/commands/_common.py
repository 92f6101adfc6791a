"""Options and helpers shared by the subcommands (corpus inputs, table outputs)."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from ..errors import InputError

#: Output formats of table-printing commands.
FORMATS = ("jsonl", "csv", "parquet")


def add_corpus_args(parser: argparse.ArgumentParser) -> None:
    """Add ``PATHS...``, ``--metadata FILE``, ``--on-error raise|skip`` and ``--limit N``."""
    group = parser.add_argument_group("corpus")
    group.add_argument("paths", nargs="*", metavar="PATHS",
                       help="files (.txt .md .html .pdf .docx) or folders (read recursively; AGORA folders and "
                            "folders with index.csv are recognised); default: the bundled report")
    group.add_argument("--metadata", metavar="FILE",
                       help="metadata sidecar (CSV or YAML: doc_id or file, title, region, year, type, ...)")
    group.add_argument("--on-error", choices=("raise", "skip"), default="raise",
                       help="on a bad input: stop with an error (raise, default) or report it and go on (skip)")
    group.add_argument("--limit", type=_positive_int, metavar="N", help="read only the first N documents")
    group.add_argument("--no-cache", action="store_true",
                       help="rebuild the corpus tables instead of reusing data/interim/corpus/")


def add_output_args(parser: argparse.ArgumentParser) -> None:
    """Add ``--format jsonl|csv|parquet`` and ``--out FILE``."""
    group = parser.add_argument_group("output")
    group.add_argument("--format", choices=FORMATS, default=None,
                       help="table format (default: from the --out suffix, else jsonl)")
    group.add_argument("--out", metavar="FILE",
                       help="write to FILE atomically (default: stdout)")


def add_store_arg(parser: argparse.ArgumentParser) -> None:
    """Add ``--store``: also keep the corpus tables in data/processed (Parquet + DuckDB)."""
    parser.add_argument("--store", action="store_true",
                        help="also store the documents, paragraphs and sentences tables in data/processed/ "
                             "(Parquet, keyed by content hash, and tables of policykit.duckdb for SQL)")


def store_corpus_if_asked(corpus, args: argparse.Namespace) -> None:
    """Save the corpus tables to the store when ``--store`` was given; report where on stderr."""
    if not getattr(args, "store", False):
        return
    from ..store import Store, save_corpus

    store = Store()
    paths = save_corpus(corpus, store)
    print(f"stored {', '.join(paths)} in {store.root} (SQL: {store.database})", file=sys.stderr)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def corpus_from_args(args: argparse.Namespace, quiet: bool = False):
    """Load the corpus the arguments describe, printing a one-line summary to stderr.

    Skipped inputs (``--on-error skip``) are listed on stderr, one per line with the reason.
    """
    from ..corpus.load import SkippedInputWarning, load

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load(args.paths or None, metadata=getattr(args, "metadata", None),
                      on_error=getattr(args, "on_error", "raise"), limit=getattr(args, "limit", None),
                      progress=None if sys.stderr.isatty() else False,
                      cache=not getattr(args, "no_cache", False))
    summary = getattr(corpus, "load_summary", None)
    for w in caught:
        if issubclass(w.category, SkippedInputWarning):
            continue  # listed below from the summary
        print(f"warning: {w.message}", file=sys.stderr)
    if summary is not None:
        if not quiet:
            print(str(summary), file=sys.stderr)
        if summary.skipped:
            print(f"skipped {len(summary.skipped)} bad input(s):", file=sys.stderr)
            print(summary.skipped_report(), file=sys.stderr)
    return corpus


def write_table(df, args: argparse.Namespace) -> None:
    """Write ``df`` as ``args.format`` to ``args.out`` (atomically) or to stdout.

    Raises
    ------
    InputError
        For Parquet to a terminal, or an ``--out`` suffix that names no format.
    """
    from .. import store

    out = getattr(args, "out", None)
    fmt = store.infer_format(out, getattr(args, "format", None))
    if out:
        if Path(out).is_dir():
            raise InputError(out, "--out is a folder", "give a file name, e.g. --out sentences.parquet")
        store.write_table(df, out, fmt)
        return
    if fmt == "parquet" and sys.stdout.isatty():
        raise InputError(None, "Parquet is binary and stdout is a terminal",
                         "pass --out FILE.parquet, or redirect stdout to a file")
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)  # UTF-8 bytes whatever the console encoding
        store.write_table(df, buffer if buffer is not None else sys.stdout, fmt)
        if buffer is not None:
            buffer.flush()
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `policykit sentences | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())

"""Options and helpers shared by the subcommands (corpus inputs, table outputs)."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from ..errors import InputError

#: Output formats of table-printing commands.
FORMATS = ("jsonl", "csv", "parquet", "xlsx")

#: How tables are written, for every table command's --help (and the README).
TABLE_CONVENTIONS = """\
table formats:
  jsonl, parquet   full precision; lists and dicts as real JSON / Parquet lists
  csv, xlsx        for people: numbers rounded to 3 decimals (p-values to 3 significant
                   digits); list columns (authors, labels, sent_ids) joined with "; "
                   (e.g. "evaluation_audit; licensing_registration"); dict columns (scores,
                   evidence) as JSON text; xlsx needs --out FILE.xlsx (one sheet)
  The format comes from --format, else from the --out suffix, else jsonl; a bad
  --format or --out suffix is refused before the corpus is read.
"""

#: Output columns of table commands whose module does not list them itself (shown in --help;
#: ``extract`` prepends its own column list to the epilog, ``documents`` and ``sentences`` have
#: theirs in DESCRIPTION).
OUTPUT_COLUMNS: dict[str, str] = {}

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
    group.add_argument("--limit", type=positive_int, metavar="N", help="read only the first N documents")
    group.add_argument("--no-cache", action="store_true",
                       help="rebuild the corpus tables instead of reusing data/interim/corpus/")


def add_output_args(parser: argparse.ArgumentParser, columns: str | None = None) -> None:
    """Add ``--format jsonl|csv|parquet|xlsx`` and ``--out FILE``; the command's help then
    ends with :data:`TABLE_CONVENTIONS` and its output columns (``columns``, or
    :data:`OUTPUT_COLUMNS` for the command's name)."""
    group = parser.add_argument_group("output")
    group.add_argument("--format", choices=FORMATS, default=None,
                       help="table format (default: from the --out suffix, else jsonl); csv and xlsx "
                            "round numbers to 3 decimals and join lists with '; '")
    group.add_argument("--out", metavar="FILE",
                       help="write to FILE atomically (default: stdout); a relative path is relative "
                            "to the current folder")
    name = parser.prog.split()[-1] if parser.prog else ""
    cols = columns if columns is not None else OUTPUT_COLUMNS.get(name, "")
    parser.epilog = "\n".join(t for t in (cols, TABLE_CONVENTIONS) if t)


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


def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def output_format(args: argparse.Namespace) -> str:
    """The table format ``--format`` / ``--out`` ask for, checked now (before any expensive
    work): an unknown suffix, an ``--out`` folder, XLSX to stdout or without openpyxl raise.

    Raises
    ------
    InputError
    """
    from .. import store

    out = getattr(args, "out", None)
    fmt = getattr(args, "format", None)
    if fmt is None and out is not None and Path(out).suffix.lower() == ".xlsx":
        fmt = "xlsx"
    if fmt != "xlsx":
        try:
            fmt = store.infer_format(out, fmt)
        except InputError as err:
            raise InputError(err.path, err.problem, "name the file .jsonl, .csv, .parquet or .xlsx, "
                             "or pass --format") from None
    if out and Path(out).is_dir():
        raise InputError(out, "--out is a folder", "give a file name, e.g. --out sentences.parquet")
    if fmt == "xlsx":
        if not out:
            raise InputError(None, "an Excel workbook cannot be written to stdout",
                             "pass --out FILE.xlsx")
        from ..present import check_xlsx

        check_xlsx()
    return fmt


def corpus_from_args(args: argparse.Namespace, quiet: bool = False):
    """Load the corpus the arguments describe, printing a one-line summary to stderr.

    The output format of a table command (``--format`` / ``--out``) is checked first
    (:func:`output_format`), so a bad one fails before the corpus is read or extracted.
    Skipped inputs (``--on-error skip``) are listed on stderr, one per line with the reason;
    warnings (e.g. a sidecar column that looks like a misspelt known column) are printed.
    """
    from ..corpus.load import SkippedInputWarning, load

    if hasattr(args, "format") and hasattr(args, "out"):
        output_format(args)

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

    CSV and XLSX are presented (:func:`policykit.present.present_table`: numbers rounded to 3
    decimals, lists joined with "; "); JSONL and Parquet keep full precision.

    Raises
    ------
    InputError
        For Parquet to a terminal, or an ``--out`` suffix that names no format.
    """
    from .. import store
    from ..present import present_table, write_xlsx

    out = getattr(args, "out", None)
    fmt = output_format(args)
    if fmt == "xlsx":
        write_xlsx({Path(out).stem or "table": df}, out)
        return
    if fmt == "csv":
        df = present_table(df)
    if out:
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


def parse_columns(text: str | None) -> list[str]:
    """``"region, chapter"`` → ``["region", "chapter"]``."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


#: Columns no one compares by (ids of units, offsets, hashes, counts).
_NOT_GROUPINGS = {"text", "start", "end", "para_idx", "sent_idx", "sha256", "source_path",
                  "n_paragraphs", "n_sentences", "n_words", "encoding", "author_line"}


def check_by(documents, by: list[str], option: str = "--by") -> None:
    """Stop with an error when a column the user asked to compare by is missing, or empty for
    every document; the message suggests the nearest columns that do have values ("did you
    mean 'regoin'?"), so that a misspelt sidecar column never becomes a silent
    document-by-document comparison.

    Raises
    ------
    InputError
    """
    import difflib

    from ..compare._frames import MISSING_GROUP, group_values

    def groupable(c):
        vals = documents[c]
        import numpy as np

        if c in _NOT_GROUPINGS or vals.map(lambda v: isinstance(v, (list, tuple, dict, np.ndarray))).any():
            return False
        return bool(set(group_values(documents, c)) - {MISSING_GROUP})

    with_values = [c for c in documents.columns if groupable(c)]
    problems = []
    for b in by:
        near = [c for c in difflib.get_close_matches(b, with_values, n=3, cutoff=0.6) if c != b]
        hint = f" (did you mean {' or '.join(repr(c) for c in near)}?)" if near else ""
        if b not in documents.columns:
            problems.append(f"no document column named {b!r}{hint}")
        elif b not in with_values:
            problems.append(f"{b!r} is empty for every document, so there is nothing to compare by{hint}")
    if problems:
        choices = ", ".join(c for c in with_values if c != "doc_id") or "(none: pass --metadata FILE)"
        raise InputError(None, "; ".join(problems),
                         f"choose {option} among the columns with values: {choices}; or fix the "
                         "sidecar's header (a column must be named exactly like the one you compare by)")

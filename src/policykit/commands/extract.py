"""`policykit extract`: label every sentence (role, risk domains, instruments, addressees)."""

from __future__ import annotations

import argparse
import sys

HELP = "label every sentence: role, risk domains and subdomains, instruments, addressees (with evidence)"
DESCRIPTION = """\
Label every sentence of the corpus (default: the bundled report) and print the table.

model tiers (--model):
  accurate   extract-minilm: fine-tuned MiniLM encoder (ONNX Runtime; --encoder torch for the
             reference), the better model (~2,200 words/s on 2 cores, whole pipeline)
  fast       extract-static: static embeddings, ~6x faster, less accurate (role F1 0.72 vs 0.78)
  auto       (default) accurate below 300,000 words, fast from there on; the tier chosen
             and why is printed on stderr

results are stored per document (data/processed/extraction/<model version>/, Parquet, and
the views `extraction`, `extraction_labels` of data/processed/policykit.duckdb), keyed by the
document's content and the model version: a rerun extracts only new or changed documents.

engines:
  --engine local                     one process, documents streamed in batches (default)
  --engine dask --workers N          a local Dask cluster of N processes
  --engine dask --scheduler ADDRESS  an existing cluster (every worker must read the input
                                     files and write the store folder; see the README)

--min-score X drops risk domains, subdomains, instruments and addressees scoring below X from
the label lists and their evidence (the role is always kept; `scores` still lists every score).
"""


_COLUMNS = """\
output columns (one row per sentence):
  sent_id, doc_id, para_idx, sent_idx, section, start, end, text, n_words   the sentence
  title, chapter, region, sector, year, doc_type, ...                       document metadata
  role, role_score        claim / proposal / other and its score (0-1)
  risk_domains            MIT risk domains, best first
  risk_subdomains         MIT risk subdomains ("N.M"), best first
  instruments             policy instruments a proposal names, best first
  addressees              who a proposal asks to act, best first
  scores                  facet -> {label: score}
  evidence                facet -> {label: [cue spans with offsets, model features, neighbours]}
  --long: sent_id, doc_id, facet, label, score, evidence;
  --rollup: doc_id, facet, label, n_sentences, share, sent_ids + metadata.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    from . import _common
    from ._common import add_corpus_args, add_output_args
    add_corpus_args(parser)
    add_output_args(parser)
    if not getattr(_common, "OUTPUT_COLUMNS", {}).get("extract"):
        parser.epilog = _COLUMNS + (parser.epilog or "")
    group = parser.add_argument_group("model")
    group.add_argument("--model", choices=("auto", "fast", "accurate"), default=None,
                       help="model tier: auto (default; by corpus size), fast or accurate")
    group.add_argument("--embedding", choices=("minilm", "static"), default=None,
                       help="older name of the tier: minilm = accurate, static = fast")
    group.add_argument("--encoder", choices=("onnx", "torch"), default=None,
                       help="backend of the accurate tier's fine-tuned encoder: onnx (default when ONNX Runtime "
                            "is installed) or torch (the reference)")
    group.add_argument("--model-dir", metavar="DIR", help="a model directory written by `policykit train --out`")
    group.add_argument("--thresholds", metavar="FILE",
                       help="YAML file overriding data/models/thresholds.yaml")
    group.add_argument("--min-score", type=_score, default=None, metavar="X",
                       help="drop labels (not the role) scoring below X, in [0, 1]")
    group = parser.add_argument_group("engine")
    group.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="local: one process (default); dask: Dask tasks, one per batch of documents")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (with --engine dask)")
    group.add_argument("--workers", type=_common.positive_int, metavar="N",
                       help="processes of the local Dask cluster (with --engine dask; default 2)")
    group.add_argument("--batch-words", type=_common.positive_int, default=None, metavar="N",
                       help="words per batch (bounds memory; the unit of a Dask task; default 100000)")
    group.add_argument("--store-dir", metavar="DIR",
                       help="folder of the stored results (default data/processed/extraction)")
    group = parser.add_argument_group("table")
    group.add_argument("--rollup", action="store_true",
                       help="print the document-level roll-up (doc_id, facet, label, n_sentences, share, "
                            "sent_ids) instead of sentences")
    group.add_argument("--long", action="store_true",
                       help="print the long table (one row per sentence x label) instead of the wide one")


def _score(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}") from None
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}")
    return v


def _model(args: argparse.Namespace) -> str:
    from ..errors import InputError
    alias = {"minilm": "accurate", "static": "fast"}.get(args.embedding) if args.embedding else None
    if args.model and alias and args.model != alias:
        raise InputError(None, f"--model {args.model} contradicts --embedding {args.embedding}",
                         "give only --model")
    return args.model or alias or "auto"


def run(args: argparse.Namespace) -> int:
    from ..engine import extract_paths
    from ..engine.run import BATCH_WORDS
    from . import _common
    from ._common import write_table

    if hasattr(_common, "output_format"):
        _common.output_format(args)  # a bad --format / --out fails before any work
    if args.rollup and args.long:
        from ..errors import InputError
        raise InputError(None, "--rollup and --long exclude each other", "give one of them")
    if (args.scheduler or args.workers) and args.engine != "dask":
        from ..errors import InputError
        raise InputError(None, "--scheduler and --workers need --engine dask", "add --engine dask")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr)

    res = extract_paths(args.paths or None, metadata=args.metadata, on_error=args.on_error, limit=args.limit,
                        model=_model(args), encoder=args.encoder, model_dir=args.model_dir,
                        thresholds=args.thresholds, engine=args.engine, scheduler=args.scheduler,
                        workers=args.workers, root=args.store_dir, batch_words=args.batch_words or BATCH_WORDS,
                        progress=sys.stderr.isatty(), log=log)
    if res.skipped:
        print(f"skipped {len(res.skipped)} bad input(s):", file=sys.stderr)
        print("\n".join(f"  {p}: {r}" for p, r in res.skipped), file=sys.stderr)
    for note in res.notes:
        print(f"note: {note}", file=sys.stderr)
    if _stream(args, res):
        return 0
    wide = res.read()
    table = _table(wide, args)
    n_cp = int(wide["role"].isin(["claim", "proposal"]).sum())
    _report(res, len(wide), n_cp, wide["doc_id"].nunique())
    write_table(table, args)
    return 0


#: From this many documents on, JSONL output is written document batch by document batch.
STREAM_MIN_DOCS = 200


def _table(wide, args: argparse.Namespace):
    from ..engine.filters import apply_min_score
    from ..extract import labels_long, rollup
    if args.min_score is not None:
        wide = apply_min_score(wide, args.min_score)
    if args.rollup:
        return rollup(wide)
    if args.long:
        return labels_long(wide)
    cols = ["doc_id", "sent_id", "start", "end", "text", "role", "role_score", "risk_domains",
            "risk_subdomains", "instruments", "addressees", "scores", "evidence"]
    return wide[cols + [c for c in wide.columns if c not in cols]]


def _report(res, n_sentences: int, n_cp: int, n_docs: int) -> None:
    print(f"extracted {n_sentences} sentences ({n_cp} claims or proposals) from {n_docs} documents "
          f"with the {res.tier.name} tier ({res.n_new} extracted now, {res.n_reused} reused; "
          f"{res.timings.get('extract', 0.0):.1f} s)", file=sys.stderr)


def _stream(args: argparse.Namespace, res) -> bool:
    """JSONL of a large corpus: write it batch by batch (memory bounded by a batch); every
    table (wide, long, roll-up) is per document, so the result equals the one-piece output."""
    import contextlib
    import os
    from pathlib import Path

    from .. import store
    out = getattr(args, "out", None)
    fmt = store.infer_format(out, getattr(args, "format", None))
    if fmt != "jsonl" or len(res.documents) < STREAM_MIN_DOCS:
        return False
    n_s = n_cp = 0
    with contextlib.ExitStack() as stack:
        if out:
            fh = stack.enter_context(store.atomic_write(Path(out), "w"))
        else:
            fh = sys.stdout
        try:
            for chunk in res.iter_read(batch_docs=STREAM_MIN_DOCS // 2):
                n_s += len(chunk)
                n_cp += int(chunk["role"].isin(["claim", "proposal"]).sum())
                for line in store._jsonl_lines(_table(chunk, args)):
                    fh.write(line)
            fh.flush()
        except BrokenPipeError:  # e.g. `policykit extract ... | head`
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    _report(res, n_s, n_cp, len(res.documents))
    return True

"""`policykit extract`: label every sentence (role, risk domains, instruments, addressees)."""

from __future__ import annotations

import argparse
import sys

HELP = "label every sentence: role, risk domains and subdomains, instruments, addressees (with evidence)"


def configure(parser: argparse.ArgumentParser) -> None:
    from ._common import add_corpus_args, add_output_args
    add_corpus_args(parser)
    add_output_args(parser)
    parser.add_argument("--embedding", choices=("minilm", "static"), default=None,
                        help="sentence-embedding model of the shipped extractor: minilm (default, more accurate) "
                             "or static (model2vec distilled from it, many times faster on large corpora)")
    parser.add_argument("--thresholds", metavar="FILE",
                        help="YAML file overriding data/models/thresholds.yaml")
    parser.add_argument("--model-dir", metavar="DIR", help="a model directory written by `policykit train --out`")
    parser.add_argument("--rollup", action="store_true",
                        help="print the document-level roll-up (doc_id, facet, label, n_sentences, share, "
                             "sent_ids) instead of sentences")
    parser.add_argument("--long", action="store_true",
                        help="print the long table (one row per sentence x label) instead of the wide one")


def run(args: argparse.Namespace) -> int:
    from ..extract import extract, labels_long, rollup
    from ._common import corpus_from_args, write_table
    corpus = corpus_from_args(args)
    wide = extract(corpus, thresholds=args.thresholds, progress=sys.stderr.isatty(),
                   embedding=args.embedding, model_dir=args.model_dir)
    if args.rollup:
        table = rollup(wide)
    elif args.long:
        table = labels_long(wide)
    else:
        cols = ["doc_id", "sent_id", "start", "end", "text", "role", "role_score", "risk_domains",
                "risk_subdomains", "instruments", "addressees", "scores", "evidence"]
        table = wide[cols + [c for c in wide.columns if c not in cols]]
    n_cp = int(wide["role"].isin(["claim", "proposal"]).sum())
    print(f"extracted {len(wide)} sentences ({n_cp} claims or proposals) from {wide['doc_id'].nunique()} documents",
          file=sys.stderr)
    write_table(table, args)
    return 0

"""``policykit documents``: one row per document, with its metadata and counts."""

from __future__ import annotations

import argparse

from ._common import (add_corpus_args, add_output_args, add_store_arg, corpus_from_args,
                      store_corpus_if_asked, write_table)

HELP = "list the documents (id, title, authors, chapter, region, sector, year, type, counts)"
DESCRIPTION = """\
List the documents of a corpus: one row per document with doc_id, title, authors,
authors_native, affiliations, chapter, region, sector, year, doc_type, any further metadata,
source_path, sha256, encoding, n_paragraphs, n_sentences, n_words.

With no PATHS: the bundled report (32 documents).

examples:
  policykit documents --format jsonl
  policykit documents ../shared/data/agora --out agora-documents.parquet
  policykit documents texts/ --metadata meta.csv --on-error skip --format csv
  policykit documents --store > /dev/null   # then query data/processed/policykit.duckdb
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    add_corpus_args(parser)
    add_output_args(parser)
    add_store_arg(parser)


def run(args: argparse.Namespace) -> int:
    """Load the corpus and write its documents table."""
    corpus = corpus_from_args(args)
    store_corpus_if_asked(corpus, args)
    write_table(corpus.documents, args)
    return 0

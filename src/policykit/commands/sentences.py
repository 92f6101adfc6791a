"""``policykit sentences``: one row per sentence, with ids, offsets and document metadata."""

from __future__ import annotations

import argparse

from ._common import (add_corpus_args, add_output_args, add_store_arg, corpus_from_args,
                      store_corpus_if_asked, write_table)

HELP = "list the sentences (sent_id, doc_id, section, start/end offsets, text, metadata)"
DESCRIPTION = """\
List the sentences of a corpus: one row per sentence with sent_id, doc_id, para_idx,
sent_idx, section (title/author/body/bio/heading), start and end (character offsets into the
document's raw text: raw[start:end] with whitespace collapsed is the sentence), text,
n_words, and the document's metadata (title, chapter, region, sector, year, doc_type).

With no PATHS: the bundled report.

examples:
  policykit sentences --format jsonl > sentences.jsonl
  policykit sentences --section body --out body.parquet
  policykit sentences report.pdf notes.docx --format csv
"""

SECTIONS = ("title", "author", "body", "bio", "heading")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    add_corpus_args(parser)
    add_output_args(parser)
    add_store_arg(parser)
    parser.add_argument("--section", action="append", choices=SECTIONS, metavar="SECTION",
                        help=f"keep only sentences of this section (repeatable; one of {', '.join(SECTIONS)})")


def run(args: argparse.Namespace) -> int:
    """Load the corpus and write its sentences table."""
    corpus = corpus_from_args(args)
    store_corpus_if_asked(corpus, args)
    sents = corpus.sentences
    if args.section:
        sents = sents[sents["section"].isin(args.section)].reset_index(drop=True)
    write_table(sents, args)
    return 0

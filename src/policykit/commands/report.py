"""``policykit report``: comparison figures (HTML, PNG, SVG), their tables and index.html."""

from __future__ import annotations

import argparse
import sys

HELP = "write the comparison report: figures (html/png/svg), CSV/XLSX tables and index.html"
DESCRIPTION = """\
Compare documents by metadata columns and write a report folder:

  index.html            self-contained page: every figure with its caption, a glossary of
                        the labels (from data/taxonomy/*.yaml) and the evidence sentences
  figures/NAME.html     interactive figure    figures/NAME.png|svg  static images
  tables/NAME.csv       the table behind each figure (--tables csv, default)
  tables/report.xlsx    every table, one sheet each (--tables xlsx)
  tables/glossary.csv   facet, id, name, description of every label
  tables/extraction.csv the sentence-level labels the report was built from

  policykit report                                   # the bundled report
  policykit report texts/ --metadata meta.csv --by region --out my-report
  policykit report ../shared/data/governance-texts --by region --tables csv,xlsx

Where it goes: --out DIR, else $POLICYKIT_REPORTS_DIR, else reports/ of the project when
run inside the project checkout, else ./reports in the current folder. A rerun replaces the
previous report in DIR whole (built beside it, then swapped in: nothing stale survives);
a non-empty DIR that is not a policykit report is refused before any work.

Comparing: every column named in --by must exist and have a value for at least one
document (else the command stops and suggests the nearest columns). Without --by, region
and chapter are used when present; with neither, documents are compared one by one.

Columns of the prevalence tables (NAME = BY-risk-domains, BY-instruments, BY-addressees,
BY-risk-domains-ci): by, group, group_name, facet, label (id), label_name, n_docs_group,
n_docs, doc_share with doc_share_lo/hi (Wilson score 95% interval, doc_share_ci names it),
n_sents_group, n_sents, sent_share with sent_share_lo/hi (bootstrap of documents), small_group
(fewer than --min-docs documents), example_sent_id, example_text, sent_ids. Other tables:
BY-distinctive-terms (term, counts, log_odds, z, chi2, p), BY-positions (doc_id, x, y),
BY-consensus (label, status, n_groups, groups), BY-instrument-sankey, stances (doc_id,
question, stance, evidence sent_ids), editors-check (bundled report only).
CSV and XLSX: numbers rounded to 3 decimals, lists joined with "; ".
Static images need Chromium (see the README's setup); --no-static skips them.

Extraction: --model auto (default) takes the accurate tier below 300,000 words and the fast
tier above (the choice and its reason are printed on stderr and written into index.html and
summary.json). The labels are stored per document like `policykit extract`'s
(data/processed/extraction/<model version>/): a second report on the same documents, or a
report after `policykit extract`, reads them instead of extracting again.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    from ..compare.prevalence import MIN_DOCS
    from ..report.sections import MAX_GROUPS
    from ._common import add_corpus_args

    add_corpus_args(parser)
    group = parser.add_argument_group("report")
    group.add_argument("--by", default=None, metavar="COLS",
                       help="document columns to compare by, comma-separated (default: region,chapter "
                            "where present; the first drives the single-grouping figures)")
    group.add_argument("--out", default=None, metavar="DIR",
                       help="output folder (default: see below); relative to the current folder")
    group.add_argument("--tables", default="csv", metavar="FORMATS",
                       help="table formats, comma-separated among csv and xlsx (default: csv)")
    group.add_argument("--min-docs", type=int, default=MIN_DOCS, metavar="N",
                       help=f"flag groups with fewer than N documents as small, marked † (default {MIN_DOCS})")
    group.add_argument("--max-groups", type=int, default=MAX_GROUPS, metavar="N",
                       help=f"figures show the N-1 largest groups and pool the rest as 'other' "
                            f"(default {MAX_GROUPS}; 0 = show all)")
    group.add_argument("--model", choices=("auto", "fast", "accurate"), default="auto",
                       help="extraction tier: auto (default; accurate below 300,000 words, fast above), "
                            "fast or accurate")
    group.add_argument("--no-topics", action="store_true",
                       help="leave out the topic-model sections")
    group.add_argument("--no-static", action="store_true",
                       help="do not write PNG/SVG (no Chromium needed)")
    group.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                       help="bootstrap resamples for the sentence-share intervals (default 1000)")
    group.add_argument("--title", default=None, help="title of index.html")
    group.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Check the options, build the report; print where it went and the headline numbers."""
    from .. import config
    from ..errors import InputError
    from ..report import DEFAULT_BY, build_report, check_tables
    from ..report.outdir import check_output_dir
    from ._common import check_by, corpus_from_args, parse_columns

    explicit = args.by is not None
    by = parse_columns(args.by) if explicit else list(DEFAULT_BY)
    if not by:
        raise InputError(None, "--by names no column", "e.g. --by region or --by region,chapter")
    if args.bootstrap < 0:
        raise InputError(None, "--bootstrap must be 0 or more")
    if args.min_docs < 1:
        raise InputError(None, "--min-docs must be at least 1")
    if args.max_groups < 0 or args.max_groups == 1:
        raise InputError(None, "--max-groups must be 0 (all) or at least 2")
    tables = check_tables(parse_columns(args.tables))
    out = check_output_dir(args.out if args.out else config.reports_dir(), "report")
    corpus = corpus_from_args(args, quiet=args.quiet)
    if explicit:
        check_by(corpus.documents, by)
    from ..engine import extract_corpus
    run_ = extract_corpus(corpus, model=args.model, progress=not args.quiet)
    print(run_.summary(), file=sys.stderr)
    extraction = run_.read()
    extraction.attrs.update(tier=run_.tier.name, tier_reason=run_.reason,
                            source=f"{extraction.attrs['source']}, {run_.reason}")
    res = build_report(corpus=corpus, extraction=extraction, by=by, out=out, topics=not args.no_topics,
                       static=not args.no_static, progress=not args.quiet,
                       title=args.title, n_boot=args.bootstrap, min_docs=args.min_docs,
                       max_groups=args.max_groups or None, tables=tables)
    for n in res.notes:
        print(f"note: {n}", file=sys.stderr)
    chk = res.metrics.get("editors_check")
    if chk is not None:
        s = chk.summary
        row = s[s["chapter"] == "all"].iloc[0]
        print(f"editors' check: {int(row['n_recovered'])}/{int(row['n_labelled'])} labelled "
              f"points recovered ({100 * row['share']:.0f}%)", file=sys.stderr)
    agr = res.metrics.get("stance_agreement")
    if agr is not None:
        row = agr[agr["question"] == "all"].iloc[0]
        print(f"stances: {100 * row['accuracy']:.0f}% agreement with the human labels on "
              f"{int(row['n_docs'])} documents (kappa {row['kappa']:.2f})", file=sys.stderr)
    print(f"wrote {len(res.files)} files to {res.out} in {res.timings['total']:.1f} s; "
          f"open {res.out / 'index.html'}", file=sys.stderr)
    return 0

"""``policykit report``: comparison figures (HTML, PNG, SVG), their CSV tables and index.html."""

from __future__ import annotations

import argparse
import sys

HELP = "write the comparison report: figures (html/png/svg), CSV tables and index.html"
DESCRIPTION = """\
Compare documents by metadata columns and write a report folder:

  index.html            self-contained page with every figure, caption and evidence sentence
  figures/NAME.html     interactive figure    figures/NAME.png|svg  static images
  tables/NAME.csv       the table behind each figure

  policykit report                                   # the bundled report into reports/
  policykit report ../shared/data/governance-texts --by region --out reports/governance

Columns named in --by that are missing for every document are skipped with a note.
Static images need Chromium (see the README's setup); --no-static skips them.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    from ._common import add_corpus_args

    add_corpus_args(parser)
    group = parser.add_argument_group("report")
    group.add_argument("--by", default="region,chapter", metavar="COLS",
                       help="document columns to compare by, comma-separated "
                            "(default: region,chapter; the first drives the single-grouping figures)")
    group.add_argument("--out", default=None, metavar="DIR",
                       help="output folder (default: reports/)")
    group.add_argument("--no-topics", action="store_true",
                       help="leave out the topic-model sections")
    group.add_argument("--no-static", action="store_true",
                       help="do not write PNG/SVG (no Chromium needed)")
    group.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                       help="bootstrap resamples for the intervals (default 1000)")
    group.add_argument("--title", default=None, help="title of index.html")
    group.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Build the report; print where it went and the headline numbers."""
    from pathlib import Path

    from .. import config
    from ..errors import InputError
    from ..report import build_report
    from ._common import corpus_from_args

    by = [b.strip() for b in (args.by or "").split(",") if b.strip()]
    if not by:
        raise InputError(None, "--by names no column", "e.g. --by region or --by region,chapter")
    if args.bootstrap < 0:
        raise InputError(None, "--bootstrap must be 0 or more")
    out = Path(args.out) if args.out else config.reports_dir()
    if out.exists() and not out.is_dir():
        raise InputError(out, "--out exists and is not a folder", "choose a folder name")
    corpus = corpus_from_args(args, quiet=args.quiet)
    missing = [b for b in by if b not in corpus.documents.columns]
    if len(missing) == len(by):
        raise InputError(None, f"no document column named {', '.join(missing)}",
                         "choose among: " + ", ".join(
                             c for c in corpus.documents.columns
                             if corpus.documents[c].map(lambda v: isinstance(v, str)).any()))
    res = build_report(corpus=corpus, by=by, out=out, topics=not args.no_topics,
                       static=not args.no_static, progress=not args.quiet,
                       title=args.title, n_boot=args.bootstrap)
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

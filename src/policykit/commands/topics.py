"""``policykit topics``: BERTopic (plus an NMF baseline) on paragraphs or sentences, per group."""

from __future__ import annotations

import argparse
import sys

HELP = "fit reproducible offline topic models and write topic tables and figures per region/chapter"
DESCRIPTION = """\
Fit BERTopic on the body paragraphs (or sentences) of the corpus, with the packaged
all-MiniLM-L6-v2 embeddings (offline, cached under data/interim/embeddings) and seeded
UMAP/HDBSCAN, so the same input always gives the same topics. An NMF baseline with as
many topics is fitted on the same units; both are scored for NPMI coherence and diversity.

Writes into --out DIR (default: the reports folder's topics/, see `policykit report --help`;
a rerun replaces DIR whole, and a non-empty DIR that is not a policykit topic output is
refused before any work):

  tables/NAME.csv and tables/NAME.parquet (and tables/topics.xlsx with --tables xlsx;
      CSV and XLSX round numbers to 3 decimals and join lists with "; ", Parquet and
      JSONL keep full precision)
      topic_assignments (unit_id, doc_id, topic, probability, ...), topic_terms,
      topic_keywords, topic_info, topics_by_<COL> (topic share per group with
      representative sentences and their ids), topic_quality, topic_hierarchy,
      topic_doc_map, nmf_assignments, nmf_terms, topics_x_labels (with --extraction)
  figures/NAME.html   topic terms, topics x each --by column, document map, hierarchy,
                      quality (interactive; plotly.min.js is written beside them)
  summary.json        counts, quality, parameters, library versions, topic fingerprint
  model/              the fitted model (safetensors + JSON), with --save-model

  policykit topics                                  # the bundled report, paragraphs
  policykit topics --unit sentence --by region,chapter,sector --nr-topics 12
  policykit topics texts/ --metadata meta.csv --by region --out out/topics
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    from ._common import add_corpus_args

    add_corpus_args(parser)
    g = parser.add_argument_group("topics")
    g.add_argument("--unit", choices=("paragraph", "sentence"), default="paragraph",
                   help="model body paragraphs (default) or body sentences")
    g.add_argument("--by", default=None, metavar="COLS",
                   help="metadata columns for topics per group, comma-separated (default: region,chapter "
                        "where present); a column named here must have values")
    g.add_argument("--nr-topics", type=int, default=None, metavar="N",
                   help="merge topics down to N (default: as many as HDBSCAN finds)")
    g.add_argument("--min-cluster-size", type=int, default=None, metavar="N",
                   help="smallest topic in units (default: max(5, sqrt(units)/2))")
    g.add_argument("--keep-outliers", action="store_true",
                   help="leave units HDBSCAN cannot place in topic -1 instead of reassigning them")
    g.add_argument("--extraction", metavar="FILE",
                   help="labels or extraction table (jsonl/csv/parquet) for the topics x labels cross-table")
    g.add_argument("--out", default=None, metavar="DIR",
                   help="output folder (default: topics/ in the reports folder); relative to the current folder")
    g.add_argument("--tables", default="csv,parquet", metavar="FORMATS",
                   help="table formats, comma-separated among csv, parquet, jsonl, xlsx (default: csv,parquet)")
    g.add_argument("--no-figures", action="store_true", help="write tables only")
    g.add_argument("--save-model", action="store_true", help="also save the fitted model under DIR/model")
    g.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")


def _parse_list(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def run(args: argparse.Namespace) -> int:
    """Check the options, fit, write tables/figures/summary, print the headline numbers."""
    import json
    from pathlib import Path

    from .. import config
    from ..errors import InputError
    from ..present import check_xlsx, write_csv, write_xlsx
    from ..report.outdir import check_output_dir, staged_output
    from ..store import atomic_path, atomic_write, read_table, write_table
    from ._common import check_by, corpus_from_args

    explicit = args.by is not None
    by = _parse_list(args.by) if explicit else ["region", "chapter"]
    fmts = _parse_list(args.tables)
    bad = [f for f in fmts if f not in ("csv", "parquet", "jsonl", "xlsx")]
    if bad or not fmts:
        raise InputError(None, f"unknown table format(s): {', '.join(bad) or '(none)'}",
                         "use --tables csv, parquet, jsonl and/or xlsx, comma-separated")
    if "xlsx" in fmts:
        check_xlsx()
    if args.nr_topics is not None and args.nr_topics < 2:
        raise InputError(None, f"--nr-topics must be at least 2, got {args.nr_topics}")
    out = check_output_dir(Path(args.out) if args.out else config.reports_dir() / "topics", "topics")
    extraction = None
    if args.extraction:
        if not Path(args.extraction).is_file():
            raise InputError(args.extraction, "extraction file not found",
                             "run `policykit extract --out FILE.parquet` first, or drop --extraction")
        extraction = read_table(args.extraction)
        if "sent_id" not in extraction.columns:
            raise InputError(args.extraction, "no sent_id column",
                             "pass the output of `policykit extract` (wide) or the long labels table")

    corpus = corpus_from_args(args, quiet=args.quiet)
    if explicit:
        check_by(corpus.documents, by)
    cols = set(corpus.paragraphs.columns if args.unit == "paragraph" else corpus.sentences.columns)
    from ..compare._frames import usable_groupings

    by, notes = usable_groupings(corpus.documents, [b for b in by if b in cols] if explicit else by)
    for n in notes:
        print(f"note: {n}", file=sys.stderr)

    from ..topics import analyse, figure_specs

    params = {}
    if args.min_cluster_size is not None:
        params["min_cluster_size"] = args.min_cluster_size
    if args.keep_outliers:
        params["reduce_outliers"] = None
    res = analyse(corpus, unit=args.unit, by=by, nr_topics=args.nr_topics, extraction=extraction,
                  progress=not args.quiet, **params)

    written = []
    with staged_output(out, "topics") as stage:
        tables = res.tables()
        for name, df in tables.items():
            for fmt in fmts:
                if fmt == "xlsx":
                    continue
                path = stage / "tables" / f"{name}.{fmt}"
                if fmt == "csv":
                    write_csv(df, path)
                else:
                    write_table(df, path, fmt)
                written.append(path)
        if "xlsx" in fmts:
            written.append(write_xlsx(tables, stage / "tables" / "topics.xlsx"))
        if not args.no_figures:
            for spec in figure_specs(res):
                path = stage / "figures" / f"{spec['name']}.html"
                path.parent.mkdir(parents=True, exist_ok=True)
                with atomic_path(path) as tmp:
                    spec["figure"].write_html(str(tmp), include_plotlyjs="directory", full_html=True)
                written.append(path)
        m = res.model
        if args.save_model:
            written.append(m.save(stage / "model"))
        from ..topics.persist import library_versions

        summary = {
            "unit": m.unit, "n_units": int(len(m.units_)), "n_documents": int(m.units_["doc_id"].nunique()),
            "n_topics": int(m.n_topics_), "outlier_share_before": m.outlier_share_before_,
            "outlier_share": m.outlier_share_, "fingerprint": m.fingerprint(),
            "quality": res.quality.to_dict(orient="records"), "by": list(res.by),
            "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in m.params_.items()
                       if k != "stop_words"},
            "fit_seconds": m.fit_seconds_, "versions": library_versions(),
        }
        with atomic_write(stage / "summary.json") as fh:
            json.dump(summary, fh, indent=1, default=str)
    if not args.quiet:
        q = res.quality
        print(f"{len(m.units_)} {m.unit}s, {m.n_topics_} topics, outliers {m.outlier_share_before_:.0%} -> "
              f"{m.outlier_share_:.0%}; fingerprint {summary['fingerprint']}", file=sys.stderr)
        for r in q.itertuples(index=False):
            print(f"  {r.model:<30} NPMI {r.npmi:+.3f}  diversity {r.diversity:.2f}", file=sys.stderr)
        for r in m.topic_info_.itertuples(index=False):
            print(f"  {r.label:<60} {r.count:>4}", file=sys.stderr)
        print(f"wrote {len(written)} files to {out}", file=sys.stderr)
    return 0

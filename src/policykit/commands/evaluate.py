"""`policykit evaluate`: measured quality of the extraction (grouped cross-validation, gold files, MIT rows)."""

from __future__ import annotations

import argparse
import json
import math
import sys

HELP = "measure extraction quality: --cv (grouped CV per genre + cross-genre checks), --gold FILE, --mit FILE"
DESCRIPTION = """\
--cv  grouped cross-validation of the model on all shipped training data: folds are whole
      documents (the report's dev essays and the 31 governance documents) and MIT frameworks.
      Prints scores per genre (report essays; laws; government policy; corporate texts;
      international statements), the two cross-genre checks (trained without the report, scored
      on its dev essays; trained without the governance set, scored on it), calibration
      (expected calibration error per facet) and top-domain accuracy of classify() on MIT risk
      descriptions of unseen frameworks; then the fast tier in the same folds, distilled from
      each fold's accurate model on AGORA sentences (--no-fast skips it) and, with
      --document-model, the document model that was measured and not shipped.
      Thresholds and temperatures are fitted inside the
      folds, never on the scored rows. Out-of-fold scores are cached by content (after
      `policykit train` the grouped CV is free); the cross-genre checks train two more models.
--gold FILE [--raw TEXT]  score the shipped model's extraction of TEXT (default: the bundled
      report) against gold sentences by character offsets, with the shared scorer's rules.
--mit FILE  top-domain accuracy of classify() on MIT AI Risk Database rows.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--cv", action="store_true", help="grouped cross-validation (see above)")
    parser.add_argument("--folds", type=int, default=5, help="with --cv: number of folds (default 5)")
    parser.add_argument("--no-cross-genre", action="store_true", help="with --cv: skip the two cross-genre checks")
    parser.add_argument("--reliability", action="store_true", help="with --cv: print the reliability tables")
    parser.add_argument("--document-model", action="store_true",
                        help="with --cv: also score the document model (sentences read in context; not shipped)")
    parser.add_argument("--no-fast", action="store_true", help="with --cv: skip the fast tier's cross-validation")
    parser.add_argument("--gold", metavar="FILE.jsonl", help="gold sentences (JSON lines) to score the extraction against")
    parser.add_argument("--raw", metavar="FILE", help="raw text the gold and predictions index into (default: the report)")
    parser.add_argument("--mit", metavar="FILE.csv", help="MIT AI Risk Database CSV: top-domain accuracy of classify()")
    parser.add_argument("--predictions", metavar="FILE", help="score these predictions (jsonl/csv/parquet of `policykit extract`)")
    parser.add_argument("--essays", metavar="ID,ID", help="restrict the gold to these essays")
    parser.add_argument("--model", choices=("accurate", "fast"), default=None, help="shipped model tier (default accurate)")
    parser.add_argument("--model-dir", metavar="DIR", help="a model written by `policykit train --out`")
    parser.add_argument("--out", metavar="FILE.jsonl", help="with --cv: write the out-of-fold predictions here")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def _clean(obj):
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def _cv(args) -> int:
    from ..extract import crossval
    from ..extract.data import load_training, read_genres
    from ..extract.training import cross_validate, matrices
    td = load_training()
    if td.missing:
        print(f"warning: {len(td.missing)} governance document(s) left out (text not found): {', '.join(td.missing)}",
              file=sys.stderr)
    m = matrices(td)
    print(f"grouped {args.folds}-fold cross-validation over {m.n_units} sentences of "
          f"{td.units['doc_id'].nunique()} documents and {len(m) - m.n_units} MIT descriptions ...", file=sys.stderr)
    oof = cross_validate(m, n_folds=args.folds, progress=sys.stderr.isatty())
    preds, per_fold = crossval.crossfit_predictions(oof, m, td)
    table = crossval.genre_table(preds, td, read_genres())
    ece, rel = crossval.calibration_tables(oof, m, per_fold)
    mit = crossval.mit_accuracy(oof, m)
    doc_table = fast_table = xg = None
    if args.document_model:
        from ..extract.training import document_cv
        doc_oof = document_cv(m, oof)
        d_preds, _ = crossval.crossfit_predictions(oof, m, td, doc_logits=doc_oof)
        doc_table = crossval.genre_table(d_preds, td, read_genres())
    if not args.no_fast:
        from ..extract.training import student_cv, transfer_set
        ts = transfer_set(m)
        how = "gold only: ../shared/data/agora is missing" if ts is None else \
            f"distilled on {len(ts):,} AGORA sentences from each fold's accurate model"
        print(f"fast tier (heads on static vectors, same folds, {how}; cached after `policykit train`) ...",
              file=sys.stderr)
        s_res = {**oof, "logits": student_cv(m, oof, ts=ts)}
        f_preds, _ = crossval.crossfit_predictions(s_res, m, td)
        fast_table = crossval.genre_table(f_preds, td, read_genres())
    if not args.no_cross_genre:
        print("cross-genre checks (two more fine-tuning runs, cached) ...", file=sys.stderr)
        xg = crossval.cross_genre(m, td, oof, progress=sys.stderr.isatty())
    if args.out:
        from ..store import atomic_write
        with atomic_write(args.out) as fh:
            for uid, p in zip(td.units["unit_id"], preds):
                fh.write(json.dumps({"unit_id": uid, **p}) + "\n")

    def records(t):
        return None if t is None else json.loads(t.to_json(orient="records"))

    if args.json:
        print(json.dumps(_clean({"by_genre": records(table), "fast_by_genre": records(fast_table),
                                 "document_model_by_genre": records(doc_table), "cross_genre": records(xg),
                                 "calibration": records(ece), "mit": mit}), indent=1))
        return 0
    print("Grouped cross-validation of the accurate tier (folds = whole documents; thresholds fitted on the "
          "other folds)")
    print(crossval.format_table(table))
    if fast_table is not None:
        print("\nThe fast tier (static vectors, distilled from each fold's accurate model), same folds")
        print(crossval.format_table(fast_table))
    if doc_table is not None:
        print("\nThe document model on top of the accurate tier's sentence scores (not shipped)")
        print(crossval.format_table(doc_table))
    if xg is not None:
        print("\nCross-genre checks")
        print(crossval.format_table(xg))
    print("\nCalibration (expected calibration error of the calibrated scores, out of fold)")
    print(crossval.format_table(ece))
    if args.reliability:
        for h, t in rel.items():
            print(f"\nreliability: {h}")
            print(crossval.format_table(t))
    print(f"\nMIT risk descriptions of unseen frameworks through classify(): top-domain accuracy {mit['accuracy']:.3f} "
          f"on {mit['n']} ({mit['no_domain']} without a domain; the domain head's arg-max alone: {mit['head_accuracy']:.3f})")
    return 0


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    if args.cv:
        return _cv(args)
    if args.gold is None and args.mit is None:
        raise InputError(None, "nothing to evaluate", "pass --cv, --gold FILE.jsonl or --mit FILE.csv")
    from ..evaluate import evaluate_gold, evaluate_mit, format_report
    if args.gold is not None:
        essays = args.essays.split(",") if args.essays else None
        if args.predictions:
            res = evaluate_gold(args.predictions, args.gold, args.raw, essays)
        else:
            from .. import load
            from ..extract import extract
            corpus = load([args.raw]) if args.raw else load()
            wide = extract(corpus, model=args.model, model_dir=args.model_dir, progress=sys.stderr.isatty())
            res = evaluate_gold(wide, args.gold, args.raw, essays)
        print(json.dumps(_clean(res["summary"]), indent=1) if args.json else format_report(res))
    if args.mit is not None:
        res = evaluate_mit(args.mit, model=args.model, model_dir=args.model_dir)
        if args.json:
            print(json.dumps({"mit_top_domain_accuracy": res["accuracy"], "n": res["n"], "no_domain": res["no_domain"]}))
        else:
            print(f"MIT: top-domain accuracy of classify() {res['accuracy']:.3f} on {res['n']} risk descriptions "
                  f"({res['no_domain']} without a domain)")
            print(res["per_domain"].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0

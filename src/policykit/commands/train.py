"""`policykit train`: rebuild the shipped extraction model from the shipped training data."""

from __future__ import annotations

import argparse
import sys

HELP = "retrain the shipped extraction model (data/models/extract-minilm) from data/training and data/external"
DESCRIPTION = """\
Rebuild the extraction model from the shipped training data, reproducibly (fixed seed):

  data/training/sentences-dev.jsonl         the report's 14 dev essays and front matter
  data/training/sentences-governance.jsonl  2,591 sentences of 31 governance documents (labels and
                                            offsets; texts that may not be redistributed are read
                                            from ../shared/data, and left out with a warning if absent)
  data/external/mit-ai-risk/                MIT AI Risk Repository risk descriptions (domains)

Steps: grouped 5-fold cross-validation (folds = whole documents; MIT rows by framework) for
out-of-fold scores; temperatures and decision thresholds fitted on them; the accurate model
fitted on everything and saved (encoder deltas in half precision + heads, safetensors + JSON,
no pickle) with its out-of-fold predictions (cv-predictions.parquet, cv-mit.parquet); then the
fast tier (heads on static vectors, same folds, data/models/extract-static), distilled from the
accurate tier on 20,000 AGORA sentences (../shared/data/agora; each CV fold from that fold's
accurate model). Six fine-tuning runs of 8 epochs and six teacher passes: about 70 minutes on 2
cores. --fast-only retrains the fast tier alone (about 25 minutes, less when cached). Out-of-fold
scores and the fold models are cached (by content) for `policykit evaluate --cv`.

--corrections FILE adds an analyst's corrections (the explorer's corrections.jsonl): the latest
decision per sentence replaces its labels or adds it as a training sentence.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--out", metavar="DIR", help="write the model here instead of data/models/extract-minilm")
    parser.add_argument("--corrections", metavar="FILE", help="corrections file of the evidence explorer to train with")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--epochs", type=int, default=None, help="fine-tuning epochs (default: the model's)")
    parser.add_argument("--fast-only", action="store_true",
                        help="retrain only the fast tier (data/models/extract-static), distilled from the shipped "
                             "accurate model; the fold models come from the cross-validation cache")


def run(args: argparse.Namespace) -> int:
    import time
    from ..errors import InputError
    from ..extract.data import load_training
    from ..extract.training import train
    if args.folds < 2:
        raise InputError(None, f"--folds must be at least 2, not {args.folds}", "pass --folds 5")
    if args.corrections:
        from pathlib import Path
        if not Path(args.corrections).exists():
            raise InputError(args.corrections, "corrections file not found", "give the explorer's corrections.jsonl")
    t0 = time.perf_counter()
    td = load_training(corrections=args.corrections)
    if td.missing:
        print(f"warning: {len(td.missing)} governance document(s) left out of training because their text was not "
              f"found (put ../shared beside the project): {', '.join(td.missing)}", file=sys.stderr)
    c = td.provenance["counts"]
    print(f"training on {c['units']} annotated sentences of {c['documents']} documents "
          f"({', '.join(f'{k} {v}' for k, v in c['by_set'].items())}) and {c['mit_descriptions']} MIT risk "
          f"descriptions", file=sys.stderr)
    if args.fast_only:
        from ..extract.training import train_fast_tier
        model, path, meta = train_fast_tier(args.out, progress=sys.stderr.isatty(), td=td, n_folds=args.folds)
        print(f"fast tier trained in {time.perf_counter() - t0:.0f} s -> {path}", file=sys.stderr)
        return 0
    params = {} if args.epochs is None else {"epochs": args.epochs}
    model, path, meta = train(args.out, progress=sys.stderr.isatty(), td=td, n_folds=args.folds, **params)
    print(f"trained in {time.perf_counter() - t0:.0f} s -> {path} (thresholds {model.thresholds_})", file=sys.stderr)
    return 0

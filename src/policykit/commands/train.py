"""`policykit train`: refit the shipped extraction models from data/training and data/external."""

from __future__ import annotations

import argparse
import sys

HELP = "retrain the shipped extraction models (data/models/extract-*) from the shipped training data"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--embedding", choices=("minilm", "static", "all"), default="all",
                        help="which model to train (default: all)")
    parser.add_argument("--out", metavar="DIR", help="write the model here instead of data/models/extract-<embedding>")


def run(args: argparse.Namespace) -> int:
    import time
    from ..extract.training import train
    names = ("minilm", "static") if args.embedding == "all" else (args.embedding,)
    if args.out and len(names) > 1:
        from ..errors import InputError
        raise InputError(args.out, "--out needs a single --embedding", "pass --embedding minilm or static")
    for name in names:
        t0 = time.perf_counter()
        model, path = train(name, args.out, progress=sys.stderr.isatty())
        print(f"trained extract-{name} on {model.n_train_['gold_sentences']} gold sentences and "
              f"{model.n_train_['mit_descriptions']} MIT descriptions in {time.perf_counter() - t0:.1f} s -> {path}",
              file=sys.stderr)
    return 0

"""``policykit segeval``: sentence-boundary F1 of the segmenter against gold sentences."""

from __future__ import annotations

import argparse
import json

HELP = "measure sentence segmentation against gold sentences (boundary and exact-span F1)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    from .. import config
    parser.add_argument("--gold", default=str(config.GOLD_SENTENCES),
                        help="gold sentences JSONL (default: ../shared/gold/sentences-dev.jsonl)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--errors", action="store_true", help="list gold sentences not matched")


def run(args: argparse.Namespace) -> int:
    """Segment the bundled report and score it."""
    from pathlib import Path

    from ..corpus import load_report
    from ..corpus.segeval import segmentation_scores
    from ..errors import InputError

    if not Path(args.gold).exists():
        raise InputError(args.gold, "gold file not found", "pass --gold PATH to a sentences JSONL")
    res = segmentation_scores(load_report(), args.gold)
    if args.json:
        print(json.dumps({k: res[k] for k in ("boundary", "span", "n_gold", "n_pred", "unlocated")},
                         indent=1))
    else:
        b, s = res["boundary"], res["span"]
        print(f"gold sentences {res['n_gold']}, predicted {res['n_pred']}, unlocated {res['unlocated']}")
        print(f"boundary  P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}")
        print(f"span      P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
    if args.errors and len(res["errors"]):
        print(res["errors"].to_string())
    return 0

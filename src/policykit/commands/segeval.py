"""``policykit segeval``: the segmenter against gold sentences.

Two measurements: boundary and exact-span F1 on the bundled report's dev gold, and exact
agreement with the hand-drawn units of the governance passages (per document, for the
documents read while writing the layout rules and for those put aside, and overall).
"""

from __future__ import annotations

import argparse
import json

HELP = "measure sentence segmentation against gold sentences (report F1, governance agreement)"
DESCRIPTION = """\
Measure the sentence segmenter against hand-drawn sentences.

1. The bundled report against ../shared/gold/sentences-dev.jsonl: boundary and exact-span
   precision, recall and F1.
2. Governance passages (../shared/gold/sentences-governance.jsonl): each source text is loaded
   on its own (as `policykit sentences FILE` would) and a gold unit counts as reproduced when a
   predicted sentence has exactly its span. Reported per document, for the documents whose
   passages were read while writing the layout rules ("read") and for those put aside ("not
   read": every third in sorted order), and overall.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's options."""
    from .. import config
    parser.add_argument("--gold", default=str(config.GOLD_SENTENCES),
                        help="gold sentences JSONL of the report (default: ../shared/gold/sentences-dev.jsonl)")
    parser.add_argument("--governance", default=str(config.SHARED_DIR / "gold" / "sentences-governance.jsonl"),
                        help="governance gold JSONL (default: ../shared/gold/sentences-governance.jsonl)")
    parser.add_argument("--no-governance", action="store_true", help="skip the governance passages")
    parser.add_argument("--no-cache", action="store_true", help="rebuild the corpus tables instead of reusing cached ones")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--errors", action="store_true", help="list report gold sentences not matched")


def run(args: argparse.Namespace) -> int:
    """Segment the bundled report (and the governance sources) and score them."""
    from pathlib import Path

    from ..corpus import load_report
    from ..corpus.segeval import governance_agreement, segmentation_scores
    from ..errors import InputError

    if not Path(args.gold).exists():
        raise InputError(args.gold, "gold file not found", "pass --gold PATH to a sentences JSONL")
    res = segmentation_scores(load_report(), args.gold)
    gov = None
    if not args.no_governance:
        if not Path(args.governance).exists():
            raise InputError(args.governance, "governance gold file not found",
                             "pass --governance PATH, or --no-governance to skip it")
        gov = governance_agreement(args.governance, cache=not args.no_cache)
    if args.json:
        out = {k: res[k] for k in ("boundary", "span", "n_gold", "n_pred", "unlocated")}
        if gov is not None:
            out["governance"] = gov.to_dict(orient="records")
        print(json.dumps(out, indent=1))
    else:
        b, s = res["boundary"], res["span"]
        print("report (dev gold)")
        print(f"gold sentences {res['n_gold']}, predicted {res['n_pred']}, unlocated {res['unlocated']}")
        print(f"boundary  P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}")
        print(f"span      P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
        if gov is not None:
            print("\ngovernance passages: exact agreement with hand-drawn units")
            show = gov.copy()
            show["agreement"] = show["agreement"].map(lambda v: f"{v:.3f}")
            print(show.to_string(index=False))
    if args.errors and len(res["errors"]):
        print(res["errors"].to_string())
    return 0

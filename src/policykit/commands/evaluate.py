"""`policykit evaluate`: score the extraction against gold sentences or MIT risk descriptions."""

from __future__ import annotations

import argparse
import json
import math
import sys

HELP = "score the extraction against gold sentences (--gold) or MIT risk rows (--mit); --cv for grouped CV"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", metavar="FILE.jsonl",
                        help="gold sentences (JSON lines: essay_id, text, role, risk_domains, risk_subdomains, "
                             "instruments, addressee); scored against the shipped model's extraction of --raw")
    parser.add_argument("--mit", metavar="FILE.csv", help="MIT AI Risk Database CSV: top-domain accuracy")
    parser.add_argument("--cv", action="store_true",
                        help="grouped cross-validation instead (by essay for the gold, by Paper_ID for MIT), "
                             "training on the given files or the shipped ones; with neither --gold nor --mit, both")
    parser.add_argument("--predictions", metavar="FILE",
                        help="score these predictions (jsonl/csv/parquet from `policykit extract`) instead of "
                             "extracting")
    parser.add_argument("--raw", metavar="FILE", help="raw text the offsets index into (default: the bundled report)")
    parser.add_argument("--essays", metavar="ID,ID", help="restrict the gold to these essays")
    parser.add_argument("--embedding", choices=("minilm", "static"), default=None, help="which shipped model")
    parser.add_argument("--out", metavar="FILE.jsonl",
                        help="with --cv: write the out-of-fold predictions (scorer records) here")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def _print_gold(res: dict, args) -> None:
    from ..evaluate import format_report
    if args.json:
        print(json.dumps(_clean(res["summary"]), indent=1))
    else:
        print(format_report(res))


def _clean(obj):
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    return obj


def _print_mit(res: dict, args, title: str) -> None:
    if args.json:
        print(json.dumps({"mit_top_domain_accuracy": res["accuracy"], "heads_top_domain_accuracy": res["accuracy_heads"],
                          "n": res["n"]}, indent=1))
        return
    print(f"{title}: top-domain accuracy {res['accuracy']:.3f} on {res['n']} risk descriptions "
          f"(MIT risk-description classifier; arg-max of the sentence risk-detection heads: "
          f"{res['accuracy_heads']:.3f})")
    print(res["per_domain"].to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def _warn_in_sample(args, key: str = "gold_sha256", path: str | None = None) -> None:
    """Warn when the gold (or MIT) file is (a copy of) the shipped model's training data."""
    import hashlib
    from pathlib import Path
    from ..extract.api import DEFAULT_EMBEDDING
    from ..extract.model import model_dir
    try:
        meta = json.loads((model_dir(args.embedding or DEFAULT_EMBEDDING) / "model.json").read_text(encoding="utf-8"))
        trained = meta.get("training", {}).get(key)
        if trained and hashlib.sha256(Path(path or args.gold).read_bytes()).hexdigest() == trained:
            print("warning: this file trained the shipped model, so these scores are in-sample; "
                  "use `policykit evaluate --cv` for honest (grouped cross-validated) scores", file=sys.stderr)
    except (OSError, ValueError):
        pass


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..evaluate import cross_validate, evaluate_gold, evaluate_mit, predictions_from_wide
    essays = args.essays.split(",") if args.essays else None
    if args.cv:
        if args.gold is None and args.mit is None or args.gold is not None:
            print("cross-validating on the dev gold (leave one essay out) ...", file=sys.stderr)
            res = cross_validate("gold", embedding=args.embedding, progress=sys.stderr.isatty(),
                                 gold_path=args.gold, mit_path=args.mit)
            _print_gold(res, args)
            if args.out:
                from ..store import atomic_write
                with atomic_write(args.out) as fh:
                    for r in predictions_from_wide(res["predictions"]):
                        fh.write(json.dumps(r) + "\n")
                print(f"wrote out-of-fold predictions to {args.out}", file=sys.stderr)
        if args.gold is None and args.mit is None or args.mit is not None:
            print("cross-validating the risk-domain scorer on MIT rows (5 folds grouped by Paper_ID) ...",
                  file=sys.stderr)
            _print_mit(cross_validate("mit", embedding=args.embedding, gold_path=args.gold, mit_path=args.mit),
                       args, "MIT grouped CV")
        return 0
    if args.gold is None and args.mit is None:
        raise InputError(None, "nothing to evaluate", "pass --gold FILE.jsonl, --mit FILE.csv or --cv")
    if args.gold is not None:
        _warn_in_sample(args)
        if args.predictions:
            res = evaluate_gold(args.predictions, args.gold, args.raw, essays)
        else:
            from .. import load
            from ..extract import extract
            corpus = load([args.raw]) if args.raw else load()
            wide = extract(corpus, embedding=args.embedding, progress=sys.stderr.isatty())
            res = evaluate_gold(wide, args.gold, args.raw, essays)
        _print_gold(res, args)
    if args.mit is not None:
        _warn_in_sample(args, "mit_sha256", args.mit)
        _print_mit(evaluate_mit(args.mit, embedding=args.embedding), args, "MIT")
    return 0

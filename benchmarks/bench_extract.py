"""Benchmark of `policykit extract` (run by hand; prints a table, asserts nothing).

    .venv/bin/python benchmarks/bench_extract.py            # report + AGORA (a few minutes)
    .venv/bin/python benchmarks/bench_extract.py --quick    # report + 100 AGORA documents

Each measurement runs in its own subprocess so that its peak memory (max RSS) is its own.

* report: the bundled WFEO-CEIT report (1,019 sentences); model load time, then a cold (first)
  and a warm (second) extraction in the same process, for the accurate tier (fine-tuned MiniLM;
  with the content-hash embedding cache of data/interim, as `extract()` uses it, and without it)
  and the fast tier (static vectors). Corpus-scale figures (tiers, Dask, incremental runs):
  benchmarks/bench_scale.py.
* AGORA: the ETO AGORA full texts (../shared/data/agora/fulltext, ~950 documents, ~1.8 M words).
  Corpus loading (reading + segmentation, the lead's stage) is timed separately; extraction
  throughput is words of the corpus sentences per second of `extract()`. The baseline is a raw
  spaCy pass over the same full texts: blank English tokenizer + rule sentencizer (`nlp.pipe`).
  The accurate tier on AGORA is measured on a sample of documents and extrapolated.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGORA = Path(os.environ.get("POLICYKIT_SHARED", ROOT.parent / "shared")) / "data" / "agora"


def _peak_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _agora(limit: int | None):
    import policykit
    return policykit.load([str(AGORA)], on_error="skip", limit=limit, progress=False)


def _load_tier(tier: str) -> float:
    """Load a tier's model and its encoder; seconds."""
    from policykit.extract.api import load_model
    t0 = time.perf_counter()
    model = load_model(tier)
    if model.is_student:
        from policykit.extract.student import static_model
        static_model()
    else:
        model.encoder()
    return time.perf_counter() - t0


def measure(mode: str, limit: int | None) -> dict:
    import warnings
    warnings.filterwarnings("ignore")
    if mode.startswith("report-"):
        tier = mode.split("-")[1]
        nocache = mode.endswith("-nocache")
        import policykit
        from policykit.extract import extract
        corpus = policykit.load()
        t_load = _load_tier(tier)
        cache = not nocache
        t0 = time.perf_counter()
        extract(corpus, model=tier, embed_cache=cache)
        t_cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        wide = extract(corpus, model=tier, embed_cache=cache)
        t_warm = time.perf_counter() - t0
        words = int(corpus.sentences["n_words"].sum())
        what = f"report, {tier}" + (" (no embedding cache)" if nocache else " (embedding cache)" if tier == "accurate" else "")
        return {"what": what, "sentences": len(wide), "words": words, "model_load_s": t_load,
                "cold_s": t_cold, "warm_s": t_warm, "words_per_s": words / t_warm, "peak_mb": _peak_mb()}
    if mode == "agora-load":
        t0 = time.perf_counter()
        corpus = _agora(limit)
        t = time.perf_counter() - t0
        words = int(corpus.sentences["n_words"].sum())
        return {"what": "AGORA corpus load (read + segment)", "documents": len(corpus.documents),
                "sentences": len(corpus.sentences), "words": words, "seconds": t, "words_per_s": words / t,
                "peak_mb": _peak_mb()}
    if mode == "agora-baseline":
        import spacy
        corpus = _agora(limit)
        texts = [str(corpus.raw(d)) for d in corpus.doc_ids]
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.max_length = max(nlp.max_length, max(len(t) for t in texts) + 1)
        words = int(corpus.sentences["n_words"].sum())
        t0 = time.perf_counter()
        n_sents = sum(len(list(doc.sents)) for doc in nlp.pipe(texts, batch_size=16))
        t = time.perf_counter() - t0
        return {"what": "AGORA baseline: spaCy blank tokenizer + sentencizer", "sentences": n_sents, "words": words,
                "seconds": t, "words_per_s": words / t, "peak_mb": _peak_mb()}
    if mode.startswith("agora-extract-"):
        tier = mode.rsplit("-", 1)[1]
        from policykit.extract import extract
        corpus = _agora(limit)
        _load_tier(tier)
        words = int(corpus.sentences["n_words"].sum())
        t0 = time.perf_counter()
        wide = extract(corpus, model=tier, embed_cache=False)
        t = time.perf_counter() - t0
        return {"what": f"AGORA extract, {tier}", "documents": len(corpus.documents), "sentences": len(wide),
                "words": words, "seconds": t, "words_per_s": words / t, "peak_mb": _peak_mb(),
                "claims_or_proposals": int(wide["role"].isin(["claim", "proposal"]).sum())}
    raise SystemExit(f"unknown mode {mode}")


def run(mode: str, limit: int | None) -> dict:
    cmd = [sys.executable, __file__, "--measure", mode] + (["--limit", str(limit)] if limit else [])
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        return {"what": mode, "error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="AGORA: first 100 documents only")
    ap.add_argument("--minilm-sample", type=int, default=60, help="AGORA documents for the accurate-tier estimate")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.limit)))
        return
    limit = 100 if args.quick else None
    rows = [run("report-accurate", None), run("report-accurate-nocache", None), run("report-fast", None)]
    print("Report (WFEO-CEIT 2023, bundled)")
    print(f"{'model':34s} {'sentences':>9s} {'words':>7s} {'model load s':>12s} {'cold s':>7s} {'warm s':>7s} "
          f"{'words/s warm':>12s} {'peak MB':>8s}")
    for r in rows:
        if "error" in r:
            print(f"{r['what']}: ERROR {r['error']}")
            continue
        print(f"{r['what'].split(', ', 1)[1]:34s} {r['sentences']:9d} {r['words']:7d} {r['model_load_s']:12.2f} "
              f"{r['cold_s']:7.2f} {r['warm_s']:7.2f} {r['words_per_s']:12,.0f} {r['peak_mb']:8.0f}")
    if not (AGORA / "fulltext").is_dir():
        print(f"\nAGORA not found at {AGORA}: skipped")
        return
    load = run("agora-load", limit)
    base = run("agora-baseline", limit)
    stat = run("agora-extract-fast", limit)
    mini = run("agora-extract-accurate", min(args.minilm_sample, limit or 10**9))
    print(f"\nAGORA full texts{' (first 100 documents)' if limit else ''}")
    print(f"{'stage':52s} {'docs':>5s} {'sentences':>9s} {'words':>9s} {'seconds':>8s} {'words/s':>9s} "
          f"{'x baseline':>10s} {'peak MB':>8s}")
    bw = base.get("words_per_s")
    for r in (load, base, stat, mini):
        if "error" in r:
            print(f"{r['what']:52s} ERROR {r['error']}")
            continue
        ratio = f"{r['words_per_s'] / bw:10.2f}" if bw else f"{'':>10s}"
        print(f"{r['what']:52s} {r.get('documents', ''):>5} {r['sentences']:9d} {r['words']:9d} {r['seconds']:8.1f} "
              f"{r['words_per_s']:9,.0f} {ratio} {r['peak_mb']:8.0f}")
    if "error" not in mini and "error" not in load:
        est = load["words"] / mini["words_per_s"]
        print(f"\nThe accurate tier's extract() on these {load['documents']} documents ({load['words']:,} words) "
              f"would take about {est / 60:.1f} min ({mini['words_per_s']:,.0f} words/s measured on "
              f"{mini['documents']} of them); whole-pipeline figures at corpus scale: benchmarks/bench_scale.py.")


if __name__ == "__main__":
    main()

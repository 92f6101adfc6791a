"""Benchmark of extraction at corpus scale (issue 15): prints the table of its "Done when".

    nice -n 10 .venv/bin/python benchmarks/bench_scale.py                 # everything, AGORA (~15 min idle)
    nice -n 10 .venv/bin/python benchmarks/bench_scale.py --quick         # 150 AGORA documents
    nice -n 10 .venv/bin/python benchmarks/bench_scale.py --only encoders # encoder speed and quality
    nice -n 10 .venv/bin/python benchmarks/bench_scale.py --only profile  # where the fast tier's time goes
    nice -n 10 .venv/bin/python benchmarks/bench_scale.py --only agreement  # fast vs accurate labels

Every measurement runs in its own subprocess with empty result stores (its peak RSS is its own;
Dask rows add the largest worker's peak). Inputs: the 947 AGORA full texts
(../shared/data/agora, 1.79 M words). All rows are "files to labels table": reading,
segmentation, extraction, writing the Parquet parts and reading the wide table back.

Rows
----
* raw spaCy baseline: blank English tokenizer + rule sentencizer over the full texts (same run).
* read + segment: ``policykit.load`` without its corpus cache.
* fast / accurate tier: ``policykit.engine.extract_paths`` (local engine, fresh store).
* Dask, 1 and 2 local workers (processes, one thread each), fast tier.
* incremental: the store holds the first N-10 documents; the run over all N extracts the 10 new.

Encoders (``--only encoders``): the accurate tier's fine-tuned MiniLM on a sample of AGORA
sentences with torch (the reference), ONNX Runtime fp32 (the default) and ONNX truncated at 64
word pieces (instead of 128): words/s, cosine to the torch vectors, and agreement of
``extract``'s labels with the torch run on the bundled report and on a governance text (the
OECD AI Recommendation, 2019).

The machine is shared: the load average before and after each row is printed; only rows run
on a quiet machine (load < 0.5) are comparable across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYKIT_SHARED", ROOT.parent / "shared"))
AGORA = SHARED / "data" / "agora"
GOVERNANCE = SHARED / "data" / "governance-texts"


def _peak_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _load() -> float:
    return os.getloadavg()[0]


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Dask workers once closed)."""
    import resource
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


# ----------------------------------------------------------------------------- measurements
def m_baseline(limit):
    import spacy

    import policykit
    corpus = policykit.load([str(AGORA)], on_error="skip", limit=limit, progress=False, cache=False)
    texts = [str(corpus.raw(d)) for d in corpus.doc_ids]
    words = int(corpus.sentences["n_words"].sum())
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = max(nlp.max_length, max(len(t) for t in texts) + 1)
    t0, c0 = time.perf_counter(), _cpu()
    n = sum(len(list(doc.sents)) for doc in nlp.pipe(texts, batch_size=16))
    t = time.perf_counter() - t0
    return {"what": "raw spaCy tokenize + sentencize (baseline)", "docs": len(texts), "sentences": n,
            "words": words, "seconds": t, "cpu": _cpu() - c0}


def m_segment(limit):
    import policykit
    t0, c0 = time.perf_counter(), _cpu()
    corpus = policykit.load([str(AGORA)], on_error="skip", limit=limit, progress=False, cache=False)
    t = time.perf_counter() - t0
    return {"what": "read + segment (policykit.load, no cache)", "docs": len(corpus.documents),
            "sentences": len(corpus.sentences), "words": int(corpus.sentences["n_words"].sum()), "seconds": t,
            "cpu": _cpu() - c0}


def _pipeline(limit, model, engine="local", workers=None, root=None, label=None, **kw):
    from policykit.engine import extract_paths
    root = root or tempfile.mkdtemp(prefix="bench-store-")
    t0, c0 = time.perf_counter(), _cpu()
    run = extract_paths([str(AGORA)], on_error="skip", limit=limit, model=model, engine=engine, workers=workers,
                        root=root, **kw)
    wide = run.read()
    t = time.perf_counter() - t0
    return {"what": label or f"{model} tier, whole pipeline ({engine})", "docs": len(run.documents),
            "sentences": len(wide), "words": int(wide["n_words"].sum()), "seconds": t, "cpu": _cpu() - c0,
            "extracted": run.n_new, "timings": run.timings, "version": run.version,
            "claims_or_proposals": int(wide["role"].isin(["claim", "proposal"]).sum())}


def m_fast(limit):
    return _pipeline(limit, "fast")


def m_accurate(limit):
    return _pipeline(limit, "accurate")


def m_dask1(limit):
    return _pipeline(limit, "fast", "dask", 1, label="fast tier, Dask 1 worker", batch_words=50_000)


def m_dask2(limit):
    return _pipeline(limit, "fast", "dask", 2, label="fast tier, Dask 2 workers", batch_words=50_000)


def m_incremental(limit):
    from policykit.engine import extract_paths
    n = limit or 947
    root = tempfile.mkdtemp(prefix="bench-store-")
    extract_paths([str(AGORA)], on_error="skip", limit=n - 10, model="fast", root=root)
    out = _pipeline(n, "fast", root=root, label="incremental: +10 new documents, fast tier")
    return out


def m_profile(limit):
    """cProfile of the fast tier's extract() on an in-memory corpus, grouped by stage."""
    import cProfile
    import pstats

    import policykit
    from policykit.extract import extract
    from policykit.extract.api import load_model
    from policykit.extract.student import static_model
    corpus = policykit.load([str(AGORA)], on_error="skip", limit=limit, progress=False, cache=False)
    load_model("fast")
    static_model()
    extract(corpus.subset(corpus.doc_ids[:2]), model="fast", embed_cache=False)  # warm-up
    words = int(corpus.sentences["n_words"].sum())
    pr = cProfile.Profile()
    t0 = time.perf_counter()
    pr.enable()
    extract(corpus, model="fast", embed_cache=False)
    pr.disable()
    total = time.perf_counter() - t0
    st = pstats.Stats(pr)
    stages = {
        "static vectors (model2vec)": ("extract/student.py", "static_vectors"),
        "spaCy tokenizer (make_doc)": ("spacy/language.py", "make_doc"),
        "pk_norm (lemma NORM)": ("extract/rules.py", "norm_doc"),
        "pk_cues (PhraseMatcher + Matcher + dedupe)": ("extract/pipeline.py", "cues"),
        "pk_structure (layout regexes)": ("extract/pipeline.py", "structure"),
        "featurize (cue counts, addressee windows)": ("extract/features.py", "featurize"),
        "model.score (heads, calibration)": ("extract/model.py", "score"),
        "decide (decision loop + evidence)": ("extract/decide.py", "decide"),
        "_map_evidence (cue offsets to raw text)": ("extract/api.py", "_map_evidence"),
    }
    out = {}
    for name, (file_part, func) in stages.items():
        cum = 0.0
        for (f, _line, fn), (_cc, _nc, _tt, ct, _callers) in st.stats.items():
            if fn == func and f.replace(os.sep, "/").endswith(file_part):
                cum = max(cum, ct)
        out[name] = cum
    prof_total = sum(v[3] for k, v in st.stats.items() if k[2] == "extract" and k[0].endswith("extract/api.py"))
    top = sorted(((v[2], f"{Path(k[0]).name}:{k[1]} {k[2]}") for k, v in st.stats.items()), reverse=True)[:12]
    return {"what": "profile", "docs": len(corpus.documents), "words": words, "seconds": total,
            "profiled_seconds": prof_total, "stages": out, "top_self": top}


class _truncated:
    """The tuned encoder's word-piece limit lowered for a block (benchmark only)."""

    def __init__(self, n: int | None):
        self.n = n

    def __enter__(self):
        from policykit.extract import encoder as enc
        self.old = enc.MAX_TOKENS
        if self.n:
            enc.MAX_TOKENS = self.n
            enc._BASE.pop("tok", None)
        return self

    def __exit__(self, *exc):
        from policykit.extract import encoder as enc
        enc.MAX_TOKENS = self.old
        enc._BASE.pop("tok", None)


def m_encoders(limit):
    """Speed and quality of the accurate tier's encoder (fine-tuned MiniLM) on its backends."""
    import numpy as np
    import pandas as pd

    import policykit
    from policykit.extract import encoder as enc
    from policykit.extract import extract
    from policykit.extract.api import load_model

    corpus = policykit.load([str(AGORA)], on_error="skip", limit=limit, progress=False)
    S = corpus.sentences
    rng = np.random.default_rng(0)
    idx = rng.choice(len(S), min(1500, len(S)), replace=False)
    texts = S["text"].iloc[idx].tolist()
    words = int(S["n_words"].iloc[idx].sum())
    model = load_model("accurate")
    variants = {"torch (reference)": ("torch", None), "onnx fp32": ("onnx", None),
                "onnx fp32, truncated at 64 pieces": ("onnx", 64)}
    rows, ref = [], None
    for name, (backend, trunc) in variants.items():
        with enc.use_backend(backend), _truncated(trunc):
            model.encode(texts[:16])
            t0 = time.perf_counter()
            v = model.encode(texts)
            dt = time.perf_counter() - t0
            batch_ok = bool(np.array_equal(model.encode(texts[3:11]), v[3:11]))
        ref = v if ref is None else ref
        cos = (v * ref).sum(axis=1)
        rows.append({"variant": name, "words_per_s": words / dt, "cos_mean": float(cos.mean()),
                     "cos_min": float(cos.min()), "batch_independent": batch_ok})
    corpora = {"bundled report": policykit.load()}
    gov = GOVERNANCE / "oecd-recommendation-council-ai-2019.txt"
    if gov.is_file():
        corpora["OECD AI Recommendation 2019"] = policykit.load([str(gov)], progress=False)
    cols = ["role", "risk_domains", "risk_subdomains", "instruments", "addressees"]
    agree = {}
    for cname, c in corpora.items():
        with enc.use_backend("torch"):
            base = extract(c, model="accurate", embed_cache=False)
        for name, (backend, trunc) in list(variants.items())[1:]:
            with enc.use_backend(backend), _truncated(trunc):
                w = extract(c, model="accurate", embed_cache=False)
            same = {col: float(np.mean([a == b for a, b in zip(base[col], w[col])])) for col in cols}
            same["all labels"] = float(np.mean([all(base[col].iat[i] == w[col].iat[i] for col in cols)
                                                for i in range(len(w))]))
            same["scores max |diff|"] = float((base["role_score"] - w["role_score"]).abs().max())
            agree[f"{cname} ({len(w)} sentences) / {name}"] = same
    return {"what": "encoders", "sample_sentences": len(texts), "sample_words": words, "rows": rows,
            "agreement": agree, "table": pd.DataFrame(rows).to_dict("records")}


def m_report(limit, by=("authority",), topics=False):
    """`policykit report AGORA --by X` as the pipeline would run it on stored tables: load (corpus
    cache), extraction read from the store (fast tier; extracted first if missing), report."""
    import policykit
    from policykit.engine import extract_corpus
    from policykit.report import build_report
    times = {}
    t0 = time.perf_counter()
    corpus = policykit.load([str(AGORA)], on_error="skip", limit=limit, progress=False)
    times["load"] = time.perf_counter() - t0
    run = extract_corpus(corpus, model="fast")
    times["extract (store)"] = time.perf_counter() - t0 - sum(times.values())
    wide = run.read()
    times["read stored table"] = time.perf_counter() - t0 - sum(times.values())
    out = tempfile.mkdtemp(prefix="bench-report-")
    res = build_report(corpus=corpus, extraction=wide, by=list(by), out=Path(out) / "r", topics=topics,
                       progress=False)
    times["report"] = time.perf_counter() - t0 - sum(times.values())
    total = time.perf_counter() - t0
    return {"what": f"report --by {','.join(by)}{' (with topics)' if topics else ''}, fast tier",
            "docs": len(corpus.documents), "words": int(wide["n_words"].sum()), "seconds": total,
            "steps": times, "report_timings": {k: float(v) for k, v in res.timings.items()},
            "files": len(res.files), "extracted": run.n_new}


def m_report_cli(limit, by="authority"):
    """The command itself, cold: ``policykit report AGORA --by authority`` (topics, figures, PNG/SVG,
    explorer) in a new process with empty caches and an empty store."""
    if limit:
        raise SystemExit("report_cli runs on the whole of AGORA only")
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-cli-"))
    env = dict(os.environ, POLICYKIT_INTERIM_DIR=str(tmp / "interim"), POLICYKIT_PROCESSED_DIR=str(tmp / "processed"))
    exe = Path(sys.executable).with_name("policykit")
    t0, c0 = time.perf_counter(), _cpu()
    out = subprocess.run([str(exe), "report", str(AGORA), "--on-error", "skip", "--by", by, "--out", str(tmp / "r"),
                          "-q"], capture_output=True, text=True, env=env)
    t = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "report failed")
    summary = json.loads((tmp / "r" / "summary.json").read_text())
    return {"what": f"policykit report AGORA --by {by} (cold, with topics and static images)",
            "docs": summary["n_documents"], "words": 0, "seconds": t, "cpu": _cpu() - c0,
            "steps": {k: v for k, v in summary["timings_s"].items() if not k.startswith("total")},
            "extracted": summary["n_documents"], "log": out.stderr.strip().splitlines()[:3],
            "extraction": summary.get("extraction")}


def m_report_authority(limit):
    return m_report(limit, ("authority",))


def m_report_collection(limit):
    return m_report(limit, ("collections",))


def m_report_year(limit):
    return m_report(limit, ("year",))


def m_agreement(limit):
    """Fast vs accurate labels on the bundled report and on AGORA documents the fast tier never
    saw (neither gold nor in its distillation transfer set), 60 of them in SHA-256 order of id."""
    import hashlib

    import policykit
    from policykit.engine import extract_corpus
    from policykit.engine.agreement import tier_agreement
    from policykit.extract.data import load_training
    from policykit.extract.training import matrices, transfer_set
    td = load_training()
    ts = transfer_set(matrices(td))
    used = (set(ts.groups) if ts is not None else set()) | set(td.units["doc_id"].astype(str))
    agora = policykit.load([str(AGORA)], on_error="skip", progress=False)
    ids = sorted((d for d in agora.documents["doc_id"] if d not in used),
                 key=lambda d: hashlib.sha256(d.encode()).hexdigest())[:limit or 60]
    out = {}
    for name, corpus in (("bundled report", policykit.load()), (f"AGORA, {len(ids)} unseen documents", agora.subset(ids))):
        with tempfile.TemporaryDirectory() as d:
            fast = extract_corpus(corpus, model="fast", root=d).read()
            acc = extract_corpus(corpus, model="accurate", root=d).read()
        out[name] = tier_agreement(acc, fast).to_dict("records")
    return {"what": "agreement", "agreement": out}


MEASURES = {"report_cli": m_report_cli, "report_authority": m_report_authority, "report_collection": m_report_collection,
            "report_year": m_report_year, "baseline": m_baseline, "segment": m_segment, "fast": m_fast, "accurate": m_accurate,
            "dask1": m_dask1, "dask2": m_dask2, "incremental": m_incremental, "profile": m_profile,
            "encoders": m_encoders, "agreement": m_agreement}


def measure(mode: str, limit: int | None) -> dict:
    import warnings
    warnings.filterwarnings("ignore")
    out = MEASURES[mode](limit)
    out["peak_mb"] = _peak_mb()
    out["children_peak_mb"] = _children_peak_mb()
    return out


def run(mode: str, limit: int | None) -> dict:
    cmd = [sys.executable, __file__, "--measure", mode] + (["--limit", str(limit)] if limit else [])
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="bench-scale-")
    env.setdefault("POLICYKIT_PROCESSED_DIR", os.path.join(tmp, "processed"))
    l0 = _load()
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        return {"what": mode, "error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res.update(load_before=l0, load_after=_load(), process_wall=wall)
    return res


def _row(r: dict, base: float | None) -> str:
    if "error" in r:
        return f"| {r['what']} | ERROR: {r['error']} |"
    wps = r["words"] / r["seconds"] if r.get("seconds") else 0
    ratio = f"{wps / base:.2f}" if base else ""
    peak = max(r.get("peak_mb", 0), r.get("children_peak_mb", 0) if "Dask" in r["what"] else 0)
    cpu = f"{r['cpu']:.1f}" if r.get("cpu") else ""
    return (f"| {r['what']} | {r.get('docs', '')} | {r['words']:,} | {r['seconds']:.1f} | {wps:,.0f} | {ratio} | "
            f"{cpu} | {peak / 1024:.2f} | {r['load_before']:.1f}/{r['load_after']:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="first 150 AGORA documents only")
    ap.add_argument("--only", help="comma-separated subset of: " + ", ".join(MEASURES))
    ap.add_argument("--accurate-limit", type=int, default=None,
                    help="AGORA documents for the accurate-tier row (default: all)")
    ap.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.limit), default=str))
        return
    if not (AGORA / "fulltext").is_dir():
        print(f"AGORA not found at {AGORA}: nothing to measure")
        return
    limit = 150 if args.quick else None
    modes = args.only.split(",") if args.only else ["baseline", "segment", "fast", "accurate", "dask1", "dask2",
                                                     "incremental"]
    results = {}
    for m in modes:
        lim = (args.accurate_limit or limit) if m == "accurate" else limit
        results[m] = run(m, lim)
        print(f"# {m}: done (load {results[m].get('load_before', 0):.1f} -> {results[m].get('load_after', 0):.1f})",
              file=sys.stderr, flush=True)
    for m, r in results.items():
        if "error" in r:
            print(f"{m}: ERROR {r['error']}")
    base = results.get("baseline", {})
    bw = base["words"] / base["seconds"] if base.get("seconds") else None
    table = [m for m in modes if m not in ("profile", "encoders", "agreement") and not m.startswith("report_")]
    if table:
        print(f"\nAGORA full texts{' (first 150 documents)' if limit else ''}, "
              f"{os.cpu_count()} cores; peak = max RSS (Dask: the largest of client and workers)\n")
        print("| stage | docs | words | seconds | words/s | x raw spaCy | CPU s | peak GiB | load before/after |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for m in table:
            print(_row(results[m], bw))
        d1, d2 = results.get("dask1"), results.get("dask2")
        if d1 and d2 and "error" not in d1 and "error" not in d2:
            print(f"\nDask scaling, 1 -> 2 workers: {d1['seconds'] / d2['seconds']:.2f}x")
        for m in ("fast", "accurate"):
            r = results.get(m)
            if r and "timings" in r:
                t = r["timings"]
                print(f"{m}: scan {t.get('scan', 0):.1f} s, read {t.get('sum_read', 0):.1f} s, segment "
                      f"{t.get('sum_segment', 0):.1f} s, model load {t.get('sum_load', 0):.1f} s, extract "
                      f"{t.get('sum_extract', 0):.1f} s, write {t.get('sum_write', 0):.1f} s")
    reps = [m for m in modes if m.startswith("report_") and "error" not in results[m]]
    if reps:
        print("\nReports on AGORA (fast tier; extraction read from the store; cold = store empty)\n")
        print("| report | seconds | steps | load before/after |")
        print("|---|---:|---|---|")
        for m in reps:
            r = results[m]
            steps = ", ".join(f"{k} {v:.0f} s" for k, v in r["steps"].items())
            print(f"| {r['what']} ({r['extracted']} extracted) | {r['seconds']:.0f} | {steps} | "
                  f"{r['load_before']:.1f}/{r['load_after']:.1f} |")
    if "profile" in results and "stages" in results["profile"]:
        p = results["profile"]
        print(f"\nFast tier extract() on {p['docs']} documents ({p['words']:,} words): {p['seconds']:.1f} s "
              f"under cProfile (cumulative seconds per stage; stages nest inside the spaCy pipe)\n")
        print("| stage | seconds | share |")
        print("|---|---:|---:|")
        for k, v in p["stages"].items():
            print(f"| {k} | {v:.1f} | {v / p['seconds']:.0%} |")
        print("\ntop functions by own time:")
        for s, name in p["top_self"]:
            print(f"  {s:7.2f} s  {name}")
    if "encoders" in results and "rows" in results["encoders"]:
        e = results["encoders"]
        print(f"\nThe accurate tier's encoder on {e['sample_sentences']} AGORA sentences ({e['sample_words']:,} "
              f"words), {os.cpu_count()} cores\n")
        print("| encoder | words/s | cosine to torch (mean) | (min) | batch-independent |")
        print("|---|---:|---:|---:|---|")
        for r in e["rows"]:
            print(f"| {r['variant']} | {r['words_per_s']:,.0f} | {r['cos_mean']:.6f} | {r['cos_min']:.4f} | "
                  f"{r.get('batch_independent', True)} |")
        print("\nlabel agreement with the torch encoder (share of sentences with identical labels)\n")
        cols = ["role", "risk_domains", "risk_subdomains", "instruments", "addressees", "all labels",
                "scores max |diff|"]
        print("| corpus / encoder | " + " | ".join(cols) + " |")
        print("|---|" + "---:|" * len(cols))
        for k, v in e["agreement"].items():
            print(f"| {k} | " + " | ".join(f"{v[c]:.4f}" for c in cols) + " |")
    if "agreement" in results and "agreement" in results["agreement"]:
        print("\nThe fast tier against the accurate one (share of sentences with identical labels; micro-F1 of "
              "the fast tier's labels taking the accurate tier's as reference)\n")
        print("| corpus | facet | sentences | identical | F1 |")
        print("|---|---|---:|---:|---:|")
        for name, rows in results["agreement"]["agreement"].items():
            for r in rows:
                print(f"| {name} | {r['facet']} | {r['n_sentences']:,} | {r['identical']:.3f} | {r['f1']:.3f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()

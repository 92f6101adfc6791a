"""Benchmark the topic models on the bundled report's body paragraphs.

    .venv/bin/python benchmarks/bench_topics.py [--unit paragraph|sentence] [--no-speed] [--no-stability]

Each scenario runs in a fresh Python process, so "cold" really is cold:

* ``cold``            empty embedding cache and empty numba cache (first run on a new machine);
* ``cold embeddings`` empty embedding cache, UMAP's compiled kernels already cached;
* ``cached``          embeddings cached (the normal case after the first run);
* ``in-process refit`` a second ``fit`` in the same process (notebook use).

``fit()`` is the time of ``TopicModel().fit(corpus)`` alone (embedding included when not
cached, and loading the embedding model when it is needed); importing BERTopic, UMAP and
HDBSCAN (about 5 s, once per process) is timed separately, and ``process`` adds Python
start-up, all imports and loading the corpus. Targets (issue 5):
fit cold <= 30 s, fit with cached embeddings <= 5 s, on 2 cores. Embedding throughput is
measured without the cache.

A second table compares the clustering methods (``method="spectral"``, the default, and
``method="umap"``, UMAP + HDBSCAN) on quality and stability: each is fitted on the cached
embeddings and on the same embeddings plus Gaussian noise of 1e-6 (``--draws`` draws; noise
that depends on the text only, as another processor's kernels), and the table gives NPMI
coherence and diversity (mean and range over the fits) against an NMF baseline with as many
topics, the outlier share HDBSCAN (or the size threshold) leaves, and how much of the partition
survives the noise (adjusted Rand index, share of units in their matched topic). Prints
Markdown tables; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, os, sys, time
t_start = float(sys.argv[1])
unit = sys.argv[2]
emb_dir = sys.argv[3]
t0 = time.perf_counter()
import policykit
from policykit import config
from policykit.topics import TopicModel, NMFTopicModel
if emb_dir != "-":
    os.environ["POLICYKIT_INTERIM_DIR"] = emb_dir
t_import = time.perf_counter() - t0
t0 = time.perf_counter()
import bertopic, umap, hdbscan  # the topic libraries' one-off import, timed on its own
t_libs = time.perf_counter() - t0
t0 = time.perf_counter()
corpus = policykit.load()
t_load = time.perf_counter() - t0
t0 = time.perf_counter()
tm = TopicModel(unit=unit).fit(corpus)
t_fit = time.perf_counter() - t0
t0 = time.perf_counter()
tm2 = TopicModel(unit=unit).fit(corpus)
t_refit = time.perf_counter() - t0
t0 = time.perf_counter()
NMFTopicModel(n_topics=tm.n_topics_, unit=unit).fit(corpus)
t_nmf = time.perf_counter() - t0
print(json.dumps({"import": t_import, "libs": t_libs, "load": t_load, "fit": t_fit, "refit": t_refit, "nmf": t_nmf,
                  "process": time.time() - t_start, "stages": tm.fit_seconds_,
                  "n_units": len(tm.units_), "n_topics": tm.n_topics_,
                  "fingerprint": tm.fingerprint(), "same_refit": tm2.fingerprint() == tm.fingerprint()}))
"""

THROUGHPUT = r"""
import json, time
import policykit
from policykit.embed import embed, load_sentence_transformer
from policykit.topics import topic_units
corpus = policykit.load()
load_sentence_transformer()
out = {}
for unit in ("paragraph", "sentence"):
    texts = topic_units(corpus, unit)["text"].tolist()
    t0 = time.perf_counter(); embed(texts, cache=False); dt = time.perf_counter() - t0
    out[unit] = (len(texts), dt)
texts = topic_units(corpus, "paragraph")["text"].tolist()
embed(texts)  # make sure they are cached
t0 = time.perf_counter(); embed(texts); out["cached"] = (len(texts), time.perf_counter() - t0)
print(json.dumps(out))
"""


def run_child(unit: str, emb_dir: str, numba_dir: str | None) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    if numba_dir:
        env["NUMBA_CACHE_DIR"] = numba_dir
    out = subprocess.run([sys.executable, "-c", CHILD, repr(time.time()), unit, emb_dir],
                         capture_output=True, text=True, env=env, timeout=900)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


STABILITY = r"""
import hashlib, json, sys
import numpy as np
import policykit
from policykit.embed import embed
from policykit.topics import NMFTopicModel, TopicModel, compare_models
from policykit.topics.spectral import match_partitions
from sklearn.metrics import adjusted_rand_score
unit, draws = sys.argv[1], int(sys.argv[2])
corpus = policykit.load()
def noisy(E, texts, scale=1e-6):
    E = E.copy()
    for i, t in enumerate(texts):
        seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
        E[i] += np.random.default_rng(seed + draw).normal(scale=scale, size=E.shape[1]).astype(np.float32)
    return E
out = {}
for method in ("spectral", "umap"):
    rows = []
    base = None
    for draw in range(draws + 1):
        tm = TopicModel(unit=unit, method=method, doc_map=False)
        if base is None:
            tm.fit(corpus)
            texts = tm.units_["text"].tolist()
            E0 = tm.embeddings_
        else:
            tm.fit(corpus, embeddings=noisy(E0, texts))
        nmf = NMFTopicModel(n_topics=tm.n_topics_, unit=unit).fit(corpus)
        q = compare_models({"c": tm, "k": tm.keywords_, "nmf": nmf}, texts=texts).set_index("model")
        row = {"n_topics": tm.n_topics_, "outliers": tm.outlier_share_before_, "npmi": q.loc["c", "npmi"],
               "npmi_kw": q.loc["k", "npmi"], "div": q.loc["c", "diversity"], "nmf_npmi": q.loc["nmf", "npmi"],
               "nmf_div": q.loc["nmf", "diversity"]}
        if base is None:
            base = tm.topics_
        else:
            row["ari"] = float(adjusted_rand_score(base, tm.topics_))
            row["share"] = match_partitions(base, tm.topics_)
            row["identical"] = bool(np.array_equal(base, tm.topics_))
        rows.append(row)
    out[method] = rows
print(json.dumps(out))
"""


def stability_table(unit: str, draws: int) -> None:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    res = subprocess.run([sys.executable, "-c", STABILITY, unit, str(draws)], capture_output=True, text=True,
                         env=env, timeout=3600)
    if res.returncode != 0:
        print(f"stability run failed: {res.stderr[-2000:]}")
        return
    out = json.loads(res.stdout.strip().splitlines()[-1])

    def stat(rows, k, fmt="{:.3f}"):
        v = [r[k] for r in rows if k in r]
        if not v:
            return "-"
        if min(v) == max(v):
            return fmt.format(v[0])
        return (fmt + " ({}-{})").format(sum(v) / len(v), fmt.format(min(v)), fmt.format(max(v)))

    print(f"\n## Clustering methods on the report's {unit}s: quality and stability under noise of 1e-6 "
          f"({draws} draws; statistics over the clean fit and the noisy ones)\n")
    print("| method | topics | outliers before | NPMI c-TF-IDF | NPMI keywords | diversity | NMF NPMI | NMF diversity "
          "| identical under noise | ARI | share kept |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for method, rows in out.items():
        noisy = rows[1:]
        print(f"| {method} | {stat(rows, 'n_topics', '{:.0f}')} | {stat(rows, 'outliers', '{:.2f}')} | "
              f"{stat(rows, 'npmi')} | {stat(rows, 'npmi_kw')} | {stat(rows, 'div')} | {stat(rows, 'nmf_npmi')} | "
              f"{stat(rows, 'nmf_div')} | {sum(r['identical'] for r in noisy)}/{len(noisy)} | "
              f"{stat(noisy, 'ari', '{:.2f}')} | {stat(noisy, 'share', '{:.2f}')} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unit", choices=("paragraph", "sentence"), default="paragraph")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed table")
    ap.add_argument("--no-stability", action="store_true", help="skip the quality and stability table")
    ap.add_argument("--draws", type=int, default=4, help="noisy refits per method (stability table)")
    args = ap.parse_args(argv)
    if args.no_speed:
        if not args.no_stability:
            stability_table(args.unit, args.draws)
        return 0

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cold = run_child(args.unit, os.path.join(tmp, "emb1"), os.path.join(tmp, "numba"))
        rows.append(("cold (no embedding cache, no numba cache)", cold, cold["fit"], 30))
        cold_emb = run_child(args.unit, os.path.join(tmp, "emb2"), None)
        rows.append(("cold embeddings (numba cache warm)", cold_emb, cold_emb["fit"], 30))
    warm = run_child(args.unit, "-", None)  # the project's cache, filled by now
    rows.append(("cached embeddings, new process", warm, warm["fit"], 5))
    rows.append(("cached embeddings, in-process refit", warm, warm["refit"], 5))

    env = dict(os.environ, HF_HUB_OFFLINE="1")
    tp = subprocess.run([sys.executable, "-c", THROUGHPUT], capture_output=True, text=True, env=env, timeout=900)
    thr = json.loads(tp.stdout.strip().splitlines()[-1]) if tp.returncode == 0 else {}

    print(f"## policykit topics benchmark ({args.unit}s of the bundled report; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f})\n")
    print(f"{warm['n_units']} units, {warm['n_topics']} topics, fingerprint {warm['fingerprint']} "
          f"(identical in all runs: {len({r[1]['fingerprint'] for r in rows}) == 1 and warm['same_refit']})\n")
    print("| scenario | fit() s | target | met | process total s | import policykit s | "
          "import bertopic+umap+hdbscan s | corpus load s | fit stages s |")
    print("|---|---:|---:|:---:|---:|---:|---:|---:|---|")
    for name, r, fit, target in rows:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items()) if "refit" not in name else "-"
        total = f"{r['process']:.1f}" if "refit" not in name else "-"
        imp = (f"{r['import']:.1f} | {r['libs']:.1f} | {r['load']:.1f}" if "refit" not in name
               else "- | - | -")
        print(f"| {name} | {fit:.1f} | <= {target} | {'yes' if fit <= target else 'NO'} | {total} | "
              f"{imp} | {stages} |")
    print(f"| NMF baseline (same units) | {warm['nmf']:.1f} | | | | | | | |")
    if thr:
        print("\n| embedding (all-MiniLM-L6-v2, no cache) | texts | seconds | texts/s |")
        print("|---|---:|---:|---:|")
        for k in ("paragraph", "sentence", "cached"):
            n, dt = thr[k]
            name = {"paragraph": "body paragraphs", "sentence": "body sentences",
                    "cached": "body paragraphs, from the cache"}[k]
            print(f"| {name} | {n} | {dt:.2f} | {n / dt:,.0f} |")
    else:
        print(f"\nthroughput run failed: {tp.stderr[-500:]}")
    if not args.no_stability:
        stability_table(args.unit, args.draws)
    return 0


if __name__ == "__main__":
    sys.exit(main())

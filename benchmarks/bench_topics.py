"""Benchmark the topic models on the bundled report's body paragraphs.

    .venv/bin/python benchmarks/bench_topics.py [--unit paragraph|sentence] [--repeat N]

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
measured without the cache. Prints a Markdown table; nothing is asserted.
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unit", choices=("paragraph", "sentence"), default="paragraph")
    args = ap.parse_args(argv)

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
    return 0


if __name__ == "__main__":
    sys.exit(main())

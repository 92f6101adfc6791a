"""Reading + segmenting speed: the AGORA snapshot and the bundled report, without the corpus cache.

Prints a table: wall time, CPU time (of this process; less sensitive to other load on a shared
machine), words, sentences and words per CPU second. Each row is the best of ``--repeat`` runs.

    nice -n 10 .venv/bin/python benchmarks/bench_segment.py [--repeat 3] [--agora PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def _run(label: str, fn, repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        corpus = fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if best is None or cpu < best["cpu s"]:
            best = {"run": label, "wall s": wall, "cpu s": cpu, "documents": len(corpus.documents),
                    "words": int(corpus.sentences["n_words"].sum()), "sentences": len(corpus.sentences)}
    best["words / cpu s"] = best["words"] / best["cpu s"]
    return best


def main() -> None:
    from policykit import config
    from policykit.corpus import load_report
    from policykit.corpus.load import load

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--agora", default=str(config.SHARED_DIR / "data" / "agora"))
    args = ap.parse_args()
    rows = [_run("report (wfeo parse)", load_report, args.repeat)]
    if Path(args.agora).is_dir():
        rows.append(_run("AGORA read + segment", lambda: load(args.agora, cache=False, progress=False),
                         args.repeat))
    cols = ["run", "documents", "words", "sentences", "wall s", "cpu s", "words / cpu s"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        cells = [r["run"], f"{r['documents']:,}", f"{r['words']:,}", f"{r['sentences']:,}", f"{r['wall s']:.1f}",
                 f"{r['cpu s']:.1f}", f"{r['words / cpu s']:,.0f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

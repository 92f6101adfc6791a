"""Benchmark: how long the evidence explorer takes to open, on the bundled report and on the
governance texts of ../shared (or any corpus given with --corpus).

For each corpus the extraction is computed once (not timed: it is what the notebook already has),
then, ``--runs`` times (the median is printed):

* ``explore()``   — ``policykit.explore(wide, corpus)``: views for every facet × grouping, the
  review queue, corrections re-applied (an empty file), the payload, the widget object;
* ``cpu s``       — the process CPU time of explore() (close to its wall time on an idle machine);
* ``payload MB``  — size of the data the widget sends to JupyterLab (JSON);
* ``to_html()``   — writing the self-contained page;
* ``render``      — headless Chromium (``/usr/bin/chromium``) opening that page until the explorer
  is drawn (the same JavaScript JupyterLab runs); skipped without playwright or Chromium;
* ``open``        — explore() + render: the time from the call to a drawn widget (JupyterLab
  adds the kernel → browser message, roughly the payload size over a local socket).

Corrections go to a temporary file. Machine load changes the numbers (the 1-minute load average
is printed); compare runs made on an idle machine. Run by hand, never as a timed test.

usage: python benchmarks/bench_explore.py [--runs N] [--corpus PATH ...] [--no-browser]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-dev-shm-usage"]


def render_seconds(page: Path) -> float | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).is_file():
        return None
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            pg = b.new_page(viewport={"width": 1400, "height": 1000})
            t0 = time.perf_counter()
            pg.goto(page.as_uri())
            pg.wait_for_selector("[data-testid=pk-explorer][data-ready='1']", timeout=300_000)
            return time.perf_counter() - t0
        finally:
            b.close()


def bench(name: str, corpus, wide, runs: int, browser: bool, tmp: Path, prep: float = float("nan")) -> dict:
    """Median timings of opening the explorer on one extracted corpus."""
    import policykit as pk

    rows = {"explore": [], "cpu": [], "payload_mb": [], "html": [], "page_mb": [], "render": []}
    for i in range(runs):
        corr = tmp / f"{name}-{i}.jsonl"
        t, c = time.perf_counter(), time.process_time()
        ex = pk.explore(wide, corpus, corrections=corr)
        rows["explore"].append(time.perf_counter() - t)
        rows["cpu"].append(time.process_time() - c)
        rows["payload_mb"].append(len(json.dumps(ex.data, ensure_ascii=False).encode()) / 1e6)
        t = time.perf_counter()
        page = ex.to_html(tmp / f"{name}-{i}.html")
        rows["html"].append(time.perf_counter() - t)
        rows["page_mb"].append(page.stat().st_size / 1e6)
        if browser:
            r = render_seconds(page)
            if r is not None:
                rows["render"].append(r)
        views = len(ex.data["views"])
        ex.close()
    med = {k: statistics.median(v) if v else None for k, v in rows.items()}
    med.update(corpus=name, sentences=len(wide), documents=wide["doc_id"].nunique(), views=views, prep=prep)
    med["open"] = med["explore"] + med["render"] if med["render"] is not None else None
    return med


def load_and_extract(path: str | None):
    import policykit as pk

    t0 = time.perf_counter()
    corpus = pk.load() if path is None else pk.load(path)
    wide = pk.extract(corpus)
    return corpus, wide, time.perf_counter() - t0


HEAD = (f"{'corpus':<18} {'sentences':>9} {'docs':>5} {'views':>5} {'explore() s':>11} {'cpu s':>6} {'payload MB':>10} "
        f"{'to_html s':>9} {'page MB':>7} {'render s':>8} {'open s':>6}")


def line(r: dict) -> str:
    f = lambda v, w, p=2: f"{v:>{w}.{p}f}" if v is not None else f"{'–':>{w}}"
    return (f"{r['corpus']:<18} {r['sentences']:>9} {r['documents']:>5} {r['views']:>5} {f(r['explore'], 11)} {f(r['cpu'], 6)} "
            f"{f(r['payload_mb'], 10)} {f(r['html'], 9)} {f(r['page_mb'], 7)} {f(r['render'], 8)} {f(r['open'], 6)}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", nargs="*", help="corpora (default: the bundled report and ../shared/data/governance-texts)")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    corpora = [(Path(c).name, c) for c in args.corpus] if args.corpus else [("bundled report", None)]
    if not args.corpus:
        gov = ROOT.parent / "shared" / "data" / "governance-texts"
        if gov.is_dir():
            corpora.append(("governance-texts", str(gov)))
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"policykit explorer open time (median of {args.runs}; {os.cpu_count()} CPUs, load average at start {load1:.1f})")
    print(HEAD)
    print("-" * len(HEAD), flush=True)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="bench-explore-") as d:
        os.environ["POLICYKIT_CORRECTIONS"] = str(Path(d) / "default.jsonl")
        for name, path in corpora:
            try:
                corpus, wide, prep = load_and_extract(path)
                r = bench(name, corpus, wide, args.runs, not args.no_browser, Path(d), prep)
            except Exception as exc:  # report and go on with the next corpus
                failed += 1
                print(f"{name:<18} failed: {type(exc).__name__}: {exc}", flush=True)
                continue
            print(line(r), flush=True)
            print(f"{'':<18} (load + extract before opening, not part of the open time: {r['prep']:.1f} s)", flush=True)
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())

"""Where the notebooks' time goes: wall and CPU seconds per notebook and per cell.

    .venv/bin/python benchmarks/bench_notebooks.py [PREFIX ...] [--top N] [--keep-cache DIR]

Runs every notebook (or those whose name starts with a PREFIX) in a fresh kernel, in order, the
way ``make test-notebooks`` does: one temporary folder for caches, tables and reports shared by
all notebooks of the run (cold at the start, unless ``--keep-cache`` names a folder that is
reused). CPU seconds are the kernel's own plus those of the processes it waited for (e.g. the
Chromium of static figure export), read from ``/proc``; on a busy machine they are a steadier
measure than wall time. Prints Markdown tables; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of a process, in seconds (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def run_notebook(path: Path) -> list[dict]:
    """Execute one notebook cell by cell; wall and CPU seconds of each code cell."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    rows = []
    t0 = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        start_cpu = _cpu_seconds(pid)
        rows.append({"cell": "start", "wall": time.perf_counter() - t0, "cpu": start_cpu, "source": "(kernel start)"})
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            c0, w0 = _cpu_seconds(pid), time.perf_counter()
            error = None
            try:
                client.execute_cell(cell, i)
            except Exception as exc:  # a failing cell ends the notebook; the timing is still useful
                error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:100]}"
            rows.append({"cell": i, "wall": time.perf_counter() - w0, "cpu": _cpu_seconds(pid) - c0,
                         "source": cell.source.strip().splitlines()[0][:70] if cell.source.strip() else "",
                         "error": error})
            if error:
                print(f"    cell {i} failed: {error}", file=sys.stderr, flush=True)
                break
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("prefixes", nargs="*", help="notebook name prefixes (default: all)")
    ap.add_argument("--top", type=int, default=12, help="slowest cells listed")
    ap.add_argument("--keep-cache", metavar="DIR", help="reuse this folder for caches instead of a fresh one")
    args = ap.parse_args(argv)

    nb_dir = ROOT / "notebooks"
    paths = sorted(p for p in nb_dir.glob("*.ipynb")
                   if not args.prefixes or any(p.name.startswith(x) for x in args.prefixes))
    tmp = Path(args.keep_cache) if args.keep_cache else Path(tempfile.mkdtemp(prefix="policykit-bench-nb-"))
    for var, sub in (("POLICYKIT_INTERIM_DIR", "interim"), ("POLICYKIT_PROCESSED_DIR", "processed"),
                     ("POLICYKIT_REPORTS_DIR", "reports")):
        os.environ[var] = str(tmp / sub)
    os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
                      PYTHONHASHSEED="0")
    per_nb, cells = [], []
    t_all = time.perf_counter()
    try:
        for p in paths:
            t = time.perf_counter()
            rows = run_notebook(p)
            failed = any(r.get("error") for r in rows)
            per_nb.append((p.stem + (" (failed)" if failed else ""), time.perf_counter() - t, sum(r["cpu"] for r in rows)))
            cells += [dict(r, notebook=p.stem) for r in rows if r["cell"] != "start"]
            print(f"  {p.stem}: {per_nb[-1][1]:.1f} s", file=sys.stderr, flush=True)
    finally:
        if not args.keep_cache:
            shutil.rmtree(tmp, ignore_errors=True)
    total = time.perf_counter() - t_all
    print(f"## notebooks: {len(paths)} in {total:.0f} s wall, {sum(c for _, _, c in per_nb):.0f} s CPU "
          f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; cache "
          f"{'reused' if args.keep_cache else 'cold'})\n")
    print("| notebook | wall s | CPU s |\n|---|---:|---:|")
    for name, wall, cpu in per_nb:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")
    print(f"\n| slowest cells (CPU) | cell | wall s | CPU s | first line |\n|---|---:|---:|---:|---|")
    for r in sorted(cells, key=lambda r: -r["cpu"])[:args.top]:
        print(f"| {r['notebook']} | {r['cell']} | {r['wall']:.1f} | {r['cpu']:.1f} | `{r['source']}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

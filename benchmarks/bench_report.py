"""Benchmark: `policykit report` on the bundled report, cold and warm, as `make report` runs it.

Cold means a new process and empty rebuildable directories (no parsed corpus, no cached
embeddings, no reports): the project's shipped inputs (every data/ folder except interim and
processed) are linked into a temporary POLICYKIT_HOME, so the repository's
own caches are neither used nor touched. Warm is a second run in the same home. Wall time
includes Python start-up and imports. Run by hand (`make bench`), never as a timed test.

usage: python benchmarks/bench_report.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_COLD_S = 60.0
REBUILDABLE = ("interim", "processed")


def make_home(tmp: Path) -> Path:
    """A project home with the shipped inputs linked in and empty rebuildable directories."""
    home = tmp / "home"
    (home / "data").mkdir(parents=True)
    for src in sorted((ROOT / "data").iterdir()):
        if src.is_dir() and src.name not in REBUILDABLE:
            os.symlink(src, home / "data" / src.name)
    shutil.copy(ROOT / "pyproject.toml", home / "pyproject.toml")
    return home


def run_report(home: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the child (MB) and the command's last line."""
    env = dict(os.environ, POLICYKIT_HOME=str(home),
               POLICYKIT_SHARED=str(Path(os.environ.get("POLICYKIT_SHARED", ROOT.parent / "shared")).resolve()),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               PYTHONHASHSEED="0")
    exe = Path(sys.executable).with_name("policykit")
    t0 = time.perf_counter()
    proc = subprocess.run([str(exe), "report", "--out", str(home / "reports")], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"policykit report failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    last = [line for line in proc.stdout.splitlines() if line.strip()][-1:]
    return wall, rss, last[0] if last else ""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1, help="cold runs (each in a fresh home)")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = []
    for k in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="policykit-bench-") as tmp:
            home = make_home(Path(tmp))
            wall, rss, last = run_report(home)
            rows.append(("cold", k + 1, wall, rss, last))
            wall, rss, last = run_report(home)
            rows.append(("warm", k + 1, wall, rss, last))
    print(f"policykit report on the bundled report ({os.cpu_count()} CPUs, load before: "
          f"{load_before:.2f})")
    print(f"{'run':<6}{'#':>3}{'wall s':>9}{'peak RSS MB':>13}  target")
    for kind, k, wall, rss, _ in rows:
        target = f"<= {TARGET_COLD_S:.0f} s: {'met' if wall <= TARGET_COLD_S else 'MISSED'}" if kind == "cold" else ""
        print(f"{kind:<6}{k:>3}{wall:>9.1f}{rss:>13.0f}  {target}")
    print(rows[-1][4])


if __name__ == "__main__":
    main()

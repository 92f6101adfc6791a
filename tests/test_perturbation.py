"""What people read must not depend on the last bits of the embeddings (issue 11, part 2).

Embeddings differ between processors by about 1e-7. Here every vector that
:func:`policykit.embed.embed` returns (sentences for extraction, paragraphs and words for
topics) is perturbed by Gaussian noise of 1e-6 — ten times the processors' difference, and the
same noise for the same text wherever it is embedded, as a processor's would be. Then:

* ``policykit extract`` on the bundled report must give every sentence the same role and the
  same label lists in the same order (ranks), and its CSV must be byte for byte the same (the
  CSV shows scores at presentation precision, :mod:`policykit.present`);
* ``policykit report`` must write the same CSV tables, the same figure data (the plotly JSON of
  every figure page) and the same ``index.html`` and ``summary.json`` numbers.

The test is written against the contract, not today's model: it compares a run with a run.
A failure lists every value that changed, with its full-precision values where the table has
a Parquet/JSONL twin, so that a rounding boundary can be told from a decision that flipped.
"""

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

NOISE = 1e-6


def noisy(real, scale=NOISE):
    """Wrap ``embed``: add noise that depends on the text only (like another processor's kernels)."""

    def embed(texts, *args, **kwargs):
        E = np.array(real(texts, *args, **kwargs), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(str(t).encode("utf-8")).digest()[:8], "little")
            E[i] += np.random.default_rng(seed).normal(scale=scale, size=E.shape[1]).astype(np.float32)
        return E

    return embed


def run_cli(argv, root: Path, monkeypatch, perturb: bool):
    """One CLI run in this process, with its own tables folder (so nothing stored by the other
    run is reused) and the session's embedding cache (which holds clean vectors only)."""
    import policykit.embed
    from policykit.cli import main

    with monkeypatch.context() as m:
        m.setenv("POLICYKIT_PROCESSED_DIR", str(root / "processed"))
        m.setenv("POLICYKIT_REPORTS_DIR", str(root / "reports"))
        if perturb:
            m.setattr(policykit.embed, "embed", noisy(policykit.embed.embed))
        rc = main(argv)
    assert rc == 0


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Clean and perturbed outputs of ``policykit extract`` and ``policykit report``."""
    mp = pytest.MonkeyPatch()
    out = {}
    try:
        for name, perturb in (("clean", False), ("noisy", True)):
            root = tmp_path_factory.mktemp(name)
            run_cli(["extract", "--format", "csv", "--out", str(root / "extraction.csv")], root, mp, perturb)
            run_cli(["extract", "--format", "jsonl", "--out", str(root / "extraction.jsonl")], root, mp, perturb)
            run_cli(["report", "--out", str(root / "report"), "--no-static", "--tables", "csv", "-q"],
                    root, mp, perturb)
            out[name] = root
    finally:
        mp.undo()
    return out


def _cell_diffs(a: pd.DataFrame, b: pd.DataFrame, key=None, limit=15) -> list[str]:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return [f"shape/columns differ: {a.shape} {list(a.columns)[:8]} vs {b.shape} {list(b.columns)[:8]}"]
    out = []
    for col in a.columns:
        diff = a[col] != b[col]
        for i in np.flatnonzero(diff.to_numpy())[:limit]:
            who = a.iloc[i][key] if key and key in a.columns else i
            out.append(f"{col} @ {who}: {str(a.iloc[i][col])[:120]!r} -> {str(b.iloc[i][col])[:120]!r}")
    return out


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_noise_reaches_the_extraction(runs):
    a = pd.read_json(runs["clean"] / "extraction.jsonl", lines=True)
    b = pd.read_json(runs["noisy"] / "extraction.jsonl", lines=True)
    assert (a["role_score"] != b["role_score"]).any(), "the perturbation did not reach the scores"


def test_extract_labels_and_ranks_unchanged(runs):
    a = pd.read_json(runs["clean"] / "extraction.jsonl", lines=True)
    b = pd.read_json(runs["noisy"] / "extraction.jsonl", lines=True)
    cols = [c for c in ("sent_id", "role", "risk_domains", "risk_subdomains", "instruments", "addressees")
            if c in a.columns]
    diffs = _cell_diffs(a[cols].astype(str), b[cols].astype(str), key="sent_id")
    ra, rb = a.set_index("sent_id"), b.set_index("sent_id")
    # show the full-precision scores behind each flipped decision
    diffs = [d + f"  (scores {ra.loc[d.split(' @ ')[1].split(':')[0], 'scores']!r} -> "
             f"{rb.loc[d.split(' @ ')[1].split(':')[0], 'scores']!r})"[:400] for d in diffs]
    assert not diffs, "labels or their order changed under 1e-6 noise:\n" + "\n".join(diffs)


def test_extract_csv_unchanged(runs):
    a, b = (runs[k] / "extraction.csv" for k in ("clean", "noisy"))
    if a.read_bytes() == b.read_bytes():
        return
    diffs = _cell_diffs(_csv(a), _csv(b), key="sent_id")
    pytest.fail(f"{len(diffs)} displayed values of `policykit extract` changed under 1e-6 noise:\n"
                + "\n".join(diffs[:40]))


def _report_tables(root: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted((root / "report" / "tables").glob("*.csv"))}


def test_report_tables_unchanged(runs):
    ta, tb = _report_tables(runs["clean"]), _report_tables(runs["noisy"])
    assert set(ta) == set(tb)
    problems = []
    for name in ta:
        if ta[name].read_bytes() != tb[name].read_bytes():
            problems += [f"{name}: {d}" for d in _cell_diffs(_csv(ta[name]), _csv(tb[name]))]
    assert not problems, f"{len(problems)} displayed values of the report's CSV tables changed:\n" + "\n".join(problems[:60])


_PLOT = re.compile(r"var f=(\{.*?\});var el=document\.getElementById", re.S)


def figure_data(html: str) -> list:
    """The data and layout of every plotly figure in an HTML page (as
    :func:`policykit.report.html.figure_div` writes them)."""
    return [json.loads(f) for f in _PLOT.findall(html)]


def _diff_json(a, b, path="", out=None, limit=40):
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            _diff_json(a.get(k), b.get(k), f"{path}.{k}", out, limit)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff_json(x, y, f"{path}[{i}]", out, limit)
    elif a != b:
        out.append(f"{path}: {str(a)[:80]!r} -> {str(b)[:80]!r}")
    return out


def test_report_figure_data_unchanged(runs):
    fa = sorted((runs["clean"] / "report" / "figures").glob("*.html"))
    fb = {p.name: p for p in (runs["noisy"] / "report" / "figures").glob("*.html")}
    assert fa and {p.name for p in fa} == set(fb)
    problems = []
    for p in fa:
        a, b = figure_data(p.read_text(encoding="utf-8")), figure_data(fb[p.name].read_text(encoding="utf-8"))
        assert a, f"no figure data found in {p.name}"
        problems += [f"{p.stem}{d}" for d in _diff_json(a, b)]
    assert not problems, f"{len(problems)} figure values changed under 1e-6 noise:\n" + "\n".join(problems[:60])


def test_report_page_and_summary_unchanged(runs):
    ids = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    a, b = ((runs[k] / "report" / "index.html").read_text(encoding="utf-8") for k in ("clean", "noisy"))
    a, b = ids.sub("ID", a), ids.sub("ID", b)
    if a != b:
        diffs = [f"{x!r} -> {y!r}" for x, y in zip(a.split("<"), b.split("<")) if x != y]
        pytest.fail(f"index.html differs in {len(diffs)} places:\n" + "\n".join(d[:200] for d in diffs[:20]))
    sa, sb = (json.loads((runs[k] / "report" / "summary.json").read_text()) for k in ("clean", "noisy"))
    volatile = {"seconds", "fit_seconds", "timings", "timings_s", "elapsed", "created", "generated", "versions", "out", "started"}
    diffs = _diff_json({k: v for k, v in sa.items() if k not in volatile},
                       {k: v for k, v in sb.items() if k not in volatile})
    assert not diffs, "summary.json changed:\n" + "\n".join(diffs)


def _explorer_data(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="pk-data">(.*?)</script>', html, re.S)
    assert m, f"no explorer data in {path}"
    return json.loads(m.group(1))


def test_report_explorer_unchanged(runs):
    """The explorer page embeds every sentence's labels, scores (2 decimals) and reasons: none may
    move. The review queue is the exception, said in its docstring: it ranks sentences by
    priorities computed from scores, and near-ties (1e-4 apart) can swap places under noise;
    nearly all sentences keep their rank."""
    a, b = (_explorer_data(runs[k] / "report" / "explorer.html") for k in ("clean", "noisy"))
    qa, qb = ({k: d["sentences"].pop(k) for k in ("priority", "rank", "reasons")} for d in (a, b))
    a.pop("created"), b.pop("created")
    diffs = _diff_json(a, b)
    assert not diffs, "explorer data changed under 1e-6 noise:\n" + "\n".join(diffs)
    same = np.mean([x == y for x, y in zip(qa["rank"], qb["rank"])])
    assert same >= 0.9, f"only {same:.0%} of sentences keep their review-queue rank"

"""Dask: a LocalCluster of processes writes the same dataset with byte-identical labels."""

import pandas as pd
import pytest

pytest.importorskip("distributed")

from policykit.engine import extract_corpus, extract_paths  # noqa: E402


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_labels(doc_texts, write_docs, tmp_path):
    folder = write_docs(doc_texts)
    local = extract_paths([folder], model="fast", root=tmp_path / "local", batch_words=2000)
    dask = extract_paths([folder], model="fast", root=tmp_path / "dask", engine="dask", workers=2,
                         batch_words=800)
    assert dask.engine == "dask" and dask.n_new == len(doc_texts)
    assert len({p["pid"] for p in dask.parts}) >= 1 and len(dask.parts) > len(local.parts)
    a, b = local.read(), dask.read()
    pd.testing.assert_frame_equal(a, b)
    # byte-identical: the label columns serialise to the same JSON text
    from policykit.store import _dumps, to_jsonable
    for col in ("role", "role_score", "risk_domains", "risk_subdomains", "instruments", "addressees", "scores",
                "evidence"):
        assert [_dumps(to_jsonable(v)) for v in a[col]] == [_dumps(to_jsonable(v)) for v in b[col]]
    # the dataset written by Dask is reused by a local run
    again = extract_paths([folder], model="fast", root=tmp_path / "dask")
    assert again.n_new == 0


@pytest.mark.slow
def test_dask_accurate_tier_identical(report, tmp_path):
    """MiniLM through ONNX Runtime with one thread per worker equals the local run (two threads)."""
    small = report.subset(["fm-editors-note", "ch2-trager"])
    local = extract_corpus(small, model="accurate", root=tmp_path / "l")
    dask = extract_corpus(small, model="accurate", root=tmp_path / "d", engine="dask", workers=2, batch_words=1)
    pd.testing.assert_frame_equal(local.read(), dask.read())

"""Topics that do not hinge on the last bits of the embeddings.

Sentence embeddings differ between processors by about 1e-7. The same corpus must give the
same topics (assignments, terms, labels, counts, keyword ranks) when the vectors are computed
with other SIMD kernels (``ATEN_CPU_CAPABILITY``, ``NUMBA_CPU_NAME``, ``OPENBLAS_CORETYPE``, one
subprocess per setting, each with its own cold embedding cache) and when every vector is
perturbed by noise of 1e-6; and a vector computed fresh must be bit-identical to the same vector
read back from the embedding cache (two consecutive ``policykit topics`` runs write identical
tables).
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

#: CPU settings that make torch, numba and OpenBLAS pick other kernels on this machine.
SETTINGS = {
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "generic": {"ATEN_CPU_CAPABILITY": "default", "NUMBA_CPU_NAME": "generic", "OPENBLAS_CORETYPE": "Haswell"},
}
#: Tables of ``policykit topics`` and the columns that must not change (float weights of
#: keywords are cosine similarities and may move in their last bits; their ranks may not).
STABLE = {
    "topic_assignments": ["unit_id", "doc_id", "topic", "reassigned"],
    "topic_terms": ["topic", "term", "rank", "label", "weight"],
    "topic_keywords": ["topic", "term", "rank", "label"],
    "topic_info": ["topic", "label", "count", "terms", "keywords", "representative_ids"],
    "topics_by_region": ["group", "topic", "label", "count"],
    "topics_by_chapter": ["group", "topic", "label", "count"],
}


def run_topics(out: Path, cache: Path, extra_env: dict | None = None) -> Path:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               POLICYKIT_INTERIM_DIR=str(cache / "interim"), POLICYKIT_PROCESSED_DIR=str(cache / "processed"),
               **(extra_env or {}))
    cmd = [sys.executable, "-m", "policykit.cli", "topics", "--out", str(out), "--no-figures",
           "--tables", "csv", "-q"]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200)
    assert res.returncode == 0, res.stderr[-3000:]
    return out


def stable_part(out: Path, name: str) -> pd.DataFrame:
    df = pd.read_csv(out / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)
    return df[[c for c in STABLE[name] if c in df.columns]]


@pytest.fixture(scope="module")
def native(tmp_path_factory):
    """Two consecutive runs with the default kernels: the first computes every vector, the
    second reads them all from the cache."""
    root = tmp_path_factory.mktemp("native")
    first = run_topics(root / "first", root / "cache")
    second = run_topics(root / "second", root / "cache")
    return first, second


def test_fresh_and_cached_vectors_give_identical_tables(native):
    first, second = native
    names = sorted(p.name for p in (first / "tables").iterdir())
    assert names == sorted(p.name for p in (second / "tables").iterdir())
    differ = [n for n in names if (first / "tables" / n).read_bytes() != (second / "tables" / n).read_bytes()]
    assert not differ, f"fresh and cached embeddings gave different tables: {differ}"
    s1, s2 = (json.loads((d / "summary.json").read_text()) for d in native)
    assert s1["fingerprint"] == s2["fingerprint"]


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_same_topics_with_other_cpu_kernels(native, setting, tmp_path):
    other = run_topics(tmp_path / "out", tmp_path / "cache", SETTINGS[setting])
    for name in STABLE:
        pd.testing.assert_frame_equal(stable_part(other, name), stable_part(native[0], name), obj=name)
    s1, s2 = (json.loads((d / "summary.json").read_text()) for d in (native[0], other))
    assert s1["fingerprint"] == s2["fingerprint"] and s1["n_topics"] == s2["n_topics"]


def noisy_embed(real, scale=1e-6):
    """``policykit.embed.embed`` plus noise that depends on each text only (like a processor's)."""

    def embed(texts, *args, **kwargs):
        E = np.array(real(texts, *args, **kwargs), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(str(t).encode()).digest()[:8], "little")
            E[i] += np.random.default_rng(seed).normal(scale=scale, size=E.shape[1]).astype(np.float32)
        return E

    return embed


def test_same_topics_with_noisy_embeddings(report, fitted, monkeypatch):
    import policykit.embed
    from policykit.topics import TopicModel

    monkeypatch.setattr(policykit.embed, "embed", noisy_embed(policykit.embed.embed))
    noisy = TopicModel().fit(report)
    assert not np.array_equal(noisy.embeddings_, fitted.embeddings_)  # the noise did reach the model
    pd.testing.assert_frame_equal(noisy.assignments_[["unit_id", "topic", "reassigned"]],
                                  fitted.assignments_[["unit_id", "topic", "reassigned"]])
    pd.testing.assert_frame_equal(noisy.terms_, fitted.terms_)
    pd.testing.assert_frame_equal(noisy.keywords_.drop(columns="weight"), fitted.keywords_.drop(columns="weight"))
    assert noisy.labels_ == fitted.labels_
    pd.testing.assert_frame_equal(noisy.topic_info_, fitted.topic_info_)
    assert noisy.fingerprint() == fitted.fingerprint()
    # continuous outputs move by about the noise, not more
    assert np.nanmax(np.abs(noisy.assignments_["similarity"] - fitted.assignments_["similarity"])) < 1e-4
    assert np.abs(noisy.doc_map_[["x", "y"]].to_numpy() - fitted.doc_map_[["x", "y"]].to_numpy()).max() < 1e-3


def test_partition_survives_noise_well_beyond_processor_differences(fitted):
    st = fitted.stability(noise=(1e-6, 1e-5), n_repeats=2)
    assert st["identical"].all(), st
    assert fitted.cut_margin_ > 0.01

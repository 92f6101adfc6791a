"""policykit.nbtools: path resolution, evidence views, label errors and the result cache."""

import pandas as pd
import pytest

from policykit import config, nbtools
from policykit.errors import InputError


def _wide():
    return pd.DataFrame({
        "sent_id": ["d.p000.s00", "d.p000.s01", "d.p001.s00"],
        "doc_id": ["d", "d", "d"], "region": ["europe"] * 3, "role": ["claim", "proposal", "other"],
        "instruments": [[], ["evaluation_audit"], []],
        "scores": [{}, {"instrument": {"evaluation_audit": 0.8123}}, {"instrument": {"evaluation_audit": 0.1}}],
        "evidence": [{}, {"instrument": {"evaluation_audit": [
            {"kind": "cue", "text": "audit", "start": 0, "end": 5, "pattern": "audit"},
            {"kind": "model", "features": [["cue count", 1.5], ["embedding", 0.7]], "neighbours": []}]}}, {}],
        "text": ["A claim.", "Audit the models.", "Heading"],
    })


def test_resolve_path_is_relative_to_the_working_directory_without_fallback(tmp_path, monkeypatch):
    """Issue 14, failure 1: `corpus=corpus` means ./corpus, and a missing path is an error
    naming it, never the project root's folder or another corpus."""
    (tmp_path / "corpus").mkdir()
    monkeypatch.chdir(tmp_path)
    assert nbtools.resolve_path("corpus") == (tmp_path / "corpus").resolve()
    with pytest.raises(InputError, match="no such file or folder") as err:
        nbtools.resolve_path("data/taxonomy")  # exists in the project root: not used
    assert str(tmp_path / "data" / "taxonomy") in str(err.value)
    with pytest.raises(InputError):
        nbtools.load_corpus("no/such/folder")
    assert nbtools.first_existing("no/such/folder", None) is None
    assert nbtools.first_existing("no/such", "corpus").name == "corpus"


def test_describe_path_is_relative_to_the_project():
    assert nbtools.describe_path(config.PROJECT_ROOT / "data" / "raw") == "data/raw"
    assert nbtools.describe_path(None) == "the bundled report"


def test_evidence_lists_cues_features_and_scores():
    ev = nbtools.evidence(_wide(), ["d.p000.s01", "missing", "d.p001.s00"], "instrument", "evaluation_audit")
    assert list(ev["sent_id"]) == ["d.p000.s01", "d.p001.s00"]
    assert ev.loc[0, "cues"] == ["audit"] and ev.loc[0, "features"] == ["cue count (1.50)", "embedding (0.70)"]
    assert ev.loc[0, "score"] == 0.81 and ev.loc[1, "cues"] == []
    assert list(ev.columns[:4]) == ["sent_id", "doc_id", "region", "role"]


def test_evidence_has_one_column_per_facet_with_label_names():
    """Issue 14, failure 7: not every facet's labels in one cell, and names, not ids."""
    w = _wide().assign(risk_domains=[["privacy_security"], [], []], risk_subdomains=[["2.1"], [], []],
                       addressees=[[], ["states", "industry"], []])
    ev = nbtools.evidence(w, list(w["sent_id"]))
    assert list(ev.columns) == ["sent_id", "doc_id", "region", "role", "risk_domains", "risk_subdomains",
                                "instruments", "addressees", "text"]
    assert ev.loc[0, "risk_domains"] == "Privacy & security"
    assert ev.loc[1, "instruments"] == "Evaluation and audit" and ev.loc[1, "addressees"] == "States; Industry"


def test_label_errors_finds_false_positives_negatives_and_role_confusions():
    pred = _wide()
    gold = pred.assign(instruments=[["evaluation_audit"], [], []], role=["claim", "claim", "other"])
    err = nbtools.label_errors(pred, gold, "instrument", "evaluation_audit")
    assert dict(zip(err["sent_id"], err["error"])) == {"d.p000.s00": "false negative", "d.p000.s01": "false positive"}
    roles = nbtools.label_errors(pred, gold, "role")
    assert list(roles["error"]) == ["claim → proposal"]


def test_group_sizes_uses_display_strings():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "chapter": pd.array([1, 1, None], dtype="Int64")})
    assert nbtools.group_sizes(docs, "chapter").to_dict() == {"1": 2, "unknown": 1}


def test_groupings_keeps_usable_columns_and_says_what_it_skips(capsys):
    docs = pd.DataFrame({"doc_id": ["a", "b"], "region": ["europe", None], "sector": [None, None]})
    assert nbtools.groupings(docs, ["region", "sector", "chapter"]) == ["region"]
    out = capsys.readouterr().out
    assert "'sector' is missing for every document" in out and "no document column 'chapter'" in out
    assert nbtools.groupings(docs, "region") == ["region"]


def test_groupings_falls_back_to_one_group_per_document(capsys):
    docs = pd.DataFrame({"doc_id": ["a", "b"]})
    assert nbtools.groupings(docs, ["region"]) == ["doc_id"]
    assert "compared one by one" in capsys.readouterr().out


def test_cached_builds_once_per_key_and_drops_stale_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYKIT_INTERIM_DIR", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        print("chatter that must not reach the notebook")
        return pd.DataFrame({"x": [1, 2], "l": [["a"], []], "d": [{"k": 0.5}, {}]})

    a = nbtools.cached("t", "k1", build)
    b = nbtools.cached("t", "k1", build)
    assert len(calls) == 1 and a.equals(b) and b.loc[0, "d"] == {"k": 0.5} and b.loc[0, "l"] == ["a"]
    nbtools.cached("t", "k2", build)
    assert sorted(p.name for p in (tmp_path / "notebooks").iterdir()) == ["t-k2.parquet"]


def test_fingerprint_changes_with_content(tmp_path):
    (tmp_path / "f.txt").write_text("one")
    k1 = nbtools.fingerprint(tmp_path)
    (tmp_path / "f.txt").write_text("two")
    assert nbtools.fingerprint(tmp_path) != k1 and len(k1) == 16

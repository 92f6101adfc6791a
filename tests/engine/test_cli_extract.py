"""`policykit extract`: --model, the tier on stderr, --min-score, --help with the columns."""

import json

import pytest

from policykit.cli import main


def test_help_lists_columns_tiers_and_engines(capsys):
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    out = capsys.readouterr().out
    for word in ("role_score", "risk_domains", "evidence", "--model", "--min-score", "--engine", "--scheduler",
                 "auto", "accurate", "fast"):
        assert word in out


def test_extract_files_fast_with_min_score(doc_texts, write_docs, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("POLICYKIT_PROCESSED_DIR", str(tmp_path / "processed"))
    folder = write_docs(doc_texts, list(doc_texts)[:3])
    out = tmp_path / "x.jsonl"
    assert main(["extract", str(folder), "--model", "fast", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "model: fast" in err and "3 to extract" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert main(["extract", str(folder), "--model", "fast", "--min-score", "0.9", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "0 to extract, 3 already stored" in err
    high = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(high) == len(rows)
    for r in high:
        for facet, col in (("risk_domain", "risk_domains"), ("instrument", "instruments")):
            assert all(r["scores"][facet][lab] >= 0.9 for lab in r[col])
    assert sum(len(r["risk_domains"]) for r in high) <= sum(len(r["risk_domains"]) for r in rows)


def test_auto_says_which_tier(doc_texts, write_docs, tmp_path, capsys, monkeypatch):
    from policykit.engine import tiers

    monkeypatch.setenv("POLICYKIT_PROCESSED_DIR", str(tmp_path / "processed"))
    monkeypatch.setattr(tiers, "AUTO_ACCURATE_MAX_WORDS", 10)  # a "large" corpus: fast
    folder = write_docs(doc_texts, list(doc_texts)[:1])
    assert main(["extract", str(folder), "--out", str(tmp_path / "y.csv")]) == 0
    err = capsys.readouterr().err
    assert "model: fast" in err and "auto:" in err and ">= 10" in err


def test_scheduler_needs_dask_engine(capsys):
    assert main(["extract", "--workers", "2"]) == 2
    assert "--engine dask" in capsys.readouterr().err


@pytest.mark.parametrize("table", [[], ["--long"], ["--rollup"]])
def test_streamed_jsonl_equals_one_piece(doc_texts, write_docs, tmp_path, monkeypatch, table):
    from policykit.commands import extract as cmd

    monkeypatch.setenv("POLICYKIT_PROCESSED_DIR", str(tmp_path / "processed"))
    folder = write_docs(doc_texts)
    whole, parts = tmp_path / "whole.jsonl", tmp_path / "parts.jsonl"
    monkeypatch.setattr(cmd, "STREAM_MIN_DOCS", 10**6)
    assert main(["extract", str(folder), "--model", "fast", "--out", str(whole)] + table) == 0
    monkeypatch.setattr(cmd, "STREAM_MIN_DOCS", 2)  # batches of one document
    assert main(["extract", str(folder), "--model", "fast", "--out", str(parts)] + table) == 0
    assert parts.read_text() == whole.read_text() and whole.stat().st_size > 0


def test_help_states_the_auto_threshold():
    from policykit.commands.extract import DESCRIPTION
    from policykit.engine.tiers import AUTO_ACCURATE_MAX_WORDS
    assert f"below {AUTO_ACCURATE_MAX_WORDS:,} words" in DESCRIPTION

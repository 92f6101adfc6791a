"""``policykit documents`` / ``policykit sentences``: outputs, formats, and exit codes for bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from policykit import config
from policykit.cli import main
from policykit.corpus.model import collapse_ws
from policykit.store import read_table

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
from corpus_builders import make_pdf  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYKIT_INTERIM_DIR", str(tmp_path / "interim"))


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def texts(tmp_path):
    d = tmp_path / "texts"
    d.mkdir()
    (d / "one.txt").write_text("AI needs rules. States should cooperate.\n\nSecond paragraph.\n", encoding="utf-8")
    (d / "two.txt").write_bytes("Coopération “mondiale”. Très bien.\n".encode("cp1252"))
    return d


# ----------------------------------------------------------------------------- the bundled report
def test_documents_of_the_report(capsys):
    code, out, err = run(capsys, "documents", "--format", "jsonl")
    assert code == 0
    rows = jsonl(out)
    assert len(rows) == 32 and len({r["doc_id"] for r in rows}) == 32
    assert "32 document(s)" in err
    if config.GOLD_DOCUMENTS.exists():
        gold = json.loads(config.GOLD_DOCUMENTS.read_text(encoding="utf-8"))
        assert {r["doc_id"] for r in rows} == {d["essay_id"] for d in gold}


def test_sentences_of_the_report_reproduce_the_raw_text(capsys):
    code, out, _ = run(capsys, "sentences")
    assert code == 0
    rows = jsonl(out)
    raw = config.REPORT_RAW.read_bytes().decode("utf-8")
    assert rows and all(collapse_ws(raw[r["start"]:r["end"]]) == r["text"] for r in rows)
    assert len({r["sent_id"] for r in rows}) == len(rows)


def test_sentences_section_filter_and_csv(capsys):
    code, out, _ = run(capsys, "sentences", "--section", "body", "--format", "csv")
    assert code == 0
    assert out.startswith("sent_id,doc_id,para_idx,sent_idx,section,start,end,text")
    df = pd.read_csv(io.StringIO(out))
    assert set(df["section"]) == {"body"}


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "documents" in out and "sentences" in out
    with pytest.raises(SystemExit):
        main(["sentences", "--help"])
    out = capsys.readouterr().out
    for opt in ("--format", "--out", "--metadata", "--on-error", "PATHS"):
        assert opt in out


# ----------------------------------------------------------------------------- files and outputs
def test_documents_of_files_to_parquet(capsys, texts, tmp_path):
    out_file = tmp_path / "out" / "docs.parquet"
    code, out, _ = run(capsys, "documents", texts, "--out", out_file)
    assert code == 0 and out == ""
    df = read_table(out_file)
    assert sorted(df["doc_id"]) == ["one", "two"]
    assert dict(zip(df["doc_id"], df["encoding"])) == {"one": "utf-8", "two": "cp1252"}
    assert isinstance(df.loc[0, "authors"], list)


def test_sentences_with_sidecar_to_csv_file(capsys, texts, tmp_path):
    side = tmp_path / "meta.csv"
    side.write_text("doc_id,region,year\none,europe,2024\n", encoding="utf-8")
    out_file = tmp_path / "s.csv"
    code, _, _ = run(capsys, "sentences", texts, "--metadata", side, "--out", out_file)
    assert code == 0
    df = pd.read_csv(out_file)
    one = df[df["doc_id"] == "one"]
    assert (one["region"] == "europe").all() and (one["year"] == 2024).all()
    assert "States should cooperate." in set(one["text"])


# ----------------------------------------------------------------------------- bad input → exit 2
def bad_cases(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\xff\x00binary")
    scan = make_pdf(tmp_path / "scan.pdf", [[]])
    good = tmp_path / "good.txt"
    good.write_text("Fine text.\n", encoding="utf-8")
    malformed = tmp_path / "bad.csv"
    malformed.write_text("doc_id,title\ngood,A,B\n", encoding="utf-8")
    (tmp_path / "d1").mkdir()
    (tmp_path / "d2").mkdir()
    (tmp_path / "d1" / "same.txt").write_text("One.\n", encoding="utf-8")
    (tmp_path / "d2" / "same.txt").write_text("Two.\n", encoding="utf-8")
    return {
        "empty file": ([empty], empty, "empty"),
        "binary file": ([binary], binary, "binary"),
        "pdf without text": ([scan], scan, "no text layer"),
        "missing sidecar": ([good, "--metadata", tmp_path / "nope.yaml"], tmp_path / "nope.yaml", "not found"),
        "malformed sidecar": ([good, "--metadata", malformed], malformed, "fields"),
        "duplicate doc_ids": ([tmp_path / "d1", tmp_path / "d2"], tmp_path / "d2" / "same.txt", "duplicate doc_id"),
        "nonexistent path": ([tmp_path / "ghost.txt"], tmp_path / "ghost.txt", "no such file"),
    }


@pytest.mark.parametrize("case", ["empty file", "binary file", "pdf without text", "missing sidecar",
                                  "malformed sidecar", "duplicate doc_ids", "nonexistent path"])
@pytest.mark.parametrize("command", ["documents", "sentences"])
def test_bad_input_exits_non_zero_naming_file_and_fix(capsys, tmp_path, case, command):
    args, path, problem = bad_cases(tmp_path)[case]
    code, out, err = run(capsys, command, *args)
    assert code == 2
    assert out == ""
    assert str(path) in err and problem in err and "fix:" in err


def test_on_error_skip_reports_bad_and_processes_rest(capsys, tmp_path):
    cases = bad_cases(tmp_path)
    bad = [cases[c][0][0] for c in ("empty file", "binary file", "pdf without text", "nonexistent path")]
    code, out, err = run(capsys, "documents", tmp_path / "good.txt", *bad, "--on-error", "skip")
    assert code == 0
    assert [r["doc_id"] for r in jsonl(out)] == ["good"]
    assert "skipped 4 bad input(s)" in err
    for p in bad:
        assert str(p) in err
    assert "read 5 file(s) -> 1 document(s)" in err


def test_failed_run_leaves_existing_output_untouched(capsys, tmp_path):
    out_file = tmp_path / "docs.jsonl"
    out_file.write_text("previous results\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, _, _ = run(capsys, "documents", empty, "--out", out_file)
    assert code == 2
    assert out_file.read_text(encoding="utf-8") == "previous results\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unknown_output_suffix(capsys, texts, tmp_path):
    code, _, err = run(capsys, "documents", texts, "--out", tmp_path / "docs.xls")
    assert code == 2 and "--format" in err and ".xlsx" in err
    assert not (tmp_path / "docs.xls").exists()


def test_console_script_exit_code(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "policykit.cli", "sentences", str(empty)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert str(empty) in proc.stderr and "fix:" in proc.stderr and proc.stdout == ""


def test_store_option_makes_tables_queryable(capsys, texts, tmp_path, monkeypatch):
    from policykit.store import Store

    monkeypatch.setenv("POLICYKIT_PROCESSED_DIR", str(tmp_path / "processed"))
    code, _, err = run(capsys, "sentences", texts, "--store", "--out", tmp_path / "s.jsonl")
    assert code == 0 and "stored documents, paragraphs, sentences" in err
    store = Store(tmp_path / "processed")
    assert set(store.tables()) == {"documents", "paragraphs", "sentences"}
    n = store.query("SELECT count(*) AS n FROM sentences WHERE doc_id = 'one'")["n"].iloc[0]
    assert n == len([r for r in jsonl((tmp_path / "s.jsonl").read_text()) if r["doc_id"] == "one"])

"""Store: atomic writes, table formats, content keys, Parquet + DuckDB reuse and rebuild."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from policykit.errors import InputError
from policykit.store import (Store, atomic_path, atomic_write, content_key, infer_format, read_table,
                             save_corpus, write_table)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def table():
    return pd.DataFrame({
        "sent_id": ["a.p000.s00", "a.p000.s01", "b.p001.s00"],
        "year": pd.array([2023, pd.NA, 2019], dtype="Int64"),
        "score": [0.5, float("nan"), 1.0],
        "risk_domains": [["misuse", "bias"], [], None],
        "scores": [{"role": {"claim": 0.9}}, {}, None],
        "evidence": [[{"kind": "cue", "text": "must", "start": 1, "end": 5}], [], None],
        "text": ["Ünïcode “quotes” / slash", "line\nbreak, comma", "plain"],
    })


# ----------------------------------------------------------------------------- atomic writes
def test_atomic_write_replaces_on_success(tmp_path):
    target = tmp_path / "out" / "t.txt"
    with atomic_write(target) as fh:
        fh.write("new")
    assert target.read_text() == "new"
    assert leftovers(target.parent) == []
    with atomic_write(target, "wb") as fh:
        fh.write(b"bytes")
    assert target.read_bytes() == b"bytes"


def test_atomic_write_failure_leaves_target_untouched(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write("half of a new ta")
            raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []
    fresh = tmp_path / "never.txt"
    with pytest.raises(RuntimeError):
        with atomic_write(fresh) as fh:
            fh.write("partial")
            raise RuntimeError
    assert not fresh.exists() and leftovers(tmp_path) == []


def test_atomic_path_for_libraries(tmp_path):
    target = tmp_path / "x.parquet"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        pd.DataFrame({"a": [1]}).to_parquet(tmp)
    assert pd.read_parquet(target)["a"].tolist() == [1]
    assert leftovers(tmp_path) == []


def test_failed_table_write_leaves_no_half_written_file(tmp_path, table):
    target = tmp_path / "labels.jsonl"
    write_table(table, target)
    before = target.read_bytes()
    bad = table.copy()
    bad["text"] = [object(), object(), object()]  # not JSON-serialisable: fails mid-write
    with pytest.raises(TypeError):
        write_table(bad, target)
    assert target.read_bytes() == before
    assert leftovers(tmp_path) == []


# ----------------------------------------------------------------------------- formats
def test_jsonl_keeps_lists_and_dicts_as_json_values(tmp_path, table):
    p = tmp_path / "t.jsonl"
    write_table(table, p)
    rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["risk_domains"] == ["misuse", "bias"] and rows[0]["scores"] == {"role": {"claim": 0.9}}
    assert rows[1]["year"] is None and rows[1]["score"] is None
    assert rows[2]["risk_domains"] is None
    assert rows[0]["text"] == "Ünïcode “quotes” / slash"  # no \\u escapes, no escaped slashes
    assert "“quotes” / slash" in p.read_text(encoding="utf-8")


def test_csv_writes_lists_and_dicts_as_json_strings(tmp_path, table):
    p = tmp_path / "t.csv"
    write_table(table, p)
    back = pd.read_csv(p)
    assert json.loads(back.loc[0, "risk_domains"]) == ["misuse", "bias"]
    assert json.loads(back.loc[0, "evidence"])[0]["kind"] == "cue"
    assert back.loc[1, "text"] == "line\nbreak, comma"
    assert pd.isna(back.loc[1, "year"])


def test_parquet_keeps_lists_and_decodes_json_columns(tmp_path, table):
    p = tmp_path / "t.parquet"
    write_table(table, p)
    schema = pq.read_schema(p)
    assert str(schema.field("risk_domains").type) == "list<element: string>"
    assert str(schema.field("scores").type) in ("string", "large_string")  # dicts stored as JSON text
    back = read_table(p)
    assert back.loc[0, "risk_domains"] == ["misuse", "bias"] and isinstance(back.loc[0, "risk_domains"], list)
    assert back.loc[0, "scores"] == {"role": {"claim": 0.9}}
    assert back.loc[0, "evidence"][0]["text"] == "must"
    assert back["year"].dtype == "Int64"


def test_streams(table):
    text = io.StringIO()
    write_table(table, text)
    assert len(text.getvalue().splitlines()) == 3
    binary = io.BytesIO()
    write_table(table, binary, "parquet")
    assert binary.getvalue()[:4] == b"PAR1"


def test_infer_format():
    assert infer_format(None) == "jsonl"
    assert infer_format("x.parquet") == "parquet" and infer_format("x.CSV") == "csv"
    assert infer_format("x.txt", "csv") == "csv"
    with pytest.raises(InputError, match="suffix"):
        infer_format("x.xlsx")
    with pytest.raises(InputError, match="unknown format"):
        infer_format(None, "xml")


# ----------------------------------------------------------------------------- content keys
def test_content_key(tmp_path):
    assert content_key("a", {"x": 1, "y": [1, 2]}) == content_key("a", {"y": [1, 2], "x": 1})
    assert content_key("a", {"x": 1}) != content_key("a", {"x": 2})
    assert content_key("ab", "c") != content_key("a", "bc")
    f = tmp_path / "f.txt"
    f.write_text("one")
    k1 = content_key(f)
    f.write_text("two")
    assert content_key(f) != k1  # files are hashed by content
    df = pd.DataFrame({"a": [1, 2]})
    assert content_key(df) == content_key(df.copy()) != content_key(df.assign(a=[1, 3]))
    assert len(content_key("x")) == 16


# ----------------------------------------------------------------------------- the store
def test_store_reuses_and_rebuilds(tmp_path, table):
    store = Store(tmp_path)
    calls = []

    def build(n):
        def _b():
            calls.append(n)
            return table.assign(n=n)
        return _b

    k1 = content_key("input-1", {"threshold": 0.5})
    first = store.cached("labels", k1, build(1))
    again = store.cached("labels", k1, build(1))
    assert calls == [1]  # reused
    assert again["n"].tolist() == [1, 1, 1] and again.loc[0, "risk_domains"] == first.loc[0, "risk_domains"]
    assert (tmp_path / f"labels-{k1}.parquet").is_file()
    k2 = content_key("input-1", {"threshold": 0.6})  # changed configuration
    store.cached("labels", k2, build(2))
    assert calls == [1, 2]
    assert store.query("SELECT DISTINCT n FROM labels")["n"].tolist() == [2]
    assert store.current_key("labels") == k2
    store.cached("labels", k1, build(1))  # reusing k1 points the SQL table back at it
    assert calls == [1, 2] and store.current_key("labels") == k1
    assert store.query("SELECT DISTINCT n FROM labels")["n"].tolist() == [1]
    assert set(store.keys("labels")) == {k1, k2}
    store.prune("labels", keep=k1)
    assert store.keys("labels") == [k1]
    assert store.tables() == ["labels"]
    with pytest.raises(ValueError):
        store.path_for("bad name; drop", k1)


def test_save_corpus_makes_tables_queryable(tmp_path):
    from policykit.corpus.build import build_corpus
    from policykit.corpus.model import RawDocument

    corpus = build_corpus([RawDocument("d1", "States must cooperate. They should talk.\n", "d1.txt",
                                       {"region": "europe", "year": 2024}, "x", "utf-8")])
    store = Store(tmp_path)
    paths = save_corpus(corpus, store)
    assert set(paths) == {"documents", "paragraphs", "sentences"} and all(p.is_file() for p in paths.values())
    n = store.query("SELECT count(*) AS n FROM sentences WHERE region = 'europe'")["n"].iloc[0]
    assert n == len(corpus.sentences) == 2
    assert store.query("SELECT doc_id, year FROM documents")["year"].tolist() == [2024]
    mtime = paths["sentences"].stat().st_mtime_ns
    save_corpus(corpus, store)  # same content: reused, not rewritten
    assert paths["sentences"].stat().st_mtime_ns == mtime


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs FIFOs")
def test_special_files_are_written_in_place_not_replaced(tmp_path, table):
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, "rb").read()))
    reader.start()
    write_table(table, fifo, "jsonl")
    reader.join(timeout=10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO, not replaced by a regular file
    assert len(received[0].splitlines()) == 3

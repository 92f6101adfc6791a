"""The per-document Parquet dataset: keys, parts, atomic visibility, reading back, DuckDB views."""

import pandas as pd
import pytest

from policykit.engine.dataset import ExtractionDataset, doc_key, part_id


def _wide(doc_ids, n=3):
    rows = []
    for d in doc_ids:
        for i in range(n):
            rows.append({"sent_id": f"{d}.p000.s{i:02d}", "doc_id": d, "para_idx": 0, "sent_idx": i,
                         "section": "body", "start": 10 * i, "end": 10 * i + 9, "text": f"Sentence {i} of {d}.",
                         "n_words": 4, "title": f"T {d}", "region": "A", "role": "claim" if i else "other",
                         "role_score": 0.5 + i / 10, "risk_domains": ["privacy_security"] if i == 1 else [],
                         "risk_subdomains": [], "instruments": [], "addressees": [],
                         "scores": {"role": {"claim": 0.6}}, "evidence": {"role": {"claim": [{"kind": "cue", "start": 1}]}}})
    return pd.DataFrame(rows)


def _stats(doc_ids, n=3):
    return pd.DataFrame({"doc_id": doc_ids, "n_paragraphs": [1] * len(doc_ids), "n_sentences": [n] * len(doc_ids),
                         "n_words": [4 * n] * len(doc_ids)})


def test_doc_key_depends_on_id_and_text():
    assert doc_key("a", "text") == doc_key("a", "text")
    assert doc_key("a", "text") != doc_key("a", "text!")
    assert doc_key("a", "text") != doc_key("b", "text")
    assert part_id(["x", "y"]) != part_id(["y", "x"])


def test_write_and_read_back_in_requested_order(tmp_path):
    ds = ExtractionDataset("v1", tmp_path)
    keys = {d: doc_key(d, d) for d in ["a", "b", "c"]}
    ds.write_part(_wide(["a", "b"]), _stats(["a", "b"]), keys)
    ds.write_part(_wide(["c"]), _stats(["c"]), keys)
    assert set(ExtractionDataset("v1", tmp_path).index()) == set(keys.values())
    assert ExtractionDataset("v2", tmp_path).index() == {}  # another model version sees nothing
    docs = pd.DataFrame({"doc_id": ["c", "a"], "doc_key": [keys["c"], keys["a"]], "title": ["Tc", "Ta"],
                         "region": ["X", "Y"]})
    wide = ExtractionDataset("v1", tmp_path).read(docs)
    assert wide["doc_id"].tolist() == ["c"] * 3 + ["a"] * 3
    assert wide["sent_idx"].tolist() == [0, 1, 2, 0, 1, 2]
    assert wide["title"].tolist() == ["Tc"] * 3 + ["Ta"] * 3  # metadata comes from the documents table
    assert wide.loc[1, "risk_domains"] == ["privacy_security"] and wide.loc[0, "risk_domains"] == []
    assert wide.loc[1, "evidence"] == {"role": {"claim": [{"kind": "cue", "start": 1}]}}
    assert list(wide.columns[:9]) == ["sent_id", "doc_id", "para_idx", "sent_idx", "section", "start", "end",
                                      "text", "n_words"]
    assert list(wide.columns[-8:]) == ["role", "role_score", "risk_domains", "risk_subdomains", "instruments",
                                       "addressees", "scores", "evidence"]
    light = ExtractionDataset("v1", tmp_path).read(docs, columns=["sent_id", "doc_id", "role"])
    assert list(light.columns) == ["sent_id", "doc_id", "role"]


def test_a_part_without_its_documents_file_is_not_visible(tmp_path):
    ds = ExtractionDataset("v1", tmp_path)
    keys = {"a": doc_key("a", "a")}
    pid = ds.write_part(_wide(["a"]), _stats(["a"]), keys)
    (ds.documents_dir / f"part-{pid}.parquet").unlink()  # as if the run died between the two files
    assert ExtractionDataset("v1", tmp_path).missing([keys["a"]]) == [keys["a"]]
    with pytest.raises(KeyError):
        ExtractionDataset("v1", tmp_path).read_stored([keys["a"]])


def test_duckdb_views(tmp_path):
    from policykit.store import Store

    ds = ExtractionDataset("v1", tmp_path / "x")
    keys = {d: doc_key(d, d) for d in ["a", "b"]}
    ds.write_part(_wide(["a", "b"]), _stats(["a", "b"]), keys)
    docs = pd.DataFrame({"doc_id": ["b", "a"], "doc_key": [keys["b"], keys["a"]], "region": ["X", "Y"]})
    store = Store(tmp_path / "db")
    assert ds.register(docs, store) == store.database
    got = store.query("SELECT doc_id, region, count(*) AS n FROM extraction GROUP BY 1, 2 ORDER BY 1")
    assert got.to_dict("records") == [{"doc_id": "a", "region": "Y", "n": 3}, {"doc_id": "b", "region": "X", "n": 3}]
    first = store.query("SELECT doc_id FROM extraction LIMIT 1")["doc_id"][0]
    assert first == "b"  # corpus order


def test_json_text_equals_the_store_convention():
    import numpy as np

    from policykit.engine.dataset import _json_text
    from policykit.store import _dumps, to_jsonable
    for v in ({"a": [1, 2.5, "x"], "b": {"c": None}}, {"n": np.float32(0.5)}, {"nan": float("nan")}, {}, None,
              {"t": (1, 2)}, {"é": "ü"}):
        assert _json_text(v, to_jsonable) == _dumps(to_jsonable(v))

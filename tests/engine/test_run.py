"""Incremental, streaming extraction: the stored table equals ``policykit.extract``'s, documents
are extracted once, and a document's labels never depend on the other documents."""

import pandas as pd
import pytest

import policykit as pk
from policykit.engine import extract_corpus, extract_paths, read_extraction
from policykit.engine.dataset import LABEL_COLUMNS


def _labels(wide: pd.DataFrame) -> pd.DataFrame:
    return wide[["sent_id"] + LABEL_COLUMNS].reset_index(drop=True)


@pytest.fixture(scope="module")
def small(report):
    return report.subset(["fm-editors-note", "ch2-trager", "ch3-png"])


def test_stored_table_equals_extract(small, tmp_path):
    run = extract_corpus(small, model="fast", root=tmp_path)
    assert run.n_new == 3 and run.n_reused == 0 and run.tier.name == "fast"
    got = run.read()
    want = pk.extract(small, embedding="static", embed_cache=False)
    pd.testing.assert_frame_equal(got, want)
    again = extract_corpus(small, model="fast", root=tmp_path)
    assert again.n_new == 0 and again.n_reused == 3
    pd.testing.assert_frame_equal(read_extraction(again), want)


def test_paths_incremental_only_new_documents(doc_texts, write_docs, tmp_path):
    names = list(doc_texts)
    folder = write_docs(doc_texts, names[:5])
    first = extract_paths([folder], model="fast", root=tmp_path / "store")
    assert (first.n_new, first.n_reused) == (5, 0)
    before = first.read()
    write_docs(doc_texts, names[5:])
    second = extract_paths([folder], model="fast", root=tmp_path / "store")
    assert (second.n_new, second.n_reused) == (2, 5)
    assert len(second.parts) >= 1 and sum(len(p["doc_keys"]) for p in second.parts) == 2
    after = second.read()
    assert set(after["doc_id"]) == set(names)
    old = after[after["doc_id"].isin(names[:5])].reset_index(drop=True)
    by_doc = {d: df for d, df in before.groupby("doc_id", sort=False)}
    expected = pd.concat([by_doc[d] for d in old["doc_id"].unique()], ignore_index=True)
    pd.testing.assert_frame_equal(_labels(old), _labels(expected))  # stored labels reused as they were
    # a changed document is extracted again, and only that one
    (folder / f"{names[0]}.txt").write_text(doc_texts[names[0]] + "\nGovernments should fund audits.\n",
                                            encoding="utf-8")
    third = extract_paths([folder], model="fast", root=tmp_path / "store")
    assert (third.n_new, third.n_reused) == (1, 6)


def test_paths_table_equals_load_then_extract(doc_texts, write_docs, tmp_path):
    folder = write_docs(doc_texts)
    run = extract_paths([folder], model="fast", root=tmp_path / "s")
    corpus = pk.load([folder], progress=False, cache=False)
    want = pk.extract(corpus, embedding="static", embed_cache=False)
    pd.testing.assert_frame_equal(run.read(), want)
    docs = run.documents.drop(columns="doc_key")
    pd.testing.assert_frame_equal(docs[corpus.documents.columns], corpus.documents)


def test_documents_separately_equal_documents_together(doc_texts, write_docs, tmp_path):
    """Neighbour context stays within a document: one batch per document (batch_words=1) gives
    the labels of one batch for all documents."""
    folder = write_docs(doc_texts)
    together = extract_paths([folder], model="fast", root=tmp_path / "a", batch_words=10**9)
    apart = extract_paths([folder], model="fast", root=tmp_path / "b", batch_words=1)
    assert len(together.parts) == 1 and len(apart.parts) == len(doc_texts)
    pd.testing.assert_frame_equal(apart.read(), together.read())
    # and each document extracted on its own by the in-memory API
    corpus = pk.load([folder], progress=False, cache=False)
    got = together.read()
    for d in corpus.doc_ids[:3]:
        one = pk.extract(corpus.subset([d]), embedding="static", embed_cache=False)
        pd.testing.assert_frame_equal(_labels(one), _labels(got[got["doc_id"] == d]))


def test_batches_bound_the_words_in_memory(doc_texts, write_docs, tmp_path):
    folder = write_docs(doc_texts)
    run = extract_paths([folder], model="fast", root=tmp_path / "s", batch_words=800)
    assert len(run.parts) > 1
    assert all(p["n_words"] <= 800 or len(p["doc_keys"]) == 1 for p in run.parts)


def test_duckdb_view_of_the_run(doc_texts, write_docs, tmp_path, monkeypatch):
    from policykit.store import Store

    monkeypatch.setenv("POLICYKIT_PROCESSED_DIR", str(tmp_path / "processed"))
    folder = write_docs(doc_texts)
    run = extract_paths([folder], model="fast")
    n = Store().query("SELECT count(*) AS n FROM extraction")["n"][0]
    assert n == len(run.read(columns=["sent_id", "doc_id"]))


def test_files_share_keys_between_paths_and_corpus_routes(doc_texts, write_docs, tmp_path):
    """`policykit extract PATHS` and a loaded corpus (as `policykit report` has it) reuse each other's results."""
    folder = write_docs(doc_texts, list(doc_texts)[:3])
    first = extract_paths([folder], model="fast", root=tmp_path / "s")
    corpus = pk.load([folder], progress=False)
    second = extract_corpus(corpus, model="fast", root=tmp_path / "s")
    assert (second.n_new, second.n_reused) == (0, 3)
    pd.testing.assert_frame_equal(second.read(), first.read())

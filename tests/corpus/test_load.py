"""``policykit.load``: files, folders, collections, sidecars, duplicates, skipping, caching."""

from __future__ import annotations

import importlib
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from policykit import config
from policykit.corpus.model import collapse_ws
from policykit.errors import InputError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_builders import make_agora, make_docx, make_pdf  # noqa: E402

load_mod = importlib.import_module("policykit.corpus.load")
load = load_mod.load
SkippedInputWarning = load_mod.SkippedInputWarning


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Corpus cache in a temporary folder, never in data/interim."""
    monkeypatch.setenv("POLICYKIT_INTERIM_DIR", str(tmp_path / "interim"))
    return tmp_path / "interim"


def check_offsets(corpus):
    for table in (corpus.paragraphs, corpus.sentences):
        for row in table.itertuples(index=False):
            assert collapse_ws(corpus.raw(row.doc_id)[row.start:row.end]) == row.text


@pytest.fixture
def mixed(tmp_path):
    d = tmp_path / "mixed"
    (d / "sub" / ".hidden").mkdir(parents=True)
    (d / "alpha.txt").write_bytes("AI needs rules. States should cooperate.\n\nA second paragraph here.\n".encode("utf-8"))
    (d / "beta.md").write_text("# Beta Title\n\nRegulators must act. They must act now.\n", encoding="utf-8")
    (d / "sub" / "gamma.html").write_text("<html><head><title>Gamma</title></head><body><p>Gamma text is "
                                          "here. More text follows.</p><p>Another one.</p></body></html>",
                                          encoding="utf-8")
    (d / "sub" / "delta.txt").write_bytes("Coopération “mondiale” nécessaire. Très bien.\n".encode("cp1252"))
    (d / "sub" / "zh.txt").write_bytes("人工智能治理需要全球合作。各国应当加强对话。\n".encode("gb18030"))
    make_pdf(d / "sub" / "eps.pdf", [["The PDF speaks. It has two sentences."]], title="Epsilon")
    make_docx(d / "zeta.docx", ["Zeta opens here. It continues.", "Zeta closes."])
    (d / "README.md").write_text("About this folder.\n", encoding="utf-8")
    (d / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (d / "sub" / ".hidden" / "secret.txt").write_text("Hidden.\n", encoding="utf-8")
    return d


def test_default_is_the_bundled_report():
    corpus = load()
    assert len(corpus.documents) == 32
    assert corpus.load_summary.files_in == 1 and corpus.load_summary.documents_out == 32


def test_folder_of_mixed_formats(mixed):
    corpus = load(mixed)
    docs = corpus.documents.set_index("doc_id")
    assert sorted(docs.index) == ["alpha", "beta", "delta", "eps", "gamma", "zeta", "zh"]
    assert docs.loc["delta", "encoding"] == "cp1252" and docs.loc["zh", "encoding"] == "gb18030"
    assert docs.loc["eps", "encoding"] == "pdf" and docs.loc["zeta", "encoding"] == "docx"
    assert docs.loc["alpha", "encoding"] == "utf-8"
    assert docs.loc["beta", "title"] == "Beta Title" and docs.loc["gamma", "title"] == "Gamma"
    assert docs.loc["eps", "title"] == "Epsilon"
    assert docs.loc["alpha", "source_path"] == str(mixed / "alpha.txt")
    assert corpus.raw("zh").startswith("人工智能")
    assert corpus.sentences["doc_id"].nunique() == 7
    assert "States should cooperate." in set(corpus.sentences["text"])
    check_offsets(corpus)
    s = corpus.load_summary
    assert s.files_in == 7 and s.documents_out == 7 and not s.skipped
    assert {p.rsplit("/", 1)[-1] for p in s.ignored} == {"README.md", "data.csv"}
    assert s.encodings["cp1252"] == 1


def test_single_file_and_list_of_paths(mixed):
    one = load(mixed / "alpha.txt")
    assert one.doc_ids == ["alpha"]
    two = load([str(mixed / "alpha.txt"), mixed / "zeta.docx", mixed / "alpha.txt"])  # repeats read once
    assert two.doc_ids == ["alpha", "zeta"]


def test_limit(mixed):
    assert len(load(mixed, limit=2).documents) == 2
    with pytest.raises(ValueError):
        load(mixed, limit=0)


def test_sidecar_sets_metadata_and_ids(mixed, tmp_path):
    side = tmp_path / "meta.csv"  # row 1 matched by file (and renamed), row 2 by doc_id
    side.write_text("file,doc_id,title,region,year,type,ministry\n"
                    "mixed/alpha.txt,alpha-2024,Alpha Strategy,europe,2024,strategy,Digital\n"
                    ",beta,Beta Plan,china,2021,plan,\n", encoding="utf-8")
    corpus = load(mixed, metadata=side)
    docs = corpus.documents.set_index("doc_id")
    assert "alpha" not in docs.index
    a = docs.loc["alpha-2024"]
    assert (a["title"], a["region"], a["year"], a["doc_type"], a["ministry"]) == (
        "Alpha Strategy", "europe", 2024, "strategy", "Digital")
    assert docs.loc["beta", "title"] == "Beta Plan" and docs.loc["beta", "region"] == "china"
    assert corpus.documents["year"].dtype == "Int64"
    sents = corpus.sentences[corpus.sentences["doc_id"] == "alpha-2024"]
    assert (sents["region"] == "europe").all() and (sents["year"] == 2024).all()
    assert sents["sent_id"].iloc[0] == "alpha-2024.p000.s00"


def test_sidecar_rows_matching_nothing_warn(mixed, tmp_path):
    side = tmp_path / "meta.yaml"
    side.write_text("- doc_id: alpha\n  region: europe\n- doc_id: typo\n  region: china\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"1 row\(s\) matched no input document.*doc_id 'typo'"):
        load(mixed, metadata=side)


def test_missing_and_malformed_sidecar(mixed, tmp_path):
    with pytest.raises(InputError, match="not found"):
        load(mixed, metadata=tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("doc_id,title\na,A,B\n", encoding="utf-8")
    with pytest.raises(InputError, match="fields") as exc:
        load(mixed, metadata=bad, on_error="skip")  # sidecar errors are never skipped
    assert str(bad) in str(exc.value)


def test_sidecar_without_paths(tmp_path):
    side = tmp_path / "m.csv"
    side.write_text("doc_id,title\na,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="none were given"):
        load(None, metadata=side)


def test_duplicate_doc_ids(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "policy.txt").write_text("First text.\n", encoding="utf-8")
    (tmp_path / "b" / "policy.md").write_text("Second text.\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate doc_id 'policy'") as exc:
        load(tmp_path)
    assert "a/policy.txt" in str(exc.value) and "b/policy.md" in str(exc.value) and exc.value.fix
    with pytest.warns(SkippedInputWarning, match="duplicate doc_id"):
        corpus = load(tmp_path, on_error="skip")
    assert corpus.doc_ids == ["policy"] and corpus.raw("policy") == "First text.\n"
    assert corpus.load_summary.files_in == 2 and corpus.load_summary.documents_out == 1


def test_duplicate_doc_ids_from_sidecar(mixed, tmp_path):
    side = tmp_path / "m.csv"  # alpha.txt renamed to the id beta.md already has
    side.write_text("file,doc_id\nalpha.txt,beta\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate doc_id 'beta'"):
        load(mixed, metadata=side)


@pytest.fixture
def bad_inputs(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "good.txt").write_text("A good document. It has two sentences.\n", encoding="utf-8")
    (d / "good2.md").write_text("Another good one.\n", encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (d / "odd.txt").write_bytes(b"bad \x81 bytes \x8d")
    make_pdf(d / "scan.pdf", [[]])
    return d


def test_on_error_raise_stops_at_first_bad_input(bad_inputs):
    with pytest.raises(InputError) as exc:
        load(bad_inputs)
    assert str(bad_inputs) in str(exc.value)


def test_on_error_skip_reports_and_processes_the_rest(bad_inputs, tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.warns(SkippedInputWarning) as rec:
        corpus = load([bad_inputs, missing], on_error="skip")
    assert sorted(corpus.doc_ids) == ["good", "good2"]
    s = corpus.load_summary
    assert s.files_in == 7 and s.documents_out == 2
    reasons = dict(s.skipped)
    assert set(reasons) == {str(bad_inputs / n) for n in ("empty.txt", "binary.txt", "odd.txt", "scan.pdf")} | {str(missing)}
    assert "empty" in reasons[str(bad_inputs / "empty.txt")]
    assert "binary" in reasons[str(bad_inputs / "binary.txt")]
    assert "no text layer" in reasons[str(bad_inputs / "scan.pdf")]
    assert "no such file" in reasons[str(missing)]
    message = str(rec[0].message)
    assert "skipped 5 bad input(s) of 7" in message
    for path in reasons:
        assert path in message


def test_nothing_usable(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(InputError, match="none of the 1 input"):
        load(tmp_path, on_error="skip")


def test_nonexistent_path_and_bad_arguments(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        load(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="on_error"):
        load(tmp_path, on_error="ignore")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported file type"):
        load(tmp_path / "sheet.xlsx")
    with pytest.raises(InputError, match="no readable documents"):
        load(tmp_path)


def test_agora_and_governance_folders_inside_a_folder(tmp_path):
    root = tmp_path / "collections"
    make_agora(root / "agora", [{"AGORA ID": "5", "Official name": "Five", "Authority": "OECD",
                                 "Proposed date": "2019-05-22"}], {"5": "Members should adhere. They agree.\n"})
    gov = root / "gov"
    gov.mkdir()
    (gov / "index.csv").write_text("slug,title,issuer,jurisdiction,region,year,doc_type,source,license_note,words\n"
                                   "eo,Order,WH,United States,north_america,2023,executive_order,s,PD,2\n",
                                   encoding="utf-8")
    (gov / "eo.txt").write_text("The order applies. It is binding.\n", encoding="utf-8")
    (gov / "SOURCE.md").write_text("Attribution.\n", encoding="utf-8")
    corpus = load(root)
    docs = corpus.documents.set_index("doc_id")
    assert sorted(docs.index) == ["agora-5", "eo"]
    assert docs.loc["agora-5", "title"] == "Five" and docs.loc["agora-5", "region"] == "international"
    assert docs.loc["agora-5", "year"] == 2019 and docs.loc["eo", "doc_type"] == "executive_order"
    check_offsets(corpus)


def test_report_file_among_paths(mixed):
    corpus = load([config.REPORT_RAW, mixed / "alpha.txt"])
    assert len(corpus.documents) == 33 and "alpha" in corpus.doc_ids
    assert corpus.load_summary.files_in == 2


def test_shipped_governance_texts_load_with_metadata():
    corpus = load(config.GOVERNANCE_TEXTS_DIR, limit=2)
    docs = corpus.documents
    assert list(docs["doc_id"]) == ["us-eo-14110-safe-secure-trustworthy-ai-2023", "us-nist-ai-rmf-1-0-2023"]
    assert (docs["region"] == "north_america").all() and list(docs["year"]) == [2023, 2023]
    check_offsets(corpus.subset(["us-eo-14110-safe-secure-trustworthy-ai-2023"]))


# ----------------------------------------------------------------------------- cache
def test_cache_reuses_and_rebuilds(mixed, monkeypatch, isolated_cache):
    first = load(mixed)
    assert list((isolated_cache / "corpus").glob("*-sentences.parquet"))
    build = importlib.import_module("policykit.corpus.build")

    def boom(*a, **k):
        raise AssertionError("should have used the cache")

    monkeypatch.setattr(build, "build_corpus", boom)
    again = load(mixed)
    for name in ("documents", "paragraphs", "sentences"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name), check_dtype=False)
    assert again.documents["year"].dtype == "Int64"
    assert isinstance(again.documents["authors"].iloc[0], list)
    check_offsets(again)
    # a changed file means a new key: the (failing) build runs
    (mixed / "alpha.txt").write_text("Changed text. Entirely new.\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="cache"):
        load(mixed)
    monkeypatch.undo()
    rebuilt = load(mixed)
    assert "Changed text." in set(rebuilt.sentences["text"])


def test_cache_key_covers_metadata(mixed, tmp_path):
    key = load_mod.corpus_key
    docs = load_mod.read_sources([load_mod.Source(mixed / "alpha.txt", "alpha", {})])
    other = load_mod.read_sources([load_mod.Source(mixed / "alpha.txt", "alpha", {"region": "europe"})])
    assert key(docs) == key(load_mod.read_sources([load_mod.Source(mixed / "alpha.txt", "alpha", {})]))
    assert key(docs) != key(other)


def test_no_cache_writes_nothing(mixed, isolated_cache):
    load(mixed, cache=False)
    assert not (isolated_cache / "corpus").exists()


def test_progress_bar_path_gives_the_same_tables(mixed, monkeypatch):
    monkeypatch.setattr(load_mod, "BUILD_CHUNK", 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chunked = load(mixed, progress=True, cache=False)
    whole = load(mixed, progress=False, cache=False)
    for name in ("documents", "paragraphs", "sentences"):
        pd.testing.assert_frame_equal(getattr(chunked, name), getattr(whole, name), check_dtype=False)

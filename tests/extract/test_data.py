"""Training data: provenance, shipped vs referenced texts, genres (policykit.extract.data)."""

import json

import pytest

from policykit import config
from policykit.errors import InputError
from policykit.extract import data


def test_every_unit_is_labelled_and_grouped_by_document(training_data):
    U = training_data.units
    assert set(U["source_set"]) == {"report", "governance"}
    assert U["unit_id"].is_unique
    assert set(U["role"]) == {"claim", "proposal", "other"}
    # documents are contiguous runs (context is read from the order)
    runs = (U["doc_id"] != U["doc_id"].shift()).sum()
    assert runs == U["doc_id"].nunique()
    assert set(U["genre"]) <= set(data.read_genres()) | {"other"}


def test_governance_texts_are_read_from_offsets_and_checked(training_data):
    prov = training_data.provenance
    if prov["missing"]:
        pytest.skip("../shared is not available: governance documents left out")
    assert prov["counts"]["by_set"]["governance"] == 2591
    recs = [json.loads(line) for line in data.GOVERNANCE_FILE.open(encoding="utf-8")]
    shipped = [r for r in recs if "text" in r]
    assert shipped and all(r["source"].startswith("data/governance-texts/") for r in shipped)
    assert all("text_sha256" in r for r in recs)


def test_missing_shared_folder_leaves_documents_out(tmp_path, report):
    td = data.load_training(corpus=report, shared_dir=tmp_path)
    assert td.missing and all(d.startswith("agora-") for d in td.missing)
    assert (td.units["source_set"] == "governance").sum() > 0  # the shipped texts remain


def test_changed_text_is_an_error(tmp_path, report):
    rec = next(json.loads(line) for line in data.GOVERNANCE_FILE.open(encoding="utf-8") if "text" not in line
               or '"text":' not in line)
    src = tmp_path / rec["source"]
    src.parent.mkdir(parents=True)
    src.write_text("x" * (rec["end"] + 10), encoding="utf-8")
    with pytest.raises(InputError, match="not the annotated sentence"):
        data.load_training(corpus=report, shared_dir=tmp_path)


def test_genre_table_rejects_a_doc_type_in_two_genres(tmp_path):
    p = tmp_path / "genres.yaml"
    p.write_text("a:\n  doc_types: [law]\nb:\n  doc_types: [law]\n")
    with pytest.raises(InputError, match="doc_type 'law'"):
        data.read_genres(p)


def test_reader_section_matches_the_corpus_reader():
    assert data.reader_section("(b) Risks of computing infrastructure security") == "heading"
    assert data.reader_section("Developers shall report incidents.") == "body"
    assert config.TRAINING_DIR.is_dir()

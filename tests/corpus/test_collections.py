"""AGORA folders and governance-text indexes, plus the governance texts shipped in data/raw."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from policykit import config
from policykit.corpus.collections import (agora_sources, governance_sources, is_agora_folder,
                                          is_governance_folder)
from policykit.errors import InputError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_builders import make_agora  # noqa: E402


@pytest.fixture
def agora(tmp_path):
    rows = [
        {"AGORA ID": "10", "Official name": "Act on AI, Section 2", "Casual name": "AI Act s.2",
         "Authority": "United States Congress", "Collections": "Editors' Picks;U.S. federal laws",
         "Most recent activity": "Enacted", "Most recent activity date": "2024-05-01",
         "Proposed date": "2023-02-01", "Tags": "Harms: Discrimination;Risk factors: Bias;Harms: Discrimination"},
        {"AGORA ID": "2", "Official name": "Interim Measures", "Authority": "Chinese central government",
         "Collections": "Chinese law and policy", "Most recent activity": "Enacted",
         "Most recent activity date": "2023-07-13", "Proposed date": ""},
        {"AGORA ID": "3", "Official name": "Company pledge", "Authority": "Private-sector companies",
         "Collections": "Corporate policies and commitments", "Most recent activity date": "2023-07-21"},
        {"AGORA ID": "99", "Official name": "No text", "Authority": "California"},
    ]
    texts = {"10": "SEC. 2. Rules.\n\nThe agency shall act.\n", "2": "Article 1. Providers shall label content.\n",
             "3": "We commit to red-teaming.\n", "500": "A text without an index row.\n"}
    auth = [["United States Congress", "United States", ""], ["Chinese central government", "China", ""],
            ["Private-sector companies", "", ""], ["California", "United States", ""]]
    return make_agora(tmp_path / "agora", rows, texts, auth)


def test_agora_detection(agora, tmp_path):
    assert is_agora_folder(agora)
    assert not is_governance_folder(agora)
    assert not is_agora_folder(tmp_path)


def test_agora_sources(agora):
    sources, notes = agora_sources(agora)
    assert [s.doc_id for s in sources] == ["agora-2", "agora-3", "agora-10", "agora-500"]  # numeric order
    by = {s.doc_id: s for s in sources}
    m = by["agora-10"].metadata
    assert m["title"] == "Act on AI, Section 2" and m["casual_name"] == "AI Act s.2"
    assert m["authority"] == "United States Congress" and m["jurisdiction"] == "United States"
    assert m["region"] == "north_america" and m["sector"] == "government"
    assert m["year"] == 2023  # from the proposed date
    assert m["doc_type"] == "us_federal_laws"  # first collection that is not "Editors' Picks"
    assert m["collections"] == ["Editors' Picks", "U.S. federal laws"]
    assert m["tags"] == ["Harms: Discrimination", "Risk factors: Bias"]  # de-duplicated, ordered
    assert by["agora-2"].metadata["year"] == 2023 and by["agora-2"].metadata["region"] == "china"
    assert by["agora-3"].metadata["sector"] == "industry" and by["agora-3"].metadata["region"] is None
    assert by["agora-500"].metadata["title"] is None
    assert all(s.origin == "agora" for s in sources)
    assert len(notes) == 1 and "99" in notes[0]


def test_agora_duplicate_ids(tmp_path):
    rows = [{"AGORA ID": "1", "Official name": "A"}, {"AGORA ID": "1", "Official name": "B"}]
    folder = make_agora(tmp_path / "a", rows, {"1": "Text."})
    with pytest.raises(InputError, match="duplicate AGORA ID"):
        agora_sources(folder)


def test_governance_index(tmp_path):
    folder = tmp_path / "gov"
    folder.mkdir()
    (folder / "index.csv").write_text(
        "slug,title,issuer,jurisdiction,region,year,doc_type,source,license_note,words\n"
        'eo,"Order on AI, safety",White House,United States,north_america,2023,executive_order,src,PD,3\n'
        "g7,Statement,G7,G7 (intergovernmental),international,2023,leaders_statement,src,PD,1\n", encoding="utf-8")
    (folder / "eo.txt").write_text("The order.\n", encoding="utf-8")
    (folder / "g7.txt").write_text("The statement.\n", encoding="utf-8")
    (folder / "README.md").write_text("not a document\n", encoding="utf-8")
    assert is_governance_folder(folder) and not is_agora_folder(folder)
    sources, _ = governance_sources(folder)
    assert [s.doc_id for s in sources] == ["eo", "g7"]
    eo = sources[0].metadata
    assert eo["title"] == "Order on AI, safety" and eo["year"] == 2023 and eo["region"] == "north_america"
    assert eo["doc_type"] == "executive_order" and eo["sector"] == "government" and "words" not in eo
    assert sources[1].metadata["sector"] == "international_org"


@pytest.mark.parametrize("rows, match", [
    ("eo,T,I,J,R,2023,d,s,l,1\neo,T,I,J,R,2023,d,s,l,1\n", "duplicate slug"),
    ("missing,T,I,J,R,2023,d,s,l,1\n", "missing"),
    ("eo,T,I,J,R,soon,d,s,l,1\n", "four-digit year"),
])
def test_governance_index_errors(tmp_path, rows, match):
    folder = tmp_path / "gov"
    folder.mkdir()
    (folder / "index.csv").write_text(
        "slug,title,issuer,jurisdiction,region,year,doc_type,source,license_note,words\n" + rows, encoding="utf-8")
    (folder / "eo.txt").write_text("The order.\n", encoding="utf-8")
    with pytest.raises(InputError, match=match):
        governance_sources(folder)


# ----------------------------------------------------------------------------- shipped texts
SHIPPED = config.GOVERNANCE_TEXTS_DIR


def test_shipped_governance_texts_are_indexed_and_redistributable():
    sources, _ = governance_sources(SHIPPED)
    slugs = {s.doc_id for s in sources}
    files = {p.stem for p in SHIPPED.glob("*.txt")}
    assert slugs == files and len(slugs) == 9
    # Singapore and ASEAN documents state no open licence: never shipped
    assert not any(s.startswith(("sg-", "asean-")) for s in slugs)
    for s in sources:
        note = s.metadata["license_note"].lower()
        assert "no open licence" not in note and "internal evaluation" not in note
    source_md = (SHIPPED / "SOURCE.md").read_text(encoding="utf-8")
    for s in sources:
        assert f"`{s.doc_id}.txt`" in source_md
        assert hashlib.sha256(s.path.read_bytes()).hexdigest() in source_md


def test_shipped_texts_match_the_shared_collection():
    shared = config.SHARED_DIR / "data" / "governance-texts"
    if not shared.is_dir():
        pytest.skip("../shared is not available")
    for p in SHIPPED.glob("*.txt"):
        assert p.read_bytes() == (shared / p.name).read_bytes(), p.name


def test_agora_collection_split_at_its_commas_is_reassembled(tmp_path):
    rows = [{"AGORA ID": "1", "Official name": "EO", "Authority": "Executive Office of the President",
             "Collections": "Editors' Picks;and agency policies;U.S. regulations;executive orders"}]
    folder = make_agora(tmp_path / "a", rows, {"1": "Text."})
    meta = agora_sources(folder)[0][0].metadata
    assert meta["collections"] == ["Editors' Picks", "U.S. regulations, executive orders, and agency policies"]
    assert meta["doc_type"] == "us_regulations_executive_orders_and_agency_policies"

"""The report parser: documents, metadata, sections, offsets and coverage."""

import hashlib
import re

import pytest

from policykit import config
from policykit.corpus.model import collapse_ws
from policykit.corpus.wfeo import is_bio, normalise_title, parse_report


def test_raw_report_is_byte_identical_to_shared():
    shared = config.SHARED_DIR / "corpus" / config.REPORT_RAW.name
    if not shared.exists():
        pytest.skip("../shared is not available")
    assert hashlib.sha256(config.REPORT_RAW.read_bytes()).hexdigest() == \
        hashlib.sha256(shared.read_bytes()).hexdigest()


def test_exactly_32_documents_with_gold_metadata(report, gold_documents):
    docs = report.documents.set_index("doc_id")
    assert len(docs) == 32
    assert set(docs.index) == {d["essay_id"] for d in gold_documents}
    for g in gold_documents:
        row = docs.loc[g["essay_id"]]
        assert row["title"] == g["title"]
        assert list(row["authors"]) == g["authors"]
        assert int(row["chapter"]) == g["chapter"]
        assert row["region"] == g["region"]
        assert row["sector"] == g["sector"]
        assert list(row["affiliations"]) == g["affiliations"]


def test_documents_in_reading_order_and_chapters(report):
    docs = report.documents
    assert list(docs["doc_id"][:3]) == ["fm-editors-note", "fm-preface", "fm-introduction"]
    chapters = list(docs["chapter"])
    assert chapters == sorted(chapters)
    assert (docs["chapter"] > 0).sum() == 29
    assert docs.groupby("chapter").size().to_dict() == {0: 3, 1: 6, 2: 6, 3: 6, 4: 7, 5: 4}


def test_essay_missing_from_contents_is_found(report):
    # Sun Nanxiang's essay is not in the table of contents
    row = report.documents.set_index("doc_id").loc["ch1-sun"]
    assert row["n_sentences"] > 10
    assert list(row["authors_native"]) == ["孙南翔"]


def test_table_of_contents_is_not_a_document(report):
    toc_end = report.raw("ch1-ji").index("Editors' Note\n\nThis report")
    assert report.sentences["start"].min() >= toc_end


def test_chinese_names_kept_in_separate_field(report):
    docs = report.documents.set_index("doc_id")
    assert list(docs.loc["ch4-ma", "authors_native"]) == ["马骋昊", "高万琪", "范思雨"]
    assert list(docs.loc["ch5-si", "authors_native"]) == ["司晓", "曹建峰"]
    assert list(docs.loc["ch4-wong", "authors_native"]) == []


def test_offsets_reproduce_every_sentence_and_paragraph(report):
    for df in (report.sentences, report.paragraphs):
        for row in df.itertuples():
            raw = report.raw(row.doc_id)
            assert collapse_ws(raw[row.start:row.end]) == row.text


def test_ids_unique_and_stable(report):
    s = report.sentences
    assert s["sent_id"].is_unique
    assert (s["sent_id"] == s.apply(lambda r: f"{r.doc_id}.p{r.para_idx:03d}.s{r.sent_idx:02d}",
                                    axis=1)).all()
    assert report.paragraphs["para_id"].is_unique


def test_metadata_travels_with_every_row(report):
    s = report.sentences
    for col in ("title", "chapter", "region", "sector"):
        assert s[col].notna().all(), col
    assert (s[s.doc_id == "ch2-trager"]["region"] == "europe").all()


def test_sections(report):
    s = report.sentences
    assert set(s["section"]) <= {"title", "author", "body", "bio", "heading"}
    for doc_id, g in s.groupby("doc_id"):
        assert g.iloc[0]["section"] == "title", doc_id
        assert (g["section"] == "title").sum() == 1
    essays = report.documents[report.documents.chapter > 0]["doc_id"]
    assert all((s[s.doc_id == d]["section"] == "author").sum() == 1 for d in essays)
    bio = s[s.section == "bio"]
    assert "Ji Weidong (季卫东), Shanghai Jiaotong University" in " ".join(bio.text)
    assert not bio["text"].str.startswith("Since Google").any()


def test_every_body_character_belongs_to_exactly_one_sentence(report):
    """Characters in (non-space, non-bullet characters of each document span) = characters out."""
    s = report.sentences
    raw = report.raw("ch1-ji")
    bullet = re.compile(r"(?m)^[ \t]*[-–—•●▪◦*·][ \t]+")
    total_in = total_out = 0
    covered = bytearray(len(raw))
    for row in s.itertuples():
        for i in range(row.start, row.end):
            covered[i] += 1
    for doc_id, g in s.groupby("doc_id"):
        lo, hi = int(g.start.min()), int(g.end.max())
        span = raw[lo:hi]
        stripped = bullet.sub(lambda m: " " * len(m.group(0)), span)
        chars_in = [lo + i for i, ch in enumerate(stripped) if not ch.isspace()]
        total_in += len(chars_in)
        assert all(covered[i] == 1 for i in chars_in), doc_id
        total_out += sum(len(re.sub(r"\s", "", t)) for t in g.text)
    assert total_in == total_out


def test_page_break_split_sentence_is_rejoined(report):
    s = report.sentences
    hit = s[s.text.str.contains("Guterres highlighted the significance of SDGs as embodying the hopes")]
    assert len(hit) == 1
    assert "\n\n" in report.raw("fm-preface")[hit.iloc[0].start:hit.iloc[0].end]


def test_bullets_dropped_numbering_kept(report):
    s = report.sentences
    assert not s["text"].str.match(r"^[-•] ").any()
    wong = s[s.doc_id == "ch4-wong"]["text"]
    assert wong.str.startswith("1. **Mistakes and hallucinations.** GAI models").any()


def test_chapter_headings_roman_and_arabic(report):
    intro = report.sentences[report.sentences.doc_id == "fm-introduction"]
    heads = intro[intro.section == "heading"]["text"].tolist()
    assert "Chapter I: The Risks and Challenges of Generative AI" in heads
    assert "Chapter 2: Global Governance Approaches for Generative AI" in heads


def test_bio_detection():
    assert is_bio("Denise Wong, Assistant Chief Executive, IMDA.", ["Denise Wong"])
    assert is_bio("Ji Weidong (季卫东), Professor.", ["Jl Weidong"])
    assert not is_bio("Second, we call for standards, audits and more.", ["Denise Wong"])


def test_normalise_title():
    assert normalise_title("Singapore’s approach") == normalise_title("Singapore's  approach")
    assert normalise_title("AI Governance — Another") == normalise_title("AI governance - another")


def test_wrong_metadata_chapter_is_a_clear_error(tmp_path):
    from policykit.errors import InputError
    text = config.REPORT_METADATA.read_text(encoding="utf-8")
    bad = text.replace("ch2-trager,International Oversight", "ch2-trager,International Oversight", 1)
    lines = bad.splitlines()
    lines = [l.replace(",2,europe,think_tank", ",3,europe,think_tank") if l.startswith("ch2-trager") else l
             for l in lines]
    p = tmp_path / "meta.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="ch2-trager.*chapter 2.*chapter 3"):
        parse_report(metadata_path=p)

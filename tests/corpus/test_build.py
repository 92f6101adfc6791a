"""Generic paragraph building: blocks, list items, headings, page-break rejoining."""

from policykit.corpus.build import build_corpus, paragraphs_from_text
from policykit.corpus.model import RawDocument, collapse_ws


def _doc(text, doc_id="d1"):
    return RawDocument(doc_id=doc_id, text=text, source_path=f"{doc_id}.txt",
                       metadata={"title": "T", "region": "europe"}, sha256="x")


def test_blocks_lists_and_headings():
    text = ("Overview\n\nIt also comes with risks:\n- first risk is here.\n- second risk.\n\n"
            "1. **Bold.** Numbered item one.\n2. Numbered item two.\n")
    paras = paragraphs_from_text(text)
    got = [(p.section, text[p.start:p.end]) for p in paras]
    assert got[0] == ("heading", "Overview")
    assert ("body", "first risk is here.") in got
    assert ("body", "second risk.") in got
    assert ("body", "2. Numbered item two.") in got


def test_page_break_rejoined_and_offsets_cross_it():
    first = "This is a long paragraph that runs on and on about governance of AI models and " \
            "their risks until a page break splits it in the middle of the"
    text = first + "\n\nsentence, which continues here. Then another sentence.\n"
    c = build_corpus([_doc(text)])
    assert len(c.paragraphs) == 1
    s = c.sentences
    assert s.iloc[0]["text"].endswith("the sentence, which continues here.")
    for row in s.itertuples():
        assert collapse_ws(text[row.start:row.end]) == row.text


def test_short_line_without_punctuation_does_not_join():
    text = "Introduction\n\nthe lower-case start is still a new paragraph here.\n"
    c = build_corpus([_doc(text)])
    # a heading is never continued by a page-break rule meant for long body paragraphs,
    # but a lower-case start after an open heading is joined (one sentence)
    assert len(c.sentences) == 1


def test_metadata_on_every_row_and_counts():
    c = build_corpus([_doc("One sentence. Two sentences.\n\nThird one.")])
    assert (c.sentences["region"] == "europe").all()
    d = c.documents.iloc[0]
    assert d["n_sentences"] == 3 and d["n_paragraphs"] == 2 and d["n_words"] == 6


def test_duplicate_doc_ids_rejected():
    import pytest
    from policykit.errors import InputError
    with pytest.raises(InputError, match="duplicate doc_id"):
        build_corpus([_doc("A."), _doc("B.")])

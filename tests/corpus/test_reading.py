"""Documents read as a reader sees them, and encodings (issue 14, items 5 and 6).

Each test is built from one numbered failure of the issue's "Why" section (5: documents not
read as a reader sees them; 6: mixed encodings pass unnoticed), on the user's five small
documents recreated here and on the real texts the issue names.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from pathlib import Path

import pytest

from policykit import config
from policykit.corpus.encoding import MixedEncodingWarning, decode_bytes_detailed
from policykit.corpus.layout import paragraphs
from policykit.corpus.load import load
from policykit.corpus.model import collapse_ws
from policykit.corpus.readers import read_document
from policykit.errors import InputError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_builders import make_pdf  # noqa: E402

AGORA = config.SHARED_DIR / "data" / "agora" / "fulltext"
GOV_GOLD = config.SHARED_DIR / "gold" / "sentences-governance.jsonl"
needs_agora = pytest.mark.skipif(not AGORA.is_dir(), reason="../shared/data/agora not available")


def contract_holds(corpus) -> None:
    for t in ("paragraphs", "sentences"):
        for row in getattr(corpus, t).itertuples():
            assert collapse_ws(corpus.raw(row.doc_id)[row.start:row.end]) == row.text


def units(path) -> list[str]:
    c = load(path, cache=False)
    contract_holds(c)
    return c.sentences["text"].tolist()


# ----------------------------------------------------------------------------- 5. Markdown
MARKDOWN = """# Borealis National AI Strategy

## 1. Purpose

Developers **must not** deploy a frontier model without an evaluation by the
[Borealis AI Office](https://ai.borealis.example/office). See *Annex I* and `model cards`.

- Providers _shall_ publish a safety case.
- The Office may audit them.

---

1. First obligation.
2. Second obligation.
"""


def test_markdown_is_parsed_to_text_with_headings_as_headings(tmp_path):
    p = tmp_path / "borealis.md"
    p.write_text(MARKDOWN, encoding="utf-8")
    c = load(p, cache=False)
    contract_holds(c)
    raw = c.raw("borealis")
    for markup in ("# ", "**", "](", "https://", "`", "*Annex", "_shall_", "---"):
        assert markup not in raw, markup
    s = c.sentences.set_index("text")
    assert s.loc["1. Purpose", "section"] == "heading"  # one unit, not "1." + "Purpose"
    assert "Purpose" not in s.index
    assert s.loc["Borealis National AI Strategy", "section"] == "title"
    assert ("Developers must not deploy a frontier model without an evaluation by the Borealis AI Office."
            in s.index)
    assert "Providers shall publish a safety case." in s.index  # bullet dropped
    assert "2. Second obligation." in s.index
    assert c.documents.loc[0, "title"] == "Borealis National AI Strategy"


def test_markdown_front_matter_title(tmp_path):
    p = tmp_path / "fm.md"
    p.write_text("---\ntitle: From Front Matter\n---\n\n# Heading\n\nBody text here.\n", encoding="utf-8")
    res = read_document(p)
    assert res.title == "From Front Matter"
    assert "title:" not in res.text


# ----------------------------------------------------------------------------- 5. HTML
HTML_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>National AI Strategy | Ministry of Digital Affairs</title></head><body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
  <button>Accept cookies</button></div>
<header><nav><a href="/">Home</a> | <a href="/about">About us</a> | <a href="/contact">Contact</a></nav></header>
<div class="content">
<h1>National AI Strategy</h1>
<p>The government will establish a national AI safety institute by 2025. It must not depend on industry funding.</p>
<h2>1. Purpose</h2>
<p>This strategy sets out how the country will govern artificial intelligence. Regulators should coordinate.</p>
<ul><li>Transparency for users</li><li>Accountability of providers</li></ul>
</div>
<div class="site-footer">© 2024 Ministry of Digital Affairs | <a href="/terms">Terms</a> | <a href="/a11y">Accessibility</a></div>
</body></html>"""


def test_html_drops_navigation_cookie_banner_and_footer(tmp_path):
    p = tmp_path / "strategy.html"
    p.write_text(HTML_PAGE, encoding="utf-8")
    texts = units(p)
    joined = " ".join(texts)
    for boiler in ("Home", "About us", "Contact", "Accept cookies", "cookies", "Terms", "©"):
        assert boiler not in joined, boiler
    assert "The government will establish a national AI safety institute by 2025." in texts
    assert "1. Purpose" in texts
    assert "Accountability of providers" in texts


def test_html_title_is_h1_or_title_without_site_suffix(tmp_path):
    p = tmp_path / "strategy.html"
    p.write_text(HTML_PAGE, encoding="utf-8")
    assert read_document(p).title == "National AI Strategy"
    q = tmp_path / "noh1.html"
    q.write_text("<html><head><title>Joint Statement on AI - Foreign Office</title></head>"
                 "<body><p>We affirm our commitment to safe AI.</p></body></html>", encoding="utf-8")
    assert read_document(q).title == "Joint Statement on AI"


# ----------------------------------------------------------------------------- 5. titles of txt/docx/pdf
def test_txt_title_is_its_first_heading_line(tmp_path):
    p = tmp_path / "aurora-policy.txt"
    p.write_text("Aurora Responsible AI Policy\n\nAgencies must register every AI system. They report yearly.\n",
                 encoding="utf-8")
    c = load(p, cache=False)
    assert c.documents.loc[0, "title"] == "Aurora Responsible AI Policy"
    assert c.sentences.loc[0, "section"] == "title"
    q = tmp_path / "prose.txt"
    q.write_text("Agencies must register every AI system.\n", encoding="utf-8")
    assert load(q, cache=False).documents.loc[0, "title"] == "prose"  # no title line: the file name


def test_docx_title_style_and_headings(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Zephyr AI Guidelines", style="Title")
    d.add_heading("1. Scope", level=1)
    d.add_paragraph("These guidelines apply to every ministry. Ministries report yearly.")
    p = tmp_path / "memo.docx"
    d.save(str(p))
    res = read_document(p)
    assert res.title == "Zephyr AI Guidelines"
    c = load(p, cache=False)
    s = c.sentences.set_index("text")
    assert s.loc["1. Scope", "section"] == "heading"
    assert c.documents.loc[0, "title"] == "Zephyr AI Guidelines"
    d2 = docx.Document()
    d2.add_heading("Plain Heading Title", level=1)
    d2.add_paragraph("Body text of the memo.")
    q = tmp_path / "memo2.docx"
    d2.save(str(q))
    assert read_document(q).title == "Plain Heading Title"


# ----------------------------------------------------------------------------- 5. PDF
def test_pdf_loses_running_headers_footers_page_numbers_and_hyphenation(tmp_path):
    body = [
        ["Borealis AI Strategy 2024", "The government will strengthen the govern-",
         "ance of frontier models through a new office and", "clear rules for every developer in the country.",
         "Page 1 of 3"],
        ["Borealis AI Strategy 2024", "Developers must report serious incidents to the office", "within a week.",
         "Page 2 of 3"],
        ["Borealis AI Strategy 2024", "The office publishes an annual report on compliance.", "Page 3 of 3"],
    ]
    p = make_pdf(tmp_path / "strategy.pdf", body)
    res = read_document(p)
    assert "Page" not in res.text and "Borealis AI Strategy 2024" not in res.text
    assert "governance of frontier models" in res.text
    texts = units(p)
    assert "Developers must report serious incidents to the office within a week." in texts


def test_pdf_title_from_properties_unless_a_file_name(tmp_path):
    p = make_pdf(tmp_path / "a.pdf", [["Data Governance Plan", "", "The plan covers every agency and all data."]],
                 title="Microsoft Word - draft3.docx")
    assert read_document(p).title == "Data Governance Plan"


# ----------------------------------------------------------------------------- 5. layouts of real texts
def _gold(essay_id):
    with open(GOV_GOLD, encoding="utf-8") as fh:
        return [r for r in map(json.loads, fh) if r["essay_id"] == essay_id]


@needs_agora
def test_un_resolution_preambular_clauses_are_separate_units():
    """A/78/L.49 (AGORA 1152) was one 7,225-character sentence; its clauses end in commas."""
    c = load(AGORA / "1152.txt", cache=False)
    contract_holds(c)
    s = c.sentences
    assert s["text"].str.len().max() < 4000
    spans = set(zip(s["start"], s["end"]))
    preamble = [g for g in _gold("agora-1152") if g["text"][:1].isalpha() and g["end"] <= 7250]
    assert len(preamble) == 10  # "The General Assembly," + 9 clauses
    assert all((g["start"], g["end"]) in spans for g in preamble)
    assert any(t.startswith("(j) Safeguarding privacy") for t in s["text"])  # items after (i) too


@needs_agora
def test_bletchley_signatories_one_per_line_are_separate_units():
    texts = units(AGORA / "1046.txt")
    i = texts.index("The countries represented were:")
    names = texts[i + 1:i + 30]
    assert names[0] == "Australia" and names[-1] == "United States of America"
    assert len(names) == 29 and all(len(n) < 60 for n in names)
    assert texts[i + 30].startswith("References to")


def test_separator_lines_are_not_sentences(tmp_path):
    text = ("Artificial Intelligence Law (Draft)\n\n---\n\nChapter 1\tGeneral Provisions\n\n---\n\n"
            "Article 1\tPurpose\n\nThis Law promotes safe AI.\n\n* * *\n\nArticle 2\tScope\n\n"
            "This Law applies to AI providers, including those who\n\n---\n\nThe next article begins here.\n")
    p = tmp_path / "law.txt"
    p.write_text(text, encoding="utf-8")
    texts = units(p)
    assert not [t for t in texts if not re.search(r"\w", t)]
    assert "Chapter 1 General Provisions" in texts and "Article 1 Purpose" in texts
    assert "This Law applies to AI providers, including those who" in texts  # no rejoin across ---


@needs_agora
def test_agora_separator_file_has_no_punctuation_only_sentences():
    texts = units(AGORA / "1377.txt")
    assert not [t for t in texts if not re.search(r"\w", t)]


def test_enumerations_are_separate_units():
    text = ("The Secretary shall—\n(a) publish guidance;\n(b) consult the public;\n(i) first sub-item;\n"
            "(j) issue rules; and\n(k) report to Congress.\n\n“(aa) amended item;\n\n“(bb) next item.\n")
    paras = paragraphs(text)
    got = [collapse_ws(text[p.start:p.end]) for p in paras]
    assert got == ["The Secretary shall—", "(a) publish guidance;", "(b) consult the public;",
                   "(i) first sub-item;", "(j) issue rules; and", "(k) report to Congress.",
                   "“(aa) amended item;", "“(bb) next item."]


def test_clause_list_with_commas_is_not_rejoined():
    text = ("The General Assembly,\n\n\nReaffirming international law, in particular the Charter of the "
            "United Nations and the Universal Declaration of Human Rights, \n\n\nRecalling its resolutions "
            "on the impact of rapid technological change on the Sustainable Development Goals, \n\n\n"
            "1. Resolves to bridge the digital divides;\n")
    got = [collapse_ws(text[p.start:p.end]) for p in paragraphs(text)]
    assert len(got) == 4 and got[1].startswith("Reaffirming") and got[2].startswith("Recalling")


def test_page_break_rejoining_still_works_for_user_texts():
    first = ("This is a long paragraph that runs on and on about governance of AI models and "
             "their risks until a page break splits it in the middle of the")
    text = first + "\n\nsentence, which continues here. Then another sentence.\n"
    assert len(paragraphs(text)) == 1


def test_wrapped_prose_is_not_a_line_list():
    text = ("The Secretary of Defense shall develop a plan for the establishment of\n"
            "Modern Information Technology Infrastructure that supports the tools and\n"
            "Processes to enable effective and efficient development, testing, and\n"
            "Fielding of artificial intelligence capabilities across the Department.\n")
    assert len(paragraphs(text)) == 1


def test_report_sentences_are_unchanged(report):
    """The bundled report keeps its own parse: 1,019 sentences with the same ids and offsets."""
    import hashlib

    s = report.sentences
    digest = hashlib.sha256("\n".join(f"{r.sent_id} {r.start} {r.end}" for r in s.itertuples()).encode()).hexdigest()
    assert len(s) == 1019
    assert digest[:16] == REPORT_SENTENCES_DIGEST


#: sha256 of the report's "sent_id start end" lines (before and after issue 14's reading work).
REPORT_SENTENCES_DIGEST = "6e91615e87dcea29"


# ----------------------------------------------------------------------------- 6. encodings
def test_utf8_with_two_stray_cp1252_bytes_is_utf8_and_reported(tmp_path):
    good = "Stratégie nationale pour l’intelligence artificielle\n\nLa stratégie vise une IA de confiance.\n"
    data = good.encode("utf-8") + "Les régulateurs coopèrent.\n".encode("cp1252")
    p = tmp_path / "strategie.txt"
    p.write_bytes(data)
    with pytest.warns(MixedEncodingWarning, match=r"2 byte\(s\).*character \d+"):
        c = load(p, cache=False)
    raw = c.raw("strategie")
    assert "Stratégie nationale" in raw and "Les régulateurs coopèrent." in raw  # not "StratÃ©gie"
    doc = c.documents.iloc[0]
    assert doc["encoding"] == "utf-8+cp1252"
    offsets = [int(m) for m in re.findall(r"character (\d+)", doc["encoding_note"])]
    assert [raw[o] for o in offsets] == ["é", "è"]


def test_mostly_utf8_with_too_many_bad_bytes_is_refused_with_the_fix(tmp_path):
    data = ("Stratégie " * 200).encode("utf-8") + ("coopèrent " * 60).encode("cp1252")
    p = tmp_path / "mixed.txt"
    p.write_bytes(data)
    with pytest.raises(InputError, match="mixes encodings") as exc:
        read_document(p)
    assert "UTF-8" in exc.value.fix


def test_clean_files_have_no_encoding_note(tmp_path):
    p = tmp_path / "clean.txt"
    p.write_text("Plain policy text.\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MixedEncodingWarning)
        c = load(p, cache=False)
    assert c.documents.loc[0, "encoding"] == "utf-8"
    assert c.documents["encoding_note"].isna().all()


@pytest.mark.parametrize("codec, recorded", [("utf-16", "utf-16"), ("utf-16-be", "utf-16"),
                                             ("utf-32", "utf-32"), ("utf-32-be", "utf-32")])
def test_utf16_and_utf32_with_a_bom_are_read(tmp_path, codec, recorded):
    text = "Gouvernance de l’IA: les États coopèrent.\n"
    data = text.encode(codec)
    if not codec.endswith(("16", "32")):  # explicit byte order: add the mark by hand
        data = "\ufeff".encode(codec) + data
    p = tmp_path / "bom.txt"
    p.write_bytes(data)
    res = read_document(p)
    assert str(res.text) == text and res.encoding == recorded
    c = load(p, cache=False)
    contract_holds(c)


def test_cp1252_and_gb18030_files_are_still_legacy():
    assert decode_bytes_detailed("Naïve café – “quoted”.\n".encode("cp1252")).encoding == "cp1252"
    assert decode_bytes_detailed("人工智能治理需要全球合作。\n".encode("gb18030")).encoding == "gb18030"


# ----------------------------------------------------------------------------- agreement
@pytest.mark.slow
@pytest.mark.skipif(not GOV_GOLD.is_file(), reason="governance gold not available")
def test_boundary_agreement_on_governance_passages():
    from policykit.corpus.segeval import governance_agreement

    table = governance_agreement(GOV_GOLD, cache=False).set_index("essay_id")
    assert table.loc["(all)", "unlocated"] == 0
    assert table.loc["(all)", "agreement"] >= 0.95
    assert table.loc["(read)", "agreement"] >= 0.95
    assert table.loc["(not read)", "n_gold"] > 0

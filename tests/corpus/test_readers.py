"""Readers: text decoding (and which encoding was used), HTML, PDF, DOCX, and every bad file."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from policykit.corpus.readers import (SUPPORTED_SUFFIXES, decode_bytes, html_to_text, read_document,
                                      read_docx, read_html, read_pdf, read_text)
from policykit.errors import InputError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_builders import make_docx, make_pdf  # noqa: E402


def assert_names_file_and_fix(err: InputError, path):
    assert str(path) in str(err)
    assert err.fix, "every InputError must say what to do"
    assert "fix:" in str(err)


# ----------------------------------------------------------------------------- plain text
@pytest.mark.parametrize("text, encoding", [
    ("AI governance needs global cooperation.\n", "utf-8"),
    ("Gouvernance de l’IA — coopération “mondiale”.\n", "utf-8"),
    ("人工智能治理需要全球合作。各国应当加强对话。\n", "gb18030"),
    ("生成式人工智能 (generative AI) 的安全与治理：全球视角。\n", "gb18030"),
    ("Naïve café policy – “quoted” costs €5; Müller's Ærø façade.\n", "cp1252"),
    ("Crème brûlée and résumé.\n", "cp1252"),
])
def test_text_encodings_are_decoded_and_recorded(tmp_path, text, encoding):
    p = tmp_path / "doc.txt"
    p.write_bytes(text.encode(encoding))
    res = read_text(p)
    assert res.text == text
    assert res.encoding == encoding
    assert res.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


def test_utf8_bom_is_recorded_and_removed(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbfPolicy text.\n")
    res = read_text(p)
    assert res.encoding == "utf-8-sig"
    assert res.text == "Policy text.\n"


def test_text_is_decoded_exactly_as_stored(tmp_path):
    raw = "First line.\r\n\r\nSecond paragraph.\r\n"
    p = tmp_path / "crlf.txt"
    p.write_bytes(raw.encode())
    assert read_text(p).text == raw  # no newline translation: offsets index the decoded bytes


def test_decode_order_prefers_utf8():
    assert decode_bytes("é".encode("utf-8")) == ("é", "utf-8")
    assert decode_bytes("é".encode("cp1252"))[1] == "cp1252"


def test_markdown_title_is_first_heading(tmp_path):
    p = tmp_path / "note.md"
    p.write_text("Intro line\n\n# The Real Title #\n\nBody text.\n", encoding="utf-8")
    res = read_document(p)
    assert res.title == "The Real Title"
    assert res.text.startswith("Intro line")


# ----------------------------------------------------------------------------- bad text files
def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty") as exc:
        read_document(p)
    assert_names_file_and_fix(exc.value, p)


def test_whitespace_only_file_is_empty(tmp_path):
    p = tmp_path / "blank.txt"
    p.write_bytes(b"  \n\n\t \r\n")
    with pytest.raises(InputError, match="empty"):
        read_document(p)


def test_binary_file_with_nul_bytes(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary") as exc:
        read_document(p)
    assert_names_file_and_fix(exc.value, p)


def test_undecodable_bytes(tmp_path):
    p = tmp_path / "odd.txt"
    p.write_bytes(b"policy \x81 text \x8d end")  # invalid UTF-8, GB18030 and cp1252
    with pytest.raises(InputError, match="UTF-8, GB18030 or cp1252") as exc:
        read_document(p)
    assert_names_file_and_fix(exc.value, p)


def test_control_characters_are_binary(tmp_path):
    p = tmp_path / "ctrl.txt"
    p.write_bytes(b"\x01\x02\x03\x04\x05\x06 some text \x07\x08\x0e\x0f" * 5)
    with pytest.raises(InputError, match="binary"):
        read_document(p)


def test_utf16_without_bom_is_named(tmp_path):
    p = tmp_path / "utf16.txt"
    p.write_bytes("Policy text in UTF-16 without a mark".encode("utf-16-le"))
    with pytest.raises(InputError, match="UTF-16") as exc:
        read_document(p)
    assert "UTF-8" in exc.value.fix


def test_nonexistent_path(tmp_path):
    p = tmp_path / "nope.txt"
    with pytest.raises(InputError, match="no such file") as exc:
        read_document(p)
    assert_names_file_and_fix(exc.value, p)


def test_unsupported_suffix(tmp_path):
    p = tmp_path / "table.xlsx"
    p.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="unsupported file type") as exc:
        read_document(p)
    assert_names_file_and_fix(exc.value, p)


def test_supported_suffixes():
    assert {".txt", ".md", ".html", ".htm", ".pdf", ".docx"} <= SUPPORTED_SUFFIXES


# ----------------------------------------------------------------------------- HTML
HTML = """<!doctype html><html><head><title>A  Policy
Page</title><style>p { color: red }</style><script>var x = "hidden";</script></head>
<body><nav><a href="/">Home</a></nav>
<h1>Global AI Rules</h1>
<p>States should cooperate
   on AI safety &amp; security.<br>A second line.</p>
<!-- a comment -->
<ol><li>First measure.</li><li>Second measure.</li></ol>
<ul><li>A bullet.</li></ul>
<div hidden>secret</div><p style="display: none">invisible</p>
<table><tr><th>Body</th><th>Role</th></tr><tr><td>UN</td><td>convene</td></tr></table>
<div>Outer text <div>inner block</div> tail</div>
</body></html>"""


def test_html_visible_text_with_paragraphs():
    text, title = html_to_text(HTML)
    assert title == "Global AI Rules"  # the <h1>; <title> only without one
    paras = text.strip().split("\n\n")
    assert "Global AI Rules" in paras
    assert "States should cooperate on AI safety & security.\nA second line." in paras
    assert "1. First measure." in paras and "2. Second measure." in paras
    assert "• A bullet." in paras  # the bullet a reader sees (dropped from the sentence)
    assert "Home" not in text  # <nav>
    assert "Body Role" in paras and "UN convene" in paras
    for hidden in ("hidden", "secret", "invisible", "color: red", "a comment"):
        assert hidden not in text


def test_read_html_file_records_encoding(tmp_path):
    p = tmp_path / "page.htm"
    p.write_bytes("<html><body><p>Coopération “mondiale”.</p></body></html>".encode("cp1252"))
    res = read_html(p)
    assert res.encoding == "cp1252"
    assert res.text == "Coopération “mondiale”.\n"


def test_html_without_visible_text(tmp_path):
    p = tmp_path / "app.html"
    p.write_text("<html><head><script>render()</script></head><body></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no visible text") as exc:
        read_document(p)
    assert_names_file_and_fix(exc.value, p)


# ----------------------------------------------------------------------------- PDF
def test_pdf_text_layer(tmp_path):
    p = make_pdf(tmp_path / "policy.pdf", [
        ["AI governance needs evidence from many sources and a", "shared vocabulary across all countries and groups.",
         "Short end.", "Regulators should act now and coordinate their rules", "across borders to avoid fragmentation entirely."],
        ["Second page text continues here with more words."],
    ], title="Test Policy")
    res = read_pdf(p)
    assert res.encoding == "pdf"
    assert res.title == "Test Policy"
    assert "AI governance needs evidence" in res.text and "Second page text" in res.text
    paras = [b for b in res.text.split("\n\n") if b.strip()]
    assert len(paras) == 3  # short line ends a paragraph; the page break separates the last
    assert paras[0].endswith("Short end.")
    assert res.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


def test_pdf_without_text_layer(tmp_path):
    p = make_pdf(tmp_path / "scan.pdf", [[], []])
    with pytest.raises(InputError, match="no text layer") as exc:
        read_document(p)
    assert "OCR" in exc.value.fix
    assert_names_file_and_fix(exc.value, p)


def test_corrupt_pdf(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    with pytest.raises(InputError, match="not a readable PDF") as exc:
        read_document(p)
    assert_names_file_and_fix(exc.value, p)


def test_empty_pdf_file(tmp_path):
    p = tmp_path / "zero.pdf"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_document(p)


# ----------------------------------------------------------------------------- DOCX
def test_docx_paragraphs_and_tables(tmp_path):
    p = make_docx(tmp_path / "memo.docx", ["AI Memo", "", "States should cooperate.", "Second paragraph."],
                  table=[["Actor", "Role"], ["UN", "convene"]], title="The Memo")
    res = read_docx(p)
    assert res.encoding == "docx"
    assert res.title == "The Memo"
    assert res.text.split("\n\n") == ["AI Memo", "States should cooperate.", "Second paragraph.",
                                      "Actor\tRole", "UN\tconvene\n"]


def test_docx_without_text(tmp_path):
    p = make_docx(tmp_path / "blank.docx", ["", "  "])
    with pytest.raises(InputError, match="no text"):
        read_document(p)


def test_corrupt_docx(tmp_path):
    p = tmp_path / "bad.docx"
    p.write_bytes(b"not a zip file at all")
    with pytest.raises(InputError, match="not a readable .docx") as exc:
        read_document(p)
    assert_names_file_and_fix(exc.value, p)

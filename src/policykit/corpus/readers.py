"""Read one document file (.txt, .md, .html, .pdf, .docx) into the text a reader sees.

Every reader returns a :class:`ReadResult`: the text that the document's offsets will index
into, the encoding (or extractor) used, the SHA-256 of the file's bytes, whatever title the
file itself gives, and notes on what had to be repaired. Bad input raises
:class:`policykit.errors.InputError` naming the file, the problem and the fix.

What ``text`` is (the raw text of the table contract, ``Corpus.raw(doc_id)``):

* ``.txt``: the decoded bytes exactly as stored (no newline translation), so offsets are Python
  string indices of the decoded file. Decoding follows :mod:`policykit.corpus.encoding`
  (byte-order marks for UTF-8/16/32; UTF-8; mostly-UTF-8 with a few stray cp1252 bytes repaired
  and reported; GB18030; cp1252). Title: the first line, when it reads as a title.
* ``.md``: the rendered plain text (:func:`policykit.corpus.markup.markdown_to_text`): no ``#``,
  emphasis or link syntax; headings marked as headings. Title: front matter, else first
  level-1 heading.
* ``.html``: the visible text without boilerplate (:func:`policykit.corpus.markup.html_to_text`).
  Title: ``<h1>``, ``og:title``, or ``<title>`` without the site suffix.
* ``.pdf``: pypdf's text layer without running headers, footers and page numbers, with
  end-of-line hyphenation rejoined and blank lines at probable paragraph ends. Title: the
  document properties (unless they are a file name), else the first page's first heading line.
* ``.docx``: the paragraphs (and table rows) in order; ``Title`` and ``Heading N`` styles marked
  as headings. Title: the first ``Title``-style paragraph, else the core properties, else the
  first heading.

The text is a :class:`~policykit.corpus.layout.ReadText` (a ``str`` carrying heading spans,
the title's span and decoding notes), which the paragraph builder uses.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from policykit.corpus.encoding import (TEXT_ENCODINGS, DecodeResult, MixedEncodingWarning,  # noqa: F401
                                      decode_bytes, decode_bytes_detailed, looks_chinese, warn_mixed)
from policykit.corpus.layout import ReadText, title_line
from policykit.corpus.markup import html_to_text, markdown_to_text  # noqa: F401
from policykit.corpus.model import sha256_bytes
from policykit.errors import InputError

#: File suffix → reader kind.
SUFFIX_KIND: dict[str, str] = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".pdf": "pdf", ".docx": "docx",
}
#: Suffixes :func:`read_document` accepts (lower case).
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(SUFFIX_KIND)

_SUPPORTED_LIST = ".txt, .md, .html/.htm, .pdf, .docx"


@dataclass(frozen=True)
class ReadResult:
    """What a reader extracted from one file.

    Attributes
    ----------
    path : Path
        The file read.
    text : str
        Extracted text (a :class:`~policykit.corpus.layout.ReadText`); offsets of the
        document's units index into it.
    encoding : str
        Text encoding used (``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-32``, ``utf-8+cp1252``,
        ``gb18030``, ``cp1252``), or the extractor for binary formats (``pdf``, ``docx``).
    sha256 : str
        Hex SHA-256 of the file's bytes.
    title : str or None
        Title the file itself gives (see the module docstring), if any.
    notes : tuple of str
        What had to be repaired to read the file (also in ``text.notes`` and, through the
        corpus, in the documents table's ``encoding_note``).
    """

    path: Path
    text: str
    encoding: str
    sha256: str
    title: str | None = None
    notes: tuple[str, ...] = ()


def _decode(data: bytes, path: Path) -> DecodeResult:
    res = decode_bytes_detailed(data, path)
    if res.note:
        warn_mixed(path, res.note)
    return res


def _result(path: Path, text: str, encoding: str, data: bytes, title: str | None,
            headings=(), title_span=None, notes=()) -> ReadResult:
    notes = tuple(notes)
    return ReadResult(path, ReadText(text, headings, title_span, notes), encoding,
                      sha256_bytes(data), title, notes)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(path, "no such file or folder", "check the path (typo? relative to the current folder?)")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file", "pass the folder to policykit.load(), which reads it recursively")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})", "check the file's permissions") from exc


# --------------------------------------------------------------------------- plain text
def read_text(path: str | Path) -> ReadResult:
    """Read a ``.txt`` file (decoded exactly as stored) or a ``.md`` file (rendered to text)."""
    path = Path(path)
    data = _read_bytes(path)
    dec = _decode(data, path)
    notes = (dec.note,) if dec.note else ()
    if SUFFIX_KIND.get(path.suffix.lower()) == "markdown":
        text, title = markdown_to_text(dec.text)
        if not text.strip():
            raise InputError(path, "the Markdown file has no text (only markup)",
                             "check that the file holds the document's text")
        return _result(path, text, dec.encoding, data, title, text.headings, text.title_span, notes)
    span = title_line(dec.text)
    title = " ".join(dec.text[span[0]:span[1]].split()) if span else None
    return _result(path, dec.text, dec.encoding, data, title, (), span, notes)


# --------------------------------------------------------------------------- HTML
def read_html(path: str | Path) -> ReadResult:
    """Read an ``.html``/``.htm`` file: visible text without boilerplate, blank lines between blocks."""
    path = Path(path)
    data = _read_bytes(path)
    dec = _decode(data, path)
    text, title = html_to_text(dec.text)
    if not text.strip():
        raise InputError(path, "the HTML page has no visible text",
                         "check that the page was saved with its content (not just scripts); "
                         "pages rendered by JavaScript must be saved after rendering")
    return _result(path, text, dec.encoding, data, title, text.headings, text.title_span,
                   (dec.note,) if dec.note else ())


# --------------------------------------------------------------------------- PDF
_BREAK_NEXT = re.compile(r"^\s*([A-Z0-9\"“‘(•\-–—*]|[\u4e00-\u9fff])")
_HYPHEN_BREAK = re.compile(r"([^\W\d_]{2,})-[ \t]*\n[ \t]*([a-z][^\W\d_]*)")


def _pdf_rules() -> dict:
    """The ``pdf`` section of ``data/rules/layout.yaml``, compiled."""
    from policykit.corpus.layout import load_layout_rules

    rules = load_layout_rules()
    pdf = dict(rules.get("pdf") or {})
    pdf.setdefault("running_lines", 3)
    pdf.setdefault("running_share", 0.5)
    pdf["page_number_re"] = re.compile(pdf.get("page_number", r"^\s*\d{1,4}\s*$"))
    pdf["file_name_title_re"] = re.compile(pdf.get("file_name_title", r"(?i)\.(docx?|pdf)$"))
    return pdf


def _file_name_title(title: str) -> bool:
    return bool(_pdf_rules()["file_name_title_re"].search(title))


def _page_lines(page_text: str) -> list[str]:
    return [ln.rstrip() for ln in page_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and running headers/footers from a PDF's pages (lists of lines).

    A line among the first or last ``running_lines`` non-empty lines of a page is dropped when
    it is a page number (``page_number``), or when the same line (digits ignored) sits at the
    top or bottom of at least ``running_share`` of the pages (and of at least two); the
    settings are the ``pdf`` section of ``data/rules/layout.yaml``.
    """
    rules = _pdf_rules()
    k = int(rules["running_lines"])

    def edges(lines):
        idx = [i for i, ln in enumerate(lines) if ln.strip()]
        return set(idx[:k] + idx[-k:])

    counts: dict[str, int] = {}
    for lines in pages:
        for key in {_running_key(lines[i]) for i in edges(lines)}:
            counts[key] = counts.get(key, 0) + 1
    n_text = sum(1 for lines in pages if any(ln.strip() for ln in lines))
    need = max(2, math.ceil(rules["running_share"] * n_text))
    out = []
    for lines in pages:
        drop = {i for i in edges(lines)
                if rules["page_number_re"].match(lines[i])
                or (n_text >= 2 and counts.get(_running_key(lines[i]), 0) >= need)}
        out.append([ln for i, ln in enumerate(lines) if i not in drop])
    return out


def rejoin_hyphenation(text: str) -> str:
    """Rejoin words hyphenated at a line end ("govern-\\nance" → "governance").

    The hyphen is kept ("decision-\\nmaking" → "decision-making") when the document writes the
    hyphenated form elsewhere and never the joined one.
    """
    words = set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower()))

    def fix(m: re.Match) -> str:
        a, b = m.group(1), m.group(2)
        joined, hyphenated = (a + b).lower(), f"{a}-{b}".lower()
        if hyphenated in words and joined not in words:
            return f"{a}-{b}"
        return a + b

    return _HYPHEN_BREAK.sub(fix, text)


def _pdf_paragraphs(lines: list[str]) -> str:
    """Insert blank lines where a short line ends a paragraph (pypdf gives one line per row)."""
    lengths = sorted(len(ln.strip()) for ln in lines if ln.strip())
    if not lengths:
        return ""
    typical = lengths[int(0.75 * (len(lengths) - 1))]
    out: list[str] = []
    for i, ln in enumerate(lines):
        out.append(ln)
        if i + 1 >= len(lines):
            break
        cur, nxt = ln.strip(), lines[i + 1].strip()
        if not cur or not nxt:
            continue
        if len(cur) < 0.6 * typical and _BREAK_NEXT.match(nxt):
            out.append("")
    text = "\n".join(out)
    return re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text).strip()


def read_pdf(path: str | Path) -> ReadResult:
    """Read a ``.pdf`` file's text layer with pypdf.

    Running headers, footers and page numbers are dropped (:func:`strip_running_lines`),
    end-of-line hyphenation is rejoined (:func:`rejoin_hyphenation`), pages are separated by a
    blank line, and within a page a blank line is inserted after a line that is much shorter
    than the page's typical line when the next line starts a new sentence.

    Raises
    ------
    InputError
        If the file is not a readable PDF, is encrypted, or has no text layer (scanned images).
    """
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    path = Path(path)
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(path, "the file is empty (0 bytes)", "re-download or re-export the PDF")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise InputError(path, "the PDF is password-protected",
                                 "remove the password (e.g. `qpdf --decrypt in.pdf out.pdf`) and pass the result")
        raw_pages = [_page_lines(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(path, f"is not a readable PDF ({type(exc).__name__}: {exc})",
                         "check that the file is a complete PDF (re-download or re-export it)") from exc
    pages = [_pdf_paragraphs(lines) for lines in strip_running_lines(raw_pages)]
    text = rejoin_hyphenation("\n\n".join(p for p in pages if p.strip()))
    if not text.strip():
        raise InputError(path, f"the PDF has no text layer ({len(raw_pages)} page(s) of images or blank pages)",
                         "run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and pass the OCR'd PDF, "
                         "or pass the text as a .txt file")
    text += "\n"
    title = None
    try:
        meta = reader.metadata
        if meta is not None and meta.title and str(meta.title).strip():
            title = " ".join(str(meta.title).split())
    except Exception:
        title = None
    if title and _file_name_title(title):
        title = None
    span = title_line(text)
    if title is None and span:
        title = " ".join(text[span[0]:span[1]].split())
    elif span and " ".join(text[span[0]:span[1]].split()) != title:
        span = None
    return _result(path, text, "pdf", data, title, (), span)


# --------------------------------------------------------------------------- DOCX
def read_docx(path: str | Path) -> ReadResult:
    """Read a ``.docx`` file: paragraphs (and table rows, cells tab-separated) in document order.

    Paragraphs in a ``Title`` or ``Heading N`` style are marked as headings; list paragraphs
    (``List Bullet`` styles) start with ``• ``.

    Raises
    ------
    InputError
        If the file is not a readable Word document or holds no text.
    """
    import docx
    from docx.table import Table

    path = Path(path)
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(path, "the file is empty (0 bytes)", "re-save the document from Word/LibreOffice")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise InputError(path, f"is not a readable .docx file ({type(exc).__name__}: {exc})",
                         "open and re-save it as .docx (Word 2007+); old .doc files must be converted first") from exc
    blocks: list[tuple[str, int, bool]] = []  # text, heading level, Title style
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = []
                for cell in row.cells:
                    t = " ".join(cell.text.split())
                    if t and (not cells or cells[-1] != t):  # merged cells repeat
                        cells.append(t)
                if cells:
                    blocks.append(("\t".join(cells), 0, False))
            continue
        t = item.text.strip()
        if not t:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        m = re.match(r"(?i)heading\s*(\d)", style)
        is_title = style.lower() in ("title", "subtitle")
        level = 1 if is_title else (int(m.group(1)) if m else 0)
        if style.lower().startswith("list bullet"):
            t = "• " + t
        blocks.append((t, level, style.lower() == "title"))
    parts: list[str] = []
    heads: list[tuple[int, int, int]] = []
    title, title_span = None, None
    pos = 0
    for t, level, is_title in blocks:
        if parts:
            parts.append("\n\n")
            pos += 2
        if level:
            heads.append((pos, pos + len(t), level))
        if is_title and title is None:
            title, title_span = " ".join(t.split()), (pos, pos + len(t))
        parts.append(t)
        pos += len(t)
    text = "".join(parts)
    if not text.strip():
        raise InputError(path, "the Word document contains no text",
                         "check that the content is text, not images (OCR scanned pages first)")
    if title is None:
        core = " ".join((document.core_properties.title or "").split())
        if core and not _file_name_title(core):
            title = core
    if title is None:
        span = heads[0][:2] if heads and heads[0][0] == 0 else title_line(text)
        if span:
            title, title_span = " ".join(text[span[0]:span[1]].split()), span
    return _result(path, text + "\n", "docx", data, title, heads, title_span)


# --------------------------------------------------------------------------- dispatch
_READERS = {"text": read_text, "markdown": read_text, "html": read_html, "pdf": read_pdf, "docx": read_docx}


def is_supported(path: str | Path) -> bool:
    """True if :func:`read_document` can read files with this suffix."""
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES


def read_document(path: str | Path) -> ReadResult:
    """Read any supported document, choosing the reader by file suffix.

    Parameters
    ----------
    path : str or Path
        A ``.txt``, ``.md``, ``.html``/``.htm``, ``.pdf`` or ``.docx`` file.

    Returns
    -------
    ReadResult

    Raises
    ------
    InputError
        If the path does not exist, the suffix is unsupported, or the content is unusable
        (empty, binary, undecodable, PDF without text layer, ...).
    """
    path = Path(path)
    kind = SUFFIX_KIND.get(path.suffix.lower())
    if kind is None:
        if not path.exists():
            raise InputError(path, "no such file or folder", "check the path (typo? relative to the current folder?)")
        raise InputError(path, f"unsupported file type {path.suffix or '(no suffix)'!r}",
                         f"convert it to one of {_SUPPORTED_LIST}, or rename a plain-text file to .txt")
    return _READERS[kind](path)


# --------------------------------------------------------------------------- sources
@dataclass
class Source:
    """One document to read: its file, the doc_id it will get, and metadata known before reading.

    Attributes
    ----------
    path : Path
        File to read with :func:`read_document`.
    doc_id : str
        Document id (default: the file stem; collections and sidecars set their own).
    metadata : dict
        Metadata from a collection index or a sidecar; overrides what the file declares.
    origin : str
        ``"file"`` for files given or found in a folder, ``"agora"`` or ``"governance-index"``
        for documents listed by a collection index.
    """

    path: Path
    doc_id: str
    metadata: dict
    origin: str = "file"

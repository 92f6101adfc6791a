"""Read one document file (.txt, .md, .html, .pdf, .docx) into decoded text.

Every reader returns a :class:`ReadResult`: the text that the document's offsets will index
into, the encoding (or extractor) used, the SHA-256 of the file's bytes, and whatever title the
format itself declares. Bad input raises :class:`policykit.errors.InputError` naming the file,
the problem and the fix.

Plain text (``.txt``, ``.md``) is decoded exactly as stored (no newline translation, so offsets
are Python string indices of the decoded bytes). Encodings are tried in the order UTF-8,
UTF-8 with byte-order mark, GB18030, cp1252; the one used is recorded. GB18030 accepts many
byte sequences that are really cp1252 (``"naïve"`` decodes to a Chinese character), so a
GB18030 reading is only accepted when it looks like Chinese text (see :func:`decode_bytes`).

HTML is reduced to its visible text, one block element per paragraph (blank line between).
PDF text comes from pypdf's text layer, with blank lines inserted at probable paragraph ends;
a PDF without a text layer is an error. DOCX text is the document's paragraphs (and table rows)
in order, one per paragraph.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from policykit.corpus.model import sha256_bytes
from policykit.errors import InputError

#: Text encodings tried in order for .txt, .md and .html files.
TEXT_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "gb18030", "cp1252")

#: File suffix → reader kind.
SUFFIX_KIND: dict[str, str] = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".pdf": "pdf", ".docx": "docx",
}
#: Suffixes :func:`read_document` accepts (lower case).
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(SUFFIX_KIND)

_SUPPORTED_LIST = ".txt, .md, .html/.htm, .pdf, .docx"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ReadResult:
    """What a reader extracted from one file.

    Attributes
    ----------
    path : Path
        The file read.
    text : str
        Decoded or extracted text; offsets of the document's units index into it.
    encoding : str
        Text encoding used (``utf-8``, ``utf-8-sig``, ``gb18030``, ``cp1252``), or the extractor
        for binary formats (``pdf``, ``docx``).
    sha256 : str
        Hex SHA-256 of the file's bytes.
    title : str or None
        Title declared by the file itself (HTML ``<title>``, first Markdown heading, PDF or DOCX
        document properties), if any.
    """

    path: Path
    text: str
    encoding: str
    sha256: str
    title: str | None = None


# --------------------------------------------------------------------------- decoding
def _looks_chinese(text: str) -> bool:
    """True when the non-ASCII characters of ``text`` are mostly common GB2312 characters.

    Real Chinese text in GBK/GB18030 uses GB2312 characters almost exclusively; cp1252 bytes
    misread as GB18030 mostly produce rare GBK-only characters (an accented letter followed by
    an ASCII letter forms a pair whose second byte is below 0xA1, outside GB2312).
    """
    non_ascii = [c for c in text[:200000] if ord(c) > 127][:5000]
    if not non_ascii:
        return True
    common = 0
    for c in non_ascii:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(non_ascii) >= 0.8


def _control_share(text: str) -> float:
    """Share of characters that are control characters other than ordinary whitespace."""
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    return bad / len(sample)


def decode_bytes(data: bytes, path: str | Path | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file, trying :data:`TEXT_ENCODINGS` in order.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    path : str or Path, optional
        The file (named in errors).

    Returns
    -------
    text, encoding : str, str
        Decoded text (a UTF-8 byte-order mark is removed) and the encoding used.

    Raises
    ------
    InputError
        If the bytes are empty, look binary (NUL bytes, control characters), are UTF-16/32,
        or decode in none of the encodings.
    """
    if not data.strip():
        raise InputError(path, "the file is empty (no text to read)",
                         "remove it from the inputs, or check that it was saved/exported completely")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "the file is UTF-16 encoded, which policykit does not read",
                         "re-save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8 in.txt > out.txt`)")
    if b"\x00" in data:
        raise InputError(path, "the file looks binary (it contains NUL bytes), not text",
                         f"pass a text document ({_SUPPORTED_LIST}), or convert it to plain text first")
    if data.startswith(_BOM):
        candidates = ["utf-8-sig"]
    else:
        candidates = [e for e in TEXT_ENCODINGS if e != "utf-8-sig"]
    fallback: tuple[str, str] | None = None
    text: str | None = None
    encoding = ""
    for enc in candidates:
        try:
            decoded = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030" and not _looks_chinese(decoded):
            fallback = (decoded, enc)  # use only if cp1252 fails too
            continue
        text, encoding = decoded, enc
        break
    if text is None and fallback is not None:
        text, encoding = fallback
    if text is None:
        raise InputError(path, "the bytes are not text in UTF-8, GB18030 or cp1252 (binary or unknown encoding)",
                         "convert the file to UTF-8 text (e.g. `iconv -f <encoding> -t UTF-8`), "
                         f"or pass a supported document ({_SUPPORTED_LIST})")
    if _control_share(text) > 0.01:
        raise InputError(path, f"the file looks binary (control characters after decoding as {encoding}), not text",
                         f"pass a text document ({_SUPPORTED_LIST}), or convert it to plain text first")
    if not text.strip():
        raise InputError(path, "the file is empty (only whitespace)",
                         "remove it from the inputs, or check that it was saved/exported completely")
    return text, encoding


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
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def read_text(path: str | Path) -> ReadResult:
    """Read a ``.txt`` or ``.md`` file (decoded exactly as stored)."""
    path = Path(path)
    data = _read_bytes(path)
    text, enc = decode_bytes(data, path)
    title = None
    if SUFFIX_KIND.get(path.suffix.lower()) == "markdown":
        m = _MD_HEADING.search(text)
        if m:
            title = m.group(1).strip()
    return ReadResult(path, text, enc, sha256_bytes(data), title)


# --------------------------------------------------------------------------- HTML
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "meta", "link",
                        "svg", "canvas", "iframe", "object", "button", "select", "option", "form"})
_BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "aside", "header", "footer", "nav",
                         "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
                         "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "caption",
                         "figure", "figcaption", "address", "hr", "details", "summary", "body", "html",
                         "center", "fieldset", "legend"})
_PARA = "\x00"   # paragraph break marker while walking the tree
_LINE = "\x01"   # line break marker (<br>)


def _html_walk(node, out: list[str], pre: bool = False) -> None:
    from bs4 import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    for child in node.children:
        if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            s = str(child)
            if pre:
                out.append(s.replace("\n", _LINE))
            else:
                out.append(re.sub(r"\s+", " ", s))
            continue
        if not isinstance(child, Tag):
            continue
        name = (child.name or "").lower()
        if name in _SKIP_TAGS or child.get("hidden") is not None:
            continue
        style = (child.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            continue
        if name == "br":
            out.append(_LINE)
        elif name in ("td", "th"):
            out.append(" ")
            _html_walk(child, out, pre)
            out.append(" \t")
        elif name in _BLOCK_TAGS:
            out.append(_PARA)
            if name == "li" and child.parent is not None and (child.parent.name or "").lower() == "ol":
                siblings = [s for s in child.parent.find_all("li", recursive=False)]
                try:
                    out.append(f"{siblings.index(child) + 1}. ")
                except ValueError:
                    pass
            _html_walk(child, out, pre or name == "pre")
            out.append(_PARA)
        else:
            _html_walk(child, out, pre)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Visible text of an HTML document, one block element per paragraph.

    Parameters
    ----------
    html : str
        Decoded HTML.

    Returns
    -------
    text, title : str, str or None
        Paragraphs separated by a blank line (``<br>`` gives a line break within a paragraph,
        ordered-list items keep their number), and the ``<title>`` if present.
    """
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception:  # lxml missing: fall back to the standard library parser
        soup = BeautifulSoup(html, "html.parser")
    title = None
    if soup.title is not None and soup.title.get_text(strip=True):
        title = " ".join(soup.title.get_text().split())
    out: list[str] = []
    try:
        _html_walk(soup, out)
    except RecursionError:  # absurdly deep nesting: fall back to BeautifulSoup's own text
        for tag in soup(list(_SKIP_TAGS)):
            tag.decompose()
        out = [soup.get_text(_PARA)]
    paragraphs = []
    for block in "".join(out).split(_PARA):
        lines = [" ".join(ln.replace("\t", " ").split()) for ln in block.split(_LINE)]
        lines = [ln for ln in lines if ln]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else ""), title


def read_html(path: str | Path) -> ReadResult:
    """Read an ``.html``/``.htm`` file: visible text, paragraphs separated by blank lines."""
    path = Path(path)
    data = _read_bytes(path)
    html, enc = decode_bytes(data, path)
    text, title = html_to_text(html)
    if not text.strip():
        raise InputError(path, "the HTML page has no visible text",
                         "check that the page was saved with its content (not just scripts); "
                         "pages rendered by JavaScript must be saved after rendering")
    return ReadResult(path, text, enc, sha256_bytes(data), title)


# --------------------------------------------------------------------------- PDF
_BREAK_NEXT = re.compile(r"^\s*([A-Z0-9\"“‘(•\-–—*]|[\u4e00-\u9fff])")


def _pdf_paragraphs(page_text: str) -> str:
    """Insert blank lines where a short line ends a paragraph (pypdf gives one line per row)."""
    lines = [ln.rstrip() for ln in page_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
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

    Pages are separated by a blank line; within a page a blank line is inserted after a line
    that is much shorter than the page's typical line when the next line starts a new sentence.

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
        pages = [_pdf_paragraphs(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(path, f"is not a readable PDF ({type(exc).__name__}: {exc})",
                         "check that the file is a complete PDF (re-download or re-export it)") from exc
    text = "\n\n".join(p for p in pages if p.strip())
    if not text.strip():
        raise InputError(path, f"the PDF has no text layer ({len(pages)} page(s) of images or blank pages)",
                         "run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and pass the OCR'd PDF, "
                         "or pass the text as a .txt file")
    title = None
    try:
        meta = reader.metadata
        if meta is not None and meta.title and str(meta.title).strip():
            title = str(meta.title).strip()
    except Exception:
        title = None
    return ReadResult(path, text + "\n", "pdf", sha256_bytes(data), title)


# --------------------------------------------------------------------------- DOCX
def read_docx(path: str | Path) -> ReadResult:
    """Read a ``.docx`` file: paragraphs (and table rows, cells tab-separated) in document order.

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
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = []
                for cell in row.cells:
                    t = " ".join(cell.text.split())
                    if t and (not cells or cells[-1] != t):  # merged cells repeat
                        cells.append(t)
                if cells:
                    blocks.append("\t".join(cells))
        else:
            t = item.text.strip()
            if t:
                blocks.append(t)
    text = "\n\n".join(blocks)
    if not text.strip():
        raise InputError(path, "the Word document contains no text",
                         "check that the content is text, not images (OCR scanned pages first)")
    title = (document.core_properties.title or "").strip() or None
    return ReadResult(path, text + "\n", "docx", sha256_bytes(data), title)


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

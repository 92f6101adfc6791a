"""Parser for the bundled report *Safety and Global Governance of Generative AI* (WFEO-CEIT 2023).

The report's text has a table of contents, three front-matter documents (editors' note,
preface, introduction), then five chapters of essays, then back matter. The parser

1. skips the table of contents (its lines carry page numbers; one essay is missing from it);
2. finds the front matter by its headings (``Editors' Note``, ``Preface``, ``Introduction``);
3. finds the chapter part: the first chapter heading (``Chapter I:`` or ``Chapter 1:``)
   that is followed by an essay title rather than by the introduction's summary;
4. finds every essay by its title line (titles come from the metadata table, compared
   after normalising quotes, dashes and spaces) and checks it sits under the chapter the
   metadata says;
5. splits each document into title, author line, body paragraphs (headings kept as
   ``heading``) and author-bio paragraphs, rejoining paragraphs split by page breaks.

Every check that fails raises :class:`~policykit.errors.InputError` naming the file and what
was expected, so a changed text never yields a silently wrong corpus.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

from .. import config
from ..errors import InputError
from .build import build_corpus, paragraphs_from_text
from .model import Corpus, Paragraph, RawDocument, sha256_bytes

_CHAPTER_RE = re.compile(r"^Chapter\s+([IVX]+|\d+)\s*:\s*(.+)$")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_CJK_NAME = re.compile(r"[（(]\s*([\u3400-\u9fff]+)\s*[)）]")
_BACK_MATTER = ("Acknowledgements", "Acknowledgments", "Disclaimer", "Contact", "Contributions")
_FRONT = {"editors": "Editors' Note", "preface": "Preface", "introduction": "Introduction"}


def normalise_title(text: str) -> str:
    """Lower-case, ASCII quotes and dashes, single spaces: for comparing title lines."""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    t = re.sub(r"[–—-]", "-", t)
    t = re.sub(r"\s*:\s*", ": ", t)
    return " ".join(t.lower().split())


def chapter_number(token: str) -> int:
    """``"I"`` or ``"1"`` → 1."""
    return int(token) if token.isdigit() else _ROMAN[token.upper()]


def read_metadata(path: Path = config.REPORT_METADATA) -> list[dict]:
    """The report's document metadata table (one dict per document, in file order)."""
    if not Path(path).exists():
        raise InputError(path, "the report's metadata table is missing",
                         "restore data/raw/wfeo-ceit-2023-documents.csv from the repository")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    need = {"doc_id", "title", "authors", "chapter", "region", "sector"}
    missing = need - set(rows[0] if rows else {})
    if missing:
        raise InputError(path, f"metadata table lacks columns {sorted(missing)}",
                         "restore the file from the repository")
    for i, r in enumerate(rows, start=2):
        try:
            r["chapter"] = int(r["chapter"])
        except ValueError:
            raise InputError(path, f"chapter {r['chapter']!r} is not a number", line=i,
                             fix="use 0 for front matter and 1-5 for chapters") from None
        r["authors"] = [a.strip() for a in r["authors"].split(";") if a.strip()]
        r["affiliations"] = [a.strip() for a in r.get("affiliations", "").split(";") if a.strip()]
    return rows


def _line_index(raw: str) -> list[tuple[int, int, str]]:
    """(start, end, stripped text) of every non-empty line."""
    out = []
    pos = 0
    for line in raw.split("\n"):
        s = line.strip()
        if s:
            lead = len(line) - len(line.lstrip())
            out.append((pos + lead, pos + lead + len(s), s))
        pos += len(line) + 1
    return out


def _find_line(lines, text: str, after: int = 0, path=None, what: str = "") -> int:
    key = normalise_title(text)
    for k, (s, _e, t) in enumerate(lines):
        if s >= after and normalise_title(t) == key:
            return k
    raise InputError(path, f"cannot find the {what or 'line'} {text!r} after offset {after}",
                     "check that the report text is the published one (data/raw is immutable)")


def _name_tokens(authors: list[str]) -> set[str]:
    toks = set()
    for a in authors:
        for t in re.split(r"[\s,.\-]+", a.lower()):
            if len(t) > 2:
                toks.add(t)
    return toks


def is_bio(text: str, authors: list[str]) -> bool:
    """True when a paragraph reads as an author biography (``Name (姓名), position, ...``)."""
    head = text.split(",", 1)[0]
    if "," not in text or len(head.split()) > 7:
        return False
    head_l = head.lower()
    if _CJK_NAME.search(head):
        return True
    return any(t in re.split(r"[\s,.\-()]+", head_l) for t in _name_tokens(authors))


def _doc_paragraphs(raw: str, lines, first: int, stop: int, has_author: bool,
                    authors: list[str]) -> list[Paragraph]:
    """Title, author line, body and bio paragraphs of a document spanning ``lines[first:stop]``."""
    s0, e0, _ = lines[first]
    paras = [Paragraph("title", s0, e0)]
    body_from = first + 1
    if has_author:
        s1, e1, _ = lines[first + 1]
        paras.append(Paragraph("author", s1, e1))
        body_from = first + 2
    end = lines[stop][0] if stop < len(lines) else len(raw)
    start = lines[body_from][0] if body_from < stop else end
    body = paragraphs_from_text(raw, start, end)
    # trailing author biographies
    n_bio = 0
    for p in reversed(body):
        if p.section in ("body",) and is_bio(raw[p.start:p.end], authors):
            n_bio += 1
        else:
            break
    for p in body[len(body) - n_bio:]:
        p.section = "bio"
    return paras + body


def parse_report(path: Path | str = config.REPORT_RAW,
                 metadata_path: Path | str = config.REPORT_METADATA) -> tuple[RawDocument, list[RawDocument], dict]:
    """Locate the report's documents and their paragraphs.

    Returns
    -------
    raw_doc : RawDocument
        The whole file.
    docs : list of RawDocument
        One per document, in reading order, sharing the file's text.
    paragraphs : dict
        ``doc_id`` → list of :class:`Paragraph`.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the bundled report text is missing",
                         "restore data/raw/wfeo-ceit-2023-generative-ai-governance.txt "
                         "from the repository")
    data = path.read_bytes()
    raw = data.decode("utf-8")
    digest = sha256_bytes(data)
    meta = read_metadata(Path(metadata_path))
    lines = _line_index(raw)

    by_id = {m["doc_id"]: m for m in meta}
    front = [m for m in meta if m["chapter"] == 0]
    essays = [m for m in meta if m["chapter"] > 0]

    # --- front matter: headings appear after the table of contents (whose lines end in page numbers)
    k_ed = _find_line(lines, _FRONT["editors"], path=path, what="heading")
    k_pre = _find_line(lines, _FRONT["preface"], after=lines[k_ed][0], path=path, what="heading")
    k_intro = _find_line(lines, _FRONT["introduction"], after=lines[k_pre][0], path=path,
                         what="heading")
    # --- chapter part: the first chapter heading followed by an essay title
    essay_titles = {normalise_title(m["title"]) for m in essays}
    k_part = None
    for k in range(k_intro + 1, len(lines) - 1):
        if _CHAPTER_RE.match(lines[k][2]) and normalise_title(lines[k + 1][2]) in essay_titles:
            k_part = k
            break
    if k_part is None:
        raise InputError(path, "cannot find the start of the chapter part (a chapter heading "
                         "followed by an essay title)", "check the report text and the metadata titles")
    k_back = next((k for k in range(k_part, len(lines)) if lines[k][2] in _BACK_MATTER), len(lines))

    # --- essays by title line, checked against the chapter headings
    chapter_at: list[tuple[int, int]] = []  # (line index, chapter number)
    for k in range(k_part, k_back):
        m = _CHAPTER_RE.match(lines[k][2])
        if m:
            chapter_at.append((k, chapter_number(m.group(1))))
    title_line: dict[str, int] = {}
    for m in essays:
        key = normalise_title(m["title"])
        hits = [k for k in range(k_part, k_back) if normalise_title(lines[k][2]) == key]
        if len(hits) != 1:
            raise InputError(metadata_path, f"essay {m['doc_id']!r}: title line {m['title']!r} found "
                             f"{len(hits)} times in the chapter part of {path.name}",
                             "correct the title in the metadata table to match the report")
        k = hits[0]
        chap = max((c for kk, c in chapter_at if kk < k), default=None)
        if chap != m["chapter"]:
            raise InputError(metadata_path, f"essay {m['doc_id']!r} sits under chapter {chap} in "
                             f"the report but the metadata says chapter {m['chapter']}",
                             "correct the chapter in the metadata table")
        title_line[m["doc_id"]] = k
    boundaries = sorted(set(title_line.values()) | {k for k, _ in chapter_at} | {k_back})

    def stop_after(k: int) -> int:
        return next(b for b in boundaries if b > k)

    paragraphs: dict[str, list[Paragraph]] = {}
    spans: dict[str, tuple[int, int]] = {}
    fm_ids = {normalise_title(m["title"]): m["doc_id"] for m in front}
    # editors' note: heading is the title; no author line
    ed_id = fm_ids.get(normalise_title(_FRONT["editors"]))
    intro_id = fm_ids.get(normalise_title(_FRONT["introduction"]))
    pre = [m for m in front if m["doc_id"] not in (ed_id, intro_id)]
    if not (ed_id and intro_id and len(pre) == 1):
        raise InputError(metadata_path, "front matter must be the editors' note, the introduction "
                         "and one preface (chapter 0)", "correct the metadata table")
    pre_id = pre[0]["doc_id"]
    k_pre_title = _find_line(lines, by_id[pre_id]["title"], after=lines[k_pre][0], path=path,
                             what="preface title")
    paragraphs[ed_id] = _doc_paragraphs(raw, lines, k_ed, k_pre, False, [])
    paragraphs[pre_id] = _doc_paragraphs(raw, lines, k_pre_title, k_intro, True,
                                         by_id[pre_id]["authors"])
    paragraphs[intro_id] = _doc_paragraphs(raw, lines, k_intro, k_part, False, [])
    for m in essays:
        k = title_line[m["doc_id"]]
        paragraphs[m["doc_id"]] = _doc_paragraphs(raw, lines, k, stop_after(k), True, m["authors"])
    # chapter headings inside the introduction are headings, not body text
    for p in paragraphs[intro_id]:
        if _CHAPTER_RE.match(raw[p.start:p.end].strip()):
            p.section = "heading"

    docs = []
    for doc_id, paras in paragraphs.items():
        m = dict(by_id[doc_id])
        author_line = next((raw[p.start:p.end] for p in paras if p.section == "author"), "")
        native = _CJK_NAME.findall(author_line)
        spans[doc_id] = (paras[0].start, paras[-1].end)
        md = {k: v for k, v in m.items() if k != "doc_id"}
        md["authors_native"] = native
        md["author_line"] = author_line
        md["start"], md["end"] = spans[doc_id]
        docs.append(RawDocument(doc_id=doc_id, text=raw, source_path=str(path), metadata=md,
                                sha256=digest, encoding="utf-8"))
    docs.sort(key=lambda d: spans[d.doc_id][0])
    missing = set(by_id) - set(paragraphs)
    if missing:  # pragma: no cover - guarded above
        raise InputError(metadata_path, f"documents not found in the report: {sorted(missing)}")
    whole = RawDocument(doc_id="wfeo-ceit-2023", text=raw, source_path=str(path), sha256=digest)
    return whole, docs, paragraphs


def load_report(path: Path | str = config.REPORT_RAW,
                metadata_path: Path | str = config.REPORT_METADATA,
                progress: bool = False) -> Corpus:
    """The bundled report as a :class:`Corpus` of 32 documents (3 front matter + 29 essays)."""
    _whole, docs, paragraphs = parse_report(path, metadata_path)
    return build_corpus(docs, paragraphs=paragraphs, progress=progress)

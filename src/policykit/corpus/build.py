"""From raw texts to the three corpus tables (documents, paragraphs, sentences).

Paragraphs are blocks separated by blank lines; every line of a list (bulleted or numbered)
is a paragraph of its own, with its bullet dropped and its numbering kept. A paragraph that
a page break split in two (the first part ends without terminal punctuation, the second does
not start a new list item) is rejoined into one logical paragraph whose span crosses the break.

:func:`paragraphs_from_text` is the rule set the bundled report's parser uses (kept exactly as
it is, so the report's sentence ids never move). Every other document is split by
:func:`policykit.corpus.layout.paragraphs`, which adds the layouts of real policy texts
(separator lines, enumerations, one-item-per-line lists, clause lists, headings the reader
marked).
"""

from __future__ import annotations

import re
from typing import Sequence

import pandas as pd

from ..errors import InputError
from .model import (META_COLUMNS, Corpus, Paragraph, RawDocument, collapse_ws, para_id,
                    sent_id)
from .layout import blocks, continues, ends_open, trim_span
from .layout import paragraphs as layout_paragraphs
from .segment import load_rules, segment_spans, strip_bullet

_NUMBERED = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[ivxIVX]{1,5}[.)]|\(?[a-hA-H][.)])\s+\S")

#: Sections whose paragraphs are single units (never split into sentences).
UNSEGMENTED = ("title", "author")
#: A paragraph shorter than this that ends without terminal punctuation is a heading.
HEADING_MAX_CHARS = 100


def _list_kind(line: str) -> str | None:
    """``"bullet"``, ``"number"`` or None for a line of text."""
    if load_rules()["bullet_re"].match(line):
        return "bullet"
    return "number" if _NUMBERED.match(line) else None


def _is_list_line(line: str) -> bool:
    return _list_kind(line) is not None


def _lines(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    while pos < end:
        nl = raw.find("\n", pos, end)
        stop = end if nl == -1 else nl
        if raw[pos:stop].strip():
            out.append((pos, stop))
        pos = stop + 1
    return out


def split_block(raw: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
    """Split a block into paragraphs: each list line is its own.

    Returns ``(start, end, list_kind)`` triples (``"bullet"``, ``"number"`` or None);
    bullets are stripped from ``start``.
    """
    lines = _lines(raw, start, end)
    if len(lines) > 1 and any(_is_list_line(raw[s:e]) for s, e in lines):
        out: list[tuple[int, int, str | None]] = []
        for s, e in lines:
            is_item = _list_kind(raw[s:e])
            s, e = trim_span(raw, s, e)
            if out and not is_item:
                # a wrapped continuation line of the previous item
                ps, _pe, pitem = out[-1]
                out[-1] = (ps, e, pitem)
            else:
                out.append((strip_bullet(raw, s, e), e, is_item))
        return out
    return [(strip_bullet(raw, start, end), end, _list_kind(raw[start:end]))]


def rejoin_page_breaks(raw: str, paras: list[Paragraph],
                       min_chars: int = HEADING_MAX_CHARS) -> list[Paragraph]:
    """Merge paragraphs that a page break split mid-sentence.

    The next body paragraph (not a list item) continues the previous one when the previous
    one has at least ``min_chars`` characters and ends without terminal punctuation, or when
    the next one starts where no sentence can start (lower case, a link, a parenthesis) and
    the previous one does not end a sentence (``.``, ``!``, ``?``).
    """
    out: list[Paragraph] = []
    for p in paras:
        if out:
            prev = out[-1]
            if (prev.section in ("body", "heading") and p.section in ("body", "heading")
                    and not getattr(p, "_list_item", False)
                    and continues(prev.section, raw[prev.start:prev.end], raw[p.start:p.end], min_chars)):
                prev.section = "body"
                prev.end = p.end
                continue
        out.append(p)
    return out


def paragraphs_from_text(raw: str, start: int = 0, end: int | None = None,
                         section: str = "body") -> list[Paragraph]:
    """Logical paragraphs of ``raw[start:end]`` (generic plain text).

    Short lines without terminal punctuation become ``heading`` paragraphs.
    """
    paras: list[Paragraph] = []
    for bs, be in blocks(raw, start, end):
        for s, e, is_item in split_block(raw, bs, be):
            if s >= e:
                continue
            text = raw[s:e]
            sec = section
            if (section == "body" and is_item != "bullet" and len(text) < HEADING_MAX_CHARS
                    and "\n" not in text.strip() and ends_open(text)):
                sec = "heading"
            p = Paragraph(section=sec, start=s, end=e)
            p._list_item = is_item is not None  # type: ignore[attr-defined]
            paras.append(p)
    return rejoin_page_breaks(raw, paras)


def _unsegmented(p: Paragraph) -> bool:
    """A paragraph kept as one unit: titles, author lines, headings the reader marked."""
    return p.section in UNSEGMENTED or bool(getattr(p, "_whole", False))


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, float) and pd.isna(value):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()] if value else []
    return list(value)


def documents_row(doc: RawDocument, n_paragraphs: int, n_sentences: int, n_words: int) -> dict:
    """One row of the documents table."""
    meta = dict(doc.metadata)
    row = {"doc_id": doc.doc_id}
    row["title"] = meta.pop("title", None) or doc.doc_id
    row["authors"] = _as_list(meta.pop("authors", None))
    row["authors_native"] = _as_list(meta.pop("authors_native", None))
    row["affiliations"] = _as_list(meta.pop("affiliations", None))
    for col in ("chapter", "region", "sector", "year", "doc_type"):
        row[col] = meta.pop(col, None)
    if row["doc_type"] is None and "type" in meta:
        row["doc_type"] = meta.pop("type")
    row.update(meta)
    notes = tuple(getattr(doc.text, "notes", ()))
    row.update(source_path=doc.source_path, sha256=doc.sha256, encoding=doc.encoding,
               encoding_note="; ".join(notes) if notes else None,
               n_paragraphs=n_paragraphs, n_sentences=n_sentences, n_words=n_words)
    return row


def build_corpus(raw_docs: Sequence[RawDocument],
                 paragraphs: dict[str, list[Paragraph]] | None = None,
                 progress: bool = False) -> Corpus:
    """Segment documents and build the corpus tables.

    Parameters
    ----------
    raw_docs : sequence of RawDocument
        Decoded documents with metadata; ``doc_id`` must be unique.
    paragraphs : dict, optional
        ``doc_id`` → precomputed logical paragraphs (the report parser gives these);
        other documents are split with :func:`paragraphs_from_text`.
    progress : bool
        Show a progress bar while segmenting.

    Returns
    -------
    Corpus
    """
    seen: dict[str, str] = {}
    for d in raw_docs:
        if d.doc_id in seen:
            raise InputError(d.source_path, f"duplicate doc_id {d.doc_id!r} (also used by "
                             f"{seen[d.doc_id]})", "give every document a unique doc_id "
                             "(in the metadata sidecar or by renaming the file)")
        seen[d.doc_id] = d.source_path
    paragraphs = paragraphs or {}
    para_lists = {d.doc_id: paragraphs.get(d.doc_id) or layout_paragraphs(d.text)
                  for d in raw_docs}
    # segment all paragraphs of all documents in one spaCy pipe
    flat = [(d, i, p) for d in raw_docs for i, p in enumerate(para_lists[d.doc_id])]
    spans_by_text: dict[int, list] = {}
    # documents may have different raw texts; group by text identity
    by_text: dict[int, list[int]] = {}
    for k, (d, _i, _p) in enumerate(flat):
        by_text.setdefault(id(d.text), []).append(k)
    texts = {id(d.text): d.text for d in raw_docs}
    for tid, idxs in by_text.items():
        whole = {k for k in idxs if _unsegmented(flat[k][2])}
        for k in whole:
            spans_by_text[k] = [(flat[k][2].start, flat[k][2].end)]
        idxs = [k for k in idxs if k not in whole]
        res = segment_spans(texts[tid], [(flat[k][2].start, flat[k][2].end) for k in idxs],
                            progress=progress and len(flat) > 2000)
        for k, r in zip(idxs, res):
            spans_by_text[k] = r

    doc_rows, para_rows, sent_rows = [], [], []
    for k, (d, pidx, p) in enumerate(flat):
        raw = d.text
        ptext = collapse_ws(raw[p.start:p.end])
        para_rows.append({"para_id": para_id(d.doc_id, pidx), "doc_id": d.doc_id,
                          "para_idx": pidx, "section": p.section, "start": p.start,
                          "end": p.end, "text": ptext})
        for sidx, (s, e) in enumerate(spans_by_text[k]):
            text = collapse_ws(raw[s:e])
            sent_rows.append({"sent_id": sent_id(d.doc_id, pidx, sidx), "doc_id": d.doc_id,
                              "para_idx": pidx, "sent_idx": sidx, "section": p.section,
                              "start": s, "end": e, "text": text,
                              "n_words": len(text.split())})
    sents = pd.DataFrame(sent_rows, columns=["sent_id", "doc_id", "para_idx", "sent_idx",
                                             "section", "start", "end", "text", "n_words"])
    paras = pd.DataFrame(para_rows, columns=["para_id", "doc_id", "para_idx", "section",
                                             "start", "end", "text"])
    n_par = paras.groupby("doc_id").size()
    n_sen = sents.groupby("doc_id").size()
    n_wor = sents.groupby("doc_id")["n_words"].sum()
    for d in raw_docs:
        doc_rows.append(documents_row(d, int(n_par.get(d.doc_id, 0)), int(n_sen.get(d.doc_id, 0)),
                                      int(n_wor.get(d.doc_id, 0))))
    docs = pd.DataFrame(doc_rows)
    docs["chapter"] = pd.array(docs["chapter"], dtype="Int64") if docs["chapter"].notna().any() \
        else pd.array([pd.NA] * len(docs), dtype="Int64")
    docs["year"] = pd.to_numeric(docs["year"], errors="coerce").astype("Int64")
    meta = docs[["doc_id"] + META_COLUMNS]
    sents = sents.merge(meta, on="doc_id", how="left", validate="many_to_one")
    paras = paras.merge(meta, on="doc_id", how="left", validate="many_to_one")
    return Corpus(docs, paras, sents, {d.source_path: d.text for d in raw_docs})

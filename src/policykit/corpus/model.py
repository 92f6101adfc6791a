"""The :class:`Corpus`: documents, paragraphs and sentences with stable ids and offsets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import pandas as pd

#: Document metadata columns that always exist (possibly NA) and travel with every unit row.
META_COLUMNS = ["title", "chapter", "region", "sector", "year", "doc_type"]


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def para_id(doc_id: str, para_idx: int) -> str:
    """Stable paragraph id, e.g. ``ch1-ji.p003``."""
    return f"{doc_id}.p{para_idx:03d}"


def sent_id(doc_id: str, para_idx: int, sent_idx: int) -> str:
    """Stable sentence id, e.g. ``ch1-ji.p003.s01``."""
    return f"{doc_id}.p{para_idx:03d}.s{sent_idx:02d}"


def collapse_ws(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(text.split())


@dataclass
class RawDocument:
    """A document's decoded text and metadata, before segmentation.

    Attributes
    ----------
    doc_id : str
        Unique id within the corpus.
    text : str
        Decoded text; all offsets of this document's units index into it.
    source_path : str
        File the text came from.
    metadata : dict
        ``title``, ``authors``, ``region``, ``year``, ``doc_type`` and any other fields.
    sha256 : str
        Hash of the source file's bytes.
    encoding : str
        Encoding used to decode the bytes (``utf-8``, ``utf-8-sig``, ``gb18030``, ``cp1252``,
        or the extractor used for binary formats, e.g. ``pdf``).
    """

    doc_id: str
    text: str
    source_path: str
    metadata: dict = field(default_factory=dict)
    sha256: str = ""
    encoding: str = "utf-8"


@dataclass
class Paragraph:
    """A logical paragraph: one or more spans of raw text (page-break splits rejoined)."""

    section: str
    start: int
    end: int
    #: sentence spans (start, end) inside the raw text, in order
    sentences: list[tuple[int, int]] = field(default_factory=list)


class Corpus:
    """Documents, paragraphs and sentences of one or more texts.

    Parameters
    ----------
    documents, paragraphs, sentences : pandas.DataFrame
        Tables following the contracts in ``docs/architecture.md``.
    raw_texts : mapping
        ``source_path`` → decoded raw text; offsets index into these strings.

    Notes
    -----
    Build a corpus with :func:`policykit.load`; do not construct it by hand.
    """

    def __init__(self, documents: pd.DataFrame, paragraphs: pd.DataFrame,
                 sentences: pd.DataFrame, raw_texts: Mapping[str, str]):
        self.documents = documents.reset_index(drop=True)
        self.paragraphs = paragraphs.reset_index(drop=True)
        self.sentences = sentences.reset_index(drop=True)
        self.raw_texts = dict(raw_texts)
        self._source = dict(zip(self.documents["doc_id"], self.documents["source_path"]))
        #: what went in and came out of :func:`policykit.load` (files, documents, skipped, …)
        self.load_summary: dict | None = None

    # ------------------------------------------------------------------ access
    @property
    def doc_ids(self) -> list[str]:
        """Document ids in corpus order."""
        return list(self.documents["doc_id"])

    def raw(self, doc_id: str) -> str:
        """Raw text that the offsets of ``doc_id``'s units index into."""
        try:
            return self.raw_texts[self._source[doc_id]]
        except KeyError:
            raise KeyError(f"unknown doc_id {doc_id!r}; known ids: {', '.join(self.doc_ids[:10])}"
                           + (" ..." if len(self.doc_ids) > 10 else "")) from None

    def source_path(self, doc_id: str) -> str:
        """Source file of ``doc_id``."""
        return self._source[doc_id]

    def body_sentences(self) -> pd.DataFrame:
        """Sentences of the ``body`` section only."""
        return self.sentences[self.sentences["section"] == "body"].reset_index(drop=True)

    def content_hash(self) -> str:
        """Hash of the documents' raw bytes and metadata: the key of derived outputs."""
        h = hashlib.sha256()
        for row in self.documents.sort_values("doc_id").itertuples(index=False):
            h.update(str(row.doc_id).encode())
            h.update(str(row.sha256).encode())
        meta = self.documents.drop(columns=[c for c in ("n_paragraphs", "n_sentences", "n_words")
                                            if c in self.documents.columns])
        h.update(pd.util.hash_pandas_object(meta.astype(str), index=False).values.tobytes())
        return h.hexdigest()[:16]

    def subset(self, doc_ids: Iterable[str]) -> "Corpus":
        """A corpus restricted to ``doc_ids`` (same raw texts, same offsets)."""
        keep = set(doc_ids)
        docs = self.documents[self.documents["doc_id"].isin(keep)]
        paras = self.paragraphs[self.paragraphs["doc_id"].isin(keep)]
        sents = self.sentences[self.sentences["doc_id"].isin(keep)]
        srcs = set(docs["source_path"])
        return Corpus(docs, paras, sents, {k: v for k, v in self.raw_texts.items() if k in srcs})

    def __len__(self) -> int:
        return len(self.documents)

    def __repr__(self) -> str:
        return (f"Corpus({len(self.documents)} documents, {len(self.paragraphs)} paragraphs, "
                f"{len(self.sentences)} sentences)")

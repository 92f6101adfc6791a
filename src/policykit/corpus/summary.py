"""Descriptive tables of a corpus: documents, sentences and words per group."""

from __future__ import annotations

import pandas as pd

from .model import Corpus


def unit_counts(corpus: Corpus, by: str, sections: tuple[str, ...] = ("body",)) -> pd.DataFrame:
    """Documents, sentences and words per value of a metadata column.

    Parameters
    ----------
    corpus : Corpus
        The corpus.
    by : str
        A document metadata column (``region``, ``chapter``, ``sector``, ``year`` …).
    sections : tuple of str
        Which sections to count (default: body text only, no titles, author lines or bios).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``by``, ``documents``, ``sentences``, ``words``,
        ``share_sentences`` (of all counted sentences), ``sentences_per_document``.
        Documents without a value for ``by`` form the group ``"(missing)"``.
    """
    if by not in corpus.documents.columns:
        from ..errors import InputError
        raise InputError(None, f"no document metadata column {by!r}",
                         "choose one of: " + ", ".join(map(str, corpus.documents.columns)))
    docs = corpus.documents[["doc_id", by]].copy()
    docs[by] = docs[by].astype("object").where(docs[by].notna(), "(missing)")
    s = corpus.sentences[corpus.sentences["section"].isin(sections)]
    per_doc = s.groupby("doc_id").agg(sentences=("sent_id", "size"), words=("n_words", "sum"))
    docs = docs.merge(per_doc, left_on="doc_id", right_index=True, how="left").fillna(
        {"sentences": 0, "words": 0})
    out = docs.groupby(by, sort=True).agg(documents=("doc_id", "size"),
                                          sentences=("sentences", "sum"),
                                          words=("words", "sum")).reset_index()
    out[["sentences", "words"]] = out[["sentences", "words"]].astype(int)
    total = out["sentences"].sum()
    out["share_sentences"] = out["sentences"] / total if total else 0.0
    out["sentences_per_document"] = out["sentences"] / out["documents"]
    return out

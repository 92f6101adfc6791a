"""The units a topic model is fitted on: body paragraphs or body sentences of a corpus.

A *unit* table has one row per unit with ``unit_id`` (``para_id`` or ``sent_id``), ``doc_id``,
``text`` and the document metadata the corpus carries (``title``, ``chapter``, ``region``,
``sector``, ``year``, ``doc_type``). Title, author, heading and biography paragraphs are left
out: they would form topics of their own (names, affiliations) that say nothing about policy.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from policykit.errors import InputError

UNITS = ("paragraph", "sentence")
#: Sections modelled by default.
BODY_SECTIONS = ("body",)
#: Fewer units than this cannot be clustered meaningfully (UMAP needs neighbours, HDBSCAN clusters).
MIN_UNITS = 12
#: Units shorter than this many words are dropped (list stubs, stray fragments).
MIN_WORDS = 3


def check_unit(unit: str) -> str:
    """Return ``unit`` if it is ``paragraph`` or ``sentence``; raise :class:`InputError` otherwise."""
    if unit not in UNITS:
        raise InputError(None, f"unknown unit {unit!r}", f"use one of: {', '.join(UNITS)}")
    return unit


def topic_units(corpus, unit: str = "paragraph", sections: Sequence[str] | None = BODY_SECTIONS,
                min_words: int = MIN_WORDS) -> pd.DataFrame:
    """The units of ``corpus`` to fit a topic model on.

    Parameters
    ----------
    corpus : policykit.Corpus
        A loaded corpus.
    unit : {"paragraph", "sentence"}
        Model paragraphs (default; about 280 in the bundled report) or sentences (about 880).
    sections : sequence of str, optional
        Sections to keep (default body text only); ``None`` keeps every section.
    min_words : int
        Drop units with fewer words.

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``doc_id``, ``para_idx``, ``text``, ``n_words`` and the document metadata
        columns, in corpus order.
    """
    check_unit(unit)
    table = corpus.paragraphs if unit == "paragraph" else corpus.sentences
    id_col = "para_id" if unit == "paragraph" else "sent_id"
    df = table
    if sections is not None and "section" in df.columns:
        df = df[df["section"].isin(list(sections))]
    df = df.rename(columns={id_col: "unit_id"})
    n_words = df["text"].astype(str).str.split().str.len()
    df = df.assign(n_words=n_words)
    df = df[df["n_words"] >= min_words]
    drop = [c for c in ("start", "end", "section", "sent_idx") if c in df.columns]
    df = df.drop(columns=drop)
    first = ["unit_id", "doc_id", "para_idx", "text", "n_words"]
    cols = [c for c in first if c in df.columns] + [c for c in df.columns if c not in first]
    return df[cols].reset_index(drop=True)


def as_units(X, unit: str = "paragraph", min_units: int = MIN_UNITS) -> pd.DataFrame:
    """Coerce what ``fit`` receives into a unit table.

    Parameters
    ----------
    X : Corpus, DataFrame or sequence of str
        A corpus (its body units of kind ``unit`` are used), a unit table with at least
        ``text`` (``unit_id`` and ``doc_id`` are made up when missing), or plain texts.
    unit : {"paragraph", "sentence"}
        Used when ``X`` is a corpus.
    min_units : int
        Raise below this many units (default :data:`MIN_UNITS`; 1 for prediction).

    Returns
    -------
    pandas.DataFrame
        A unit table (see :func:`topic_units`).

    Raises
    ------
    InputError
        If ``X`` has no usable text or fewer than ``min_units`` units.
    """
    is_corpus = hasattr(X, "paragraphs") and hasattr(X, "sentences")
    noun = unit if is_corpus else "text"
    if is_corpus:
        units = topic_units(X, unit)
        n_docs = len(X.documents)
    elif isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise InputError(None, "the unit table has no 'text' column",
                             "pass a corpus, a DataFrame with a 'text' column, or a list of texts")
        units = X.copy()
        if "unit_id" not in units.columns:
            units.insert(0, "unit_id", [f"u{i:05d}" for i in range(len(units))])
        if "doc_id" not in units.columns:
            units.insert(1, "doc_id", units["unit_id"])
        units = units.reset_index(drop=True)
        n_docs = units["doc_id"].nunique()
    elif isinstance(X, str):
        raise InputError(None, "got one string, expected many texts", "pass a list of texts or a corpus")
    else:
        texts = [str(t) for t in X]
        units = pd.DataFrame({"unit_id": [f"u{i:05d}" for i in range(len(texts))],
                              "text": texts})
        units["doc_id"] = units["unit_id"]
        n_docs = len(units)
    units["text"] = units["text"].astype(str)
    units = units[units["text"].str.strip().astype(bool)].reset_index(drop=True)
    if units["unit_id"].duplicated().any():
        dup = units.loc[units["unit_id"].duplicated(), "unit_id"].iloc[0]
        raise InputError(None, f"unit ids are not unique (e.g. {dup!r})", "give every unit its own unit_id")
    if len(units) < min_units:
        if min_units <= 1:
            raise InputError(None, "no text to assign to topics", "pass at least one non-empty text")
        raise InputError(
            None,
            f"too little text for a topic model: {len(units)} {noun}(s) with text from "
            f"{n_docs} document(s); at least {min_units} are needed to find topics",
            "add more or longer documents" + (", or use --unit sentence to model sentences instead "
                                              "of paragraphs" if noun == "paragraph" else ""))
    return units


def body_sentences(X) -> pd.DataFrame | None:
    """``sent_id, doc_id, para_idx, text`` of the body sentences of a corpus (None for other inputs).

    Kept by a model fitted on paragraphs, to name representative *sentences* of a topic.
    """
    if not (hasattr(X, "sentences") and hasattr(X, "paragraphs")):
        return None
    s = X.sentences
    if "section" in s.columns:
        s = s[s["section"].isin(list(BODY_SECTIONS))]
    return s[[c for c in ("sent_id", "doc_id", "para_idx", "text") if c in s.columns]].reset_index(drop=True)

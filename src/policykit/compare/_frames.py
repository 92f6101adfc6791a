"""Shared plumbing for the comparison stage: facets, eligible sentences, document labels.

Every function here reads the *extraction wide view* (one row per sentence, see
``docs/architecture.md``): sentence columns with document metadata, then ``role``,
``risk_domains``, ``risk_subdomains``, ``instruments``, ``addressees`` (lists), ``scores``
and ``evidence``. Nothing here re-parses text or re-extracts labels.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

#: facet id -> column of the wide view holding that facet's labels
FACET_COLUMNS = {
    "role": "role",
    "risk_domain": "risk_domains",
    "risk_subdomain": "risk_subdomains",
    "instrument": "instruments",
    "addressee": "addressees",
}
#: Which sentence roles a facet's labels may sit on (labels.md: risk domains on claims and
#: proposals, instruments and addressees on proposals only). ``None`` = every sentence.
ELIGIBLE_ROLES: dict[str, tuple[str, ...] | None] = {
    "role": None,
    "risk_domain": ("claim", "proposal"),
    "risk_subdomain": ("claim", "proposal"),
    "instrument": ("proposal",),
    "addressee": ("proposal",),
}
#: Value used for a document whose grouping column is missing (e.g. ``chapter`` outside the report).
MISSING_GROUP = "unknown"
#: Characters of an example sentence kept for hover text.
EXAMPLE_CHARS = 220


def facet_column(facet: str) -> str:
    """Column of the wide view holding ``facet``'s labels.

    Raises
    ------
    ValueError
        For an unknown facet.
    """
    try:
        return FACET_COLUMNS[facet]
    except KeyError:
        raise ValueError(f"unknown facet {facet!r}; choose one of {sorted(FACET_COLUMNS)}") from None


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, float) and np.isnan(value):
        return []
    try:
        return [v for v in value if v is not None and v == v]
    except TypeError:
        return [value]


def eligible_mask(wide: pd.DataFrame, facet: str) -> pd.Series:
    """Boolean mask of the sentences a facet's labels can sit on (its denominators)."""
    roles = ELIGIBLE_ROLES[facet]
    if roles is None or "role" not in wide.columns:
        return pd.Series(True, index=wide.index)
    return wide["role"].isin(roles)


def sentence_labels(wide: pd.DataFrame, facet: str) -> pd.DataFrame:
    """Long table of the labels a facet puts on eligible sentences.

    Returns
    -------
    pandas.DataFrame
        ``sent_id, doc_id, facet, label, score, text``; one row per sentence x label, only on
        eligible sentences (see :data:`ELIGIBLE_ROLES`). ``score`` is taken from the wide view's
        ``scores`` column when present (else the label's rank-based weight, 1 for the first).
    """
    col = facet_column(facet)
    cols = ["sent_id", "doc_id", "facet", "label", "score", "text"]
    if wide.empty or col not in wide.columns:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols}).astype({"score": float})
    sub = wide.loc[eligible_mask(wide, facet)]
    rows = []
    has_scores = "scores" in sub.columns
    texts = sub["text"] if "text" in sub.columns else pd.Series("", index=sub.index)
    for sid, did, labels, scores, text in zip(
        sub["sent_id"], sub["doc_id"], sub[col],
        sub["scores"] if has_scores else [None] * len(sub), texts,
    ):
        labs = _as_list(labels)
        fscores = {}
        if isinstance(scores, dict):
            fscores = scores.get(facet) or scores.get(col) or {}
            if not isinstance(fscores, dict):
                fscores = {}
        for i, lab in enumerate(labs):
            sc = fscores.get(lab)
            rows.append((sid, did, facet, str(lab), float(sc) if sc is not None else 1.0 / (1 + i),
                         text))
    out = pd.DataFrame(rows, columns=cols)
    if facet == "role" and "role_score" in sub.columns and not out.empty:
        rs = dict(zip(sub["sent_id"], sub["role_score"]))
        out["score"] = [float(rs.get(s, 1.0)) if pd.notna(rs.get(s, 1.0)) else 1.0
                        for s in out["sent_id"]]
    return out


def documents_frame(wide: pd.DataFrame, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per document: ``doc_id`` plus metadata, and its sentence counts per role.

    Metadata comes from ``documents`` when given (the corpus documents frame), else from the
    first sentence of each document in the wide view. Only documents present in the wide view
    are kept (unless it is empty), so a documents frame listing more documents than were
    extracted does not dilute the shares.
    """
    meta_cols = [c for c in wide.columns if c not in {
        "sent_id", "para_idx", "sent_idx", "section", "start", "end", "text", "n_words", "role",
        "role_score", "scores", "evidence", *FACET_COLUMNS.values()}]
    from_wide = wide.drop_duplicates("doc_id")[meta_cols].copy() if len(wide) else pd.DataFrame(
        {"doc_id": pd.Series(dtype="object")})
    if documents is not None and len(documents):
        docs = documents.drop_duplicates("doc_id")
        if len(wide):  # the metadata of the documents this extraction covers
            docs = docs[docs["doc_id"].isin(set(wide["doc_id"]))]
            extra = from_wide[~from_wide["doc_id"].isin(set(docs["doc_id"]))]
            if len(extra):  # documents the frame does not describe: metadata from sentences
                docs = pd.concat([docs, extra], ignore_index=True)
        docs = docs.copy()
    else:
        docs = from_wide
    docs = docs.reset_index(drop=True)
    n_all = wide.groupby("doc_id").size() if len(wide) else pd.Series(dtype=int)
    docs["n_sent_all"] = docs["doc_id"].map(n_all).fillna(0).astype(int)
    for role in ("claim", "proposal"):
        if "role" in wide.columns and len(wide):
            n = wide.loc[wide["role"] == role].groupby("doc_id").size()
        else:
            n = pd.Series(dtype=int)
        docs[f"n_{role}"] = docs["doc_id"].map(n).fillna(0).astype(int)
    return docs


def n_eligible(docs: pd.DataFrame, facet: str) -> pd.Series:
    """Per-document number of sentences a facet's labels can sit on (aligned to ``docs``)."""
    roles = ELIGIBLE_ROLES[facet]
    if roles is None:
        return docs["n_sent_all"]
    return sum(docs[f"n_{r}"] for r in roles)


def group_values(docs: pd.DataFrame, by: str) -> pd.Series:
    """The grouping column as strings, missing values as :data:`MISSING_GROUP`.

    Integer-valued floats (``chapter`` read as float) print without ``.0``.
    """
    if by not in docs.columns:
        raise ValueError(f"cannot group by {by!r}: no such document column "
                         f"(have {sorted(map(str, docs.columns))})")
    vals = docs[by]

    def fmt(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return MISSING_GROUP
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v)

    return vals.map(fmt).astype(object)


def usable_groupings(docs: pd.DataFrame, by: str | Sequence[str]) -> tuple[list[str], list[str]]:
    """The grouping columns of ``by`` that can group ``docs``, and a note on each one skipped.

    A column is usable when it exists and at least one document has a value for it. Nothing is
    dropped silently: every skipped column gets a note that says why.

    Parameters
    ----------
    docs : pandas.DataFrame
        One row per document (or any frame carrying the document columns).
    by : str or sequence of str
        Requested grouping columns, in order of preference.

    Returns
    -------
    usable : list of str
    notes : list of str
    """
    import difflib

    def has_values(c):
        if docs[c].map(lambda v: isinstance(v, (list, tuple, dict, np.ndarray))).any():
            return False
        return bool(set(group_values(docs, c)) - {MISSING_GROUP})

    ok, notes = [], []
    for b in _as_list(by):
        near = ""
        cands = [c for c in difflib.get_close_matches(b, [str(c) for c in docs.columns], n=3, cutoff=0.6)
                 if c != b and has_values(c)]
        if cands:
            near = f" (did you mean {' or '.join(map(repr, cands))}?)"
        if b not in docs.columns:
            notes.append(f"no document column {b!r}{near}: grouping skipped")
            continue
        if not has_values(b):
            notes.append(f"{b!r} is missing for every document{near}: grouping skipped")
            continue
        ok.append(b)
    return ok, notes


def document_labels(wide: pd.DataFrame, facet: str, documents: pd.DataFrame | None = None,
                    min_sentences: int = 1) -> pd.DataFrame:
    """Document roll-up of one facet, in the architecture's roll-up contract.

    A document raises a label when at least ``min_sentences`` of its eligible sentences carry it.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, facet, label, n_sentences, share, sent_ids`` plus document metadata, where
        ``share`` is over the document's eligible sentences (claims and proposals for risk
        domains; proposals for instruments and addressees; all sentences for roles) and
        ``sent_ids`` are ordered by descending label score.
    """
    sl = sentence_labels(wide, facet)
    docs = documents_frame(wide, documents)
    denom = dict(zip(docs["doc_id"], n_eligible(docs, facet)))
    if sl.empty:
        out = pd.DataFrame(columns=["doc_id", "facet", "label", "n_sentences", "share", "sent_ids"])
    else:
        sl = sl.sort_values(["doc_id", "label", "score", "sent_id"],
                            ascending=[True, True, False, True], kind="mergesort")
        g = sl.groupby(["doc_id", "label"], sort=True)
        out = g.agg(n_sentences=("sent_id", "size"), sent_ids=("sent_id", list)).reset_index()
        out.insert(1, "facet", facet)
        out["share"] = [n / denom[d] if denom.get(d) else np.nan
                        for d, n in zip(out["doc_id"], out["n_sentences"])]
        out = out[out["n_sentences"] >= min_sentences]
        out = out[["doc_id", "facet", "label", "n_sentences", "share", "sent_ids"]]
    meta = docs.drop(columns=[c for c in ("n_sent_all", "n_claim", "n_proposal") if c in docs])
    out = out.merge(meta, on="doc_id", how="left")
    return out.reset_index(drop=True)


def label_order(wide: pd.DataFrame, facet: str, labels: Sequence[str] | None = None) -> list[str]:
    """Labels of a facet in display order.

    ``labels`` (e.g. the taxonomy's ids, in taxonomy order) wins when given; labels seen in the
    data but missing from it are appended. Otherwise observed labels by descending frequency.
    """
    sl = sentence_labels(wide, facet)
    seen = sl["label"].value_counts()
    seen = sorted(seen.index, key=lambda l: (-seen[l], l))
    if labels is None:
        return list(seen)
    labels = [str(l) for l in labels]
    return labels + [l for l in seen if l not in set(labels)]


@lru_cache(maxsize=1)
def _taxonomy():
    try:
        from policykit.taxonomy import load_taxonomy

        return load_taxonomy(alternatives=False)
    except Exception:  # no taxonomy files, or an older taxonomy module
        return None


def _taxonomy_ids(facet: str) -> tuple[str, ...] | None:
    tax = _taxonomy()
    if tax is None:
        return None
    try:
        return tuple(str(x) for x in tax.ids(facet)) or None
    except Exception:
        return None


def taxonomy_labels(facet: str) -> list[str] | None:
    """Label ids of a facet in taxonomy order (``policykit.taxonomy``), or ``None`` when the
    taxonomy cannot be loaded; the comparison code then uses the labels it observes."""
    ids = _taxonomy_ids(facet)
    return list(ids) if ids else None


def example_sentences(sl: pd.DataFrame, keys: Iterable[str], max_chars: int = EXAMPLE_CHARS
                      ) -> pd.DataFrame:
    """The highest-scoring sentence per key combination (ties: first sentence id).

    Returns ``keys + [example_sent_id, example_text, sent_ids]``; ``example_text`` is cut at
    ``max_chars`` characters (with an ellipsis) and is NOT escaped: escape it where it is rendered.
    """
    keys = list(keys)
    if sl.empty:
        return pd.DataFrame(columns=keys + ["example_sent_id", "example_text", "sent_ids"])
    s = sl.sort_values(keys + ["score", "sent_id"], ascending=[True] * len(keys) + [False, True],
                       kind="mergesort")
    g = s.groupby(keys, sort=False)
    first = g.head(1).set_index(keys)
    ids = g["sent_id"].agg(list)
    out = pd.DataFrame({
        "example_sent_id": first["sent_id"],
        "example_text": first["text"].map(lambda t: shorten(t, max_chars)),
    })
    out["sent_ids"] = ids
    return out.reset_index()


def shorten(text, max_chars: int = EXAMPLE_CHARS) -> str:
    """Whitespace-collapsed text cut to ``max_chars`` characters with an ellipsis."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    t = " ".join(str(text).split())
    return t if len(t) <= max_chars else t[: max_chars - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- display names
#: Name of the pooled group of :func:`fold_groups`.
OTHER_GROUP = "other"
_SNAKE = __import__("re").compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^[a-z][a-z]+$")


@lru_cache(maxsize=1)
def _report_doc_ids() -> frozenset:
    from policykit import config

    try:
        return frozenset(pd.read_csv(config.REPORT_METADATA, usecols=["doc_id"])["doc_id"])
    except Exception:  # no metadata table: no bundled-report names
        return frozenset()


@lru_cache(maxsize=1)
def report_chapter_titles() -> dict[str, str]:
    """Chapter number (as the group string, ``"1"``) → title, read from the bundled report's
    "Chapter N: Title" headings; chapter ``"0"`` is the front matter."""
    import re

    from policykit import config

    out = {"0": "Front matter"}
    try:
        lines = config.REPORT_RAW.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    roman = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
    for line in lines:
        m = re.match(r"^Chapter\s+([IVX]+|\d+)\s*:\s*([^\t]+?)\s*(?:\t.*)?$", line.strip())
        if m:
            num = str(roman.get(m.group(1), m.group(1)))
            out.setdefault(num, m.group(2).strip())
    return out


def readable_value(value) -> str:
    """A metadata value for people: snake_case ids become words (``north_america`` → ``North
    America``); anything else is shown as written."""
    s = str(value)
    if s == MISSING_GROUP or s == OTHER_GROUP or s.startswith(OTHER_GROUP + " ("):
        return s
    if _SNAKE.match(s):
        return " ".join(w.capitalize() for w in s.split("_"))
    return s


def group_names(docs: pd.DataFrame, by: str, groups: Iterable[str] | None = None) -> dict[str, str]:
    """Group string (as :func:`group_values` gives it) → the name figures show.

    * a ``<by>_title`` or ``<by>_name`` document column gives ``"<value>: <title>"`` (e.g. a
      sidecar with ``chapter`` and ``chapter_title``);
    * ``chapter`` of the bundled report's documents: ``"1: The Risks and Challenges of
      Generative AI"`` (titles from the report's chapter headings);
    * ``doc_id``: the id;
    * otherwise :func:`readable_value`.
    """
    vals = list(dict.fromkeys(groups if groups is not None else
                              (group_values(docs, by) if by in docs.columns else [])))
    titles: dict[str, str] = {}
    for col in (f"{by}_title", f"{by}_name"):
        if col in docs.columns and by in docs.columns:
            for g, t in zip(group_values(docs, by), docs[col]):
                if isinstance(t, str) and t.strip():
                    titles.setdefault(str(g), t.strip())
            break
    if not titles and by == "chapter" and "doc_id" in docs.columns and len(docs) \
            and set(docs["doc_id"]) <= _report_doc_ids():
        titles = report_chapter_titles()
    out = {}
    for g in vals:
        g = str(g)
        if g in titles:
            out[g] = f"{g}: {titles[g]}"
        elif by == "doc_id":
            out[g] = g
        else:
            out[g] = readable_value(g)
    return out


def fold_groups(docs: pd.DataFrame, by: str, max_groups: int | None = 12
                ) -> tuple[pd.DataFrame, str | None]:
    """Keep the ``max_groups - 1`` largest groups of ``by`` and pool the rest as one group.

    For figures of many groups (947 AGORA documents grouped by authority): the largest groups
    by number of documents (ties: display order) keep their name, the others become
    ``"other (K groups)"``; documents without a value stay ``unknown``. Nothing is dropped.

    Returns
    -------
    docs : pandas.DataFrame
        A copy with the ``by`` column folded (as strings), or ``docs`` itself when it has at
        most ``max_groups`` groups.
    note : str or None
        What was folded, for captions.
    """
    if max_groups is None or by not in docs.columns:
        return docs, None
    g = group_values(docs, by)
    sizes = g[g != MISSING_GROUP].value_counts()
    if len(sizes) <= max_groups:
        return docs, None
    order = sorted(sizes.index, key=lambda v: (-sizes[v], str(v)))
    keep = set(order[: max(1, max_groups - 1)])
    rest = [v for v in order if v not in keep]
    other = f"{OTHER_GROUP} ({len(rest)} groups)"
    out = docs.copy()
    out[by] = [v if v in keep or v == MISSING_GROUP else other for v in g]
    n_rest = int(sizes[rest].sum())
    note = (f"the {len(keep)} largest of {len(sizes)} {by} groups are shown; the other {len(rest)} "
            f"({n_rest} documents) are pooled as '{other}'")
    return out, note

"""Distinctive language of each group against the rest of the corpus.

Two statistics, each computed for one group (target) against all other groups (reference):

* weighted log-odds ratio with an informative Dirichlet prior, with its z-score
  (Monroe, Colaresi & Quinn 2008, "Fightin' Words", *Political Analysis* 16(4), eq. 16-22);
* signed chi-squared keyness on the 2 x 2 table (term / other terms x target / reference),
  with Yates' continuity correction, as ``quanteda.textstats::textstat_keyness(measure = "chi2")``
  computes it (equal to R's ``chisq.test(correct = TRUE)``; positive when the term is more
  frequent in the target than expected).

Terms are lower-cased lemmas from spaCy's blank English tokenizer with the lookup lemmatizer of
``spacy-lookups-data`` (no statistical model needed), stop words, numbers and punctuation
removed; ``unit="phrase"`` gives adjacent content-lemma pairs ("language model"), a parser-free
stand-in for noun chunks. Citation, subject and numbering words ("et al", "AI", "GAI") are
dropped and the lemmatizer's errors in this genre repaired ("data", not "datum") by the rules of
``data/rules/vocabulary.yaml`` (:func:`policykit.topics.vocab.vocabulary_rules`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from policykit.compare._frames import documents_frame, group_values, shorten

#: Sentence roles whose text is compared (titles, bios and headings are ``other``).
DEFAULT_ROLES = ("claim", "proposal")
UNITS = ("lemma", "phrase", "lemma+phrase")
#: Abbreviation debris dropped on top of spaCy's English stop words and the vocabulary rules.
EXTRA_STOP = frozenset({"et", "al", "eg", "ie", "etc", "vs", "pp", "ibid"})


def _rules() -> tuple[frozenset, dict]:
    from policykit.topics.vocab import vocabulary_rules

    r = vocabulary_rules()
    return r["drop"], r["lemma_fixes"]
KEY_COLUMNS = ["by", "group", "term", "n_group", "n_rest", "freq_group", "freq_rest",
               "log_odds", "se", "z", "chi2", "p", "n_docs", "example_sent_id", "example_text"]


@lru_cache(maxsize=1)
def _nlp():
    """spaCy's blank English tokenizer and the English lemma lookup table (or None)."""
    import spacy

    nlp = spacy.blank("en")
    try:
        from spacy.lookups import load_lookups

        table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    except Exception:  # pragma: no cover - spacy-lookups-data missing: lower-case forms
        table = None
    return nlp.tokenizer, table


def _keep(tok, stop: frozenset[str], table, fixes: dict | None = None) -> tuple[str, str] | None:
    """(lemma, lower-case form) of a content token, or None."""
    if not any(ch.isalpha() for ch in tok.text) or tok.like_num or tok.like_url or tok.like_email:
        return None
    lower = tok.lower_.strip("-'’")
    if tok.is_stop or lower in stop:
        return None
    lemma = None
    if table is not None:  # the lookup lemmatizer's table, as spaCy's "lookup" mode uses it
        lemma = table.get(tok.text) or table.get(tok.lower_)
    lemma = (lemma or tok.lower_).lower().strip("-'’")
    if fixes:
        lemma = fixes.get(lemma, lemma)
    if len(lemma) < 2 or lemma in stop:
        return None
    if not all(ch.isalpha() or ch in "-'’" for ch in lemma):
        return None
    return lemma, lower


def _phrase(a: tuple[str, str], b: tuple[str, str]) -> str:
    """Two adjacent content words as a phrase: modifier as written, head noun lemmatised
    (the lookup lemmatizer has no part of speech: "developing" -> "develope", "learning" ->
    "learn" are wrong for modifiers and gerund heads, so those keep their surface form)."""
    head = b[1] if b[1].endswith("ing") else b[0]
    return f"{a[1]} {head}"


def tokenize(texts: Iterable[str], unit: str = "lemma", extra_stop: Iterable[str] = (),
             batch_size: int = 256) -> list[list[str]]:
    """Terms of each text.

    Parameters
    ----------
    texts : iterable of str
    unit : {"lemma", "phrase", "lemma+phrase"}
        Content lemmas, adjacent content-lemma pairs (joined by a space), or both.
    extra_stop : iterable of str
        Further lower-case words to drop (spaCy's English stop list always applies).

    Returns
    -------
    list of list of str
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    tokenizer, table = _nlp()
    drop, fixes = _rules()
    stop = EXTRA_STOP | drop | frozenset(w.lower() for w in extra_stop)
    out = []
    for doc in tokenizer.pipe((t if isinstance(t, str) else "" for t in texts),
                              batch_size=batch_size):
        kept = [_keep(t, stop, table, fixes) for t in doc]
        terms: list[str] = []
        if unit in ("lemma", "lemma+phrase"):
            terms.extend(k[0] for k in kept if k)
        if unit in ("phrase", "lemma+phrase"):
            terms.extend(_phrase(a, b) for a, b in zip(kept, kept[1:])
                         if a and b and a[0] != b[0])
        out.append(terms)
    return out


def term_counts(wide: pd.DataFrame, by: str = "region", unit: str = "lemma",
                documents: pd.DataFrame | None = None, roles: Sequence[str] | None = DEFAULT_ROLES,
                extra_stop: Iterable[str] = ()) -> pd.DataFrame:
    """Term frequencies per group.

    Returns
    -------
    pandas.DataFrame
        ``group, term, count, n_docs`` (``n_docs``: documents of the whole corpus using the
        term) and ``example_sent_id`` / ``example_text`` (the group's first sentence using it).
    """
    sub = wide
    if roles is not None and "role" in wide.columns:
        sub = wide[wide["role"].isin(roles)]
    docs = documents_frame(wide, documents)
    gmap = dict(zip(docs["doc_id"], group_values(docs, by)))
    terms = tokenize(sub["text"].tolist(), unit=unit, extra_stop=extra_stop)
    rows = [(gmap.get(d, "unknown"), d, s, t) for d, s, ts in
            zip(sub["doc_id"], sub["sent_id"], terms) for t in ts]
    long = pd.DataFrame(rows, columns=["group", "doc_id", "sent_id", "term"])
    if long.empty:
        return pd.DataFrame(columns=["group", "term", "count", "n_docs", "example_sent_id",
                                     "example_text"])
    counts = long.groupby(["group", "term"]).size().rename("count").reset_index()
    ndocs = long.groupby("term")["doc_id"].nunique()
    counts["n_docs"] = counts["term"].map(ndocs).astype(int)
    first = long.drop_duplicates(["group", "term"]).set_index(["group", "term"])["sent_id"]
    counts["example_sent_id"] = [first[(g, t)] for g, t in zip(counts["group"], counts["term"])]
    text = dict(zip(sub["sent_id"], sub["text"]))
    counts["example_text"] = counts["example_sent_id"].map(lambda s: shorten(text.get(s, "")))
    return counts


def _pivot(counts: pd.DataFrame, group_col: str, term_col: str, count_col: str):
    mat = counts.pivot_table(index=term_col, columns=group_col, values=count_col,
                             aggfunc="sum", fill_value=0)
    return mat.index.to_numpy(), list(mat.columns), mat.to_numpy(dtype=float)


def log_odds_dirichlet(counts: pd.DataFrame, group_col: str = "group", term_col: str = "term",
                       count_col: str = "count", alpha0: float | None = None,
                       prior: pd.Series | None = None) -> pd.DataFrame:
    """Weighted log-odds ratio of each term, each group against all others.

    With ``y_i`` the term's count in the group, ``n_i`` the group's total, ``y_j`` / ``n_j`` the
    same for the rest, and prior pseudo-counts ``a_w`` summing to ``a0``::

        delta = log((y_i + a_w) / (n_i + a0 - y_i - a_w)) - log((y_j + a_w) / (n_j + a0 - y_j - a_w))
        var   ~ 1 / (y_i + a_w) + 1 / (y_j + a_w)
        z     = delta / sqrt(var)

    Parameters
    ----------
    counts : pandas.DataFrame
        Long counts (one row per group x term).
    alpha0 : float, optional
        Total prior mass. The informative prior is the corpus-wide term distribution scaled to
        ``alpha0``: ``a_w = alpha0 * y_w / n``. Default: ``alpha0 = n`` (the whole corpus, i.e.
        ``a_w = y_w``), the background-corpus convention common in practice.
    prior : pandas.Series, optional
        Explicit pseudo-counts per term (index = term), overriding ``alpha0``.

    Returns
    -------
    pandas.DataFrame
        ``group, term, n_group, n_rest, log_odds, se, z``.
    """
    terms, groups, y = _pivot(counts, group_col, term_col, count_col)
    y_w = y.sum(axis=1)
    n = y_w.sum()
    if prior is not None:
        a_w = prior.reindex(terms).fillna(0).to_numpy(dtype=float)
    else:
        a0 = float(n if alpha0 is None else alpha0)
        a_w = a0 * y_w / n if n > 0 else np.zeros_like(y_w)
    a0 = a_w.sum()
    n_g = y.sum(axis=0)
    frames = []
    for k, g in enumerate(groups):
        yi, yj = y[:, k], y_w - y[:, k]
        ni, nj = n_g[k], n - n_g[k]
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = (np.log((yi + a_w) / (ni + a0 - yi - a_w))
                     - np.log((yj + a_w) / (nj + a0 - yj - a_w)))
            var = 1.0 / (yi + a_w) + 1.0 / (yj + a_w)
            se = np.sqrt(var)
            z = delta / se
        frames.append(pd.DataFrame({"group": g, "term": terms, "n_group": yi.astype(int),
                                    "n_rest": yj.astype(int), "log_odds": delta, "se": se,
                                    "z": z}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["group", "term", "n_group", "n_rest", "log_odds", "se", "z"])


def chi2_keyness(counts: pd.DataFrame, group_col: str = "group", term_col: str = "term",
                 count_col: str = "count", correction: str = "yates") -> pd.DataFrame:
    """Signed chi-squared keyness of each term, each group against all others (quanteda).

    For the 2 x 2 table ``[[a, b], [c, d]]`` (a = term in target, b = other terms in target,
    c = term in reference, d = other terms in reference) with expected counts ``E``, Yates'
    correction moves each cell by ``min(0.5, |O - E|)`` towards its expectation; the statistic
    is negative when ``a < E_a``.

    Parameters
    ----------
    correction : {"yates", "none"}

    Returns
    -------
    pandas.DataFrame
        ``group, term, chi2, p`` (p from chi-squared with 1 degree of freedom).
    """
    if correction not in ("yates", "none"):
        raise ValueError("correction must be 'yates' or 'none'")
    terms, groups, y = _pivot(counts, group_col, term_col, count_col)
    y_w = y.sum(axis=1)
    n = y_w.sum()
    n_g = y.sum(axis=0)
    frames = []
    for k, g in enumerate(groups):
        a = y[:, k]
        b = n_g[k] - a
        c = y_w - a
        d = (n - n_g[k]) - c
        obs = np.stack([a, b, c, d])
        row = np.stack([a + b, a + b, c + d, c + d])
        col = np.stack([a + c, b + d, a + c, b + d])
        with np.errstate(divide="ignore", invalid="ignore"):
            exp = row * col / n
            diff = np.abs(obs - exp)
            if correction == "yates":
                diff = diff - np.minimum(0.5, diff)
            chi2 = np.nansum(np.where(exp > 0, diff ** 2 / exp, 0.0), axis=0)
        chi2 = np.where(a >= exp[0], chi2, -chi2)
        frames.append(pd.DataFrame({"group": g, "term": terms, "chi2": chi2,
                                    "p": stats.chi2.sf(np.abs(chi2), df=1)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["group", "term", "chi2", "p"])


def distinctive_terms(wide: pd.DataFrame, by: str = "region", unit: str = "lemma",
                      documents: pd.DataFrame | None = None, top_n: int | None = 15,
                      min_count: int = 3, min_docs: int = 2, alpha0: float | None = None,
                      roles: Sequence[str] | None = DEFAULT_ROLES,
                      extra_stop: Iterable[str] = ()) -> pd.DataFrame:
    """Most distinctive terms of each group, by z-score of the weighted log-odds.

    Parameters
    ----------
    min_count : int
        A term must occur at least this often in the whole corpus.
    min_docs : int
        ...and in at least this many documents (keeps one author's idiosyncrasies and proper
        names out). Statistics are computed on all terms; the filters only select rows.
    top_n : int or None
        Rows kept per group (highest z first); None keeps all.

    Returns
    -------
    pandas.DataFrame
        :data:`KEY_COLUMNS`, one row per group x term: counts, relative frequencies (per 1,000
        terms), ``log_odds``, ``se``, ``z``, quanteda ``chi2`` and ``p``, and an example sentence.
    """
    counts = term_counts(wide, by=by, unit=unit, documents=documents, roles=roles,
                         extra_stop=extra_stop)
    if counts.empty:
        return pd.DataFrame(columns=KEY_COLUMNS)
    lo = log_odds_dirichlet(counts, alpha0=alpha0)
    ch = chi2_keyness(counts)
    out = lo.merge(ch, on=["group", "term"])
    tot = counts.groupby("group")["count"].sum()
    n_all = tot.sum()
    out["freq_group"] = out["n_group"] / out["group"].map(tot) * 1000.0
    out["freq_rest"] = out["n_rest"] / (n_all - out["group"].map(tot)).replace(0, np.nan) * 1000.0
    meta = counts.drop_duplicates("term").set_index("term")["n_docs"]
    out["n_docs"] = out["term"].map(meta).astype(int)
    ex = counts.set_index(["group", "term"])[["example_sent_id", "example_text"]]
    out = out.join(ex, on=["group", "term"])
    out["example_sent_id"] = out["example_sent_id"].fillna("")
    out["example_text"] = out["example_text"].fillna("")
    keep = ((out["n_group"] + out["n_rest"]) >= min_count) & (out["n_docs"] >= min_docs) & (
        out["n_group"] > 0)
    out = out[keep].sort_values(["group", "z", "term"], ascending=[True, False, True],
                                kind="mergesort")
    if top_n is not None:
        out = out.groupby("group", sort=False).head(top_n)
    out.insert(0, "by", by)
    return out[KEY_COLUMNS].reset_index(drop=True)

"""One tokenisation for topic terms, baseline and coherence: a fixed, corpus-derived vocabulary.

BERTopic fits its vectorizer on one concatenated document per *topic*, so ``min_df`` there would
count topics, not units, and would drop exactly the terms that distinguish a topic. We therefore
build the vocabulary once on the *units* (terms in at least ``min_df`` units) and hand every model
a ``CountVectorizer`` with that fixed vocabulary. NPMI coherence uses the same analyzer, so a
bigram term is present in a unit exactly when the topic model would have counted it there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from policykit.errors import InputError
from policykit.yamlfile import read_yaml

#: Words of two or more letters, hyphenated compounds kept whole ("open-source"); no numbers.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]+)*\b"
#: Words never used as topic terms: scikit-learn's English stop words plus words that every
#: unit of an AI-governance corpus shares and that would otherwise head every label, plus the
#: citation, subject and numbering words of ``data/rules/vocabulary.yaml`` (:func:`stop_words`;
#: :data:`STOP_WORDS` is defined at the end of this module).
EXTRA_STOP_WORDS = ("ai",)


def make_vectorizer(vocabulary=None, ngram_range: tuple[int, int] = (1, 2),
                    stop_words: str | Sequence[str] | None = "policykit", min_df: int = 1,
                    binary: bool = False) -> CountVectorizer:
    """A ``CountVectorizer`` with policykit's tokenisation (unfitted).

    ``stop_words="policykit"`` (default) is :func:`stop_words`; pass a list, ``"english"`` or
    None for others.
    """
    if isinstance(stop_words, str) and stop_words == "policykit":
        stop_words = stop_words_()
    if stop_words is not None and not isinstance(stop_words, str):
        stop_words = list(stop_words)
    return CountVectorizer(vocabulary=vocabulary, ngram_range=tuple(ngram_range), stop_words=stop_words,
                           token_pattern=TOKEN_PATTERN, lowercase=True, min_df=min_df, binary=binary)


def unit_vocabulary(texts: Sequence[str], ngram_range: tuple[int, int] = (1, 2),
                    stop_words: str | Sequence[str] | None = "policykit", min_df: int = 5) -> list[str]:
    """Sorted terms occurring in at least ``min_df`` of ``texts``.

    ``min_df`` is capped at ``len(texts) // 20`` (at least 1), and falls back to 1 when no term
    is frequent enough.

    Raises
    ------
    InputError
        If the texts contain no word at all after stop-word removal.
    """
    texts = list(texts)
    min_df = min(int(min_df), max(1, len(texts) // 20))
    for df in dict.fromkeys((min_df, 1)):
        cv = make_vectorizer(ngram_range=ngram_range, stop_words=stop_words, min_df=df)
        try:
            cv.fit(texts)
        except ValueError:
            continue
        vocab = sorted(cv.vocabulary_)
        if vocab:
            return vocab
    raise InputError(None, "the texts contain no words to build topic terms from "
                     "(only numbers, punctuation or stop words)",
                     "check that the documents were read correctly (e.g. a scanned PDF has no text)")


# ----------------------------------------------------------------------------- vocabulary rules
VOCABULARY_RULES = "vocabulary.yaml"
_RULE_LISTS = ("citation_words", "subject_words", "numbering_words")


def vocabulary_rules(path=None) -> dict:
    """The vocabulary rules of ``data/rules/vocabulary.yaml`` (see the file's header).

    Returns
    -------
    dict
        ``drop`` (frozenset of lower-case words never shown as terms: citation, subject and
        numbering words) and ``lemma_fixes`` (dict lemma → corrected lemma).

    Raises
    ------
    InputError
        If the file is missing or malformed.
    """
    
    from policykit import config

    p = Path(path) if path is not None else config.RULES_DIR / VOCABULARY_RULES
    key = (str(p), p.stat().st_mtime_ns if p.exists() else 0)
    if key in _RULES_CACHE:
        return _RULES_CACHE[key]
    doc = read_yaml(p, what="vocabulary rules", restore="restore data/rules/vocabulary.yaml from the repository") or {}
    drop: set[str] = set()
    for k in _RULE_LISTS:
        vals = doc.get(k) or []
        if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
            raise InputError(p, f"{k!r} must be a list of words", f"write {k}: [word, word]")
        drop |= {v.strip().lower() for v in vals if v.strip()}
    fixes = doc.get("lemma_fixes") or {}
    if not isinstance(fixes, dict):
        raise InputError(p, "'lemma_fixes' must be a mapping lemma: corrected", "write lemma_fixes: {datum: data}")
    out = {"drop": frozenset(drop), "lemma_fixes": {str(k).lower(): str(v).lower() for k, v in fixes.items()}}
    _RULES_CACHE[key] = out
    return out


_RULES_CACHE: dict = {}


def stop_words() -> tuple[str, ...]:
    """Topic stop words: scikit-learn's English list plus :func:`vocabulary_rules`' ``drop``."""
    return tuple(sorted(set(ENGLISH_STOP_WORDS) | set(EXTRA_STOP_WORDS) | vocabulary_rules()["drop"]))


STOP_WORDS = stop_words()


stop_words_ = stop_words  # the function, under a name the ``stop_words`` parameters do not shadow

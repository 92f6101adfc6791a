"""One tokenisation for topic terms, baseline and coherence: a fixed, corpus-derived vocabulary.

BERTopic fits its vectorizer on one concatenated document per *topic*, so ``min_df`` there would
count topics, not units, and would drop exactly the terms that distinguish a topic. We therefore
build the vocabulary once on the *units* (terms in at least ``min_df`` units) and hand every model
a ``CountVectorizer`` with that fixed vocabulary. NPMI coherence uses the same analyzer, so a
bigram term is present in a unit exactly when the topic model would have counted it there.
"""

from __future__ import annotations

from typing import Sequence

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from policykit.errors import InputError

#: Words of two or more letters, hyphenated compounds kept whole ("open-source"); no numbers.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]+)*\b"
#: Words never used as topic terms: scikit-learn's English stop words plus words that every
#: unit of an AI-governance corpus shares and that would otherwise head every label.
EXTRA_STOP_WORDS = ("ai",)
STOP_WORDS = tuple(sorted(set(ENGLISH_STOP_WORDS) | set(EXTRA_STOP_WORDS)))


def make_vectorizer(vocabulary=None, ngram_range: tuple[int, int] = (1, 2),
                    stop_words: str | Sequence[str] | None = STOP_WORDS, min_df: int = 1,
                    binary: bool = False) -> CountVectorizer:
    """A ``CountVectorizer`` with policykit's tokenisation (unfitted)."""
    if stop_words is not None and not isinstance(stop_words, str):
        stop_words = list(stop_words)
    return CountVectorizer(vocabulary=vocabulary, ngram_range=tuple(ngram_range), stop_words=stop_words,
                           token_pattern=TOKEN_PATTERN, lowercase=True, min_df=min_df, binary=binary)


def unit_vocabulary(texts: Sequence[str], ngram_range: tuple[int, int] = (1, 2),
                    stop_words: str | Sequence[str] | None = STOP_WORDS, min_df: int = 5) -> list[str]:
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

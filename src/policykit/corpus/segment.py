"""Sentence segmentation: a blank English spaCy pipeline with a rule-based sentencizer.

The component ``policykit_sentencizer`` marks sentence starts from rules kept in
``data/rules/segmentation.yaml``:

* a sentence ends at a terminal character (``. ! ? …``) plus any closing quotes, brackets
  or markdown emphasis that follow it, when the next token can start a sentence
  (upper case, digit, opening quote or bracket, markdown emphasis, CJK);
* never after an abbreviation of the ``never_end`` list (``e.g.``, ``Dr.``, ``al.``, …);
* never inside a balanced quotation or parenthesis: a quoted passage in a framing sentence
  stays one sentence;
* a list marker (``1.``, ``I.``, ``(a)``) at the start of a paragraph is never a sentence
  of its own, and a bold run-in heading (``1. **Heading.** Text``) stays with its first
  sentence.

Segmentation works on spans of a raw text and returns character offsets into it, so that
``raw[start:end]`` is the sentence.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Sequence

import numpy as np
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .. import config
from ..yamlfile import read_yaml

RULES_PATH = config.DATA_DIR / "rules" / "segmentation.yaml"

_OPEN_CLOSE = {"“": "”", "(": ")", "[": "]", "「": "」", "『": "』", "《": "》", "‘": "’"}


@functools.lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> dict:
    """Read the segmentation rules (YAML) and compile them."""
    p = path or str(RULES_PATH)
    rules = read_yaml(p, what="segmentation rules file",
                      restore="restore data/rules/segmentation.yaml from the repository") or {}
    for key in ("terminal", "closing", "never_end", "list_marker", "bullet"):
        if key not in rules:
            from ..errors import InputError
            raise InputError(p, f"segmentation rules lack the key {key!r}",
                             "restore it from the file shipped with policykit")
    rules["terminal"] = set(rules["terminal"])
    rules["closing"] = set(rules["closing"])
    rules["never_end"] = {a.lower() for a in rules["never_end"]}
    rules["list_marker_re"] = re.compile(rules["list_marker"])
    rules["bullet_re"] = re.compile(rules["bullet"], re.MULTILINE)
    rules["rarely_end"] = {a.lower() for a in rules.get("rarely_end", [])}
    rules["sentence_starters"] = {a.lower() for a in rules.get("sentence_starters", [])}
    return rules


def _can_start(text: str) -> bool:
    ch = text[0]
    if ch.isupper() or ch.isdigit():
        return True
    if ch in "“\"‘'([*_#<「『《":
        return True
    return "\u4e00" <= ch <= "\u9fff"


def _is_initial(text: str) -> bool:
    """A personal-name initial such as ``J.`` (never a sentence end)."""
    return len(text) == 2 and text[0].isupper() and text[0].isalpha() and text[1] == "." \
        and text[0] not in "AI"


def _balanced_pairs(texts: list[str]) -> list[tuple[int, int]]:
    """Token index ranges of balanced quotations and parentheses (opening, closing), from the
    tokens' texts."""
    pairs = []
    stacks: dict[str, list[int]] = {}
    straight_open: int | None = None
    for i, t in enumerate(texts):
        if t in _OPEN_CLOSE:
            stacks.setdefault(_OPEN_CLOSE[t], []).append(i)
        elif t in stacks and stacks[t]:
            pairs.append((stacks[t].pop(), i))
        elif t == '"':
            if straight_open is None:
                straight_open = i
            else:
                pairs.append((straight_open, i))
                straight_open = None
    return pairs


def _sentence_starts(doc: Doc, rules: dict) -> list[bool]:
    n = len(doc)
    starts = [False] * n
    if n == 0:
        return starts
    # the tokens' text, trailing whitespace and space flag, read once (no Token object per lookup)
    texts, ws, space = [], [], []
    for t in doc:
        texts.append(t.text)
        ws.append(t.whitespace_)
        space.append(t.is_space)
    # tokens strictly inside a balanced pair cannot end a sentence unless the pair is long
    protected = [False] * n
    for a, b in _balanced_pairs(texts):
        if b - a <= 80:  # a quotation in a framing sentence, not a quoted paragraph
            # the token right before the closing mark may still end the sentence
            for k in range(a + 1, b - 1):
                protected[k] = True
    first = next((i for i in range(n) if not space[i]), None)
    if first is None:
        return starts
    starts[first] = True
    sent_first = first
    i = first
    terminal, never_end, closing = rules["terminal"], rules["never_end"], rules["closing"]
    list_marker = rules["list_marker_re"].match
    while i < n:
        text = texts[i]
        is_terminal = (text in terminal
                       or (len(text) > 1 and text[-1] == "." and text.lower() not in never_end
                           and not list_marker(text)))
        if not is_terminal or protected[i]:
            i += 1
            continue
        if text == "." and i > 0 and not ws[i - 1]:
            glued = (texts[i - 1] + ".").lower()
            if glued in never_end or _is_initial(texts[i - 1] + "."):
                i += 1
                continue
        if _is_initial(text):
            i += 1
            continue
        # absorb closing punctuation (and the end of a bold run-in heading)
        j = i + 1
        while j < n and not ws[j - 1] and texts[j] in closing:
            if texts[j] == "*" and j + 1 < n and texts[j + 1] == "*":  # "**" closes as one mark
                j += 1
            j += 1
        k = j
        while k < n and space[k]:
            k += 1
        if k >= n:
            break
        words_so_far = [texts[x] for x in range(sent_first, i) if not space[x] and texts[x] != "*"]
        marker_only = (len(words_so_far) <= 1 and list_marker(
            "".join(texts[x] for x in range(sent_first, i + 1) if not space[x])) is not None)
        # a "*" is never whitespace: counting it per token equals counting it in the span's text
        run_in_heading = (sum(texts[x].count("*") for x in range(i + 1, j)) >= 2
                          and "**" in _prefix(texts, ws, sent_first, i, 12))
        abbrev = text.lower() if text != "." else ((texts[i - 1] + ".").lower() if i > 0 else ".")
        if abbrev in rules["rarely_end"] and texts[k].lower() not in rules["sentence_starters"]:
            i = j
            continue
        if marker_only or run_in_heading or not _can_start(texts[k]):
            i = j
            continue
        starts[k] = True
        sent_first = k
        i = k
    return starts


def _prefix(texts: list[str], ws: list[str], start: int, end: int, size: int) -> str:
    """The first ``size`` characters of the text of tokens ``start`` to ``end`` (exclusive), as
    ``doc[start:end].text[:size]`` gives them."""
    out = ""
    for x in range(start, end):
        out += texts[x] if x == end - 1 else texts[x] + ws[x]
        if len(out) >= size:
            break
    return out[:size]


@Language.factory("policykit_sentencizer", default_config={"rules_path": None})
def make_sentencizer(nlp: Language, name: str, rules_path: str | None):
    """spaCy factory: the rule-based sentencizer configured from ``rules_path``."""
    rules = load_rules(rules_path)

    def sentencize(doc: Doc) -> Doc:
        if len(doc):
            # one array write instead of per-token assignment (which re-checks annotation)
            flags = np.array([1 if st else -1 for st in _sentence_starts(doc, rules)],
                             dtype="int64").astype("uint64").reshape(-1, 1)
            doc.from_array([SENT_START], flags)
        return doc

    return sentencize


@functools.lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The segmentation pipeline: blank English tokenizer + ``policykit_sentencizer``."""
    nlp = spacy.blank("en")
    nlp.add_pipe("policykit_sentencizer")
    return nlp


def strip_bullet(raw: str, start: int, end: int) -> int:
    """Start offset after a leading list bullet (``- ``, ``• ``) in ``raw[start:end]``."""
    m = load_rules()["bullet_re"].match(raw, start, end)
    return m.end() if m else start


def sentence_spans(doc: Doc, offset: int) -> list[tuple[int, int]]:
    """Character spans of ``doc``'s sentences, shifted by ``offset``, whitespace trimmed."""
    spans = []
    for sent in doc.sents:
        toks = [t for t in sent if not t.is_space]
        if not toks:
            continue
        spans.append((offset + toks[0].idx, offset + toks[-1].idx + len(toks[-1].text)))
    return spans


def segment_spans(raw: str, spans: Sequence[tuple[int, int]], batch_size: int = 256,
                  progress: bool = False) -> list[list[tuple[int, int]]]:
    """Split each ``raw[start:end]`` span into sentences.

    Parameters
    ----------
    raw : str
        The raw text.
    spans : sequence of (start, end)
        Paragraph spans (already without bullets).
    batch_size : int
        spaCy ``pipe`` batch size.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    list of list of (start, end)
        For each input span, its sentence spans as offsets into ``raw``.
    """
    nlp = get_nlp()
    texts: Iterable[str] = (raw[s:e] for s, e in spans)
    out = []
    docs = nlp.pipe(texts, batch_size=batch_size)
    if progress:
        from tqdm.auto import tqdm
        docs = tqdm(docs, total=len(spans), desc="segmenting", unit="para")
    for (s, _e), doc in zip(spans, docs):
        out.append(sentence_spans(doc, s))
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences of a plain string (convenience for snippets)."""
    return [text[s:e] for s, e in segment_spans(text, [(0, len(text))])[0]]

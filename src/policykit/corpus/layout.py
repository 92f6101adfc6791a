"""Paragraphs of a document as a reader sees them (every document except the bundled report).

:func:`paragraphs` splits a text into logical paragraphs (the spans that
:func:`~policykit.corpus.segment.segment_spans` then splits into sentences). It extends the
report's generic rules (:func:`policykit.corpus.build.paragraphs_from_text`, which the report
parser keeps using unchanged) with the layouts of real policy texts; the patterns and lexicons
live in ``data/rules/layout.yaml``:

* **separator lines** (``---``, ``* * *``, ``____``) are dropped: never a sentence, and no
  paragraph is continued across one;
* **enumerated items** at a line start (``(a)``, ``(aa)``, ``(iv)``, ``(12)``, ``1.``, ``a)``, also
  inside an opening quote) start a unit of their own; unmarked lines after an item continue it;
* **one item per line**: a run of short lines that each start like a name or a heading (a list
  of signatories) gives one unit per line, unless the block is hard-wrapped prose;
* **clause lists**: a paragraph that ends with a comma or semicolon and is followed by one that
  starts with a capital letter is a clause of its own (a resolution's preambular clauses);
  the page-break rule that rejoins a long paragraph ending mid-sentence with the next one does
  not apply to it;
* **headings the reader marked** (Markdown ``#``, HTML ``<h1>``-``<h6>``, Word heading styles)
  are ``heading`` paragraphs and single units (never split into sentences), and the line a
  title was taken from is a ``title`` paragraph.

What a reader marked travels with the text: readers return a :class:`ReadText` (a ``str`` that
also carries heading spans, the title span and decoding notes), which ``policykit.load`` hands
to :func:`policykit.corpus.build.build_corpus` as the document's text.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Sequence

from .. import config
from ..yamlfile import read_yaml
from .model import Paragraph

LAYOUT_RULES_PATH = config.DATA_DIR / "rules" / "layout.yaml"
#: A paragraph shorter than this that ends without terminal punctuation is a heading.
HEADING_MAX_CHARS = 100

_CLOSERS = "”\"’')]*_>》」』 \t\n"
_TERMINAL = set(".!?:;…。！？")
_BLOCK_SEP = re.compile(r"\n[ \t\r\f\v]*\n\s*")


class ReadText(str):
    """Text extracted by a reader, carrying what the reader knows about its layout.

    It is an ordinary ``str`` (slicing gives plain strings; offsets are string indices), with
    three attributes:

    Attributes
    ----------
    headings : tuple of (int, int, int)
        ``(start, end, level)`` of every heading the source format marked (Markdown ``#``,
        HTML ``<hN>``, Word ``Heading N`` and ``Title`` styles).
    title_span : tuple of (int, int) or None
        Where the title the reader reported appears in the text, if it does.
    notes : tuple of str
        What the reader had to do to read the file (e.g. bytes that were not valid UTF-8).
    """

    headings: tuple
    title_span: tuple | None
    notes: tuple

    def __new__(cls, text: str, headings: Iterable = (), title_span=None, notes: Iterable = ()):
        obj = super().__new__(cls, text)
        obj.headings = tuple(tuple(h) for h in headings)
        obj.title_span = tuple(title_span) if title_span else None
        obj.notes = tuple(notes)
        return obj

    def __reduce__(self):
        return (ReadText, (str(self), self.headings, self.title_span, self.notes))


@functools.lru_cache(maxsize=4)
def load_layout_rules(path: str | None = None) -> dict:
    """Read ``data/rules/layout.yaml`` and compile its patterns."""
    p = path or str(LAYOUT_RULES_PATH)
    rules = read_yaml(p, what="layout rules file", restore="restore data/rules/layout.yaml from the repository") or {}
    for key in ("separator", "bullet", "enumerator", "line_list", "wrap", "clause_end"):
        if key not in rules:
            from ..errors import InputError
            raise InputError(p, f"layout rules lack the key {key!r}",
                             "restore it from the file shipped with policykit")
    rules["separator_re"] = re.compile(rules["separator"])
    rules["bullet_re"] = re.compile(rules["bullet"])
    rules["enumerator_re"] = re.compile(rules["enumerator"])
    rules["connectors_set"] = frozenset(w.lower() for w in rules["line_list"]["connectors"])
    rules["clause_end_set"] = frozenset(rules["clause_end"])
    return rules


# --------------------------------------------------------------------------- lines
def trim_span(raw: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` with surrounding whitespace of ``raw[start:end]`` left out."""
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    return start, end


def blocks(raw: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of blank-line-separated blocks of ``raw[start:end]``, whitespace trimmed."""
    end = len(raw) if end is None else end
    out = []
    pos = start
    for m in _BLOCK_SEP.finditer(raw, start, end):
        s, e = trim_span(raw, pos, m.start())
        if s < e:
            out.append((s, e))
        pos = m.end()
    s, e = trim_span(raw, pos, end)
    if s < e:
        out.append((s, e))
    return out


def _lines(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-empty lines of ``raw[start:end]``, whitespace trimmed."""
    out = []
    pos = start
    while pos < end:
        nl = raw.find("\n", pos, end)
        stop = end if nl == -1 else nl
        s, e = trim_span(raw, pos, stop)
        if s < e:
            out.append((s, e))
        pos = stop + 1
    return out


def line_kind(line: str, rules: dict | None = None) -> str | None:
    """``"separator"``, ``"bullet"``, ``"number"`` or None for one line of text."""
    rules = rules or load_layout_rules()
    if rules["separator_re"].match(line):
        return "separator"
    if rules["bullet_re"].match(line):
        return "bullet"
    return "number" if rules["enumerator_re"].match(line) else None


def _starts_capital(text: str) -> bool:
    t = text.lstrip("“\"‘'([")
    return bool(t) and t[0].isupper()


def _list_like(line: str, rules: dict) -> bool:
    ll = rules["line_list"]
    if len(line) > ll["max_chars"] or not _starts_capital(line):
        return False
    if line[-1] in "-‐,":
        return False
    last = re.sub(r"\W+$", "", line.rsplit(None, 1)[-1]).lower()
    return last not in rules["connectors_set"]


def _is_wrapped(lengths: Sequence[int], rules: dict) -> bool:
    """True when a block's lines look hard-wrapped at a fixed width (prose, not a list)."""
    if len(lengths) < 2:
        return False
    w = rules["wrap"]
    longest = max(lengths)
    if longest < w["min_width"]:
        return False
    body = lengths[:-1]
    near = sum(1 for n in body if n >= w["near_max"] * longest)
    return near >= w["share"] * len(body)


def split_block(raw: str, start: int, end: int, rules: dict | None = None) -> list[tuple[int, int, str | None]]:
    """Units of one blank-line-separated block: ``(start, end, kind)`` triples.

    ``kind`` is ``"separator"`` (a line to drop), ``"bullet"`` (bullet stripped from ``start``),
    ``"number"`` (an enumerated item), ``"line"`` (an item of a one-item-per-line list) or
    None (an ordinary paragraph).
    """
    rules = rules or load_layout_rules()
    lines = _lines(raw, start, end)
    texts = [raw[s:e] for s, e in lines]
    kinds = [line_kind(t, rules) for t in texts]
    n = len(lines)
    in_run = [False] * n
    if n >= rules["line_list"]["min_lines"] and not _is_wrapped([len(t) for t in texts], rules):
        longest = max(len(t) for t in texts)
        full = (rules["wrap"]["near_max"] * longest if longest >= rules["line_list"]["full_width_min"]
                else float("inf"))
        i = 0
        while i < n:
            j = i
            while j < n and kinds[j] is None and len(texts[j]) < full and _list_like(texts[j], rules):
                j += 1
            if j - i >= rules["line_list"]["min_lines"]:
                for k in range(i, j):
                    in_run[k] = True
            i = max(j, i + 1)
    out: list[tuple[int, int, str | None]] = []
    for i, ((s, e), kind) in enumerate(zip(lines, kinds)):
        if kind == "separator":
            out.append((s, e, "separator"))
            continue
        after_run = i > 0 and in_run[i - 1] and _starts_capital(texts[i])
        if not out or out[-1][2] == "separator" or kind is not None or in_run[i] or after_run:
            if kind == "bullet":
                m = rules["bullet_re"].match(texts[i])
                s = s + m.end() if m else s
            out.append((s, e, kind if kind is not None else ("line" if in_run[i] else None)))
        else:  # a wrapped continuation line of the previous unit
            ps, _pe, pk = out[-1]
            out[-1] = (ps, e, pk)
    return out


# --------------------------------------------------------------------------- paragraphs
def ends_open(text: str) -> bool:
    """True when a paragraph ends mid-sentence (no terminal punctuation before closing marks)."""
    core = text.rstrip(_CLOSERS)
    return not core or core[-1] not in _TERMINAL


def starts_inside(text: str) -> bool:
    """True when a paragraph cannot start a sentence (lower case, a link, a parenthesis)."""
    t = text.lstrip()
    return bool(t) and (t[0].islower() or t[0] in "<(")


def continues(prev_section: str, text_prev: str, text_next: str, min_chars: int) -> bool:
    """Whether ``text_next`` continues the sentence of ``text_prev`` across a break: a body
    paragraph of at least ``min_chars`` that ends mid-sentence, or a next paragraph that cannot
    start a sentence after one that does not end with ``.``, ``!`` or ``?``."""
    return ((prev_section == "body" and len(text_prev) >= min_chars and ends_open(text_prev))
            or (starts_inside(text_next) and text_prev.rstrip(_CLOSERS)[-1:] not in (".", "!", "?")))


def _rejoin(raw: str, paras: list[Paragraph], rules: dict, min_chars: int = HEADING_MAX_CHARS) -> list[Paragraph]:
    """Merge paragraphs that a page break split mid-sentence (the report's rule, plus layout guards).

    The next body paragraph continues the previous one when the previous one has at least
    ``min_chars`` characters and ends without terminal punctuation, or when the next one starts
    where no sentence can start and the previous one does not end a sentence, unless a separator
    lies between them, either is a marked heading, a one-item-per-line item, or the next one is
    an enumerated or bulleted item, or the previous one ends a clause (``,`` or ``;``) and the
    next one starts with a capital letter.
    """
    out: list[Paragraph] = []
    for p in paras:
        if out:
            prev = out[-1]
            blocked = (p._barrier or p._whole or prev._whole or p._kind in ("line", "bullet", "number")
                       or prev._kind == "line")
            if not blocked and prev.section in ("body", "heading") and p.section in ("body", "heading"):
                text_prev = raw[prev.start:prev.end]
                text_next = raw[p.start:p.end]
                core_prev = text_prev.rstrip(_CLOSERS)
                clause = core_prev[-1:] in rules["clause_end_set"] and _starts_capital(text_next)
                if not clause and continues(prev.section, text_prev, text_next, min_chars):
                    prev.section = "body"
                    prev.end = p.end
                    continue
        out.append(p)
    return out


def paragraphs(raw: str, start: int = 0, end: int | None = None,
               headings: Iterable = (), title_span=None) -> list[Paragraph]:
    """Logical paragraphs of ``raw[start:end]`` as a reader sees them.

    Parameters
    ----------
    raw : str
        The document's text (a :class:`ReadText` carries ``headings`` and ``title_span``
        itself; explicit arguments are added to them).
    start, end : int, optional
        The part of ``raw`` to split.
    headings : iterable of (start, end[, level])
        Spans the source format marked as headings.
    title_span : (start, end), optional
        Where the document's title line is.

    Returns
    -------
    list of Paragraph
        In order; sections ``title``, ``heading`` or ``body``. Marked headings and the title
        are single units (``Paragraph._whole``).
    """
    rules = load_layout_rules()
    heads = {int(h[0]) for h in (tuple(getattr(raw, "headings", ())) + tuple(headings))}
    tspan = title_span or getattr(raw, "title_span", None)
    title_start = int(tspan[0]) if tspan else None
    paras: list[Paragraph] = []
    barrier = False
    for bs, be in blocks(raw, start, end):
        for s, e, kind in split_block(raw, bs, be, rules):
            if kind == "separator":
                barrier = True
                continue
            if s >= e:
                continue
            if title_start is not None and not paras and s <= title_start < e:
                t_end = min(int(tspan[1]), e)
                p = Paragraph(section="title", start=title_start, end=t_end)
                p._kind, p._whole, p._barrier = None, True, barrier  # type: ignore[attr-defined]
                paras.append(p)
                barrier = False
                s, e = trim_span(raw, t_end, e)
                if s >= e:
                    continue
            text = raw[s:e]
            marked = s in heads
            if marked:
                sec, whole = "heading", True
            elif (kind not in ("bullet", "line") and len(text) < HEADING_MAX_CHARS
                  and "\n" not in text.strip() and ends_open(text)):
                sec, whole = "heading", False
            else:
                sec, whole = "body", False
            p = Paragraph(section=sec, start=s, end=e)
            p._kind = kind  # type: ignore[attr-defined]
            p._whole = whole  # type: ignore[attr-defined]
            p._barrier = barrier  # type: ignore[attr-defined]
            barrier = False
            paras.append(p)
    return _rejoin(raw, paras, rules)


# --------------------------------------------------------------------------- titles
def title_line(text: str) -> tuple[int, int] | None:
    """Span of a plain text's title line: its first line, when it reads as a title.

    The first non-empty line is a title when it has 3-200 characters with a letter, does not
    end with ``. , ; :``, is not a list item or separator, and is a block of its own (a blank
    line follows) or is at most 100 characters and shorter than the wrapped lines after it.
    """
    rules = load_layout_rules()
    bl = blocks(text, 0, min(len(text), 20000))
    if not bl:
        return None
    bs, be = bl[0]
    lines = _lines(text, bs, be)
    s, e = lines[0]
    line = text[s:e]
    if not (3 <= len(line) <= 200) or not re.search(r"[^\W\d_]", line):
        return None
    if line.rstrip(_CLOSERS)[-1:] in (".", ",", ";", ":") or line_kind(line, rules) is not None:
        return None
    if len(lines) > 1:
        lengths = [e2 - s2 for s2, e2 in lines]
        if len(line) > HEADING_MAX_CHARS or len(line) >= 0.75 * max(lengths[1:]):
            return None
    return s, e


__all__ = ["ReadText", "paragraphs", "split_block", "line_kind", "title_line", "load_layout_rules",
           "blocks", "continues", "ends_open", "starts_inside", "LAYOUT_RULES_PATH"]

"""Rule components of the extraction: pure functions of a sentence's text, no learned state.

* :class:`CueMatcher` matches the cue phrases and token patterns of every facet of the taxonomy
  (``data/taxonomy/*.yaml``) on lower-case lemmas;
* :class:`StructureTagger` computes layout and speech-act flags (list items, run-in headings,
  imperative and "-ing" openings, questions, ...) from the word lists of
  ``data/rules/extraction.yaml``;
* :func:`is_heading_phrase`, :func:`explicit_agents` and :func:`impersonal_spans` are the rules
  that may decide a label on their own (switches in ``data/models/thresholds.yaml``).

The spaCy components that run these over a pipeline are registered in
:mod:`policykit.extract.pipeline`; nothing here registers anything.
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
from spacy.attrs import IDX, LENGTH, LOWER, NORM, ORTH, SHAPE
from spacy.errors import MatchPatternError
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from ..errors import InputError
from ..taxonomy import Taxonomy
from .vocab import ROLE_CUE_FACET, STRUCT_FEATURES, layout_rules

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")


def subject_of_verb(body: str, rules: dict | None = None) -> bool:
    """Whether the words after the first, up to the end of its phrase, contain a finite verb
    ("Research shows ...": the opening word is a noun subject, not an imperative)."""
    R = rules or layout_rules()
    toks = re.findall(r"[A-Za-z][A-Za-z'\-]*|[,;:]", body)[1:8]
    for t in toks:
        t = t.lower()
        if t in R["phrase_end"]:
            return False
        if t in R["subject_verbs"]:
            return True
    return False


class _Lemmas:
    """Lower-case lemma lookup (spacy-lookups-data) with a cache of string-store hashes."""

    def __init__(self) -> None:
        from spacy.lookups import load_lookups
        self._table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._cache: dict[str, str] = {}
        self._hashes: dict[int, int] = {}

    def __call__(self, lower: str) -> str:
        got = self._cache.get(lower)
        if got is None:
            got = self._table.get(lower, lower)
            if not isinstance(got, str):
                got = lower
            got = got.lower()
            if len(self._cache) < 500_000:
                self._cache[lower] = got
        return got

    def norm_doc(self, doc: Doc) -> Doc:
        """Set every token's NORM to its lower-case lemma (vectorised through hashes)."""
        if not len(doc):
            return doc
        lowers = doc.to_array([LOWER])
        strings = doc.vocab.strings
        hashes = self._hashes
        out = np.empty(len(lowers), dtype="uint64")
        for k, h in enumerate(lowers.tolist()):
            n = hashes.get(h)
            if n is None:
                n = strings.add(self(strings[h]))
                if len(hashes) < 500_000:
                    hashes[h] = n
            out[k] = n
        doc.from_array([NORM], out.reshape(-1, 1))
        return doc

_LEMMAS: _Lemmas | None = None


def _lemmas() -> _Lemmas:
    global _LEMMAS
    if _LEMMAS is None:
        _LEMMAS = _Lemmas()
    return _LEMMAS


def lemma(lower: str) -> str:
    """Lower-case lemma of a lower-case word."""
    return _lemmas()(lower)


def norm_doc(doc: Doc) -> Doc:
    """Set every token's NORM to its lower-case lemma (spacy-lookups-data)."""
    return _lemmas().norm_doc(doc)


class CueMatcher:
    """Phrase and token-pattern matcher over all cue lexicons of a taxonomy."""

    def __init__(self, nlp: Language, taxonomy: Taxonomy):
        self.vocab = nlp.vocab
        self.phrase = PhraseMatcher(nlp.vocab, attr="NORM")
        self.phrase_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        self.keys: dict[int, tuple[str, str]] = {}
        self.pattern_text: dict[int, str] = {}
        #: per token pattern, the values its required tokens must take (see :meth:`_anchors`)
        self.anchors: list[list[tuple[int, frozenset]] | None] = []
        norm = _lemmas().norm_doc

        def add_phrases(facet: str, label: str, phrases: Iterable[str], attr: str = "NORM") -> None:
            for ph in phrases:
                key = f"{facet}|{label}|{ph}"
                kid = nlp.vocab.strings.add(key)
                self.keys[kid] = (facet, label)
                self.pattern_text[kid] = ph
                if attr == "LOWER":
                    self.phrase_lower.add(key, [nlp.make_doc(ph)])
                else:
                    self.phrase.add(key, [norm(nlp.make_doc(ph))])

        def add_patterns(facet: str, label: str, patterns, path: str = "", line: int = 0) -> None:
            for i, pat in enumerate(patterns):
                key = f"{facet}|{label}|pattern{i}"
                kid = nlp.vocab.strings.add(key)
                self.keys[kid] = (facet, label)
                self.pattern_text[kid] = f"pattern {i + 1} of {label}"
                self.anchors.append(self._anchors(pat))
                try:
                    self.matcher.add(key, [list(pat)])
                except (MatchPatternError, ValueError) as e:
                    raise InputError(path or "taxonomy", f"invalid token pattern {i + 1} of {label!r}: "
                                     + " ".join(str(e).split())[:300],
                                     "use spaCy Matcher attributes (NORM, LOWER, TEXT, IS_ALPHA, OP ...) and quote "
                                     "YAML words like on/off/yes/no", line=line or None) from None

        for facet in ("risk_subdomain", "instrument", "addressee"):
            for lab in taxonomy.facet(facet).labels:
                add_phrases(facet, lab.id, lab.cues)
                add_patterns(facet, lab.id, lab.patterns, taxonomy.facet(facet).path, lab.line)
        for lab in taxonomy.facet("risk_domain").labels:
            add_patterns("risk_domain", lab.id, lab.patterns, taxonomy.facet("risk_domain").path, lab.line)
        role_path = taxonomy.facet("role").path
        for g in taxonomy.role_cues:
            add_phrases(ROLE_CUE_FACET, g.id, g.phrases, g.attr)
            add_patterns(ROLE_CUE_FACET, g.id, g.patterns, role_path, g.line)
        self.parent = {lab.id: lab.parent for lab in taxonomy.facet("risk_subdomain").labels}

    _ATTRS = {"NORM": 0, "LOWER": 1, "ORTH": 2, "TEXT": 2, "SHAPE": 3}

    def _anchors(self, pattern) -> list[tuple[int, frozenset]] | None:
        """What a doc must contain for ``pattern`` to match: for every required token (no
        ``OP``, or ``1`` / ``+``) with a fixed NORM, LOWER, ORTH/TEXT or SHAPE value (or an
        ``IN`` list of them), the attribute and the set of string hashes it may take. None when
        the pattern constrains nothing this way (it is then always run)."""
        out = []
        for tok in pattern:
            if not isinstance(tok, dict) or tok.get("OP") not in (None, "1", "+"):
                continue
            for attr, val in tok.items():
                if attr not in self._ATTRS:
                    continue
                if isinstance(val, str):
                    vals = [val]
                elif isinstance(val, dict) and set(val) == {"IN"} and all(isinstance(v, str) for v in val["IN"]):
                    vals = list(val["IN"])
                else:
                    continue
                out.append((self._ATTRS[attr], frozenset(self.vocab.strings.add(v) for v in vals)))
        return out or None

    def _may_match(self, doc: Doc) -> bool:
        """Whether any token pattern could match ``doc`` (a doc lacking a required value of
        every pattern cannot match any: the token matcher is then skipped, with the same result)."""
        if not self.anchors:
            return False
        if any(a is None for a in self.anchors):
            return True
        arr = doc.to_array([NORM, LOWER, ORTH, SHAPE])
        present = [set(arr[:, k].tolist()) for k in range(4)]
        return any(all(not present[attr].isdisjoint(vals) for attr, vals in a) for a in self.anchors)

    def __call__(self, doc: Doc) -> list[tuple]:
        """Matched cues of ``doc`` as ``(facet, label, start_char, end_char, pattern)``, in text order."""
        found: dict[tuple[str, str, int, int], str] = {}
        if not len(doc):
            return []
        token_matches = list(self.matcher(doc)) if self._may_match(doc) else []
        matches = list(self.phrase(doc)) + list(self.phrase_lower(doc)) + token_matches
        if not matches:
            return []
        idx, length = doc.to_array([IDX, LENGTH]).T.tolist()  # a span's characters, as Span gives them
        for kid, s, e in matches:
            facet, label = self.keys[kid]
            start, end = idx[s], idx[e - 1] + length[e - 1]
            k = (facet, label, start, end)
            if k not in found:
                found[k] = self.pattern_text[kid]
            if facet == "risk_subdomain":  # a subdomain cue is a cue of its domain too
                found.setdefault(("risk_domain", self.parent[label], start, end), self.pattern_text[kid])
        cues = [(f, lab, s, e, p) for (f, lab, s, e), p in found.items()]
        # drop a cue contained in a longer cue of the same label (e.g. "bias" inside "algorithmic bias")
        cues.sort(key=lambda c: (c[0], c[1], c[2], -(c[3] - c[2])))
        kept: list[tuple] = []
        for c in cues:
            if kept and kept[-1][0] == c[0] and kept[-1][1] == c[1] and kept[-1][2] <= c[2] and c[3] <= kept[-1][3]:
                continue
            kept.append(c)
        kept.sort(key=lambda c: (c[2], c[3], c[0], c[1]))
        return kept


class StructureTagger:
    """Layout and speech-act cues that need no lexicon beyond the imperative verbs."""

    def __init__(self, verbs: Iterable[str]):
        self.verbs = set(verbs)
        self.gerunds = {self._ing(v) for v in self.verbs}
        self.rules = layout_rules()

    @staticmethod
    def _ing(v: str) -> str:
        if v.endswith("ie"):
            return v[:-2] + "ying"
        if v.endswith("e") and not v.endswith(("ee", "ye", "oe")) and len(v) > 2:
            return v[:-1] + "ing"
        return v + "ing"

    def features(self, text: str) -> dict[str, float]:
        t = text.strip()
        body = t
        R = self.rules
        list_item = bool(R["list_item"].match(body))
        m = R["runin_heading"].match(body)
        runin = m is not None
        if runin:
            body = body[m.end():]
        elif list_item:
            body = R["list_item"].sub("", body, count=1)
        mo = R["ordinal_opener"].match(body)
        ordinal = mo is not None
        while mo is not None and mo.end() > 0:
            body = body[mo.end():]
            mo = R["ordinal_opener"].match(body)
        words = re.findall(r"[A-Za-z][A-Za-z'\-]*", body)
        first = words[0] if words else ""
        fl = first.lower()
        # "Establish a body that ..." is an imperative; "Research shows ...", "Open-source AI
        # development refers to ..." open with a noun that is the subject of a finite verb
        imperative = bool(first) and fl in self.verbs and not subject_of_verb(body, R)
        lowered = [w.lower() for w in re.findall(r"[A-Za-z']+", t)]
        # a verbless recommendation ("Strengthening the standardization of ..."), not a participle
        # opening a clause with its own subject ("Using Intel hardware, it runs on a server")
        gerund = (bool(first) and fl in self.gerunds and not any(w in R["finite_verbs"] for w in lowered[1:])
                  and not R["clause_after_comma"].search(t))
        alpha = [w for w in t.split() if w[:1].isalpha()]
        n = len(t.split())
        return {
            "list_item": float(list_item),
            "runin_heading": float(runin),
            "ordinal_start": float(ordinal),
            "imperative_start": float(imperative),
            "gerund_start": float(gerund),
            "question": float(t.endswith("?")),
            "ends_colon": float(t.endswith(":")),
            "no_terminal": float(not re.search(r"[.!?:;\"”’)\]*]$", t)),
            "short": float(n <= 6),
            "long": float(n >= 40),
            "title_case": float(bool(alpha) and sum(w[0].isupper() for w in alpha) / len(alpha) > 0.6 and n <= 20),
            "cjk": float(bool(_CJK_RE.search(t))),
            "quote": float(bool(re.search(r"[\"“”]", t))),
            "starts_lower": float(t[:1].islower()),
        }


def is_heading_phrase(text: str, struct: np.ndarray | None = None) -> bool:
    """A bare noun phrase used as a run-in heading ("Institutional structure.").

    At most five words, opening with a capital letter, ending in a full stop (or nothing), with
    no finite verb, auxiliary or pronoun, and (when ``struct``, the sentence's layout flags in
    :data:`~policykit.extract.vocab.STRUCT_FEATURES` order, is given) not opening with an
    imperative verb or its "-ing" form.
    """
    R = layout_rules()
    t = text.strip()
    words = _WORD.findall(t)
    if not words or len(t.split()) > 5 or not t[:1].isupper() or not (t.endswith(".") or t[-1].isalnum()):
        return False
    if any(w.lower() in R["not_heading"] for w in words):
        return False
    if struct is not None:
        ix = {k: i for i, k in enumerate(STRUCT_FEATURES)}
        if struct[ix["imperative_start"]] > 0 or struct[ix["gerund_start"]] > 0:
            return False
    return True


def impersonal_spans(text: str) -> list[tuple[int, int]]:
    """Agentless passives and impersonal necessity ("should be established", "it is necessary to")."""
    return [(m.start(), m.end()) for m in layout_rules()["impersonal"].finditer(text)]


def explicit_agents(text: str, cues: list) -> dict[str, list[dict]]:
    """Addressee cue spans that name the actor a proposal asks to act.

    A cue is an explicit agent when it is the subject of the sentence's first deontic modal
    (only words between them: "governments and companies should", "the UN must") or the object
    of a calling verb or the agent of a passive ("we call on AI companies", "licensed by local
    authorities"). Returns ``{label: [cue evidence, ...]}``.
    """
    R = layout_rules()
    modal = min((c[2] for c in cues if c[0] == ROLE_CUE_FACET and c[1] == "deontic_modal"), default=None)
    out: dict[str, list[dict]] = {}
    for f, lab, s, e, pat in cues:
        if f != "addressee" or lab == "unspecified":
            continue
        subject = modal is not None and e <= modal and R["agent_gap"].match(text[e:modal]) is not None
        lead = R["agent_lead"].search(text[max(0, s - 60):s]) is not None
        if subject or lead:
            out.setdefault(lab, []).append({"kind": "cue", "text": text[s:e], "start": s, "end": e, "pattern": pat})
    return out

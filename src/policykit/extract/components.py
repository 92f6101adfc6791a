"""The spaCy components of the extraction pipeline, all registered here.

``policykit_norm``
    sets ``token.norm_`` to the lower-case lookup lemma (spacy-lookups-data), so that cue
    phrases match inflected forms ("needs to" ~ "need to", "data centres" ~ "data centre").
``policykit_cues``
    matches the cue phrases (``PhraseMatcher`` on NORM) and token patterns (``Matcher``) of
    every facet of the taxonomy; stores them in ``doc._.pk_cues`` as
    ``(facet, label, start_char, end_char, pattern)``.
``policykit_structure``
    list items, run-in headings, ordinals, imperative and gerund openings, questions,
    heading-like lines: ``doc._.pk_struct`` (a dict of floats).
``policykit_labeller``
    the learned scorers and the decision rules (:mod:`policykit.extract.model`,
    :mod:`policykit.extract.decide`); writes ``doc._.pk_labels``. Its ``pipe`` groups
    consecutive docs of the same document (``doc.user_data["pk_group"]``) so that a sentence
    sees its neighbours.

Use :func:`build_pipeline` rather than adding the components by hand.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
import numpy as np
from spacy.attrs import LOWER, NORM
from spacy.errors import MatchPatternError
from spacy.tokens import Doc

from ..errors import InputError

from ..taxonomy import Taxonomy, load_taxonomy

for _name, _default in (("pk_cues", None), ("pk_struct", None), ("pk_labels", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)

#: facet names used for role cue groups in ``doc._.pk_cues``
ROLE_CUE_FACET = "role_cue"

STRUCT_FEATURES = (
    "list_item", "runin_heading", "ordinal_start", "imperative_start", "gerund_start",
    "question", "ends_colon", "no_terminal", "short", "long", "title_case", "cjk", "quote",
    "starts_lower",
)

_LIST_RE = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(?[a-hA-H][.)]|[-•*–](?!\*)|\(?[ivx]{1,4}[.)])\s+")
_RUNIN_RE = re.compile(r"^\s*(?:\(?\d{1,2}[.)]\s+)?\*\*[^*]{1,160}?\*\*\s*")
_ORD_RE = re.compile(
    r"^(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth(?:ly)?|sixth(?:ly)?|lastly|finally|"
    r"next|then|also|moreover|furthermore|additionally|in addition|therefore|thus|hence|meanwhile|"
    r"to this end|in this regard|in particular|above all|in summary|in conclusion|overall|"
    r"at the same time|on the one hand|on the other hand|in short|to sum up)\b(?!-)[,:]?\s*", re.I)
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: auxiliary and modal verbs (a sentence containing one has a finite verb)
AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "will", "would", "can", "could", "may",
                         "might", "must", "should", "shall", "has", "have", "had", "does", "do", "did"})
_FINITE = AUXILIARIES | {"represents", "helps", "means", "provides", "remains", "makes", "requires",
                         "includes", "contributes", "offers", "allows", "enables", "becomes", "seems",
                         "serves", "aims", "seeks", "lies", "needs"}

#: a comma followed by a subject pronoun: the "-ing" opening is a participle, not a recommendation
_CLAUSE_AFTER_COMMA = re.compile(r",\s+(?:it|we|they|he|she|i|you|there|this)\s+\w", re.IGNORECASE)

#: finite verbs that show a sentence's opening word is a noun subject, not an imperative verb
_SUBJECT_VERBS = _FINITE | {"refers", "shows", "suggests", "indicates", "involves", "continues", "plays",
                            "poses", "brings", "creates", "leads", "depends", "varies", "differs",
                            "exists", "appears", "comes", "goes", "gives", "takes", "works", "stands",
                            "faces", "showed", "suggested", "found", "became", "began"}
#: words that end the opening noun phrase ("Establish a body that is ...": stop at "that")
_PHRASE_END = {"that", "which", "who", "whom", "whose", "where", "when", "to", "for", "with", "by",
               "and", "or", ",", ";", ":"}


def _subject_of_verb(body: str) -> bool:
    """Whether the words after the first, up to the end of its phrase, contain a finite verb."""
    toks = re.findall(r"[A-Za-z][A-Za-z'\-]*|[,;:]", body)[1:8]
    for t in toks:
        t = t.lower()
        if t in _PHRASE_END:
            return False
        if t in _SUBJECT_VERBS:
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


# ----------------------------------------------------------------------------- policykit_norm
@Language.factory("policykit_norm")
def make_norm(nlp: Language, name: str):
    """Set ``token.norm_`` to the lower-case lemma."""
    lem = _lemmas()

    def norm(doc: Doc) -> Doc:
        return lem.norm_doc(doc)

    return norm


# ----------------------------------------------------------------------------- policykit_cues
class CueMatcher:
    """Phrase and token-pattern matcher over all cue lexicons of a taxonomy."""

    def __init__(self, nlp: Language, taxonomy: Taxonomy):
        self.vocab = nlp.vocab
        self.phrase = PhraseMatcher(nlp.vocab, attr="NORM")
        self.phrase_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        self.keys: dict[int, tuple[str, str]] = {}
        self.pattern_text: dict[int, str] = {}
        norm = make_norm(nlp, "norm")

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

    def __call__(self, doc: Doc) -> Doc:
        found: dict[tuple[str, str, int, int], str] = {}
        if not len(doc):
            doc._.pk_cues = []
            return doc
        for kid, s, e in list(self.phrase(doc)) + list(self.phrase_lower(doc)) + list(self.matcher(doc)):
            facet, label = self.keys[kid]
            span = doc[s:e]
            k = (facet, label, span.start_char, span.end_char)
            if k not in found:
                found[k] = self.pattern_text[kid]
            if facet == "risk_subdomain":  # a subdomain cue is a cue of its domain too
                kd = ("risk_domain", self.parent[label], span.start_char, span.end_char)
                found.setdefault(kd, self.pattern_text[kid])
        cues = [(f, lab, s, e, p) for (f, lab, s, e), p in found.items()]
        # drop a cue contained in a longer cue of the same label (e.g. "bias" inside "algorithmic bias")
        cues.sort(key=lambda c: (c[0], c[1], c[2], -(c[3] - c[2])))
        kept: list[tuple] = []
        for c in cues:
            if kept and kept[-1][0] == c[0] and kept[-1][1] == c[1] and kept[-1][2] <= c[2] and c[3] <= kept[-1][3]:
                continue
            kept.append(c)
        kept.sort(key=lambda c: (c[2], c[3], c[0], c[1]))
        doc._.pk_cues = kept
        return doc


@Language.factory("policykit_cues", default_config={"taxonomy_dir": None})
def make_cues(nlp: Language, name: str, taxonomy_dir: str | None):
    """Cue matcher over the lexicons of the taxonomy in ``taxonomy_dir`` (default: shipped)."""
    return CueMatcher(nlp, load_taxonomy(taxonomy_dir))


# ----------------------------------------------------------------------------- policykit_structure
class StructureTagger:
    """Layout and speech-act cues that need no lexicon beyond the imperative verbs."""

    def __init__(self, verbs: Iterable[str]):
        self.verbs = set(verbs)
        self.gerunds = {self._ing(v) for v in self.verbs}

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
        list_item = bool(_LIST_RE.match(body))
        m = _RUNIN_RE.match(body)
        runin = m is not None
        if runin:
            body = body[m.end():]
        elif list_item:
            body = _LIST_RE.sub("", body, count=1)
        mo = _ORD_RE.match(body)
        ordinal = mo is not None
        while mo is not None and mo.end() > 0:
            body = body[mo.end():]
            mo = _ORD_RE.match(body)
        words = re.findall(r"[A-Za-z][A-Za-z'\-]*", body)
        first = words[0] if words else ""
        fl = first.lower()
        # "Establish a body that ..." is an imperative; "Research shows ...", "Open-source AI
        # development refers to ..." open with a noun that is the subject of a finite verb
        imperative = bool(first) and fl in self.verbs and not _subject_of_verb(body)
        lowered = [w.lower() for w in re.findall(r"[A-Za-z']+", t)]
        # a verbless recommendation ("Strengthening the standardization of ..."), not a participle
        # opening a clause with its own subject ("Using Intel hardware, it runs on a server")
        gerund = (bool(first) and fl in self.gerunds and not any(w in _FINITE for w in lowered[1:])
                  and not _CLAUSE_AFTER_COMMA.search(t))
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

    def __call__(self, doc: Doc) -> Doc:
        doc._.pk_struct = self.features(doc.user_data.get("pk_text") or doc.text)
        return doc


@Language.factory("policykit_structure", default_config={"taxonomy_dir": None})
def make_structure(nlp: Language, name: str, taxonomy_dir: str | None):
    """Structure tagger using the imperative verbs of the taxonomy."""
    return StructureTagger(load_taxonomy(taxonomy_dir).imperative_verbs)


# ----------------------------------------------------------------------------- policykit_labeller
class Labeller:
    """Score and decide the labels of each sentence (learned scorers + decision rules).

    Parameters
    ----------
    extractor : policykit.extract.model.ExtractionModel
        The fitted scorers.
    thresholds : dict, optional
        Decision thresholds (see :mod:`policykit.extract.decide`).
    """

    def __init__(self, extractor, thresholds: dict | None = None):
        self.extractor = extractor
        self.thresholds = thresholds

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 2000) -> Iterator[Doc]:
        from .decide import decide_batch
        group: list[Doc] = []
        key = object()
        for doc in docs:
            k = doc.user_data.get("pk_group", id(doc))
            if group and (k != key or len(group) >= batch_size):
                yield from decide_batch(group, self.extractor, self.thresholds)
                group = []
            key = k
            group.append(doc)
        if group:
            yield from decide_batch(group, self.extractor, self.thresholds)


@Language.factory("policykit_labeller", default_config={})
def make_labeller(nlp: Language, name: str):
    """A labeller without a model; :func:`build_pipeline` sets its ``extractor``."""
    return Labeller(None)


def build_pipeline(taxonomy_dir: str | None = None, extractor=None, thresholds: dict | None = None) -> Language:
    """The extraction pipeline: blank English tokenizer + norm, cues, structure (+ labeller).

    Parameters
    ----------
    taxonomy_dir : str, optional
        Directory of the taxonomy YAML files (default ``data/taxonomy``).
    extractor : ExtractionModel, optional
        If given, the ``policykit_labeller`` component is added with it.
    thresholds : dict, optional
        Decision thresholds for the labeller.
    """
    nlp = spacy.blank("en")
    nlp.add_pipe("policykit_norm")
    cfg = {"taxonomy_dir": None if taxonomy_dir is None else str(taxonomy_dir)}
    nlp.add_pipe("policykit_cues", config=cfg)
    nlp.add_pipe("policykit_structure", config=cfg)
    if extractor is not None:
        lab = nlp.add_pipe("policykit_labeller")
        lab.extractor = extractor
        lab.thresholds = thresholds
    return nlp

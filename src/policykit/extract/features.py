"""From processed spaCy docs to the feature matrices of the learned scorers.

A :class:`FeatureSet` holds, for an ordered run of sentences, the sentence embeddings and the
rule features (cue counts per label, structure flags, addressee cues by position). Context
features (the previous and next sentence of the same document) are derived from the order and
the ``groups`` (document keys): a sentence at a document boundary has zero context.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from spacy.attrs import IDX

from ..taxonomy import Taxonomy
from .vocab import ADDR_POSITIONS, ROLE_CUE_FACET, STRUCT_FEATURES, SUBJECT_END_CUES, layout_rules


@dataclass
class FeatureSet:
    """Features of an ordered run of sentences.

    Attributes
    ----------
    texts : list of str
    groups : numpy.ndarray of str
        Document key of each sentence (context never crosses a key change).
    sections : numpy.ndarray of str
        ``body``, ``title``, ``author``, ``bio``, ``heading`` (``body`` for free text).
    emb : numpy.ndarray (n, d) float32
        L2-normalised sentence embeddings.
    role_cues, struct, dom, sub, inst : numpy.ndarray
        log1p cue counts per role cue group / structure flags / cue counts per risk domain,
        subdomain, instrument.
    addr : numpy.ndarray (n, n_addressees, 3)
        log1p addressee cue counts anywhere, before the first deontic cue, in the opening words,
        and in the five tokens before the first modal verb (its subject).
    passive : numpy.ndarray (n,)
        1 when the first modal verb is followed by a passive ("should be established").
    cues : list of list of tuple
        The matched cues of each sentence ``(facet, label, start, end, pattern)``, offsets into
        the sentence text.
    """

    texts: list[str]
    groups: np.ndarray
    sections: np.ndarray
    emb: np.ndarray
    role_cues: np.ndarray
    struct: np.ndarray
    dom: np.ndarray
    sub: np.ndarray
    inst: np.ndarray
    addr: np.ndarray
    passive: np.ndarray = None
    cues: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, idx) -> "FeatureSet":
        """Rows ``idx`` (context is recomputed from the new order and groups)."""
        idx = np.asarray(idx)
        return FeatureSet(
            texts=[self.texts[i] for i in idx], groups=self.groups[idx], sections=self.sections[idx],
            emb=self.emb[idx], role_cues=self.role_cues[idx], struct=self.struct[idx], dom=self.dom[idx],
            sub=self.sub[idx], inst=self.inst[idx], addr=self.addr[idx],
            passive=None if self.passive is None else self.passive[idx], cues=[self.cues[i] for i in idx])

    def context(self, mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(previous, next)`` rows of ``mat`` within the same group (zeros at boundaries)."""
        prev = np.zeros_like(mat)
        nxt = np.zeros_like(mat)
        if len(mat) > 1:
            same = self.groups[1:] == self.groups[:-1]
            prev[1:][same] = mat[:-1][same]
            nxt[:-1][same] = mat[1:][same]
        return prev, nxt

    def rule_matrix(self) -> np.ndarray:
        """The rule features of every sentence as one matrix (:func:`rule_feature_names` order):
        role cue groups, layout flags, cue counts per domain, subdomain and instrument, addressee
        cues by position, and the passive flag."""
        n = len(self)
        passive = self.passive if self.passive is not None else np.zeros(n, np.float32)
        return np.hstack([self.role_cues, self.struct, self.dom, self.sub, self.inst,
                          self.addr.reshape(n, -1), passive.reshape(n, 1)]).astype(np.float32)


def rule_feature_names(tax: Taxonomy) -> list[str]:
    """Names of the columns of :meth:`FeatureSet.rule_matrix`."""
    role_ids, dom_ids, sub_ids, inst_ids, addr_ids = _ids(tax)
    return ([f"cue:{g}" for g in role_ids] + [f"layout:{k}" for k in STRUCT_FEATURES]
            + [f"risk cue:{d}" for d in dom_ids] + [f"risk cue:{s}" for s in sub_ids]
            + [f"instrument cue:{i}" for i in inst_ids]
            + [f"addressee cue:{a} ({p})" for a in addr_ids for p in ADDR_POSITIONS] + ["layout:passive"])


def _ids(tax: Taxonomy):
    return ([g.id for g in tax.role_cues], tax.ids("risk_domain"), tax.ids("risk_subdomain"),
            tax.ids("instrument"), tax.ids("addressee"))


def featurize(docs, tax: Taxonomy, emb: np.ndarray, groups=None, sections=None) -> FeatureSet:
    """Build a :class:`FeatureSet` from docs processed by the cue and structure components.

    Parameters
    ----------
    docs : sequence of spacy.tokens.Doc
    tax : Taxonomy
    emb : numpy.ndarray (n, d)
        Embeddings of the docs' texts, in the same order.
    groups, sections : sequence of str, optional
        Document key and section of each doc (default: one group per doc, ``body``).
    """
    role_ids, dom_ids, sub_ids, inst_ids, addr_ids = _ids(tax)
    n = len(docs)
    ix = {
        ROLE_CUE_FACET: {k: i for i, k in enumerate(role_ids)},
        "risk_domain": {k: i for i, k in enumerate(dom_ids)},
        "risk_subdomain": {k: i for i, k in enumerate(sub_ids)},
        "instrument": {k: i for i, k in enumerate(inst_ids)},
    }
    mats = {f: np.zeros((n, len(v)), np.float32) for f, v in ix.items()}
    addr = np.zeros((n, len(addr_ids), len(ADDR_POSITIONS)), np.float32)
    aix = {k: i for i, k in enumerate(addr_ids)}
    struct = np.zeros((n, len(STRUCT_FEATURES)), np.float32)
    passive = np.zeros(n, np.float32)
    subject_end = set(SUBJECT_END_CUES)
    R = layout_rules()
    cues_all = []
    texts = []
    for j, doc in enumerate(docs):
        text = doc.user_data.get("pk_text") or doc.text  # Doc.text joins its tokens on every access
        texts.append(text)
        cues = doc._.pk_cues or []
        cues_all.append(cues)
        st = doc._.pk_struct or {}
        struct[j] = [st.get(k, 0.0) for k in STRUCT_FEATURES]
        modal_at = min((c[2] for c in cues if c[0] == ROLE_CUE_FACET and c[1] in subject_end), default=len(text))
        opening = doc[6].idx if len(doc) > 6 else len(text) + 1
        # subject window: up to 5 tokens before the first deontic modal ("governments should")
        subj = (len(text) + 1, -1)
        first_modal = min((c[2] for c in cues if c[0] == ROLE_CUE_FACET and c[1] == "deontic_modal"), default=None)
        if first_modal is not None:
            k = int(np.searchsorted(doc.to_array([IDX]).ravel(), first_modal, side="left"))
            if 0 < k < len(doc):
                subj = (doc[max(0, k - 5)].idx, first_modal)
                if k + 2 < len(doc) and doc[k + 1].lower_ in R["passive_auxiliaries"] and \
                        doc[k + 2].lower_.endswith(R["participle_endings"]):
                    passive[j] = 1.0
        for f, lab, s, e, _ in cues:
            if f in mats:
                k = ix[f].get(lab)
                if k is not None:
                    mats[f][j, k] += 1
            elif f == "addressee" and lab in aix:
                a = aix[lab]
                addr[j, a, 0] += 1
                if s < modal_at:
                    addr[j, a, 1] += 1
                if s < opening:
                    addr[j, a, 2] += 1
                if subj[0] <= s < subj[1]:
                    addr[j, a, 3] += 1
    return FeatureSet(
        texts=texts,
        groups=np.asarray(groups if groups is not None else [f"__{i}" for i in range(n)], dtype=object),
        sections=np.asarray(sections if sections is not None else ["body"] * n, dtype=object),
        emb=np.asarray(emb, dtype=np.float32).reshape(n, -1),
        role_cues=np.log1p(mats[ROLE_CUE_FACET]), struct=struct,
        dom=np.log1p(mats["risk_domain"]), sub=np.log1p(mats["risk_subdomain"]),
        inst=np.log1p(mats["instrument"]), addr=np.log1p(addr), passive=passive, cues=cues_all)

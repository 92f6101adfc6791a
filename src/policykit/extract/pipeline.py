"""The one place that registers the extraction's spaCy components and assembles its pipeline.

Nothing is registered when this module is imported: :func:`build_pipeline` calls
:func:`register` (idempotent) first. Components:

``pk_norm``
    ``token.norm_`` = the lower-case lookup lemma, so that cue phrases match inflected forms;
``pk_cues``
    the cue phrases and token patterns of every facet (:class:`~policykit.extract.rules.CueMatcher`)
    into ``doc._.pk_cues``;
``pk_structure``
    layout and speech-act flags (:class:`~policykit.extract.rules.StructureTagger`) into
    ``doc._.pk_struct``;
``pk_labeller``
    the learned model and the decision rules: groups consecutive docs of one document
    (``doc.user_data["pk_group"]``) so that every sentence sees its document's context, and
    writes ``doc._.pk_labels``.
"""

from __future__ import annotations

from typing import Iterable, Iterator

_REGISTERED = False


def register() -> None:
    """Register the Doc extensions and component factories (once per process)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from spacy.language import Language
    from spacy.tokens import Doc

    from ..taxonomy import load_taxonomy
    from .rules import CueMatcher, StructureTagger, norm_doc

    for name in ("pk_cues", "pk_struct", "pk_labels"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)

    @Language.factory("pk_norm")
    def make_norm(nlp, name):
        return norm_doc

    @Language.factory("pk_cues", default_config={"taxonomy_dir": None})
    def make_cues(nlp, name, taxonomy_dir):
        matcher = CueMatcher(nlp, load_taxonomy(taxonomy_dir))

        def cues(doc):
            doc._.pk_cues = matcher(doc)
            return doc

        return cues

    @Language.factory("pk_structure", default_config={"taxonomy_dir": None})
    def make_structure(nlp, name, taxonomy_dir):
        tagger = StructureTagger(load_taxonomy(taxonomy_dir).imperative_verbs)

        def structure(doc):
            doc._.pk_struct = tagger.features(doc.user_data.get("pk_text") or doc.text)
            return doc

        return structure

    @Language.factory("pk_labeller", default_config={})
    def make_labeller(nlp, name):
        return Labeller(None)

    _REGISTERED = True


class Labeller:
    """Score and decide the labels of each sentence (learned model + decision rules).

    Parameters
    ----------
    model : policykit.extract.model.ExtractionModel
        The fitted model.
    thresholds : dict, optional
        Decision thresholds (:func:`policykit.extract.decide.load_thresholds`).
    """

    def __init__(self, model, thresholds: dict | None = None):
        self.model = model
        self.thresholds = thresholds

    def __call__(self, doc):
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable, batch_size: int | None = None) -> Iterator:
        """Label docs one document (``pk_group``) at a time, in order."""
        from .decide import label_document
        group: list = []
        key = object()
        for doc in docs:
            k = doc.user_data.get("pk_group", id(doc))
            if group and k != key:
                yield from label_document(group, self.model, self.thresholds)
                group = []
            key = k
            group.append(doc)
        if group:
            yield from label_document(group, self.model, self.thresholds)


def build_pipeline(taxonomy_dir: str | None = None, model=None, thresholds: dict | None = None):
    """The extraction pipeline: blank English tokenizer + norm, cues, structure (+ labeller).

    Parameters
    ----------
    taxonomy_dir : str, optional
        Directory of the taxonomy YAML files (default ``data/taxonomy``).
    model : ExtractionModel, optional
        If given, the ``pk_labeller`` component is added with it.
    thresholds : dict, optional
        Decision thresholds for the labeller.
    """
    import spacy
    register()
    nlp = spacy.blank("en")
    nlp.add_pipe("pk_norm")
    cfg = {"taxonomy_dir": None if taxonomy_dir is None else str(taxonomy_dir)}
    nlp.add_pipe("pk_cues", config=cfg)
    nlp.add_pipe("pk_structure", config=cfg)
    if model is not None:
        lab = nlp.add_pipe("pk_labeller")
        lab.model = model
        lab.thresholds = thresholds
    return nlp

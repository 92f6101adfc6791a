"""Extraction of sentence roles, risk domains and subdomains, instruments and addressees.

Public API
----------
extract(corpus, *, thresholds=None, progress=False, embedding=None) -> DataFrame
    The wide table: one row per corpus sentence with labels, scores and evidence.
classify(texts) -> DataFrame
    The same label columns for arbitrary snippets.
labels_long(wide) -> DataFrame
    One row per sentence x label.
rollup(wide, min_sentences=1) -> DataFrame
    Document-level labels with counts, shares and evidence sentence ids.

The pipeline is a spaCy ``Language`` of registered components (:mod:`.components`): cue
matching on the YAML lexicons of ``data/taxonomy``, layout and speech-act cues, and a labeller
that applies the learned scorers (:mod:`.model`) and the decision rules (:mod:`.decide`).
``policykit train`` refits the shipped models (:mod:`.training`).
"""

from .api import DEFAULT_EMBEDDING, classify, extract, labels_long, map_alternative, rollup

__all__ = ["extract", "classify", "labels_long", "rollup", "map_alternative", "DEFAULT_EMBEDDING"]


class _CallableModule(__import__("types").ModuleType):
    """Lets ``policykit.extract(corpus)`` work although ``policykit.extract`` is a package."""

    def __call__(self, *args, **kwargs):
        return extract(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule

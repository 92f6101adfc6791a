"""Extraction of sentence roles, risk domains and subdomains, instruments and addressees.

Public API
----------
extract(corpus, *, thresholds=None, progress=False, model=None, ...) -> DataFrame
    The wide table: one row per corpus sentence with labels, scores and evidence.
classify(texts, *, kind="auto", ...) -> DataFrame
    The same label columns for arbitrary snippets (risk descriptions get at least one domain).
labels_long(wide) -> DataFrame
    One row per sentence x label.
rollup(wide, min_sentences=1) -> DataFrame
    Document-level labels with counts, shares and evidence sentence ids.

Modules, in import order (no module imports a later one):

``vocab``        constants and the word lists of ``data/rules/extraction.yaml``
``rules``        cue matching and layout flags (pure functions of a sentence's text)
``features``     rule features of a run of sentences
``encoder``      MiniLM-L6 in plain torch; the fine-tuned encoder as deltas over the packaged one
``sequence``     the document model (a BiGRU over a document's sentences)
``model``        the learned model: encoder + heads + document model, calibrated
``calibration``  temperatures, thresholds, reliability
``decide``       from scores to labels and evidence
``pipeline``     the one place that registers spaCy components and assembles the pipeline
``api``          extract, classify, labels_long, rollup
``data``         the training data (dev gold, governance gold, MIT rows) with provenance
``student``      the fast tier's static vectors (model2vec of the packaged MiniLM)
``transfer``     the unlabelled AGORA sentences the fast tier is distilled on, with a teacher's outputs
``training``     grouped cross-validation, calibration, training of the shipped model
``crossval``     honest figures: per genre, cross-genre, calibration, MIT via classify()
"""

import functools as _functools
import sys as _sys
import types as _types

from .api import DEFAULT_EMBEDDING, DEFAULT_TIER, classify, extract, labels_long, load_model, map_alternative, rollup

__all__ = ["extract", "classify", "labels_long", "rollup", "map_alternative", "load_model", "DEFAULT_TIER",
           "DEFAULT_EMBEDDING"]


class _CallableModule(_types.ModuleType):
    """Lets ``policykit.extract(corpus)`` work although ``policykit.extract`` is a package."""

    @_functools.wraps(extract)
    def __call__(self, *args, **kwargs):
        return extract(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallableModule

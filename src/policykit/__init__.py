"""policykit: a workbench for comparative policy analysis of governance texts.

Quick start::

    import policykit as pk
    corpus = pk.load()                 # the bundled WFEO-CEIT 2023 report (32 documents)
    corpus.sentences.head()            # sent_id, doc_id, offsets, text, region, chapter, ...
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import config  # noqa: F401  (sets offline environment variables first)
from .corpus import Corpus, load, load_report  # noqa: E402


def __getattr__(name):  # lazy access to the heavier stages
    if name == "explore":  # the subpackage is callable: policykit.explore(labels, corpus)
        import importlib
        return importlib.import_module(".explore", __name__)
    if name == "extract":  # the subpackage is callable: policykit.extract(corpus)
        import importlib
        return importlib.import_module(".extract", __name__)
    if name in ("classify", "rollup", "labels_long"):
        from . import extract as _extract
        return getattr(_extract, name)
    raise AttributeError(f"module 'policykit' has no attribute {name!r}")


__all__ = ["Corpus", "load", "load_report", "__version__", "config"]

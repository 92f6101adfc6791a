"""Corpora: documents, paragraphs and sentences with stable ids, offsets and metadata."""

from .model import Corpus, RawDocument, collapse_ws, para_id, sent_id
from .wfeo import load_report

try:  # the general loader (files, folders, AGORA, governance-text indexes)
    from .load import load
except ImportError:  # pragma: no cover - during development only
    def load(paths=None, metadata=None, on_error="raise", **kwargs):
        """Load the bundled report (general loader not available)."""
        if paths:
            raise NotImplementedError("policykit.corpus.load is not available yet")
        return load_report()

__all__ = ["Corpus", "RawDocument", "load", "load_report", "collapse_ws", "para_id", "sent_id"]

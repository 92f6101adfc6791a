"""Extraction at any size: model tiers, a per-document Parquet store, streaming, Dask.

Public API
----------
extract_paths(paths, *, model="auto", engine="local", ...) -> ExtractionRun
    Files and folders into the stored dataset, extracting only documents not stored yet.
extract_corpus(corpus, *, model="auto", engine="local", ...) -> ExtractionRun
    The same for a corpus already in memory (e.g. the bundled report).
read_extraction(run, columns=None) -> DataFrame
    The wide extraction table of :func:`policykit.extract.extract`, read from the store.
choose_tier(model, n_words) / get_tier(name) / model_version(tier)
    The ``fast`` and ``accurate`` tiers are model directories; the version keys stored results.
ExtractionDataset
    The Parquet dataset (one part per batch of documents) and its DuckDB views.

See ``docs/architecture.md`` ("Extraction at scale") and the README's "Large corpora" section.
"""

from .dataset import ExtractionDataset, doc_key
from .run import ENGINES, ExtractionRun, collect_sources, extract_corpus, extract_paths, read_extraction
from .agreement import tier_agreement
from .tiers import AUTO_ACCURATE_MAX_WORDS, MODEL_CHOICES, Tier, choose_tier, get_tier, model_version, shipped_tiers

__all__ = ["extract_paths", "extract_corpus", "read_extraction", "ExtractionRun", "ExtractionDataset",
           "doc_key", "collect_sources", "choose_tier", "get_tier", "model_version", "shipped_tiers", "Tier",
           "AUTO_ACCURATE_MAX_WORDS", "MODEL_CHOICES", "ENGINES", "tier_agreement"]

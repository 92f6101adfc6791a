"""Group comparison: prevalence, distinctive language, positions, stances, consensus and the
editors' check. Every function takes the extraction wide view (see docs/architecture.md) and
returns tidy DataFrames; nothing here re-parses or re-extracts."""

from policykit.compare._frames import (
    FACET_COLUMNS, document_labels, documents_frame, sentence_labels,
)
from policykit.compare.consensus import consensus
from policykit.compare.editors import (
    EditorsCheck, chapter_rankings, editors_check, editors_check_from_wide, editors_matrix,
    gold_document_labels, load_points,
)
from policykit.compare.keyness import (
    chi2_keyness, distinctive_terms, log_odds_dirichlet, term_counts, tokenize,
)
from policykit.compare.positions import (
    document_profiles, group_profiles, position_map, positions, similarity,
)
from policykit.compare.prevalence import prevalence, prevalence_table
from policykit.compare.stances import (
    gold_stances, load_stance_rules, stance_agreement, stance_evidence, stances,
)

__all__ = [
    "FACET_COLUMNS", "EditorsCheck", "chapter_rankings", "chi2_keyness", "consensus",
    "distinctive_terms", "document_labels", "document_profiles", "documents_frame",
    "editors_check", "editors_check_from_wide", "editors_matrix", "gold_document_labels", "gold_stances",
    "group_profiles", "load_points", "load_stance_rules", "log_odds_dirichlet", "position_map",
    "positions", "prevalence", "prevalence_table", "sentence_labels", "similarity",
    "stance_agreement", "stance_evidence", "stances", "term_counts", "tokenize",
]

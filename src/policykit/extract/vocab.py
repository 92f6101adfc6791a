"""Constants and vocabularies of the extraction, in one place (no other extraction module imported).

Word lists and patterns are data: they are read from ``data/rules/extraction.yaml`` by
:func:`layout_rules`; label ids come from the taxonomy (``data/taxonomy/*.yaml``).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .. import config
from ..errors import InputError
from ..yamlfile import read_yaml

#: sentence roles, in the order every score vector uses
ROLES = ("claim", "proposal", "other")
#: label facets other than the role, with the wide-table column of each
FACET_COLUMNS = {"risk_domain": "risk_domains", "risk_subdomain": "risk_subdomains",
                 "instrument": "instruments", "addressee": "addressees"}
FACETS = ("role",) + tuple(FACET_COLUMNS)
#: the addressee that stands alone ("no one in particular")
UNSPECIFIED = "unspecified"
#: layout flags of every sentence (:class:`policykit.extract.rules.StructureTagger`)
STRUCT_FEATURES = (
    "list_item", "runin_heading", "ordinal_start", "imperative_start", "gerund_start",
    "question", "ends_colon", "no_terminal", "short", "long", "title_case", "cjk", "quote",
    "starts_lower",
)
#: where an addressee cue stands in a sentence (one feature each)
ADDR_POSITIONS = ("anywhere", "before_modal", "opening", "subject_of_modal")
#: role cue groups whose first occurrence marks the end of a proposal's subject
SUBJECT_END_CUES = ("deontic_modal", "necessity_adjective", "proposal_verb", "hypothetical_measure", "commitment")
#: facet name of role cue groups in a sentence's matched cues
ROLE_CUE_FACET = "role_cue"
#: the file of layout and speech-act word lists and patterns
RULES_FILE = config.RULES_DIR / "extraction.yaml"

_KEYS = ("passive_auxiliaries", "participle_endings", "auxiliaries", "finite_verbs", "subject_verbs", "phrase_end", "not_heading", "ordinal_openers",
         "list_item", "runin_heading", "clause_after_comma", "impersonal", "agent_gap", "agent_lead")


@functools.lru_cache(maxsize=4)
def layout_rules(path: str | None = None) -> dict:
    """The word lists (frozensets) and compiled patterns of ``data/rules/extraction.yaml``.

    Raises
    ------
    InputError
        If the file is missing, not YAML, or lacks a key.
    """
    p = Path(path) if path else RULES_FILE
    doc = read_yaml(p, what="extraction rules file",
                    restore="restore data/rules/extraction.yaml from the repository") or {}
    missing = [k for k in _KEYS if k not in doc]
    if missing:
        raise InputError(p, f"lacks {', '.join(missing)}", "restore them from the file shipped with policykit")
    out: dict = {}
    for k in ("auxiliaries", "finite_verbs", "subject_verbs", "phrase_end", "not_heading"):
        out[k] = frozenset(str(w).lower() for w in doc[k])
    out["passive_auxiliaries"] = frozenset(str(w).lower() for w in doc["passive_auxiliaries"])
    out["participle_endings"] = tuple(str(w).lower() for w in doc["participle_endings"])
    out["finite_verbs"] = out["finite_verbs"] | out["auxiliaries"]
    out["subject_verbs"] = out["subject_verbs"] | out["finite_verbs"]
    out["not_heading"] = out["not_heading"] | out["auxiliaries"]
    openers = sorted((str(w) for w in doc["ordinal_openers"]), key=len, reverse=True)
    try:
        out["ordinal_opener"] = re.compile(r"^(?:" + "|".join(re.escape(w).replace(r"\ ", " ") for w in openers)
                                           + r")\b(?!-)[,:]?\s*", re.I)
        out["list_item"] = re.compile(doc["list_item"])
        out["runin_heading"] = re.compile(doc["runin_heading"])
        out["clause_after_comma"] = re.compile(doc["clause_after_comma"], re.I)
        out["impersonal"] = re.compile(doc["impersonal"].strip(), re.I)
        out["agent_gap"] = re.compile(doc["agent_gap"])
        out["agent_lead"] = re.compile(doc["agent_lead"], re.I)
    except re.error as e:
        raise InputError(p, f"invalid pattern: {e}", "fix the regular expression") from None
    return out

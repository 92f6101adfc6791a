"""Label taxonomies and cue lexicons, loaded from ``data/taxonomy/*.yaml`` and validated on read.

Files (one facet each; see the comments at the top of every file for the fields):

``roles.yaml``
    the sentence roles, the role cue groups and the imperative-verb lexicon.
``risk_domains.yaml``
    the MIT AI Risk Repository's 7 domains with their 24 subdomains (facets ``risk_domain``
    and ``risk_subdomain``).
``instruments.yaml``
    the 21 proposal instruments.
``addressees.yaml``
    who a proposal asks to act.
``nist-ai-600-1.yaml``
    an alternative risk taxonomy (NIST AI 600-1's twelve generative-AI risks), mapped to MIT
    subdomains.

Every problem (a missing field, a duplicate or unknown id, a wrong type) raises
:class:`policykit.errors.InputError` naming the file and the line.

Examples
--------
>>> from policykit.taxonomy import load_taxonomy
>>> tax = load_taxonomy()
>>> tax.ids("risk_domain")[:2]
['discrimination_toxicity', 'privacy_security']
>>> tax.parent("risk_subdomain", "7.1")
'ai_system_safety'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from . import config
from .errors import InputError
from .yamlfile import read_yaml

#: Facets of the extraction, in the order of the wide table's columns.
FACETS = ("role", "risk_domain", "risk_subdomain", "instrument", "addressee")
#: Files of the default taxonomy.
FILES = {
    "role": "roles.yaml",
    "risk_domain": "risk_domains.yaml",
    "instrument": "instruments.yaml",
    "addressee": "addressees.yaml",
}
ALTERNATIVES = {"nist_risk": "nist-ai-600-1.yaml"}

_LABEL_KEYS = {"id", "name", "description", "cues", "patterns", "code", "mit_label",
               "subdomains", "maps_to", "mit_ev_id"}
_CUE_KEYS = {"id", "signals", "description", "phrases", "patterns", "attr"}
_LINE = "__line__"


# ----------------------------------------------------------------------------- data classes
@dataclass(frozen=True)
class Label:
    """One label of a facet.

    Attributes
    ----------
    id, name, description : str
    facet : str
        ``role``, ``risk_domain``, ``risk_subdomain``, ``instrument``, ``addressee`` or the
        name of an alternative taxonomy's facet.
    cues : tuple of str
        Phrases matched case-insensitively on lemmas.
    patterns : tuple
        spaCy Matcher token patterns (lists of dicts).
    parent : str or None
        The domain of a subdomain.
    code : str or None
        MIT domain number (domains).
    mit_label : str or None
        The MIT database's spelling of the label.
    maps_to : tuple of str
        Labels of another facet this label maps to (alternative taxonomies).
    line : int
        Line of the label in its file.
    """

    id: str
    name: str
    description: str
    facet: str
    cues: tuple[str, ...] = ()
    patterns: tuple = ()
    parent: str | None = None
    code: str | None = None
    mit_label: str | None = None
    maps_to: tuple[str, ...] = ()
    line: int = 0
    extra: tuple = ()


@dataclass(frozen=True)
class CueGroup:
    """A group of role cues (one classifier feature, one kind of evidence)."""

    id: str
    signals: str
    description: str
    phrases: tuple[str, ...] = ()
    patterns: tuple = ()
    line: int = 0
    attr: str = "NORM"


@dataclass
class Facet:
    """The labels of one facet, in file order."""

    name: str
    labels: list[Label]
    path: str = ""

    def ids(self) -> list[str]:
        """Label ids in order."""
        return [lab.id for lab in self.labels]

    def get(self, label_id: str) -> Label:
        """The label with this id (KeyError if unknown)."""
        for lab in self.labels:
            if lab.id == label_id:
                return lab
        raise KeyError(f"{self.name}: unknown label {label_id!r}; known: {', '.join(self.ids())}")

    def __contains__(self, label_id: object) -> bool:
        return any(lab.id == label_id for lab in self.labels)

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class Taxonomy:
    """All facets, the role cue groups and the imperative-verb lexicon."""

    facets: dict[str, Facet]
    role_cues: list[CueGroup] = field(default_factory=list)
    imperative_verbs: tuple[str, ...] = ()
    alternatives: dict[str, Facet] = field(default_factory=dict)
    directory: str = ""

    def ids(self, facet: str) -> list[str]:
        """Label ids of ``facet`` in order."""
        return self.facet(facet).ids()

    def facet(self, name: str) -> Facet:
        """The facet (or alternative taxonomy) called ``name``."""
        if name in self.facets:
            return self.facets[name]
        if name in self.alternatives:
            return self.alternatives[name]
        raise KeyError(f"unknown facet {name!r}; known: {', '.join(list(self.facets) + list(self.alternatives))}")

    def parent(self, facet: str, label_id: str) -> str | None:
        """The parent label (domain of a subdomain)."""
        return self.facet(facet).get(label_id).parent

    def children(self, label_id: str) -> list[str]:
        """Subdomain ids of a risk domain."""
        return [lab.id for lab in self.facets["risk_subdomain"].labels if lab.parent == label_id]

    def label_from_mit(self, text: str) -> tuple[str | None, str | None]:
        """``(domain_id, subdomain_id)`` of an MIT database Domain / Sub-domain string.

        ``"7.6 > Multi-agent risks"`` gives ``("ai_system_safety", "7.6")``; ``"4. Malicious
        Actors & Misuse"`` gives ``("malicious_use", None)``; ``N.0`` subdomains and
        ``X.1 > Excluded`` give no subdomain.
        """
        s = " ".join(str(text or "").split())
        m = re.match(r"^(\d+)\.(\d+)?", s)
        if not m:
            return None, None
        code, sub = m.group(1), m.group(2)
        dom = next((lab.id for lab in self.facets["risk_domain"].labels if lab.code == code), None)
        sid = f"{code}.{sub}" if sub and sub != "0" else None
        if sid is not None and sid not in self.facets["risk_subdomain"]:
            sid = None
        return dom, sid

    def map_labels(self, labels: Iterable[str], alternative: str) -> list[str]:
        """Labels of an alternative taxonomy that the given labels map to (order kept)."""
        alt = self.facet(alternative)
        have = set(labels)
        return [lab.id for lab in alt.labels if have & set(lab.maps_to)]


# ----------------------------------------------------------------------------- YAML with lines
class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping and rejects duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen[key] = key_node.start_mark.line + 1
    mapping = loader.construct_mapping(node, deep=True)
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        super().__init__(key, line)
        self.key, self.line = key, line


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    try:
        return read_yaml(path, what="taxonomy file", loader=_LineLoader,
                         restore=f"restore it from the repository or point POLICYKIT_HOME at a project with {path.name}")
    except _DuplicateKey as e:
        raise InputError(path, f"duplicate key {e.key!r}", "remove one of the two entries", line=e.line) from None


def strip_lines(obj: Any) -> Any:
    """A copy of ``obj`` without the recorded line numbers."""
    if isinstance(obj, dict):
        return {k: strip_lines(v) for k, v in obj.items() if k != _LINE}
    if isinstance(obj, list):
        return [strip_lines(v) for v in obj]
    return obj


def _line(obj: Any, default: int | None = None) -> int | None:
    return obj.get(_LINE, default) if isinstance(obj, dict) else default


def _str_list(path: Path, entry: dict, key: str) -> tuple[str, ...]:
    val = entry.get(key, [])
    if val is None:
        return ()
    if not isinstance(val, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in val):
        raise InputError(path, f"{key!r} of {entry.get('id', '?')!r} must be a list of strings",
                         f"write {key}: [phrase one, phrase two]", line=_line(entry))
    out = tuple(" ".join(str(v).split()) for v in val)
    if any(not v for v in out):
        raise InputError(path, f"{key!r} of {entry.get('id', '?')!r} contains an empty string",
                         "remove the empty entry", line=_line(entry))
    return out


def _patterns(path: Path, entry: dict) -> tuple:
    val = entry.get("patterns", [])
    if val is None:
        return ()
    if not isinstance(val, list) or not all(isinstance(p, list) and p and all(isinstance(t, dict) for t in p)
                                            for p in val):
        raise InputError(path, f"'patterns' of {entry.get('id', '?')!r} must be a list of token patterns "
                               "(each a non-empty list of attribute mappings)",
                         "write patterns: [[{NORM: be}, {NORM: necessary}]]", line=_line(entry))
    return tuple(strip_lines(p) for p in val)


def _labels(path: Path, doc: Any, facet: str) -> list[dict]:
    if not isinstance(doc, dict) or not isinstance(doc.get("labels"), list) or not doc["labels"]:
        raise InputError(path, "expected a mapping with a non-empty 'labels' list",
                         "see the comments at the top of the shipped file for the layout",
                         line=_line(doc, 1))
    if "facet" in doc and doc["facet"] != facet:
        raise InputError(path, f"file declares facet {doc['facet']!r} but is loaded as {facet!r}",
                         f"set facet: {facet}", line=_line(doc, 1))
    return doc["labels"]


def _label(path: Path, entry: Any, facet: str, *, parent: str | None = None,
           extra_cues: tuple[str, ...] = ()) -> Label:
    if not isinstance(entry, dict):
        raise InputError(path, f"a {facet} label must be a mapping with id, name and description",
                         "write - id: ...\\n    name: ...\\n    description: ...")
    line = _line(entry)
    for key in ("id", "name", "description"):
        if key not in entry or entry[key] in (None, ""):
            raise InputError(path, f"{facet} label {entry.get('id', '(no id)')!r} is missing the field {key!r}",
                             f"add {key}: ... to the entry", line=line)
    unknown = [k for k in entry if k != _LINE and k not in _LABEL_KEYS and not str(k).startswith("x_")]
    if unknown:
        raise InputError(path, f"{facet} label {entry['id']!r} has unknown field(s) {', '.join(map(str, unknown))}",
                         f"use only {', '.join(sorted(_LABEL_KEYS))} (or prefix your own fields with x_)", line=line)
    lid = str(entry["id"])
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", lid):
        raise InputError(path, f"label id {lid!r} contains characters other than letters, digits, _ . -",
                         "use a snake_case id", line=line)
    return Label(
        id=lid, name=str(entry["name"]), description=" ".join(str(entry["description"]).split()),
        facet=facet, cues=tuple(dict.fromkeys(_str_list(path, entry, "cues") + extra_cues)),
        patterns=_patterns(path, entry), parent=parent,
        code=None if entry.get("code") is None else str(entry["code"]),
        mit_label=entry.get("mit_label"), maps_to=_str_list(path, entry, "maps_to"), line=line or 0,
        extra=tuple((k, strip_lines(v)) for k, v in entry.items() if str(k).startswith("x_")),
    )


def _check_unique(path: Path, labels: list[Label], facet: str) -> None:
    seen: dict[str, int] = {}
    for lab in labels:
        if lab.id in seen:
            raise InputError(path, f"duplicate {facet} id {lab.id!r} (first defined on line {seen[lab.id]})",
                             "give every label a unique id", line=lab.line)
        seen[lab.id] = lab.line


def load_facet(path: str | Path, facet: str) -> Facet | tuple[Facet, Facet]:
    """Load one facet file.

    Parameters
    ----------
    path : str or Path
    facet : str
        ``role``, ``instrument``, ``addressee`` or ``risk_domain`` (which returns the pair
        ``(risk_domain, risk_subdomain)``).

    Raises
    ------
    InputError
        Missing file, invalid YAML, missing or unknown fields, duplicate ids.
    """
    path = Path(path)
    doc = _read_yaml(path)
    entries = _labels(path, doc, facet)
    if facet != "risk_domain":
        labels = [_label(path, e, facet) for e in entries]
        _check_unique(path, labels, facet)
        return Facet(facet, labels, str(path))
    domains, subs = [], []
    for e in entries:
        dom = _label(path, e, "risk_domain")
        if dom.code is None:
            raise InputError(path, f"risk domain {dom.id!r} is missing the field 'code'",
                             "add code: N (the MIT domain number)", line=dom.line)
        domains.append(dom)
        sub_entries = e.get("subdomains") or []
        if not isinstance(sub_entries, list):
            raise InputError(path, f"'subdomains' of {dom.id!r} must be a list", line=dom.line)
        for se in sub_entries:
            sub = _label(path, se, "risk_subdomain", parent=dom.id, extra_cues=dom.cues)
            if not sub.id.startswith(dom.code + "."):
                raise InputError(path, f"subdomain id {sub.id!r} does not belong to domain {dom.code} ({dom.id})",
                                 f"number it {dom.code}.N or move it under its domain", line=sub.line)
            subs.append(sub)
    _check_unique(path, domains, "risk_domain")
    _check_unique(path, subs, "risk_subdomain")
    codes = [d.code for d in domains]
    dup = next((d for d in domains if codes.count(d.code) > 1), None)
    if dup is not None:
        raise InputError(path, f"duplicate domain code {dup.code!r}", "give every domain its own code", line=dup.line)
    return Facet("risk_domain", domains, str(path)), Facet("risk_subdomain", subs, str(path))


def _role_cues(path: Path, doc: dict, roles: Facet) -> tuple[list[CueGroup], tuple[str, ...]]:
    groups = []
    raw = doc.get("cues") or []
    if not isinstance(raw, list):
        raise InputError(path, "'cues' must be a list of cue groups", line=_line(doc, 1))
    seen: dict[str, int] = {}
    for e in raw:
        if not isinstance(e, dict):
            raise InputError(path, "a cue group must be a mapping with id and signals", line=_line(doc, 1))
        line = _line(e)
        for key in ("id", "signals"):
            if not e.get(key):
                raise InputError(path, f"cue group {e.get('id', '(no id)')!r} is missing the field {key!r}",
                                 f"add {key}: ...", line=line)
        unknown = [k for k in e if k != _LINE and k not in _CUE_KEYS]
        if unknown:
            raise InputError(path, f"cue group {e['id']!r} has unknown field(s) {', '.join(map(str, unknown))}",
                             f"use only {', '.join(sorted(_CUE_KEYS))}", line=line)
        if e["signals"] not in roles:
            raise InputError(path, f"cue group {e['id']!r} signals unknown role {e['signals']!r}",
                             f"use one of {', '.join(roles.ids())}", line=line)
        if e["id"] in seen:
            raise InputError(path, f"duplicate cue group id {e['id']!r} (first defined on line {seen[e['id']]})",
                             "give every cue group a unique id", line=line)
        seen[e["id"]] = line or 0
        attr = str(e.get("attr", "NORM")).upper()
        if attr not in ("NORM", "LOWER"):
            raise InputError(path, f"cue group {e['id']!r}: attr must be NORM (lemmas) or LOWER (word forms), not {attr!r}",
                             "write attr: LOWER to match the exact word forms", line=line)
        g = CueGroup(id=str(e["id"]), signals=str(e["signals"]), description=str(e.get("description", "")),
                     phrases=_str_list(path, e, "phrases"), patterns=_patterns(path, e), line=line or 0, attr=attr)
        if not g.phrases and not g.patterns:
            raise InputError(path, f"cue group {g.id!r} has neither phrases nor patterns",
                             "add phrases: [...] or patterns: [...]", line=line)
        groups.append(g)
    verbs = doc.get("imperative_verbs") or []
    if not isinstance(verbs, list) or not all(isinstance(v, str) for v in verbs):
        raise InputError(path, "'imperative_verbs' must be a list of words", line=_line(doc, 1))
    return groups, tuple(dict.fromkeys(v.lower().strip() for v in verbs))


def load_alternative(path: str | Path, facets: dict[str, Facet], name: str | None = None) -> Facet:
    """Load an alternative taxonomy whose labels map onto a facet (``maps_facet``) of ``facets``."""
    path = Path(path)
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        raise InputError(path, "expected a mapping with facet, maps_facet and labels", line=1)
    fname = name or doc.get("facet") or path.stem
    target = doc.get("maps_facet", "risk_subdomain")
    if target not in facets:
        raise InputError(path, f"maps_facet {target!r} is not a facet", f"use one of {', '.join(facets)}",
                         line=_line(doc, 1))
    labels = [_label(path, e, fname) for e in _labels(path, {**doc, "facet": fname}, fname)]
    _check_unique(path, labels, fname)
    for lab in labels:
        if not lab.maps_to:
            raise InputError(path, f"{fname} label {lab.id!r} is missing the field 'maps_to'",
                             f"list the {target} ids it corresponds to", line=lab.line)
        bad = [m for m in lab.maps_to if m not in facets[target]]
        if bad:
            raise InputError(path, f"{fname} label {lab.id!r} maps to unknown {target} id(s) {', '.join(bad)}",
                             f"use ids from {Path(facets[target].path).name}: {', '.join(facets[target].ids())}",
                             line=lab.line)
    return Facet(fname, labels, str(path))


_CACHE: dict[tuple, Taxonomy] = {}


def load_taxonomy(directory: str | Path | None = None, *, alternatives: bool = True) -> Taxonomy:
    """Load and validate the taxonomy in ``directory`` (default ``data/taxonomy``).

    The result is cached per directory and file modification times.
    """
    d = Path(directory) if directory is not None else config.TAXONOMY_DIR
    files = [d / f for f in FILES.values()] + ([d / f for f in ALTERNATIVES.values()] if alternatives else [])
    key = (str(d.resolve()), alternatives, tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files))
    if key in _CACHE:
        return _CACHE[key]
    facets: dict[str, Facet] = {}
    role_path = d / FILES["role"]
    roles = load_facet(role_path, "role")
    assert isinstance(roles, Facet)
    if set(roles.ids()) != {"claim", "proposal", "other"}:
        raise InputError(role_path, f"roles must be exactly claim, proposal, other (found {', '.join(roles.ids())})",
                         "keep the three role ids; add cue groups instead of roles")
    facets["role"] = roles
    facets["risk_domain"], facets["risk_subdomain"] = load_facet(d / FILES["risk_domain"], "risk_domain")
    facets["instrument"] = load_facet(d / FILES["instrument"], "instrument")
    facets["addressee"] = load_facet(d / FILES["addressee"], "addressee")
    cues, verbs = _role_cues(role_path, _read_yaml(role_path), roles)
    alts = {}
    if alternatives:
        for name, fname in ALTERNATIVES.items():
            if (d / fname).exists():
                alts[name] = load_alternative(d / fname, facets, name)
    tax = Taxonomy(facets=facets, role_cues=cues, imperative_verbs=verbs, alternatives=alts, directory=str(d))
    _CACHE[key] = tax
    return tax


# ----------------------------------------------------------------------------- display helpers
#: Human names of the facets (figure axes, glossary headings).
FACET_NAMES = {
    "role": "Sentence role",
    "risk_domain": "Risk domain",
    "risk_subdomain": "Risk subdomain",
    "instrument": "Policy instrument",
    "addressee": "Addressee",
    "nist_risk": "NIST AI 600-1 risk",
}


def _shipped() -> Taxonomy | None:
    try:
        return load_taxonomy()
    except Exception:  # a broken or missing taxonomy must not break a figure
        return None


def label_names(facet: str, taxonomy: Taxonomy | None = None) -> dict[str, str]:
    """Label id → human name for a facet (``"6.1"`` → ``"Power centralization and unfair
    distribution of benefits"``); empty when the facet is unknown.

    Parameters
    ----------
    facet : str
        ``role``, ``risk_domain``, ``risk_subdomain``, ``instrument``, ``addressee`` or an
        alternative taxonomy's facet (``nist_risk``).
    taxonomy : Taxonomy, optional
        Default: the shipped taxonomy (:func:`load_taxonomy`).
    """
    tax = taxonomy if taxonomy is not None else _shipped()
    if tax is None:
        return {}
    try:
        f = tax.facet(facet)
    except KeyError:
        return {}
    return {lab.id: lab.name for lab in f.labels}


def label_name(facet: str | None, label_id, taxonomy: Taxonomy | None = None) -> str:
    """The human name of one label, or the id itself when the taxonomy does not know it.

    Without a facet, every facet is searched (ids are unique across facets except none).
    """
    lid = str(label_id)
    if facet:
        return label_names(facet, taxonomy).get(lid, lid)
    for f in FACETS:
        names = label_names(f, taxonomy)
        if lid in names:
            return names[lid]
    return lid


def glossary(taxonomy: Taxonomy | None = None, facets=FACETS) -> "pd.DataFrame":
    """Every label of the taxonomy files as a table, for the report's glossary.

    Returns
    -------
    pandas.DataFrame
        ``facet, facet_name, id, name, description, parent`` in taxonomy order (subdomains
        right after their domain), built from ``data/taxonomy/*.yaml``.
    """
    import pandas as pd

    tax = taxonomy if taxonomy is not None else load_taxonomy()
    rows = []
    for facet in facets:
        if facet == "risk_subdomain":
            continue  # listed under their domains
        for lab in tax.facet(facet).labels:
            rows.append((facet, FACET_NAMES.get(facet, facet), lab.id, lab.name, lab.description, None))
            if facet == "risk_domain" and "risk_subdomain" in facets:
                for sid in tax.children(lab.id):
                    sub = tax.facet("risk_subdomain").get(sid)
                    rows.append(("risk_subdomain", FACET_NAMES["risk_subdomain"], sub.id, sub.name,
                                 sub.description, lab.id))
    return pd.DataFrame(rows, columns=["facet", "facet_name", "id", "name", "description", "parent"])

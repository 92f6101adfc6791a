"""The taxonomy loader: shipped files, and clear errors (file and line) for bad ones."""

import shutil
from pathlib import Path

import pytest

from policykit import config
from policykit.errors import InputError
from policykit.taxonomy import load_facet, load_taxonomy


@pytest.fixture()
def taxdir(tmp_path):
    d = tmp_path / "taxonomy"
    shutil.copytree(config.TAXONOMY_DIR, d)
    return d


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_shipped_taxonomy_matches_the_label_schema():
    tax = load_taxonomy()
    assert tax.ids("role") == ["claim", "proposal", "other"]
    assert len(tax.ids("risk_domain")) == 7
    assert len(tax.ids("risk_subdomain")) == 24
    assert len(tax.ids("instrument")) == 21
    assert tax.ids("addressee") == ["international", "states", "industry", "research", "civil_society", "unspecified"]
    assert all(tax.parent("risk_subdomain", s) for s in tax.ids("risk_subdomain"))
    assert tax.children("misinformation") == ["3.1", "3.2"]
    for lab in tax.facet("instrument").labels:
        assert lab.cues, lab.id


def test_nist_alternative_maps_to_mit_subdomains():
    tax = load_taxonomy()
    nist = tax.facet("nist_risk")
    assert len(nist) == 12
    assert nist.get("confabulation").maps_to == ("3.1",)
    assert tax.map_labels(["4.2"], "nist_risk") == ["cbrn_information", "information_security"]


def test_mit_label_strings():
    tax = load_taxonomy()
    assert tax.label_from_mit("7.6 > Multi-agent risks") == ("ai_system_safety", "7.6")
    assert tax.label_from_mit("6. Socioeconomic and Environmental") == ("socioeconomic_environmental", None)
    assert tax.label_from_mit("4.0 > Malicious use") == ("malicious_use", None)
    assert tax.label_from_mit("X.1 > Excluded") == (None, None)


def test_duplicate_id_names_file_and_line(taxdir):
    f = taxdir / "instruments.yaml"
    _edit(f, "  - id: harmonization", "  - id: dialogue_cooperation")
    with pytest.raises(InputError) as e:
        load_taxonomy(taxdir)
    assert e.value.path == str(f)
    assert e.value.line == _line_of(f, "- id: dialogue_cooperation\n".strip()) or e.value.line > 0
    assert "duplicate" in str(e.value) and "dialogue_cooperation" in str(e.value)
    assert f"instruments.yaml:{e.value.line}" in str(e.value)


def test_missing_field_names_label_and_line(taxdir):
    f = taxdir / "addressees.yaml"
    _edit(f, "    name: Industry\n", "")
    with pytest.raises(InputError) as e:
        load_taxonomy(taxdir)
    assert "industry" in str(e.value) and "'name'" in str(e.value)
    assert e.value.line == _line_of(f, "- id: industry")


def test_unknown_subdomain_in_alternative_taxonomy(taxdir):
    f = taxdir / "nist-ai-600-1.yaml"
    _edit(f, 'maps_to: ["3.1"]', 'maps_to: ["3.9"]')
    with pytest.raises(InputError) as e:
        load_taxonomy(taxdir)
    assert "3.9" in str(e.value) and e.value.path == str(f)
    assert e.value.line == _line_of(f, "- id: confabulation")


def test_unknown_role_in_cue_group(taxdir):
    f = taxdir / "roles.yaml"
    _edit(f, "    signals: proposal\n    description: deontic", "    signals: recommendation\n    description: deontic")
    with pytest.raises(InputError) as e:
        load_taxonomy(taxdir)
    assert "recommendation" in str(e.value) and e.value.line == _line_of(f, "- id: deontic_modal")


def test_subdomain_outside_its_domain(taxdir):
    f = taxdir / "risk_domains.yaml"
    _edit(f, '      - id: "3.2"', '      - id: "4.9"')
    with pytest.raises(InputError) as e:
        load_taxonomy(taxdir)
    assert "4.9" in str(e.value) and e.value.line == _line_of(f, '- id: "4.9"')


def test_unknown_field_and_duplicate_key(taxdir):
    f = taxdir / "instruments.yaml"
    _edit(f, "    name: Harmonization\n", "    name: Harmonization\n    cue: [oops]\n")
    with pytest.raises(InputError, match="unknown field"):
        load_taxonomy(taxdir)
    shutil.copy(config.TAXONOMY_DIR / "instruments.yaml", f)
    _edit(f, "    name: Harmonization\n", "    name: Harmonization\n    name: Again\n")
    with pytest.raises(InputError, match="duplicate key") as e:
        load_taxonomy(taxdir)
    assert e.value.line == _line_of(f, "name: Again")


def test_invalid_yaml_and_missing_file(taxdir):
    f = taxdir / "addressees.yaml"
    f.write_text("facet: addressee\nlabels: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML") as e:
        load_taxonomy(taxdir)
    assert e.value.line is not None
    f.unlink()
    with pytest.raises(InputError, match="not found"):
        load_taxonomy(taxdir)


def test_cues_must_be_strings(tmp_path):
    f = tmp_path / "instruments.yaml"
    f.write_text("facet: instrument\nlabels:\n  - id: a\n    name: A\n    description: d\n    cues: [{x: 1}]\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match="list of strings") as e:
        load_facet(f, "instrument")
    assert e.value.line == 3

"""Rule components: cue matching on lemmas, offsets, layout cues, pattern errors."""

import shutil

import pytest

from policykit import config
from policykit.errors import InputError
from policykit.extract.components import build_pipeline


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def _cues(doc, facet=None):
    return [(f, lab, doc.text[s:e]) for f, lab, s, e, _ in doc._.pk_cues if facet is None or f == facet]


def test_cues_match_inflected_forms_with_offsets(nlp):
    doc = nlp("Data centres need licences, and governments needs to curb hallucinations.")
    cues = _cues(doc)
    assert ("instrument", "access_infrastructure", "Data centres") in cues
    assert ("instrument", "licensing_registration", "licences") in cues
    assert ("role_cue", "deontic_modal", "needs to") in cues
    assert ("risk_subdomain", "3.1", "hallucinations") in cues
    assert ("risk_domain", "misinformation", "hallucinations") in cues  # a subdomain cue counts for its domain
    for f, lab, s, e, pat in doc._.pk_cues:
        assert doc.text[s:e].strip() == doc.text[s:e] and e > s


def test_word_form_groups_do_not_conflate(nlp):
    doc = nlp("States might agree not to import such goods.")
    groups = {lab for f, lab, _ in _cues(doc, "role_cue")}
    assert "reported_speech" not in groups  # "states" is not "stated"
    assert "hypothetical_measure" in groups


@pytest.mark.parametrize("text,flag", [
    ("First, transcend the cultural pigeonhole.", "imperative_start"),
    ("1. **Interoperable governance:** Promote coherent rules across jurisdictions.", "imperative_start"),
    ("Strengthening the standardization of AI safety governance.", "gerund_start"),
    ("Establish a body that is independent of industry.", "imperative_start"),
    ("Strengthen cooperation, which is essential.", "imperative_start"),
    ("How can we make better decisions?", "question"),
    ("Suggestions include:", "ends_colon"),
])
def test_layout_cues(nlp, text, flag):
    assert nlp(text)._.pk_struct[flag] == 1.0


def test_not_imperative(nlp):
    st = nlp("Developing practical wisdom is a way of minimising failures.")._.pk_struct
    assert st["gerund_start"] == 0.0 and st["imperative_start"] == 0.0
    assert nlp("Third-party audits should be required.")._.pk_struct["ordinal_start"] == 0.0


@pytest.mark.parametrize("text", [
    "Open-source AI development refers to the collaborative process of creating AI models.",
    "Research shows that large models can be steered.",
    "Support is needed from every government.",
    "Using Intel hardware and software, it runs on a server.",  # a participle with its own clause
])
def test_nouns_and_participles_opening_statements_are_not_imperatives(nlp, text):
    st = nlp(text)._.pk_struct
    assert st["imperative_start"] == 0.0 and st["gerund_start"] == 0.0


def test_bad_pattern_is_an_input_error(tmp_path):
    d = tmp_path / "taxonomy"
    shutil.copytree(config.TAXONOMY_DIR, d)
    f = d / "instruments.yaml"
    text = f.read_text(encoding="utf-8").replace(
        "    name: Harmonization\n", "    name: Harmonization\n    patterns: [[{NORM: {IN: [on]}}]]\n")
    f.write_text(text, encoding="utf-8")  # unquoted `on` is a YAML boolean
    with pytest.raises(InputError, match="harmonization") as e:
        build_pipeline(str(d))
    assert e.value.path == str(f) and e.value.line

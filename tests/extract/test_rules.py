"""Rule components: cue matching, layout flags, heading phrases, explicit agents (policykit.extract.rules)."""

import pytest
import spacy

from policykit.errors import InputError
from policykit.extract import rules, vocab
from policykit.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def tagger():
    return rules.StructureTagger(load_taxonomy().imperative_verbs)


@pytest.fixture(scope="module")
def matcher():
    return spacy.blank("en"), rules.CueMatcher(spacy.blank("en"), load_taxonomy())


def _cues(matcher, text):
    nlp, cm = matcher
    return cm(rules.norm_doc(cm.vocab and nlp.make_doc(text)))


def test_cues_match_lemmas_with_offsets(matcher):
    text = "Governments should create an IAEA for AI."
    got = _cues(matcher, text)
    assert ("instrument", "international_body") in {(f, lab) for f, lab, *_ in got}
    for f, lab, s, e, pat in got:
        assert text[s:e] and s < e


@pytest.mark.parametrize("text,flag", [
    ("Establish an international council.", "imperative_start"),
    ("Strengthening the standardization of AI.", "gerund_start"),
    ("(a) the developer shall report;", "list_item"),
    ("What should be done?", "question"),
])
def test_layout_flags(tagger, text, flag):
    assert tagger.features(text)[flag] == 1.0


@pytest.mark.parametrize("text", ["Research shows that models fail.", "Using Intel hardware, it runs on a server."])
def test_nouns_and_participles_are_not_imperatives(tagger, text):
    f = tagger.features(text)
    assert f["imperative_start"] == 0.0 and f["gerund_start"] == 0.0


def test_heading_phrase():
    assert rules.is_heading_phrase("Institutional structure.")
    assert not rules.is_heading_phrase("This is a sentence.")
    assert not rules.is_heading_phrase("Institutional structure is weak in many countries today.")


def test_explicit_agents_and_impersonal(matcher):
    text = "Governments and companies should share information."
    ag = rules.explicit_agents(text, _cues(matcher, text))
    assert "states" in ag and "industry" in ag
    assert rules.impersonal_spans("A council should be established.")


def test_rules_file_errors_name_the_file(tmp_path):
    p = tmp_path / "extraction.yaml"
    p.write_text("auxiliaries: [is]\n")
    with pytest.raises(InputError) as e:
        vocab.layout_rules(str(p))
    assert "extraction.yaml" in str(e.value) and "lacks" in str(e.value)

"""data/rules/vocabulary.yaml: the stated rule behind topic and keyness vocabularies."""

import pytest

from policykit.errors import InputError
from policykit.topics.vocab import STOP_WORDS, make_vectorizer, vocabulary_rules


def test_rules_are_data_and_used_by_topic_terms():
    rules = vocabulary_rules()
    assert {"et", "al", "gai", "ai", "ii"} <= rules["drop"]
    assert rules["lemma_fixes"]["datum"] == "data"
    assert {"et", "al", "gai"} <= set(STOP_WORDS)
    cv = make_vectorizer().fit(["Smith et al. argue GAI data governance matters"])
    assert not {"et", "al", "et al", "gai"} & set(cv.get_feature_names_out())


def test_malformed_rules_name_the_file(tmp_path):
    bad = tmp_path / "vocabulary.yaml"
    bad.write_text("citation_words: et al\n")
    with pytest.raises(InputError, match="list of words"):
        vocabulary_rules(bad)

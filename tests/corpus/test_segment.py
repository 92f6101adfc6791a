"""Sentence segmentation rules and the boundary F1 on the dev gold."""

from policykit.corpus.segment import split_sentences


def test_basic_split():
    assert split_sentences("AI is powerful. It is risky! Is it?") == [
        "AI is powerful.", "It is risky!", "Is it?"]


def test_abbreviations_do_not_split():
    text = "Some states, e.g. Japan, act. To quote Albert et al. (2020), it is so. Dr. Smith agrees."
    assert split_sentences(text) == ["Some states, e.g. Japan, act.",
                                     "To quote Albert et al. (2020), it is so.", "Dr. Smith agrees."]


def test_us_abbreviation_inside_sentence():
    assert len(split_sentences("It shapes U.S. AI policy and more.")) == 1
    assert len(split_sentences("It is made in the U.S. The rest follows.")) == 2


def test_quotation_in_framing_sentence_stays_whole():
    text = 'He said “we must act. Now.” and then he left. Next one.'
    assert split_sentences(text) == ['He said “we must act. Now.” and then he left.', "Next one."]


def test_sentence_ending_inside_quotes_splits_after_closing_quote():
    text = "Polanyi noted, “Man knows far more than he can say.” In other words, it matters."
    assert split_sentences(text) == ["Polanyi noted, “Man knows far more than he can say.”",
                                     "In other words, it matters."]


def test_list_numbering_and_bold_run_in_heading():
    text = "1. **Mistakes and hallucinations.** GAI models can make mistakes. Toxic content spreads."
    assert split_sentences(text) == ["1. **Mistakes and hallucinations.** GAI models can make mistakes.",
                                     "Toxic content spreads."]
    assert split_sentences("I. Establish a body. It helps.") == ["I. Establish a body.", "It helps."]


def test_lowercase_after_period_is_not_a_boundary():
    assert len(split_sentences("The value is approx. ten percent of the total.")) == 1


def test_boundary_f1_on_dev_gold(report, gold_sentences_path):
    from policykit.corpus.segeval import segmentation_scores
    res = segmentation_scores(report, gold_sentences_path)
    assert res["unlocated"] == 0
    assert res["boundary"]["f1"] >= 0.97
    assert res["span"]["f1"] >= 0.95

"""Weighted log-odds (Monroe et al. 2008) and quanteda chi-squared keyness, by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from policykit.compare import chi2_keyness, distinctive_terms, log_odds_dirichlet, tokenize
from tests.fixtures.tiny import sent

COUNTS = pd.DataFrame({"group": ["g1", "g1", "g2", "g2"], "term": ["x", "y", "x", "y"],
                       "count": [8, 2, 3, 7]})


def test_log_odds_matches_hand_computation():
    lo = log_odds_dirichlet(COUNTS, alpha0=10.0).set_index(["group", "term"])
    # corpus: x 11, y 9, n 20; prior a_x = 10 * 11/20 = 5.5, a_y = 4.5, a0 = 10
    yi, ni, yj, nj, a, a0 = 8, 10, 3, 10, 5.5, 10.0
    delta = math.log((yi + a) / (ni + a0 - yi - a)) - math.log((yj + a) / (nj + a0 - yj - a))
    var = 1 / (yi + a) + 1 / (yj + a)
    assert delta == pytest.approx(math.log(13.5 / 6.5) - math.log(8.5 / 11.5))
    r = lo.loc[("g1", "x")]
    assert r["log_odds"] == pytest.approx(delta)
    assert r["se"] == pytest.approx(math.sqrt(var))
    assert r["z"] == pytest.approx(delta / math.sqrt(var))
    # two groups: g2's value for x is the negative of g1's
    assert lo.loc[("g2", "x"), "log_odds"] == pytest.approx(-delta)


def test_log_odds_default_prior_is_corpus_counts():
    lo = log_odds_dirichlet(COUNTS).set_index(["group", "term"])
    # a_w = y_w: a_x = 11, a0 = 20
    d = math.log((8 + 11) / (10 + 20 - 8 - 11)) - math.log((3 + 11) / (10 + 20 - 3 - 11))
    assert lo.loc[("g1", "x"), "log_odds"] == pytest.approx(d)


def test_chi2_equals_yates_corrected_contingency_and_is_signed():
    ch = chi2_keyness(COUNTS).set_index(["group", "term"])
    stat, p, _, _ = chi2_contingency(np.array([[8, 2], [3, 7]]), correction=True)
    assert ch.loc[("g1", "x"), "chi2"] == pytest.approx(stat)
    assert ch.loc[("g1", "x"), "p"] == pytest.approx(p)
    assert ch.loc[("g1", "y"), "chi2"] == pytest.approx(-stat)  # under-used in g1
    raw = chi2_keyness(COUNTS, correction="none").set_index(["group", "term"])
    stat0, *_ = chi2_contingency(np.array([[8, 2], [3, 7]]), correction=False)
    assert raw.loc[("g1", "x"), "chi2"] == pytest.approx(stat0)


def test_tokenize_lemmatises_and_drops_stop_words():
    (terms,) = tokenize(["The governments were regulating 3 large models, et al."])
    assert terms == ["government", "regulate", "large", "model"]
    (ph,) = tokenize(["Developing countries need large language models"], unit="phrase")
    assert "developing country" in ph and "language model" in ph


def test_distinctive_terms_ranks_group_vocabulary():
    rows = []
    for d, reg, text in [("a1", "A", "Privacy regulation protects privacy."),
                         ("a2", "A", "Privacy matters for regulation."),
                         ("b1", "B", "Compute governance needs compute audits."),
                         ("b2", "B", "Compute audits and regulation.")]:
        rows.append(sent(d, 0, "claim", reg, text=text))
    k = distinctive_terms(pd.DataFrame(rows), by="region", min_count=2, min_docs=2, top_n=None)
    top = k.sort_values("z", ascending=False).groupby("group")["term"].first()
    assert top["A"] == "privacy" and top["B"] == "compute"
    assert set(k.columns) >= {"log_odds", "z", "chi2", "example_sent_id"}
    ex = k[(k["group"] == "A") & (k["term"] == "privacy")].iloc[0]
    assert ex["example_sent_id"] == "a1.p000.s00"


def test_citation_subject_and_lemmatizer_noise_is_dropped():
    """Issue 14, failure 7: "et al", "datum", "gai" are not distinctive terms."""
    from policykit.compare.keyness import tokenize

    terms = tokenize(["Smith et al. (2023) show that GAI systems need data and social media rules."],
                     unit="lemma+phrase")[0]
    assert not {"et", "al", "gai", "datum", "medium", "et al"} & set(terms)
    assert {"data", "media", "social media", "smith"} <= set(terms)

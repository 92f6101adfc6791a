"""The out-of-fold predictions notebook 1.01 audits, written by ``policykit train`` beside the
shipped models (``cv-predictions.parquet``, ``cv-mit.parquet``): complete, out of fold, and
scored by the scorer's rules."""

import pytest

from policykit.nbtools import cross_validated, cv_role_confusion, cv_scores, per_label_scores


@pytest.fixture(scope="module", params=["accurate", "fast"])
def units(request):
    return cross_validated("units", request.param)


def test_every_training_sentence_is_predicted_out_of_fold(units):
    from policykit.extract.data import load_training

    assert units["unit_id"].is_unique
    assert set(units["unit_id"]) == set(load_training().units["unit_id"])
    # folds are whole documents
    assert (units.groupby("doc_id")["fold"].nunique() == 1).all()
    assert units["fold"].nunique() == 5
    assert units["pred_role"].isin(["claim", "proposal", "other"]).all()
    assert units["pred_role_score"].between(0, 1).all()


def test_labels_follow_the_roles(units):
    other = units[units["pred_role"] == "other"]
    assert not other["pred_instruments"].map(len).any() and not other["pred_addressees"].map(len).any()
    claims = units[units["pred_role"] == "claim"]
    assert not claims["pred_instruments"].map(len).any()


def test_scores_per_genre(units):
    t = cv_scores(units, by="genre")
    assert {"all", "report", "law", "corporate"} <= set(t.index)
    assert t.loc["all", "sentences"] == len(units)
    for c in ("role_macro_f1", "risk_domains_micro_f1", "instruments_micro_f1", "addressee_micro_f1"):
        assert t[c].between(0, 1).all(), c
    conf = cv_role_confusion(units)
    assert int(conf.to_numpy().sum()) == len(units)
    pl = per_label_scores(units)
    assert {"facet", "label", "f1", "support"} <= set(pl.columns)


def test_gold_view_and_mit(units):
    gold = cross_validated("gold")
    assert gold["sent_id"].is_unique and gold["doc_id"].nunique() == 17
    mit = cross_validated("mit")
    assert {"paper_id", "domain", "predicted", "correct"} <= set(mit.columns)
    assert len(mit) == 1255 and mit["paper_id"].nunique() > 10 and mit["correct"].isin([True, False]).all()


def test_unknown_kind_is_a_clear_error():
    from policykit.errors import InputError

    with pytest.raises(InputError, match="unknown cross-validation"):
        cross_validated("everything")

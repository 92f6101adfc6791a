"""The NMF baseline: same tables as BERTopic, deterministic."""

import numpy as np
import pandas as pd

from policykit.topics import NMFTopicModel


def test_nmf_tables(nmf, fitted):
    assert nmf.n_topics_ == fitted.n_topics_
    assert list(nmf.assignments_.columns) == list(fitted.assignments_.columns)
    assert list(nmf.terms_.columns) == list(fitted.terms_.columns)
    assert nmf.assignments_["unit_id"].tolist() == fitted.assignments_["unit_id"].tolist()
    assert nmf.keywords_ is None
    sizes = nmf.assignments_.query("topic >= 0").groupby("topic").size()
    assert sizes.is_monotonic_decreasing or (np.diff(sizes.to_numpy()) <= 0).all()
    assert nmf.doc_topic_.shape == (len(nmf.units_), nmf.n_topics_)


def test_nmf_deterministic(report, nmf):
    again = NMFTopicModel(n_topics=nmf.n_topics).fit(report)
    pd.testing.assert_frame_equal(again.assignments_, nmf.assignments_)
    pd.testing.assert_frame_equal(again.terms_, nmf.terms_)

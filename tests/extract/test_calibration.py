"""Calibration and threshold choice (policykit.extract.calibration)."""

import numpy as np

from policykit.extract import calibration as cal


def test_temperature_undoes_overconfidence():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 2, size=(4000, 1))
    y = (rng.random((4000, 1)) < 1 / (1 + np.exp(-z))).astype(float)
    assert abs(cal.fit_temperature(z, y) - 1.0) < 0.15
    assert cal.fit_temperature(3 * z, y) > 2.0  # logits three times too large: temperature about 3


def test_softmax_temperature():
    rng = np.random.default_rng(1)
    z = rng.normal(0, 1, size=(3000, 3))
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])
    assert abs(cal.fit_temperature(0.5 * z, y, softmax=True) - 0.5) < 0.1


def test_threshold_maximises_micro_f1_and_prefers_the_middle_on_ties():
    s = np.array([[0.9, 0.1], [0.6, 0.2], [0.3, 0.8], [0.1, 0.25]])
    g = np.array([[1, 0], [1, 0], [0, 1], [0, 0]], bool)
    t = cal.choose_threshold(s, g)
    assert 0.3 < t <= 0.6
    assert cal.micro_f1(s >= t, g) == 1.0


def test_at_least_one_keeps_the_best_label():
    s = np.array([[0.2, 0.1], [0.1, 0.3]])
    g = np.array([[1, 0], [0, 1]], bool)
    assert cal.micro_f1(s >= cal.choose_threshold(s, g, at_least_one=np.ones(2, bool)), g) <= 1.0


def test_crossfit_never_uses_the_scored_fold():
    s = np.array([[0.9], [0.8], [0.35], [0.3]])
    g = np.array([[1], [1], [1], [0]], bool)
    folds = np.array([0, 0, 1, 1])
    out = cal.crossfit_thresholds(s, g, folds, np.ones(4, bool))
    # fold 1's threshold comes from fold 0 alone (all positives): any threshold <= 0.8 ties, the
    # choice is the one nearest 0.5; fold 0's from fold 1 (0.35 positive, 0.3 negative)
    assert out[2] == out[3] == 0.5 and 0.3 < out[0] <= 0.35 + 1e-9


def test_reliability_and_ece():
    s = np.array([0.05, 0.15, 0.95, 0.85])
    g = np.array([0, 0, 1, 1], bool)
    t = cal.reliability(s, g)
    assert t["n"].sum() == 4 and len(t) == 10
    assert abs(cal.expected_calibration_error(s, g) - 0.1) < 1e-9

"""Calibration of the model's scores and the choice of decision thresholds, from out-of-fold scores.

Both are fitted on predictions for sentences the predicting model was not trained on (grouped
cross-validation), restricted to the rows a facet applies to (risk facets on claims and
proposals, instruments and addressees on proposals):

* one **temperature** per head (the logit is divided by it) minimising the log loss, so that a
  score of 0.7 means about 70 % of such labels are right (:func:`fit_temperature`); the
  reliability of every facet is reported by :func:`reliability` and
  :func:`expected_calibration_error`;
* one **threshold** per facet (a label is assigned when its calibrated score reaches it),
  chosen on a grid to maximise the facet's micro-F1 (:func:`choose_threshold`).

For honest cross-validated scores the thresholds of fold k are chosen on the out-of-fold scores
of the other folds only (:func:`crossfit_thresholds`), never on the scored rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: candidate thresholds
GRID = tuple(round(x, 2) for x in np.arange(0.15, 0.71, 0.05))
#: candidate temperatures
TEMPERATURES = tuple(round(float(x), 3) for x in np.exp(np.linspace(np.log(0.5), np.log(3.0), 37)))


def _sig(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))


def fit_temperature(logits: np.ndarray, y: np.ndarray, softmax: bool = False) -> float:
    """The temperature (on :data:`TEMPERATURES`) minimising the log loss of ``logits`` against ``y``.

    ``y`` is a class index vector for ``softmax`` heads, else a 0/1 matrix of the same shape.
    """
    logits = np.asarray(logits, np.float64)
    if len(logits) == 0:
        return 1.0
    best, best_t = np.inf, 1.0
    for t in TEMPERATURES:
        z = logits / t
        if softmax:
            z = z - z.max(axis=1, keepdims=True)
            lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            loss = -lp[np.arange(len(y)), np.asarray(y, int)].mean()
        else:
            p = np.clip(_sig(z), 1e-7, 1 - 1e-7)
            yy = np.asarray(y, np.float64).reshape(p.shape)
            loss = -(yy * np.log(p) + (1 - yy) * np.log(1 - p)).mean()
        if loss < best - 1e-12:
            best, best_t = loss, t
    return float(best_t)


def fit_platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling of a sigmoid head: ``(a, b)`` such that ``sigmoid(a * logit + b)`` minimises
    the log loss (one pair shared by all labels of the head)."""
    z = np.asarray(logits, np.float64).ravel()
    t = np.asarray(y, np.float64).ravel()
    if len(z) == 0 or t.min() == t.max():
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(z.reshape(-1, 1), t > 0.5)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def micro_f1(pred: np.ndarray, gold: np.ndarray) -> float:
    """Micro-F1 of two boolean matrices."""
    tp = float((pred & gold).sum())
    d = 2 * tp + float((pred & ~gold).sum()) + float((~pred & gold).sum())
    return 2 * tp / d if d else float("nan")


def choose_threshold(scores: np.ndarray, gold: np.ndarray, grid=GRID, at_least_one: np.ndarray | None = None) -> float:
    """The threshold on ``grid`` maximising micro-F1 (ties: the one nearest 0.5).

    ``at_least_one`` marks rows that keep their best label whatever its score (e.g. an
    addressee for every proposal).
    """
    best, best_t = -1.0, 0.5
    gold = np.asarray(gold, bool)
    for t in grid:
        pred = scores >= t
        if at_least_one is not None and len(pred):
            top = scores.argmax(axis=1)
            pred[np.arange(len(pred))[at_least_one], top[at_least_one]] = True
        f = micro_f1(pred, gold)
        f = -1.0 if np.isnan(f) else f
        if f > best + 1e-9 or (abs(f - best) <= 1e-9 and abs(t - 0.5) < abs(best_t - 0.5)):
            best, best_t = f, t
    return float(best_t)


def crossfit_thresholds(scores: np.ndarray, gold: np.ndarray, folds: np.ndarray, rows: np.ndarray,
                        at_least_one: np.ndarray | None = None) -> np.ndarray:
    """Per row, the threshold chosen on the out-of-fold scores of the *other* folds.

    Parameters
    ----------
    scores, gold : (n, k) arrays
    folds : (n,) fold index of every row
    rows : (n,) bool, rows the facet applies to (only these enter the choice)
    """
    out = np.full(len(scores), 0.5)
    for f in np.unique(folds):
        train = rows & (folds != f)
        alo = None if at_least_one is None else at_least_one[train]
        t = choose_threshold(scores[train], gold[train], at_least_one=alo)
        out[folds == f] = t
    return out


def reliability(scores: np.ndarray, gold: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Reliability table: per score bin, the number of (row, label) pairs, their mean score and
    the share that are gold labels."""
    s = np.asarray(scores, np.float64).ravel()
    g = np.asarray(gold, bool).ravel()
    edges = np.linspace(0, 1, n_bins + 1)
    b = np.clip(np.digitize(s, edges[1:-1]), 0, n_bins - 1)
    rows = []
    for k in range(n_bins):
        m = b == k
        rows.append({"bin": f"{edges[k]:.1f}-{edges[k + 1]:.1f}", "n": int(m.sum()),
                     "mean_score": float(s[m].mean()) if m.any() else float("nan"),
                     "share_gold": float(g[m].mean()) if m.any() else float("nan")})
    return pd.DataFrame(rows)


def expected_calibration_error(scores: np.ndarray, gold: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error: bin-size-weighted mean |mean score - share gold|."""
    t = reliability(scores, gold, n_bins)
    t = t[t["n"] > 0]
    if t.empty:
        return float("nan")
    return float((t["n"] * (t["mean_score"] - t["share_gold"]).abs()).sum() / t["n"].sum())

"""The fast tier's distillation: the transfer set (which sentences, never the gold's), the soft
targets, heads that learn from them, and fold teachers that must exist."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from policykit.errors import InputError
from policykit.extract import training
from policykit.extract.transfer import MAX_SHARED, load_transfer, soft_targets
from policykit.extract.vocab import ROLES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
from corpus_builders import make_agora  # noqa: E402

LONG = "The agency shall publish guidance on the evaluation of frontier models every year."


def _agora(tmp_path, texts):
    rows = [{"AGORA ID": k, "Official name": f"Document {k}", "Authority": "United States Congress"} for k in texts]
    return make_agora(tmp_path / "agora", rows, texts)


def test_transfer_set_skips_gold_documents_and_texts_and_takes_whole_documents(tmp_path):
    gold_sentence = "Providers of general-purpose models shall keep technical documentation up to date."
    texts = {
        "1": f"{LONG}\n\nShort line.\n\nEach developer shall report serious incidents to the office.\n",
        "2": f"{LONG} {gold_sentence}\n",  # one shared sentence: kept, without it
        "3": "\n\n".join([gold_sentence] + [f"Gold sentence number {i} of the same law, copied here." for i in range(5)]),
        "4": "This document is annotated in the gold and must never be taken.\n",
    }
    root = _agora(tmp_path, texts)
    gold_texts = {gold_sentence} | {f"Gold sentence number {i} of the same law, copied here." for i in range(5)}
    ts = load_transfer({"agora-4"}, gold_texts, n_sentences=1000, directory=root)
    assert set(ts.groups) == {"agora-1", "agora-2"}  # 3 shares >= MAX_SHARED sentences, 4 is gold
    assert MAX_SHARED <= 6
    assert gold_sentence not in ts.texts and "Short line." not in ts.texts
    assert ts.rules.shape[0] == len(ts) == len(ts.groups)
    again = load_transfer({"agora-4"}, gold_texts, n_sentences=1000, directory=root)
    assert again.texts == ts.texts and again.digest() == ts.digest()
    # documents are taken whole, in a fixed order, until the size is reached
    one = load_transfer({"agora-4"}, gold_texts, n_sentences=1, directory=root)
    assert len(set(one.groups)) == 1 and set(one.texts) <= set(ts.texts)


def test_no_agora_folder_means_no_transfer_set(tmp_path):
    assert load_transfer(set(), directory=tmp_path / "missing") is None


def test_soft_targets_are_probabilities_masked_like_the_gold():
    lg = {"role": np.array([[5.0, 0, 0], [0, 5.0, 0], [0, 0, 5.0]], np.float32),
          "risk": np.zeros((3, 1), np.float32), "risk_domain": np.array([[10.0, -10.0]] * 3, np.float32),
          "instrument": np.zeros((3, 4), np.float32)}
    t, k = soft_targets(lg)
    assert np.allclose(t["role"].sum(axis=1), 1) and np.allclose(t["risk"], 0.5)
    assert t["risk_domain"][0, 0] > 0.99 and t["risk_domain"][0, 1] < 0.01
    arg = [ROLES[i] for i in lg["role"].argmax(axis=1)]
    assert k["risk_domain"].tolist() == [r != "other" for r in arg]
    assert k["instrument"].tolist() == [r == "proposal" for r in arg]
    assert k["role"].all() and k["risk"].all()


class _M:
    """The part of the training matrices that :func:`training.fit_heads` reads."""

    def __init__(self, role):
        n = len(role)
        self.targets = {"role": np.asarray(role), "risk": np.zeros((n, 1), np.float32),
                        "risk_domain": np.zeros((n, 2), np.float32), "risk_subdomain": np.zeros((n, 2), np.float32),
                        "instrument": np.zeros((n, 2), np.float32), "addressee": np.zeros((n, 2), np.float32)}
        self.masks = {h: np.ones(n, bool) for h in self.targets}


def test_heads_learn_from_soft_rows_what_the_gold_does_not_show():
    rng = np.random.default_rng(0)
    # 12 gold rows carry no signal in feature 0; 400 soft rows say: feature 0 > 0 means a proposal
    Xg = np.c_[np.zeros(12), rng.normal(size=(12, 3))].astype(np.float32)
    m = _M(rng.integers(0, 3, 12))
    Xs = rng.normal(size=(400, 4)).astype(np.float32)
    role = np.where(Xs[:, :1] > 0, [[0.05, 0.9, 0.05]], [[0.9, 0.05, 0.05]]).astype(np.float32)
    zeros = {h: np.zeros((400, v.shape[1]), np.float32) for h, v in m.targets.items() if h != "role"}
    masks = {h: np.ones(400, bool) for h in m.targets}
    heads = training.fit_heads(Xg, m, np.arange(12), epochs=40, lr=0.05, soft=(Xs, {"role": role, **zeros}, masks, 1.0))
    W, b = heads["role"]
    test = np.array([[2.0, 0, 0, 0], [-2.0, 0, 0, 0]], np.float32)
    pred = (test @ W.T + b).argmax(axis=1)
    assert pred.tolist() == [1, 0]
    again = training.fit_heads(Xg, m, np.arange(12), epochs=40, lr=0.05, soft=(Xs, {"role": role, **zeros}, masks, 1.0))
    assert all(np.array_equal(heads[h][0], again[h][0]) for h in heads)  # seeded


def test_distilled_cross_validation_needs_the_fold_teachers(tmp_path):
    from policykit.extract.transfer import TransferSet
    m = _M([0, 1, 2, 0])
    m.rules = np.zeros((4, 2), np.float32)
    m.texts = ["a b c"] * 4
    m.digest = lambda: "x"
    oof = {"unit_fold": np.array([0, 0, 1, 1]), "mit_fold": np.zeros(0, int), "fold_dir": str(tmp_path / "none"),
           "logits": {h: np.zeros((4, 3 if h == "role" else v.shape[1]), np.float32) for h, v in m.targets.items()}}
    ts = TransferSet(["x y z"], ["agora-1"], np.zeros((1, 2), np.float32), "test")
    with pytest.raises(InputError, match="fold"):
        training.student_cv(m, oof, cache=False, ts=ts)

"""Document context: a small bidirectional GRU that rereads a document's sentences in order.

The sentence model (:class:`policykit.extract.model.ExtractionModel`) scores each sentence on
its own. Many labels need the sentences around it: a list item inherits the role and the
instrument of the clause that introduces it ("the developer shall: (A) ..."), a run of sentences
in a section on privacy carries its domain, a corporate policy's proposals ask the company
itself to act. :class:`DocumentModel` takes, for every sentence of a document in order, the
sentence model's logits and the rule features, runs a bidirectional GRU over them and outputs
new logits for every head.

It is trained on *out-of-fold* sentence-model logits (from grouped cross-validation), so it
learns how far to trust them on documents the sentence model has not seen, which is what it
meets at extraction time. Inference is plain numpy (no torch), one document at a time, so a
sentence's labels depend on its own document only.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from .. import config

#: heads and their sizes are those of the sentence model
GRU_PREFIX = "doc."


def _sig(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60, 60)))


class DocumentModel:
    """Bidirectional GRU over a document's sentences (scikit-learn conventions).

    Parameters
    ----------
    hidden : int
        GRU state size (each direction).
    epochs, lr, weight_decay, dropout : training schedule (AdamW, one document per step).
    seed : int
    threads : int
        torch threads while training.
    """

    def __init__(self, hidden: int = 64, epochs: int = 30, lr: float = 3e-3, weight_decay: float = 1e-2,
                 dropout: float = 0.2, seed: int = config.SEED, threads: int = 1):
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.seed = seed
        self.threads = threads

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in ("hidden", "epochs", "lr", "weight_decay", "dropout", "seed", "threads")}

    # ------------------------------------------------------------------ fit
    def fit(self, X: np.ndarray, groups: Sequence[str], targets: dict, masks: dict, sizes: dict) -> "DocumentModel":
        """Fit on rows ``X`` (n, d) grouped by document (rows of a document contiguous, in order).

        ``targets`` / ``masks`` as for the sentence model; ``sizes``: head -> number of outputs.
        """
        import torch
        import torch.nn as nn
        threads = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            torch.manual_seed(self.seed)
            rng = np.random.default_rng(self.seed)
            X = np.asarray(X, np.float32)
            self.mu_ = X.mean(axis=0).astype(np.float32)
            self.sd_ = (X.std(axis=0) + 1e-3).astype(np.float32)
            Xs = (X - self.mu_) / self.sd_
            d, h = X.shape[1], self.hidden
            self.sizes_ = {k: int(v) for k, v in sizes.items()}
            net = _Net(d, h, self.sizes_, self.dropout)
            opt = torch.optim.AdamW(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
            seqs = _runs(groups)
            T = {k: torch.as_tensor(np.asarray(v)) for k, v in targets.items()}
            M = {k: torch.as_tensor(np.asarray(v, bool)) for k, v in masks.items()}
            Xt = torch.from_numpy(Xs)
            for _ in range(self.epochs):
                net.train()
                for j in rng.permutation(len(seqs)):
                    s, e = seqs[j]
                    out = net(Xt[s:e])
                    loss = 0.0
                    for k, lg in out.items():
                        m = M[k][s:e]
                        if not bool(m.any()):
                            continue
                        if k == "role":
                            loss = loss + nn.functional.cross_entropy(lg[m], T[k][s:e][m].long())
                        else:
                            tgt = T[k][s:e][m].float()
                            loss = loss + nn.functional.binary_cross_entropy_with_logits(
                                lg[m].reshape(tgt.shape), tgt) * math.sqrt(lg.shape[1])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
            net.eval()
            self.arrays_ = {name: p.detach().numpy().astype(np.float32).copy() for name, p in net.named_parameters()}
        finally:
            torch.set_num_threads(threads)
        return self

    # ------------------------------------------------------------------ inference (numpy)
    def logits(self, X: np.ndarray) -> dict[str, np.ndarray]:
        """New logits of every head for one document's rows ``X`` (in order)."""
        a = self.arrays_
        x = (np.asarray(X, np.float32) - self.mu_) / self.sd_
        z = np.maximum(x @ a["inp.weight"].T + a["inp.bias"], 0.0)
        fw = _gru(z, a, "gru.weight_ih_l0", "gru.weight_hh_l0", "gru.bias_ih_l0", "gru.bias_hh_l0")
        bw = _gru(z[::-1], a, "gru.weight_ih_l0_reverse", "gru.weight_hh_l0_reverse", "gru.bias_ih_l0_reverse",
                  "gru.bias_hh_l0_reverse")[::-1]
        feat = np.hstack([fw, bw, x])
        return {k: feat @ a[f"heads.{k}.weight"].T + a[f"heads.{k}.bias"] for k in self.sizes_}

    def to_arrays(self) -> dict[str, np.ndarray]:
        out = {GRU_PREFIX + k: v for k, v in self.arrays_.items()}
        out[GRU_PREFIX + "mu"] = self.mu_
        out[GRU_PREFIX + "sd"] = self.sd_
        return out

    @classmethod
    def from_arrays(cls, arrays: dict, params: dict, sizes: dict) -> "DocumentModel":
        m = cls(**params)
        m.arrays_ = {k[len(GRU_PREFIX):]: np.asarray(v, np.float32) for k, v in arrays.items()
                     if k.startswith(GRU_PREFIX) and k not in (GRU_PREFIX + "mu", GRU_PREFIX + "sd")}
        m.mu_ = np.asarray(arrays[GRU_PREFIX + "mu"], np.float32)
        m.sd_ = np.asarray(arrays[GRU_PREFIX + "sd"], np.float32)
        m.sizes_ = {k: int(v) for k, v in sizes.items()}
        return m


def _runs(groups: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of every run of equal consecutive group keys."""
    out, s = [], 0
    g = list(groups)
    for i in range(1, len(g) + 1):
        if i == len(g) or g[i] != g[s]:
            out.append((s, i))
            s = i
    return out


def _gru(x: np.ndarray, a: dict, wih: str, whh: str, bih: str, bhh: str) -> np.ndarray:
    """One direction of a torch ``nn.GRU`` layer in numpy (gate order r, z, n)."""
    Wih, Whh, b_ih, b_hh = a[wih], a[whh], a[bih], a[bhh]
    H = Whh.shape[1]
    gi = x @ Wih.T + b_ih
    h = np.zeros(H, np.float32)
    out = np.zeros((len(x), H), np.float32)
    for t in range(len(x)):
        gh = Whh @ h + b_hh
        r = _sig(gi[t, :H] + gh[:H])
        z = _sig(gi[t, H:2 * H] + gh[H:2 * H])
        n = np.tanh(gi[t, 2 * H:] + r * gh[2 * H:])
        h = (1.0 - z) * n + z * h
        out[t] = h
    return out


def _Net(d: int, h: int, sizes: dict, dropout: float):
    import torch
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(d, h)
            self.gru = nn.GRU(h, h, batch_first=True, bidirectional=True)
            self.drop = nn.Dropout(dropout)
            self.heads = nn.ModuleDict({k: nn.Linear(2 * h + d, n) for k, n in sizes.items()})

        def forward(self, x):
            z = torch.relu(self.inp(x))
            g, _ = self.gru(self.drop(z)[None])
            f = torch.cat([g[0], x], dim=1)
            f = self.drop(f)
            return {k: m(f) for k, m in self.heads.items()}

    return Net()

"""Where the addressee score is lost: role errors or the addressee decision itself?

    .venv/bin/python benchmarks/addressee_ceiling.py [--embedding minilm|static]

Leave-one-essay-out cross-validation on the dev gold, as ``policykit evaluate --cv``, scored
by the same scorer, in three settings:

* ``pipeline``: the extractor as shipped (predicted roles, predicted addressees);
* ``gold roles``: the role scores replaced by the gold role (one-hot) before the decisions, so
  that addressees are decided on exactly the gold proposals (layout and question rules still
  apply);
* ``perfect addressees``: the pipeline's roles, but every predicted proposal gets its gold
  addressees: the most that a better addressee decision could reach while roles stay as
  predicted.

The gap between the first two rows is what role errors cost; the second row is what the
addressee decision reaches on 163 annotated proposals. Takes about 2 minutes on 2 cores.
Prints a Markdown table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embedding", default="minilm", choices=("minilm", "static"))
    args = ap.parse_args(argv)

    import numpy as np
    import pandas as pd

    from policykit.evaluate import predictions_from_wide, score_predictions
    from policykit.extract.api import LABEL_COLUMNS
    from policykit.extract.decide import decide, load_thresholds
    from policykit.extract.model import ROLES
    from policykit.extract.training import fit_model, load_training

    t0 = time.perf_counter()
    td = load_training(args.embedding)
    th = load_thresholds(None)
    essays = td.gold["essay_id"].to_numpy()
    gold_roles = td.gold["role"].to_numpy()
    sent_ids = td.gold["sent_id"].astype(str).to_numpy()
    S = td.corpus.sentences.set_index("sent_id").loc[td.gold["sent_id"]].reset_index()
    raw = td.corpus.raw(S.at[0, "doc_id"])
    gold = td.gold.sort_values("line", kind="stable").to_dict("records")
    for r in gold:
        r["addressee"] = r["addressees"]

    pipeline: list = [None] * len(td.fs)
    oracle_roles: list = [None] * len(td.fs)
    for ess in dict.fromkeys(essays):
        te = np.where(essays == ess)[0]
        model = fit_model(td, rows=np.where(essays != ess)[0], embedding=args.embedding)
        fs = td.fs.subset(te)
        sc = model.score(fs)
        for k, r in zip(te, decide(fs, sc, model, th, sent_ids=sent_ids[te].tolist())):
            pipeline[k] = r
        sc.role = np.eye(len(ROLES), dtype=np.float32)[[ROLES.index(g) for g in gold_roles[te]]]
        for k, r in zip(te, decide(fs, sc, model, th, sent_ids=sent_ids[te].tolist())):
            oracle_roles[k] = r
    gold_addr = td.gold["addressees"].tolist()
    perfect = [dict(r, addressees=list(gold_addr[k]) if r["role"] == "proposal" else r["addressees"])
               for k, r in enumerate(pipeline)]

    rows = []
    for name, recs in (("pipeline", pipeline), ("gold roles", oracle_roles), ("perfect addressees", perfect)):
        wide = pd.concat([S, pd.DataFrame(recs, columns=LABEL_COLUMNS)], axis=1)
        res = score_predictions(raw, predictions_from_wide(wide), gold)
        s = res["summary"]
        c = res["per_label"]
        c = c[c["facet"] == "addressee"][["tp", "fp", "fn"]].sum()
        rows.append((name, s["role_macro_f1"], s["addressee_micro_f1"], s["addressee_macro_f1"],
                     int(c["tp"]), int(c["fp"]), int(c["fn"])))
    n_prop = int((gold_roles == "proposal").sum())
    print(f"addressee ceiling, leave-one-essay-out on the dev gold ({len(td.fs)} sentences, "
          f"{n_prop} gold proposals), embedding {args.embedding}, {time.perf_counter() - t0:.0f} s\n")
    print("| setting | role macro-F1 | addressee micro-F1 | addressee macro-F1 | tp | fp | fn |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, rm, mi, ma, tp, fp, fn in rows:
        print(f"| {name} | {rm:.3f} | {mi:.3f} | {ma:.3f} | {tp} | {fp} | {fn} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

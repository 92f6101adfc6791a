"""Governance-passage agreement (``policykit segeval``): exact spans, per document and split."""

from __future__ import annotations

import json

from policykit.corpus.segeval import governance_agreement, held_out_ids


def _write_gold(root, texts: dict[str, str], units: dict[str, list[str]]):
    (root / "data").mkdir()
    (root / "gold").mkdir()
    docs, recs = [], []
    for essay_id, text in texts.items():
        src = f"data/{essay_id}.txt"
        (root / src).write_text(text, encoding="utf-8")
        pos = 0
        for n, u in enumerate(units[essay_id]):
            start = text.index(u, pos)
            pos = start + len(u)
            recs.append({"essay_id": essay_id, "n": n, "source": src, "start": start, "end": pos,
                         "text": " ".join(u.split())})
        docs.append({"essay_id": essay_id, "source": src, "passage": [0, len(text)]})
    (root / "gold" / "documents-governance.json").write_text(json.dumps(docs), encoding="utf-8")
    with open(root / "gold" / "sentences-governance.jsonl", "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r) + "\n")
    return root / "gold" / "sentences-governance.jsonl"


def test_held_out_rule_is_every_third_in_sorted_order():
    ids = [f"d{i:02d}" for i in range(31)]
    held = held_out_ids(reversed(ids))
    assert held == ids[2::3] and len(held) == 10


def test_agreement_counts_exact_spans_per_document_and_split(tmp_path):
    texts = {"a": "First sentence here. Second one follows.\n",
             "b": "The countries represented were:\n\nAustralia\nBrazil\nCanada\n",
             "c": "One. Two.\n"}
    units = {"a": ["First sentence here.", "Second one follows."],
             "b": ["The countries represented were:", "Australia", "Brazil", "Canada"],
             "c": ["One. Two."]}  # a unit the segmenter splits: not reproduced
    gold = _write_gold(tmp_path, texts, units)
    table = governance_agreement(gold, cache=False, held_out=["b"]).set_index("essay_id")
    assert table.loc["a", "agreement"] == 1.0 and table.loc["a", "split"] == "read"
    assert table.loc["b", "n_exact"] == 4 and table.loc["b", "split"] == "not read"
    assert table.loc["c", "n_exact"] == 0
    assert table.loc["(all)", "n_gold"] == 7 and table.loc["(all)", "n_exact"] == 6
    assert table.loc["(read)", "n_gold"] == 3 and table.loc["(not read)", "agreement"] == 1.0


def test_segeval_command_prints_both_measurements(tmp_path, capsys):
    from policykit.cli import main

    gold = _write_gold(tmp_path, {"a": "First sentence here. Second one follows.\n"},
                       {"a": ["First sentence here.", "Second one follows."]})
    assert main(["segeval", "--governance", str(gold), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "boundary" in out and "governance passages" in out and "(all)" in out

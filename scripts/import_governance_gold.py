"""Copy the governance gold of ``../shared/gold`` into ``data/training/`` with its provenance.

Labels, offsets and document metadata are always copied. A sentence's text is copied only when
its source text is shipped in ``data/raw/governance-texts/`` (texts whose licence allows
redistribution, see that folder's SOURCE.md); for every other source (AGORA texts: company
documents and texts without an open licence) the record keeps ``source``, ``start``, ``end`` and
the SHA-256 of the text, and ``policykit train`` reads the text from ``../shared/data/`` (saying
so when it is absent).

Usage: ``python scripts/import_governance_gold.py [SHARED_DIR]`` (default ``../shared``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "raw" / "governance-texts"
OUT = ROOT / "data" / "training"


def main(shared: Path) -> None:
    gold = [json.loads(line) for line in (shared / "gold" / "sentences-governance.jsonl").open(encoding="utf-8")
            if line.strip()]
    docs = json.loads((shared / "gold" / "documents-governance.json").read_text(encoding="utf-8"))
    n_text = 0
    records = []
    for g in gold:
        src = g["source"]
        shipped = src.startswith("data/governance-texts/") and (SHIPPED / Path(src).name).exists()
        if shipped:
            raw = (SHIPPED / Path(src).name).read_text(encoding="utf-8")
            assert " ".join(raw[g["start"]:g["end"]].split()) == " ".join(g["text"].split()), g
        rec = {"essay_id": g["essay_id"], "n": g["n"], "source": src, "start": g["start"], "end": g["end"],
               "text_sha256": hashlib.sha256(" ".join(g["text"].split()).encode("utf-8")).hexdigest()}
        if shipped:
            rec["text"] = g["text"]
            n_text += 1
        for k in ("role", "risk_domains", "risk_subdomains", "instruments", "addressee"):
            rec[k] = g[k]
        records.append(rec)
    with (OUT / "sentences-governance.jsonl").open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    for d in docs:
        d["text_shipped"] = d["source"].startswith("data/governance-texts/") and (SHIPPED / Path(d["source"]).name).exists()
    (OUT / "documents-governance.json").write_text(json.dumps(docs, indent=1, ensure_ascii=False) + "\n",
                                                   encoding="utf-8")
    print(f"{len(records)} sentences of {len(docs)} documents; text shipped for {n_text}, "
          f"read from ../shared for {len(records) - n_text}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared")

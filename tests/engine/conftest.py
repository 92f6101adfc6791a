"""Fixtures of the engine tests: small corpora written as files from the bundled report."""

from __future__ import annotations

import pytest

#: Report documents used as "files" (short essays of different chapters).
DOCS = ["fm-editors-note", "ch1-ji", "ch2-trager", "ch3-png", "ch4-ma", "ch5-si", "ch5-zou"]


def _texts(report, n: int) -> dict[str, str]:
    P = report.paragraphs
    ids = [d for d in report.doc_ids if d in DOCS] or report.doc_ids
    ids = (ids + [d for d in report.doc_ids if d not in ids])[:n]
    out = {}
    for d in ids:
        paras = P[(P["doc_id"] == d) & (P["section"].isin(["body", "heading"]))]["text"].tolist()[:25]
        out[d] = "\n\n".join(paras) + "\n"
    return out


@pytest.fixture(scope="session")
def doc_texts(report) -> dict[str, str]:
    """doc name -> text of 7 documents (the first 25 body paragraphs of report essays)."""
    return _texts(report, 7)


@pytest.fixture()
def write_docs(tmp_path):
    """write_docs(texts, names) writes ``name.txt`` files into a fresh folder and returns it."""
    def write(texts: dict[str, str], names=None, folder: str = "corpus"):
        d = tmp_path / folder
        d.mkdir(exist_ok=True)
        for name in names or list(texts):
            (d / f"{name}.txt").write_text(texts[name], encoding="utf-8")
        return d
    return write

"""The rendered report: files, CSVs matching figures, HTML escaping, and one kaleido export."""

import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from policykit.report import build_report, export_static  # noqa: E402
from policykit.store import read_table  # noqa: E402
from tests.fixtures.tiny import tiny_wide  # noqa: E402

EVIL = "Governance <script>alert('pwned')</script> must </script> be & stay safe."


class _Corpus:
    def __init__(self, documents):
        self.documents = documents


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    w = tiny_wide()
    w.loc[w["sent_id"] == "a1.p000.s01", "text"] = EVIL
    docs = w.drop_duplicates("doc_id")[["doc_id", "title", "chapter", "region", "sector"]]
    docs.loc[docs["doc_id"] == "b1", "title"] = "<img src=x onerror=alert(1)>"
    out = tmp_path_factory.mktemp("report")
    res = build_report(corpus=_Corpus(docs), extraction=w, by=["region", "chapter", "nope"],
                       out=out, topics=False, static=False, progress=False, n_boot=50)
    return res, out


def test_writes_every_figure_and_table(built):
    res, out = built
    assert (out / "index.html").exists() and (out / "summary.json").exists()
    assert (out / "figures" / "plotly.min.js").exists()
    names = [s.name for s in res.sections]
    for must in ("region-risk-domains", "chapter-instruments", "region-risk-domains-ci",
                 "region-distinctive-terms", "region-positions", "region-consensus",
                 "region-instrument-sankey", "stances"):
        assert must in names
    for n in names:
        assert (out / "figures" / f"{n}.html").exists()
        assert (out / "tables" / f"{n}.csv").exists()
    assert any("nope" in n for n in res.notes)  # unusable grouping: skipped with a note
    assert not list(out.rglob(".*tmp*"))  # no temporary files left


def test_csv_matches_figure(built):
    res, out = built
    sec = next(s for s in res.sections if s.name == "region-risk-domains")
    csv = read_table(out / "tables" / "region-risk-domains.csv")
    hm = sec.figure.data[0]
    pivot = csv.pivot(index="group", columns="label", values="doc_share")
    labels = list(dict.fromkeys(csv["label"]))  # the figure shows their names, in this order
    assert len(hm.x) == len(labels)
    for i, g in enumerate(["A", "B"]):
        for j, lab in enumerate(labels):
            assert pivot.loc[g, lab] == pytest.approx(hm.z[i][j])  # both rounded to 3 decimals


def test_html_escapes_document_text(built):
    _, out = built
    for page in [out / "index.html", *(out / "figures").glob("*.html")]:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert "<img src=x" not in text, page
    index = (out / "index.html").read_text(encoding="utf-8")
    # the sentence is shown (escaped) in the evidence list, with its anchor
    assert "&lt;script&gt;alert(" in index
    assert 'id="s-a1.p000.s01"' in index and 'href="#s-a1.p000.s01"' in index


def test_static_export_png_svg(tmp_path):
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None \
            and shutil.which("google-chrome") is None:
        pytest.skip("no Chromium for kaleido")
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    paths = [tmp_path / "f.png", tmp_path / "f.svg"]
    export_static([fig, fig], paths, width=300)
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:500]


def test_cli_report_on_a_small_corpus(tmp_path, monkeypatch):
    """`policykit report PATHS --by region --out DIR` end to end (extraction stubbed by the
    hand-made frame so the test stays fast and independent of the extractor)."""
    pytest.importorskip("policykit.extract")
    from policykit.cli import main

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Governments should regulate AI. <script>x</script>\n",
                               encoding="utf-8")
    w = tiny_wide()

    class _Run:  # what policykit.engine.extract_corpus returns, for the hand-made frame
        tier = type("T", (), {"name": "accurate"})()
        reason = "stub"

        def summary(self):
            return "model: stub"

        def read(self):
            out = w.copy()
            out.attrs.update(model_version="accurate-stub", source="stub extraction")
            return out

    monkeypatch.setattr("policykit.engine.extract_corpus", lambda corpus, **kw: _Run(), raising=False)
    out = tmp_path / "rep"
    code = main(["report", str(src), "--out", str(out), "--no-static",
                 "--no-topics", "--quiet", "--bootstrap", "20"])
    assert code == 0 and (out / "index.html").exists()
    # asking for a column no document has is an error, not a document-by-document comparison
    code = main(["report", str(src), "--by", "region", "--out", str(out), "--no-static",
                 "--no-topics", "--quiet"])
    assert code == 2


def test_links_the_evidence_explorer(built):
    _, out = built
    page = (out / "explorer.html").read_text(encoding="utf-8")
    assert "a1.p000.s01" in page and "<script>alert('pwned')" not in page
    assert 'href="explorer.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_cli_report_stores_its_extraction_and_reuses_it(tmp_path, capsys):
    """The report extracts through the store with the tier it names (here --model fast), and a
    second report on the same files extracts nothing."""
    pytest.importorskip("policykit.extract")
    import json

    from policykit.cli import main

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Governments should regulate frontier AI models. Deepfakes spread "
                               "disinformation.\n", encoding="utf-8")
    (src / "b.txt").write_text("Companies must test their models for bias before release.\n", encoding="utf-8")
    args = ["report", str(src), "--model", "fast", "--no-static", "--no-topics", "--quiet", "--bootstrap", "10"]
    assert main(args + ["--out", str(tmp_path / "r1")]) == 0
    first = capsys.readouterr().err
    assert "model: fast" in first and "2 document(s) extracted, 0 reused" in first
    assert main(args + ["--out", str(tmp_path / "r2")]) == 0
    assert "0 document(s) extracted, 2 reused" in capsys.readouterr().err
    summary = json.loads((tmp_path / "r2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["extraction"]["tier"] == "fast" and summary["extraction"]["model_version"].startswith("fast-")
    assert "fast tier" in (tmp_path / "r2" / "index.html").read_text(encoding="utf-8")


def test_topics_of_a_large_corpus_use_a_fixed_sample_of_documents():
    from policykit.report import topic_documents

    class _C:
        def __init__(self, n_docs, per_doc):
            self.doc_ids = [f"d{i:03d}" for i in range(n_docs)]
            self.paragraphs = pd.DataFrame({"doc_id": [d for d in self.doc_ids for _ in range(per_doc)],
                                            "section": "body"})

    small = _C(10, 3)
    assert topic_documents(small, max_paragraphs=30) == (small.doc_ids, None)
    big = _C(100, 5)
    docs, note = topic_documents(big, max_paragraphs=100)
    assert len(docs) == 20 and docs == [d for d in big.doc_ids if d in set(docs)]  # corpus order
    assert "20 of 100 documents" in note and "100 of 500" in note
    assert topic_documents(big, max_paragraphs=100)[0] == docs  # the same sample every time
    bigger = _C(120, 5)  # more documents: the sample changes only where a new one sorts earlier
    assert len(set(topic_documents(bigger, max_paragraphs=100)[0]) & set(docs)) >= 15

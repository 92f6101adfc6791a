"""Issue 14 on the new user's corpus (five documents: txt, md, html, docx, pdf + a CSV sidecar):
one test per numbered failure 1-4, 7 and 8 of its "Why" section, run through the command line
as the user ran it. The extraction is stubbed by a frame with known labels (only the Latin
American document raises privacy), so the tests are fast and do not depend on the extractor."""

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from policykit.cli import main  # noqa: E402
from policykit.errors import InputError  # noqa: E402
from tests.fixtures.user_corpus import make_user_corpus  # noqa: E402

pytest.importorskip("policykit.extract")


def fake_extract(corpus, **kw):
    """A wide view of the corpus's sentences: every sentence a claim; Andina's sentences raise
    privacy & security; the first sentence of every document proposes a dedicated regulator."""
    s = corpus.sentences.copy()
    s["role"] = ["proposal" if i == 0 else "claim" for i in s.groupby("doc_id").cumcount()]
    s["role_score"] = 0.9
    andina = s["doc_id"].str.startswith("andina")
    s["risk_domains"] = [["privacy_security"] if a else [] for a in andina]
    s["risk_subdomains"] = [["2.1"] if a else [] for a in andina]
    s["instruments"] = [["dedicated_regulator"] if r == "proposal" else [] for r in s["role"]]
    s["addressees"] = [["states"] if r == "proposal" else [] for r in s["role"]]
    s["scores"] = [{} for _ in range(len(s))]
    s["evidence"] = [{} for _ in range(len(s))]
    return s


def no_extract(corpus, **kw):
    raise AssertionError("the command must stop before the extraction")


@pytest.fixture()
def user(tmp_path, monkeypatch):
    """The user's folder (current directory) with corpus/ and meta.csv; extraction stubbed."""
    make_user_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("policykit.extract.extract", fake_extract, raising=False)
    return tmp_path


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


REPORT = ("report", "corpus", "--metadata", "meta.csv", "--no-static", "--no-topics", "-q",
          "--bootstrap", "50")


# ----------------------------------------------------------------------------- failure 1
def test_1_notebook_paths_mean_what_the_user_typed(user, capsys):
    """`policykit notebook 3.01 --param corpus=corpus` from the folder holding corpus/ runs on
    ./corpus; a corpus that does not exist is an error naming it, never the default corpus."""
    from policykit.commands.notebook import resolve_parameters

    declared = {"corpus": {"help": "file or folder of texts"}, "metadata": {"help": "sidecar"},
                "group_by": {"help": "document column"}, "out": {"help": "output folder"}}
    got = resolve_parameters({"corpus": "corpus", "metadata": "meta.csv", "group_by": "region",
                              "out": "runs"}, declared)
    assert got == {"corpus": str(user / "corpus"), "metadata": str(user / "meta.csv"),
                   "group_by": "region", "out": str(user / "runs")}
    with pytest.raises(InputError, match="did you mean 'corpus'"):
        resolve_parameters({"corpos": "corpus"}, declared)
    # end to end: the missing folder stops the command before papermill starts
    code, _, err = run(capsys, "notebook", "3.01", "--param", "corpus=no-such-corpus")
    assert code == 2
    assert str(user / "no-such-corpus") in err and "falls back" in err
    assert not (user / "reports").exists()


def test_1_notebook_301_has_no_fallback_and_states_its_corpus():
    src = (Path(_ROOT) / "notebooks" / "3.01-your-own-corpus.py").read_text(encoding="utf-8")
    params = src.split('tags=["parameters"]', 1)[1].split("# %%", 1)[0]
    assert "fallback" not in params and "first_existing(corpus" not in src
    assert "describe_path(" in src  # the corpus it ran on is printed at the top
    assert "Findings on the default corpus" in src and "is_default" in src


# ----------------------------------------------------------------------------- failure 2
@pytest.mark.parametrize("header", ["regoin", "Regions"])
def test_2_misspelt_sidecar_column_is_reported_and_by_fails(tmp_path, monkeypatch, capsys, header):
    make_user_corpus(tmp_path, region_column=header,
                     extra_rows=[("andina-polcy.pdf", "Andina", "Latin America", 2023)])
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "documents", "corpus", "--metadata", "meta.csv", "--format", "csv")
    assert code == 0
    assert f"column {header!r} is not a known metadata column; did you mean 'region'?" in err
    assert "'andina-polcy.pdf' (nearest: andina-policy.pdf)" in err  # unmatched row, nearest file
    monkeypatch.setattr("policykit.extract.extract", no_extract, raising=False)
    code, _, err = run(capsys, *REPORT, "--by", "region", "--out", "rep")
    assert code == 2
    assert "'region' is empty for every document" in err and "did you mean" in err
    assert not (tmp_path / "rep").exists()


def test_2_by_a_missing_column_suggests_the_nearest(user, capsys, monkeypatch):
    monkeypatch.setattr("policykit.extract.extract", no_extract, raising=False)
    code, _, err = run(capsys, *REPORT, "--by", "regio", "--out", "rep")
    assert code == 2 and "no document column named 'regio' (did you mean 'region'?)" in err


def test_2_sidecar_suggestions_do_not_fire_on_present_or_distinct_columns():
    from policykit.corpus.sidecar import close_known_column

    assert close_known_column("regoin") == "region"
    assert close_known_column("regions", present=["region"]) is None  # both exist: intentional
    assert close_known_column("ministry") is None and close_known_column("country") is None


# ----------------------------------------------------------------------------- failure 3
def test_3_intervals_never_zero_width_and_small_groups_flagged(user, capsys):
    code, _, err = run(capsys, *REPORT, "--by", "region", "--out", "rep")
    assert code == 0, err
    ci = pd.read_csv(user / "rep" / "tables" / "region-risk-domains-ci.csv")
    ci = ci[ci["label"] == "privacy_security"].set_index("group")
    eu, la = ci.loc["Europe"], ci.loc["Latin America"]
    assert (eu["n_docs"], eu["n_docs_group"]) == (0, 4) and (la["n_docs"], la["n_docs_group"]) == (1, 1)
    assert eu["doc_share_lo"] == 0.0 and eu["doc_share_hi"] == pytest.approx(0.49, abs=1e-3)
    assert la["doc_share_lo"] == pytest.approx(0.207, abs=1e-3) and la["doc_share_hi"] == 1.0
    assert (ci["doc_share_hi"] > ci["doc_share_lo"]).all()
    assert set(ci["doc_share_ci"]) == {"Wilson score 95%"}
    assert bool(eu["small_group"]) and bool(la["small_group"])  # 4 < 5 documents
    index = (user / "rep" / "index.html").read_text(encoding="utf-8")
    assert "Wilson score intervals" in index and "fewer than 5 documents" in index
    code, _, _ = run(capsys, *REPORT, "--by", "region", "--out", "rep", "--min-docs", "3")
    ci = pd.read_csv(user / "rep" / "tables" / "region-risk-domains-ci.csv").set_index("group")
    assert not ci.loc["Europe", "small_group"].any() and ci.loc["Latin America", "small_group"].all()


# ----------------------------------------------------------------------------- failure 4
def test_4_default_output_goes_where_the_user_is(user, capsys, monkeypatch):
    monkeypatch.delenv("POLICYKIT_REPORTS_DIR", raising=False)
    code, _, err = run(capsys, *REPORT, "--by", "region")
    assert code == 0, err
    assert (user / "reports" / "index.html").is_file()
    assert json.loads((user / "reports" / ".policykit.json").read_text())["kind"] == "report"


def test_4_rerun_replaces_the_report_whole(user, capsys):
    assert run(capsys, *REPORT, "--by", "region", "--out", "rep")[0] == 0
    (user / "rep" / "figures" / "stances.png").write_bytes(b"stale image")  # from a run with PNGs
    (user / "rep" / "topics").mkdir()  # another policykit output inside: carried over
    (user / "rep" / "topics" / ".policykit.json").write_text('{"kind": "topics"}')
    code, _, err = run(capsys, *REPORT, "--by", "year", "--out", "rep")
    assert code == 0, err
    names = {p.name for p in (user / "rep").rglob("*")}
    assert not [n for n in names if n.startswith("region-")], "stale region-* files survived"
    assert "stances.png" not in names and "stances.html" in names
    assert any(n.startswith("year-") for n in names)
    assert (user / "rep" / "topics" / ".policykit.json").is_file()
    assert not [p for p in user.iterdir() if ".policykit-" in p.name]  # no staging left


def test_4_refuses_a_folder_that_is_not_a_report_before_any_work(user, capsys, monkeypatch):
    (user / "mine").mkdir()
    (user / "mine" / "notes.txt").write_text("my notes")
    monkeypatch.setattr("policykit.extract.extract", no_extract, raising=False)
    code, _, err = run(capsys, *REPORT, "--by", "region", "--out", "mine")
    assert code == 2 and "not a policykit output" in err
    assert sorted(p.name for p in (user / "mine").iterdir()) == ["notes.txt"]


def test_4_a_failed_run_leaves_the_previous_report(user, capsys, monkeypatch):
    assert run(capsys, *REPORT, "--by", "region", "--out", "rep")[0] == 0
    before = sorted(str(p.relative_to(user)) for p in (user / "rep").rglob("*"))

    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr("policykit.report.sections.comparison_sections", broken)
    monkeypatch.setattr("policykit.report.comparison_sections", broken)
    with pytest.raises(RuntimeError):
        main(list(REPORT) + ["--by", "year", "--out", "rep"])
    assert sorted(str(p.relative_to(user)) for p in (user / "rep").rglob("*")) == before
    assert not [p for p in user.iterdir() if ".policykit-" in p.name]


# ----------------------------------------------------------------------------- failure 7
def test_7_report_shows_names_chapters_glossary_and_facet_columns(user, capsys):
    assert run(capsys, *REPORT, "--by", "region", "--out", "rep")[0] == 0
    index = (user / "rep" / "index.html").read_text(encoding="utf-8")
    assert "Glossary of labels" in index and "Dedicated regulator" in index
    assert "<th>risk domains</th>" in index and "<th>instruments</th>" in index
    gl = pd.read_csv(user / "rep" / "tables" / "glossary.csv")
    from policykit.taxonomy import load_taxonomy

    tax = load_taxonomy()
    for facet in ("role", "risk_domain", "risk_subdomain", "instrument", "addressee"):
        assert set(gl.loc[gl["facet"] == facet, "id"].astype(str)) == set(tax.ids(facet))
    heat = pd.read_csv(user / "rep" / "tables" / "region-instruments.csv")
    assert {"label", "label_name", "group", "group_name"} <= set(heat.columns)  # ids stay in CSV
    fig = json.loads((user / "rep" / "figures" / "region-instruments.html").read_text(
        encoding="utf-8").split("var f=", 1)[1].split(";var el=", 1)[0])
    xs = fig["data"][0]["x"]
    assert "Dedicated regulator" in xs and "dedicated_regulator" not in xs
    assert "[dedicated_regulator]" in json.dumps(fig["data"][0]["hovertext"]).replace("\\u003c", "<")


def test_7_chapters_are_shown_with_their_titles(report):
    from policykit.compare._frames import group_names

    names = group_names(report.documents, "chapter")
    assert names["1"] == "1: The Risks and Challenges of Generative AI"
    assert names["0"] == "0: Front matter"
    other = report.documents[["doc_id", "chapter"]].assign(doc_id=lambda d: "x-" + d["doc_id"])
    assert group_names(other, "chapter")["1"] == "1"  # another corpus's chapters: no report titles


# ----------------------------------------------------------------------------- failure 8
def test_8_xlsx_csv_lists_and_early_format_check(user, capsys, monkeypatch):
    code, _, err = run(capsys, "documents", "corpus", "--metadata", "meta.csv", "--out", "docs.xlsx")
    assert code == 0, err
    import openpyxl

    ws = openpyxl.load_workbook(user / "docs.xlsx").active
    header = [c.value for c in ws[1]]
    assert "doc_id" in header and ws.max_row == 6
    code, _, _ = run(capsys, "sentences", "corpus", "--format", "csv", "--out", "s.csv")
    assert code == 0
    # an unknown suffix fails before the (expensive) extraction
    monkeypatch.setattr("policykit.extract.extract", no_extract, raising=False)
    code, _, err = run(capsys, "extract", "corpus", "--out", "labels.xlsm")
    assert code == 2 and ".xlsx" in err
    code, _, err = run(capsys, "extract", "corpus", "--format", "xlsx")
    assert code == 2 and "--out FILE.xlsx" in err


def test_8_report_xlsx_one_sheet_per_table_and_list_columns_joined(user, capsys):
    code, _, err = run(capsys, *REPORT, "--by", "region", "--out", "rep", "--tables", "csv,xlsx")
    assert code == 0, err
    import openpyxl

    wb = openpyxl.load_workbook(user / "rep" / "tables" / "report.xlsx")
    assert {"region-risk-domains-ci", "glossary", "extraction"} <= set(wb.sheetnames)
    csv = pd.read_csv(user / "rep" / "tables" / "region-instruments.csv")
    ids = [v for v in csv["sent_ids"].dropna() if v]
    assert ids and all(not v.startswith("[") for v in ids)  # "; "-joined, not JSON
    assert any("; " in v for v in ids)


def test_8_bad_report_table_format_fails_before_work(user, capsys, monkeypatch):
    monkeypatch.setattr("policykit.extract.extract", no_extract, raising=False)
    code, _, err = run(capsys, *REPORT, "--by", "region", "--out", "rep", "--tables", "csv,xls")
    assert code == 2 and "unknown report table format" in err


def test_8_help_lists_output_columns_and_the_list_convention(capsys):
    for cmd in ("extract", "documents", "sentences", "report"):
        with pytest.raises(SystemExit):
            main([cmd, "--help"])
        out = capsys.readouterr().out
        if cmd == "extract":
            assert "risk_subdomains" in out and "role_score" in out
        if cmd != "report":
            assert 'joined with "; "' in out
        else:
            assert "label_name" in out and "Wilson" in out

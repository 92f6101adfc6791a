"""Metadata sidecars: CSV and YAML layouts, matching, types, and every malformed case."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykit.corpus.sidecar import read_sidecar
from policykit.errors import InputError


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_sidecar_types_and_aliases(tmp_path):
    p = write(tmp_path / "meta.csv",
              "doc_id,Title,region,year,type,Authors,Page Count,score\n"
              "eo,Executive Order,north_america,2023,executive_order,A. One; B. Two,12,0.5\n"
              'hleg,"Ethics Guidelines, Trustworthy AI",europe,2019-04-08,guidelines,,3,1\n')
    sc = read_sidecar(p)
    assert [r.doc_id for r in sc.rows] == ["eo", "hleg"]
    eo, hleg = (r.metadata for r in sc.rows)
    assert eo["title"] == "Executive Order" and eo["doc_type"] == "executive_order"
    assert eo["year"] == 2023 and hleg["year"] == 2019  # a date gives its year
    assert eo["authors"] == ["A. One", "B. Two"] and hleg["authors"] == []
    assert hleg["title"] == "Ethics Guidelines, Trustworthy AI"
    assert eo["page_count"] == "12"  # extra columns kept (CSV values are text), names snake-cased
    assert set(sc.columns) >= {"title", "region", "year", "doc_type", "authors", "page_count", "score"}
    assert [r.line for r in sc.rows] == [2, 3]


def test_csv_with_bom_semicolons_and_quoted_newlines(tmp_path):
    p = write(tmp_path / "meta.csv", "\ufeffdoc_id;title;notes\nx;Title X;\"two\nlines\"\n")
    sc = read_sidecar(p)
    assert sc.rows[0].doc_id == "x" and sc.rows[0].metadata["notes"] == "two\nlines"


def test_yaml_list_and_mapping_layouts(tmp_path):
    lst = write(tmp_path / "a.yaml", "- doc_id: eo\n  title: EO\n  year: 2023\n  authors: [A, B]\n  extra: 1\n"
                                     "- file: sub/hleg.txt\n  type: guidelines\n  extra: 2.5\n")
    sc = read_sidecar(lst)
    assert sc.rows[0].metadata == {"title": "EO", "year": 2023, "authors": ["A", "B"], "extra": 1.0}
    assert sc.rows[1].file == "sub/hleg.txt" and sc.rows[1].metadata["doc_type"] == "guidelines"
    assert sc.rows[1].metadata["extra"] == 2.5 and sc.rows[1].line == 6
    mapping = write(tmp_path / "b.yml", "eo:\n  title: EO\n  year: 2023\nhleg:\n  region: europe\n")
    sc = read_sidecar(mapping)
    assert [(r.doc_id, r.line) for r in sc.rows] == [("eo", 1), ("hleg", 4)]
    wrapped = write(tmp_path / "c.yaml", "documents:\n  - doc_id: x\n    title: X\n")
    assert read_sidecar(wrapped).rows[0].metadata == {"title": "X"}


def test_mixed_types_in_an_extra_column_become_text(tmp_path):
    p = write(tmp_path / "m.yaml", "- doc_id: a\n  code: 12\n- doc_id: b\n  code: A-7\n")
    assert [r.metadata["code"] for r in read_sidecar(p).rows] == ["12", "A-7"]


def test_matching_by_file_and_by_doc_id(tmp_path):
    (tmp_path / "docs").mkdir()
    f1 = tmp_path / "docs" / "one.txt"
    f2 = tmp_path / "docs" / "two.txt"
    p = write(tmp_path / "meta.csv", "file,doc_id,title\ndocs/one.txt,first,One\ntwo.txt,,Two\n")
    sc = read_sidecar(p)
    assert sc.match(f1, "one").doc_id == "first"         # relative path from the sidecar's folder
    assert sc.match(f2, "two").metadata["title"] == "Two"  # bare file name
    assert sc.match(tmp_path / "three.txt", "three") is None
    q = write(tmp_path / "ids.csv", "doc_id,title\nagora-7,Seven\n")
    assert read_sidecar(q).match(None, "agora-7").metadata["title"] == "Seven"


# ----------------------------------------------------------------------------- errors
def test_missing_sidecar(tmp_path):
    p = tmp_path / "nope.csv"
    with pytest.raises(InputError, match="not found") as exc:
        read_sidecar(p)
    assert str(p) in str(exc.value) and exc.value.fix


@pytest.mark.parametrize("name, content, match", [
    ("empty.csv", "", "empty"),
    ("header_only.csv", "doc_id,title\n", "no rows"),
    ("ragged.csv", "doc_id,title\na,A\nb,B,extra\n", "3 fields but the header has 2"),
    ("quote.csv", 'doc_id,title\na,"unterminated\n', "malformed CSV"),
    ("noid.csv", "title,year\nA,2020\n", "neither a `doc_id` nor a `file`"),
    ("year.csv", "doc_id,year\na,twenty\n", "must be a year"),
    ("chapter.csv", "doc_id,chapter\na,two\n", "must be an integer"),
    ("reserved.csv", "doc_id,text\na,hello\n", "reserved"),
    ("both.csv", "doc_id,type,doc_type\na,x,y\n", "given twice"),
    ("space.csv", "doc_id,title\nmy doc,A\n", "whitespace"),
    ("emptyid.csv", "doc_id,title\n,A\n", "neither a doc_id nor a file"),
    ("bad.yaml", "- doc_id: a\n  title: [unclosed\n", "malformed YAML"),
    ("scalar.yaml", "just a string\n", "not a table"),
    ("items.yaml", "- a\n- b\n", "not a mapping"),
    ("nested.yaml", "- doc_id: a\n  info: {x: 1}\n", "unsupported value type"),
    ("nestedlist.yaml", "- doc_id: a\n  authors: [[x]]\n", "nested"),
    ("meta.xlsx", "whatever", "unsupported sidecar type"),
])
def test_malformed_sidecars(tmp_path, name, content, match):
    p = write(tmp_path / name, content)
    with pytest.raises(InputError, match=match) as exc:
        read_sidecar(p)
    assert str(p) in str(exc.value)
    assert exc.value.fix


def test_error_names_the_line(tmp_path):
    p = write(tmp_path / "m.csv", "doc_id,year\na,2020\nb,2021\nc,soon\n")
    with pytest.raises(InputError) as exc:
        read_sidecar(p)
    assert exc.value.line == 4 and f"{p}:4" in str(exc.value)


def test_duplicate_doc_ids(tmp_path):
    p = write(tmp_path / "dup.csv", "doc_id,title\na,A\nb,B\na,Again\n")
    with pytest.raises(InputError, match=r"duplicate doc_id 'a' \(also on line 2\)") as exc:
        read_sidecar(p)
    assert exc.value.line == 4


def test_duplicate_files(tmp_path):
    p = write(tmp_path / "dup.yaml", "- file: a.txt\n- file: a.txt\n")
    with pytest.raises(InputError, match="listed twice"):
        read_sidecar(p)


def test_sidecar_in_cp1252(tmp_path):
    p = write(tmp_path / "m.csv", "doc_id,title\nfr,Stratégie nationale – IA\n", encoding="cp1252")
    assert read_sidecar(p).rows[0].metadata["title"] == "Stratégie nationale – IA"


def test_misspelt_known_columns_warn_with_did_you_mean(tmp_path):
    """Issue 14, failure 2: `regoin` / `Regions` are reported, not silently kept."""
    import warnings

    from policykit.corpus.sidecar import SidecarColumnWarning, read_sidecar

    for header, col in (("regoin", "regoin"), ("Regions", "regions"), ("Yaer", "yaer")):
        p = tmp_path / f"{col}.csv"
        p.write_text(f"doc_id,{header}\na,Europe\n", encoding="utf-8")
        with pytest.warns(SidecarColumnWarning, match=f"{header!r} is not a known metadata column; did you mean"):
            sc = read_sidecar(p)
        assert col in sc.suspicious
    ok = tmp_path / "ok.csv"
    ok.write_text("doc_id,region,regions,ministry\na,Europe,EU,Digital\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SidecarColumnWarning)
        assert read_sidecar(ok).suspicious == {}


def test_unmatched_rows_name_the_nearest_documents(tmp_path):
    from types import SimpleNamespace

    from policykit.corpus.sidecar import read_sidecar, unmatched_note

    p = tmp_path / "m.csv"
    p.write_text("doc_id,region\nalpha-2024,europe\nbeta-plna,china\n", encoding="utf-8")
    sc = read_sidecar(p)
    srcs = [SimpleNamespace(path=tmp_path / "alpha-2024.txt", doc_id="alpha-2024"),
            SimpleNamespace(path=tmp_path / "beta-plan.txt", doc_id="beta-plan")]
    for s in srcs:
        row = sc.match(s.path, s.doc_id)
        if row is not None:
            row.matched = True
    note = unmatched_note(sc, srcs)
    assert "1 row(s) matched no input document" in note and "line 3: doc_id 'beta-plna' (nearest: beta-plan)" in note

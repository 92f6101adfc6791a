"""policykit.report.outdir: output folders replaced whole, or refused."""

import json

import pytest

from policykit.errors import InputError
from policykit.report.outdir import MARKER, check_output_dir, output_kind, staged_output


def test_new_empty_and_own_folders_are_accepted(tmp_path):
    assert check_output_dir(tmp_path / "new", "report") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty", "report")
    with staged_output(tmp_path / "r", "report") as stage:
        (stage / "index.html").write_text("one")
    assert output_kind(tmp_path / "r") == "report"
    check_output_dir(tmp_path / "r", "report")
    with pytest.raises(InputError, match="policykit report output"):
        check_output_dir(tmp_path / "r", "topics")


def test_legacy_outputs_are_recognised(tmp_path):
    (tmp_path / "index.html").write_text("x")
    (tmp_path / "summary.json").write_text(json.dumps({"version": "0.1.0", "sections": []}))
    assert output_kind(tmp_path) == "report"
    t = tmp_path / "topics"
    t.mkdir()
    (t / "summary.json").write_text(json.dumps({"fingerprint": "f", "unit": "paragraph"}))
    assert output_kind(t) == "topics"


def test_replacement_removes_stale_files_and_keeps_other_outputs(tmp_path):
    out = tmp_path / "reports"
    with staged_output(out, "report") as stage:
        (stage / "figures").mkdir()
        (stage / "figures" / "region-x.html").write_text("old")
        (stage / "figures" / "stances.png").write_text("old png")
    (out / "topics").mkdir()
    (out / "topics" / MARKER).write_text('{"kind": "topics"}')
    (out / "topics" / "t.csv").write_text("keep")
    with staged_output(out, "report") as stage:
        (stage / "figures").mkdir()
        (stage / "figures" / "sector-x.html").write_text("new")
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["sector-x.html"]
    assert (out / "topics" / "t.csv").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_a_failure_leaves_the_previous_output(tmp_path):
    out = tmp_path / "r"
    with staged_output(out, "report") as stage:
        (stage / "index.html").write_text("first")
    with pytest.raises(RuntimeError):
        with staged_output(out, "report") as stage:
            (stage / "index.html").write_text("second")
            raise RuntimeError("boom")
    assert (out / "index.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_foreign_folders_files_and_the_working_directory_are_refused(tmp_path, monkeypatch):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="not a policykit output"):
        check_output_dir(tmp_path / "mine", "report")
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        check_output_dir(tmp_path / "f", "report")
    monkeypatch.chdir(tmp_path / "mine")
    with pytest.raises(InputError, match="working in"):
        check_output_dir(tmp_path / "mine", "report")


def test_a_folder_of_other_policykit_outputs_is_accepted(tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / MARKER).write_text('{"kind": "topics"}')
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / MARKER).write_text('{"kind": "notebooks"}')
    check_output_dir(tmp_path, "report")

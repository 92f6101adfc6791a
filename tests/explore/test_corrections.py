"""policykit.corrections: the decision log, its reading, re-application and before/after tables."""

import json
import multiprocessing as mp
import os

import pandas as pd
import pytest

from policykit import config
from policykit import corrections as C
from policykit.errors import InputError


def _row(wide, sid):
    return wide.set_index("sent_id", drop=False).loc[sid].to_dict()


# ----------------------------------------------------------------------------- paths, hashes, labels
def test_default_path_env_project_and_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYKIT_CORRECTIONS", str(tmp_path / "x.jsonl"))
    assert C.default_path() == (tmp_path / "x.jsonl").resolve()
    monkeypatch.delenv("POLICYKIT_CORRECTIONS")
    monkeypatch.chdir(config.PROJECT_ROOT)
    assert C.default_path() == config.DATA_DIR / "annotations" / "corrections.jsonl"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert C.default_path() == tmp_path / "share" / "policykit" / "annotations" / "corrections.jsonl"


def test_text_hash_ignores_whitespace_only():
    assert C.text_hash("a  b\nc") == C.text_hash(" a b c ") != C.text_hash("a b d")


def test_normalize_enforces_the_annotation_conventions():
    out = C.normalize_labels({"role": "claim", "risk_subdomains": ["3.1"], "instruments": ["evaluation_audit"],
                              "addressees": ["states"]})
    assert out == {"role": "claim", "risk_domains": ["misinformation"], "risk_subdomains": ["3.1"],
                   "instruments": [], "addressee": []}
    assert C.normalize_labels({"role": "other", "risk_domains": ["misinformation"]})["risk_domains"] == []
    with pytest.raises(InputError, match="unknown instrument"):
        C.normalize_labels({"role": "proposal", "instruments": ["no_such_thing"]})
    with pytest.raises(InputError, match="role must be"):
        C.normalize_labels({"role": "opinion"})


# ----------------------------------------------------------------------------- the log
def test_append_is_idempotent_and_later_decisions_supersede(tiny, tmp_path):
    _, wide = tiny
    path = tmp_path / "c.jsonl"
    row = _row(wide, "alpha.p002.s00")
    first = C.decision(row, {"role": "claim", "risk_domains": ["misinformation", "malicious_use"]},
                       decision_id="d1", source_path="alpha.md")
    assert first["action"] == "correct" and first["old"]["risk_domains"] == ["misinformation"]
    assert C.append(first, path) == C.APPENDED
    assert C.append(first, path) == C.DUPLICATE                      # re-submission: written once
    again = C.decision(row, {"role": "claim", "risk_domains": ["malicious_use", "misinformation"]})
    assert C.append(again, path) == C.UNCHANGED                      # same labels as the latest decision
    later = C.decision(row, {"role": "other"}, decision_id="d2")
    assert C.append(later, path) == C.APPENDED
    log = C.read_log(path)
    assert log["decision_id"].tolist() == ["d1", "d2"]               # both kept, in order
    latest = C.read_corrections(path)
    assert len(latest) == 1
    r = latest.iloc[0]
    assert (r["role"], r["risk_domains"], r["n_decisions"], r["decision_id"]) == ("other", [], 2, "d2")
    assert list(latest.columns[:12]) == ["sent_id", "doc_id", "essay_id", "start", "end", "text", "text_sha256",
                                         "role", "risk_domains", "risk_subdomains", "instruments", "addressee"]
    assert r["text"] == row["text"] and r["text_sha256"] == C.text_hash(row["text"])
    rec = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert {"sent_id", "doc_id", "start", "end", "text_sha256", "old", "new", "predicted", "time", "annotator",
            "action", "decision_id", "source_path", "schema"} <= set(rec)


def test_confirm_records_the_shown_labels(tiny, tmp_path):
    _, wide = tiny
    rec = C.decision(_row(wide, "alpha.p004.s00"))
    assert rec["action"] == "confirm" and rec["new"] == rec["old"]
    assert rec["new"]["instruments"] == ["evaluation_audit"] and rec["new"]["addressee"] == ["states"]


def test_a_truncated_line_is_reported_and_the_next_record_survives(tiny, tmp_path):
    _, wide = tiny
    path = tmp_path / "c.jsonl"
    C.append(C.decision(_row(wide, "alpha.p002.s00"), decision_id="ok1"), path)
    with open(path, "ab") as fh:
        fh.write(b'{"schema": "policykit-correction/1", "decision_id": "cut')  # a writer died mid-line
    with pytest.warns(RuntimeWarning, match="truncated last line"):
        assert C.append(C.decision(_row(wide, "alpha.p002.s01"), decision_id="ok2"), path) == C.APPENDED
    with pytest.warns(RuntimeWarning, match="unreadable record"):
        got = C.read_log(path)
    assert got["decision_id"].tolist() == ["ok1", "ok2"]


def _worker(args):
    path, wide_records, k = args
    os.environ.pop("POLICYKIT_CORRECTIONS", None)
    out = []
    for i, row in enumerate(wide_records):
        rec = C.decision(row, {"role": "other"}, decision_id=f"w{k}-{i}", annotator=f"w{k}")
        out.append(C.append(rec, path))
        out.append(C.append(rec, path))  # every decision sent twice
    return out


def test_concurrent_writers_lose_and_duplicate_nothing(tiny, tmp_path):
    _, wide = tiny
    path = str(tmp_path / "c.jsonl")
    rows = [r for r in wide[["sent_id", "doc_id", "start", "end", "text", "role", "risk_domains", "risk_subdomains",
                             "instruments", "addressees", "role_score"]].to_dict("records")]
    ctx = mp.get_context("fork")
    with ctx.Pool(3) as pool:
        res = pool.map(_worker, [(path, rows, k) for k in range(3)])
    lines = open(path, encoding="utf-8").read().splitlines()
    ids = [json.loads(l)["decision_id"] for l in lines]
    assert len(ids) == len(set(ids))
    # each worker's decision on a sentence is either written or unchanged (another worker wrote the same labels)
    assert all(s in (C.APPENDED, C.UNCHANGED, C.DUPLICATE) for r in res for s in r)
    assert sum(s == C.APPENDED for r in res for s in r) == len(ids)
    assert set(C.read_corrections(path)["sent_id"]) == set(wide["sent_id"])


# ----------------------------------------------------------------------------- applying
def test_apply_matches_by_offsets_and_text_hash(tiny, tmp_path):
    _, wide = tiny
    path = tmp_path / "c.jsonl"
    for sid, new in [("alpha.p002.s00", {"role": "claim", "risk_domains": ["malicious_use"]}),
                     ("alpha.p002.s01", {"role": "other"}),
                     ("gamma.p002.s00", {"role": "proposal"}),
                     ("beta.p001.s01", {"role": "claim"})]:
        C.append(C.decision(_row(wide, sid), new), path)
    other = C.decision({"sent_id": "zeta.p000.s00", "doc_id": "zeta", "start": 0, "end": 5, "text": "Hello",
                        "role": "other"}, {"role": "claim"})
    C.append(other, path)
    missing = C.decision({"sent_id": "alpha.p009.s00", "doc_id": "alpha", "start": 0, "end": 5, "text": "Hello",
                          "role": "other"}, {"role": "claim"})
    C.append(missing, path)
    changed = wide.copy()
    i = changed.index[changed["sent_id"] == "alpha.p002.s01"][0]
    changed.at[i, "text"] = "Biased models can badly harm minorities."        # the sentence was edited
    j = changed.index[changed["sent_id"] == "gamma.p002.s00"][0]
    changed.at[j, "start"] = changed.at[j, "start"] + 3                       # text moved
    before = changed.copy()
    out, report = C.apply_corrections(changed, path)
    st = report.set_index("sent_id")["status"]
    assert st["alpha.p002.s00"] == "applied" and st["beta.p001.s01"] == "applied"
    assert st["alpha.p002.s01"] == "text_changed" and st["gamma.p002.s00"] == "offsets_changed"
    assert st["zeta.p000.s00"] == "other_document" and st["alpha.p009.s00"] == "missing_sentence"
    o = out.set_index("sent_id")
    assert o.loc["alpha.p002.s00", "risk_domains"] == ["malicious_use"]
    assert o.loc["alpha.p002.s01", "role"] == "claim"                          # not guessed
    assert o.loc["beta.p001.s01", "role"] == "claim" and o.loc["beta.p001.s01", "instruments"] == []
    assert list(out.columns) == list(changed.columns) and len(out) == len(changed)
    pd.testing.assert_frame_equal(changed, before)                            # input untouched
    assert report.set_index("sent_id").loc["alpha.p002.s00", "changed"]


# ----------------------------------------------------------------------------- before / after
def test_before_after_tables(tiny, tmp_path):
    _, wide = tiny
    path = tmp_path / "c.jsonl"
    C.append(C.decision(_row(wide, "alpha.p002.s00"), {"role": "claim", "risk_domains": ["malicious_use"]}), path)
    C.append(C.decision(_row(wide, "alpha.p004.s00")), path)                  # a confirmation
    new = wide.copy()
    k = new.index[new["sent_id"] == "alpha.p002.s00"][0]
    new.at[k, "risk_domains"] = ["malicious_use"]
    new.at[k, "risk_subdomains"] = []
    new.at[k, "scores"] = {**wide.at[k, "scores"], "risk_domain": {"malicious_use": 0.7, "misinformation": 0.2}}
    m = new.index[new["sent_id"] == "alpha.p004.s00"][0]
    new.at[m, "instruments"] = []                                             # retraining broke this one
    t = C.before_after(wide, new, path)
    dom = t[(t["sent_id"] == "alpha.p002.s00") & (t["facet"] == "risk_domain")].set_index("label")
    assert dom.loc["malicious_use", "outcome"] == "fixed" and dom.loc["misinformation", "outcome"] == "fixed"
    assert dom.loc["malicious_use", "after_score"] == 0.7 and pd.isna(dom.loc["malicious_use", "before_score"])
    ins = t[(t["sent_id"] == "alpha.p004.s00") & (t["facet"] == "instrument")]
    assert ins["outcome"].tolist() == ["broken"]
    s = C.before_after_summary(t)
    assert s.loc["risk_domain", ["sentences", "right_before", "right_after", "fixed"]].tolist() == [2, 1, 2, 2]
    assert s.loc["instrument", ["right_before", "right_after", "broken"]].tolist() == [2, 1, 1]
    assert s.loc["risk_domain", "mean_score_after"] == pytest.approx(0.7)
    d = C.before_after_documents(wide, new, path).set_index(["doc_id", "facet"])
    assert d.loc[("alpha", "risk_domain"), "added"] == ["malicious_use"]
    assert d.loc[("alpha", "instrument"), "n_changed"] == 1


def test_empty_and_missing_files(tmp_path):
    assert C.read_corrections(tmp_path / "none.jsonl").empty
    assert C.read_log(tmp_path / "none.jsonl").empty
    assert C.before_after_summary(C.before_after(pd.DataFrame(), pd.DataFrame(), tmp_path / "none.jsonl"))["sentences"].sum() == 0

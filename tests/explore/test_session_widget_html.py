"""The explorer's state, its widget (without a browser) and the exported page's source."""

import base64
import hashlib
import json
import re

import pytest

import policykit as pk
from policykit import corrections as C
from policykit.explore import html as H


def test_top_level_name_is_the_callable_package():
    assert callable(pk.explore) and callable(pk.explore.from_comparison) and callable(pk.explore.export_html)


def test_session_decides_and_reopens_with_the_decisions(tiny, tmp_path, counts):
    corpus, wide = tiny
    path = tmp_path / "corr.jsonl"
    s = pk.explore.session(wide, corpus, by="region", corrections=path, training=counts)
    assert s.groupings == ["region", "doc_id"] and s.view()["key"] == "risk_domain|region"
    cell = s.cell_sentences("europe", "misinformation")
    assert cell["sent_id"].tolist() == ["alpha.p002.s00", "gamma.p002.s00"]
    res = s.decide("alpha.p002.s00", {"risk_domains": ["malicious_use"], "risk_subdomains": []}, decision_id="r1")
    assert res["status"] == "appended" and res["new"]["role"] == "claim" and res["new"]["risk_domains"] == ["malicious_use"]
    assert s.decide("alpha.p002.s00", {"risk_domains": ["malicious_use"], "risk_subdomains": []}, decision_id="r1")["status"] == "duplicate"
    assert s.decide("gamma.p004.s00")["action"] == "confirm"
    assert s.wide.set_index("sent_id").loc["alpha.p002.s00", "risk_domains"] == ["malicious_use"]
    assert s.predicted.set_index("sent_id").loc["alpha.p002.s00", "risk_domains"] == ["misinformation"]
    rec = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert rec["source_path"].endswith("alpha.md") and rec["predicted"]["risk_domains"] == ["misinformation"]
    assert "alpha.p002.s00" not in set(s.review_queue()["sent_id"])

    again = pk.explore.session(wide, corpus, corrections=path, training=counts)     # re-applied on load
    assert set(again.decisions) == {"alpha.p002.s00", "gamma.p004.s00"}
    assert again.wide.set_index("sent_id").loc["alpha.p002.s00", "risk_domains"] == ["malicious_use"]
    edited = wide.copy()
    k = edited.index[edited["sent_id"] == "alpha.p002.s00"][0]
    edited.at[k, "text"] = "Deepfakes may mislead voters during elections."
    third = pk.explore.session(edited, None, corrections=path, training=counts)
    info = third.corrections_info()
    assert [u["status"] for u in info["unmatched"]] == ["text_changed"] and "alpha.p002.s00" not in third.decisions


def test_memory_only_session_writes_nothing(tiny, tmp_path, counts, monkeypatch):
    _, wide = tiny
    s = pk.explore.session(wide, corrections=False, training=counts)
    assert s.decide("alpha.p002.s01", {"role": "other"})["status"] == "memory"
    assert not (tmp_path / "default-corrections.jsonl").exists()


def test_widget_messages_write_and_acknowledge(tiny, tmp_path, counts):
    corpus, wide = tiny
    path = tmp_path / "corr.jsonl"
    ex = pk.explore(wide, corpus, by=["region", "sector"], facet="instrument", corrections=path, training=counts)
    assert type(ex).__name__ == "Explorer"
    assert ex.data["initial"] == "instrument|region" and len(ex.data["sentences"]["id"]) == len(wide)
    sent = []
    ex.send = lambda msg, buffers=None: sent.append(msg)
    msg = {"type": "decision", "request_id": "abc", "sent_id": "beta.p001.s01", "action": None,
           "new": {"role": "proposal", "risk_domains": [], "risk_subdomains": [], "instruments": ["licensing_registration",
                                                                                              "evaluation_audit"],
                   "addressee": ["states"]}, "note": "two instruments"}
    ex._on_msg(ex, msg, [])
    ex._on_msg(ex, msg, [])                                                          # re-sent
    ex._on_msg(ex, {**msg, "request_id": "bad", "new": {"role": "nonsense"}}, [])
    assert [m["status"] for m in sent] == ["appended", "duplicate", "error"] and "role must be" in sent[2]["message"]
    assert ex.decisions["beta.p001.s01"]["new"]["instruments"] == ["evaluation_audit", "licensing_registration"]
    log = C.read_log(path)
    assert log["decision_id"].tolist() == ["abc"] and log.iloc[0]["note"] == "two instruments"
    ex.select("europe", "evaluation_audit")
    assert ex.selected()["sent_id"].tolist() == ["alpha.p004.s00", "gamma.p004.s00"]
    assert len(ex.review_queue(3)) == 3


def test_from_comparison_opens_on_the_tables_numbers(tiny, counts):
    corpus, wide = tiny
    prev = pk.compare.prevalence(wide, by="region", facet="risk_domain", documents=corpus.documents, n_boot=50)
    ex = pk.explore.from_comparison(prev, wide, corpus, corrections=False, training=counts)
    v = ex.data["views"][0]
    assert (v["facet"], v["by"], v["values"][0], v.get("from_table")) == ("risk_domain", "region", "doc_share", True)
    c = next(c for c in v["cells"] if v["groups"][c["g"]] == "europe" and v["labels"][c["l"]] == "misinformation")
    assert "doc_share_lo" in c and c["doc_share"] == 1.0
    cons = pk.compare.consensus(wide, by="region", facet="instrument", min_groups=2)
    v2 = pk.explore.comparison_session(cons, wide, corrections=False, training=counts).views[0]
    assert v2["groups"] == ["all"] and "status" in v2["cells"][0]


def _csp_hashes(page):
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    return csp, re.findall(r"'(sha256-[^']+)'", csp.replace("&#x27;", "'"))


def test_exported_page_is_self_contained_and_escapes_text(tiny, tmp_path, counts):
    corpus, wide = tiny
    out = pk.explore.export_html(wide, corpus, tmp_path / "x.html", by="region", training=counts)
    page = out.read_text(encoding="utf-8")
    assert page.count("<script") == 2 and page.count("</script>") == 2        # ours only: data block + module
    assert "window.__pwned" in page and "<script>window.__pwned" not in page and "<img src=x" not in page
    assert "http://" not in page and "https://" not in page and "src=\"" not in page.replace('src=\\"', "")
    data = json.loads(re.search(r'<script type="application/json" id="pk-data">(.*?)</script>', page, re.S).group(1))
    b = data["sentences"]["id"].index("beta.p001.s00")
    assert data["sentences"]["text"][b].startswith("The document <script>window.__pwned = 1</script><img")
    csp, hashes = _csp_hashes(page)
    script = re.search(r'<script type="module">(.*?)</script>', page, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = lambda t: "sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()
    assert set(hashes) == {digest(script), digest(style)}
    assert "connect-src &#x27;none&#x27;" in csp or "connect-src 'none'" in csp
    assert "export default" not in script and "staticModel(pkData" in script


def test_json_for_script_round_trips():
    v = {"t": "</script><!-- \u2028 & <b>"}
    s = H.json_for_script(v)
    assert "<" not in s and ">" not in s and "\u2028" not in s and json.loads(s) == v


def test_widget_assets_are_package_files():
    js, css = H.asset("explorer.js"), H.asset("explorer.css")
    assert "export default" in js and "innerHTML" not in js and "fetch(" not in js and "import(" not in js
    assert ".pk-explorer" in css

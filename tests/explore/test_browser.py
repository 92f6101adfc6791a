"""The explorer in a real browser (headless Debian Chromium driven by Playwright).

* the exported page (no server, no network): click a heat-map cell, read its sentences in
  context, correct one, confirm another, download the decisions and append them to a log; the
  document containing ``<script>`` and ``<img onerror>`` shows them as text and runs nothing;
* JupyterLab: a notebook opens the explorer on the bundled report; click a cell, see its
  sentences, correct one and check the corrections file; a second explorer opened in the same
  kernel shows the decision re-applied.

Slow (a browser, a Jupyter server, a kernel that extracts the report); CI runs them.
"""

import json
import os
import time

import pytest

from policykit import corrections as C

import browser as B

pytestmark = pytest.mark.slow


def _ready(page):
    page.wait_for_selector("[data-testid=pk-explorer][data-ready='1']")


def test_exported_page_works_offline_and_runs_no_document_script(tiny, tmp_path, counts):
    import policykit as pk

    corpus, wide = tiny
    page_file = pk.explore.export_html(wide, corpus, tmp_path / "explorer.html", by="region", training=counts)
    requests = []
    with B.chromium() as (_, page, problems):
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        _ready(page)
        # the document with markup: shown as text, nothing ran
        assert page.evaluate("() => window.__pwned") is None
        page.select_option("[data-testid=pk-f-doc]", "beta")
        row = page.locator("[data-testid=pk-row][data-sent-id='beta.p001.s00']")
        row.wait_for()
        assert "<script>window.__pwned = 1</script><img src=x onerror=" in row.inner_text()
        assert page.locator("#pk-root script, #pk-root img").count() == 0
        page.click("[data-testid=pk-clear]")
        # a cell -> its sentences
        cell = page.locator("[data-testid=pk-cell][data-group=europe][data-label=misinformation]")
        assert cell.get_attribute("data-n") == "2"
        cell.click()
        page.wait_for_selector("[data-testid=pk-count][data-n='2']")
        ids = page.locator("[data-testid=pk-row]").evaluate_all("els => els.map(e => e.dataset.sentId)")
        assert ids == ["alpha.p002.s00", "gamma.p002.s00"]
        first = page.locator("[data-testid=pk-row][data-sent-id='alpha.p002.s00']")
        assert first.locator("[data-testid=pk-cue]").first.inner_text() == "Deepfakes"
        # context: the heading above, the paragraph's next sentence
        first.locator("[data-testid=pk-context]").click()
        box = page.locator("[data-testid=pk-context-box]")
        assert box.locator("[data-testid=pk-heading]").inner_text() == "Risks"
        assert "Biased models can harm minorities." in box.inner_text()
        # correct it: malicious use instead of misinformation
        first.locator("[data-testid=pk-edit]").click()
        ed = page.locator("[data-testid=pk-editor][data-sent-id='alpha.p002.s00']")
        ed.locator("input[data-facet=risk_domain][data-label=misinformation]").uncheck()
        ed.locator("input[data-facet=risk_subdomain][data-label='3.1']").uncheck()
        ed.locator("input[data-facet=risk_domain][data-label=malicious_use]").check()
        ed.locator("[data-testid=pk-note]").fill("about election manipulation")
        ed.locator("[data-testid=pk-save]").click()
        page.wait_for_selector("[data-testid=pk-row][data-sent-id='alpha.p002.s00'] [data-testid=pk-badge]")
        assert "written" in page.inner_text("[data-testid=pk-message]")
        # confirm the other one
        page.locator("[data-testid=pk-row][data-sent-id='gamma.p002.s00'] [data-testid=pk-confirm]").click()
        page.wait_for_selector("[data-testid=pk-row][data-sent-id='gamma.p002.s00'] [data-testid=pk-badge]")
        with page.expect_download() as dl:
            page.click("[data-testid=pk-download]")
        got = tmp_path / "downloaded.jsonl"
        dl.value.save_as(got)
        assert not problems, problems
    assert all(u.startswith("file://") for u in requests), requests   # nothing fetched
    latest = C.read_corrections(got).set_index("sent_id")
    assert latest.loc["alpha.p002.s00", "risk_domains"] == ["malicious_use"]
    assert latest.loc["alpha.p002.s00", "action"] == "correct" and latest.loc["gamma.p002.s00", "action"] == "confirm"
    assert latest.loc["alpha.p002.s00", "note"] == "about election manipulation"
    log = tmp_path / "project-log.jsonl"
    status = C.append_many(C.read_records(got), log)
    assert status.tolist() == ["appended", "appended"]
    assert C.append_many(C.read_records(got), log).tolist() == ["duplicate", "duplicate"]
    _, report = C.apply_corrections(wide, log)
    assert set(report["status"]) == {"applied"}                         # the page's hashes and offsets match


def test_jupyterlab_explorer_on_the_bundled_report(tmp_path):
    B.require_browser()
    corr = tmp_path / "corrections.jsonl"
    B.write_notebook(tmp_path / "explorer.ipynb", [
        "import policykit as pk\n"
        "corpus = pk.load()\n"
        "wide = pk.extract(corpus)\n"
        f"ex = pk.explore(wide, corpus, by='region', corrections={str(corr)!r})\n"
        "ex",
        f"ex2 = pk.explore(wide, corpus, by='region', corrections={str(corr)!r}, queue=False)\n"
        "ex2",
    ])
    t0 = time.time()
    with B.jupyter_lab(tmp_path) as (base, token), B.chromium() as (_, page, problems):
        page.goto(f"{base}/lab/tree/explorer.ipynb?token={token}")
        page.wait_for_selector(".jp-Notebook", timeout=B.TIMEOUT_MS)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                               " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                               timeout=B.TIMEOUT_MS)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell', {})")  # first cell only
        widget = page.locator(".jp-Cell").nth(0).locator("[data-testid=pk-explorer][data-ready='1']")
        widget.wait_for(timeout=900_000)  # extraction of the report in the kernel
        opened = time.time() - t0
        cell = widget.locator("[data-testid=pk-cell]:not([data-n='0'])").first
        n = int(cell.get_attribute("data-n"))
        group, label = cell.get_attribute("data-group"), cell.get_attribute("data-label")
        cell.click()
        widget.locator(f"[data-testid=pk-count][data-n='{n}']").wait_for()
        rows = widget.locator("[data-testid=pk-row]")
        assert rows.count() == min(n, 20)
        sid = rows.first.get_attribute("data-sent-id")
        rows.first.locator("[data-testid=pk-context]").click()
        widget.locator("[data-testid=pk-ctx-this]").wait_for()
        rows.first.locator("[data-testid=pk-edit]").click()
        ed = widget.locator(f"[data-testid=pk-editor][data-sent-id='{sid}']")
        ed.locator("[data-testid=pk-role-select]").select_option("other")
        ed.locator("[data-testid=pk-save]").click()
        widget.locator(f"[data-testid=pk-row][data-sent-id='{sid}'] [data-testid=pk-badge]").wait_for()
        page.wait_for_function("(el) => el.textContent.includes('written')",
                               arg=widget.locator("[data-testid=pk-message]").element_handle())
        shot = os.environ.get("POLICYKIT_EXPLORER_SCREENSHOT")  # e.g. docs/explorer-jupyterlab.png
        if shot:
            widget.locator("[data-testid=pk-heatmap]").scroll_into_view_if_needed()
            page.screenshot(path=shot)
        # the decision is in the file, once
        recs = [json.loads(l) for l in corr.read_text(encoding="utf-8").splitlines()]
        assert [(r["sent_id"], r["action"], r["new"]["role"], r["new"]["risk_domains"]) for r in recs] == [
            (sid, "correct", "other", [])]
        assert label in recs[0]["old"]["risk_domains"] + recs[0]["old"]["instruments"] + [recs[0]["old"]["role"]] \
            + recs[0]["old"]["addressee"] + recs[0]["old"]["risk_subdomains"]
        # a new explorer in the same kernel re-applies it
        page.locator(".jp-Cell").nth(1).click()
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell', {})")
        w2 = page.locator(".jp-Cell").nth(1).locator("[data-testid=pk-explorer][data-ready='1']")
        w2.wait_for(timeout=600_000)
        w2.locator("[data-testid=pk-f-q]").fill(sid)
        w2.locator(f"[data-testid=pk-row][data-sent-id='{sid}'] [data-testid=pk-badge]").wait_for()
        bad = [p for p in problems if "pk-" in p or "explorer" in p.lower() or "pageerror" in p]
        assert not bad, bad
    print(f"JupyterLab: explorer open {opened:.1f} s after page load (cell {group} x {label}: {n} sentences)")

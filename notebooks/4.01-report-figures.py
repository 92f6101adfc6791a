# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4.01 Report figures
#
# **Question.** Which figures and tables go into the written report, and where are they? This
# notebook renders every comparison figure of `policykit report` (as interactive HTML, PNG and
# SVG), the CSV table behind each, and the self-contained `index.html` that leads from every
# cell to its evidence sentences, then lists what was written.
#
# It is the notebook equivalent of `policykit report --out reports`; the figures themselves are
# shown and discussed in notebooks 2.01–2.05.

# %% tags=["parameters"]
corpus = None                     # None = the bundled report; or a file/folder of governance texts
metadata = None                   # optional metadata sidecar (CSV or YAML)
group_by = ["region", "chapter"]  # document columns to compare; the first drives single-grouping figures
out = None                        # output folder; None = policykit's reports folder (config.reports_dir():
                                  # reports/ of the checkout, or $POLICYKIT_REPORTS_DIR, e.g. a test session's)
static = True                     # also write PNG and SVG (needs Chromium); False = HTML and CSV only
topics = True                     # include the topic-model figures

# %%
from pathlib import Path

import pandas as pd

from policykit.compare._frames import shorten
from policykit.extract import extract
from policykit.nbtools import load_corpus, setup
from policykit.report import build_report

setup()
texts = load_corpus(corpus, metadata)
wide = extract(texts)
result = build_report(texts, wide, by=group_by, out=out, static=static, topics=topics, progress=False)
print(f"{texts}: {len(result.sections)} figures written to {result.out.name}/")
for note in result.notes:
    print("note:", note)

# %% [markdown]
# ## The figures, with their captions

# %%
# NBVAL_CHECK_OUTPUT
sections = pd.DataFrame({"name": [s.name for s in result.sections], "part": [s.part for s in result.sections],
                         "title": [s.title for s in result.sections],
                         "table rows": [len(s.table) for s in result.sections],
                         "caption": [shorten(s.caption, 160) for s in result.sections]})
sections

# %% [markdown]
# ## What was written
# Files per folder and kind (paths relative to the output folder).

# %%
# NBVAL_CHECK_OUTPUT
files = pd.DataFrame({"path": sorted({f.relative_to(result.out).as_posix() for f in result.files})})
files["folder"] = files["path"].str.rpartition("/")[0].replace("", ".")
files["kind"] = files["path"].str.rpartition(".")[2]
files.groupby(["folder", "kind"]).size().rename("files").to_frame()

# %%
# NBVAL_CHECK_OUTPUT
files[files["folder"] == "."]

# %% [markdown]
# ## Headline numbers recorded in the report

# %%
# NBVAL_CHECK_OUTPUT
if "editors_check" in result.metrics:
    display(result.metrics["editors_check"].summary.round(2))
if "stance_agreement" in result.metrics:
    display(result.metrics["stance_agreement"].round(2))

# %% [markdown]
# ## Findings
# Every number below is computed above and checked by the `assert` cell that follows.
#
# - The report on the bundled corpus has **20** figures in **6** parts (risks, measures,
#   language, positions, the editors' check and topics): **12** comparison figures and **8**
#   topic-model figures.
# - Written to `reports/`: **20** interactive HTML pages, **20** PNG and **20** SVG images, **22**
#   CSV tables (one per figure, the sentence-level extraction they were computed from and the
#   glossary), the self-contained `index.html`, the evidence explorer `explorer.html` and
#   `summary.json`.
# - The headline numbers the report records agree with the notebooks: the editors' check recovers
#   **50** of **54** labelled points (**93%**, notebook 2.05) and the derived stances agree with the
#   human labels on **89%** of pairs (κ **0.77**, notebook 2.03).

# %%
if corpus is None and list(group_by) == ["region", "chapter"] and static and topics:
    # structural: hold for any extraction model
    kinds = files.groupby(["folder", "kind"]).size()
    n = len(result.sections)
    assert (kinds[("figures", "html")], kinds[("figures", "png")], kinds[("figures", "svg")]) == (n, n, n)
    assert kinds[("tables", "csv")] == n + 2 and {"tables/extraction.csv", "tables/glossary.csv"} <= set(files["path"])
    assert {"index.html", "explorer.html", "summary.json"} <= set(files["path"])
    # recorded numbers of the text above: (what, computed, recorded)
    ed = result.metrics["editors_check"].summary.set_index("chapter").loc["all"]
    sa = result.metrics["stance_agreement"].set_index("question").loc["all"]
    checks = [
        ("figures, parts", (n, sections["part"].nunique()), (20, 6)),
        ("topic figures, comparison figures", ((sections["part"] == "Topics").sum(), (sections["part"] != "Topics").sum()), (8, 12)),
        ("html, png, svg, csv files", (kinds[("figures", "html")], kinds[("figures", "png")], kinds[("figures", "svg")], kinds[("tables", "csv")]), (20, 20, 20, 22)),
        ("editors' check: recovered, labelled, share %", (ed["n_recovered"], ed["n_labelled"], round(100 * ed["share"])), (50, 54, 93)),
        ("stance agreement: accuracy %, kappa", (round(100 * sa["accuracy"]), round(sa["kappa"], 2)), (89, 0.77)),
    ]
    wrong = [(what, now, recorded) for what, now, recorded in checks if now != recorded]
    assert not wrong, "findings changed (what, now, recorded): " + repr(wrong)

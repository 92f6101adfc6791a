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
# # 2.05 The editors' summary versus what the extractor finds
#
# **Question.** The report's introduction summarises each chapter in a list of points (risks,
# priorities, recommendations). Does the extraction, run over the chapter's essays, recover what
# the editors say? And what do the essays raise that the editors' summary leaves out?
#
# The check (issue 4): for each chapter, risk domains and instruments are ranked by how many of
# the chapter's essays raise them; an editors' point is **recovered** when one of its labels is
# among the chapter's top 4 risk domains or top 8 instruments. The same check on the human
# document labels of the dev essays is the ceiling to compare with.

# %% tags=["parameters"]
corpus = None          # the editors' points describe the bundled report: keep None
metadata = None        # optional metadata sidecar (CSV or YAML)
top_domains = 4        # a point is recovered when one of its risk domains is among this many top domains...
top_instruments = 8    # ...or one of its instruments among this many top instruments

# %%
import pandas as pd

from policykit import compare as C
from policykit.compare._frames import shorten
from policykit.extract import extract
from policykit.figures import compare as F
from policykit.nbtools import load_corpus, setup

setup()
texts = load_corpus(corpus, metadata)
wide = extract(texts)
points = C.load_points()
print(texts)
points.groupby(["chapter", "kind"]).size().unstack(fill_value=0)

# %% [markdown]
# ## Recovered points, chapter by chapter
# `n_labelled` counts the points that carry at least one risk domain or instrument (the others,
# e.g. "differing values across cultures", cannot be checked against labels).

# %%
check = C.editors_check_from_wide(wide, texts.documents, points=points, top_domains=top_domains,
                                  top_instruments=top_instruments)
gold_labels, gold_docs = C.gold_document_labels()
ceiling = C.editors_check(gold_labels, gold_docs, points=points, top_domains=top_domains,
                          top_instruments=top_instruments)
summary = check.summary.merge(ceiling.summary[["chapter", "n_recovered", "share"]], on="chapter",
                              suffixes=("", "_human_labels"))
summary.round(2)

# %%
matrix = C.editors_matrix(check)
matrix["example_text"] = matrix["example_sent_id"].map(dict(zip(wide["sent_id"], wide["text"].map(shorten))))
F.editors_chart(matrix, summary=check.summary, title="Editors' points versus extracted chapter rankings")

# %% [markdown]
# ## The points the extraction misses
# Each unrecovered point with its labels, and where those labels rank among the chapter's
# extracted labels (no rank: no essay of the chapter raises it).

# %%
rank = check.rankings.set_index(["chapter", "label"])["rank"]
missed = check.points[check.points["recovered"] == False].copy()  # noqa: E712 (None = no label)
missed["extracted_ranks"] = [{lab: rank.get((ch, lab)) for lab in doms + insts}
                             for ch, doms, insts in zip(missed["chapter"], missed["risk_domains"], missed["instruments"])]
missed[["chapter", "point", "kind", "text", "risk_domains", "instruments", "extracted_ranks"]]

# %% [markdown]
# ## What the essays raise that the editors do not say
# Labels in a chapter's top ranks that no editors' point of that chapter names, with how many of
# the chapter's essays raise them and an example sentence.

# %%
unsaid = check.unsaid.assign(example_text=lambda d: d["example_sent_id"].map(
    dict(zip(wide["sent_id"], wide["text"].map(shorten)))))
unsaid[["chapter", "facet", "label", "n_essays", "n_essays_chapter", "rank", "example_sent_id", "example_text"]]

# %%
unsaid.groupby("facet")["label"].value_counts().rename("chapters").reset_index().sort_values(
    ["facet", "chapters"], ascending=[True, False])

# %% [markdown]
# ## Findings
# Every number below is computed above and checked by the `assert` cell that follows.
#
# - **The extraction recovers 46 of the 54 labelled editors' points (85%)**, above the 80% aim
#   of issue 4 and close to the **48** of 54 (**89%**) that the same check gives with the human
#   document labels of the dev essays.
# - **By chapter**: chapters 3 and 5 are fully recovered (**5/5**, **7/7**), chapter 1 nearly
#   (**12/13**, one more than with the human labels), chapter 2 **7/9**; chapter 4 is the weakest
#   (**15/20**, against **18/20** with the human labels).
# - **The misses are near misses**: in chapter 4, **3** points about standardisation fail because
#   standards and certification ranks **9th** among the chapter's instruments (cut-off 8), and
#   the Shenzhen demonstration zone because sandboxes and zones ranks **15th**; in chapter 1 the
#   hallucination point fails because misinformation ranks **6th** among domains (cut-off 4); in
#   chapter 2 harmonization ranks **11th** and international agreements **12th**.
# - **What the editors do not say**: discrimination and toxicity is among the top 4 risk domains
#   of **4** chapters without any editors' point naming it, malicious use of **3**. The editors
#   summarise chapter 2 by its priorities and recommendations only (no point names a risk), yet
#   all **6** of its essays raise socioeconomic risks.
# - **Caveat**: chapter 5 has only 4 essays, so labels raised by a single essay fill its top
#   ranks (**5** of its "unsaid" instruments rest on one essay each); those are weak evidence.

# %%
if corpus is None and (top_domains, top_instruments) == (4, 8):
    assert len(wide) == 1019
    sm = summary.set_index("chapter")
    assert sm.loc["all", ["n_labelled", "n_recovered"]].tolist() == [54, 46] and round(100 * sm.loc["all", "share"]) == 85
    assert (sm.loc["all", "n_recovered_human_labels"], round(100 * sm.loc["all", "share_human_labels"])) == (48, 89)
    rec = {c: (int(r.n_recovered), int(r.n_labelled), int(r.n_recovered_human_labels)) for c, r in sm.iterrows()}
    assert rec["3"][:2] == (5, 5) and rec["5"][:2] == (7, 7) and rec["2"][:2] == (7, 9)
    assert rec["1"] == (12, 13, 11) and rec["4"] == (15, 20, 18)
    m4 = missed[missed["chapter"] == 4]
    assert m4["instruments"].map(lambda l: "standards_certification" in l).sum() == 3
    assert rank[(4, "standards_certification")] == 9 and rank[(4, "sandboxes_zones")] == 15
    assert "Shenzhen" in " ".join(m4.loc[m4["instruments"].map(lambda l: l == ["sandboxes_zones"]), "text"])
    m1 = missed[missed["chapter"] == 1]
    assert len(m1) == 1 and m1.iloc[0]["risk_domains"] == ["misinformation"] and rank[(1, "misinformation")] == 6
    assert "hallucination" in m1.iloc[0]["text"]
    assert (rank[(2, "harmonization")], rank[(2, "international_agreement")]) == (11, 12)
    assert set(missed.loc[missed["chapter"] == 2, "instruments"].sum()) == {"harmonization", "international_agreement"}
    dom = unsaid[unsaid["facet"] == "risk_domain"]["label"].value_counts()
    assert (dom["discrimination_toxicity"], dom["malicious_use"]) == (4, 3)
    assert points.loc[points["chapter"] == 2, "risk_domains"].map(len).sum() == 0
    r2 = check.rankings.set_index(["chapter", "facet", "label"]).loc[(2, "risk_domain", "socioeconomic_environmental")]
    assert (r2["n_essays"], r2["n_essays_chapter"]) == (6, 6)
    u5 = unsaid[(unsaid["chapter"] == 5) & (unsaid["facet"] == "instrument")]
    assert (u5["n_essays"] == 1).sum() == 5

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
# document labels of the dev essays (about half of each chapter's essays) is the reference to
# compare with.

# %% tags=["parameters"]
corpus = None          # the editors' points describe the bundled report: keep None
metadata = None        # optional metadata sidecar (CSV or YAML)
top_domains = 4        # a point is recovered when one of its risk domains is among this many top domains...
top_instruments = 8    # ...or one of its instruments among this many top instruments

# %%
# NBVAL_CHECK_OUTPUT
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
# NBVAL_CHECK_OUTPUT
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
# NBVAL_CHECK_OUTPUT
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
# NBVAL_CHECK_OUTPUT
unsaid = check.unsaid.assign(example_text=lambda d: d["example_sent_id"].map(
    dict(zip(wide["sent_id"], wide["text"].map(shorten)))))
unsaid[["chapter", "facet", "label", "n_essays", "n_essays_chapter", "rank", "example_sent_id", "example_text"]]

# %%
# NBVAL_CHECK_OUTPUT
unsaid.groupby("facet")["label"].value_counts().rename("chapters").reset_index().sort_values(
    ["facet", "chapters"], ascending=[True, False])

# %% [markdown]
# ## Findings
# Every number below is computed above and checked by the `assert` cell that follows (the
# structural checks hold for any extraction model; the recorded numbers are listed together, so
# that a rebuild with another model shows every number of this text that changed).
#
# - **The extraction recovers 50 of the 54 labelled editors' points (93%)**, above the 80% aim
#   of issue 4 and more than the **48** of 54 (**89%**) that the same check gives with the human
#   document labels. That reference is not a ceiling: the human labels exist only for the dev
#   essays, **14** of the chapters' **29** essays (3 per chapter, 2 in chapter 5), so it ranks
#   fewer essays per chapter; and those dev essays are the extractor's training data, so its
#   labels on them are in-sample.
# - **By chapter**: chapters 3 and 5 are fully recovered (**5/5**, **7/7**), chapter 4 nearly
#   (**19/20**, against **18/20** with the human labels), chapter 2 **8/9** (**7/9** with the
#   human labels); chapter 1 is the weakest (**11/13**, the same number as with the human
#   labels).
# - **The misses**: in chapter 1 the hallucination point fails because misinformation ranks
#   **6th** among domains (cut-off 4; raised by **1** of the 6 essays), and the global-commons
#   point because international agreements rank **9th** among instruments (cut-off 8). That one
#   is decided by the order of labels within a tie: it is raised by **1** essay, like the
#   instruments at ranks 6–8, which are ranked first alphabetically (one of them, data
#   governance, recovers chapter 1's data-governance point). In chapter 2 international
#   agreements rank **13th**, and in chapter 4 the Shenzhen demonstration zone fails because
#   sandboxes and zones rank **15th** (**1** of the 7 essays). All **4** chapter 4 points that
#   name standards and certification are recovered: that instrument ranks **4th**.
# - **What the editors do not say**: discrimination and toxicity is among the top 4 risk domains
#   of **3** chapters without any editors' point naming it, malicious use also of **3**. The
#   editors summarise chapter 2 by its priorities and recommendations only (no point names a
#   risk), yet all **6** of its essays raise socioeconomic risks.
# - **Caveat**: few essays per chapter let labels raised by a single essay into the top ranks:
#   **5** of the **23** "unsaid" labels rest on one essay each (**2** of them in chapter 5, which
#   has only 4 essays); those are weak evidence.

# %%
if corpus is None and (top_domains, top_instruments) == (4, 8):
    # structural: hold for any extraction model
    assert len(wide) == 1019
    sm = summary.set_index("chapter")
    assert sm.loc["all", "n_recovered"] == sm.drop("all")["n_recovered"].sum()
    assert (sm["n_recovered"] <= sm["n_labelled"]).all() and (sm["n_labelled"] <= sm["n_points"]).all()
    assert (missed["extracted_ranks"].map(lambda r: all(v is None or v > 4 for v in r.values()))).all()
    assert points.loc[points["chapter"] == 2, "risk_domains"].map(len).sum() == 0
    # recorded numbers of the text above: (what, computed, recorded)
    rec = {c: (int(r.n_recovered), int(r.n_labelled), int(r.n_recovered_human_labels)) for c, r in sm.iterrows()}
    rk = check.rankings.set_index(["chapter", "facet", "label"])
    n_ref = ceiling.rankings.groupby("chapter")["n_essays_chapter"].max()
    n_all = check.rankings.groupby("chapter")["n_essays_chapter"].max()
    m = missed.set_index("chapter")
    m1 = missed[missed["chapter"] == 1]
    ch1_inst = rk.loc[1].loc["instrument"]
    ch1_dg = check.points[(check.points["chapter"] == 1) & check.points["instruments"].map(lambda l: l == ["data_governance"])]
    m4 = missed[missed["chapter"] == 4]
    p4_std = check.points[(check.points["chapter"] == 4) & check.points["instruments"].map(lambda l: "standards_certification" in l)]
    dom = unsaid[unsaid["facet"] == "risk_domain"]["label"].value_counts()
    from policykit.nbtools import cross_validated

    trained_on = set(cross_validated("units").query("source_set == 'report'")["doc_id"])
    checks = [
        ("reference essays are all training essays", set(gold_docs.loc[gold_docs["chapter"] >= 1, "doc_id"]) <= trained_on, True),
        ("labelled, recovered, %", (int(sm.loc["all", "n_labelled"]), int(sm.loc["all", "n_recovered"]), round(100 * sm.loc["all", "share"])), (54, 50, 93)),
        ("recovered with human labels, %", (int(sm.loc["all", "n_recovered_human_labels"]), round(100 * sm.loc["all", "share_human_labels"])), (48, 89)),
        ("essays with human labels, essays per chapter", (int(n_ref.sum()), int(n_all.sum()), n_ref.tolist()), (14, 29, [3, 3, 3, 3, 2])),
        ("chapters 3, 5 (recovered, labelled)", (rec["3"][:2], rec["5"][:2]), ((5, 5), (7, 7))),
        ("chapter 4, 2, 1 (recovered, labelled, with human labels)", (rec["4"], rec["2"], rec["1"]), ((19, 20, 18), (8, 9, 7), (11, 13, 11))),
        ("weakest chapter", min((c for c in rec if c != "all"), key=lambda c: rec[c][0] / rec[c][1]), "1"),
        ("missed points per chapter", missed["chapter"].value_counts().sort_index().to_dict(), {1: 2, 2: 1, 4: 1}),
        ("chapter 1 hallucination: domain, rank, essays",
         (m1.loc[m1["text"].str.contains("hallucination"), "risk_domains"].tolist(), rk.loc[(1, "risk_domain", "misinformation"), ["rank", "n_essays"]].tolist()),
         ([["misinformation"]], [6, 1])),
        ("chapter 1 global commons: instruments", m1.loc[m1["text"].str.contains("global commons"), "instruments"].tolist(), [["international_agreement"]]),
        ("chapter 1 international agreement: rank, essays; essays at ranks 6-8",
         (ch1_inst.loc["international_agreement", ["rank", "n_essays"]].tolist(), ch1_inst.loc[ch1_inst["rank"].between(6, 8), "n_essays"].tolist()),
         ([9, 1], [1, 1, 1])),
        ("ranks 6-8 of chapter 1 precede it alphabetically",
         bool((ch1_inst.index[ch1_inst["rank"].between(6, 8)] < "international_agreement").all()), True),
        ("chapter 1 data-governance point: recovered, rank", (bool(ch1_dg["recovered"].all()), ch1_dg["best_rank"].tolist()), (True, [7])),
        ("chapter 2 missed: instruments, rank", (m.loc[[2], "instruments"].tolist(), rk.loc[(2, "instrument", "international_agreement"), "rank"]),
         ([["international_agreement"]], 13)),
        ("chapter 4 missed: Shenzhen, sandboxes rank, essays",
         ("Shenzhen" in " ".join(m4["text"]), m4["instruments"].tolist(), rk.loc[(4, "instrument", "sandboxes_zones"), ["rank", "n_essays", "n_essays_chapter"]].tolist()),
         (True, [["sandboxes_zones"]], [15, 1, 7])),
        ("chapter 4 standards points: count, all recovered, rank",
         (len(p4_std), bool(p4_std["recovered"].all()), rk.loc[(4, "instrument", "standards_certification"), "rank"]), (4, True, 4)),
        ("unsaid domains: discrimination, malicious use chapters", (dom.get("discrimination_toxicity", 0), dom.get("malicious_use", 0)), (3, 3)),
        ("chapter 2 socioeconomic: essays, of", rk.loc[(2, "risk_domain", "socioeconomic_environmental"), ["n_essays", "n_essays_chapter"]].tolist(), [6, 6]),
        ("unsaid labels, on one essay, of those in chapter 5",
         (len(unsaid), int((unsaid["n_essays"] == 1).sum()), int(((unsaid["n_essays"] == 1) & (unsaid["chapter"] == 5)).sum())), (23, 5, 2)),
        ("chapter 5 essays", n_all[5], 4),
    ]
    wrong = [(what, now, recorded) for what, now, recorded in checks if now != recorded]
    assert not wrong, "findings changed (what, now, recorded): " + repr(wrong)

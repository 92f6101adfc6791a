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
# # 2.02 Proposals, instruments and addressees
#
# **Question.** What do the authors propose, and whom do they ask to act? Which policy
# instruments (from international bodies to sandboxes, standards or capacity building) does
# each region and chapter put forward, and are the proposals addressed to states, international
# organisations, industry, research or civil society?
#
# A sentence is a *proposal* when it recommends an action; instruments and addressees are only
# assigned to proposals. Every number links to its proposal sentences.

# %% tags=["parameters"]
corpus = None                     # None = the bundled report; or a file/folder of governance texts
metadata = None                   # optional metadata sidecar (CSV or YAML)
group_by = ["region", "chapter"]  # document columns to compare; the first one is the primary grouping
n_boot = 1000                     # bootstrap resamples (of documents) for the 95% intervals

# %%
import pandas as pd

from policykit import compare as C
from policykit.extract import extract, rollup
from policykit.figures import compare as F
from policykit.nbtools import evidence, groupings, load_corpus, setup

setup()
texts = load_corpus(corpus, metadata)
wide = extract(texts)
by = groupings(texts.documents, group_by)
primary = by[0]
print(texts)

# %% [markdown]
# ## How much of each group's text proposes something?
# Claims describe or assess; proposals recommend. The proposal rate is the share of a group's
# claim and proposal sentences that are proposals.

# %%
roles = C.prevalence(wide, by=primary, facet="role", documents=texts.documents, n_boot=0)
rate = roles.pivot(index="group", columns="label", values="n_sents")[["claim", "proposal"]]
rate["proposal_rate"] = (rate["proposal"] / (rate["claim"] + rate["proposal"])).round(2)
rate

# %% [markdown]
# ## Which instruments are proposed, and by whom
# `doc_share` = share of the group's documents with at least one proposal sentence carrying the
# instrument (95% bootstrap interval over documents); `sent_share` = share of the group's
# proposal sentences carrying it.

# %%
inst = {b: C.prevalence(wide, by=b, facet="instrument", documents=texts.documents, n_boot=n_boot) for b in by}
docs = rollup(wide)
overall = (docs[docs["facet"] == "instrument"].groupby("label")["doc_id"].nunique()
           .sort_values(ascending=False).rename("documents proposing it"))
overall.to_frame().T

# %%
F.prevalence_heatmap(inst[primary], x_order=list(overall.index),
                     title=f"Instruments proposed, by {primary} (share of documents)")

# %%
for b in by[1:]:
    F.prevalence_heatmap(inst[b], x_order=list(overall.index),
                         title=f"Instruments proposed, by {b} (share of documents)").show()

# %%
F.sankey_chart(inst[primary], target_order=list(overall.index),
               title=f"From {primary} to the instruments its documents propose (link width = documents)")

# %% [markdown]
# Each group's three most widely proposed instruments:

# %%
top_inst = (inst[primary][inst[primary]["n_docs"] > 0]
            .sort_values(["group", "doc_share", "sent_share"], ascending=[True, False, False])
            .groupby("group").head(3))
top_inst[["group", "n_docs_group", "label", "n_docs", "doc_share", "doc_share_lo", "doc_share_hi",
          "sent_share", "example_sent_id"]].round(2)

# %% [markdown]
# ## Whom the proposals address

# %%
addr = C.prevalence(wide, by=primary, facet="addressee", documents=texts.documents, n_boot=n_boot)
F.prevalence_heatmap(addr, title=f"Addressees of proposals, by {primary} (share of documents)")

# %%
addr.pivot(index="group", columns="label", values="sent_share").round(2)

# %% [markdown]
# ### Who is asked to do what
# Proposal sentences by instrument (rows) and addressee (columns); a sentence with two
# instruments and two addressees counts in four cells.

# %%
pairs = wide[wide["role"] == "proposal"].explode("instruments").explode("addressees").dropna(
    subset=["instruments", "addressees"])
who_what = pd.crosstab(pairs["instruments"], pairs["addressees"])
who_what.loc[who_what.sum(axis=1).sort_values(ascending=False).index]

# %% [markdown]
# ## Evidence: proposals for a new international body
# The most contested instrument of the report. Each row is a proposal sentence carrying
# `international_body`, with the cues and model features that labelled it.

# %%
ib = inst[primary][inst[primary]["label"] == "international_body"]
ib[["group", "n_docs_group", "n_docs", "doc_share", "n_sents"]].round(2)

# %%
ib_ids = [s for ids in ib["sent_ids"] for s in ids]
evidence(wide, ib_ids, "instrument", "international_body").sort_values("score", ascending=False).head(10)

# %% [markdown]
# ## Findings
# Every number below is computed above and checked by the `assert` cell that follows.
#
# - **Dialogue and cooperation is the common currency**: **25** of the 32 documents propose it,
#   every region proposes it, and it is the most widely proposed instrument in **5** of the 6
#   regions (international bodies' documents put ethical principles first). Ethical principles
#   (**18** documents), evaluation and audit (**16**) and capacity building (**14**) follow. Hard
#   instruments are rare: licensing and registration **3** documents, a dedicated regulator **2**.
# - **A new international body is a minority proposal**: only **6** documents propose one —
#   **3** Chinese (among them the preface), **2** from international bodies (the introduction
#   and ch2-moes) and **1** European (ch2-trager, an International AI Organization modelled on
#   ICAO and IMO). No North American, Southeast Asian or Latin American document does.
# - **Regional accents** (4–5 documents per group, so indicative): economic incentives are
#   proposed by **3** of Europe's 4 documents (**30%** of its proposal sentences); evaluation and
#   audit by both Southeast Asian documents; ethical principles by all **4** documents of
#   international bodies.
# - **How much is proposed**: proposals are **60%** of the claim and proposal sentences of
#   international bodies' documents and **53%** for Southeast Asia, against **39%** for North
#   America, **38%** for China and **32%** for Europe.
# - **Whom they ask to act** (addressee F1 is only 0.469 in cross-validation, see 1.01): most
#   proposals name no actor clearly (*unspecified* is the largest addressee of China, **34%** of
#   its proposal sentences). European and North American proposals address international
#   institutions most (**45%** and **40%**), Southeast Asian ones states (**45%**).
# - **Who is asked to do what**: proposals for an international body or an international
#   agreement are addressed to international actors (**10** and **14** sentence pairs), economic
#   incentives to states (**12**).

# %%
if corpus is None:
    assert len(wide) == 1019
    assert overall.index[0] == "dialogue_cooperation" and overall.iloc[0] == 25
    assert overall[["ethical_principles", "evaluation_audit", "capacity_building"]].tolist() == [18, 16, 14]
    assert overall[["licensing_registration", "dedicated_regulator"]].tolist() == [3, 2]
    p = inst[primary].set_index(["group", "label"])
    best = inst[primary].groupby("group")["n_docs"].max()
    assert all(p.loc[(g, "dialogue_cooperation"), "n_docs"] > 0 for g in best.index)
    top_groups = [g for g in best.index if p.loc[(g, "dialogue_cooperation"), "n_docs"] == best[g]]
    assert len(top_groups) == 5 and "international" not in top_groups
    assert p.loc[("international", "ethical_principles"), "n_docs"] == best["international"]
    assert overall["international_body"] == 6
    ibg = ib.set_index("group")["n_docs"]
    assert ibg.to_dict() == {"china": 3, "europe": 1, "international": 2, "latin_america": 0,
                             "north_america": 0, "southeast_asia": 0}
    ib_docs = {s.split(".")[0] for s in ib_ids}
    assert {"fm-preface", "fm-introduction", "ch2-moes", "ch2-trager"} <= ib_docs
    assert "ICAO" in " ".join(wide.loc[wide["doc_id"] == "ch2-trager", "text"])
    ei = p.loc[("europe", "economic_incentives")]
    assert (ei["n_docs"], round(100 * ei["sent_share"])) == (3, 30)
    assert p.loc[("southeast_asia", "evaluation_audit"), "n_docs"] == 2
    assert p.loc[("international", "ethical_principles"), ["n_docs", "n_docs_group"]].tolist() == [4, 4]
    r = rate["proposal_rate"]
    assert r[["international", "southeast_asia", "china", "north_america", "europe"]].tolist() == [0.60, 0.53, 0.38, 0.39, 0.32]
    a = addr.pivot(index="group", columns="label", values="sent_share")
    assert a.loc["china"].idxmax() == "unspecified" and round(100 * a.loc["china", "unspecified"]) == 34
    assert [round(100 * a.loc[g, "international"]) for g in ("europe", "north_america")] == [45, 40]
    assert a.loc["europe"].idxmax() == a.loc["north_america"].idxmax() == "international"
    assert a.loc["southeast_asia"].idxmax() == "states" and round(100 * a.loc["southeast_asia", "states"]) == 45
    assert (who_what.loc["international_body"].idxmax(), who_what.loc["international_body", "international"]) == ("international", 10)
    assert (who_what.loc["international_agreement"].idxmax(), who_what.loc["international_agreement", "international"]) == ("international", 14)
    assert (who_what.loc["economic_incentives"].idxmax(), who_what.loc["economic_incentives", "states"]) == ("states", 12)

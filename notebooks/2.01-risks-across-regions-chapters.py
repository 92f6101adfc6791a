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
# # 2.01 Risks across regions and chapters
#
# **Question.** Do authors from different regions, and the report's different chapters, worry
# about the same risks? Which of the MIT AI Risk Repository's seven risk domains does each group
# raise, how strongly, and how sure can we be given how few documents some groups have?
#
# Labels come from `policykit.extract` (claims and proposals only: titles, author lines and
# biographies are role `other` and carry no risk). Every share below links back to the
# sentences behind it.

# %% tags=["parameters"]
corpus = None                     # None = the bundled report; or a file/folder of governance texts
metadata = None                   # optional metadata sidecar (CSV or YAML)
group_by = ["region", "chapter"]  # document columns to compare; the first one is the primary grouping
n_boot = 1000                     # bootstrap resamples (of documents) for the 95% intervals

# %%
from policykit import compare as C
from policykit.extract import extract, rollup
from policykit.figures import compare as F
from policykit.nbtools import evidence, groupings, label_names, load_corpus, setup

setup()
texts = load_corpus(corpus, metadata)
wide = extract(texts)
by = groupings(texts.documents, group_by)
primary = by[0]
print(texts)
wide["role"].value_counts()

# %% [markdown]
# ## How prevalence is measured
# For each group and risk domain, `prevalence` gives two shares:
#
# * **`doc_share`**: the share of the group's documents that raise the domain (at least one claim
#   or proposal sentence carries it), with a 95% bootstrap interval (`doc_share_lo`–`hi`)
#   that resamples *documents*;
# * **`sent_share`**: the share of the group's claim and proposal sentences that carry it, a
#   measure of emphasis (long documents weigh more).
#
# Groups with fewer than 3 documents are flagged `small_group` (marked † in the figures).
#
# First, the whole corpus: how many documents raise each domain, and how many claim and proposal
# sentences carry it (from the document roll-up).

# %%
docs = rollup(wide)
overall = (docs[docs["facet"] == "risk_domain"].groupby("label")
           .agg(documents=("doc_id", "nunique"), sentences=("n_sentences", "sum"))
           .sort_values(["documents", "sentences"], ascending=False))
overall.T

# %%
prev = {b: C.prevalence(wide, by=b, facet="risk_domain", documents=texts.documents, n_boot=n_boot) for b in by}
cols = ["group", "label", "n_docs_group", "n_docs", "doc_share", "doc_share_lo", "doc_share_hi",
        "sent_share", "small_group", "example_sent_id"]
prev[primary][cols].round(2)

# %%
F.prevalence_heatmap(prev[primary], title=f"Risk domains raised, by {primary} (share of documents)")

# %%
F.prevalence_bars(prev[primary], title=f"Risk domains by {primary}, with 95% bootstrap intervals")

# %% [markdown]
# Emphasis rather than presence: the share of each group's claim and proposal sentences that
# carry each domain.

# %%
F.prevalence_heatmap(prev[primary], z="sent_share", zlabel="share of sentences",
                     title=f"Emphasis on each risk domain, by {primary} (share of claim and proposal sentences)")

# %% [markdown]
# ## By chapter
# The report's chapters group essays by perspective (chapter 0 is the front matter).

# %%
for b in by[1:]:
    F.prevalence_heatmap(prev[b], title=f"Risk domains raised, by {b} (share of documents)").show()
    display(prev[b].pivot(index="group", columns="label", values="doc_share").round(2))

# %% [markdown]
# ## Which subdomains drive the domains
# The 24 MIT subdomains, for the primary grouping: each group's three most widely raised
# subdomains (by share of documents, then of sentences).

# %%
sub = C.prevalence(wide, by=primary, facet="risk_subdomain", documents=texts.documents, n_boot=0)
top_sub = (sub[sub["n_docs"] > 0].sort_values(["group", "doc_share", "sent_share"], ascending=[True, False, False])
           .groupby("group").head(3))
top_sub.assign(name=top_sub["label"].map(label_names("risk_subdomain")))[
    ["group", "n_docs_group", "label", "name", "n_docs", "doc_share", "sent_share", "example_sent_id"]].round(2)

# %% [markdown]
# ## The evidence behind a cell
# The widest contrast in emphasis for the primary grouping: the group × domain cell whose
# sentence share is furthest above the corpus-wide share of that domain (among groups with at
# least 3 documents), and the sentences behind it, with the cues and model features that
# labelled them.

# %%
overall_share = C.prevalence(wide.assign(_all="all"), by="_all", facet="risk_domain", n_boot=0).set_index("label")["sent_share"]
big = prev[primary][~prev[primary]["small_group"]].assign(excess=lambda d: d["sent_share"] - d["label"].map(overall_share))
cell = big.sort_values("excess", ascending=False).iloc[0]
print(f"{cell.group} × {cell.label}: {cell.n_sents} of {cell.n_sents_group} claim/proposal sentences "
      f"({cell.sent_share:.0%}) against {overall_share[cell.label]:.0%} in the whole corpus; "
      f"{cell.n_docs} of {cell.n_docs_group} documents")
evidence(wide, cell.sent_ids[:8], "risk_domain", cell.label)

# %% [markdown]
# ## Document by document
# The roll-up: how many claim and proposal sentences of each document carry each domain
# (0 = not raised). Use it to check whether a group's share rests on one long document.

# %%
doc_dom = docs[docs["facet"] == "risk_domain"].pivot_table(
    index=["doc_id", primary], columns="label", values="n_sentences", fill_value=0, sort=False).astype(int)
doc_dom

# %% [markdown]
# ## Findings
# Every number below is computed above and checked by the `assert` cell that follows.
#
# - **Socioeconomic and environmental risks are the most widely raised domain**: **24** of the 32
#   documents raise them (**109** claim and proposal sentences), followed by AI system safety
#   (**18** documents, **88** sentences); discrimination and malicious use are raised by **14**
#   documents each. Human–computer interaction is raised by **1** document only. Caveat from
#   notebook 1.01: socioeconomic labels have the most false positives of the common domains, so
#   their lead may be overstated.
# - **North American authors frame the risks as AI safety**: AI system safety carries **25%** of
#   their claim and proposal sentences (4 of 5 documents, one essay alone contributing **15**
#   sentences), against **11%** for Chinese authors; their top subdomain is 7.2 *AI possessing
#   dangerous capabilities* (3 of 5 documents).
# - **European authors frame them as socioeconomic**: **30** of Europe's **103** claim and proposal
#   sentences (**29%**, against **15%** in the whole corpus), raised by 3 of its 4 documents and
#   mostly by two essays on the Global South and on carbon-style oversight (**12** sentences each).
#   Europe's 4 documents raise no discrimination, privacy or misinformation risk at all.
# - **Chinese authors (16 documents) spread their attention**: no domain reaches more than **12%** of
#   their sentences; socioeconomic risks are raised by **11** of 16 documents (**69%**, 95% interval
#   **44–88%**). Their most common subdomain, like that of Europe, international bodies, Latin
#   America and Southeast Asia, is 6.1 *power centralization and unfair distribution of benefits*
#   (raised by **9** Chinese documents), the subdomain with the worst cross-validated precision.
# - **Most regional differences are within the noise**: with 4–5 documents a group's interval
#   spans most of 0–100% (Europe × socioeconomic: **75%**, interval **25–100%**). Latin America
#   (1 document, **44%** of its sentences socioeconomic) and Southeast Asia (2) are anecdotes.
# - **Chapters**: every essay of chapters 2 and 3 raises socioeconomic risks, while only **17%**
#   of chapter 3 raises AI system safety; chapter 4 (engineering) covers the widest range (5 of 7
#   essays raise discrimination and AI system safety, and it is the only chapter touching
#   human–computer interaction); 3 of the 4 company essays (chapter 5) raise AI system safety.

# %%
if corpus is None:
    assert len(wide) == 1019
    o = overall
    assert o.index[0] == "socioeconomic_environmental" and o.iloc[0].tolist() == [24, 109]
    assert o.index[1] == "ai_system_safety" and o.iloc[1].tolist() == [18, 88]
    assert o.loc["discrimination_toxicity", "documents"] == o.loc["malicious_use", "documents"] == 14
    assert o.loc["human_computer_interaction", "documents"] == 1
    p = prev["region"].set_index(["group", "label"])
    na = p.loc[("north_america", "ai_system_safety")]
    assert round(100 * na["sent_share"]) == 25 and (na["n_docs"], na["n_docs_group"]) == (4, 5)
    assert doc_dom.loc[("ch1-cass-beggs", "north_america"), "ai_system_safety"] == 15
    assert round(100 * p.loc[("china", "ai_system_safety"), "sent_share"]) == 11
    assert top_sub[top_sub["group"] == "north_america"].iloc[0][["label", "n_docs"]].tolist() == ["7.2", 3]
    eu = p.loc[("europe", "socioeconomic_environmental")]
    assert (eu["n_sents"], eu["n_sents_group"], round(100 * eu["sent_share"])) == (30, 103, 29)
    assert round(100 * overall_share["socioeconomic_environmental"]) == 15 and (cell.group, cell.label) == (
        "europe", "socioeconomic_environmental")
    assert (eu["n_docs"], eu["n_docs_group"]) == (3, 4)
    assert doc_dom.loc[("ch3-png", "europe"), "socioeconomic_environmental"] == 12
    assert doc_dom.loc[("ch3-siegmann", "europe"), "socioeconomic_environmental"] == 12
    assert all(p.loc[("europe", d), "n_docs"] == 0 for d in ("discrimination_toxicity", "privacy_security", "misinformation"))
    cn = p.loc["china"]
    assert round(100 * cn["sent_share"].max()) == 12 and cn.loc["socioeconomic_environmental", "n_docs"] == 11
    assert [round(100 * cn.loc["socioeconomic_environmental", c]) for c in ("doc_share", "doc_share_lo", "doc_share_hi")] == [69, 44, 88]
    tops = top_sub.groupby("group").head(1).set_index("group")["label"]
    assert all(tops[g] == "6.1" for g in ("china", "europe", "international", "latin_america", "southeast_asia"))
    assert top_sub[top_sub["group"] == "china"].iloc[0]["n_docs"] == 9
    assert [round(100 * eu[c]) for c in ("doc_share", "doc_share_lo", "doc_share_hi")] == [75, 25, 100]
    assert round(100 * p.loc[("latin_america", "socioeconomic_environmental"), "sent_share"]) == 44
    ch = prev["chapter"].set_index(["group", "label"])["doc_share"]
    assert ch.loc[("2", "socioeconomic_environmental")] == ch.loc[("3", "socioeconomic_environmental")] == 1
    assert round(100 * ch.loc[("3", "ai_system_safety")]) == 17
    assert round(ch.loc[("4", "discrimination_toxicity")] * 7) == round(ch.loc[("4", "ai_system_safety")] * 7) == 5
    assert [g for g in ch.index.get_level_values(0).unique() if ch.loc[(g, "human_computer_interaction")] > 0] == ["4"]
    assert round(ch.loc[("5", "ai_system_safety")] * 4) == 3

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
n_boot = 1000                     # bootstrap resamples (of documents) for the 95% sentence-share intervals

# %%
# NBVAL_CHECK_OUTPUT
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
#   or proposal sentence carries it), with a 95% Wilson score interval (`doc_share_lo`–`hi`,
#   closed form: never zero width, even for 0 of n or n of n documents);
# * **`sent_share`**: the share of the group's claim and proposal sentences that carry it, a
#   measure of emphasis (long documents weigh more); its 95% interval (`sent_share_lo`–`hi`,
#   not shown in the table) is a bootstrap that resamples *documents* (`n_boot` resamples).
#
# Groups with fewer than 5 documents are flagged `small_group` (marked † in the figures).
#
# First, the whole corpus: how many documents raise each domain, and how many claim and proposal
# sentences carry it (from the document roll-up).

# %%
# NBVAL_CHECK_OUTPUT
docs = rollup(wide)
overall = (docs[docs["facet"] == "risk_domain"].groupby("label")
           .agg(documents=("doc_id", "nunique"), sentences=("n_sentences", "sum"))
           .sort_values(["documents", "sentences"], ascending=False))
overall.T

# %%
# NBVAL_CHECK_OUTPUT
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
# NBVAL_CHECK_OUTPUT
sub = C.prevalence(wide, by=primary, facet="risk_subdomain", documents=texts.documents, n_boot=0)
top_sub = (sub[sub["n_docs"] > 0].sort_values(["group", "doc_share", "sent_share"], ascending=[True, False, False])
           .groupby("group").head(3))
top_sub.assign(name=top_sub["label"].map(label_names("risk_subdomain")))[
    ["group", "n_docs_group", "label", "name", "n_docs", "doc_share", "sent_share", "example_sent_id"]].round(2)

# %% [markdown]
# ## The evidence behind a cell
# The widest contrast in emphasis for the primary grouping: the group × domain cell whose
# sentence share is furthest above the corpus-wide share of that domain (among groups that are
# not `small_group`, i.e. with at least 5 documents), and the sentences behind it, with the cues
# and model features that labelled them.

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
# NBVAL_CHECK_OUTPUT
doc_dom = docs[docs["facet"] == "risk_domain"].pivot_table(
    index=["doc_id", primary], columns="label", values="n_sentences", fill_value=0, sort=False).astype(int)
doc_dom

# %% [markdown]
# ## Findings
# Every number below is computed above and checked by the `assert` cell that follows (the
# structural checks hold for any extraction model; the recorded numbers are listed together, so
# that a rebuild with another model shows every number of this text that changed). The
# cross-validated precisions are those of notebook 1.01 (out-of-fold predictions on the report's
# dev essays), read in the check cell.
#
# - **Socioeconomic and environmental risks are the most widely raised domain**: **27** of the 32
#   documents raise them (**131** claim and proposal sentences), followed by AI system safety
#   (**24** documents, **102** sentences), malicious use (**17**), privacy and security (**14**)
#   and discrimination (**13**). Human–computer interaction is raised by **2** documents only
#   (**4** sentences). Caveat from the cross-validation: on the report's dev essays socioeconomic
#   labels have the most false positives of any domain (**48**, precision **0.36**, against
#   **0.50** for AI system safety), so their lead may be overstated; human–computer interaction,
#   at precision **0.06**, is barely measured at all.
# - **North American authors frame the risks as AI safety**: AI system safety carries **25%** of
#   their **118** claim and proposal sentences (**30**), against **14%** in the whole corpus and
#   **13%** for Chinese authors; all **5** of their documents raise it, one essay (ch1-cass-beggs)
#   alone contributing **14** sentences. It is the widest contrast in emphasis among the groups
#   with at least 5 documents (the evidence cell above; only China and North America have that
#   many). Their most widely raised subdomain is 7.3 *lack of capability or robustness* (**4** of
#   5 documents), then 7.2 *AI possessing dangerous capabilities* (**3** of 5).
# - **European authors frame them as socioeconomic**: **39** of Europe's **103** claim and
#   proposal sentences (**38%**, against **18%** in the whole corpus), raised by all **4** of its
#   documents and mostly by two essays, on carbon-style oversight (ch3-siegmann, **17**
#   sentences) and on the Global South (ch3-png, **12**). Europe's documents raise no privacy or
#   misinformation risk at all, and discrimination in only **1** sentence. With 4 documents Europe
#   is a small group, which is why the evidence cell does not pick it although its excess is
#   larger than North America's.
# - **Chinese authors (16 documents) spread their attention**: no domain reaches more than **14%**
#   of their sentences; socioeconomic risks and AI system safety are each raised by **13** of 16
#   documents (**81%**, 95% interval **57–93%**). Their most widely raised subdomain is 6.5
#   *governance failure* (**11** documents), then 6.1 *power centralization and unfair
#   distribution of benefits* (**9**); 6.1 is the top subdomain of Europe, international bodies,
#   Latin America and Southeast Asia (in Europe, Latin America and Southeast Asia it ties with
#   6.5 on documents and leads on sentences). Both are weakly measured: cross-validated
#   precision **0.26** (6.5) and **0.24** (6.1) on the dev essays.
# - **Most regional differences are within the noise**: with 4–5 documents even a unanimous
#   group's interval reaches down to about half (Europe × socioeconomic: **100%**, interval
#   **51–100%**; North America × AI system safety: **100%**, interval **57–100%**), and a split
#   one spans most of the range (Europe × AI system safety, 2 of 4: interval **15–85%**).
#   Latin America (1 document, **48%** of its sentences socioeconomic) and Southeast Asia (2) are
#   anecdotes.
# - **Chapters**: every essay of chapters 1, 2 and 3 raises socioeconomic risks, while only
#   **33%** of chapter 3 raises AI system safety (against all **6** essays of chapter 1); chapter
#   4 (engineering) has AI system safety in **6** of 7 essays and discrimination in **5**; chapters
#   2 and 4 are the only ones touching all seven domains (human–computer interaction in one
#   essay each); all **4** company essays (chapter 5) raise AI system safety.

# %%
if corpus is None:
    from policykit.nbtools import cross_validated, per_label_scores

    p = prev["region"].set_index(["group", "label"])
    ch = prev["chapter"].set_index(["group", "label"])
    # structural: hold for any extraction model
    assert len(wide) == 1019 and wide["role"].isin(["claim", "proposal", "other"]).all()
    assert overall["documents"].is_monotonic_decreasing and (overall["documents"] <= len(texts.documents)).all()
    for t in prev.values():
        assert ((t["doc_share_lo"] <= t["doc_share"]) & (t["doc_share"] <= t["doc_share_hi"])).all()
        assert (t["small_group"] == (t["n_docs_group"] < 5)).all()
    assert not cell.small_group and cell.excess == big["excess"].max()
    assert (doc_dom.sum().sort_index() == overall["sentences"].sort_index()).all()
    # recorded numbers of the text above: (what, computed, recorded)
    cv = per_label_scores(cross_validated("units").query("source_set == 'report'")).set_index(["facet", "label"])
    rd = cv.loc["risk_domains"]
    pct = lambda x: round(100 * x)  # noqa: E731
    o = overall
    na, eu, cn = p.loc[("north_america", "ai_system_safety")], p.loc[("europe", "socioeconomic_environmental")], p.loc["china"]
    eu_ai = p.loc[("europe", "ai_system_safety")]
    tops = top_sub.groupby("group").head(1).set_index("group")
    na_sub = top_sub[top_sub["group"] == "north_america"]
    cn_sub = top_sub[top_sub["group"] == "china"]
    chapter_touch_all = [g for g in ch.index.get_level_values(0).unique() if (ch.loc[g, "n_docs"] > 0).all()]
    checks = [
        ("domains by documents", o.index[:5].tolist(), ["socioeconomic_environmental", "ai_system_safety", "malicious_use",
                                                         "privacy_security", "discrimination_toxicity"]),
        ("socioeconomic: documents, sentences", o.loc["socioeconomic_environmental"].tolist(), [27, 131]),
        ("AI system safety: documents, sentences", o.loc["ai_system_safety"].tolist(), [24, 102]),
        ("documents: malicious use, privacy, discrimination",
         o.loc[["malicious_use", "privacy_security", "discrimination_toxicity"], "documents"].tolist(), [17, 14, 13]),
        ("human-computer interaction: documents, sentences", o.loc["human_computer_interaction"].tolist(), [2, 4]),
        ("CV domain with most false positives", rd["fp"].idxmax(), "socioeconomic_environmental"),
        ("CV socioeconomic: fp, precision", (int(rd.loc["socioeconomic_environmental", "fp"]),
                                             round(rd.loc["socioeconomic_environmental", "precision"], 2)), (48, 0.36)),
        ("CV precision AI safety, HCI", (round(rd.loc["ai_system_safety", "precision"], 2),
                                         round(rd.loc["human_computer_interaction", "precision"], 2)), (0.50, 0.06)),
        ("N America AI safety: sentences, of, %", (na["n_sents"], na["n_sents_group"], pct(na["sent_share"])), (30, 118, 25)),
        ("corpus-wide AI safety %, China %", (pct(overall_share["ai_system_safety"]), pct(cn.loc["ai_system_safety", "sent_share"])), (14, 13)),
        ("N America AI safety: documents", (na["n_docs"], na["n_docs_group"]), (5, 5)),
        ("ch1-cass-beggs AI safety sentences", doc_dom.loc[("ch1-cass-beggs", "north_america"), "ai_system_safety"], 14),
        ("widest contrast among groups of >= 5 documents", (cell.group, cell.label), ("north_america", "ai_system_safety")),
        ("groups of >= 5 documents", sorted(big["group"].unique()), ["china", "north_america"]),
        ("N America top subdomains (label, documents)", na_sub[["label", "n_docs"]].head(2).values.tolist(), [["7.3", 4], ["7.2", 3]]),
        ("Europe socioeconomic: sentences, of, %", (eu["n_sents"], eu["n_sents_group"], pct(eu["sent_share"])), (39, 103, 38)),
        ("corpus-wide socioeconomic %", pct(overall_share["socioeconomic_environmental"]), 18),
        ("Europe socioeconomic: documents", (eu["n_docs"], eu["n_docs_group"]), (4, 4)),
        ("ch3-siegmann, ch3-png socioeconomic sentences",
         [doc_dom.loc[(d, "europe"), "socioeconomic_environmental"] for d in ("ch3-siegmann", "ch3-png")], [17, 12]),
        ("Europe: privacy, misinformation documents; discrimination sentences",
         (p.loc[("europe", "privacy_security"), "n_docs"], p.loc[("europe", "misinformation"), "n_docs"],
          p.loc[("europe", "discrimination_toxicity"), "n_sents"]), (0, 0, 1)),
        ("Europe small and its excess above the cell's", (bool(eu["small_group"]), bool(
            eu["sent_share"] - overall_share["socioeconomic_environmental"] > cell.excess)), (True, True)),
        ("China: largest sentence share %", pct(cn["sent_share"].max()), 14),
        ("China: documents socioeconomic, AI safety",
         (cn.loc["socioeconomic_environmental", "n_docs"], cn.loc["ai_system_safety", "n_docs"]), (13, 13)),
        ("China socioeconomic doc share and interval %",
         [pct(cn.loc["socioeconomic_environmental", c]) for c in ("doc_share", "doc_share_lo", "doc_share_hi")], [81, 57, 93]),
        ("China top subdomains (label, documents)", cn_sub[["label", "n_docs"]].head(2).values.tolist(), [["6.5", 11], ["6.1", 9]]),
        ("groups whose top subdomain is 6.1", sorted(tops.index[tops["label"] == "6.1"]),
         ["europe", "international", "latin_america", "southeast_asia"]),
        ("groups where 6.5 ties 6.1 on documents",
         sorted(g for g in tops.index[tops["label"] == "6.1"] if sub.set_index(["group", "label"]).loc[[(g, "6.1"), (g, "6.5")], "n_docs"].nunique() == 1),
         ["europe", "latin_america", "southeast_asia"]),
        ("CV precision 6.5, 6.1", [round(cv.loc[("risk_subdomains", s), "precision"], 2) for s in ("6.5", "6.1")], [0.26, 0.24]),
        ("Europe socioeconomic doc share and interval %", [pct(eu[c]) for c in ("doc_share", "doc_share_lo", "doc_share_hi")], [100, 51, 100]),
        ("Europe AI safety: documents, interval %", [eu_ai["n_docs"]] + [pct(eu_ai[c]) for c in ("doc_share_lo", "doc_share_hi")], [2, 15, 85]),
        ("N America AI safety doc share and interval %", [pct(na[c]) for c in ("doc_share", "doc_share_lo", "doc_share_hi")], [100, 57, 100]),
        ("Latin America socioeconomic %", pct(p.loc[("latin_america", "socioeconomic_environmental"), "sent_share"]), 48),
        ("chapters where every essay raises socioeconomic",
         [g for g in ch.index.get_level_values(0).unique() if ch.loc[(g, "socioeconomic_environmental"), "doc_share"] == 1],
         ["1", "2", "3"]),
        ("chapter 3 AI safety %, chapter 1 AI safety essays",
         (pct(ch.loc[("3", "ai_system_safety"), "doc_share"]), ch.loc[("1", "ai_system_safety"), "n_docs"]), (33, 6)),
        ("chapter 4: AI safety, discrimination essays",
         (ch.loc[("4", "ai_system_safety"), "n_docs"], ch.loc[("4", "discrimination_toxicity"), "n_docs"]), (6, 5)),
        ("chapters touching all seven domains", chapter_touch_all, ["2", "4"]),
        ("HCI essays in chapters 2, 4", [ch.loc[(g, "human_computer_interaction"), "n_docs"] for g in ("2", "4")], [1, 1]),
        ("chapter 5 AI safety: essays, of", (ch.loc[("5", "ai_system_safety"), "n_docs"], ch.loc[("5", "ai_system_safety"), "n_docs_group"]), (4, 4)),
    ]
    wrong = [(what, now, recorded) for what, now, recorded in checks if now != recorded]
    assert not wrong, "findings changed (what, now, recorded): " + repr(wrong)

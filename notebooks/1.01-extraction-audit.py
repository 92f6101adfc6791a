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
# # 1.01 Extraction audit
#
# **Question.** How far can we trust the extracted labels? How often does the extractor get
# sentence roles, risk domains, instruments and addressees right on essays it was *not*
# trained on, does it meet the project's targets, which labels are weakest, and what do its
# mistakes look like?
#
# Every later notebook multiplies whatever the extractor gets right or wrong, so this one comes
# first. The shipped model is trained on the dev gold (14 essays and the front matter) and the
# MIT AI Risk Repository's risk descriptions, so scoring it on the dev gold would be in-sample.
# We score it by **grouped cross-validation** instead: each essay is predicted by a model fitted
# on the other essays (leave one essay out), and MIT descriptions by a model that never saw their
# framework (`Paper_ID`). The cross-validated predictions are cached under `data/interim/notebooks`,
# keyed by a hash of the code, models and training data, so they are recomputed whenever any of
# these change (a few minutes) and read back otherwise.

# %% tags=["parameters"]
embedding = "minilm"   # extraction model to audit: "minilm" (shipped default) or "static"
corpus = None          # the gold annotates the bundled report: keep None
n_examples = 6         # error examples shown per label

# %%
import pandas as pd

from policykit import config
from policykit.evaluate import evaluate_gold, gold_frame
from policykit.extract import extract
from policykit.nbtools import cross_validated, evidence, label_errors, load_corpus, setup

setup()
cv = cross_validated("gold", embedding)
mit = cross_validated("mit", embedding)
res = evaluate_gold(cv)
s = res["summary"]
print(f"{s['gold_sentences']} gold sentences in {cv['doc_id'].nunique()} documents "
      f"({s['unlocated_gold']} not located in the raw text); {len(mit)} MIT risk descriptions "
      f"from {mit['paper_id'].nunique()} frameworks")

# %% [markdown]
# ## Cross-validated scores against the targets
# Micro-F1 pools every sentence × label decision; document level asks whether a document raises
# a label at all (at least one of its claim or proposal sentences carries it). `naive` is a
# keyword tagger, `human` the agreement of two annotators (where known).

# %%
scores = {**{k: s[k] for k in config.EXTRACTION_TARGETS if k in s}, "mit_top_domain_accuracy": mit["correct"].mean()}
targets = pd.DataFrame(config.EXTRACTION_TARGETS).T.assign(cv_score=pd.Series(scores))
targets["margin"] = targets["cv_score"] - targets["target"]
targets["met"] = targets["margin"] >= 0
targets[["cv_score", "target", "margin", "met", "naive", "human"]].astype(
    {"cv_score": float, "target": float, "margin": float}).round(3)

# %% [markdown]
# For scale, the same metrics **in-sample** (the shipped model scoring the sentences it was
# trained on): this is why only cross-validated numbers are quoted.

# %%
texts = load_corpus(corpus)
insample = evaluate_gold(extract(texts, embedding=embedding))["summary"]
pd.DataFrame({"in_sample": {k: insample[k] for k in scores if k in insample},
              "cross_validated": {k: s[k] for k in scores if k in s}}).round(3)

# %% [markdown]
# ## Roles
# Rows are the gold roles, columns the predicted ones.

# %%
res["role_confusion"]

# %% [markdown]
# ## Per-label precision, recall and F1
# `support` is the number of gold sentences carrying the label. Labels with fewer than 5 gold
# sentences have very noisy scores.

# %%
per_label = res["per_label"].round(2)
per_label[per_label["facet"].isin(["role", "risk_domains", "instruments", "addressee"])].sort_values(
    ["facet", "support"], ascending=[True, False])

# %%
per_label[per_label["facet"] == "risk_subdomains"].sort_values("support", ascending=False)

# %% [markdown]
# MIT risk descriptions from frameworks the model never saw: accuracy of the top domain.

# %%
mit.groupby("domain")["correct"].agg(n="size", accuracy="mean").round(2)

# %% [markdown]
# ## The weakest labels
# Among labels with at least 5 gold sentences, the five with the lowest F1.

# %%
weak = res["per_label"][(res["per_label"]["support"] >= 5) & (res["per_label"]["facet"] != "role")]
weak = weak.sort_values(["f1", "support"], ascending=[True, False]).head(5).round(2)
weak

# %% [markdown]
# ## What the mistakes look like
# For each weak label, false positives (predicted, not in the gold) and false negatives (in the
# gold, missed), from the cross-validated predictions, with the label's score and the evidence
# the extractor gave: rule cues (matched text) and the learned component's top features. A false
# negative usually has no evidence; its score shows how far below the threshold it fell.

# %%
gold = gold_frame(texts)
facet_of = {"risk_domains": "risk_domain", "risk_subdomains": "risk_subdomain", "instruments": "instrument",
            "addressee": "addressee"}
examples = {}
for r in weak.itertuples():
    err = label_errors(cv, gold, facet_of[r.facet], r.label)
    ev = evidence(cv, err["sent_id"], facet_of[r.facet], r.label, columns=[])
    examples[r.label] = err[["sent_id", "error", "gold"]].merge(ev.drop(columns=["doc_id"]), on="sent_id")
    print(f"{r.facet} / {r.label}: {(err['error'] == 'false positive').sum()} false positives, "
          f"{(err['error'] == 'false negative').sum()} false negatives")

# %%
for label, ex in examples.items():
    display(ex.groupby("error", group_keys=False).head(n_examples // 2).assign(label=label))

# %% [markdown]
# ### Role errors
# The most common confusions, with an example of each and the role model's evidence.

# %%
role_err = label_errors(cv, gold, "role")
role_err["error"].value_counts().head(6)

# %%
role_err.merge(cv[["sent_id", "role_score"]], on="sent_id").groupby("error").head(1).sort_values(
    "error")[["sent_id", "error", "role_score", "text"]].round(2)

# %% [markdown]
# ## Findings
# Every number below is computed above and checked by the `assert` cell that follows.
#
# - **Seven of the eight targets are met by grouped cross-validation** (leave one essay out over
#   542 gold sentences in 17 documents; MIT descriptions from 63 frameworks, folds grouped by
#   framework): role macro-F1 **0.845** (target 0.80), risk-domain micro-F1 **0.725** (0.70),
#   subdomain micro-F1 **0.561** (0.55), instrument micro-F1 **0.625** (0.60), document-level
#   risk-domain F1 **0.929** (0.88), document-level instrument F1 **0.750** (0.75) and MIT
#   top-domain accuracy **0.742** (0.70). The margins are thin (**0.000** to **0.049**): the
#   document-level instrument target is met with no margin at all, and on the held-back
#   annotations some of these may be missed.
# - **One target is missed**: addressee micro-F1 **0.469** (target 0.60). Who a proposal
#   addresses (notebook 2.02) is the least reliable output and should be read as indicative only.
# - The extractor is far above the naive keyword tagger on instruments (**0.625** against 0.24;
#   document level **0.750** against 0.41) but far below two human annotators (0.88 on
#   instruments, 0.95 on roles).
# - In-sample scores are misleading: the shipped model scores **0.855** addressee and **0.797**
#   subdomain micro-F1 on the sentences it was trained on, against **0.469** and **0.561**
#   cross-validated.
# - Role errors are mostly claim/proposal confusions: **20** gold proposals are read as claims
#   and **18** claims as proposals; **14** `other` sentences (titles, bios, headings) are taken
#   for claims.
# - The weakest labels (at least 5 gold sentences) are subdomain 6.2 *increased inequality and
#   decline in employment quality* (F1 **0.22**, 6 of 7 missed), addressee *industry* (**0.36**),
#   subdomain 6.1 *power centralization* (**0.40**, with **17** false positives), instrument
#   *international_agreement* (**0.40**) and addressee *unspecified* (**0.43**).
# - Among risk domains, *human_computer_interaction* is never found (0 of its 3 gold sentences)
#   and *socioeconomic_environmental* has the lowest F1 of the common domains (**0.62**, **22**
#   false positives): the lead of socioeconomic risks in notebook 2.01 may be overstated. On MIT
#   descriptions the weakest domains are *human_computer_interaction* (**0.47**) and
#   *misinformation* (**0.58**).
# - The examples show the typical failure modes. All **5** missed *international_agreement*
#   sentences carry no cue at all (the wording is implicit), while its **4** false positives are
#   each triggered by a cue: "agreement(s)" twice in sentences about consensus, "international
#   rules" twice.

# %%
if corpus is None and embedding == "minilm":
    assert s["gold_sentences"] == 542 and cv["doc_id"].nunique() == 17
    assert len(mit) == 1255 and mit["paper_id"].nunique() == 63
    t = targets.astype({"cv_score": float, "margin": float})
    assert int(t["met"].sum()) == 7
    assert set(t.index[~t["met"].astype(bool)]) == {"addressee_micro_f1"}
    assert t["cv_score"].round(3).to_dict() == {
        "role_macro_f1": 0.845, "risk_domains_micro_f1": 0.725, "risk_subdomains_micro_f1": 0.561,
        "instruments_micro_f1": 0.625, "addressee_micro_f1": 0.469, "doc_risk_domains_micro_f1": 0.929,
        "doc_instruments_micro_f1": 0.750, "mit_top_domain_accuracy": 0.742}
    met = t[t["met"].astype(bool)]["margin"].round(3)
    assert (met.min(), met.max()) == (0.000, 0.049)
    assert (round(insample["addressee_micro_f1"], 3), round(insample["risk_subdomains_micro_f1"], 3)) == (0.855, 0.797)
    conf = res["role_confusion"]
    assert (conf.loc["proposal", "claim"], conf.loc["claim", "proposal"], conf.loc["other", "claim"]) == (20, 18, 14)
    assert list(weak["label"]) == ["6.2", "industry", "6.1", "international_agreement", "unspecified"]
    assert list(weak["f1"]) == [0.22, 0.36, 0.40, 0.40, 0.43]
    w = weak.set_index("label")
    assert (w.loc["6.2", "fn"], w.loc["6.2", "support"], w.loc["6.1", "fp"]) == (6, 7, 17)
    pl = per_label.set_index(["facet", "label"])
    assert pl.loc[("risk_domains", "human_computer_interaction"), ["tp", "support"]].tolist() == [0, 3]
    assert pl.loc[("risk_domains", "socioeconomic_environmental"), ["f1", "fp"]].tolist() == [0.62, 22]
    acc = mit.groupby("domain")["correct"].mean().round(2)
    assert (acc["human_computer_interaction"], acc["misinformation"]) == (0.47, 0.58)
    intl = examples["international_agreement"]
    fp, fn = intl[intl["error"] == "false positive"], intl[intl["error"] == "false negative"]
    assert len(fn) == 5 and all(len(c) == 0 for c in fn["cues"])
    assert len(fp) == 4 and sorted(c[0].lower() for c in fp["cues"]) == [
        "agreement", "agreements", "international rules", "international rules"]

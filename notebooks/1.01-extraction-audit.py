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
# sentence roles, risk domains, instruments and addressees right on documents it was *not*
# trained on — the report's essays, and governance texts of other genres (laws, strategies,
# corporate policies, international statements) — which labels are weakest, and what do its
# mistakes look like?
#
# Every later notebook multiplies whatever the extractor gets right or wrong, so this one comes
# first. The shipped model is trained on every annotated sentence the project ships (the
# report's 14 dev essays and front matter, 31 governance documents) and the MIT AI Risk
# Repository's risk descriptions, so scoring it on those sentences would be in-sample. We read
# instead the **out-of-fold predictions** `policykit train` keeps beside the model
# (`data/models/extract-minilm/cv-predictions.parquet`): 5 folds of whole documents, each
# document predicted by a model fine-tuned without it, with temperatures and thresholds fitted
# on the other folds; MIT descriptions by a model that never saw their framework. Reading them
# costs nothing; `policykit evaluate --cv` prints the same tables from the command line.

# %% tags=["parameters"]
model = "accurate"   # extraction tier to audit: "accurate" (shipped default) or "fast"
corpus = None        # the gold annotates the bundled report and the governance set: keep None
n_examples = 6       # error examples shown per label

# %%
# NBVAL_CHECK_OUTPUT
import pandas as pd

from policykit import config
from policykit.evaluate import evaluate_gold
from policykit.extract import extract
from policykit.nbtools import cross_validated, cv_role_confusion, cv_scores, load_corpus, per_label_scores, setup

setup()
units = cross_validated("units", model)
mit = cross_validated("mit", model)
print(f"{len(units)} annotated sentences in {units['doc_id'].nunique()} documents "
      f"({(units['source_set'] == 'report').sum()} from the report, "
      f"{(units['source_set'] == 'governance').sum()} from {units.loc[units['source_set'] == 'governance', 'doc_id'].nunique()} "
      f"governance documents); {len(mit)} MIT risk descriptions from {mit['paper_id'].nunique()} frameworks")

# %% [markdown]
# ## Cross-validated scores by genre
# Role macro-F1; micro-F1 pools every sentence × label decision; `doc_…` asks whether a document
# raises a label at all (at least one of its claim or proposal sentences carries it). The
# governance genres were written by other hands for other purposes than the report's essays:
# how the scores differ between rows is the best guide to how the extractor does on texts an
# analyst brings.

# %%
# NBVAL_CHECK_OUTPUT
COLS = ["documents", "sentences", "role_macro_f1", "risk_domains_micro_f1", "risk_subdomains_micro_f1",
        "instruments_micro_f1", "addressee_micro_f1", "doc_risk_domains_micro_f1", "doc_instruments_micro_f1"]
by_genre = cv_scores(units, by="genre")[COLS]
by_genre

# %% [markdown]
# ## The report's dev essays against the targets
# The project's targets were set for the report. `naive` is a keyword tagger, `human` the
# agreement of two annotators (where known). The same numbers come from the shared scorer's
# offset matching (`evaluate_gold`), which is how the held-back essays are judged.

# %%
# NBVAL_CHECK_OUTPUT
rep = units[units["source_set"] == "report"]
s = cv_scores(rep, by="source_set").loc["report"]
scores = {**{k: s[k] for k in config.EXTRACTION_TARGETS if k in s},
          "mit_top_domain_accuracy": round(float(mit["correct"].mean()), 3)}
targets = pd.DataFrame(config.EXTRACTION_TARGETS).T.assign(cv_score=pd.Series(scores))
targets["margin"] = targets["cv_score"] - targets["target"]
targets["met"] = targets["margin"] >= 0
targets = targets[["cv_score", "target", "margin", "met", "naive", "human"]].astype(
    {"cv_score": float, "target": float, "margin": float}).round(3)
targets

# %% [markdown]
# For scale, the same metrics **in-sample** (the shipped model extracting the report, scored on
# the dev sentences it was trained on): this is why only cross-validated numbers are quoted.

# %%
# NBVAL_CHECK_OUTPUT
texts = load_corpus(corpus)
insample = evaluate_gold(extract(texts, model=model))["summary"]
pd.DataFrame({"in_sample": {k: insample[k] for k in scores if k in insample},
              "cross_validated": {k: s[k] for k in scores if k in s}}).round(3)

# %% [markdown]
# ## Roles
# Rows are the gold roles, columns the predicted ones (all annotated sentences).

# %%
# NBVAL_CHECK_OUTPUT
conf = cv_role_confusion(units)
conf

# %% [markdown]
# ## Per-label precision, recall and F1
# `support` is the number of gold sentences carrying the label. Labels with fewer than 5 gold
# sentences have very noisy scores.

# %%
# NBVAL_CHECK_OUTPUT
per_label = per_label_scores(units).round(2)
per_label[per_label["facet"].isin(["risk_domains", "instruments", "addressee"])].sort_values(
    ["facet", "support"], ascending=[True, False])

# %%
# NBVAL_CHECK_OUTPUT
per_label[per_label["facet"] == "risk_subdomains"].sort_values("support", ascending=False)

# %% [markdown]
# MIT risk descriptions from frameworks the model never saw: accuracy of the top domain
# (through `classify()`, as an analyst would call it on a risk description).

# %%
# NBVAL_CHECK_OUTPUT
mit.groupby("domain")["correct"].agg(n="size", accuracy="mean").round(2)

# %% [markdown]
# ## The weakest labels
# Among labels with at least 10 gold sentences, the five with the lowest F1.

# %%
# NBVAL_CHECK_OUTPUT
weak = per_label[(per_label["support"] >= 10)].sort_values(["f1", "support"], ascending=[True, False]).head(5)
weak

# %% [markdown]
# ## What the mistakes look like
# For each weak label, false positives (predicted, not in the gold) and false negatives (in the
# gold, missed), with the genre of their document.

# %%
# NBVAL_CHECK_OUTPUT
COLUMN = {"risk_domains": "risk_domains", "risk_subdomains": "risk_subdomains", "instruments": "instruments",
          "addressee": "addressees"}
examples = {}
for r in weak.itertuples():
    col = COLUMN[r.facet]
    g = units[col].map(lambda v, lab=r.label: lab in v)
    p = units[f"pred_{col}"].map(lambda v, lab=r.label: lab in v)
    err = units[g != p].assign(error=lambda d, p=p: p[d.index].map({True: "false positive", False: "false negative"}))
    examples[r.label] = err[["unit_id", "genre", "error", "text"]]
    print(f"{r.facet} / {r.label}: {(err['error'] == 'false positive').sum()} false positives, "
          f"{(err['error'] == 'false negative').sum()} false negatives")

# %%
for label, ex in examples.items():
    display(ex.groupby("error", group_keys=False).head(n_examples // 2).assign(label=label))

# %% [markdown]
# ### Role errors
# The most common confusions, with an example of each.

# %%
# NBVAL_CHECK_OUTPUT
role_err = units[units["role"] != units["pred_role"]].assign(
    error=lambda d: d["role"] + " → " + d["pred_role"])
role_err["error"].value_counts().head(6)

# %%
role_err.groupby("error").head(1).sort_values("error")[["unit_id", "genre", "error", "pred_role_score", "text"]].round(2)

# %% [markdown]
# ## Findings
# Every number below is computed above and checked by the `assert` cell that follows (the
# recorded numbers are listed together, so that a rebuild with another model shows every number
# of this text that changed).
#
# - **Grouped cross-validation over both annotated sets** (5 folds of whole documents: 3,133
#   sentences of 48 documents, 542 of them from the report's 17 dev documents): role macro-F1
#   **0.780** overall, from **0.710** on corporate policies to **0.823** on international
#   statements; risk-domain micro-F1 **0.511** (0.443 on laws to 0.533); instruments **0.472**
#   (**0.375** on the report's essays to **0.552** on corporate texts); addressees **0.537**
#   (**0.350** on the report to **0.656** on corporate texts). Whether a document raises a label at
#   all is much more reliable: document-level domains **0.867**, instruments **0.739**.
# - **On the report's dev essays, 2 of the 8 targets are met**: role macro-F1 **0.813** (target
#   0.80) and MIT top-domain accuracy **0.748** (0.70). Risk domains (**0.503** against 0.70),
#   instruments (**0.375** against 0.60) and addressees (**0.350** against 0.60) are far from
#   them, and so are the document-level scores (**0.822** and **0.628**). The previous model's
#   leave-one-essay-out figures (domains 0.725, instruments 0.625) were measured on the essays its
#   rules were written from, and were not borne out on held-back essays (0.55 and 0.37); these
#   folds hold out whole documents of both sets and are the better guide.
# - **The report is the hardest genre for labels** (its role scores are the second best): its
#   essays argue rather than legislate, and the governance documents, with five times as many
#   sentences, may pull the fine-tuned model towards their wording (the fast tier, whose static
#   vectors are not tuned, scores higher on the report's instruments: `model="fast"`).
#   Instruments and addressees in notebook 2.02 are indicative only; risk domains at document
#   level (notebook 2.01) are sturdier than sentence counts.
# - In-sample scores are meaningless: the shipped model scores **0.995** role and **0.893**
#   instrument micro-F1 on the report sentences it was trained on.
# - **Role errors are mostly about the proposal/other boundary in governance texts**: **182**
#   gold proposals are read as `other` (**174** of them in governance documents: statutory
#   provisions and list fragments) and **147** `other` sentences as proposals; claims and
#   proposals are confused **114** and **99** times.
# - **The weakest labels** (at least 10 gold sentences) score near zero: instrument
#   *international_agreement* (**0** of 19 found, **22** false positives), *open-source and
#   democratization* (**0** of 11), addressee *civil society* (F1 **0.05**), subdomain 3.2
#   (**0.10**) and instrument *safety research* (**0.11**).
# - On MIT risk descriptions of unseen frameworks, `classify()` gets the top domain right for
#   **75%** (1,255 descriptions from 63 frameworks); weakest *human-computer interaction*
#   (**0.46**) and *misinformation* (**0.61**).

# %%
if corpus is None and model == "accurate":
    # structural: hold for any model
    assert set(by_genre.index) == {"all", "report", "law", "government_policy", "corporate", "international_statement"}
    assert by_genre.loc["all", "sentences"] == len(units) and int(conf.to_numpy().sum()) == len(units)
    assert (units.groupby("doc_id")["fold"].nunique() == 1).all()
    # recorded numbers of the text above: (what, computed, recorded)
    g = by_genre.round(3)
    t = targets
    pl = per_label.set_index(["facet", "label"])
    w = weak.set_index("label")
    err = role_err["error"].value_counts()
    checks = [
        ("sentences, documents, report sentences", (len(units), units["doc_id"].nunique(), len(rep)), (3133, 48, 542)),
        ("role all, corporate, statements, report", tuple(g.loc[["all", "corporate", "international_statement", "report"], "role_macro_f1"]),
         (0.780, 0.710, 0.823, 0.813)),
        ("domains all, law, statements", tuple(g.loc[["all", "law", "international_statement"], "risk_domains_micro_f1"]), (0.511, 0.443, 0.533)),
        ("instruments all, report, corporate", tuple(g.loc[["all", "report", "corporate"], "instruments_micro_f1"]), (0.472, 0.375, 0.552)),
        ("addressees all, report, corporate", tuple(g.loc[["all", "report", "corporate"], "addressee_micro_f1"]), (0.537, 0.350, 0.656)),
        ("document level all", tuple(g.loc["all", ["doc_risk_domains_micro_f1", "doc_instruments_micro_f1"]]), (0.867, 0.739)),
        ("targets met", sorted(t.index[t["met"].astype(bool)]), ["mit_top_domain_accuracy", "role_macro_f1"]),
        ("report scores", tuple(t.loc[["role_macro_f1", "risk_domains_micro_f1", "instruments_micro_f1", "addressee_micro_f1",
                                      "doc_risk_domains_micro_f1", "doc_instruments_micro_f1", "mit_top_domain_accuracy"], "cv_score"]),
         (0.813, 0.503, 0.375, 0.350, 0.822, 0.628, 0.748)),
        ("in-sample role, instruments", (round(insample["role_macro_f1"], 3), round(insample["instruments_micro_f1"], 3)), (0.995, 0.893)),
        ("role errors", (err["proposal → other"], int(((role_err["error"] == "proposal → other") & (role_err["source_set"] == "governance")).sum()),
                         err["other → proposal"], err["claim → proposal"], err["proposal → claim"]), (182, 174, 147, 114, 99)),
        ("weakest labels", list(weak["label"]), ["international_agreement", "open_source_democratization", "civil_society", "3.2", "safety_research"]),
        ("international agreement tp, support, fp", (w.loc["international_agreement", "tp"], w.loc["international_agreement", "support"],
                                                     w.loc["international_agreement", "fp"]), (0, 19, 22)),
        ("open source tp, support", (w.loc["open_source_democratization", "tp"], w.loc["open_source_democratization", "support"]), (0, 11)),
        ("weak F1s", (w.loc["civil_society", "f1"], w.loc["3.2", "f1"], w.loc["safety_research", "f1"]), (0.05, 0.10, 0.11)),
        ("MIT: rows, frameworks, accuracy %", (len(mit), mit["paper_id"].nunique(), round(100 * mit["correct"].mean())), (1255, 63, 75)),
        ("MIT weakest", tuple(mit.groupby("domain")["correct"].mean().round(2)[["human_computer_interaction", "misinformation"]]), (0.46, 0.61)),
    ]
    wrong = [(what, now, recorded) for what, now, recorded in checks if now != recorded]
    assert not wrong, "findings changed (what, now, recorded): " + repr(wrong)

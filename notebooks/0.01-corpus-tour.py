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
# # 0.01 Corpus tour
#
# **Question.** What is in the corpus: which documents, from which regions, chapters and
# sectors, and how much text does each group contribute? Every later comparison is weighted by
# these numbers, so we look at them first.
#
# The corpus is the bundled report *Safety and Global Governance of Generative AI*
# (WFEO-CEIT 2023) unless the `corpus` parameter names other texts.

# %% tags=["parameters"]
corpus = None      # None = the bundled report; or a file/folder of governance texts
metadata = None    # optional metadata sidecar (CSV or YAML)

# %%
# NBVAL_CHECK_OUTPUT
from policykit.corpus.summary import unit_counts
from policykit.figures.corpus import count_bars
from policykit.nbtools import load_corpus, setup

setup()
texts = load_corpus(corpus, metadata)
texts

# %% [markdown]
# ## Documents and their metadata
# One row per document; `chapter` 0 is the front matter (editors' note, preface, introduction).

# %%
# NBVAL_CHECK_OUTPUT
texts.documents[[c for c in ("doc_id", "title", "chapter", "region", "sector", "year", "doc_type", "n_sentences") if c in texts.documents]]

# %% [markdown]
# ## Units with stable ids and offsets
# Every sentence has a `sent_id`, its paragraph and sentence index, its section and character
# offsets into the raw text; slicing the raw text gives the sentence back.

# %%
# NBVAL_CHECK_OUTPUT
s = texts.sentences
row = s[s.section == "body"].iloc[0]
raw = texts.raw(row.doc_id)
assert " ".join(raw[row.start:row.end].split()) == row.text
s[["sent_id", "section", "start", "end", "text", "region", "chapter"]].head(8)

# %%
# NBVAL_CHECK_OUTPUT
s["section"].value_counts()

# %% [markdown]
# ## How much body text each group contributes

# %%
# NBVAL_CHECK_OUTPUT
by_region = unit_counts(texts, "region")
by_region.round(3)

# %%
count_bars(by_region, "region", "sentences", hover=["documents", "words"],
           title="Body sentences by region of the authors' affiliations")

# %%
# NBVAL_CHECK_OUTPUT
by_chapter = unit_counts(texts, "chapter")
by_sector = unit_counts(texts, "sector")
by_chapter.round(3)

# %%
# NBVAL_CHECK_OUTPUT
by_sector.round(3)

# %% [markdown]
# ## Findings
# The numbers below are computed above and checked by the `assert` cell that follows, so the
# text cannot drift from the output.
#
# - The bundled report has **32 documents** (3 front-matter texts and 29 essays) and
#   **1,019 sentences**, of which **877** are body text (the rest are titles, author lines,
#   headings and author biographies).
# - Authors based in **China** wrote **16** of the 32 documents and **48%** of the body
#   sentences; Europe, North America and international bodies contribute 4–5 documents each,
#   Southeast Asia 2 and Latin America 1. Any region-level comparison for Latin America or
#   Southeast Asia rests on one or two documents and must be read as anecdotal.
# - Chapter 4 (engineering perspective) is the longest chapter (**7 essays**), chapter 5
#   (companies) the shortest (**4 essays**).
# - Think tanks (**12** documents) and academia (**10**) dominate the sectors.

# %%
if corpus is None:
    assert len(texts.documents) == 32 and (texts.documents.chapter > 0).sum() == 29
    assert len(texts.sentences) == 1019 and (s.section == "body").sum() == 877
    china = by_region.set_index("region").loc["china"]
    assert china.documents == 16 and round(100 * china.share_sentences) == 48
    assert by_region.set_index("region").loc["latin_america", "documents"] == 1
    ch = by_chapter.set_index("chapter")["documents"]
    assert ch.loc[4] == 7 and ch.loc[5] == 4
    sec = by_sector.set_index("sector")["documents"]
    assert sec.loc["think_tank"] == 12 and sec.loc["academia"] == 10

"""Fit, tabulate and draw everything topic-related in one call (for ``policykit topics`` and
``policykit report``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pandas as pd

from policykit.config import SEED


@dataclass
class TopicResults:
    """Everything one topic analysis produces.

    Attributes
    ----------
    model : TopicModel
        The fitted BERTopic adapter.
    baseline : NMFTopicModel
        NMF with as many topics, on the same units and vocabulary.
    quality : DataFrame
        ``model, n_topics, npmi, diversity, top_n, outlier_share`` for both.
    per_group : DataFrame
        :func:`topics_per_group` for every ``by`` column.
    hierarchy : DataFrame
        :func:`topic_hierarchy` of the BERTopic model.
    crosstab : DataFrame or None
        :func:`topic_label_crosstab` when an extraction was given.
    by : tuple of str
    """

    model: object
    baseline: object
    quality: pd.DataFrame
    per_group: pd.DataFrame
    hierarchy: pd.DataFrame
    crosstab: pd.DataFrame | None = None
    by: tuple = field(default_factory=tuple)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Name → tidy table, as written by ``policykit topics``."""
        m = self.model
        out = {"topic_assignments": m.assignments_, "topic_terms": m.terms_,
               "topic_info": m.topic_info_, "topic_quality": self.quality,
               "topic_hierarchy": self.hierarchy,
               "nmf_assignments": self.baseline.assignments_, "nmf_terms": self.baseline.terms_}
        if m.keywords_ is not None:
            out["topic_keywords"] = m.keywords_
        if m.doc_map_ is not None:
            out["topic_doc_map"] = m.doc_map_
        for b in self.by:
            out[f"topics_by_{b}"] = self.per_group[self.per_group["by"] == b].reset_index(drop=True)
        if self.crosstab is not None:
            out["topics_x_labels"] = self.crosstab
        return out


def analyse(corpus, unit: str = "paragraph", by: Sequence[str] = ("region", "chapter"),
            nr_topics: int | None = None, extraction: pd.DataFrame | None = None,
            progress: bool = False, **params) -> TopicResults:
    """Fit BERTopic and the NMF baseline on ``corpus`` and build every topic table.

    Parameters
    ----------
    corpus : Corpus
    unit : {"paragraph", "sentence"}
    by : sequence of str
        Metadata columns for topics per group.
    nr_topics : int, optional
        Fix the number of topics.
    extraction : DataFrame, optional
        Labels (long) or extraction (wide) table, for the topic × label cross-table.
    progress : bool
        Progress bars.
    **params
        Further :class:`TopicModel` parameters.
    """
    from .groups import topic_label_crosstab, topics_per_group
    from .hierarchy import topic_hierarchy
    from .model import TopicModel
    from .nmf import NMFTopicModel
    from .quality import compare_models

    model = TopicModel(unit=unit, nr_topics=nr_topics, progress=progress, **params).fit(corpus)
    baseline = NMFTopicModel(n_topics=max(2, model.n_topics_), unit=unit, random_state=SEED).fit(corpus)
    quality = compare_models({"bertopic (c-TF-IDF)": model, "nmf": baseline}, texts=model.units_["text"].tolist())
    if model.keywords_ is not None:
        kq = compare_models({"bertopic (KeyBERT-inspired)": model.keywords_}, texts=model.units_["text"].tolist())
        kq["outlier_share"] = model.outlier_share_
        quality = pd.concat([quality.iloc[:1], kq, quality.iloc[1:]], ignore_index=True)
    by = tuple(b for b in by if b in model.units_.columns)
    per_group = topics_per_group(model, by) if by else pd.DataFrame()
    crosstab = topic_label_crosstab(model, extraction) if extraction is not None else None
    return TopicResults(model=model, baseline=baseline, quality=quality, per_group=per_group,
                        hierarchy=topic_hierarchy(model), crosstab=crosstab, by=by)


def figure_specs(res: TopicResults) -> list[dict]:
    """Figure specs (``name, title, caption, figure, table``) of a topic analysis."""
    from policykit.figures import topics as F

    m = res.model
    unit = m.unit + "s"
    n = len(m.units_)
    q = res.quality.set_index("model")
    bq = q.iloc[0]
    nq = q.loc["nmf"]
    if getattr(m, "method", "umap") == "spectral":
        how = (f"BERTopic on {n} body {unit} (all-MiniLM-L6-v2 embeddings; Ward clusters of the spectral "
               f"embedding of their {m.params_.get('n_neighbors', 10)}-nearest-neighbour graph, the same on "
               f"every processor): {m.n_topics_} topics")
        outl = (f"; {m.outlier_share_before_:.0%} of the {unit} were in clusters smaller than "
                f"{m.params_.get('min_cluster_size')} and are reassigned to the nearest topic"
                if m.outlier_share_before_ else "")
    else:
        how = (f"BERTopic on {n} body {unit} (all-MiniLM-L6-v2 embeddings, seeded UMAP and HDBSCAN): "
               f"{m.n_topics_} topics")
        outl = (f"; HDBSCAN left {m.outlier_share_before_:.0%} as outliers, {m.outlier_share_:.0%} remain "
                "after reassignment to the nearest topic")
    specs = [{
        "name": "topics-terms",
        "title": "Topics in the authors' own words",
        "caption": (how + outl + ". Bars: c-TF-IDF weights; labels combine KeyBERT-inspired keywords and "
                    "c-TF-IDF terms."),
        "figure": F.topic_terms(m.terms_),
        "table": m.topic_info_,
    }]
    for b in res.by:
        t = res.per_group[res.per_group["by"] == b].reset_index(drop=True)
        if t["representative_ids"].map(lambda ids: all(".s" in str(i) for i in ids)).all():
            t["sent_ids"] = t["representative_ids"]  # the report links these to evidence sentences
        specs.append({
            "name": f"topics-by-{b}",
            "title": f"Topics by {b}",
            "caption": (f"Share of each {b}'s body {unit} assigned to each topic (numbers: {unit}). "
                        "Groups with few documents give noisy shares; representative sentences are in the table."),
            "figure": F.topic_group_heatmap(t, by=b),
            "table": t,
        })
    if m.doc_map_ is not None:
        specs.append({
            "name": "topics-document-map",
            "title": "Document map",
            "caption": (f"Each point is a body {m.unit}, placed on the two principal axes of the "
                        "neighbourhood graph's diffusion-map coordinates, the space the topics were clustered in (identical "
                        "on every run); colour and symbol "
                        "give its topic." if getattr(m, "method", "umap") == "spectral" else
                        f"Each point is a body {m.unit}, placed by a seeded 2-D UMAP of its embedding "
                        "(identical on every run); colour and symbol give its topic."),
            "figure": F.document_map(m.doc_map_),
            "table": m.doc_map_,
        })
    specs.append({
        "name": "topics-hierarchy",
        "title": "Topic hierarchy",
        "caption": "Topics merged bottom-up by the cosine distance of their c-TF-IDF term profiles (average linkage).",
        "figure": F.topic_hierarchy(res.hierarchy),
        "table": res.hierarchy,
    })
    specs.append({
        "name": "topics-quality",
        "title": "Topic quality against an NMF baseline",
        "caption": (f"NPMI coherence (top 10 terms, co-occurrence within {unit} of this corpus) and topic "
                    f"diversity (unique share of top-10 terms). BERTopic c-TF-IDF: NPMI {bq['npmi']:.3f}, "
                    f"diversity {bq['diversity']:.2f}; NMF with the same number of topics: NPMI "
                    f"{nq['npmi']:.3f}, diversity {nq['diversity']:.2f}."),
        "figure": F.topic_quality(res.quality),
        "table": res.quality,
    })
    if res.crosstab is not None and len(res.crosstab):
        for facet in ("risk_domain", "instrument"):
            t = res.crosstab[res.crosstab["facet"] == facet].reset_index(drop=True)
            if not len(t):
                continue
            specs.append({
                "name": f"topics-x-{facet.replace('_', '-')}",
                "title": f"Topics × extracted {facet.replace('_', ' ')}s",
                "caption": (f"Share of each topic's {unit} with at least one sentence labelled with the "
                            f"{facet.replace('_', ' ')} by the extractor (numbers: {unit})."),
                "figure": F.topic_label_heatmap(t, facet=facet),
                "table": t,
            })
    return specs


def topics_report_section(corpus, extraction: pd.DataFrame | None = None,
                          by: Sequence[str] = ("region", "chapter"), unit: str = "paragraph",
                          nr_topics: int | None = None) -> list[dict]:
    """Topic figures for ``policykit report``.

    Parameters
    ----------
    corpus : Corpus
    extraction : DataFrame, optional
        Labels or extraction table; adds topics × risk domains / instruments heatmaps.
    by : sequence of str
        Metadata columns for the topics-per-group heatmaps.
    unit : {"paragraph", "sentence"}
    nr_topics : int, optional

    Returns
    -------
    list of dict
        ``name`` (file stem), ``title``, ``caption``, ``figure`` (go.Figure), ``table`` (DataFrame).
    """
    return figure_specs(analyse(corpus, unit=unit, by=by, nr_topics=nr_topics, extraction=extraction))

"""Topic models: what the authors talk about, in their own words, by region and chapter.

Public API
----------
Models (scikit-learn conventions: parameters in ``__init__``, ``fit`` returns self, learned state
ends in ``_``):

* :class:`TopicModel` — BERTopic on body paragraphs or sentences, offline cached embeddings,
  seeded UMAP/HDBSCAN, outlier reassignment, c-TF-IDF + KeyBERT-inspired labels;
* :class:`NMFTopicModel` — scikit-learn NMF baseline on the same units and vocabulary.

Tables and metrics:

* :func:`topic_units` — the units a model is fitted on;
* :func:`topics_per_group` — topic prevalence per region / chapter / sector with representative
  sentences and ids; :func:`topic_label_crosstab` — topics × extracted labels;
* :func:`npmi_coherence`, :func:`topic_diversity`, :func:`topic_quality`, :func:`compare_models`;
* :func:`topic_hierarchy`;
* :func:`save_model` / :func:`load_model` (also ``TopicModel.save`` / ``TopicModel.load``);
* :func:`analyse` and :func:`topics_report_section` — everything at once, for the CLI and report.

Heavy libraries (BERTopic, UMAP, torch) are imported only when a model is fitted or loaded.
"""

from .groups import topic_label_crosstab, topics_per_group
from .hierarchy import topic_hierarchy
from .model import TopicModel
from .nmf import NMFTopicModel
from .persist import load_model, save_model
from .quality import compare_models, npmi_coherence, topic_diversity, topic_quality
from .report import TopicResults, analyse, figure_specs, topics_report_section
from .units import MIN_UNITS, topic_units

__all__ = ["TopicModel", "NMFTopicModel", "topic_units", "topics_per_group", "topic_label_crosstab",
           "npmi_coherence", "topic_diversity", "topic_quality", "compare_models", "topic_hierarchy",
           "save_model", "load_model", "analyse", "figure_specs", "topics_report_section",
           "TopicResults", "MIN_UNITS"]

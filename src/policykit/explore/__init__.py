"""The evidence explorer: from a figure's cell to its sentences, and corrections that retrain.

Public API
----------
explore(labels, corpus=None, by=None, facet="risk_domain", corrections=None, ...) -> Explorer
    A JupyterLab widget: a group × label heat map (any facet, any grouping) whose cells open
    the sentences behind them (cue spans highlighted, scores, context), with filters, a review
    queue and confirm/correct buttons that append to the corrections file.
    ``policykit.explore(...)`` calls it (the package is callable).
from_comparison(table, labels, corpus=None, value=None, ...) -> Explorer
    The same for any table of :mod:`policykit.compare` (``prevalence``, ``prevalence_table``,
    ``consensus``, a document roll-up …): its own numbers, its own ``sent_ids``.
export_html(labels, corpus, path, ...) -> Path
    The explorer as one self-contained HTML page (no server, no network), e.g. for a report.
review_queue(wide, counts=None) -> DataFrame
    Sentences ordered by how much a correction would teach the model.
training_label_counts(paths=None) -> DataFrame
    How often each label occurs in the training data.

Without a live kernel, ``Explorer.to_html(path)`` (or :func:`export_html`) writes the same view.
The corrections themselves live in :mod:`policykit.corrections`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import pandas as pd

from .queue import estimate_boundaries, review_queue, training_label_counts
from .session import Session, as_wide


def _widget(session: Session):
    try:
        from .widget import Explorer
    except ImportError as exc:  # pragma: no cover - anywidget missing
        from ..errors import PolicykitError

        raise PolicykitError(f"the explorer widget needs anywidget ({exc}); install it with "
                             "`.venv/bin/pip install -c constraints.txt anywidget`, or export a page "
                             "with policykit.explore.export_html") from None
    return Explorer(session)


def session(labels: pd.DataFrame, corpus=None, *, by: str | Sequence[str] | None = None,
            facet: str = "risk_domain", corrections: str | os.PathLike | None | bool = None,
            title: str | None = None, training: pd.DataFrame | None = None, page_size: int = 20,
            queue: bool = True) -> Session:
    """The explorer's state without a front end (see :class:`~.session.Session`)."""
    return Session(labels, corpus, by=by, facet=facet, corrections=corrections, title=title,
                   training=training, page_size=page_size, queue=queue)


def explore(labels: pd.DataFrame, corpus=None, by: str | Sequence[str] | None = None,
            facet: str = "risk_domain", *, corrections: str | os.PathLike | None | bool = None,
            title: str | None = None, training: pd.DataFrame | None = None, page_size: int = 20,
            queue: bool = True):
    """Open the evidence explorer on an extraction.

    Parameters
    ----------
    labels : pandas.DataFrame
        The extraction wide view (``policykit.extract(corpus)``) or long-form labels
        (``policykit.labels_long``, with ``corpus``).
    corpus : policykit.corpus.Corpus, optional
        Document metadata, exact cue offsets, source files.
    by : str or sequence of str, optional
        Grouping column(s) of the heat map (the first opens; the others are a click away);
        default: the usable ones among region, chapter, sector, doc_type, year. One group per
        document (``doc_id``) is always offered.
    facet : {"risk_domain", "risk_subdomain", "instrument", "addressee", "role"}
        Facet the heat map opens on (every facet is offered).
    corrections : path, None or False
        Corrections file to append decisions to and re-apply on opening (None:
        ``data/annotations/corrections.jsonl`` of the project, see
        :func:`policykit.corrections.default_path`; False: keep decisions in memory only).
    title : str, optional
    training : pandas.DataFrame, optional
        Label counts for the review queue (default: :func:`training_label_counts`).
    page_size : int
        Sentences per page of the table.
    queue : bool
        Compute the review queue (the "review queue" order of the table).

    Returns
    -------
    Explorer
        An anywidget; display it as a cell's last value. ``.selected()``, ``.decide()``,
        ``.confirm()``, ``.select()``, ``.review_queue()``, ``.wide``, ``.to_html(path)``.
    """
    return _widget(session(labels, corpus, by=by, facet=facet, corrections=corrections, title=title,
                           training=training, page_size=page_size, queue=queue))


def comparison_session(table: pd.DataFrame, labels: pd.DataFrame, corpus=None, *, value: str | None = None,
                       group: str | None = None, label: str = "label", facet: str | None = None,
                       corrections: str | os.PathLike | None | bool = None, title: str | None = None,
                       training: pd.DataFrame | None = None, page_size: int = 20, queue: bool = True) -> Session:
    """A :class:`~.session.Session` whose heat maps are a comparison table's (see
    :func:`from_comparison`)."""
    from .payload import table_views

    wide = as_wide(labels, corpus)
    index = {s: i for i, s in enumerate(wide["sent_id"])}
    views = table_views(table, index, value=value, group=group, label=label, facet=facet)
    by = [v["by"] for v in views if v["by"] not in ("all",)]
    s = Session(wide, corpus, by=by or None, facet=views[0]["facet"] if views else "risk_domain",
                corrections=corrections, views=views, initial=views[0]["key"] if views else None,
                title=title, training=training, page_size=page_size, queue=queue)
    return s


def from_comparison(table: pd.DataFrame, labels: pd.DataFrame, corpus=None, *, value: str | None = None,
                    group: str | None = None, label: str = "label", facet: str | None = None,
                    corrections: str | os.PathLike | None | bool = None, title: str | None = None,
                    training: pd.DataFrame | None = None, page_size: int = 20, queue: bool = True):
    """Open the explorer on a comparison table, so a notebook figure opens on its own data.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of :mod:`policykit.compare` with a label column and ``sent_ids`` (e.g.
        ``prevalence``, ``prevalence_table``, ``consensus``, ``document_labels`` / a roll-up).
        One heat map per ``facet`` × ``by`` of the table; rows = labels, columns = its
        ``group`` column (else ``doc_id``; else one column).
    labels : pandas.DataFrame
        The extraction the table was computed from (wide view).
    value : str, optional
        Column the cells show (default: the first of doc_share, sent_share, share, n_docs, …).
    group, label : str, optional
        Column names, when the table calls them otherwise.
    facet : str, optional
        The facet, for a table without a ``facet`` column.

    Other parameters are those of :func:`explore`.
    """
    return _widget(comparison_session(table, labels, corpus, value=value, group=group, label=label, facet=facet,
                                      corrections=corrections, title=title, training=training,
                                      page_size=page_size, queue=queue))


def export_html(labels: pd.DataFrame, corpus=None, path: str | os.PathLike = "explorer.html", *,
                by: str | Sequence[str] | None = None, facet: str = "risk_domain", table: pd.DataFrame | None = None,
                corrections: str | os.PathLike | None | bool = False, title: str | None = None,
                training: pd.DataFrame | None = None, page_size: int = 20) -> Path:
    """Write the explorer as one self-contained HTML page (no server, no network); the function
    ``policykit report`` calls.

    Parameters
    ----------
    labels, corpus, by, facet, title, training, page_size
        As for :func:`explore`.
    path : path
        Output file (written atomically).
    table : pandas.DataFrame, optional
        A comparison table to show instead of the default views (as :func:`from_comparison`).
    corrections : path, None or False
        A corrections file whose decisions are shown as decided (default False: the page shows
        the extraction as is). The page never writes files: its decisions are downloaded.

    Returns
    -------
    pathlib.Path
    """
    if table is not None:
        s = comparison_session(table, labels, corpus, corrections=corrections, title=title, training=training,
                               page_size=page_size)
    else:
        s = session(labels, corpus, by=by, facet=facet, corrections=corrections, title=title, training=training,
                    page_size=page_size)
    return s.to_html(path)


def __getattr__(name):
    if name == "Explorer":
        from .widget import Explorer
        return Explorer
    raise AttributeError(f"module 'policykit.explore' has no attribute {name!r}")


__all__ = ["explore", "from_comparison", "export_html", "session", "comparison_session", "review_queue",
           "training_label_counts", "estimate_boundaries", "Session", "as_wide", "Explorer"]


class _CallableModule(__import__("types").ModuleType):
    """Lets ``policykit.explore(labels, corpus)`` work although ``policykit.explore`` is a package."""

    def __call__(self, *args, **kwargs):
        return explore(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule

"""Rendered report: every comparison figure as interactive HTML, PNG and SVG, the CSV behind
each figure, and a self-contained ``index.html`` that leads to the evidence sentences.

Layout of the output folder (default :func:`policykit.config.reports_dir`)::

    index.html               self-contained (plotly.js inlined): figures, captions, glossary, evidence
    explorer.html            the evidence explorer: every sentence with its labels, scores and
                             why, filterable by group and label (self-contained, no server)
    figures/<name>.html      one interactive page per figure (uses figures/plotly.min.js)
    figures/<name>.png|svg   static images (kaleido + Chromium)
    tables/<name>.csv        the tidy table behind each figure (presented: numbers rounded to 3
                             decimals, lists joined with "; ", see :mod:`policykit.present`)
    tables/extraction.csv    the sentence-level extraction the report was built from
    tables/glossary.csv      every label of the taxonomy: facet, id, name, description
    tables/report.xlsx       every table above, one sheet each (with ``tables=("csv", "xlsx")``)
    summary.json             run metadata and headline numbers
    .policykit.json          marker: this folder is a policykit report

The whole folder is built in a sibling staging folder and swapped into place when it is
complete (:mod:`policykit.report.outdir`): a rerun replaces the previous report entirely (no
stale ``region-*`` beside new ``sector-*`` files, no old PNG after ``static=False``), a failed run
leaves the previous report as it was, and a non-empty folder that is not a policykit report is
refused before any work starts.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

from policykit import __version__
from policykit import config
from policykit.config import GOLD_DOCUMENTS, GOLD_INTRO_POINTS
from policykit.compare.prevalence import MIN_DOCS
from policykit.report.outdir import check_output_dir, staged_output
from policykit.report.sections import MAX_GROUPS, Section, comparison_sections, extra_sections
from policykit.report.static import EXPORT_WIDTH, StaticExporter, export_static
from policykit.store import atomic_write

DEFAULT_BY = ("region", "chapter")
STATIC_FORMATS = ("png", "svg")
#: Table formats of a report: ``csv`` (one file per table) and ``xlsx`` (one workbook).
TABLE_FORMATS = ("csv", "xlsx")


@dataclass
class ReportResult:
    """What :func:`build_report` wrote and measured."""

    out: Path
    sections: list[Section]
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="report", unit="step", disable=not enabled, file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {postfix}")


#: Topic models are fitted on at most this many paragraphs (a few minutes on 2 cores); a larger
#: corpus gets them on a fixed sample of whole documents (:func:`topic_documents`).
TOPICS_MAX_PARAGRAPHS = 5_000


def topic_documents(corpus, max_paragraphs: int = TOPICS_MAX_PARAGRAPHS) -> tuple[list[str], str | None]:
    """The documents the report's topic model is fitted on, and a note when that is a sample.

    Up to ``max_paragraphs`` body paragraphs, all documents are used. Beyond, whole documents are
    taken in the order of the SHA-256 of their ids until the paragraphs reach the limit: the
    sample is the same on every machine and run, and adding documents to a corpus never removes
    one from it unless the new one comes earlier in that order.
    """
    import hashlib

    P = corpus.paragraphs
    body = P[P["section"].astype(str) == "body"] if "section" in P.columns else P
    counts = body.groupby("doc_id", sort=False).size()
    total = int(counts.sum())
    doc_ids = [str(d) for d in corpus.doc_ids]
    if total <= max_paragraphs:
        return doc_ids, None
    order = sorted(doc_ids, key=lambda d: hashlib.sha256(d.encode("utf-8")).hexdigest())
    chosen, n = [], 0
    for d in order:
        k = int(counts.get(d, 0))
        if chosen and n + k > max_paragraphs:
            continue
        chosen.append(d)
        n += k
    keep = set(chosen)
    chosen = [d for d in doc_ids if d in keep]
    note = (f"topic sections: fitted on {len(chosen):,} of {len(doc_ids):,} documents ({n:,} of {total:,} "
            f"body paragraphs; documents taken in the hash order of their ids up to "
            f"{max_paragraphs:,} paragraphs, the same sample on every run)")
    return chosen, note


def topics_sections(corpus, extraction: pd.DataFrame, by: Sequence[str]) -> tuple[list, str | None]:
    """Sections from ``policykit.topics.topics_report_section`` when it is importable (on
    :func:`topic_documents` of a large corpus)."""
    try:
        from policykit.topics import topics_report_section
    except Exception as e:  # not built, or its dependencies are missing
        return [], f"topic sections skipped ({type(e).__name__}: {e})"
    try:
        docs, note = topic_documents(corpus)
        if note is not None:
            corpus = corpus.subset(docs)
            extraction = extraction[extraction["doc_id"].astype(str).isin(set(docs))]
        return extra_sections(topics_report_section(corpus, extraction, list(by))), note
    except Exception as e:  # a failing optional stage must not sink the report
        return [], f"topic sections failed and were skipped ({type(e).__name__}: {e})"


def _gold_inputs(docs: pd.DataFrame):
    """Human stance labels and editors' points when they describe this corpus."""
    gold = points = None
    try:
        from policykit.compare.editors import load_points
        from policykit.compare.stances import gold_stances

        if GOLD_DOCUMENTS.exists():
            g = gold_stances(GOLD_DOCUMENTS)
            if set(g["doc_id"]) & set(docs["doc_id"]):
                gold = g
        if GOLD_INTRO_POINTS.exists():
            points = load_points(GOLD_INTRO_POINTS)
    except Exception:  # gold is optional decoration
        pass
    return gold, points


def check_tables(tables: Sequence[str]) -> tuple[str, ...]:
    """Validate report table formats (``csv``, ``xlsx``) before any work; returns them."""
    from policykit.errors import InputError
    from policykit.present import check_xlsx

    tables = tuple(dict.fromkeys(str(t).strip().lower() for t in tables if str(t).strip()))
    bad = [t for t in tables if t not in TABLE_FORMATS]
    if bad or not tables:
        raise InputError(None, f"unknown report table format(s): {', '.join(bad) or '(none)'}",
                         "use csv and/or xlsx, comma-separated")
    if "xlsx" in tables:
        check_xlsx()
    return tables


def glossary_table() -> pd.DataFrame:
    """The report's glossary: every label of ``data/taxonomy/*.yaml`` and the stance questions
    of ``stances.yaml`` (``facet, facet_name, id, name, description, parent``)."""
    from policykit.taxonomy import glossary

    g = glossary()
    try:
        from policykit.compare.stances import load_stance_rules

        qs = load_stance_rules()
        g = pd.concat([g, pd.DataFrame([
            {"facet": "stance", "facet_name": "Stance question", "id": q.id, "name": q.name,
             "description": "values: " + ", ".join(q.values) + f" (default {q.default})",
             "parent": None} for q in qs.values()])], ignore_index=True)
    except Exception:  # stance rules are optional decoration of the glossary
        pass
    return g


def build_report(corpus=None, extraction: pd.DataFrame | None = None,
                 by: Sequence[str] = DEFAULT_BY, out: str | Path | None = None,
                 topics: bool = True, static: bool = True, progress: bool = True,
                 title: str | None = None, n_boot: int = 1000,
                 extra: Sequence[dict] = (), min_docs: int = MIN_DOCS,
                 max_groups: int | None = MAX_GROUPS,
                 tables: Sequence[str] = ("csv",)) -> ReportResult:
    """Compute every comparison, draw the figures and write the report folder.

    Parameters
    ----------
    corpus : policykit.Corpus, optional
        Default: the bundled report (``policykit.load()``).
    extraction : pandas.DataFrame, optional
        The extraction wide view; default ``policykit.extract.extract(corpus)``.
    by : sequence of str
        Document columns to compare by; the first usable one drives the single-grouping
        figures (distinctive terms, positions, consensus, Sankey). Columns missing for every
        document are skipped with a note.
    out : path
        Output folder (default :func:`policykit.config.reports_dir`). It is replaced whole
        when the report is complete; a non-empty folder that is not a policykit report raises
        :class:`~policykit.errors.InputError` before any work (see :mod:`policykit.report.outdir`).
    topics : bool
        Include the topic-model sections (``policykit.topics.topics_report_section``).
    static : bool
        Write PNG and SVG (needs kaleido and Chromium).
    n_boot : int
        Bootstrap resamples for the sentence-share intervals (document shares get Wilson
        intervals).
    extra : sequence of dict
        Further sections ``{name, title, caption, figure, table}``.
    min_docs : int
        Groups with fewer documents are flagged small (†) (default 5).
    max_groups : int or None
        Figures show at most this many groups, pooling the smallest as "other" (default 12).
    tables : sequence of str
        ``csv`` (default) and/or ``xlsx`` (``tables/report.xlsx``, one sheet per table).

    Returns
    -------
    ReportResult
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    out = check_output_dir(out if out is not None else config.reports_dir(), "report")
    tables = check_tables(tables)
    with staged_output(out, "report") as stage:
        res = _build(stage, corpus, extraction, by, topics, static, progress, title, n_boot, extra,
                     min_docs, max_groups, tables, t0, timings)
    res.files = [out / f.relative_to(stage) for f in res.files]
    res.out = out
    res.timings["total"] = time.perf_counter() - t0
    return res


def _build(out: Path, corpus, extraction, by, topics, static, progress, title, n_boot, extra,
           min_docs, max_groups, tables, t0, timings) -> ReportResult:
    """:func:`build_report`'s work, written into the staging folder ``out``."""
    from plotly.offline import get_plotlyjs

    from policykit.present import write_csv, write_xlsx
    from policykit.report.html import (
        evidence_rows, evidence_sentences, figure_div, figure_page, glossary_groups, render_index,
    )

    bar = _progress(17 + 2 * len(by), progress)

    def step(msg: str) -> None:
        bar.set_postfix_str(msg, refresh=False)
        bar.update(1)

    step("loading corpus")
    if corpus is None:
        import policykit

        corpus = policykit.load()
    timings["load"] = time.perf_counter() - t0
    if extraction is None:
        step("extracting")
        try:
            from policykit.extract import extract
        except ModuleNotFoundError as e:
            from policykit.errors import PolicykitError

            raise PolicykitError(f"the extraction stage is not available ({e}); "
                                 "pass an extraction table to build_report()") from None
        extraction = extract(corpus)
    timings["extract"] = time.perf_counter() - t0 - sum(timings.values())
    docs = corpus.documents if corpus is not None else None
    gold, points = _gold_inputs(docs if docs is not None else extraction[["doc_id"]])

    fig_dir, tab_dir = out / "figures", out / "tables"
    fig_dir.mkdir(parents=True, exist_ok=True)
    tab_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    exporter = StaticExporter() if static else None
    static_error: list[str] = []
    if exporter is not None:
        exporter.__enter__()  # Chromium starts (in the background) while we compute

    t1 = time.perf_counter()
    try:
        sections, notes, metrics = comparison_sections(extraction, docs, by, step=step,
                                                       gold_stances=gold, points=points,
                                                       n_boot=n_boot, min_docs=min_docs,
                                                       max_groups=max_groups)
    except BaseException:
        if exporter is not None:
            exporter.__exit__(None, None, None)
        raise
    timings["compare"] = time.perf_counter() - t1

    def queue_static(secs: Sequence[Section]) -> None:
        if exporter is None or not secs:
            return
        figs = [s.figure for s in secs for _ in STATIC_FORMATS]
        paths = [fig_dir / f"{s.name}.{fmt}" for s in secs for fmt in STATIC_FORMATS]
        exporter.submit(figs, paths)

    try:
        queue_static(sections)  # Chromium draws while the topic sections are computed
        if topics:
            step("topics")
            t1 = time.perf_counter()
            more, note = topics_sections(corpus, extraction, by)
            if note:
                notes.append(note)
            timings["topics"] = time.perf_counter() - t1
            queue_static(more)
            sections += more
        more = extra_sections(extra, part="More")
        queue_static(more)
        sections += more

        step("writing html and csv")
        t1 = time.perf_counter()
        plotlyjs = get_plotlyjs()
        with atomic_write(fig_dir / "plotly.min.js") as fh:
            fh.write(plotlyjs)
        files.append(fig_dir / "plotly.min.js")
        rendered = []
        cited: list[str] = []
        book: dict[str, pd.DataFrame] = {}
        for s in sections:
            page = fig_dir / f"{s.name}.html"
            with atomic_write(page) as fh:
                fh.write(figure_page(s.name, s.title, s.caption, s.figure))
            files.append(page)
            for name, table in {s.name: s.table, **s.extra_tables}.items():
                book[name] = table
                if "csv" in tables:
                    files.append(write_csv(table, tab_dir / f"{name}.csv"))
            ev = evidence_rows(s.table, s.keys, s.evidence)
            for e in ev:
                cited.extend(e["ids"])
            links = [("interactive", f"figures/{s.name}.html")]
            if static:
                links += [(fmt.upper(), f"figures/{s.name}.{fmt}") for fmt in STATIC_FORMATS]
            if "csv" in tables:
                links.append(("CSV", f"tables/{s.name}.csv"))
            rendered.append({"name": s.name, "title": s.title, "caption": s.caption,
                             "part": s.part, "div": figure_div(s.figure, f"fig-{s.name}"),
                             "links": links, "evidence": ev})
        ext_cols = [c for c in extraction.columns if c not in ("scores", "evidence")]
        glossary = glossary_table()
        book["extraction"] = extraction[ext_cols]
        book["glossary"] = glossary
        if "csv" in tables:
            files.append(write_csv(extraction[ext_cols], tab_dir / "extraction.csv"))
            files.append(write_csv(glossary, tab_dir / "glossary.csv"))
        if "xlsx" in tables:
            files.append(write_xlsx(book, tab_dir / "report.xlsx"))
        timings["write"] = time.perf_counter() - t1

        step("evidence explorer")
        t1 = time.perf_counter()
        from policykit.explore import export_html

        explorer_by = [b for b in by if b in extraction.columns] or None
        files.append(export_html(extraction, corpus, out / "explorer.html", by=explorer_by,
                                 title=f"{title or 'policykit report'}: evidence explorer"))
        timings["explorer"] = time.perf_counter() - t1

        if exporter is not None:
            step("static images (kaleido)")
            t1 = time.perf_counter()
            try:
                files += exporter.wait()
            except Exception as e:  # no Chromium, kaleido failure: keep the rest of the report
                static_error.append(f"{type(e).__name__}: {e}")
            timings["static_wait"] = time.perf_counter() - t1
    finally:
        if exporter is not None:
            try:
                exporter.__exit__(None, None, None)
            except Exception as e:  # pragma: no cover - shutting Chromium down failed
                static_error.append(f"{type(e).__name__}: {e}")
    if static_error:
        notes.append(f"static images not written ({static_error[0]}); install Chromium "
                     "(see README) or pass --no-static")
        for r in rendered:
            r["links"] = [l for l in r["links"] if l[0] not in ("PNG", "SVG")]

    step("index.html")
    group_cols = [b for b in by if b in extraction.columns]
    sentences = evidence_sentences(extraction, dict.fromkeys(cited), group_cols)
    n_docs = extraction["doc_id"].nunique()
    summary_line = (f"{n_docs} documents, {len(extraction)} sentences; compared by "
                    f"{', '.join(by)}. Labels: "
                    f"{extraction.attrs.get('source', 'policykit extraction')}.")
    timings["total_before_index"] = time.perf_counter() - t0
    summary = {
        "version": __version__, "n_documents": int(n_docs), "n_sentences": int(len(extraction)),
        "by": list(by), "sections": [s.name for s in sections], "notes": notes,
        "min_docs": int(min_docs), "max_groups": max_groups, "tables": list(tables),
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
    }
    if extraction.attrs.get("model_version"):
        summary["extraction"] = {k: extraction.attrs[k] for k in ("model_version", "tier", "tier_reason")
                                 if k in extraction.attrs}
    if "editors_check" in metrics:
        summary["editors_check"] = metrics["editors_check"].summary.to_dict(orient="records")
    if "stance_agreement" in metrics:
        summary["stance_agreement"] = metrics["stance_agreement"].to_dict(orient="records")
    with atomic_write(out / "summary.json") as fh:
        json.dump(summary, fh, indent=2, default=str)
    files.append(out / "summary.json")
    html = render_index(title or "policykit report: comparison of positions", summary_line,
                        notes, rendered, sentences, __version__, plotlyjs,
                        glossary=glossary_groups(glossary),
                        downloads=[("evidence explorer: every sentence, its labels and why (HTML)",
                                    "explorer.html")]
                        + [("glossary (CSV)", "tables/glossary.csv")] * ("csv" in tables)
                        + [("every table (Excel)", "tables/report.xlsx")] * ("xlsx" in tables))
    with atomic_write(out / "index.html") as fh:
        fh.write(html)
    files.append(out / "index.html")
    bar.update(max(0, bar.total - bar.n))
    bar.close()
    timings["total"] = time.perf_counter() - t0
    return ReportResult(out=out, sections=sections, files=files, notes=notes, metrics=metrics,
                        timings=timings)


__all__ = ["ReportResult", "Section", "build_report", "check_tables", "export_static",
           "glossary_table", "DEFAULT_BY", "TABLE_FORMATS"]

"""The report's sections: each one figure, the table behind it, a caption and its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from policykit import compare as C
from policykit.compare._frames import (
    MISSING_GROUP, documents_frame, fold_groups, group_names, group_values, shorten,
    usable_groupings,
)
from policykit.compare.prevalence import MIN_DOCS, interval_rule, small_group_rule
from policykit.figures import compare as F

#: Figures show at most this many groups; the others are pooled as "other (K groups)".
MAX_GROUPS = 12


@dataclass
class Section:
    """One figure of the report.

    Attributes
    ----------
    name : str
        File stem (``region-risk-domains``): ``figures/<name>.html|png|svg``, ``tables/<name>.csv``.
    title, caption : str
        Plain text (escaped when rendered).
    figure : plotly.graph_objects.Figure
    table : pandas.DataFrame
        The tidy data the figure shows (written as CSV).
    keys : list of str
        Columns of ``table`` that name a cell (shown in the evidence list).
    evidence : str or None
        Column of ``table`` holding each cell's evidence sentence ids.
    part : str
        Heading the section is listed under.
    extra_tables : dict
        Further tables written beside it (``tables/<key>.csv``), e.g. every group when the
        figure pools the small ones.
    """

    name: str
    title: str
    caption: str
    figure: go.Figure
    table: pd.DataFrame
    keys: list[str] = field(default_factory=list)
    evidence: str | None = "sent_ids"
    part: str = "Comparison"
    extra_tables: dict = field(default_factory=dict)


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:.0f}%"


def comparison_sections(wide: pd.DataFrame, documents: pd.DataFrame | None, by: Sequence[str],
                        step: Callable[[str], None] = lambda s: None,
                        gold_stances: pd.DataFrame | None = None,
                        points: pd.DataFrame | None = None, n_boot: int = 1000,
                        min_docs: int = MIN_DOCS, max_groups: int | None = MAX_GROUPS
                        ) -> tuple[list[Section], list[str], dict]:
    """Compute every comparison section.

    Parameters
    ----------
    wide : extraction wide view; documents : corpus documents frame (optional).
    by : grouping columns, the first usable one is the primary grouping.
    step : callback called with a short description before each section (progress bar).
    gold_stances : human stance labels (``doc_id, question, stance``) to compare with, if any.
    points : the editors' introduction points, when the corpus is the bundled report.
    min_docs : groups with fewer documents are flagged small (†).
    max_groups : figures show the ``max_groups - 1`` largest groups and pool the rest as
        "other (K groups)" (the full tables are written beside them); None shows all.

    Returns
    -------
    sections, notes (plain-text remarks), metrics (numbers for the closing summary)
    """
    docs = documents_frame(wide, documents)
    by, notes = usable_groupings(docs, by)
    metrics: dict = {}
    out: list[Section] = []
    if not by:
        notes.append("no usable grouping column: documents are compared one by one "
                     "(pass --by with a metadata column, or a --metadata sidecar)")
        by = ["doc_id"]
    primary = by[0] if by else None
    dom_note = ("A document raises a label when at least one of its claim or proposal sentences "
                "carries it (instruments and addressees: proposal sentences). "
                f"{small_group_rule(min_docs).capitalize()}: one document moves their shares a lot.")
    folded: dict[str, tuple[pd.DataFrame, str | None]] = {
        b: fold_groups(docs, b, max_groups) for b in by}
    for b, (_, note) in folded.items():
        if note:
            notes.append(f"figures by {b}: {note}")

    def fold_note(b):
        note = folded[b][1]
        return f" In the figure {note}; tables/{b}-*-all-groups.csv has every group." if note else ""

    prev_cache: dict[tuple[str, str, bool], pd.DataFrame] = {}

    def prev(b, facet, full=False):
        key = (b, facet, full or folded[b][1] is None)
        if key not in prev_cache:
            d = docs if key[2] else folded[b][0]
            prev_cache[key] = C.prevalence(wide, by=b, facet=facet, documents=d,
                                           n_boot=n_boot, min_docs=min_docs)
        return prev_cache[key]

    def all_groups(name, b, facet):
        return {f"{name}-all-groups": prev(b, facet, full=True)} if folded[b][1] else {}

    heatmaps = (  # facet, file suffix, part, title, caption lead, figure title
        ("risk_domain", "risk-domains", "Risks", "Risk domains by {b}",
         "Share of each {b}'s documents that raise each MIT risk domain. ", "Risk domains raised, by {b}"),
        ("instrument", "instruments", "Measures", "Instruments proposed by {b}",
         "Share of each {b}'s documents that propose each kind of instrument. ", "Instruments proposed, by {b}"),
    )
    for facet, suffix, part, title, lead, fig_title in heatmaps:
        hover = " Hover a cell for counts and an example sentence." if facet == "risk_domain" else ""
        for b in by:
            step(f"{b} × {suffix.replace('-', ' ')}")
            p = prev(b, facet)
            out.append(Section(
                name=f"{b}-{suffix}", part=part, title=title.format(b=b),
                caption=lead.format(b=b) + dom_note + hover + fold_note(b),
                figure=F.prevalence_heatmap(p, title=fig_title.format(b=b)),
                table=p, keys=["group_name", "label_name"],
                extra_tables=all_groups(f"{b}-{suffix}", b, facet)))
    if primary:
        step("addressees")
        p = prev(primary, "addressee")
        out.append(Section(
            name=f"{primary}-addressees", part="Measures",
            title=f"Who is asked to act, by {primary}",
            caption=("Share of documents whose proposals address each kind of actor "
                     "(international bodies, states, industry, research, civil society). "
                     + small_group_rule(min_docs).capitalize() + "." + fold_note(primary)),
            figure=F.prevalence_heatmap(p, title=f"Addressees of proposals, by {primary}"),
            table=p, keys=["group_name", "label_name"],
            extra_tables=all_groups(f"{primary}-addressees", primary, "addressee")))

        step("prevalence with intervals")
        p = prev(primary, "risk_domain")
        out.append(Section(
            name=f"{primary}-risk-domains-ci", part="Risks",
            title=f"Risk-domain prevalence with 95% intervals, by {primary}",
            caption=("Share of documents raising each risk domain, with "
                     + interval_rule() + f" ({n_boot:,} resamples, fixed seed; the method is in "
                     "the table's doc_share_ci column). A Wilson interval is wide when a group has "
                     "few documents, and it is never zero width: 0 of 4 documents still allows "
                     "up to 49%. " + small_group_rule(min_docs).capitalize() + "; they are kept."
                     + fold_note(primary)),
            figure=F.prevalence_bars(p, title=f"Risk domains by {primary}, with 95% intervals"),
            table=p, keys=["group_name", "label_name"],
            extra_tables=all_groups(f"{primary}-risk-domains-ci", primary, "risk_domain")))

        step("distinctive terms")
        fdocs = folded[primary][0]
        k = C.distinctive_terms(wide, by=primary, documents=fdocs, top_n=12)
        gn = group_names(fdocs, primary)
        k.insert(2, "group_name", [gn.get(g, g) for g in k["group"]])
        k_ev = k.assign(sent_ids=[[s] if s else [] for s in k["example_sent_id"]])
        out.append(Section(
            name=f"{primary}-distinctive-terms", part="Language",
            title=f"Distinctive language by {primary}",
            caption=("Lemmas of claim and proposal sentences most over-represented in each group "
                     "against all others: z-score of the weighted log-odds ratio with an "
                     "informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); the table "
                     "also gives quanteda's signed chi-squared keyness. Terms used in fewer than "
                     "2 documents or fewer than 3 times are left out, and so are citation, subject "
                     "and numbering words ('et al', 'AI', 'GAI', 'ii'; data/rules/vocabulary.yaml)."
                     + fold_note(primary)),
            figure=F.distinctive_terms_chart(k, title=f"Distinctive terms by {primary}"),
            table=k_ev, keys=["group_name", "term"]))

        step("positions")
        pos, load = C.positions(wide, by=primary, documents=fdocs)
        ex = pos.attrs.get("explained", [0, 0])
        sim = C.similarity(C.document_profiles(wide, documents=documents))
        pos_ev = pos.assign(sent_ids=[[] for _ in range(len(pos))])
        out.append(Section(
            name=f"{primary}-positions", part="Positions",
            title=f"Position map of documents, by {primary}",
            caption=("Each document's profile is the share of its claim and proposal sentences "
                     "carrying each risk domain and instrument; profiles are L2-normalised and "
                     f"projected on their first two principal components ({_pct(ex[0])} and "
                     f"{_pct(ex[1] if len(ex) > 1 else float('nan'))} of the variance). Axis "
                     f"ends: {pos.attrs.get('x_title', '')} (horizontal); "
                     f"{pos.attrs.get('y_title', '')} (vertical). Diamonds are group centroids."),
            figure=F.position_map_chart(pos, x_title=f"PC1 ({_pct(ex[0])})",
                                        y_title=f"PC2 ({_pct(ex[1]) if len(ex) > 1 else ''})",
                                        title=f"Document positions, coloured by {primary}"),
            table=pos_ev, keys=["doc_id", "group_name"], evidence=None))
        if len(sim) > 1:
            m = sim.to_numpy()
            metrics["similarity_mean"] = float(m[~np.eye(len(m), dtype=bool)].mean())

        step("consensus")
        n_groups = len(set(group_values(docs, primary)) - {MISSING_GROUP})
        min_groups = min(3, max(2, n_groups))
        cons = C.consensus(wide, by=primary, facet="instrument", min_groups=min_groups,
                           prevalence_table=prev(primary, "instrument", full=True))
        cons = cons[cons["status"] != "absent"]
        out.append(Section(
            name=f"{primary}-consensus", part="Measures",
            title=f"Consensus and divergence on instruments, by {primary}",
            caption=(f"Number of {primary} groups with at least one document proposing each "
                     f"instrument: consensus = proposed in at least {min_groups} groups, "
                     "shared = 2 or more, single = one group only."),
            figure=F.consensus_chart(cons, min_groups=min_groups,
                                     title=f"Which instruments are proposed across {primary}s"),
            table=cons, keys=["label_name", "status"]))

        step("sankey")
        p = prev(primary, "instrument")
        out.append(Section(
            name=f"{primary}-instrument-sankey", part="Measures",
            title=f"{primary.capitalize()} → instrument flows",
            caption=(f"Flows from each {primary} to the instruments its documents propose; link "
                     "width = number of documents. The 9 instruments proposed by most documents "
                     "have their own node; the others are pooled as 'other instruments' (hover "
                     "a flow to see which)." + fold_note(primary)),
            figure=F.sankey_chart(p, title=f"From {primary} to proposed instruments"),
            table=p[p["n_docs"] > 0], keys=["group_name", "label_name"]))

    step("stances")
    st = C.stances(wide, documents=documents)
    stance_caption = ("Stance of each document on five contested questions, derived from its "
                      "extracted sentences with the rules in data/taxonomy/stances.yaml "
                      "(orange: support / favourable / high priority; blue: oppose / cautious / "
                      "low; grey: none). Hover a cell for its evidence sentences.")
    gold_col = None
    if gold_stances is not None and len(gold_stances) and \
            set(gold_stances["doc_id"]) & set(st["doc_id"]):
        summ, _ = C.stance_agreement(st, gold_stances)
        metrics["stance_agreement"] = summ
        allrow = summ[summ["question"] == "all"].iloc[0]
        st = st.merge(gold_stances.rename(columns={"stance": "gold"}),
                      on=["doc_id", "question"], how="left")
        gold_col = "gold"
        stance_caption += (f" On the {int(allrow['n_docs'])} documents with human stance labels "
                           f"the derived stances agree on {_pct(allrow['accuracy'])} of "
                           f"document × question pairs (Cohen's κ {allrow['kappa']:.2f}); ✗ marks "
                           "a disagreement.")
    st = st.rename(columns={"evidence_sent_ids": "sent_ids"})
    qn = F.question_names()
    st.insert(st.columns.get_loc("question") + 1, "question_name",
              [qn.get(q, q) for q in st["question"]])
    out.append(Section(
        name="stances", part="Positions", title="Stances on five contested questions",
        caption=stance_caption,
        figure=F.stance_matrix_chart(st, group=primary, evidence_ids="sent_ids", gold=gold_col,
                                     title="Stances derived from the extracted sentences"),
        table=st.drop(columns=[c for c in st.columns if c in (
            "authors", "authors_native", "affiliations", "source_path", "sha256", "encoding",
            "start", "end", "author_line")]),
        keys=["doc_id", "question_name", "stance"]))

    if points is not None and "chapter" in docs.columns:
        essay_ids = {e for lst in points["essay_ids"] for e in lst}
        if essay_ids & set(docs["doc_id"]):  # the corpus is (part of) the bundled report
            step("editors' check")
            chk = C.editors_check_from_wide(wide, documents, points=points)
            metrics["editors_check"] = chk
            mat = C.editors_matrix(chk)
            text = dict(zip(wide["sent_id"], wide["text"]))
            mat["example_text"] = [shorten(text.get(i, "")) for i in mat["example_sent_id"]]
            s = chk.summary.set_index("chapter")
            per = "; ".join(f"chapter {c}: {int(r.n_recovered)}/{int(r.n_labelled)}"
                            for c, r in s.iterrows() if c != "all")
            out.append(Section(
                name="editors-check", part="Editors' check",
                title="The editors' check: introduction versus extraction",
                caption=("For each chapter, risk domains and instruments are ranked by how many "
                         "of its essays raise them; an editors' point from the introduction is "
                         "recovered when one of its labels is among the chapter's top 4 domains "
                         "or top 8 instruments. Recovered: "
                         f"{int(s.loc['all', 'n_recovered'])} of {int(s.loc['all', 'n_labelled'])}"
                         f" labelled points ({_pct(s.loc['all', 'share'])}; {per}). Blue dots "
                         "are what the extraction ranks on top but the editors did not say."),
                figure=F.editors_chart(mat, summary=chk.summary,
                                       title="Editors' points versus extracted chapter rankings"),
                table=mat.assign(label_name=[F.label_display(mat, "label").get(str(l), l)
                                             for l in mat["label"]]),
                keys=["chapter", "label_name", "status"]))
    return out, notes, metrics


def extra_sections(items: Sequence[dict], part: str = "Topics") -> list[Section]:
    """Sections from another stage (``{name, title, caption, figure, table}`` dicts)."""
    out = []
    for it in items or []:
        table = it.get("table")
        if table is None:
            table = pd.DataFrame()
        ev = next((c for c in ("sent_ids", "evidence_sent_ids", "unit_ids") if c in table), None)
        out.append(Section(name=str(it["name"]), title=str(it.get("title", it["name"])),
                           caption=str(it.get("caption", "")), figure=it["figure"], table=table,
                           keys=[c for c in table.columns[:2]], evidence=ev, part=part))
    return out

"""HTML for the report: one page per figure and a self-contained ``index.html``.

Escaping: every string from documents is escaped by Jinja2's autoescape; figure JSON is
embedded with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e``, ``\\u0026`` so no text
can close the ``<script>`` element (and plotly shows hover text, it does not execute it).
"""

from __future__ import annotations

import json
from typing import Iterable, Sequence

import jinja2
import markupsafe
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from policykit.compare._frames import _as_list

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                          trim_blocks=True, lstrip_blocks=True)


def safe_json(obj) -> str:
    """JSON that is safe inside an HTML ``<script>`` element."""
    s = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def figure_json(fig: go.Figure) -> str:
    """The figure as script-safe JSON (plotly's encoder, then :func:`safe_json`)."""
    return safe_json(pio.to_json(fig, validate=False, pretty=False))


def figure_div(fig: go.Figure, div_id: str) -> str:
    """A ``<div>`` plus the script that draws ``fig`` into it (plotly.js must be loaded)."""
    did = safe_json(json.dumps(div_id))
    return (f'<div id="{markupsafe.escape(div_id)}" class="pk-fig"></div>\n<script>(function(){{'
            f'var f={figure_json(fig)};var el=document.getElementById({did});'
            'Plotly.newPlot(el,f.data,f.layout,{responsive:true,displaylogo:false});'
            'if(window.pkLink){pkLink(el);}})();</script>')


FIGURE_PAGE = _ENV.from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="plotly.min.js"></script>
<style>body{font-family:Inter,"Helvetica Neue",Arial,sans-serif;margin:1.5rem;color:#222}
p{max-width:60rem;line-height:1.45}</style></head>
<body><h1>{{ title }}</h1><p>{{ caption }}</p>
{{ div | safe }}
<p><a href="../index.html#{{ name }}">Back to the report</a> · data: <a href="../tables/{{ name }}.csv">{{ name }}.csv</a></p>
</body></html>
""")


def figure_page(name: str, title: str, caption: str, fig: go.Figure) -> str:
    """A standalone page for one figure (loads ``plotly.min.js`` from its own folder)."""
    return FIGURE_PAGE.render(name=name, title=title, caption=caption,
                              div=figure_div(fig, f"fig-{name}"))


def evidence_rows(table: pd.DataFrame, keys: Sequence[str], column: str | None,
                  max_rows: int = 400) -> list[dict]:
    """Rows of a section's evidence list: the cell's key values and its sentence ids."""
    if column is None or column not in table.columns or table.empty:
        return []
    rows = []
    keys = [k for k in keys if k in table.columns]
    for _, r in table.iterrows():
        ids = [str(s) for s in _as_list(r[column]) if s]
        if not ids:
            continue
        rows.append({"cell": " · ".join(str(r[k]) for k in keys), "ids": ids})
        if len(rows) >= max_rows:
            break
    return rows


INDEX = _ENV.from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:Inter,"Helvetica Neue",Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header,main{max-width:72rem;margin:0 auto;padding:0 1.5rem}
header{padding-top:1.5rem}
h1{font-size:1.7rem;margin-bottom:.3rem} h2{font-size:1.3rem;margin-top:2.2rem}
p{line-height:1.45;max-width:62rem} .meta{color:#555}
nav ol{columns:2;max-width:62rem} nav li{margin:.15rem 0}
section.fig{background:white;border:1px solid #e3e3e3;border-radius:6px;padding:1rem 1.2rem;margin:1.2rem 0}
.links a{margin-right:.8rem;font-size:.9rem}
details{margin-top:.6rem} summary{cursor:pointer;color:#0072B2}
table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}
td,th{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}
.ids a{margin-right:.35rem;white-space:nowrap;font-family:ui-monospace,monospace;font-size:.8rem}
#evidence td.t{max-width:44rem}
tr.hit{background:#fff3c4;transition:background 1s}
.notes li{color:#8a4b00}
table.glossary td:first-child{min-width:16rem} table.glossary tr.sub td{font-size:.8rem;color:#333}
code{font-size:.85rem}
</style>
<script>{{ plotlyjs | safe }}</script>
<script>
function pkShow(id){var r=document.getElementById('s-'+id);if(!r){return false;}
r.scrollIntoView({behavior:'smooth',block:'center'});r.classList.add('hit');
setTimeout(function(){r.classList.remove('hit');},2500);return true;}
function pkLink(el){el.on('plotly_click',function(d){if(!d||!d.points||!d.points.length){return;}
var c=d.points[0].customdata;if(Array.isArray(c)){c=c[0];}
if(typeof c==='string'&&c){pkShow(c);}});}
</script>
</head><body>
<header>
<h1>{{ title }}</h1>
<p class="meta">{{ summary }}</p>
{% if notes %}<ul class="notes">{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
<p>Every figure below is also available as an interactive page, PNG and SVG, with the CSV
table behind it. Hover a mark for its counts and an example sentence; click it (or open
“Evidence behind each cell”) to reach the evidence sentences, listed with their ids at the end.</p>
<nav><ol>{% for s in sections %}<li><a href="#{{ s.name }}">{{ s.title }}</a></li>{% endfor %}
{% if glossary %}<li><a href="#glossary">Glossary of labels</a></li>{% endif %}
<li><a href="#evidence">Evidence sentences</a></li></ol></nav>
{% if downloads %}<p class="links">Tables: {% for label, href in downloads %}<a href="{{ href }}">{{ label }}</a>{% endfor %}</p>{% endif %}
</header>
<main>
{% for part, items in parts %}
<h2>{{ part }}</h2>
{% for s in items %}
<section class="fig" id="{{ s.name }}">
<h3>{{ s.title }}</h3>
<p>{{ s.caption }}</p>
{{ s.div | safe }}
<p class="links">{% for label, href in s.links %}<a href="{{ href }}">{{ label }}</a>{% endfor %}</p>
{% if s.evidence %}
<details><summary>Evidence behind each cell ({{ s.evidence | length }} cells)</summary>
<table><tr><th>cell</th><th>evidence sentences</th></tr>
{% for e in s.evidence %}<tr><td>{{ e.cell }}</td><td class="ids">{% for i in e.ids %}<a href="#s-{{ i }}">{{ i }}</a>{% endfor %}</td></tr>
{% endfor %}</table></details>
{% endif %}
</section>
{% endfor %}
{% endfor %}
{% if glossary %}
<h2 id="glossary">Glossary of labels</h2>
<p>What every label in the figures means, from the taxonomy files in <code>data/taxonomy/</code>
(the id is what the CSV tables use).</p>
{% for g in glossary %}
<h3 id="glossary-{{ g.facet }}">{{ g.facet_name }} <small class="meta">({{ g.rows | length }})</small></h3>
<table class="glossary"><tr><th>name</th><th>id</th><th>description</th></tr>
{% for r in g.rows %}<tr{% if r.parent %} class="sub"{% endif %}><td>{% if r.parent %}&nbsp;&nbsp;↳ {% endif %}<b>{{ r.name }}</b></td><td><code>{{ r.id }}</code></td><td>{{ r.description }}</td></tr>
{% endfor %}</table>
{% endfor %}
{% endif %}
<h2 id="evidence">Evidence sentences</h2>
<p>Every sentence cited by a figure above ({{ sentences | length }}), with its document, role and labels (one column per facet).</p>
<table id="evidence"><tr><th>sent_id</th><th>document</th><th>role</th>{% for f in facet_cols %}<th>{{ f }}</th>{% endfor %}<th>text</th></tr>
{% for r in sentences %}<tr id="s-{{ r.sent_id }}"><td><code>{{ r.sent_id }}</code></td><td>{{ r.doc_id }}{% if r.group %}<br><small>{{ r.group }}</small>{% endif %}</td><td>{{ r.role }}</td>{% for f in facet_cols %}<td>{{ r.facets[f] }}</td>{% endfor %}<td class="t">{{ r.text }}</td></tr>
{% endfor %}</table>
<p class="meta">Generated by policykit {{ version }}.</p>
</main></body></html>
""")


#: Facet columns of the evidence appendix: wide-view column → (facet, heading).
EVIDENCE_FACETS = {"risk_domains": ("risk_domain", "risk domains"),
                   "risk_subdomains": ("risk_subdomain", "risk subdomains"),
                   "instruments": ("instrument", "instruments"),
                   "addressees": ("addressee", "addressees")}


def evidence_sentences(wide: pd.DataFrame, ids: Iterable[str], group_cols: Sequence[str] = ()
                       ) -> list[dict]:
    """Rows of the evidence appendix for the given sentence ids (in corpus order): one entry
    per facet (``facets``: heading → label names joined with "; ")."""
    from policykit.compare._frames import readable_value
    from policykit.taxonomy import label_names

    want = set(ids)
    sub = wide[wide["sent_id"].isin(want)]
    rows = []
    cols = {c: EVIDENCE_FACETS[c] for c in EVIDENCE_FACETS if c in sub.columns}
    names = {c: label_names(f) for c, (f, _) in cols.items()}
    for _, r in sub.iterrows():
        facets = {head: "; ".join(names[c].get(str(l), str(l)) for l in _as_list(r[c]))
                  for c, (_, head) in cols.items()}
        group = " · ".join(readable_value(r[c]) for c in group_cols if c in r and pd.notna(r[c]))
        rows.append({"sent_id": r["sent_id"], "doc_id": r["doc_id"], "group": group,
                     "role": r.get("role", ""), "facets": facets, "text": r.get("text", "")})
    return rows


def glossary_groups(glossary: pd.DataFrame | None) -> list[dict]:
    """The glossary table (:func:`policykit.report.glossary_table`) grouped for the index page;
    subdomains are listed under their risk domain."""
    if glossary is None or glossary.empty:
        return []
    out: list[dict] = []
    for _, r in glossary.iterrows():
        facet = "risk_domain" if r["facet"] == "risk_subdomain" else r["facet"]
        name = "Risk domain and subdomain" if facet == "risk_domain" else r["facet_name"]
        if not out or out[-1]["facet"] != facet:
            out.append({"facet": facet, "facet_name": name, "rows": []})
        out[-1]["rows"].append({"id": r["id"], "name": r["name"], "description": r["description"],
                                "parent": r["parent"] if isinstance(r["parent"], str) else None})
    return out


def render_index(title: str, summary: str, notes: Sequence[str], sections: Sequence[dict],
                 sentences: Sequence[dict], version: str, plotlyjs: str,
                 glossary: Sequence[dict] = (), downloads: Sequence[tuple[str, str]] = ()) -> str:
    """The self-contained index page (plotly.js inlined), with the glossary
    (:func:`glossary_groups`) before the evidence appendix."""
    parts: dict[str, list] = {}
    for s in sections:
        parts.setdefault(s["part"], []).append(s)
    facet_cols = list(dict.fromkeys(h for r in sentences for h in r.get("facets", {})))
    return INDEX.render(title=title, summary=summary, notes=list(notes), sections=sections,
                        parts=list(parts.items()), sentences=list(sentences), version=version,
                        plotlyjs=plotlyjs.replace("</script", "<\\/script"),
                        glossary=list(glossary), downloads=list(downloads), facet_cols=facet_cols)

// policykit evidence explorer: group x label heat map -> the sentences behind a cell -> confirm or
// correct them. One ES module, no dependencies, nothing fetched. Rendered by anywidget in
// JupyterLab, and by the exported HTML page with a small stand-in for the widget model.
//
// Safety: document text is only ever put into the page as text nodes (textContent), never as
// HTML, so a document containing a script tag or an image with an onerror handler shows those
// characters and runs nothing.

const FACET_TITLES = {
  risk_domain: "Risk domains", risk_subdomain: "Risk subdomains", instrument: "Instruments",
  addressee: "Addressees", role: "Roles",
};
const LABEL_FIELDS = { risk_domain: "risk_domains", risk_subdomain: "risk_subdomains",
  instrument: "instruments", addressee: "addressee" };
const VALUE_TITLES = { doc_share: "share of documents", sent_share: "share of sentences",
  n_sents: "sentences", n_docs: "documents", n: "sentences", share: "share", n_sentences: "sentences",
  n_groups: "groups", count: "count", score: "score" };
const ROLES = ["claim", "proposal", "other"];

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = String(v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "value") el.value = v;
      else if (k === "checked") el.checked = !!v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}

function pct(v) { return v === null || v === undefined ? "–" : `${Math.round(100 * v)}%`; }
function fmt(v, key) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  if (/share/.test(key) || key === "score") return pct(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
function newId() {
  try { if (crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, ""); } catch (e) { /* no crypto */ }
  let s = ""; for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16); return s;
}
function colour(t) { // 0..1 -> light to dark blue
  const a = [244, 248, 251], b = [8, 48, 107];
  const x = Math.max(0, Math.min(1, t));
  const c = a.map((v, i) => Math.round(v + (b[i] - v) * x));
  return { bg: `rgb(${c[0]},${c[1]},${c[2]})`, fg: x > 0.55 ? "#fff" : "#111" };
}

class Explorer {
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.data = model.get("data") || {};
    this.pending = new Map();
    this.state = { key: this.data.initial, value: null, f: { label: "", group: "", doc: "", role: "", smin: 0, smax: 1, q: "" },
      sort: "order", page: 0, open: new Set(), edit: null, msg: "", allCues: false };
    this.prepare();
    this.root = h("div", { class: "pk-explorer", "data-testid": "pk-explorer" });
    el.appendChild(this.root);
    this.onData = () => { this.data = this.model.get("data") || {}; this.prepare(); this.renderAll(); };
    this.onDecisions = () => { this.renderTable(); this.renderHeatmap(); this.renderStatus(); };
    this.onSelection = () => this.applySelection(this.model.get("selection") || {});
    this.onMsg = (msg) => this.receive(msg);
    model.on("change:data", this.onData);
    model.on("change:decisions", this.onDecisions);
    model.on("change:selection", this.onSelection);
    model.on("msg:custom", this.onMsg);
    this.renderAll();
    const sel = model.get("selection") || {};
    if (sel.group !== undefined && sel.label !== undefined && sel.group !== null) this.applySelection(sel);
    this.root.setAttribute("data-ready", "1");
  }

  destroy() {
    for (const [ev, f] of [["change:data", this.onData], ["change:decisions", this.onDecisions],
      ["change:selection", this.onSelection], ["msg:custom", this.onMsg]]) {
      try { this.model.off(ev, f); } catch (e) { /* older models */ }
    }
  }

  prepare() {
    const d = this.data;
    this.S = d.sentences || { id: [] };
    this.n = this.S.id.length;
    this.pos = new Map(this.S.id.map((s, i) => [s, i]));
    this.docIndex = new Map((d.docs || []).map((x, i) => [x.id, i]));
    this.names = {};
    this.parent = {};
    for (const [f, labs] of Object.entries(d.facets || {})) {
      this.names[f] = new Map(labs.map((l) => [l.id, l.name]));
      if (f === "risk_subdomain") for (const l of labs) this.parent[l.id] = l.parent;
    }
    this.views = d.views || [];
    this.viewMap = new Map(this.views.map((v) => [v.key, v]));
    if (!this.viewMap.has(this.state.key)) this.state.key = this.views.length ? this.views[0].key : null;
  }

  // ------------------------------------------------------------------ data helpers
  view() { return this.viewMap.get(this.state.key) || null; }
  name(facet, id) { const m = this.names[facet]; return (m && m.get(id)) || id; }
  decisions() { return this.model.get("decisions") || {}; }
  decision(i) { return this.decisions()[this.S.id[i]] || null; }
  labels(i) { // the sentence's current labels in the gold schema (a decision overrides the model)
    const dec = this.decision(i);
    if (dec && dec.new) return dec.new;
    const L = this.S.labels || {};
    return { role: this.S.role[i], risk_domains: (L.risk_domain || [])[i] || [], risk_subdomains: (L.risk_subdomain || [])[i] || [],
      instruments: (L.instrument || [])[i] || [], addressee: (L.addressee || [])[i] || [] };
  }
  predicted(i) {
    const L = this.S.labels || {};
    return { role: this.S.role[i], risk_domains: (L.risk_domain || [])[i] || [], risk_subdomains: (L.risk_subdomain || [])[i] || [],
      instruments: (L.instrument || [])[i] || [], addressee: (L.addressee || [])[i] || [] };
  }
  has(i, facet, label) {
    const L = this.labels(i);
    return facet === "role" ? L.role === label : (L[LABEL_FIELDS[facet]] || []).includes(label);
  }
  groupOf(i, by) {
    if (by === "doc_id") return this.S.doc[i];
    const d = (this.data.docs || [])[this.docIndex.get(this.S.doc[i])];
    return d && d.groups ? d.groups[by] : undefined;
  }
  activeLabel() { return this.state.f.label || ""; }
  score(i) {
    const v = this.view();
    const lab = this.activeLabel();
    const sc = this.S.scores[i] || {};
    if (v && lab && v.facet) {
      const fs = sc[v.facet] || {};
      if (fs[lab] !== undefined && fs[lab] !== null) return fs[lab];
      if (v.facet === "role" && this.S.role[i] === lab) return this.S.role_score[i];
      return null;
    }
    return this.S.role_score[i];
  }
  cell(v, group, label) {
    if (!v) return null;
    const gi = v.groups.indexOf(group), li = v.labels.indexOf(label);
    if (gi < 0 || li < 0) return null;
    return v.cells.find((c) => c.g === gi && c.l === li) || null;
  }
  rows() {
    const v = this.view();
    const f = this.state.f;
    let idx;
    const c = f.group && f.label ? this.cell(v, f.group, f.label) : null;
    if (c) idx = c.s.slice();
    else {
      idx = [];
      for (let i = 0; i < this.n; i++) idx.push(i);
      if (f.label && v && v.facet) idx = idx.filter((i) => this.has(i, v.facet, f.label));
      if (f.group && v && (this.data.groupings || []).includes(v.by)) idx = idx.filter((i) => this.groupOf(i, v.by) === f.group);
    }
    if (f.doc) idx = idx.filter((i) => this.S.doc[i] === f.doc);
    if (f.role) idx = idx.filter((i) => this.labels(i).role === f.role);
    const full = Number(f.smin) <= 0 && Number(f.smax) >= 1;
    if (!full) idx = idx.filter((i) => { const s = this.score(i); return s !== null && s >= Number(f.smin) && s <= Number(f.smax); });
    if (f.q) {
      const q = f.q.toLowerCase();
      idx = idx.filter((i) => this.S.text[i].toLowerCase().includes(q) || this.S.id[i].toLowerCase().includes(q));
    }
    const srt = this.state.sort;
    if (srt === "order") idx.sort((a, b) => a - b);
    else if (srt === "score_desc" || srt === "score_asc") {
      const k = srt === "score_desc" ? -1 : 1;
      idx.sort((a, b) => { const x = this.score(a), y = this.score(b);
        if (x === null && y === null) return a - b; if (x === null) return 1; if (y === null) return -1; return k * (x - y) || a - b; });
    } else if (srt === "priority") {
      const p = this.S.priority || [];
      idx.sort((a, b) => ((p[b] ?? -1) - (p[a] ?? -1)) || a - b);
    }
    return idx;
  }

  // ------------------------------------------------------------------ rendering
  renderAll() {
    this.root.textContent = "";
    const d = this.data;
    this.root.appendChild(h("div", { class: "pk-head" },
      h("span", { class: "pk-title", text: d.title || "Evidence explorer" }),
      h("span", { class: "pk-sub", text: `${this.n} sentences · ${(d.docs || []).length} documents` })));
    this.controls = h("div", { class: "pk-controls" });
    this.heat = h("div", { class: "pk-heat", "data-testid": "pk-heatmap" });
    this.filters = h("div", { class: "pk-filters" });
    this.tableBox = h("div", { class: "pk-table-box" });
    this.statusBox = h("div", { class: "pk-status", "data-testid": "pk-status" });
    this.root.append(this.controls, this.heat, this.filters, this.tableBox, this.statusBox);
    this.renderControls();
    this.renderHeatmap();
    this.renderFilters();
    this.renderTable();
    this.renderStatus();
  }

  renderControls() {
    const box = this.controls;
    box.textContent = "";
    const v = this.view();
    if (!v) { box.appendChild(h("span", { text: "No table to show." })); return; }
    const facets = [...new Set(this.views.map((x) => x.facet))];
    const bys = [...new Set(this.views.filter((x) => x.facet === v.facet).map((x) => x.by))];
    const pick = (facet, by) => {
      const w = this.views.find((x) => x.facet === facet && x.by === by) || this.views.find((x) => x.facet === facet);
      if (!w) return;
      this.state.key = w.key; this.state.value = null;
      this.state.f.label = ""; this.state.f.group = ""; this.state.page = 0;
      this.renderControls(); this.renderHeatmap(); this.renderFilters(); this.renderTable(); this.syncSelection();
    };
    box.appendChild(h("label", null, "Facet ", h("select", { "data-testid": "pk-facet", onchange: (e) => pick(e.target.value, v.by) },
      facets.map((f) => h("option", { value: f, selected: f === v.facet, text: FACET_TITLES[f] || f || "labels" })))));
    box.appendChild(h("label", null, " grouped by ", h("select", { "data-testid": "pk-by", onchange: (e) => pick(v.facet, e.target.value) },
      bys.map((b) => h("option", { value: b, selected: b === v.by, text: b === "doc_id" ? "document" : b })))));
    const values = v.values || ["n"];
    const cur = this.state.value || values[0];
    if (values.length > 1) {
      box.appendChild(h("label", null, " showing ", h("select", { "data-testid": "pk-value",
        onchange: (e) => { this.state.value = e.target.value; this.renderHeatmap(); } },
        values.map((x) => h("option", { value: x, selected: x === cur, text: VALUE_TITLES[x] || x })))));
    }
  }

  renderHeatmap() {
    const box = this.heat;
    box.textContent = "";
    const v = this.view();
    if (!v) return;
    const key = this.state.value || (v.values || ["n"])[0];
    const vals = v.cells.map((c) => (typeof c[key] === "number" ? c[key] : null)).filter((x) => x !== null);
    const isShare = /share/.test(key);
    const vmax = isShare ? 1 : Math.max(1, ...vals);
    const grid = h("table", { class: "pk-grid" });
    const head = h("tr", null, h("th", { class: "pk-corner", text: `${FACET_TITLES[v.facet] || "label"} \\ ${v.by === "doc_id" ? "document" : v.by}` }));
    for (const g of v.groups) head.appendChild(h("th", { class: "pk-colhead", title: g }, h("span", { text: g })));
    grid.appendChild(head);
    const byCell = new Map(v.cells.map((c) => [`${c.g}|${c.l}`, c]));
    const dec = this.decisions();
    v.labels.forEach((lab, li) => {
      const tr = h("tr", null, h("th", { class: "pk-rowhead", title: `${lab}` }, this.name(v.facet, lab)));
      v.groups.forEach((g, gi) => {
        const c = byCell.get(`${gi}|${li}`);
        if (!c) { tr.appendChild(h("td", { class: "pk-empty" })); return; }
        const val = typeof c[key] === "number" ? c[key] : null;
        const col = colour(val === null ? 0 : val / vmax);
        const nCorr = c.s.filter((i) => dec[this.S.id[i]]).length;
        const tip = [`${this.name(v.facet, lab)} (${lab}) · ${g}`];
        if (c.n_docs !== undefined && c.n_docs_group !== undefined) tip.push(`${c.n_docs} of ${c.n_docs_group} documents (${pct(c.doc_share)}${c.doc_share_lo !== undefined && c.doc_share_lo !== null ? `, 95% interval ${pct(c.doc_share_lo)}–${pct(c.doc_share_hi)}` : ""})`);
        if (c.n_sents !== undefined && c.n_sents_group !== undefined) tip.push(`${c.n_sents} of ${c.n_sents_group} eligible sentences (${pct(c.sent_share)})`);
        tip.push(`${c.s.length} sentence(s) to read${c.missing ? ` (${c.missing} not in this table)` : ""}${nCorr ? `, ${nCorr} decided` : ""}`);
        if (c.small_group) tip.push("small group: fewer than 3 documents");
        const sel = this.state.f.group === g && this.state.f.label === lab;
        const td = h("td", { class: `pk-cell${sel ? " pk-selected" : ""}${c.s.length ? "" : " pk-zero"}`, title: tip.join("\n"),
          "data-testid": "pk-cell", "data-group": g, "data-label": lab, "data-n": c.s.length, tabindex: 0, role: "button",
          onclick: () => this.selectCell(g, lab), onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.selectCell(g, lab); } } },
        fmt(val, key) + (c.small_group ? "†" : "") + (nCorr ? "•" : ""));
        td.style.background = col.bg; td.style.color = col.fg;
        tr.appendChild(td);
      });
      grid.appendChild(tr);
    });
    box.appendChild(grid);
    box.appendChild(h("div", { class: "pk-legend", text: `cells: ${VALUE_TITLES[key] || key}; † fewer than 3 documents; • has decided sentences. Click a cell to read its sentences.` }));
  }

  selectCell(group, label) {
    const f = this.state.f;
    if (f.group === group && f.label === label) { f.group = ""; f.label = ""; } else { f.group = group; f.label = label; }
    this.state.page = 0;
    this.renderHeatmap(); this.renderFilters(); this.renderTable(); this.syncSelection();
  }
  applySelection(sel) {
    if (!sel) return;
    if (sel.key && this.viewMap.has(sel.key) && sel.key !== this.state.key) { this.state.key = sel.key; this.renderControls(); }
    const f = this.state.f;
    const g = sel.group || "", l = sel.label || "";
    if (f.group === g && f.label === l) return;
    f.group = g; f.label = l; this.state.page = 0;
    this.renderHeatmap(); this.renderFilters(); this.renderTable();
  }
  syncSelection() {
    const f = this.state.f;
    try {
      this.model.set("selection", { key: this.state.key, group: f.group || null, label: f.label || null });
      this.model.save_changes();
    } catch (e) { /* read-only model */ }
  }

  renderFilters() {
    const box = this.filters;
    box.textContent = "";
    const v = this.view();
    if (!v) return;
    const f = this.state.f;
    const upd = (k, val, keepSel) => { f[k] = val; this.state.page = 0; this.renderTable(); if (!keepSel) { this.renderHeatmap(); this.syncSelection(); } };
    const sel = (tid, k, opts, allText) => h("select", { "data-testid": tid, onchange: (e) => upd(k, e.target.value, !["label", "group"].includes(k)) },
      h("option", { value: "", text: allText }), opts.map(([val, text, title]) => h("option", { value: val, selected: f[k] === val, text, title })));
    box.append(
      h("label", null, "label ", sel("pk-f-label", "label", v.labels.map((l) => [l, this.name(v.facet, l), l]), "any")),
      h("label", null, "group ", sel("pk-f-group", "group", v.groups.map((g) => [g, g]), "any")),
      h("label", null, "document ", sel("pk-f-doc", "doc", (this.data.docs || []).map((d) => [d.id, d.id, d.title]), "any")),
      h("label", null, "role ", sel("pk-f-role", "role", ROLES.map((r) => [r, r]), "any")),
      h("label", null, "score ", h("input", { type: "number", min: 0, max: 1, step: 0.05, value: f.smin, "data-testid": "pk-f-smin", class: "pk-num",
        onchange: (e) => upd("smin", Number(e.target.value), true) }), "–", h("input", { type: "number", min: 0, max: 1, step: 0.05, value: f.smax,
        "data-testid": "pk-f-smax", class: "pk-num", onchange: (e) => upd("smax", Number(e.target.value), true) })),
      h("label", null, "search ", h("input", { type: "search", value: f.q, placeholder: "words in the sentence", "data-testid": "pk-f-q",
        oninput: (e) => upd("q", e.target.value, true) })),
      h("label", null, "order ", h("select", { "data-testid": "pk-sort", onchange: (e) => { this.state.sort = e.target.value; this.state.page = 0; this.renderTable(); } },
        [["order", "document order"], ["priority", "review queue (most to learn first)"], ["score_desc", "score, high first"], ["score_asc", "score, low first"]]
          .map(([val, text]) => h("option", { value: val, selected: this.state.sort === val, text })))),
      h("label", { title: "highlight the cues of every facet, not only of the heat map's" }, h("input", { type: "checkbox", "data-testid": "pk-allcues", checked: this.state.allCues,
        onchange: (e) => { this.state.allCues = e.target.checked; this.renderTable(); } }), " all cues"),
      h("button", { type: "button", "data-testid": "pk-clear", onclick: () => { Object.assign(f, { label: "", group: "", doc: "", role: "", smin: 0, smax: 1, q: "" }); this.state.page = 0; this.renderAll(); this.syncSelection(); } }, "clear"),
    );
  }

  highlighted(i) {
    const text = this.S.text[i];
    const v = this.view();
    const lab = this.activeLabel();
    const spans = (this.S.cues[i] || []).slice().sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const out = [];
    let pos = 0;
    for (const [s, e, facet, label, pattern] of spans) {
      if (s < pos || s >= e || e > text.length) continue;
      if (!this.state.allCues && v && facet !== v.facet) continue;
      if (s > pos) out.push(text.slice(pos, s));
      const active = v && lab && facet === v.facet && label === lab;
      out.push(h("mark", { class: active ? "pk-cue pk-cue-active" : "pk-cue", "data-testid": "pk-cue",
        title: `cue "${pattern}" → ${this.name(facet, label)} (${facet}: ${label})` }, text.slice(s, e)));
      pos = e;
    }
    if (pos < text.length) out.push(text.slice(pos));
    return out;
  }

  chips(i) {
    const L = this.labels(i);
    const sc = this.S.scores[i] || {};
    const out = [];
    for (const [facet, field] of Object.entries(LABEL_FIELDS)) {
      for (const lab of L[field] || []) {
        const s = (sc[facet] || {})[lab];
        out.push(h("span", { class: `pk-chip pk-chip-${facet}`, title: `${facet}: ${lab}${s !== undefined && s !== null ? ` · score ${s.toFixed(2)}` : ""}` }, this.name(facet, lab)));
      }
    }
    return out;
  }

  renderTable() {
    const box = this.tableBox;
    box.textContent = "";
    const rows = this.rows();
    const size = this.data.page_size || 20;
    const pages = Math.max(1, Math.ceil(rows.length / size));
    if (this.state.page >= pages) this.state.page = pages - 1;
    const page = rows.slice(this.state.page * size, (this.state.page + 1) * size);
    const v = this.view();
    const f = this.state.f;
    const what = f.group && f.label ? `${this.name(v.facet, f.label)} · ${f.group}` : f.label ? this.name(v.facet, f.label) : "all sentences";
    box.appendChild(h("div", { class: "pk-table-title", "data-testid": "pk-count", "data-n": rows.length }, `${rows.length} sentence(s): ${what}`));
    const table = h("table", { class: "pk-table", "data-testid": "pk-table" });
    table.appendChild(h("tr", null, ["document", v ? (v.by === "doc_id" ? "document" : v.by) : "group", "sentence", f.label ? "label score" : "role score", "role", "labels", ""].map((t) => h("th", { text: t }))));
    const dec = this.decisions();
    for (const i of page) {
      const id = this.S.id[i];
      const d = dec[id];
      const L = this.labels(i);
      const P = this.predicted(i);
      const sc = this.score(i);
      const doc = (this.data.docs || [])[this.docIndex.get(this.S.doc[i])] || {};
      const pend = [...this.pending.values()].includes(id);
      const tr = h("tr", { class: `pk-row${d ? " pk-decided" : ""}`, "data-testid": "pk-row", "data-sent-id": id },
        h("td", { class: "pk-doc", title: doc.title || "" }, this.S.doc[i]),
        h("td", null, String(v ? this.groupOf(i, v.by) ?? "" : "")),
        h("td", { class: "pk-text" }, h("span", { class: "pk-sid", text: id }), " ", this.highlighted(i)),
        h("td", { class: "pk-score", text: sc === null || sc === undefined ? "–" : sc.toFixed(2) }),
        h("td", null, L.role, L.role !== P.role ? h("span", { class: "pk-was", text: ` (model: ${P.role})` }) : null),
        h("td", null, this.chips(i)),
        h("td", { class: "pk-actions" },
          h("button", { type: "button", title: "read in context", "data-testid": "pk-context", onclick: () => this.toggle("open", id) }, this.state.open.has(id) ? "▾ context" : "▸ context"),
          h("button", { type: "button", title: "these labels are right", "data-testid": "pk-confirm", disabled: pend, onclick: () => this.submit(i, null, "confirm") }, "✓"),
          h("button", { type: "button", title: "correct role and labels", "data-testid": "pk-edit", onclick: () => { this.state.edit = this.state.edit === id ? null : id; this.renderTable(); } }, "✎"),
          d ? h("span", { class: `pk-badge pk-badge-${d.action}`, "data-testid": "pk-badge", title: d.time ? `${d.action} · ${d.time}` : d.action, text: d.action === "confirm" ? "confirmed" : "corrected" }) : null,
          pend ? h("span", { class: "pk-badge", text: "saving…" }) : null));
      table.appendChild(tr);
      if (this.state.open.has(id)) table.appendChild(h("tr", { class: "pk-detail" }, h("td", { colspan: 7 }, this.context(i))));
      if (this.state.edit === id) table.appendChild(h("tr", { class: "pk-detail" }, h("td", { colspan: 7 }, this.editor(i))));
    }
    box.appendChild(table);
    box.appendChild(h("div", { class: "pk-pager" },
      h("button", { type: "button", "data-testid": "pk-prev", disabled: this.state.page === 0, onclick: () => { this.state.page--; this.renderTable(); } }, "‹ previous"),
      h("span", { "data-testid": "pk-page", text: ` page ${this.state.page + 1} of ${pages} ` }),
      h("button", { type: "button", "data-testid": "pk-next", disabled: this.state.page >= pages - 1, onclick: () => { this.state.page++; this.renderTable(); } }, "next ›")));
  }

  toggle(what, id) {
    const s = this.state[what];
    if (s.has(id)) s.delete(id); else s.add(id);
    this.renderTable();
  }

  context(i) {
    const S = this.S;
    const doc = S.doc[i], para = S.para[i];
    let a = i, b = i;
    while (a > 0 && S.doc[a - 1] === doc && S.para[a - 1] === para) a--;
    while (b < this.n - 1 && S.doc[b + 1] === doc && S.para[b + 1] === para) b++;
    if (a > 0 && S.doc[a - 1] === doc) a--;
    if (b < this.n - 1 && S.doc[b + 1] === doc) b++;
    const hd = S.heading[i];
    const box = h("div", { class: "pk-context", "data-testid": "pk-context-box" });
    const docInfo = (this.data.docs || [])[this.docIndex.get(doc)] || {};
    box.appendChild(h("div", { class: "pk-ctx-doc", text: `${doc}${docInfo.title ? " — " + docInfo.title : ""}` }));
    if (hd !== undefined && hd >= 0) box.appendChild(h("div", { class: "pk-ctx-heading", "data-testid": "pk-heading", text: (this.data.headings || [])[hd] }));
    for (let k = a; k <= b; k++) {
      const cls = k === i ? "pk-ctx-sent pk-ctx-this" : S.para[k] === para ? "pk-ctx-sent" : "pk-ctx-sent pk-ctx-far";
      box.appendChild(h("p", { class: cls, "data-testid": k === i ? "pk-ctx-this" : "pk-ctx-sent", title: S.id[k] }, k === i ? this.highlighted(k) : S.text[k]));
    }
    const why = S.why ? S.why[i] || {} : {};
    const items = [];
    for (const [facet, labs] of Object.entries(why)) for (const [lab, feats] of Object.entries(labs))
      items.push(h("li", null, h("b", { text: `${this.name(facet, lab)}` }), ` (${facet}): ${feats.join(", ")}`));
    if (items.length) box.appendChild(h("div", { class: "pk-why" }, "Why (learned features): ", h("ul", null, items)));
    const reasons = (S.reasons || [])[i] || [];
    if (reasons.length) box.appendChild(h("div", { class: "pk-why" }, `Review queue #${S.rank[i]} (priority ${S.priority[i]}): `, h("ul", null, reasons.map((r) => h("li", { text: r })))));
    return box;
  }

  editor(i) {
    const L = this.labels(i);
    const id = this.S.id[i];
    const state = { role: L.role, sets: {} };
    for (const [facet, field] of Object.entries(LABEL_FIELDS)) state.sets[facet] = new Set(L[field] || []);
    const box = h("div", { class: "pk-editor", "data-testid": "pk-editor", "data-sent-id": id });
    const roleSel = h("select", { "data-testid": "pk-role-select", onchange: (e) => { state.role = e.target.value; refresh(); } },
      ROLES.map((r) => h("option", { value: r, selected: r === L.role, text: r })));
    box.appendChild(h("div", null, h("label", null, "role ", roleSel)));
    const groups = h("div", { class: "pk-editor-facets" });
    box.appendChild(groups);
    const refresh = () => {
      const allowed = { risk_domain: state.role !== "other", risk_subdomain: state.role !== "other",
        instrument: state.role === "proposal", addressee: state.role === "proposal" };
      for (const fs of groups.querySelectorAll("fieldset")) {
        const facet = fs.getAttribute("data-facet");
        fs.disabled = !allowed[facet];
      }
    };
    for (const facet of Object.keys(LABEL_FIELDS)) {
      const labs = (this.data.facets || {})[facet] || [];
      const fs = h("fieldset", { "data-facet": facet }, h("legend", { text: FACET_TITLES[facet] }));
      for (const lab of labs) {
        fs.appendChild(h("label", { class: "pk-check", title: `${lab.id}: ${lab.description || ""}` },
          h("input", { type: "checkbox", "data-testid": "pk-check", "data-facet": facet, "data-label": lab.id, checked: state.sets[facet].has(lab.id),
            onchange: (e) => {
              if (e.target.checked) {
                state.sets[facet].add(lab.id);
                if (facet === "risk_subdomain" && lab.parent) { state.sets.risk_domain.add(lab.parent);
                  const dom = groups.querySelector(`input[data-facet="risk_domain"][data-label="${CSS.escape(lab.parent)}"]`); if (dom) dom.checked = true; }
              } else state.sets[facet].delete(lab.id);
            } }), " ", lab.name));
      }
      groups.appendChild(fs);
    }
    refresh();
    const note = h("input", { type: "text", placeholder: "note (optional)", class: "pk-note", "data-testid": "pk-note" });
    box.appendChild(h("div", { class: "pk-editor-buttons" }, note,
      h("button", { type: "button", class: "pk-save", "data-testid": "pk-save", onclick: () => {
        const keep = (facet) => (state.role === "other" ? [] : (facet === "instrument" || facet === "addressee") && state.role !== "proposal" ? [] : [...state.sets[facet]]);
        const labelsNew = { role: state.role, risk_domains: keep("risk_domain"), risk_subdomains: keep("risk_subdomain"),
          instruments: keep("instrument"), addressee: keep("addressee") };
        this.state.edit = null;
        this.submit(i, labelsNew, null, note.value);
      } }, "save decision"),
      h("button", { type: "button", "data-testid": "pk-cancel", onclick: () => { this.state.edit = null; this.renderTable(); } }, "cancel")));
    return box;
  }

  submit(i, labelsNew, action, note) {
    const id = this.S.id[i];
    const request = newId();
    this.pending.set(request, id);
    const msg = { type: "decision", request_id: request, sent_id: id, action: action || null,
      new: labelsNew || this.labels(i), old: this.labels(i), note: note || "" };
    this.state.msg = `saving the decision on ${id}…`;
    this.renderTable(); this.renderStatus();
    try { this.model.send(msg); } catch (e) { this.pending.delete(request); this.state.msg = `could not send: ${e}`; this.renderStatus(); }
  }

  receive(msg) {
    if (!msg || msg.type !== "ack") return;
    const id = this.pending.get(msg.request_id);
    this.pending.delete(msg.request_id);
    const where = msg.path ? ` in ${msg.path}` : "";
    this.state.msg = msg.status === "error" ? `not saved: ${msg.message}` :
      msg.status === "appended" ? `${msg.action === "confirm" ? "confirmed" : "corrected"} ${msg.sent_id}: written${where}` :
      msg.status === "duplicate" ? `${msg.sent_id}: this decision was already written` :
      msg.status === "unchanged" ? `${msg.sent_id}: same as its latest decision, nothing new written` :
      `${msg.sent_id || id}: ${msg.status}${msg.message ? " — " + msg.message : ""}`;
    this.renderTable(); this.renderHeatmap(); this.renderStatus();
  }

  renderStatus() {
    const box = this.statusBox;
    box.textContent = "";
    const info = this.data.corrections || {};
    const n = Object.keys(this.decisions()).length;
    box.appendChild(h("div", { "data-testid": "pk-message", text: this.state.msg || "" }));
    const line = [`${n} sentence(s) decided`];
    if (info.path) line.push(`corrections file: ${info.path}`);
    if (info.note) line.push(info.note);
    box.appendChild(h("div", { class: "pk-sub", text: line.join(" · ") }));
    const unmatched = info.unmatched || [];
    if (unmatched.length) {
      box.appendChild(h("details", { "data-testid": "pk-unmatched" }, h("summary", { text: `${unmatched.length} earlier correction(s) not re-applied (the sentence changed)` }),
        h("ul", null, unmatched.map((u) => h("li", { text: `${u.sent_id}: ${u.status} — ${u.detail}` })))));
    }
    if (this.model.download) {
      box.appendChild(h("button", { type: "button", "data-testid": "pk-download", disabled: !this.model.records().length,
        onclick: () => this.model.download() }, `download ${this.model.records().length} decision(s) as corrections.jsonl`));
    }
  }
}

export function render({ model, el }) {
  const app = new Explorer(model, el);
  return () => app.destroy();
}

// A stand-in for the widget model in an exported page: decisions stay in this page (and the
// browser's local storage) and can be downloaded as a corrections file for
// `policykit.corrections.append_many`.
export function staticModel(data, storageKey) {
  const handlers = {};
  const store = { data, decisions: { ...(data.decisions || {}) }, selection: {} };
  let records = [];
  try { const saved = JSON.parse(window.localStorage.getItem(storageKey) || "[]"); if (Array.isArray(saved)) records = saved; } catch (e) { records = []; }
  for (const r of records) store.decisions[r.sent_id] = { action: r.action, new: r.new, time: r.time, decision_id: r.decision_id };
  const emit = (ev, arg) => (handlers[ev] || []).slice().forEach((f) => f(arg));
  const same = (a, b) => JSON.stringify(["role", "risk_domains", "risk_subdomains", "instruments", "addressee"].map((k) => k === "role" ? a[k] : [...(a[k] || [])].sort()))
    === JSON.stringify(["role", "risk_domains", "risk_subdomains", "instruments", "addressee"].map((k) => k === "role" ? b[k] : [...(b[k] || [])].sort()));
  const model = {
    get: (k) => store[k], set: (k, v) => { store[k] = v; emit(`change:${k}`); }, save_changes: () => {},
    on: (ev, f) => { (handlers[ev] = handlers[ev] || []).push(f); },
    off: (ev, f) => { handlers[ev] = (handlers[ev] || []).filter((g) => g !== f); },
    records: () => records,
    send: (msg) => {
      const S = data.sentences; const i = S.id.indexOf(msg.sent_id);
      let status = "appended";
      const latest = records.filter((r) => r.sent_id === msg.sent_id).pop();
      if (records.some((r) => r.decision_id === msg.request_id)) status = "duplicate";
      else if (latest && same(latest.new, msg.new)) status = "unchanged";
      if (status === "appended") {
        const L = data.sentences.labels || {};
        const action = msg.action || (same(msg.new, msg.old) ? "confirm" : "correct");
        const rec = { schema: "policykit-correction/1", decision_id: msg.request_id, time: new Date().toISOString(),
          sent_id: msg.sent_id, doc_id: S.doc[i], start: S.start[i], end: S.end[i], text: S.text[i], text_sha256: S.hash[i],
          source_path: null, source_sha256: null, action, old: msg.old, new: msg.new,
          predicted: { role: S.role[i], risk_domains: (L.risk_domain || [])[i] || [], risk_subdomains: (L.risk_subdomain || [])[i] || [],
            instruments: (L.instrument || [])[i] || [], addressee: (L.addressee || [])[i] || [], role_score: S.role_score[i] },
          annotator: "exported page", note: msg.note || "", tool: "policykit explorer (exported page)" };
        records.push(rec);
        try { window.localStorage.setItem(storageKey, JSON.stringify(records)); } catch (e) { /* private mode */ }
        store.decisions = { ...store.decisions, [msg.sent_id]: { action, new: msg.new, time: rec.time, decision_id: rec.decision_id } };
      }
      setTimeout(() => { emit("change:decisions"); emit("msg:custom", { type: "ack", request_id: msg.request_id, status, sent_id: msg.sent_id,
        action: msg.action || "correct", path: "this page (download to keep)" }); }, 0);
    },
    download: () => {
      const blob = new Blob([records.map((r) => JSON.stringify(r)).join("\n") + (records.length ? "\n" : "")], { type: "application/x-ndjson" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob); a.download = "corrections.jsonl";
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    },
  };
  return model;
}

export default { render };

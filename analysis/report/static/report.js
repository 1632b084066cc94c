/* skins report: the deception graph, its findings and transcripts.
 * Every piece of model text goes into the page through textContent (text nodes), never innerHTML.
 * Aggregates come precomputed from Python; a run's transcript JSON is parsed only when it is opened. */
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const PAGE = 200;
  const runCache = new Map();
  const state = { view: "role", layout: "cose", filters: {}, edge: null };
  const VIEWS = [["role", "roles"], ["skin", "skins"], ["model", "base models"]];
  const LAYOUTS = ["cose", "circle", "concentric", "breadthfirst", "grid"];

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([k, v]) => {
      if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "on") Object.entries(v).forEach(([ev, fn]) => node.addEventListener(ev, fn));
      else node[k] = v; // only className, id, type, checked, value, title, src, hidden: never innerHTML
    });
    children.flat().forEach((c) => {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function highlighted(text, needles) {
    /* text split into text nodes and <mark>s: the first occurrence of each needle, in order of position */
    const spans = [].concat(needles || []).filter(Boolean).map((n) => [text.indexOf(n), n]).filter(([at]) => at >= 0)
      .sort((a, b) => a[0] - b[0]);
    const out = [];
    let pos = 0;
    spans.forEach(([at, n]) => { if (at < pos) return; out.push(text.slice(pos, at), el("mark", {}, n)); pos = at + n.length; });
    out.push(text.slice(pos));
    return out;
  }
  function loadRun(r) {
    if (!runCache.has(r)) {
      const block = document.getElementById("run-" + r);
      runCache.set(r, block ? JSON.parse(block.textContent) : null);
    }
    return runCache.get(r);
  }
  const colour = (type) => DATA.type_colours[type] || "#333";
  const yesNo = (v) => (v === true ? "true" : v === false ? "false" : "unknown");

  /* ---- filters -------------------------------------------------------------------------- */
  function filterSpecs() {
    const done = DATA.runs.filter((r) => r.status === "done");
    const nodes = Object.values(DATA.nodes);
    const motives = new Set(["(none)"]);
    DATA.edges.forEach((g) => g.motives.forEach((m) => motives.add(m)));
    const uniq = (xs) => Array.from(new Set(xs)).sort();
    return [
      ["world", "World", uniq(done.map((r) => r.world))],
      ["condition", "Ablated", uniq(done.map((r) => r.condition))],
      ["skin", "Deceiver skin", uniq(nodes.map((n) => n.skin))],
      ["model", "Deceiver base model", uniq(nodes.map((n) => n.model))],
      ["type", "Deception type", uniq(DATA.edges.map((g) => g.type))],
      ["motive", "Motive", Array.from(motives).sort()],
    ];
  }
  function buildControls() {
    const view = document.getElementById("view");
    VIEWS.forEach(([value, label]) => {
      const input = el("input", { type: "radio", name: "view", value, checked: value === state.view,
        on: { change: () => { state.view = value; redraw(); } } });
      view.appendChild(el("label", {}, input, " " + label));
    });
    const layout = document.getElementById("layout");
    LAYOUTS.forEach((name) => layout.appendChild(el("option", { value: name }, name)));
    layout.addEventListener("change", () => { state.layout = layout.value; redraw(); });
    const box = document.getElementById("filters");
    filterSpecs().forEach(([key, title, values]) => {
      state.filters[key] = new Set(values);
      const set = (checked) => { box.querySelectorAll(`input[data-filter="${key}"]`).forEach((i) => { i.checked = checked; });
        state.filters[key] = new Set(checked ? values : []); redraw(); };
      const fs = el("fieldset", { className: "filter", dataset: { filter: key } }, el("legend", {}, title),
        el("div", { className: "filter-actions" },
          el("button", { type: "button", on: { click: () => set(true) } }, "all"), " ",
          el("button", { type: "button", on: { click: () => set(false) } }, "none")));
      values.forEach((v) => {
        const input = el("input", { type: "checkbox", checked: true, value: v, dataset: { filter: key },
          on: { change: (e) => { (e.target.checked ? state.filters[key].add(v) : state.filters[key].delete(v)); redraw(); } } });
        fs.appendChild(el("label", { title: v }, input, " " + v));
      });
      box.appendChild(fs);
    });
    const legend = document.getElementById("legend");
    Object.entries(DATA.type_colours).forEach(([type, c]) => {
      const sw = el("span", { className: "swatch" }); sw.style.background = c;
      legend.appendChild(el("div", {}, sw, type));
    });
  }

  /* ---- aggregation by view -------------------------------------------------------------- */
  function viewNode(key) {
    const n = DATA.nodes[key];
    if (state.view === "skin") return { id: "skin:" + n.skin, label: n.skin };
    if (state.view === "model") return { id: "model:" + n.model, label: n.model };
    return { id: key, label: n.label };
  }
  function graphModel() {
    const f = state.filters;
    const runs = new Set();
    const denom = new Map();
    DATA.runs.forEach((run, r) => {
      if (run.status !== "done" || !f.world.has(run.world) || !f.condition.has(run.condition)) return;
      runs.add(r);
      const ids = new Set(Object.entries(run.roles).map(([role, [, model]]) => run.world + "/" + role + "@" + model)
        .filter((k) => DATA.nodes[k]).map((k) => viewNode(k).id));
      ids.forEach((id) => denom.set(id, (denom.get(id) || 0) + 1));
    });
    const nodes = new Map();
    Object.keys(DATA.nodes).forEach((k) => { const v = viewNode(k); if (denom.has(v.id)) nodes.set(v.id, v); });
    const edges = new Map();
    DATA.edges.forEach((g) => {
      const src = DATA.nodes[g.source];
      if (!f.type.has(g.type) || !f.skin.has(src.skin) || !f.model.has(src.model)) return;
      if (!(g.motives.length ? g.motives.some((m) => f.motive.has(m)) : f.motive.has("(none)"))) return;
      const s = viewNode(g.source).id, t = viewNode(g.target).id, key = s + "\u0000" + t + "\u0000" + g.type;
      g.findings.forEach((fi) => {
        const ref = DATA.findings[fi];
        if (!runs.has(ref.r)) return;
        if (!edges.has(key)) edges.set(key, { key, source: s, target: t, type: g.type, findings: [], runs: new Set(),
          subjects: new Set(), motives: new Set(), caught: new Set() });
        const e = edges.get(key);
        e.findings.push(fi); e.runs.add(ref.r); e.subjects.add(g.subject); g.motives.forEach((m) => e.motives.add(m));
        if (ref.accused_by && ref.accused_by.length) e.caught.add(fi);
      });
    });
    edges.forEach((e) => { e.n = denom.get(e.source) || 0; e.rate = e.n ? e.runs.size / e.n : 0;
      e.findings = Array.from(new Set(e.findings)); });
    return { nodes, edges, nRuns: runs.size };
  }

  /* ---- graph ---------------------------------------------------------------------------- */
  let cy = null;
  let model = null;
  function redraw() {
    model = graphModel();
    const elements = [];
    model.nodes.forEach((n) => elements.push({ group: "nodes", data: { id: n.id, label: n.label } }));
    model.edges.forEach((e) => elements.push({ group: "edges", data: {
      id: "e" + elements.length, key: e.key, source: e.source, target: e.target, colour: colour(e.type),
      width: 1.5 + 10 * e.rate, caught: e.caught.size,
      label: `${e.type} ×${e.findings.length} · ${Math.round(100 * e.rate)}%` + (e.caught.size ? ` · ${e.caught.size} caught` : "") } }));
    cy.elements().remove();
    cy.add(elements);
    const layout = cy.layout({ name: state.layout, animate: false, padding: 40, nodeDimensionsIncludeLabels: true,
      randomize: true, idealEdgeLength: () => 180, nodeRepulsion: () => 1000000, nodeOverlap: 40, componentSpacing: 120,
      gravity: 0.5, numIter: 1500, spacingFactor: 1.1 });
    layout.run();
    cy.fit(undefined, 40);
    renderEdgeList();
    if (state.edge && !model.edges.has(state.edge)) { state.edge = null; }
    renderEdgePanel();
  }
  function initGraph() {
    cy = cytoscape({ container: document.getElementById("cy"), style: [
      { selector: "node", style: { label: "data(label)", "text-wrap": "wrap", "text-max-width": "140px",
        "font-size": 12, "text-valign": "bottom", "text-margin-y": 4, "background-color": "#8fb8de",
        "border-color": "#4a6f94", "border-width": 1, width: 36, height: 36, "text-background-color": "#fff",
        "text-background-opacity": 0.8 } },
      { selector: "edge", style: { width: "data(width)", "line-color": "data(colour)", "target-arrow-color": "data(colour)",
        "target-arrow-shape": "triangle", "curve-style": "bezier", "control-point-step-size": 70, label: "data(label)",
        "font-size": 11, "text-rotation": "autorotate", color: "#1f2328", "text-background-color": "#fff", "text-background-opacity": 0.9,
        "text-background-padding": "2px", "text-border-color": "data(colour)", "text-border-width": 1,
        "text-border-opacity": 1, "arrow-scale": 0.9 } },
      { selector: "edge[caught > 0]", style: { "target-arrow-shape": "triangle-tee", "text-border-width": 3 } },
      { selector: "edge:selected", style: { "overlay-color": "#0969da", "overlay-opacity": 0.25, "overlay-padding": 4 } },
    ] });
    cy.on("tap", "edge", (ev) => { state.edge = ev.target.data("key"); renderEdgePanel(); });
  }
  function nodeLabel(id) { const n = model.nodes.get(id); return n ? n.label : id; }
  function edgeTitle(e) { return `${nodeLabel(e.source)} → ${nodeLabel(e.target)}: ${e.type}`; }
  function renderEdgeList() {
    const rows = Array.from(model.edges.values()).sort((a, b) => b.findings.length - a.findings.length);
    const box = clear(document.getElementById("edge-list"));
    if (!rows.length) { box.appendChild(el("p", { className: "muted" }, `No deception in the ${model.nRuns} selected run(s).`)); return; }
    const body = el("tbody", {}, rows.map((e) => el("tr", {},
      el("td", {}, el("button", { type: "button", className: "link edge-link", dataset: { key: e.key },
        on: { click: () => { state.edge = e.key; renderEdgePanel(); } } }, edgeTitle(e))),
      el("td", {}, String(e.findings.length)), el("td", {}, `${e.runs.size}/${e.n}`),
      el("td", {}, e.rate.toFixed(2)), el("td", {}, Array.from(e.subjects).join(", ")),
      el("td", {}, Array.from(e.motives).join(", ")))));
    box.appendChild(el("table", {}, el("thead", {}, el("tr", {}, ["edge", "findings", "runs", "rate", "about", "motives"]
      .map((c) => el("th", {}, c)))), body));
  }
  function renderEdgePanel() {
    const panel = clear(document.getElementById("edge-panel"));
    cy.edges().unselect();
    const e = state.edge && model.edges.get(state.edge);
    if (!e) { panel.appendChild(el("p", { className: "muted" }, "Click an edge (or a row of the edge list below) to list its findings.")); return; }
    cy.edges().filter((x) => x.data("key") === e.key).select();
    panel.appendChild(el("h3", {}, edgeTitle(e)));
    panel.appendChild(el("p", { className: "muted" }, `${e.findings.length} finding(s) in ${e.runs.size} of ${e.n} run(s) ` +
      `(rate ${e.rate.toFixed(2)}); about ${Array.from(e.subjects).join(", ")}; motives: ${Array.from(e.motives).join(", ") || "none"}`));
    const list = el("div", { id: "finding-list" });
    panel.appendChild(list);
    let shown = 0;
    const more = el("button", { type: "button", on: { click: () => page() } });
    function page() {
      e.findings.slice(shown, shown + PAGE).forEach((fi) => {
        const f = DATA.findings[fi], run = DATA.runs[f.r];
        list.appendChild(el("button", { type: "button", className: "finding-item", dataset: { finding: fi },
          on: { click: (ev) => { list.querySelectorAll(".active").forEach((x) => x.classList.remove("active"));
            ev.currentTarget.classList.add("active"); openFinding(fi); } } },
          el("span", { className: "meta" }, `${run.world} seed ${run.seed}${run.condition !== "(none)" ? " −" + run.condition : ""}` +
            ` · turn ${f.turn} · ${f.deceiver} → ${f.targets.join(", ")} · ${f.subject}` +
            (f.accused_by && f.accused_by.length ? ` · accused by ${f.accused_by.join(", ")}` : "")),
          f.quote ? "“" + f.quote + "”" : "(no quote: " + f.type + ")"));
      });
      shown += PAGE;
      more.textContent = `Show ${Math.min(PAGE, e.findings.length - shown)} more of ${e.findings.length - shown}`;
      more.hidden = shown >= e.findings.length;
    }
    panel.appendChild(more);
    page();
  }

  /* ---- finding and transcript ------------------------------------------------------------- */
  function openFinding(fi) { const ref = DATA.findings[fi]; openRun(ref.r, ref.turn, ref.i); }
  function box(title, ...children) { return el("div", { className: "box" }, el("h4", {}, title), ...children); }
  function beliefText(b) {
    if (!b) return "No recorded belief.";
    const how = b.source === "initial" ? "initial knowledge" : b.source === "tool" ? `saw it with the tool ${b.via}` :
      b.source === "hearsay" ? `was told by ${b.via}` : b.source + (b.via ? " " + b.via : "");
    return `Believed it ${yesNo(b.value)} since turn ${b.turn} (${how}).`;
  }
  function channelOf(detail, f, quote) {
    /* which private channel of the deceiver's turns (up to the finding's) holds a quote: its reasoning trace or its thinking */
    if (!quote || !detail) return "";
    const own = detail.turns.filter((t) => t.role === f.deceiver && t.turn <= f.turn);
    if (own.some((t) => (t.reasoning || "").includes(quote))) return " (from its reasoning trace)";
    return own.some((t) => (t.thinking || "").includes(quote)) ? " (from its thinking)" : "";
  }
  function renderFinding(run, f, detail) {
    const world = DATA.worlds[run.world] || { facts: {}, incentives: {}, tools: {} };
    const ev = f.evidence;
    const badge = el("span", { className: "badge" }, f.type); badge.style.background = colour(f.type);
    const fact = world.facts[f.subject];
    const truth = f.subject_kind === "fact"
      ? [el("p", {}, fact ? `${f.subject}: ${fact.statement}` : f.subject),
        el("p", {}, `True at turn ${f.turn}: ${yesNo(ev.truth)}` + (fact ? ` (at the start of the run: ${yesNo(fact.truth)})` : "")),
        el("p", {}, `The quote asserted: ${yesNo(ev.asserted)}`)]
      : [el("p", {}, `${f.subject}: ${world.tools[f.subject] || "action"}`),
        el("p", {}, `The action log shows it: ${yesNo(ev.truth)}` + (ev.action_indexes.length ? ` (entries ${ev.action_indexes.join(", ")})` : "")),
        el("p", {}, `The quote asserted it happened: ${yesNo(ev.asserted)}`)];
    const motives = f.motives.length ? f.motives.map((m) => {
      const inc = world.incentives[m.incentive];
      return el("p", {}, el("strong", {}, m.incentive), ` — ${m.how} (confidence ${m.confidence.toFixed(2)})`,
        m.quote ? el("span", {}, ": “", el("mark", {}, m.quote), "”" + channelOf(detail, f, m.quote)) : "", inc ? el("span", { className: "muted" }, ` [${inc.kind} held by ${inc.holder}: ${inc.says}]`) : "");
    }) : [el("p", { className: "muted" }, "No motive attributed.")];
    const extra = [];
    if (ev.earlier) extra.push(el("p", {}, `Earlier, at turn ${ev.earlier.turn} (message ${ev.earlier.message_index}) to ${ev.earlier.listeners.join(", ")}: “`,
      el("mark", {}, ev.earlier.quote), `” (asserted: ${yesNo(ev.earlier.asserted)}; true then: ${yesNo(ev.earlier.truth)})`));
    if (ev.question) extra.push(el("p", {}, "Question: “" + ev.question + "”"));
    if (ev.thought) extra.push(el("p", {}, "Private thought: “", el("mark", {}, ev.thought), "”" + channelOf(detail, f, ev.thought)));
    ev.wrong_answers.forEach((w) => extra.push(el("p", {}, `Q${w.number} ${w.question}: expected ${w.expected}, gave ${w.given}`)));
    if (ev.note) extra.push(el("p", { className: "muted" }, ev.note));
    return [
      box("Finding", el("p", {}, badge, `${f.deceiver} → ${f.targets.join(", ")} about ${f.subject} at turn ${f.turn}`),
        el("p", { className: "quote" }, ev.quote ? ["“", el("mark", { className: "quote-mark" }, ev.quote), "”"] : "(no quote)"),
        el("p", { className: "muted" }, `detector ${f.detector}, extractor ${f.extractor || "—"}, confidence ${f.confidence.toFixed(2)}` +
          (f.accidentally_true ? "; accidentally true" : ""))),
      box("Ground truth", ...truth),
      box("How the speaker knew", el("p", {}, beliefText(ev.belief)), ...extra),
      box("Motives", ...motives),
    ];
  }
  function messageNode(m, quote) {
    const to = el("span", { className: "to" }, `${m.sender} → ${m.to.join(", ")}${m.scripted ? " (world event)" : ""}: `);
    return el("div", { className: "msg", dataset: { index: m.index } }, to, ...highlighted(m.text, [quote]));
  }
  function actionNode(a) {
    return el("div", { className: "act" }, el("span", { className: "to" }, `action #${a.index}: `),
      `${a.tool}(${JSON.stringify(a.args || {})}) → ${a.ok === false ? "rejected: " + (a.error || "") : a.result || "done"}` +
      (a.score !== undefined && a.score !== null ? ` [score ${a.score.toFixed(2)}]` : "") +
      (a.visible_to && a.visible_to.length ? ` [log visible to ${a.visible_to.join(", ")}]` : " [log hidden]"));
  }
  function transcriptRows(detail, turn, f) {
    const quote = f && f.evidence.quote;
    const thoughts = f ? [f.evidence.thought, ...f.motives.filter((m) => m.how === "reasoning").map((m) => m.quote)] : [];
    const owned = new Set(detail.turns.flatMap((t) => t.message_indexes || []));
    const rows = [];
    const byTurn = new Map();
    detail.messages.filter((m) => !owned.has(m.index)).forEach((m) => {
      if (!byTurn.has(m.turn)) byTurn.set(m.turn, []); byTurn.get(m.turn).push(m); });
    const events = (t) => { (byTurn.get(t) || []).forEach((m) => rows.push(el("tr", { className: "event", dataset: { turn: t } },
      el("td", {}, String(t)), el("td", {}, m.sender), el("td", {}, messageNode(m, null)), el("td", {})))); byTurn.delete(t); };
    detail.turns.forEach((t) => {
      events(t.turn);
      const focus = f ? t.turn === f.turn && t.role === f.deceiver : t.turn === turn;
      const msgs = (t.message_indexes || []).map((i) => detail.messages.find((m) => m.index === i)).filter(Boolean)
        .map((m) => messageNode(m, f && m.index === f.message_index ? quote : ""));
      const acts = (t.action_indexes || []).map((i) => detail.actions.find((a) => a.index === i)).filter(Boolean).map(actionNode);
      const invalid = t.valid === false || t.invalid_reason;
      const think = [];
      if (t.reasoning) think.push(el("div", { className: "reasoning" }, el("span", { className: "channel" }, "reasoning trace (private): "),
        ...highlighted(t.reasoning, focus ? thoughts : [])));
      think.push(el("div", { className: "thinking" }, ...(t.reasoning && t.thinking ? [el("span", { className: "channel" }, "thinking (private): ")] : []),
        ...highlighted(t.thinking || "", focus ? thoughts : [])));
      if (invalid) think.push(el("p", {}, (t.valid === false ? "Invalid turn: " : "Partly rejected: ") + (t.invalid_reason || "")));
      if (t.raw) think.push(el("pre", { className: "raw" }, "raw output: " + t.raw));
      rows.push(el("tr", { className: (focus ? "focus " : "") + (invalid ? "invalid" : ""), dataset: { turn: t.turn, role: t.role } },
        el("td", {}, String(t.turn)), el("td", {}, t.role), el("td", { className: "public" }, ...msgs, ...acts), el("td", { className: "private" }, ...think)));
    });
    Array.from(byTurn.keys()).sort((a, b) => a - b).forEach(events);
    return rows;
  }
  function openRun(r, turn, findingIndex) {
    const run = DATA.runs[r];
    const detail = loadRun(r);
    const section = document.getElementById("transcript-section");
    section.hidden = false;
    document.getElementById("transcript-title").textContent =
      `Run ${run.id} — ${run.world}, seed ${run.seed}, ablated ${run.condition}, ${run.status}` + (run.error ? `: ${run.error}` : "");
    const f = detail && findingIndex !== undefined ? detail.findings[findingIndex] : null;
    clear(document.getElementById("finding-detail")).append(...(f ? renderFinding(run, f, detail) : []));
    const holder = clear(document.getElementById("transcript"));
    if (!detail) { holder.appendChild(el("p", { className: "muted" }, "No records were stored for this run.")); return; }
    const table = el("table", {}, el("thead", {}, el("tr", {}, ["turn", "role", "public: messages and actions", "private: reasoning trace and thinking"]
      .map((c) => el("th", {}, c)))), el("tbody", {}, transcriptRows(detail, turn, f)));
    holder.appendChild(table);
    section.scrollIntoView({ block: "start" });
    const focus = holder.querySelector("tr.focus") || holder.querySelector(`tr[data-turn="${turn}"]`);
    if (focus) holder.scrollTop = Math.max(0, focus.offsetTop - 90);
  }

  /* ---- tables, plots, header --------------------------------------------------------------- */
  function renderTable(t, counted = true) {
    const wrap = el("div", { className: "table-wrap" });
    const body = el("tbody");
    let shown = 0;
    const more = el("button", { type: "button", on: { click: () => page() } });
    function page() {
      t.rows.slice(shown, shown + PAGE * 2).forEach((row, j) => {
        const i = shown + j, open = t.opens && t.opens[i];
        const cells = row.map((c) => el("td", {}, c));
        if (t.opens) cells.push(el("td", {}, open && open.length && DATA.runs[open[0]].detail
          ? el("button", { type: "button", className: "link", on: { click: () => openRun(open[0], open[1]) } }, "open") : ""));
        body.appendChild(el("tr", {}, cells));
      });
      shown += PAGE * 2;
      more.textContent = `Show more (${t.rows.length - shown} left)`;
      more.hidden = shown >= t.rows.length;
    }
    page();
    const head = el("tr", {}, [...t.columns, ...(t.opens ? ["transcript"] : [])].map((c) => el("th", {}, c)));
    wrap.appendChild(el("table", { id: "table-" + t.id }, el("thead", {}, head), body));
    return el("div", { className: "report-table" }, el("h3", {}, counted ? `${t.title} (${t.rows.length})` : t.title),
      t.note ? el("p", { className: "muted" }, t.note) : "", t.rows.length ? [wrap, more] : el("p", { className: "muted" }, "None."));
  }
  function renderCalibration() {
    const holder = document.getElementById("calibration");
    if (!DATA.calibrations.length) {
      holder.appendChild(el("p", { className: "muted" }, "No finding names the claim extractor it came from, and no calibration is saved in this folder."));
      return;
    }
    DATA.calibrations.forEach((c) => {
      const small = c.tables.filter((t) => !t.id.endsWith("-misses")), misses = c.tables.filter((t) => t.id.endsWith("-misses"));
      holder.appendChild(el("div", { className: "calibration" + (c.used ? " used" : "") },
        el("h3", {}, c.extractor, c.corpus ? ` on ${c.corpus}` : "", " ", el("span", { className: "tag" }, c.used ? "labelled these findings" : "not used for these findings")),
        el("p", {}, c.note, c.command ? [" ", el("code", {}, c.command)] : ""),
        small.length ? el("div", { className: "calibration-grid" }, small.map((t) => renderTable(t, false))) : "",
        misses.map((t) => renderTable(t, false))));
    });
  }
  function renderStatic() {
    document.getElementById("title").textContent = DATA.title;
    const done = DATA.runs.filter((r) => r.status === "done").length;
    document.getElementById("summary").textContent = `${DATA.runs.length} run(s): ${done} finished, ` +
      `${DATA.runs.length - done} failed or unfinished; ${DATA.findings.length} deceptive finding(s), ${DATA.findings_source}. ` +
      `Folder ${DATA.folder}; generated ${DATA.generated}.`;
    const tables = document.getElementById("tables");
    DATA.tables.forEach((t) => tables.appendChild(renderTable(t)));
    renderCalibration();
    const plots = document.getElementById("plots");
    DATA.plots.forEach((p) => plots.appendChild(el("figure", { id: "plot-" + p.id }, el("figcaption", {}, el("strong", {}, p.title),
      p.file ? ` (also written to ${p.file})` : ""), p.png_base64 ? el("img", { src: "data:image/png;base64," + p.png_base64, alt: p.title }) : "",
      p.note ? el("p", { className: "muted plot-note" }, p.note) : "")));
  }

  renderStatic();
  buildControls();
  initGraph();
  redraw();
  window.skinsReport = { openRun, openFinding, cy, data: DATA, readyMs: performance.now() };
  document.body.dataset.ready = "1";
})();

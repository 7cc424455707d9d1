/* Knowledge-graph explorer: search, filters, legend and evidence panel.
 *
 * Runs after pyvis's drawGraph(), which defines the globals `network`, `nodes`
 * and `edges`. Every string that comes from documents is put into the page with
 * textContent (never innerHTML), so markup in names or evidence stays text.
 */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const typeInfo = new Map(data.types.map((t) => [t.key, t]));
  const predInfo = new Map(data.predicates.map((p) => [p.key, p]));
  const edgePred = new Map();
  const nodeFacts = new Map(data.nodes.map((n) => [n.id, []]));
  const dates = new Map();

  data.facts.forEach((f, i) => {
    if (f.edge) edgePred.set(f.edge, f.p);
    [f.s, f.o].forEach((end, k) => {
      if (end && (k === 0 || end !== f.s)) nodeFacts.get(end).push(i);
    });
    if (f.p !== "held_on") return;
    if (!dates.has(f.sName)) dates.set(f.sName, new Set());
    dates.get(f.sName).add(f.oName);
  });

  function dateOf(f) {
    if (f.p === "held_on") return f.oName;
    const found = dates.get(f.oName) || dates.get(f.sName);
    return found ? Array.from(found).join("、") : "";
  }

  /* ---------- small DOM helpers (text only) ---------- */

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function append(parent, ...children) {
    children.forEach((c) => c && parent.appendChild(c));
    return parent;
  }

  function swatch(type) {
    const s = el("span", null, "kg-swatch");
    s.style.backgroundColor = (typeInfo.get(type) || {}).color || "#999";
    return s;
  }

  /* ---------- page skeleton ---------- */

  function buildSkeleton() {
    const bar = el("header");
    bar.id = "kg-bar";
    const title = el("h1", data.title);
    title.id = "kg-title";
    const box = el("div");
    box.id = "kg-search-box";
    const input = el("input");
    Object.assign(input, {
      id: "kg-search", type: "search", autocomplete: "off", placeholder: "搜索实体或别名…",
    });
    input.setAttribute("aria-label", "搜索实体或别名");
    const results = el("ul");
    results.id = "kg-results";
    results.hidden = true;
    append(box, input, results);
    const counts = el("p");
    counts.id = "kg-counts";
    const count = el("span", data.nodes.length);
    count.id = "node-count";
    const visible = el("span", data.nodes.length);
    visible.id = "visible-count";
    const status = el("span", "布局中…");
    status.id = "kg-status";
    append(counts, count, el("span", " 个实体（显示 "), visible,
      el("span", "，全图 " + data.total + "）· "), status);
    append(bar, title, box, counts);

    const filters = el("aside");
    filters.id = "kg-filters";
    const legend = el("div");
    legend.id = "kg-legend";
    const preds = el("div");
    preds.id = "kg-predicates";
    append(filters, el("h2", "实体类型"), legend, el("h2", "关系"), preds);

    const panel = el("aside");
    panel.id = "kg-panel";
    append(panel, el("p", "点击节点或搜索实体，查看类型、别名、文档与证据。", "kg-hint"));
    document.body.prepend(bar, filters, panel);
  }

  /* ---------- legend and filters ---------- */

  function checkbox(container, key, label, count, color) {
    const row = el("label", null, "kg-check");
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = key;
    box.addEventListener("change", applyFilters);
    append(row, box, color ? swatch(key) : null, el("span", label),
      el("span", count, "kg-count"));
    container.appendChild(row);
  }

  function buildFilters() {
    const typeCounts = new Map(), predCounts = new Map();
    data.nodes.forEach((n) => typeCounts.set(n.type, (typeCounts.get(n.type) || 0) + 1));
    edgePred.forEach((p) => predCounts.set(p, (predCounts.get(p) || 0) + 1));
    const legend = document.getElementById("kg-legend");
    data.types.forEach((t) =>
      checkbox(legend, t.key, t.label, typeCounts.get(t.key) || 0, true));
    const preds = document.getElementById("kg-predicates");
    data.predicates.filter((p) => predCounts.has(p.key))
      .forEach((p) => checkbox(preds, p.key, p.label, predCounts.get(p.key), false));
  }

  function checked(id) {
    const boxes = document.querySelectorAll("#" + id + " input:checked");
    return new Set(Array.from(boxes, (box) => box.value));
  }

  function applyFilters() {
    const types = checked("kg-legend"), preds = checked("kg-predicates");
    let shown = 0;
    nodes.update(data.nodes.map((n) => {
      const on = types.has(n.type);
      shown += on ? 1 : 0;
      return { id: n.id, hidden: !on };
    }));
    edges.update(Array.from(edgePred, ([id, p]) => ({ id: id, hidden: !preds.has(p) })));
    document.getElementById("visible-count").textContent = shown;
  }

  /* ---------- search ---------- */

  function norm(s) {
    return String(s).normalize("NFKC").toLowerCase().trim();
  }

  const index = data.nodes.map((n) => ({ node: n, keys: [n.name].concat(n.aliases).map(norm) }));

  function search(query) {
    const q = norm(query);
    if (!q) return [];
    const hits = [];
    index.forEach((entry) => {
      const pos = entry.keys.findIndex((k) => k.includes(q));
      if (pos < 0) return;
      const key = entry.keys[pos];
      const rank = (key === q ? 0 : key.startsWith(q) ? 1 : 2) * 2 + (pos > 0 ? 1 : 0);
      const alias = pos > 0 ? entry.node.aliases[pos - 1] : "";
      hits.push({ node: entry.node, rank: rank, alias: alias });
    });
    hits.sort((a, b) => a.rank - b.rank || b.node.degree - a.node.degree
      || a.node.name.localeCompare(b.node.name));
    return hits.slice(0, 30);
  }

  function showResults(hits) {
    const list = document.getElementById("kg-results");
    list.replaceChildren();
    hits.forEach((hit) => {
      const item = el("li");
      const button = el("button", null, "kg-result");
      button.type = "button";
      append(button, swatch(hit.node.type), el("span", hit.node.name),
        hit.alias ? el("span", "（别名：" + hit.alias + "）", "kg-alias") : null);
      button.addEventListener("click", () => { selectNode(hit.node.id); list.hidden = true; });
      list.appendChild(append(item, button));
    });
    list.hidden = hits.length === 0;
  }

  function bindSearch() {
    const input = document.getElementById("kg-search");
    input.addEventListener("input", () => {
      const hits = search(input.value);
      showResults(hits);
      if (hits.length && hits[0].rank <= 1) selectNode(hits[0].node.id);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== "Escape") return;
      const hits = event.key === "Enter" ? search(input.value) : [];
      if (hits.length) selectNode(hits[0].node.id);
      document.getElementById("kg-results").hidden = true;
    });
  }

  /* ---------- selection and panel ---------- */

  function selectNode(id) {
    const node = byId.get(id);
    if (!node) return;
    const box = document.querySelector('#kg-legend input[value="' + node.type + '"]');
    if (box && !box.checked) { box.checked = true; applyFilters(); }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 300 } });
    showNode(id);
  }

  function section(panel, heading, items) {
    panel.appendChild(el("h3", heading));
    const list = el("ul", null, "kg-list");
    items.forEach((t) => list.appendChild(el("li", t)));
    if (!items.length) list.appendChild(el("li", "无", "kg-none"));
    panel.appendChild(list);
  }

  function endLink(id, name) {
    if (!id || !byId.has(id)) return el("span", name, "kg-end");
    const link = el("button", name, "kg-end kg-link");
    link.type = "button";
    link.addEventListener("click", () => selectNode(id));
    return link;
  }

  function factItem(f) {
    const item = el("li", null, "kg-fact");
    const pred = (predInfo.get(f.p) || { label: f.p }).label;
    const head = el("div", null, "kg-fact-head");
    append(head, endLink(f.s, f.sName), el("span", " → ", "kg-arrow"), endLink(f.o, f.oName));
    const label = el("div", f.role ? pred + "：" + f.role : pred, "kg-pred");
    const date = dateOf(f);
    append(item, head, label, date ? el("div", "日期：" + date, "kg-date") : null,
      f.evidence ? el("blockquote", f.evidence, "kg-evidence") : null,
      f.doc ? el("div", "来源：" + f.doc, "kg-doc") : null);
    return item;
  }

  function showFacts(panel, heading, indices) {
    panel.appendChild(el("h3", heading + "（" + indices.length + "）"));
    const list = el("ul", null, "kg-facts");
    indices.forEach((i) => list.appendChild(factItem(data.facts[i])));
    panel.appendChild(list);
  }

  function showNode(id) {
    const node = byId.get(id);
    const panel = document.getElementById("kg-panel");
    panel.replaceChildren();
    const type = typeInfo.get(node.type) || { label: node.type };
    append(panel, el("h2", node.name, "kg-name"),
      append(el("p", null, "kg-type"), swatch(node.type), el("span", type.label)));
    section(panel, "别名", node.aliases);
    section(panel, "文档", node.docs);
    showFacts(panel, "关系与证据", nodeFacts.get(id));
  }

  function showEdge(edgeId) {
    const panel = document.getElementById("kg-panel");
    panel.replaceChildren();
    const indices = [];
    data.facts.forEach((f, i) => { if (f.edge === edgeId) indices.push(i); });
    if (!indices.length) return;
    const pred = (predInfo.get(edgePred.get(edgeId)) || {}).label || "";
    panel.appendChild(el("h2", pred, "kg-name"));
    showFacts(panel, "证据", indices);
  }

  /* ---------- start ---------- */

  let ready = false;

  function finish() {
    if (ready) return;
    ready = true;
    network.setOptions({ physics: false });
    document.getElementById("kg-status").textContent = "布局完成";
    document.body.dataset.ready = "1";
    window.kgReadyAt = performance.now();
    if (data.focus) selectNode(data.focus);
  }

  buildSkeleton();
  buildFilters();
  bindSearch();
  network.on("click", (params) => {
    document.getElementById("kg-results").hidden = true;
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });
  network.once("stabilizationIterationsDone", finish);
  if (!data.nodes.length || (network.physics && network.physics.ready)) finish();
})();

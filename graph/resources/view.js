/* Knowledge-graph explorer: search, filters, communities, expand, export, panel.
 *
 * Runs after pyvis's drawGraph(), which defines the globals `network`, `nodes`
 * and `edges` (the entities shown first). `data.more` holds every other entity
 * and `data.rels` every relation, so search covers the whole graph and any
 * neighbourhood can be brought in. Every string that comes from documents is put
 * into the page with textContent (never innerHTML), so markup stays text.
 */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const all = data.nodes.concat(data.more);
  const byId = new Map(all.map((n) => [n.id, n]));
  const typeInfo = new Map(data.types.map((t) => [t.key, t]));
  const predInfo = new Map(data.predicates.map((p) => [p.key, p]));
  const nodeRels = new Map(all.map((n) => [n.id, []]));
  const neighbours = new Map(all.map((n) => [n.id, new Set()]));
  const edgeRel = new Map();
  const dates = new Map();
  const TOP_LABELS = 20, LABEL_PX = 14;

  // rdf.build.entity_iri: the kind's namespace + the name's identity key
  // (resolve.comparison_key of its NFKC form), escaped only where an IRI
  // segment may not hold a character (RFC 3987).
  const KINDS = {ORG: "organization"};
  const SEGMENT = /[A-Za-z0-9\-._~!$&'()*+,;=:@\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]/u;
  function identityKey(type, name) {
    let key = name.normalize("NFKC").replace(/[“”‘’"'《》「」『』 \u3000\n\t]/g, "");
    const chars = Array.from(key);
    if (type === "EVENT" && key.endsWith("会议") && chars.length > 4) {
      key = chars.slice(0, chars[chars.length - 3] === "会" ? -2 : -1).join("");
    }
    if (type === "ORG" && !key.endsWith("届") && !key.endsWith("委员会")) {
      key = key.replace(/第?[〇一二三四五六七八九十0-9]{1,3}届(?!.*委员会$)/gu, "");
    }
    return key;
  }
  function mintIri(node) {
    const slug = Array.from(identityKey(node.type, node.name)).map((c) =>
      SEGMENT.test(c) || c.codePointAt(0) > 0xFFFF ? c : encodeURIComponent(c)).join("");
    const kind = KINDS[node.type] || node.type.toLowerCase();
    return data.prefixes.kgr + kind + "/" + slug;
  }

  all.forEach((n) => {
    n.aliases = n.aliases || [];
    n.iri = n.iri || mintIri(n);
  });
  data.rels.forEach((r, i) => {
    r.role = r.role || "";
    [r.s, r.o].forEach((end, k) => {
      if (end && (k === 0 || end !== r.s)) nodeRels.get(end).push(i);
    });
    if (r.edge) {
      edgeRel.set(r.edge, r);
      neighbours.get(r.s).add(r.o);
      neighbours.get(r.o).add(r.s);
    }
    if (r.p === "held_on" && r.s) {
      if (!dates.has(r.s)) dates.set(r.s, new Set());
      dates.get(r.s).add(r.oName);
    }
  });

  function nameOf(id, fallback) {
    const node = byId.get(id);
    return node ? node.name : fallback || "";
  }

  function datesOf(id) {
    return Array.from(dates.get(id) || []).sort();
  }

  function dateOf(r) {
    if (r.p === "held_on") return r.oName;
    return datesOf(r.o).concat(datesOf(r.s)).join("、");
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

  function button(text, id, onClick) {
    const b = el("button", text, "kg-button");
    b.type = "button";
    if (id) b.id = id;
    b.addEventListener("click", onClick);
    return b;
  }

  function input(id, type, extra) {
    const i = el("input");
    Object.assign(i, { id: id, type: type }, extra || {});
    return i;
  }

  /* ---------- page skeleton ---------- */

  function buildSkeleton() {
    const bar = el("header");
    bar.id = "kg-bar";
    const title = el("h1", data.title);
    title.id = "kg-title";
    const box = el("div");
    box.id = "kg-search-box";
    const search = input("kg-search", "search",
      { autocomplete: "off", placeholder: "搜索全图实体或别名…" });
    search.setAttribute("aria-label", "搜索实体或别名");
    const results = el("ul");
    results.id = "kg-results";
    results.hidden = true;
    append(box, search, results);
    const counts = el("p");
    counts.id = "kg-counts";
    const count = el("span", data.nodes.length);
    count.id = "node-count";
    const visible = el("span", data.nodes.length);
    visible.id = "visible-count";
    const status = el("span", "布局中…");
    status.id = "kg-status";
    append(counts, count, el("span", " 个实体在图上（显示 "), visible,
      el("span", "，全图 " + data.total + "）· "), status);
    const tools = el("div");
    tools.id = "kg-tools";
    append(tools, button("PNG", "kg-export-png", exportPng),
      button("GEXF", "kg-export-gexf", () => download("gexf")),
      button("GraphML", "kg-export-graphml", () => download("graphml")));
    append(bar, title, box, counts, tools);

    const filters = el("aside");
    filters.id = "kg-filters";
    const legend = el("div");
    legend.id = "kg-legend";
    const preds = el("div");
    preds.id = "kg-predicates";
    append(filters, el("h2", "实体类型"), legend, el("h2", "关系"), preds,
      el("h2", "连接"), buildDegreeFilter(), el("h2", "事件日期"), buildDateFilter(),
      el("h2", "社区"), buildCommunityTools(),
      el("p", "双击节点：展开 / 收起邻居", "kg-hint"));

    const panel = el("aside");
    panel.id = "kg-panel";
    append(panel, el("p", "点击节点或搜索实体，查看类型、IRI、关系、证据与文档。", "kg-hint"));
    document.body.prepend(bar, filters, panel);
  }

  function labelled(text, control) {
    const row = el("label", null, "kg-check");
    return append(row, control, el("span", text));
  }

  function buildDegreeFilter() {
    const box = el("div");
    const isolated = input("kg-isolated", "checkbox");
    isolated.addEventListener("change", applyFilters);
    const isolatedCount = all.filter((n) => n.degree === 0).length;
    const min = input("kg-min-degree", "number", { min: 0, value: 0, step: 1 });
    min.addEventListener("input", applyFilters);
    const row = el("label", null, "kg-check");
    append(row, el("span", "最少邻居数"), min);
    return append(box, labelled("显示孤立实体（" + isolatedCount + "）", isolated), row);
  }

  function buildDateFilter() {
    const box = el("div", null, "kg-dates");
    const from = input("kg-date-from", "text", { placeholder: "起：2016-04" });
    const to = input("kg-date-to", "text", { placeholder: "止：2016-08-15" });
    [from, to].forEach((i) => i.addEventListener("input", applyFilters));
    return append(box, from, to);
  }

  function buildCommunityTools() {
    const box = el("div");
    const colour = input("kg-colour-community", "checkbox");
    colour.addEventListener("change", recolour);
    const count = new Set(all.map((n) => n.community).filter((c) => c >= 0)).size;
    return append(box, labelled("按社区着色（" + count + " 个）", colour),
      button("折叠社区", "kg-cluster", toggleClusters));
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
    all.forEach((n) => typeCounts.set(n.type, (typeCounts.get(n.type) || 0) + 1));
    data.rels.forEach((r) => predCounts.set(r.p, (predCounts.get(r.p) || 0) + 1));
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

  const pinned = new Set();      // brought in by search, focus or expansion
  const collapsed = new Set();   // hidden by collapsing a neighbour

  function bound(value, pad) {   // "2016-4" -> "2016-04-01" (or -12-31 for the end)
    const parts = value.trim().split(/[-/.]/).filter(Boolean);
    if (!parts.length || !/^\d{4}$/.test(parts[0])) return "";
    const full = [parts[0], (parts[1] || pad[0]).padStart(2, "0"),
      (parts[2] || pad[1]).padStart(2, "0")];
    return full.join("-");
  }

  function inRange(id, from, to) {  // compares at the event date's own precision
    return datesOf(id).some((d) => {
      const start = bound(d, ["01", "01"]), end = bound(d, ["12", "31"]);
      return (!from || end >= from) && (!to || start <= to);
    });
  }

  function isHidden(n, rules) {
    if (!rules.types.has(n.type) || collapsed.has(n.id)) return true;
    if (rules.dated && n.type === "EVENT" && !inRange(n.id, rules.from, rules.to)) {
      return true;
    }
    if (pinned.has(n.id)) return false;
    return (n.degree === 0 && !rules.isolated) || n.degree < rules.minDegree;
  }

  function applyFilters() {
    const from = bound(document.getElementById("kg-date-from").value, ["01", "01"]);
    const to = bound(document.getElementById("kg-date-to").value, ["12", "31"]);
    const rules = {
      types: checked("kg-legend"), preds: checked("kg-predicates"),
      isolated: document.getElementById("kg-isolated").checked,
      minDegree: Number(document.getElementById("kg-min-degree").value) || 0,
      from: from, to: to, dated: Boolean(from || to),
    };
    let shown = 0;
    nodes.update(nodes.getIds().map((id) => {
      const hidden = isHidden(byId.get(id), rules);
      shown += hidden ? 0 : 1;
      return { id: id, hidden: hidden };
    }));
    edges.update(edges.getIds().map((id) =>
      ({ id: id, hidden: !rules.preds.has(edgeRel.get(id).p) })));
    document.getElementById("visible-count").textContent = shown;
    document.getElementById("node-count").textContent = nodes.length;
    labelTop();
  }

  /* ---------- labels of the most connected nodes, readable at any zoom ---------- */

  let topLabelled = new Set(), labelQueued = false;

  function labelTop() {
    if (labelQueued) return;
    labelQueued = true;
    requestAnimationFrame(() => {
      labelQueued = false;
      const top = nodes.get({ filter: (n) => !n.hidden })
        .map((n) => byId.get(n.id))
        .sort((a, b) => b.degree - a.degree || a.name.localeCompare(b.name))
        .slice(0, TOP_LABELS).map((n) => n.id);
      const size = Math.max(LABEL_PX, Math.round(LABEL_PX / network.getScale()));
      const updates = top.map((id) => ({ id: id, font: { size: size } }));
      topLabelled.forEach((id) => {
        if (!top.includes(id) && nodes.get(id)) updates.push({ id: id, font: { size: LABEL_PX } });
      });
      topLabelled = new Set(top);
      nodes.update(updates);
    });
  }

  /* ---------- colours and communities ---------- */

  function colourOf(n) {
    const byCommunity = document.getElementById("kg-colour-community").checked;
    if (!byCommunity) return (typeInfo.get(n.type) || {}).color || "#999";
    return n.community < 0 ? "#c0c6cc" : data.palette[n.community % data.palette.length];
  }

  function recolour() {
    nodes.update(nodes.getIds().map((id) => ({ id: id, color: colourOf(byId.get(id)) })));
  }

  let clustered = [];

  function toggleClusters() {
    const toggle = document.getElementById("kg-cluster");
    if (clustered.length) {
      clustered.forEach((id) => network.isCluster(id) && network.openCluster(id));
      clustered = [];
      toggle.textContent = "折叠社区";
      return;
    }
    const members = new Map();
    nodes.get({ filter: (n) => !n.hidden }).forEach((item) => {
      const n = byId.get(item.id);
      if (n.community < 0) return;
      if (!members.has(n.community)) members.set(n.community, []);
      members.get(n.community).push(n);
    });
    members.forEach((list, community) => {
      if (list.length < 3) return;
      const hub = list.slice().sort((a, b) => b.degree - a.degree)[0];
      const ids = new Set(list.map((n) => n.id));
      const id = "community-" + community;
      network.cluster({
        joinCondition: (item) => ids.has(item.id),
        clusterNodeProperties: {
          id: id, label: hub.name + " 等 " + list.length + " 个", shape: "dot",
          size: Math.min(15 + 2 * Math.sqrt(list.length), 45), font: { size: 16 },
          color: data.palette[community % data.palette.length],
          title: "社区 " + (community + 1) + "：" + list.length + " 个实体（双击展开）",
        },
      });
      clustered.push(id);
    });
    toggle.textContent = "展开社区";
  }

  /* ---------- bringing entities onto the network; expand and collapse ---------- */

  function hoverText(n) {
    const lines = [(typeInfo.get(n.type) || { label: n.type }).label + "：" + n.name];
    if (n.aliases.length) lines.push("别名：" + n.aliases.join("、"));
    lines.push("关系：" + n.rels);
    return lines.join("\n");
  }

  function addNodes(ids, around) {
    const fresh = ids.filter((id) => !nodes.get(id));
    if (!fresh.length) return;
    const centre = around && nodes.get(around)
      ? network.getPositions([around])[around] : network.getViewPosition();
    const radius = 120 + 8 * fresh.length;
    nodes.add(fresh.map((id, k) => {
      const n = byId.get(id), angle = (2 * Math.PI * k) / fresh.length;
      return {
        id: id, label: n.name, color: colourOf(n), title: hoverText(n),
        size: Math.min(10 + 3 * Math.sqrt(n.degree), 40),
        x: centre.x + (id === around ? 0 : radius * Math.cos(angle)),
        y: centre.y + (id === around ? 0 : radius * Math.sin(angle)),
      };
    }));
    const onNetwork = new Set(nodes.getIds());
    const missing = [];
    fresh.forEach((id) => nodeRels.get(id).forEach((i) => {
      const r = data.rels[i];
      if (r.edge && !edges.get(r.edge) && onNetwork.has(r.s) && onNetwork.has(r.o)) {
        missing.push({
          id: r.edge, from: r.s, to: r.o, label: r.label,
          title: nameOf(r.s) + " → " + nameOf(r.o) + "：" + r.label,
        });
      }
    }));
    edges.add(missing.filter((e, k) => missing.findIndex((m) => m.id === e.id) === k));
  }

  const broughtBy = new Map();  // node -> the neighbours its expansion brought in

  function expand(id) {
    const wanted = Array.from(neighbours.get(id) || []);
    const brought = wanted.filter((n) => !nodes.get(n) || nodes.get(n).hidden);
    wanted.forEach((n) => { pinned.add(n); collapsed.delete(n); });
    pinned.add(id);
    broughtBy.set(id, new Set([...(broughtBy.get(id) || []), ...brought]));
    addNodes([id].concat(wanted), id);
    applyFilters();
  }

  function visibleNeighbours(id) {
    return Array.from(neighbours.get(id) || [])
      .filter((n) => nodes.get(n) && !nodes.get(n).hidden);
  }

  function collapse(id) {  // hide what its expansion brought, and its leaves
    const keep = new Set(network.getSelectedNodes().concat([id, data.focus]));
    const brought = broughtBy.get(id) || new Set();
    visibleNeighbours(id).forEach((n) => {
      if (keep.has(n) || (broughtBy.get(n) || new Set()).size) return;
      if (brought.has(n) || visibleNeighbours(n).every((m) => m === id)) collapsed.add(n);
    });
    broughtBy.delete(id);
    applyFilters();
  }

  function toggleNeighbours(id) {
    const missing = Array.from(neighbours.get(id) || [])
      .filter((n) => !nodes.get(n) || collapsed.has(n));
    if (missing.length) expand(id);
    else collapse(id);
  }

  /* ---------- search over the whole graph ---------- */

  function norm(s) {
    return String(s).normalize("NFKC").toLowerCase().trim();
  }

  const index = all.map((n) => ({ node: n, keys: [n.name].concat(n.aliases).map(norm) }));

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

  function showResults(hits, query) {
    const list = document.getElementById("kg-results");
    list.replaceChildren();
    hits.forEach((hit) => {
      const item = el("li");
      const b = el("button", null, "kg-result");
      b.type = "button";
      append(b, swatch(hit.node.type), el("span", hit.node.name),
        hit.alias ? el("span", "（别名：" + hit.alias + "）", "kg-alias") : null,
        nodes.get(hit.node.id) ? null : el("span", "未显示，点击载入", "kg-alias"));
      b.addEventListener("click", () => { selectNode(hit.node.id); list.hidden = true; });
      list.appendChild(append(item, b));
    });
    if (!hits.length && norm(query)) {
      list.appendChild(el("li", "没有匹配“" + query.trim() + "”的实体（全图 "
        + data.total + " 个）", "kg-nomatch"));
    }
    list.hidden = !list.children.length;
  }

  function bindSearch() {
    const box = document.getElementById("kg-search");
    box.addEventListener("input", () => {
      const hits = search(box.value);
      showResults(hits, box.value);
      if (hits.length && hits[0].rank <= 1) selectNode(hits[0].node.id);
    });
    box.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== "Escape") return;
      const hits = event.key === "Enter" ? search(box.value) : [];
      if (hits.length) selectNode(hits[0].node.id);
      if (event.key === "Escape" || hits.length) {
        document.getElementById("kg-results").hidden = true;
      }
    });
  }

  /* ---------- selection and panel ---------- */

  function selectNode(id) {
    const node = byId.get(id);
    if (!node) return;
    const box = document.querySelector('#kg-legend input[value="' + node.type + '"]');
    if (box && !box.checked) box.checked = true;
    if (!nodes.get(id)) expand(id);
    pinned.add(id);
    collapsed.delete(id);
    applyFilters();
    network.findNode(id).slice(0, -1).forEach((cluster) => {
      if (network.isCluster(cluster)) network.openCluster(cluster);
    });
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 300 } });
    showNode(id);
  }

  function endLink(id, name) {
    if (!id || !byId.has(id)) return el("span", name, "kg-end");
    const link = el("button", nameOf(id), "kg-end kg-link");
    link.type = "button";
    link.addEventListener("click", () => selectNode(id));
    return link;
  }

  function docList(indices, limit) {
    const names = indices.map((i) => data.docs[i]);
    const shown = names.slice(0, limit).join("、");
    return names.length > limit ? shown + " 等 " + names.length + " 份" : shown;
  }

  function relItem(r) {
    const item = el("li", null, "kg-fact");
    const pred = (predInfo.get(r.p) || { label: r.p }).label;
    const head = el("div", null, "kg-fact-head");
    append(head, endLink(r.s, r.sName), el("span", " → ", "kg-arrow"), endLink(r.o, r.oName));
    const date = dateOf(r);
    append(item, head, el("div", r.role ? pred + "：" + r.role : pred, "kg-pred"),
      date ? el("div", "日期：" + date, "kg-date") : null);
    r.ev.forEach(([sentence, docs]) => append(item,
      sentence ? el("blockquote", sentence, "kg-evidence") : null,
      docs.length ? el("div", "来源：" + docList(docs, 3), "kg-doc") : null));
    return item;
  }

  function showRels(panel, heading, indices) {
    panel.appendChild(el("h3", heading + "（" + indices.length + "）"));
    const list = el("ul", null, "kg-facts");
    indices.forEach((i) => list.appendChild(relItem(data.rels[i])));
    panel.appendChild(list);
  }

  function sparqlLiteral(text) {
    return '"' + text.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"@zh';
  }

  function shellWord(text) {
    return /^[\p{L}\p{N}_.\/-]+$/u.test(text) ? text : "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function snippet(label, text, cls) {
    const box = el("div", null, "kg-snippet");
    const code = el("code", text, cls);
    const copy = button("复制", null, () => {
      if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
    });
    return append(box, el("span", label, "kg-snippet-label"), copy, code);
  }

  function showIdentity(panel, node) {
    panel.appendChild(el("h3", "IRI 与查询"));
    const kgQuery = "kg query " + shellWord(data.source) + " --name about "
      + shellWord(node.name);
    const sparql = "SELECT ?property ?value WHERE {\n  <" + node.iri + "> ?property ?value\n}";
    append(panel, snippet("IRI", node.iri, "kg-iri"),
      snippet("命令行", kgQuery, "kg-cli"), snippet("SPARQL", sparql, "kg-sparql"));
  }

  function section(panel, heading, items) {
    panel.appendChild(el("h3", heading + (items.length ? "（" + items.length + "）" : "")));
    const list = el("ul", null, "kg-list");
    items.forEach((t) => list.appendChild(el("li", t)));
    if (!items.length) list.appendChild(el("li", "无", "kg-none"));
    panel.appendChild(list);
  }

  function showNode(id) {
    const node = byId.get(id);
    const panel = document.getElementById("kg-panel");
    panel.replaceChildren();
    const type = typeInfo.get(node.type) || { label: node.type };
    append(panel, el("h2", node.name, "kg-name"),
      append(el("p", null, "kg-type"), swatch(node.type), el("span", type.label),
        el("span", "邻居 " + node.degree + " · 双击节点展开 / 收起", "kg-muted")));
    section(panel, "别名", node.aliases);
    showRels(panel, "关系与证据", nodeRels.get(id));
    showIdentity(panel, node);
    section(panel, "文档", node.docs.map((i) => data.docs[i]));
  }

  function showEdge(edgeId) {
    const r = edgeRel.get(edgeId);
    if (!r) return;
    const panel = document.getElementById("kg-panel");
    panel.replaceChildren();
    panel.appendChild(el("h2", (predInfo.get(r.p) || {}).label || "", "kg-name"));
    showRels(panel, "关系", [data.rels.indexOf(r)]);
  }

  /* ---------- export of what is visible ---------- */

  function visibleGraph() {
    const shown = nodes.get({ filter: (n) => !n.hidden }).map((n) => byId.get(n.id));
    const ids = new Set(shown.map((n) => n.id));
    const links = edges.get({ filter: (e) => !e.hidden && ids.has(e.from) && ids.has(e.to) })
      .map((e) => edgeRel.get(e.id));
    return { nodes: shown, links: links };
  }

  function xml(text) {
    return String(text).replace(/[&<>"']/g, (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c])
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
  }

  const NODE_KEYS = ["type", "iri", "aliases", "degree", "community"];
  const EDGE_KEYS = ["predicate", "role"];

  function values(n) {
    return [n.type, n.iri, n.aliases.join("、"), n.degree, n.community];
  }

  function toGexf(g) {
    const attrs = (cls, keys) => '<attributes class="' + cls + '">' + keys.map((k) =>
      '<attribute id="' + k + '" title="' + k + '" type="'
      + (k === "degree" || k === "community" ? "long" : "string") + '"/>').join("")
      + "</attributes>";
    const vals = (keys, list) => "<attvalues>" + keys.map((k, i) =>
      '<attvalue for="' + k + '" value="' + xml(list[i]) + '"/>').join("") + "</attvalues>";
    return ['<?xml version="1.0" encoding="UTF-8"?>',
      '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">',
      '<graph defaultedgetype="directed" mode="static">',
      attrs("node", NODE_KEYS), attrs("edge", EDGE_KEYS), "<nodes>"]
      .concat(g.nodes.map((n) => '<node id="' + xml(n.iri) + '" label="' + xml(n.name) + '">'
        + vals(NODE_KEYS, values(n)) + "</node>"), ["</nodes>", "<edges>"],
      g.links.map((r) => '<edge id="' + r.edge + '" source="' + xml(byId.get(r.s).iri)
        + '" target="' + xml(byId.get(r.o).iri) + '" label="' + xml(r.label) + '">' + vals(EDGE_KEYS, [r.p, r.role]) + "</edge>"),
      ["</edges>", "</graph>", "</gexf>", ""]).join("\n");
  }

  function toGraphml(g) {
    const keys = NODE_KEYS.map((k) => ["node", k]).concat([["node", "label"]],
      EDGE_KEYS.map((k) => ["edge", k]), [["edge", "label"]]);
    const data_ = (owner, k, v) => '<data key="' + owner + "_" + k + '">' + xml(v) + "</data>";
    return ['<?xml version="1.0" encoding="UTF-8"?>',
      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">']
      .concat(keys.map(([owner, k]) => '<key id="' + owner + "_" + k + '" for="' + owner
        + '" attr.name="' + k + '" attr.type="'
        + (k === "degree" || k === "community" ? "long" : "string") + '"/>'),
      ['<graph id="G" edgedefault="directed">'],
      g.nodes.map((n) => '<node id="' + xml(n.iri) + '">' + data_("node", "label", n.name)
        + NODE_KEYS.map((k, i) => data_("node", k, values(n)[i])).join("") + "</node>"),
      g.links.map((r) => '<edge id="' + r.edge + '" source="' + xml(byId.get(r.s).iri)
        + '" target="' + xml(byId.get(r.o).iri) + '">' + data_("edge", "label", r.label) + data_("edge", "predicate", r.p)
        + data_("edge", "role", r.role) + "</edge>"),
      ["</graph>", "</graphml>", ""]).join("\n");
  }

  function save(href, name) {
    const link = el("a");
    link.href = href;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function download(format) {
    const text = format === "gexf" ? toGexf(visibleGraph()) : toGraphml(visibleGraph());
    const url = URL.createObjectURL(new Blob([text], { type: "application/xml" }));
    save(url, "graph." + format);
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function exportPng() {
    const source = document.querySelector("#mynetwork canvas");
    const canvas = document.createElement("canvas");
    canvas.width = source.width;
    canvas.height = source.height;
    const context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";  // the network canvas itself is transparent
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(source, 0, 0);
    save(canvas.toDataURL("image/png"), "graph.png");
  }

  /* ---------- start ---------- */

  let ready = false;

  function finish() {
    if (ready) return;
    ready = true;
    network.setOptions({ physics: false });
    document.getElementById("kg-status").textContent = "布局完成";
    if (data.focus) selectNode(data.focus);
    else network.fit();
    labelTop();
    document.body.dataset.ready = "1";
    window.kgReadyAt = performance.now();
  }

  buildSkeleton();
  buildFilters();
  bindSearch();
  if (data.focus) pinned.add(data.focus);
  applyFilters();
  network.on("click", (params) => {
    document.getElementById("kg-results").hidden = true;
    if (params.nodes.length && byId.has(params.nodes[0])) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });
  network.on("doubleClick", (params) => {
    const id = params.nodes[0];
    if (id === undefined) return;
    if (network.isCluster(id)) {
      network.openCluster(id);
      clustered = clustered.filter((c) => c !== id);
    } else toggleNeighbours(id);
  });
  network.on("zoom", labelTop);
  network.on("animationFinished", labelTop);  // focus() and fit() emit no "zoom"
  network.once("stabilizationIterationsDone", finish);
  if (!data.nodes.length || (network.physics && network.physics.ready)) finish();
  // for the browser tests and the console
  window.kg = { node: (id) => byId.get(id), selectNode: selectNode, showNode: showNode,
    toggleNeighbours: toggleNeighbours, search: search, visibleGraph: visibleGraph };
})();

// The query page of `kg serve`: a SPARQL editor (CodeMirror, shipped in the
// package), forms for the ready queries' parameters, results as tables whose
// IRIs run a DESCRIBE, downloads in every format, and a note when an answer
// was cut. Text from the store is always shown as text, never as HTML.
'use strict';
const NS = JSON.parse(document.getElementById('ns').textContent);
const READY = JSON.parse(document.getElementById('ready').textContent);
const out = document.getElementById('out'), status = document.getElementById('status');
const form = document.getElementById('f'), paramBox = document.getElementById('params');
const area = document.getElementById('q');
const PARAM = /VALUES\s+\?(\w+)\s*\{\s*"((?:[^"\\\n]|\\.)*)"(@[A-Za-z][A-Za-z0-9-]*|\^\^\S+?)?\s*\}/g;
const LEXICAL = {integer: [/^[+-]?\d+$/, 'an integer (42)'],
  decimal: [/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'a decimal number (4.2)'],
  boolean: [/^(true|false)$/, 'true or false']};
let lastQuery = null, lastKind = null;

const editor = window.CodeMirror ? CodeMirror.fromTextArea(area, {
  mode: 'application/sparql-query', lineNumbers: true, matchBrackets: true,
  lineWrapping: true, viewportMargin: Infinity,
  extraKeys: {'Ctrl-Enter': () => run(), 'Cmd-Enter': () => run()},
}) : null;
if (!editor) area.addEventListener('keydown', e => {
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); run(); }
});
const getText = () => editor ? editor.getValue() : area.value;
const setText = t => editor ? editor.setValue(t) : (area.value = t);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}
function expand(id) {  // a compact IRI of the JSON-LD context -> the full IRI
  const i = id.indexOf(':');
  if (i > 0 && Object.prototype.hasOwnProperty.call(NS, id.slice(0, i)) && !id.startsWith('_:'))
    return NS[id.slice(0, i)] + id.slice(i + 1);
  return id;
}
function shorten(iri) {
  let best = null;
  for (const [p, ns] of Object.entries(NS))
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [p, ns];
  const rest = best ? iri.slice(best[1].length) : iri;
  let text = rest;
  try { text = decodeURIComponent(rest); } catch (e) { /* keep it encoded */ }
  return best ? best[0] + ':' + text : '<' + text + '>';
}
function termCell(term) {  // {type: uri|literal|bnode, value, xml:lang?}
  const td = el('td');
  if (!term) return td;
  if (term.type === 'uri') {
    const a = el('a', shorten(term.value), 'iri');
    a.href = '#'; a.title = 'DESCRIBE <' + term.value + '>';
    a.dataset.iri = term.value;
    td.append(a);
  } else {
    td.textContent = term.type === 'bnode' ? '_:' + term.value : term.value;
    if (term['xml:lang']) td.append(el('sup', '@' + term['xml:lang'], 'lang'));
  }
  return td;
}
function table(vars, rows) {
  const t = el('table'), head = t.createTHead().insertRow(), body = t.createTBody();
  vars.forEach(v => head.append(el('th', v)));
  rows.forEach(r => { const row = body.insertRow(); vars.forEach(v => row.append(termCell(r[v]))); });
  return t;
}
function jsonldTerm(value) {
  if (typeof value === 'string') return {type: 'literal', value};
  if (value['@id'] !== undefined) {
    const id = value['@id'];
    return id.startsWith('_:') ? {type: 'bnode', value: id.slice(2)} : {type: 'uri', value: expand(id)};
  }
  const term = {type: 'literal', value: String(value['@value'])};
  if (value['@language']) term['xml:lang'] = value['@language'];
  return term;
}
function triples(doc) {  // compacted JSON-LD (@context, @graph) -> s/p/o rows
  const rows = [];
  for (const node of doc['@graph'] || []) {
    const subject = jsonldTerm({'@id': node['@id']});
    for (const [key, values] of Object.entries(node)) {
      if (key === '@id') continue;
      const predicate = {type: 'uri', value: key === '@type'
        ? 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type' : expand(key)};
      for (const v of values) rows.push({subject, predicate,
        object: key === '@type' ? jsonldTerm({'@id': v}) : jsonldTerm(v)});
    }
  }
  return rows;
}
function escapeLiteral(v) {
  return v.replace(/[\\"\n\r\t]/g, c => ({'\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t'}[c]));
}
function typedLiteral(p, value) {  // the same rules as graph/sparql/params.py
  if (p.kind === 'date') {
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value.trim());
    const problem = `parameter '${p.name}' takes a date (2016, 2016-09 or 2016-09-27), not '${value}'`;
    if (!m) throw new Error(problem);
    const [y, mo, d] = [Number(m[1]), Number(m[2] || 1), Number(m[3] || 1)];
    const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (mo < 1 || mo > 12 || d < 1 || d > days) throw new Error(problem + ' (no such date)');
    const type = m[3] ? 'date' : m[2] ? 'gYearMonth' : 'gYear';
    return `"${m[0]}"^^xsd:${type}`;
  }
  if (LEXICAL[p.kind]) {
    const [pattern, what] = LEXICAL[p.kind];
    if (!pattern.test(value.trim())) throw new Error(`parameter '${p.name}' takes ${what}, not '${value}'`);
    return `"${value.trim()}"${p.suffix}`;
  }
  return `"${escapeLiteral(value)}"${p.suffix}`;
}
function fillParams(text) {
  const inputs = paramBox.querySelectorAll('input[data-param]');
  if (!inputs.length) return text;
  const literals = {};
  inputs.forEach(input => {
    const p = JSON.parse(input.dataset.param);
    literals[p.name] = typedLiteral(p, input.value);
  });
  return text.replace(PARAM, (whole, name) =>
    literals[name] === undefined ? whole : `VALUES ?${name} { ${literals[name]} }`);
}
function showParams(ready) {
  paramBox.textContent = '';
  for (const p of ready.params) {
    const label = el('label', p.name + ' ');
    const input = el('input');
    input.value = p.default; input.dataset.param = JSON.stringify(p);
    input.name = p.name; input.title = p.kind;
    if (p.kind === 'date') input.placeholder = '2016, 2016-09 or 2016-09-27';
    label.append(input, el('span', p.kind, 'kind'));
    paramBox.append(label);
  }
}
function showError(message) {
  out.textContent = ''; status.textContent = '';
  out.append(el('pre', message, 'err'));
}
function showDownloads(kind) {
  lastKind = kind;
  document.querySelectorAll('button[data-download]').forEach(b => {
    b.hidden = b.dataset.kind !== kind;
  });
  document.getElementById('downloads').hidden = !kind;
}
async function request(query, accept) {
  return fetch('sparql', {method: 'POST', body: query,
    headers: {'Content-Type': 'application/sparql-query', 'Accept': accept}});
}
async function run(query) {
  let text;
  try { text = query === undefined ? fillParams(getText()) : query; } catch (e) { showError(e.message); return; }
  if (text !== getText()) setText(text);
  out.textContent = '…'; status.textContent = ''; showDownloads(null);
  const r = await request(text, 'application/sparql-results+json, application/ld+json;q=0.9');
  const type = r.headers.get('Content-Type') || '';
  if (!r.ok) { showError(await r.text()); return; }
  out.textContent = '';
  lastQuery = text;
  const cut = r.headers.get('X-SPARQL-MaxRows');
  const data = await r.json();
  let count, what;
  if (type.includes('ld+json')) {
    const rows = triples(data);
    out.append(table(['subject', 'predicate', 'object'], rows));
    count = rows.length; what = 'triple'; showDownloads('graph');
  } else if ('boolean' in data) {
    out.append(el('pre', String(data.boolean), 'bool'));
    showDownloads('results'); return;
  } else {
    out.append(table(data.head.vars, data.results.bindings));
    count = data.results.bindings.length; what = 'row'; showDownloads('results');
  }
  status.textContent = `${count} ${what}${count === 1 ? '' : 's'}`;
  if (cut) {
    status.append(' ', el('strong', `— cut at ${cut} ${what}s: the answer has more (the server's --max-rows)`, 'cut'));
  }
}
async function download(button) {
  if (lastQuery === null) return;
  const r = await request(lastQuery, button.dataset.media);
  if (!r.ok) { showError(await r.text()); return; }
  const link = el('a');
  link.href = URL.createObjectURL(await r.blob());
  link.download = 'answer.' + button.dataset.ext;
  document.body.append(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

form.addEventListener('submit', e => { e.preventDefault(); run(); });
document.querySelectorAll('button[data-query]').forEach(b => b.addEventListener('click', () => {
  setText(b.dataset.query);
  showParams(READY[b.dataset.name] || {params: []});
  if (editor) editor.focus();
}));
document.querySelectorAll('button[data-download]').forEach(b => b.addEventListener('click', () => download(b)));
out.addEventListener('click', e => {
  const a = e.target.closest('a[data-iri]');
  if (!a) return;
  e.preventDefault();
  paramBox.textContent = '';
  const query = `DESCRIBE <${a.dataset.iri}>`;
  setText(query);
  run(query);
});
const first = document.querySelector('button[data-query]');
if (first && getText() === first.dataset.query) showParams(READY[first.dataset.name] || {params: []});

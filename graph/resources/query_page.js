const box=document.getElementById('q'),out=document.getElementById('out');
const NS=JSON.parse(document.getElementById('ns').textContent);
function show(t){if(t.type!=='uri')return t.value;
 for(const[p,i]of Object.entries(NS)){if(t.value.startsWith(i)){
  try{return p+':'+decodeURIComponent(t.value.slice(i.length))}catch(e){}}}
 return t.value}
function cell(tag,text){const c=document.createElement(tag);c.textContent=text;return c}
document.querySelectorAll('button[data-query]').forEach(b=>b.onclick=()=>{
 box.value=b.dataset.query;box.focus()});
document.getElementById('f').onsubmit=async e=>{e.preventDefault();
 out.textContent='…';const r=await fetch('sparql',{method:'POST',body:box.value,
 headers:{'Content-Type':'application/sparql-query',
 'Accept':'application/sparql-results+json, text/turtle;q=0.9'}});
 const type=r.headers.get('Content-Type')||'';out.textContent='';
 if(!r.ok||!type.includes('json')){const p=cell('pre',await r.text());
  if(!r.ok)p.className='err';out.append(p);return}
 const d=await r.json();
 if('boolean'in d){out.append(cell('pre',String(d.boolean)));return}
 const t=document.createElement('table'),h=t.insertRow();
 d.head.vars.forEach(v=>h.append(cell('th',v)));
 d.results.bindings.forEach(b=>{const row=t.insertRow();
  d.head.vars.forEach(v=>row.append(cell('td',b[v]?show(b[v]):'')))});
 out.append(cell('p',d.results.bindings.length+' rows'),t)};

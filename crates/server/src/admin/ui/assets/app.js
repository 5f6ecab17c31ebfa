// The eventmock dashboard's one script (no framework, no build step). It fills the frames of
// the server-rendered page from the admin JSON endpoints and polls them while the page is
// visible: /requests (journal), /stats (charts), /vendors and /clock (the vendors table),
// /vendors/{v}/delivery (ledger), /rules (scenario rules); the reset button posts /reset with
// the page's CSRF token. Every value goes into the page as text, never as markup.
'use strict';
(() => {
  const API = '/__eventmock';
  const PAGE = 50;
  const POLL_MS = 2000;
  const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
  const meta = document.querySelector('meta[name="eventmock-csrf"]');
  const csrf = meta ? meta.content : '';
  const state = { offset: 0, expanded: new Set(), ticks: 0, timer: null, signature: '' };
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => Number(n).toLocaleString('en-US');

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = v;
      else e.setAttribute(k, String(v));
    }
    for (const c of children) if (c) e.append(c);
    return e;
  }

  async function call(path, options) {
    const headers = { Accept: 'application/json' };
    const opts = Object.assign({ credentials: 'same-origin', headers }, options || {});
    if (opts.method && opts.method !== 'GET') headers['X-Eventmock-Csrf'] = csrf;
    const res = await fetch(API + path, opts);
    if (res.status === 401) {
      // The session ended (server restarted or logged out elsewhere): back to the login.
      location.reload();
      throw new Error('not logged in');
    }
    return res;
  }

  async function getJSON(path) {
    const res = await call(path);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || `${res.status} ${res.statusText}`);
    return body;
  }

  // ---- Journal ------------------------------------------------------------------------
  function journalQuery() {
    const q = new URLSearchParams();
    for (const name of ['vendor', 'status', 'method', 'path']) {
      const v = $(`f-${name}`).value.trim();
      if (v) q.set(name, v);
    }
    q.set('limit', PAGE);
    q.set('offset', state.offset);
    return q.toString();
  }

  function ruleOf(entry) {
    const m = entry.match;
    if (m && m.rule) return m.step !== undefined && m.step !== null ? `${m.rule} (step ${m.step})` : m.rule;
    if (m && m.faults && m.faults.length) return `fault: ${m.faults.join(', ')}`;
    return entry.route;
  }

  function pairs(title, object) {
    const keys = Object.keys(object || {});
    const box = el('div', { class: 'pairs' }, el('h4', { text: title }));
    if (!keys.length) {
      box.append(el('p', { text: 'none' }));
      return box;
    }
    const table = el('table', { class: 'kv' });
    const body = el('tbody');
    for (const k of keys) {
      const v = object[k];
      body.append(el('tr', {}, el('th', { scope: 'row', text: k }),
        el('td', { text: Array.isArray(v) ? v.join(', ') : String(v) })));
    }
    table.append(body);
    box.append(table);
    return box;
  }

  function details(entry) {
    const facts = [
      ['Status', entry.status],
      ['Latency', `${fmt(entry.latency_us)} µs`],
      ['Request body', `${fmt(entry.body_size)} bytes${entry.body_truncated ? ' (kept truncated)' : ''}`],
    ];
    if (entry.response_size !== undefined) facts.push(['Answer size', `${fmt(entry.response_size)} bytes`]);
    facts.push(['Route', entry.route]);
    if (entry.match) {
      const m = entry.match;
      if (m.rule) facts.push(['Override', m.step !== undefined && m.step !== null ? `${m.rule}, step ${m.step}` : m.rule]);
      if (m.faults && m.faults.length) facts.push(['Faults', m.faults.join(', ')]);
      if (m.body_not_json) facts.push(['Body matcher', 'the body was not JSON']);
    }
    if (entry.received) facts.push(['Received', entry.received]);
    if (entry.clock_time) facts.push(["World's clock", entry.clock_time]);
    const dl = el('dl', { class: 'facts' });
    for (const [k, v] of facts) dl.append(el('dt', { text: k }), el('dd', { text: String(v) }));
    const box = el('div', { class: 'detail-box' }, dl, pairs('Query', entry.query), pairs('Headers', entry.headers));
    if (entry.body) box.append(el('h4', { text: 'Body' }), el('pre', { text: entry.body }));
    return box;
  }

  function row(entry) {
    const id = `entry-${entry.ordinal}`;
    const open = state.expanded.has(entry.ordinal);
    const toggle = el('button', {
      type: 'button', class: 'expand', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': id,
      'aria-label': `Details of request ${entry.ordinal}`, text: open ? '−' : '+',
    });
    const cls = `st${Math.floor(entry.status / 100)}`;
    const tr = el('tr', { class: 'entry', 'data-ordinal': entry.ordinal },
      el('td', {}, toggle, ` ${entry.ordinal}`),
      el('td', { text: entry.received ? entry.received.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—' }),
      el('td', { text: entry.method }),
      el('td', { class: 'path' }, el('code', { text: entry.path + (entry.raw_query ? `?${entry.raw_query}` : '') })),
      el('td', { text: entry.vendor || '—' }),
      el('td', { class: `status ${cls}`, text: entry.status }),
      el('td', { class: 'num', text: `${fmt(entry.latency_us)} µs` }),
      el('td', { text: ruleOf(entry) }));
    const more = el('tr', { class: 'detail', id, hidden: !open }, el('td', { colspan: 8 }, details(entry)));
    toggle.addEventListener('click', () => {
      const now = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(now));
      toggle.textContent = now ? '−' : '+';
      more.hidden = !now;
      if (now) state.expanded.add(entry.ordinal); else state.expanded.delete(entry.ordinal);
    });
    return [tr, more];
  }

  async function loadJournal() {
    const status = $('journal-status');
    let data;
    try {
      data = await getJSON(`/requests?${journalQuery()}`);
    } catch (e) {
      status.textContent = `The journal could not be read: ${e.message}`;
      return;
    }
    // Redraw only when the page's rows changed, and keep the keyboard focus on the row it was
    // on: a live table must not pull focus away every two seconds.
    const signature = `${data.matched}:${data.requests.map((e) => e.ordinal).join(',')}`;
    if (signature !== state.signature) {
      state.signature = signature;
      const focused = document.activeElement && document.activeElement.closest('#journal tr.entry');
      const focusedOrdinal = focused ? focused.dataset.ordinal : null;
      const body = el('tbody');
      for (const entry of data.requests) body.append(...row(entry));
      $('journal').tBodies[0].replaceWith(body);
      if (focusedOrdinal !== null) {
        const again = document.querySelector(`#journal tr.entry[data-ordinal="${focusedOrdinal}"] button.expand`);
        if (again) again.focus();
      }
    }
    const first = data.requests.length ? data.offset + 1 : 0;
    const last = data.offset + data.requests.length;
    const text = data.capacity === 0
      ? 'The journal is off (serve --journal 0).'
      : `Requests ${fmt(first)}–${fmt(last)} of ${fmt(data.matched)} matching (${fmt(data.held)} held, at most ${fmt(data.capacity)}).`;
    if (status.textContent !== text) status.textContent = text;
    $('page-label').textContent = `${fmt(first)}–${fmt(last)} of ${fmt(data.matched)}`;
    $('page-newer').disabled = data.offset === 0;
    $('page-older').disabled = last >= data.matched;
    document.body.dataset.journalReady = 'true';
  }

  // ---- Charts -------------------------------------------------------------------------
  const W = 360, H = 140, PAD_L = 44, PAD_B = 20, PAD_T = 8, PAD_R = 8;
  const WINDOW_S = 300;
  const MIN_WINDOW_S = 60;

  function niceMax(x) {
    if (x <= 1) return 1;
    const p = 10 ** Math.floor(Math.log10(x));
    for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
    return 10 * p;
  }

  function rateChart(v) {
    const rates = v.rates.filter((r) => r.ago_s <= WINDOW_S);
    // The x axis spans the samples held: at least a minute, at most five.
    const oldest = Math.max(0, ...rates.map((r) => r.ago_s + r.span_s));
    const windowS = Math.min(WINDOW_S, Math.max(MIN_WINDOW_S, Math.ceil(oldest / 60) * 60));
    const max = niceMax(Math.max(0, ...rates.flatMap((r) => CLASSES.map((c) => r[c]))));
    const x = (ago) => PAD_L + (W - PAD_L - PAD_R) * (1 - Math.min(ago, windowS) / windowS);
    const y = (rate) => H - PAD_B - (H - PAD_B - PAD_T) * (rate / max);
    const last = rates.length ? rates[rates.length - 1] : null;
    const now = last ? CLASSES.filter((c) => last[c] > 0).map((c) => `${c} ${last[c]}/s`).join(', ') : '';
    const label = `${v.vendor}: requests per second by status class, last ${windowS / 60} min; latest ${now || 'none'}`;
    const s = svg('svg', { class: 'rates', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label },
      svg('title', { text: label }),
      svg('line', { class: 'axis', x1: PAD_L, y1: H - PAD_B, x2: W - PAD_R, y2: H - PAD_B }),
      svg('line', { class: 'axis', x1: PAD_L, y1: PAD_T, x2: PAD_L, y2: H - PAD_B }),
      svg('text', { class: 'tick', x: PAD_L - 4, y: PAD_T + 8, 'text-anchor': 'end', text: `${max}/s` }),
      svg('text', { class: 'tick', x: PAD_L - 4, y: H - PAD_B, 'text-anchor': 'end', text: '0' }),
      svg('text', { class: 'tick', x: PAD_L, y: H - 4, text: `−${windowS / 60} min` }),
      svg('text', { class: 'tick', x: W - PAD_R, y: H - 4, 'text-anchor': 'end', text: 'now' }));
    for (const c of CLASSES) {
      if (!rates.some((r) => r[c] > 0)) continue;
      // Each interval is a flat step from its start to its end.
      let d = '';
      for (const r of rates) {
        const x0 = x(r.ago_s + r.span_s), x1 = x(r.ago_s), yy = y(r[c]);
        d += `${d ? 'L' : 'M'}${x0.toFixed(1)},${yy.toFixed(1)}L${x1.toFixed(1)},${yy.toFixed(1)}`;
      }
      s.append(svg('path', { class: `series c${c}`, d, 'data-class': c }));
    }
    return s;
  }

  function latencyLabel(us) {
    if (us === null) return 'more';
    if (us >= 1e6) return `${us / 1e6}s`;
    if (us >= 1e3) return `${us / 1e3}ms`;
    return `${us}µs`;
  }

  function latencyChart(v) {
    const { le_us: le, counts, count, mean_us: mean } = v.latency;
    const label = `${v.vendor}: latency of ${fmt(count)} requests since start, mean ${fmt(mean)} µs`;
    const s = svg('svg', { class: 'latency', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label },
      svg('title', { text: label }),
      svg('line', { class: 'axis', x1: PAD_L, y1: H - PAD_B, x2: W - PAD_R, y2: H - PAD_B }));
    const top = Math.max(1, ...counts);
    const bw = (W - PAD_L - PAD_R) / counts.length;
    counts.forEach((n, i) => {
      const h = (H - PAD_B - PAD_T) * (n / top);
      const bar = svg('rect', {
        class: 'bar', x: (PAD_L + i * bw + 1).toFixed(1), y: (H - PAD_B - h).toFixed(1),
        width: (bw - 2).toFixed(1), height: h.toFixed(1),
      });
      bar.append(svg('title', { text: `${i === 0 ? '≤' : i === counts.length - 1 ? '>' : '≤'} ${latencyLabel(le[i] === null ? le[i - 1] : le[i])}: ${fmt(n)}` }));
      s.append(bar);
      if (i % 3 === 0) {
        s.append(svg('text', { class: 'tick', x: (PAD_L + i * bw).toFixed(1), y: H - 4, text: latencyLabel(le[i]) }));
      }
    });
    s.append(svg('text', { class: 'tick', x: PAD_L - 4, y: PAD_T + 8, 'text-anchor': 'end', text: fmt(top) }));
    return s;
  }

  function legend() {
    const ul = el('ul', { class: 'legend', 'aria-label': 'Status classes' });
    for (const c of CLASSES) ul.append(el('li', {}, el('span', { class: `swatch c${c}`, 'aria-hidden': 'true' }), c));
    return ul;
  }

  async function loadStats() {
    let stats;
    try {
      stats = await getJSON('/stats');
    } catch (e) {
      $('charts').replaceChildren(el('p', { text: `Statistics could not be read: ${e.message}` }));
      return;
    }
    const figures = stats.vendors.map((v) => {
      const t = v.totals;
      const total = CLASSES.reduce((a, c) => a + t[c], 0);
      return el('figure', { class: 'chart', 'data-vendor': v.vendor },
        el('figcaption', {}, el('strong', { text: v.vendor }),
          ` — ${fmt(total)} requests since start: ${CLASSES.filter((c) => t[c]).map((c) => `${c} ${fmt(t[c])}`).join(', ') || 'none yet'}`),
        rateChart(v), latencyChart(v));
    });
    $('charts').replaceChildren(legend(), ...figures);
  }

  // ---- Vendors and clock --------------------------------------------------------------
  async function loadVendors() {
    try {
      const [{ vendors }, clock] = await Promise.all([getJSON('/vendors'), getJSON('/clock')]);
      for (const v of vendors) {
        const tr = document.querySelector(`#vendors tr[data-vendor="${CSS.escape(v.vendor)}"][data-prefix="${CSS.escape(v.prefix)}"]`);
        if (!tr) continue;
        tr.querySelector('[data-field="total"]').textContent = fmt(v.total);
        tr.querySelector('[data-field="added"]').textContent = fmt(v.added);
      }
      $('clock-mode').textContent = clock.mode;
      $('clock-now').textContent = clock.now;
      state.vendors = [...new Set(vendors.map((v) => v.vendor))];
    } catch (e) {
      // The server-rendered values stay; the journal's status line reports a dead server.
    }
  }

  // ---- Ledger -------------------------------------------------------------------------
  const LEDGER_CLIENTS = 5;

  function ledgerBar(report) {
    const parts = [['served once', report.served_once, 'once'], ['served again', report.served_again, 'again'], ['never served', report.never_served, 'never']];
    const total = Math.max(1, parts.reduce((a, p) => a + p[1], 0));
    const label = parts.map(([name, n]) => `${name} ${fmt(n)}`).join(', ');
    const s = svg('svg', { class: 'ledger-bar', viewBox: '0 0 300 14', preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
      svg('title', { text: label }));
    let at = 0;
    for (const [, n, cls] of parts) {
      const w = (300 * n) / total;
      if (w > 0) s.append(svg('rect', { class: `seg ${cls}`, x: at.toFixed(2), y: 0, width: w.toFixed(2), height: 14 }));
      at += w;
    }
    return s;
  }

  function ledgerClient(name, r) {
    const box = el('div', { class: 'ledger-client' },
      el('h4', {}, name === null ? 'All clients together' : el('code', { text: name })),
      ledgerBar(r),
      el('p', { class: 'counts', text: `${fmt(r.available)} available: served once ${fmt(r.served_once)}, served again ${fmt(r.served_again)}, never served ${fmt(r.never_served)} (gaps ${fmt(r.gaps)})${r.truncated ? '; the ledger reached its bound and stopped recording' : ''}` }));
    if (r.missed.length) {
      box.append(el('details', {}, el('summary', { text: `Missed ids (first ${r.missed.length}, oldest first)` }),
        el('ul', { class: 'ids' }, ...r.missed.map((id) => el('li', {}, el('code', { text: id }))))));
    }
    return box;
  }

  async function loadLedger() {
    const boxes = [];
    for (const vendor of state.vendors) {
      const box = el('section', { class: 'ledger-vendor', 'aria-label': `${vendor} delivery` }, el('h3', { text: vendor }));
      try {
        const res = await call(`/vendors/${encodeURIComponent(vendor)}/delivery/clients`);
        const body = await res.json();
        if (!res.ok) throw new Error(body.error || res.status);
        if (!body.clients.length) {
          box.append(el('p', { text: 'Nothing served to any client yet.' }));
        } else {
          const all = await call(`/vendors/${encodeURIComponent(vendor)}/delivery`);
          const allBody = await all.json();
          if (!all.ok) throw new Error(allBody.error || all.status);
          box.append(ledgerClient(null, allBody));
          for (const client of body.clients.slice(0, LEDGER_CLIENTS)) {
            box.append(ledgerClient(client, await getJSON(`/vendors/${encodeURIComponent(vendor)}/delivery?client=${encodeURIComponent(client)}`)));
          }
          if (body.clients.length > LEDGER_CLIENTS) box.append(el('p', { text: `and ${body.clients.length - LEDGER_CLIENTS} more clients (GET ${API}/vendors/${vendor}/delivery?client=…)` }));
        }
      } catch (e) {
        box.append(el('p', { text: `No ledger: ${e.message}` }));
      }
      boxes.push(box);
    }
    $('ledger').replaceChildren(...boxes);
  }

  // ---- Rules and reset ----------------------------------------------------------------
  function describeMatch(m) {
    const parts = [];
    if (m.method) parts.push(m.method);
    if (m.path) parts.push(m.path);
    for (const [k, v] of Object.entries(m.query)) parts.push(`?${k}=${v}`);
    for (const [k, v] of Object.entries(m.headers)) parts.push(`${k}: ${v}`);
    for (const [k, v] of Object.entries(m.path_params)) parts.push(`{${k}}=${v}`);
    for (const b of m.body) parts.push(`body.${b.field} = ${JSON.stringify(b.equals)}`);
    return parts.join(' ') || 'every request';
  }

  function describeAnswer(r) {
    if (r === 'passthrough') return 'the mock answers';
    const body = typeof r.body === 'string' ? `${r.body} body` : `error ${r.body.error}`;
    return r.status ? `${r.status}, ${body}` : body;
  }

  function table(caption, heads, rows) {
    return el('table', {}, el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', { text: String(c) }))))));
  }

  async function loadRules() {
    let rules;
    try {
      rules = await getJSON('/rules');
    } catch (e) {
      $('rules').replaceChildren(el('p', { text: `Rules could not be read: ${e.message}` }));
      return;
    }
    const out = [el('h3', { text: 'Overrides and sequences' })];
    out.push(rules.overrides.length
      ? table('Overrides, first match wins', ['Name', 'Vendor', 'Matches', 'Answer', 'Requests matched'], rules.overrides.map((o) => [
        o.name || '(unnamed)', o.vendor || 'any', describeMatch(o.match),
        o.kind === 'respond' ? describeAnswer(o.respond) : `sequence: ${o.steps.map(describeAnswer).join(' → ')}, then ${o.then.replace('_', ' ')}`,
        fmt(o.calls)]))
      : el('p', { text: 'No overrides.' }));
    out.push(el('h3', { text: 'Faults' }));
    out.push(rules.faults.length
      ? table('Faults, every matching one applies', ['Name', 'Vendor', 'Route', 'Injects', 'Requests matched'], rules.faults.map((f) => {
        const what = [];
        if (f.latency) what.push(f.latency.ms !== undefined ? `${f.latency.ms} ms delay` : `${f.latency.min_ms}–${f.latency.max_ms} ms delay`);
        if (f.status) what.push(`${f.status.code}${f.status.error ? ` (${f.status.error})` : ''} at p=${f.status.probability}`);
        if (f.reset !== null) what.push(`reset at p=${f.reset}`);
        if (f.truncate !== null) what.push(`truncation at p=${f.truncate}`);
        return [f.name || '(unnamed)', f.vendor || 'any', f.route || 'any', what.join('; '), fmt(f.calls)];
      }))
      : el('p', { text: 'No faults.' }));
    $('rules').replaceChildren(...out);
  }

  async function reset() {
    const status = $('reset-status');
    status.textContent = 'Resetting…';
    try {
      const res = await call('/reset', { method: 'POST' });
      if (res.status !== 204) {
        const body = await res.json().catch(() => ({}));
        throw new Error(body.error || `${res.status}`);
      }
      status.textContent = `The world was reset at ${new Date().toLocaleTimeString('en-GB')}.`;
      await refresh(true);
    } catch (e) {
      status.textContent = `Reset failed: ${e.message}`;
    }
  }

  // ---- Polling ------------------------------------------------------------------------
  async function refresh(all) {
    const work = [loadVendors().then(() => (all ? loadLedger() : null)), loadStats()];
    if (all || $('f-live').checked) work.push(loadJournal());
    if (all) work.push(loadRules());
    await Promise.all(work);
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(async () => {
      if (!document.hidden) {
        state.ticks += 1;
        await refresh(state.ticks % 3 === 0).catch(() => {});
      }
      schedule();
    }, POLL_MS);
  }

  function start() {
    let debounce = null;
    $('journal-filter').addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => { state.offset = 0; loadJournal(); }, 250);
    });
    $('journal-filter').addEventListener('submit', (e) => { e.preventDefault(); state.offset = 0; loadJournal(); });
    $('page-newer').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); loadJournal(); });
    $('page-older').addEventListener('click', () => { state.offset += PAGE; loadJournal(); });
    $('reset').addEventListener('click', reset);
    for (const code of document.querySelectorAll('code[data-base]')) {
      // The server wrote http://; a page served over TLS shows https:// lines.
      if (location.protocol === 'https:') code.textContent = code.textContent.split('http://').join('https://');
    }
    const logout = $('logout');
    if (logout) {
      logout.addEventListener('click', async () => {
        await call('/ui/logout', { method: 'POST', redirect: 'manual' }).catch(() => {});
        location.href = `${API}/ui/`;
      });
    }
    // The journal first: it is what a person opens the page for.
    loadJournal().then(() => refresh(true)).finally(schedule);
  }

  if (document.getElementById('journal')) start();
})();

// The dashboard's browser test (`cargo xtask ui`): starts eventmock (the debug binary
// `cargo xtask test` built, or $EVENTMOCK_BIN) on an ephemeral loopback port, fills the
// journal to 10,000 entries, makes known vendor requests, opens /__eventmock/ui/ in a real
// headless Chromium and checks what a person sees: the vendors, a journal row per request with
// its path and status (and its details), filters and pages, the charts' SVG, the ledger, the
// rules, reset (and its CSRF refusal), the login of a server with an admin token, and axe-core
// (no serious or critical violation). Writes target/ui-tests/{dashboard.png,figures.json}.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const BIN = process.env.EVENTMOCK_BIN || path.join(ROOT, 'target/debug/eventmock');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = process.env.UI_OUT || path.join(ROOT, 'target/ui-tests');
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VENDORS = ['probely', 'authentik', 'halo', 'instavm', 'cf'];
const JOURNAL = 10_000;
const WAIT = { timeout: 15_000 };

const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

let stepNo = 0;
async function step(name, fn) {
  stepNo += 1;
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    console.error(`ui-tests: step ${stepNo} FAILED: ${name}`);
    throw e;
  }
  console.log(`ui-tests: ok ${stepNo} ${name} (${Date.now() - t0} ms)`);
}

/** Starts `eventmock serve` on a free loopback port; resolves its base URL from the banner. */
function serve(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--port', '0', '--stop-on-stdin-close', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`eventmock printed no banner in 20 s:\n${out}`)), 20_000);
    const read = (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`eventmock exited (${code}):\n${out}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function request(base, method, target, headers = {}, body = '') {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${target}`, { method, headers, agent }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${target}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const AUTH = {
  probely: { authorization: 'JWT ui-test' },
  authentik: { authorization: 'Bearer ui-test' },
  halo: { 'x-apikey': 'ui-test' },
  instavm: { authorization: 'Bearer ui-test' },
  cf: {},
};

/** Background traffic: `n` requests over the vendors, 8 at a time. */
async function traffic(base, n) {
  // Cheap answers of every class the charts draw (a debug build serializes big pages slowly).
  const targets = [
    ['authentik', '/api/v3/events/events/?page_size=1'],
    ['probely', '/events/gone/'],
    ['halo', '/api/v1/event/get.json?id=nope'],
    ['instavm', '/v1/audit/events/unknown'],
    ['cf', '/v2/events'],
  ];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const [vendor, target] = targets[next % targets.length];
      next += 1;
      await request(base, 'GET', target, AUTH[vendor]);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const figures = {};
fs.mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });

async function axe(page, label) {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy (own scripts
  // only) stays on, as a person's browser has it.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations) {
    console.log(`ui-tests: axe (${label}) ${v.impact}: ${v.id} — ${v.help} (${v.nodes.length} nodes: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`);
  }
  figures[`axe_${label}`] = { violations: result.violations.length, serious_or_critical: bad.length, ids: result.violations.map((v) => `${v.id}:${v.impact}`) };
  assert.equal(bad.length, 0, `axe-core found serious or critical violations on the ${label} page`);
}

try {
  const base = await serve(['--scenario', path.join(HERE, 'dashboard.yaml')]);
  const made = [
    { vendor: 'authentik', method: 'GET', target: '/api/v3/events/events/?page_size=3&ui=authentik', status: 200 },
    { vendor: 'probely', method: 'GET', target: '/events/gone/?ui=probely', status: 404, rule: 'probely-gone' },
    { vendor: 'cf', method: 'GET', target: '/v2/events?ui=cf', status: 401 },
    { vendor: 'halo', method: 'GET', target: '/api/v1/event/types.json?ui=halo', status: 200 },
    { vendor: 'instavm', method: 'GET', target: '/v1/audit/events?limit=2&ui=instavm', status: 200 },
  ];

  await step(`fill the journal with ${JOURNAL} requests`, async () => {
    await traffic(base, JOURNAL - made.length);
    for (const m of made) {
      const r = await request(base, m.method, m.target, AUTH[m.vendor]);
      assert.equal(r.status, m.status, `${m.target}: ${r.body}`);
    }
    const j = JSON.parse((await request(base, 'GET', '/__eventmock/requests?limit=1')).body);
    assert.equal(j.held, JOURNAL);
  });

  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${new URL(r.url()).pathname}`); });

  await step('first render with a full journal', async () => {
    const t0 = Date.now();
    const res = await page.goto(`${base}/__eventmock/ui/`);
    assert.equal(res.status(), 200);
    await page.waitForSelector('body[data-journal-ready="true"] #journal tbody tr.entry', WAIT);
    figures.first_render_ms = Date.now() - t0;
    figures.first_render_in_page_ms = Math.round(await page.evaluate(() => performance.now()));
    // Where the time went: the HTML, and the journal's first page (10,000 entries scanned).
    Object.assign(figures, await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const journal = performance.getEntriesByType('resource').find((r) => r.name.includes('/__eventmock/requests'));
      return {
        html_response_end_ms: Math.round(nav.responseEnd),
        journal_request_ms: journal ? Math.round(journal.responseEnd - journal.startTime) : null,
      };
    }));
    // Again in the same tab (the browser's process and connection warm).
    const t1 = Date.now();
    await page.reload();
    await page.waitForSelector('body[data-journal-ready="true"] #journal tbody tr.entry', WAIT);
    figures.reload_render_ms = Date.now() - t1;
    console.log(`ui-tests: first render with ${JOURNAL} journal entries: ${figures.first_render_ms} ms from navigation to journal rows in a new tab (${figures.first_render_in_page_ms} ms on the page's clock), ${figures.reload_render_ms} ms on reload`);
  });

  await step('the vendors, with datasets and curl lines', async () => {
    const names = await page.locator('#vendors tbody th[scope="row"]').allTextContents();
    assert.deepEqual(names, VENDORS);
    const curls = await page.locator('dl.curls code').allTextContents();
    assert.equal(curls.length, 5);
    assert.ok(curls.every((c) => c.includes(`curl`) && c.includes(base)), curls.join('\n'));
    const total = await page.locator('#vendors tr[data-vendor="cf"] [data-field="total"]').textContent();
    assert.equal(total.trim(), '1,000');
  });

  await step('a journal row per request made, with its path and status', async () => {
    for (const m of made) {
      const [pathOnly, query] = m.target.split('?');
      await page.fill('#f-path', pathOnly);
      const row = page.locator('#journal tbody tr.entry', { hasText: query }).first();
      await row.waitFor(WAIT);
      assert.equal((await row.locator('td.path').textContent()).trim(), m.target);
      assert.equal((await row.locator('td.status').textContent()).trim(), String(m.status));
      assert.equal((await row.locator('td').nth(4).textContent()).trim(), m.vendor);
      // "Answered by": the override's name when the journal records the matched rule (its
      // `match` field), else the vendor's route label.
      const api = JSON.parse((await request(base, 'GET', `/__eventmock/requests?limit=1&path=${encodeURIComponent(pathOnly)}`)).body).requests[0];
      const rule = (await row.locator('td').nth(7).textContent()).trim();
      const faults = api.match && api.match.faults && api.match.faults.length ? `fault: ${api.match.faults.join(', ')}` : null;
      assert.equal(rule, m.rule && api.match ? m.rule : faults || api.route);
    }
  });

  await step('a row expands to headers, query, status and latency', async () => {
    await page.fill('#f-path', '/api/v3/events/events/');
    const row = page.locator('#journal tbody tr.entry', { hasText: 'ui=authentik' }).first();
    await row.waitFor(WAIT);
    const button = row.locator('button.expand');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    await button.click();
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    const detail = page.locator(`#${await button.getAttribute('aria-controls')}`);
    await detail.waitFor({ state: 'visible', ...WAIT });
    const text = await detail.textContent();
    for (const want of ['authorization', 'Bearer ui-test', 'page_size', 'Status', '200', 'Latency', 'µs']) {
      assert.ok(text.includes(want), `detail lacks ${want}: ${text}`);
    }
  });

  await step('filters by vendor, status and method; pages', async () => {
    await page.fill('#f-path', '');
    await page.selectOption('#f-vendor', 'cf');
    await page.fill('#f-status', '401');
    await page.selectOption('#f-method', 'GET');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#journal tbody tr.entry')];
      return rows.length === 50 && rows.every((r) => r.cells[4].textContent === 'cf' && r.cells[5].textContent === '401');
    }, null, WAIT);
    await page.selectOption('#f-vendor', '');
    await page.fill('#f-status', '');
    await page.selectOption('#f-method', '');
    await page.waitForFunction((n) => document.getElementById('page-label').textContent === `1–50 of ${n}`, (10000).toLocaleString('en-US'), WAIT);
    await page.click('#page-older');
    await page.waitForFunction(() => document.getElementById('page-label').textContent.startsWith('51–100 of'), null, WAIT);
    await page.click('#page-newer');
    await page.waitForFunction(() => document.getElementById('page-label').textContent.startsWith('1–50 of'), null, WAIT);
  });

  await step('charts: requests/s by status class and the latency distribution, as SVG', async () => {
    // Traffic while the page watches, so the sampled rates are not zero.
    const until = Date.now() + 3500;
    while (Date.now() < until) await traffic(base, 100);
    await page.waitForSelector('figure.chart[data-vendor="authentik"] svg.rates path.series.c2xx', WAIT);
    await page.waitForSelector('figure.chart[data-vendor="cf"] svg.rates path.series.c4xx', WAIT);
    for (const v of VENDORS) {
      const chart = page.locator(`figure.chart[data-vendor="${v}"]`);
      assert.equal(await chart.locator('svg.latency rect.bar').count(), 17, v);
      assert.ok((await chart.locator('svg.rates').getAttribute('aria-label')).startsWith(`${v}: requests per second`));
    }
  });

  await step('delivery ledger per vendor and client', async () => {
    const authentik = page.locator('#ledger section[aria-label="authentik delivery"]');
    await authentik.locator('.ledger-client').first().waitFor(WAIT);
    const text = await authentik.textContent();
    assert.ok(text.includes('All clients together') && text.includes('ui-test'), text);
    assert.ok(/served once [1-9]/.test(text), text);
    assert.ok(await authentik.locator('svg.ledger-bar rect.seg').count() >= 1);
  });

  await step('scenario rules: overrides, sequences, faults', async () => {
    const text = await page.locator('#rules').textContent();
    for (const want of ['probely-gone', 'instavm-flaky', 'sequence:', 'halo-slow-types', '/api/v1/event/types.json', 'delay']) {
      assert.ok(text.includes(want), `rules lack ${want}: ${text}`);
    }
  });

  await step('accessibility (axe-core) of the dashboard', async () => {
    await axe(page, 'dashboard');
  });

  await step('screenshot', async () => {
    await page.fill('#f-path', '');
    await page.evaluate(() => window.scrollTo(0, 0));
    // The top of the page (vendors, charts, the journal's first rows), as a person first sees it.
    await page.setViewportSize({ width: 1360, height: 2100 });
    await page.screenshot({ path: path.join(OUT, 'dashboard.png') });
    await page.setViewportSize({ width: 1360, height: 1000 });
  });

  assert.deepEqual(problems, [], 'no script error, no failed load, no CSP violation');
  await step('reset: refused without the CSRF token, done by the button', async () => {
    const refused = await page.evaluate(async () => (await fetch('/__eventmock/reset', { method: 'POST' })).status);
    assert.equal(refused, 403);
    const added = await request(base, 'POST', '/__eventmock/vendors/cf/events?partial=true', { 'content-type': 'application/json' }, '{}');
    assert.equal(added.status, 201, added.body);
    const total = page.locator('#vendors tr[data-vendor="cf"] [data-field="total"]');
    await page.waitForFunction(() => document.querySelector('#vendors tr[data-vendor="cf"] [data-field="total"]').textContent === '1,001', null, WAIT);
    await page.click('#reset');
    await page.waitForFunction(() => document.getElementById('reset-status').textContent.startsWith('The world was reset'), null, WAIT);
    await page.waitForFunction(() => document.querySelector('#vendors tr[data-vendor="cf"] [data-field="total"]').textContent === '1,000', null, WAIT);
    assert.equal((await total.textContent()).trim(), '1,000');
    const vendors = JSON.parse((await request(base, 'GET', '/__eventmock/vendors')).body).vendors;
    assert.ok(vendors.every((v) => v.added === 0), JSON.stringify(vendors));
  });
  // The one refusal above is the only failed load.
  assert.deepEqual(problems, ['403 /__eventmock/reset']);
  await context.close();

  // A server with an admin token: the login form, an HTTP-only SameSite=Strict session cookie,
  // reset through the session's CSRF token, logout.
  const guarded = await serve(['--admin-token', 's3cret-token', '--events', '50']);
  const login = await browser.newContext();
  const lp = await login.newPage();
  await step('login form with an admin token set', async () => {
    const res = await lp.goto(`${guarded}/__eventmock/ui/`);
    assert.equal(res.status(), 401);
    await lp.fill('#token', 'wrong');
    await lp.click('button[type="submit"]');
    await lp.locator('[role="alert"]').waitFor(WAIT);
    await axe(lp, 'login');
    await lp.fill('#token', 's3cret-token');
    await lp.click('button[type="submit"]');
    await lp.waitForSelector('body[data-journal-ready="true"]', WAIT);
    const cookies = await login.cookies();
    const session = cookies.find((c) => c.name === 'eventmock_session');
    assert.ok(session, JSON.stringify(cookies));
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await lp.evaluate(() => document.cookie), '', 'the session cookie is not readable by scripts');
  });
  await step('reset and logout under the session', async () => {
    await lp.click('#reset');
    await lp.waitForFunction(() => document.getElementById('reset-status').textContent.startsWith('The world was reset'), null, WAIT);
    await lp.click('#logout');
    await lp.locator('#token').waitFor(WAIT);
    const after = await request(guarded, 'GET', '/__eventmock/vendors');
    assert.equal(after.status, 401);
  });
  await login.close();
} finally {
  await browser.close();
  fs.writeFileSync(path.join(OUT, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`ui-tests: figures ${JSON.stringify(figures)}`);
  agent.destroy();
  for (const c of children) c.kill('SIGTERM');
}
console.log('ui-tests: all passed');

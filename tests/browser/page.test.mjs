// The page in headless Chromium, used as a person would: choose files, read the card,
// press Generate, take the download. Run by scripts/test.sh after `trunk build`.
//
//   BYOD_BIN=path/to/byod DIST=path/to/dist DATASETS=../shared/datasets node page.test.mjs
//
// Prints one line per check and a closing "N passed, N failed"; exits non-zero on a
// failure. Screenshots go to $SHOTS (default tests/browser/screenshots/).
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');
const DIST = path.resolve(process.env.DIST ?? path.join(root, 'dist'));
const DATASETS = path.resolve(process.env.DATASETS ?? path.join(root, '../shared/datasets'));
const BIN = process.env.BYOD_BIN ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache/byod-target'), 'debug/byod');
const SHOTS = path.resolve(process.env.SHOTS ?? path.join(here, 'screenshots'));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'byod-page-'));
fs.mkdirSync(SHOTS, { recursive: true });

// ------------------------------------------------------------------ servers

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, ms = 30000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { if ((await fetch(url)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

/** The relay serving dist/ in template mode. */
async function startRelay() {
  const port = await freePort();
  const env = { ...process.env, DIST_DIR: DIST, LOG_DIR: path.join(work, 'logs'), LOCAL_CACHE_PATH: path.join(work, 'cache'), LOG_STDERR: '0' };
  for (const k of Object.keys(env)) if (k.startsWith('AZURE_')) delete env[k];
  const child = spawn(BIN, ['serve', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'inherit'], cwd: work });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`);
  return { url, stop: () => child.kill() };
}

/** dist/ from a plain static server: the relay absent. */
async function startStatic() {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(DIST, path.normalize(rel));
    if (!file.startsWith(DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() };
}

// ------------------------------------------------------------------ browser

const browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(work, 'profile-')), {
  executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport: { width: 1280, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function openPage(url) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`  page error: ${e.message}`));
  // Long tasks on the UI thread, for the responsiveness check.
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.waitForSelector('#mode-notice', { timeout: 30000 });
  return page;
}

const card = (page, name) => page.locator(`article.card[data-file="${name}"]`);

async function addFiles(page, files) {
  await page.setInputFiles('#file-input', files);
}

async function waitReady(page, name, ms = 60000) {
  const c = card(page, name);
  await c.locator('button.generate').waitFor({ timeout: ms });
  await c.locator('button.generate:not([disabled])').waitFor({ timeout: ms });
  return c;
}

/** Sets a card's settings by its labelled controls, then generates and downloads. */
async function generate(page, name, { rows, format, seed } = {}, ms = 120000) {
  const c = await waitReady(page, name);
  if (rows !== undefined) await c.getByLabel('Number of rows').fill(String(rows));
  if (format) await c.getByLabel('Output format').selectOption(format);
  if (seed !== undefined) { await c.getByLabel('Seed', { exact: true }).fill(String(seed)); await c.getByLabel('Seed', { exact: true }).press('Tab'); }
  await c.locator('button.generate').click();
  const link = c.locator('a.download');
  await link.waitFor({ timeout: ms });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const saved = path.join(work, `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(saved);
  return { card: c, file: saved, name: download.suggestedFilename() };
}

// ------------------------------------------------------------------ reading outputs

function parseCsv(text) {
  const rows = []; let row = []; let field = ''; let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Column kinds of a CSV: number when every non-empty value parses as one, else text. */
function csvKinds(rows) {
  const [header, ...body] = rows;
  return header.map((_, j) => body.every((r) => r[j] === '' || r[j] === undefined || !Number.isNaN(Number(r[j]))) ? 'number' : 'text');
}

/** A synthetic output read back by our own CLI (`byod profile --full`), which reads
 *  every format: row count and column names and kinds. */
async function profileOf(file) {
  const out = await new Promise((resolve, reject) => {
    const child = spawn(BIN, ['profile', file, '--full'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = ''; child.stdout.on('data', (d) => { text += d; });
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`byod profile ${file} exited ${code}`))));
  });
  const p = JSON.parse(out);
  return { rows: p.row_count, columns: p.columns.map((c) => ({ name: c.name, kind: c.kind, numeric: c.numeric != null })) };
}

// ------------------------------------------------------------------ checks

let passed = 0; let failed = 0;
// ONLY=regex runs the matching checks alone (for measuring a release build).
const only = process.env.ONLY ? new RegExp(process.env.ONLY) : null;
async function check(name, body) {
  if (only && !only.test(name)) return;
  const started = Date.now();
  try {
    await body();
    passed++;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}
function assert(cond, message) { if (!cond) throw new Error(message); }

const relay = await startRelay();
const figures = {};

await check('penguins.csv: profile shows, Generate, the CSV download has the rows asked and the same columns and types', async () => {
  const page = await openPage(relay.url);
  assert((await page.textContent('#mode-notice')).includes('Template mode'), 'the page should say it is in template mode');
  await addFiles(page, path.join(DATASETS, 'penguins.csv'));
  const c = await waitReady(page, 'penguins.csv');
  assert((await c.locator('.meta.format').textContent()).includes('344 rows · 8 columns'), 'card shows rows and columns');
  await c.locator('details.profile summary').click();
  const kinds = await c.locator('table.columns tbody tr').count();
  assert(kinds === 8, `column profile lists 8 columns, not ${kinds}`);
  const { file } = await generate(page, 'penguins.csv', { rows: 500, seed: 1 });
  const rows = parseCsv(fs.readFileSync(file, 'utf8').trimEnd());
  const real = parseCsv(fs.readFileSync(path.join(DATASETS, 'penguins.csv'), 'utf8').trimEnd());
  assert(rows.length - 1 === 500, `500 rows wanted, got ${rows.length - 1}`);
  assert(JSON.stringify(rows[0]) === JSON.stringify(real[0]), `header ${rows[0]} vs ${real[0]}`);
  assert(JSON.stringify(csvKinds(rows)) === JSON.stringify(csvKinds(real)), `kinds ${csvKinds(rows)} vs ${csvKinds(real)}`);
  const fidelity = await c.locator('dd.fidelity').textContent();
  assert(/\d+\.\d %/.test(fidelity), `a fidelity figure is shown (${fidelity})`);
  assert((await c.locator('dd.asked').textContent()).trim() === '80 %', 'the strictness asked is shown beside it');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, 'page-1280x800.png'), fullPage: false });
  await page.screenshot({ path: path.join(SHOTS, 'page-1280-full.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, 'page-narrow-390.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `the narrow page scrolls sideways by ${overflow} px`);
  await page.close();
});

await check('the page and the native CLI make the same bytes from the same file, settings and seed', async () => {
  // The page guards with seed 0 (the k of each column); `byod spec --seed 0` does the same.
  const spec = path.join(work, 'penguins.spec.json');
  const native = path.join(work, 'penguins.native.csv');
  for (const args of [['spec', path.join(DATASETS, 'penguins.csv'), '--seed', '0', '--strictness', '0.8', '-o', spec],
    ['generate', '--spec', spec, '-n', '2000', '--seed', '42', '-o', native]]) {
    const r = spawnSync(BIN, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    assert(r.status === 0, `byod ${args[0]} failed`);
  }
  const page = await openPage(relay.url);
  await addFiles(page, path.join(DATASETS, 'penguins.csv'));
  const { file } = await generate(page, 'penguins.csv', { rows: 2000, seed: 42 });
  assert(fs.readFileSync(file).equals(fs.readFileSync(native)), 'the page\'s CSV differs from the CLI\'s');
  await page.close();
});

await check('every control is labelled and reachable by keyboard', async () => {
  const page = await openPage(relay.url);
  await addFiles(page, path.join(DATASETS, 'iris.csv'));
  await waitReady(page, 'iris.csv');
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, button, a[href]')]
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
    .map((el) => el.outerHTML.slice(0, 80)));
  assert(unlabelled.length === 0, `unlabelled controls: ${unlabelled.join(' | ')}`);
  // Tab from the top reaches the file input (through the drop zone), then the card's Generate.
  const reached = new Set();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || ''));
  }
  assert(reached.has('file-input'), 'Tab reaches the file picker');
  assert([...reached].some((r) => String(r).includes('generate')), `Tab reaches Generate (${[...reached].join(', ')})`);
  // Generate by keyboard alone.
  await card(page, 'iris.csv').locator('button.generate').focus();
  await page.keyboard.press('Enter');
  await card(page, 'iris.csv').locator('a.download').waitFor({ timeout: 60000 });
  await page.close();
});

for (const [file, format] of [['penguins.xlsx', 'xlsx'], ['penguins.parquet', 'parquet']]) {
  await check(`${file}: generates ${format} with the requested rows and the original's columns and types`, async () => {
    const page = await openPage(relay.url);
    await addFiles(page, path.join(DATASETS, file));
    const { file: out, name } = await generate(page, file, { rows: 1234, format, seed: 3 });
    assert(name.endsWith(`.${format}`), `download named ${name}`);
    const synth = await profileOf(out);
    const real = await profileOf(path.join(DATASETS, file));
    assert(synth.rows === 1234, `1234 rows wanted, got ${synth.rows}`);
    assert(JSON.stringify(synth.columns.map((c) => c.name)) === JSON.stringify(real.columns.map((c) => c.name)), 'same column names');
    assert(JSON.stringify(synth.columns.map((c) => c.numeric)) === JSON.stringify(real.columns.map((c) => c.numeric)), 'same numeric columns');
    await page.close();
  });
}

await check('a workbook with two sheets: the sheet picker reads the chosen sheet', async () => {
  // Written with openpyxl (scripts/setup.sh --tests puts it in the venv at $BYOD_PYTHON).
  const book = path.join(work, 'clinic.xlsx');
  const made = spawnSync(process.env.BYOD_PYTHON ?? 'python3', ['-c', `
import openpyxl, sys
wb = openpyxl.Workbook(); a = wb.active; a.title = "Visits"
a.append(["visit", "ward", "minutes"])
for i in range(60): a.append([i, ["A", "B", "C"][i % 3], 10 + i % 17])
b = wb.create_sheet("Staff"); b.append(["name_code", "grade", "years", "shift"])
for i in range(40): b.append([f"S{i:03}", ["junior", "senior"][i % 2], i % 9, ["day", "night"][i % 2]])
wb.save(sys.argv[1])`, book], { stdio: 'inherit' });
  assert(made.status === 0, 'openpyxl wrote the workbook');
  const page = await openPage(relay.url);
  await addFiles(page, book);
  const c = await waitReady(page, 'clinic.xlsx');
  assert((await c.locator('.meta.format').textContent()).includes('60 rows · 3 columns'), 'the first sheet is read first');
  const picker = c.getByLabel('Sheet');
  assert(JSON.stringify(await picker.locator('option').allTextContents()) === '["Visits","Staff"]', 'both sheets offered');
  await picker.selectOption('Staff');
  await c.locator('.meta.format', { hasText: '40 rows · 4 columns' }).waitFor({ timeout: 30000 });
  const { file } = await generate(page, 'clinic.xlsx', { rows: 25, format: 'csv' });
  const rows = parseCsv(fs.readFileSync(file, 'utf8').trimEnd());
  assert(rows[0].join(',') === 'name_code,grade,years,shift' && rows.length === 26, `the Staff sheet was generated: ${rows[0]}`);
  await page.close();
});

await check('a broken file beside a good one: an error on the broken card, and the good one still generates', async () => {
  const page = await openPage(relay.url);
  const good = path.join(DATASETS, 'iris.csv');
  const parquet = fs.readFileSync(path.join(DATASETS, 'penguins.parquet'));
  const broken = path.join(work, 'broken.parquet');
  fs.writeFileSync(broken, parquet.subarray(0, Math.floor(parquet.length / 2)));
  const wrong = path.join(work, 'notes.xlsx');
  fs.writeFileSync(wrong, 'this is plain text, not a workbook\n');
  await addFiles(page, [broken, good, wrong]);
  for (const bad of ['broken.parquet', 'notes.xlsx']) {
    const alert = card(page, bad).locator('.error[role=alert]');
    await alert.waitFor({ timeout: 60000 });
    const text = await alert.textContent();
    assert(text.includes(bad), `the error names the file: ${text}`);
  }
  const { file } = await generate(page, 'iris.csv', { rows: 50 });
  assert(parseCsv(fs.readFileSync(file, 'utf8').trimEnd()).length === 51, 'the good file still gives 50 rows');
  await page.screenshot({ path: path.join(SHOTS, 'page-with-broken-file.png'), fullPage: true });
  await page.close();
});

await check('"Extract Metadata Only" shows and downloads the SafeProfile, with no planted sentinel in it', async () => {
  const sentinels = ['Quintessa Vanterpool', 'Bartholomew Xyloquist', '987-65-4329', 'zz.sentinel.mail@example.org', 'RARE_DIAGNOSIS_QX7'];
  const lines = ['patient_id,full_name,ssn,email,diagnosis,age,systolic_bp'];
  const diagnoses = ['Hypertension', 'Diabetes', 'Asthma', 'Migraine'];
  for (let i = 0; i < 400; i++) {
    const name = i === 17 ? sentinels[0] : i === 311 ? sentinels[1] : `Person${i} Example${(i * 7) % 400}`;
    const ssn = i === 42 ? sentinels[2] : `${100 + (i % 800)}-${10 + (i % 89)}-${1000 + i}`;
    const email = i === 99 ? sentinels[3] : `user${i}@mail.example.com`;
    const diagnosis = i === 250 ? sentinels[4] : diagnoses[i % 4];
    lines.push(`MRN${100000 + i},${name},${ssn},${email},${diagnosis},${20 + (i * 13) % 70},${100 + (i * 17) % 60}`);
  }
  const file = path.join(work, 'patients.csv');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const page = await openPage(relay.url);
  await addFiles(page, file);
  const c = await waitReady(page, 'patients.csv');
  await c.locator('button.extract').click();
  const link = c.locator('a.download-metadata');
  await link.waitFor();
  const withheld = await c.locator('details.withheld summary').textContent();
  assert(/Withheld by the privacy guard: [1-9]/.test(withheld), `withheld list shown: ${withheld}`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const saved = path.join(work, 'safe_profile.json');
  await download.saveAs(saved);
  const json = fs.readFileSync(saved, 'utf8');
  const shown = await c.locator('pre.json').textContent();
  assert(json === shown, 'the download is the JSON shown');
  const parsed = JSON.parse(json);
  assert(parsed.columns.length === 7, 'a SafeProfile with 7 columns');
  for (const s of sentinels) assert(!json.includes(s), `sentinel ${s} leaked into the SafeProfile`);
  // And the synthetic rows carry none either.
  const { file: out } = await generate(page, 'patients.csv', { rows: 2000 });
  const synth = fs.readFileSync(out, 'utf8');
  for (const s of sentinels) assert(!synth.includes(s), `sentinel ${s} leaked into the synthetic rows`);
  await page.close();
});

await check('the relay absent: template mode, said so, works end to end', async () => {
  const site = await startStatic();
  try {
    const page = await openPage(site.url);
    const notice = await page.textContent('#mode-notice');
    assert(notice.includes('not reachable'), `the page says the relay is absent: ${notice}`);
    await addFiles(page, path.join(DATASETS, 'seattle_weather.csv'));
    const { file, card: c } = await generate(page, 'seattle_weather.csv', { rows: 300 });
    assert(parseCsv(fs.readFileSync(file, 'utf8').trimEnd()).length === 301, '300 rows');
    assert((await c.locator('.made').textContent()).includes('template'), 'the card says the template wrote the spec');
    await page.close();
  } finally { site.stop(); }
});

await check('the relay stopped after the page loaded: generation still works', async () => {
  const own = await startRelay();
  const page = await openPage(own.url);
  await addFiles(page, path.join(DATASETS, 'iris.csv'));
  await waitReady(page, 'iris.csv');
  own.stop();
  await new Promise((r) => setTimeout(r, 300));
  const { file } = await generate(page, 'iris.csv', { rows: 77 });
  assert(parseCsv(fs.readFileSync(file, 'utf8').trimEnd()).length === 78, '77 rows');
  await page.close();
});

await check('Cancel stops a long generation, and the file can generate again', async () => {
  const page = await openPage(relay.url);
  await addFiles(page, path.join(DATASETS, 'diamonds.csv'));
  const c = await waitReady(page, 'diamonds.csv');
  await c.getByLabel('Number of rows').fill('5000000');
  await c.locator('button.generate').click();
  await c.locator('button.cancel').click({ timeout: 30000 });
  await c.locator('.notice', { hasText: 'cancelled' }).waitFor({ timeout: 30000 });
  assert(await c.locator('a.download').count() === 0, 'no download after a cancel');
  await c.getByLabel('Number of rows').fill('100');
  await c.locator('button.generate').click();
  await c.locator('a.download').waitFor({ timeout: 60000 });
  await page.close();
});

await check('1,000,000 diamonds rows: no UI-thread task over 100 ms, and the download completes', async () => {
  const page = await openPage(relay.url);
  await addFiles(page, path.join(DATASETS, 'diamonds.csv'));
  const c = await waitReady(page, 'diamonds.csv');
  figures.diamondsProfile = await c.locator('p.meta', { hasText: 'Read and profiled' }).textContent();
  const since = await page.evaluate(() => performance.now());
  const { file } = await generate(page, 'diamonds.csv', { rows: 1000000, seed: 1 }, 600000);
  const tasks = await page.evaluate((t) => window.__longTasks.filter((e) => e.start >= t), since);
  const longest = Math.max(0, ...tasks.map((t) => t.duration));
  figures.diamonds = await c.locator('.made').textContent();
  figures.diamondsLongest = longest;
  const text = fs.readFileSync(file, 'utf8');
  let lines = 0; for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  assert(lines === 1000001, `1,000,000 rows and a header, got ${lines} lines`);
  assert(longest <= 100, `a UI-thread task took ${longest.toFixed(0)} ms`);
  await page.close();
});

await check('flights.csv (336,776 rows) profiles and generates in the worker', async () => {
  const page = await openPage(relay.url);
  await addFiles(page, path.join(DATASETS, 'flights.csv'));
  const c = await waitReady(page, 'flights.csv', 300000);
  figures.flightsProfile = await c.locator('p.meta', { hasText: 'Read and profiled' }).textContent();
  await generate(page, 'flights.csv', { seed: 1 }, 600000);
  figures.flights = await c.locator('.made').textContent();
  await page.screenshot({ path: path.join(SHOTS, 'page-after-flights.png'), fullPage: false });
  await page.close();
});

relay.stop();
await browser.close();
for (const [k, v] of Object.entries(figures)) console.log(`figure ${k}: ${typeof v === 'number' ? v.toFixed(1) : v.trim()}`);
console.log(`${passed} passed, ${failed} failed`);
fs.rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);

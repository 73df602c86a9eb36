/**
 * The HTML report in a real browser (Chromium through puppeteer-core), opened from a file:// URL
 * as a downloaded artifact would be: it asks for nothing over the network, breaks no rule of its
 * own content security policy, throws nothing, draws its charts, and its hover readout works.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COMPARE } from '../../src/config/load.js';
import { judge, policyOf } from '../../src/pipeline/pipeline.js';
import { renderHtml } from '../../src/report/html.js';
import { readData } from '../support/data.js';
import { tempDir } from '../support/tmp.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

describe('report.html in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('no Chromium found: install it (apt-get install chromium) or set CHROMIUM_PATH');
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('loads from file:// with no other request, no policy violation and no error; charts draw and the readout follows the pointer', async () => {
    const head = readData('regressed/results.json');
    const base = readData('baseline.json');
    const comparison = judge('baseline', DEFAULT_COMPARE, head, { kind: 'baseline', baseline: { results: base, source: 'baseline.json' } }, policyOf(null));
    const file = path.join(tempDir('html'), 'report.html');
    writeFileSync(file, renderHtml({ title: '.github/flask-perf.yml', head, base, comparison }));
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    // Run in the page (a string: these tests compile without the DOM's types).
    await page.evaluateOnNewDocument(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('csp violation: ' + e.violatedDirective + ' ' + e.blockedURI))",
    );
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });
    const drawn = (await page.evaluate(`({
      // per line chart: how many points its longest drawn series has
      charts: [...document.querySelectorAll('figure[data-chart]:not(.bars)')].map((f) => [f.dataset.chart, Math.max(0, ...[...f.querySelectorAll('polyline.series')].map((p) => p.points.length))]),
      bars: [...document.querySelectorAll('#overview-rps rect.bar')].map((r) => r.dataset.series),
      verdicts: document.querySelectorAll('span.regressed').length,
      title: document.title,
    })`)) as { charts: [string, number][]; bars: string[]; verdicts: number; title: string };
    const expected = head.topologies.flatMap((_, i) => ['rps', 'latency', 'failures', 'cpu', 'rss'].map((k) => `t${i}-${k}`));
    expect(drawn.charts.map(([id]) => id)).toEqual(expected);
    const seconds = head.topologies[0].trials.reduce((n, t) => n + (t.series?.requests.length ?? 0), 0);
    for (const [id, points] of drawn.charts) expect(points, id).toBe(seconds);
    // The comparison view: the baseline's bar beside each of the run's, and the verdicts.
    expect(drawn.bars).toEqual(head.topologies.flatMap(() => ['baseline', 'now']));
    expect(drawn.verdicts).toBe(head.topologies.length);
    expect(drawn.title).toBe('flask-perf · .github/flask-perf.yml');
    expect(problems).toEqual([]);
    const svg = await page.$('figure[data-chart="t0-rps"] svg');
    await svg!.scrollIntoView();
    const box = (await svg!.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const readout = await page.$eval('figure[data-chart="t0-rps"] .readout', (e) => e.textContent ?? '');
    expect(readout).toMatch(/^\d+ s — now: [\d,]+ · baseline: [\d,]+$/);
    expect(await page.$eval('figure[data-chart="t0-rps"] .cursor', (e) => e.getAttribute('visibility'))).toBe('visible');
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  }, 60_000);

  it('renders an old baseline (schema 1, no time series) without error, saying the charts are missing', async () => {
    const old = readData('baseline-v1.json');
    const file = path.join(tempDir('html'), 'report.html');
    writeFileSync(file, renderHtml({ title: 'old.yml', head: old, base: null, comparison: null }));
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const text = (await page.evaluate('document.body.innerText')) as string;
    expect(text).toContain('No time series: this results document predates them');
    for (const t of old.topologies) expect(text).toContain(t.name);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

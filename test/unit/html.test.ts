/**
 * The HTML report on committed results documents: self-contained (nothing it could fetch), every
 * string from a document escaped, older documents still rendered, and the sizes stated.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPARE } from '../../src/config/load.js';
import { judge, policyOf } from '../../src/pipeline/pipeline.js';
import { contentSecurityPolicy, renderHtml } from '../../src/report/html.js';
import { recommend, recommendationLine, rpsChart } from '../../src/report/recommend.js';
import type { Results } from '../../src/results/types.js';
import { readData } from '../support/data.js';

const stored = (head: Results, base: Results | null) =>
  judge('baseline', DEFAULT_COMPARE, head, { kind: 'baseline', baseline: base ? { results: base, source: 'baseline.json' } : null }, policyOf(null));

function report(head: Results, base: Results | null): string {
  return renderHtml({ title: '.github/flask-perf.yml', head, base, comparison: stored(head, base) });
}

/** Everything in a page's real tags and styles that could make the browser fetch something (escaped text is not a tag). */
function fetchers(page: string): string[] {
  const tags = [...page.matchAll(/<[a-z][^>]*>/gi)].map((m) => m[0]);
  const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
  return [
    ...tags.flatMap((t) =>
      [...t.matchAll(/\b(?:src|href|action|srcset|poster|data|xlink:href)\s*=|^<(?:link|iframe|img|object|embed|image|use)\b/gi)].map((m) => `${m[0]} in ${t}`),
    ),
    ...styles.flatMap((s) => [...s.matchAll(/url\(|@import|@font-face/g)].map((m) => m[0])),
  ];
}

describe('the HTML report', () => {
  const head = readData('regressed/results.json');
  const base = readData('baseline.json');
  const page = report(head, base);

  it('has a chart of each kind per topology, the percentile table and the endpoint table', () => {
    for (const [i, t] of head.topologies.entries()) {
      for (const kind of ['rps', 'latency', 'failures', 'cpu', 'rss']) expect(page).toContain(`data-chart="t${i}-${kind}"`);
      expect(page).toContain(`<h2>${t.name} `);
    }
    expect(page).toContain('99.99%');
    expect(page).toContain('<code>GET /cpu-bound</code>');
    // The baseline's series is drawn beside the run's, dashed.
    expect(page).toMatch(/data-series="baseline"[^>]*stroke-dasharray/);
    expect(page).toContain('regressed: req/s');
  });

  it('fetches nothing: no URL, no external style, font or image, and a policy that forbids them', () => {
    expect(fetchers(page)).toEqual([]);
    expect(page).not.toMatch(/https?:\/\//);
    const policy = contentSecurityPolicy();
    expect(page).toContain(`content="${policy}"`);
    expect(policy).toContain("default-src 'none'");
    // The one inline script is the one the policy's hash allows.
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    expect(policy).toContain(`'sha256-${createHash('sha256').update(scripts[0]).digest('base64')}'`);
  });

  it('escapes every string of the document: names, paths, warnings, errors, the environment', () => {
    const evil = '<img src=x onerror=alert(1)>"\'</script><script>alert(2)</script>';
    const hostile: Results = {
      ...head,
      environment: { ...head.environment, cpuModel: evil, placement: { ...head.environment.placement, reason: evil } },
      topologies: [
        {
          ...head.topologies[0],
          name: evil,
          warnings: [{ code: 'rps-collapses', message: evil }],
          endpoints: head.topologies[0].endpoints.map((e) => ({ ...e, path: evil, statuses: { [evil]: 1 } })),
        },
        { ...head.topologies[1], ok: false, error: evil },
      ],
    };
    const out = report(hostile, base);
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<script>alert');
    expect([...out.matchAll(/<script\b/g)].length).toBe(1 + 5); // ours, and one data block per chart of the ok cell
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(fetchers(out)).toEqual([]);
  });

  it('renders an older document without series or percentile tables, and says so', () => {
    const old = readData('baseline-v1.json');
    const out = report(old, null);
    expect(out).toContain('No time series: this results document predates them');
    expect(out).not.toContain('Response time percentiles');
    expect(fetchers(out)).toEqual([]);
  });

  it('compare: base, and a plain run without any comparison', () => {
    const abHead = readData('ab-regressed/results.json');
    const abBase = readData('ab-regressed/base.json');
    const comparison = judge('base', DEFAULT_COMPARE, abHead, { kind: 'measured', base: abBase }, policyOf(null));
    const out = renderHtml({ title: 'c.yml', head: abHead, base: abBase, comparison });
    expect(out).toContain('Req/s (base → head)');
    expect(out).toMatch(/data-series="base"/);
    const plain = renderHtml({ title: 'c.yml', head, base: null, comparison: null });
    expect(plain).toContain('Peak RSS MB');
    expect(plain).not.toContain('Verdict');
  });

  it('says what the comment says about trusting the verdicts: other hardware above the numbers, a cell not judged and the noise beside them', () => {
    const other: Results = { ...base, environment: { ...base.environment, cpuModel: '<b>older</b> cpu' } };
    const comparison = judge('baseline', DEFAULT_COMPARE, head, { kind: 'baseline', baseline: { results: other, source: 'baseline.json' } }, policyOf(null), [
      'single',
    ]);
    expect(comparison.hardwareNote).toBeTruthy();
    expect(comparison.ignored).toEqual(['gunicorn-2']);
    const out = renderHtml({ title: 'c.yml', head, base: other, comparison });
    const warn = out.indexOf('<p class="warn"><strong>cross-hardware:</strong> baseline recorded on different hardware: CPU &lt;b&gt;older&lt;/b&gt; cpu');
    expect(warn).toBeGreaterThan(0);
    // Above the table: the warning is read before the numbers it qualifies.
    expect(warn).toBeLessThan(out.indexOf('<table>'));
    expect(out).toContain('<p class="muted"><strong>Not judged:</strong> gunicorn-2 (in the results, not in the config).</p>');
    // What explains the numbers comes after them.
    expect(out.indexOf('<p class="muted"><strong>Calibration:</strong> this run ran the reference app at ×')).toBeGreaterThan(out.indexOf('<table>'));
    expect(out).toContain('<th>Noise</th>');
    expect(out).toMatch(/<td class="text">n=3 · CV \d+\.\d% · MDE \d+%<\/td>/);
    expect(out).not.toContain('<b>older</b>');
  });

  it('is small: the committed two-topology run with its baseline (sizes printed)', () => {
    const bytes = Buffer.byteLength(page);
    console.log(`report.html of test/data/regressed against test/data/baseline.json: ${bytes} bytes`);
    expect(bytes).toBeLessThan(200_000);
  });
});

describe('the recommendation and the chart in the comment', () => {
  const head = readData('regressed/results.json');
  it('names the topology with the most req/s, the most req/s per busy core and the lowest p99, with figures', () => {
    const r = recommend(head);
    const byRps = [...head.topologies].sort((a, b) => b.rps - a.rps)[0];
    expect(r.mostRps).toEqual({ name: byRps.name, value: byRps.rps });
    const byCore = [...head.topologies].sort((a, b) => a.cpuMsPer1kRequests! - b.cpuMsPer1kRequests!)[0];
    expect(r.mostRpsPerCore?.name).toBe(byCore.name);
    expect(r.mostRpsPerCore?.value).toBeCloseTo(1e6 / byCore.cpuMsPer1kRequests!, 6);
    const byP99 = [...head.topologies].sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99)[0];
    expect(r.lowestP99?.name).toBe(byP99.name);
    expect(recommendationLine(head, (s) => s)).toContain(`lowest p99: ${byP99.name} (${byP99.latencyMs.p99.toFixed(1)} ms)`);
  });

  it('says nothing with fewer than two cells that served requests', () => {
    expect(recommendationLine({ ...head, topologies: head.topologies.slice(0, 1) }, (s) => s)).toBe('');
    expect(recommendationLine({ ...head, topologies: [head.topologies[0], { ...head.topologies[1], ok: false }] }, (s) => s)).toBe('');
  });

  it('draws req/s base against head as a mermaid xychart with safe labels', () => {
    const base = readData('baseline.json');
    const evilName = 'a"] ; click x call alert()\n%%';
    const comparison = stored(
      { ...head, topologies: [{ ...head.topologies[0], name: evilName }, head.topologies[1]] },
      { ...base, topologies: [{ ...base.topologies[0], name: evilName }, base.topologies[1]] },
    );
    const chart = rpsChart(comparison);
    const lines = chart.split('\n');
    expect(lines[0]).toBe('```mermaid');
    expect(lines[1]).toBe('xychart-beta');
    expect(lines.at(-1)).toBe('```');
    const axis = lines.find((l) => l.includes('x-axis'))!;
    expect(axis).not.toMatch(/[;\n]/);
    expect(axis.match(/"/g)).toHaveLength(2 * 2);
    expect(chart).toMatch(/ {2}bar \[\d+, \d+\]/);
    expect(chart).toMatch(/ {2}line \[\d+, \d+\]/);
    expect(stored(head, null).hasBase).toBe(false);
    expect(rpsChart(stored(head, null))).not.toContain('line [');
  });
});

describe('a capacity search in the reports', () => {
  const steps = [
    { rate: 300, p99: 20, pass: true },
    { rate: 450, p99: 35, pass: true },
    { rate: 675, p99: 900, pass: false },
    { rate: 551, p99: 60, pass: true },
    { rate: 610, p99: 140, pass: false },
  ].map((x) => ({
    rate: x.rate,
    sentRate: x.rate,
    achievedRate: x.rate,
    p50Ms: 5,
    p99Ms: x.p99,
    errorShare: 0,
    lateMsP99: 1,
    pass: x.pass,
    reason: x.pass ? '' : 'p99 > 100 ms',
  }));
  const withCapacity = (doc: Results, rate: number): Results => ({
    ...doc,
    topologies: doc.topologies.map((t) => ({
      ...t,
      capacity: { goal: { p99Ms: 100, errorShare: 0.01 }, rate, missedAt: 610, end: 'bracketed' as const, budgetSec: 60, spentSec: 25, steps },
    })),
  });
  const head = withCapacity(readData('regressed/results.json'), 551);
  const base = withCapacity(readData('baseline.json'), 1100);

  it('draws the latency-against-rate curve with the goal, the base’s p99 dashed, over-goal values clipped and said', () => {
    const page = report(head, base);
    expect(page).toContain('data-chart="t0-capacity"');
    expect(page).toContain('capacity 551 req/s at p99 ≤ 100 ms (above 300 ms drawn at it)');
    expect(page).toMatch(/data-series="goal"[^>]*stroke-dasharray/);
    expect(page).toMatch(/data-series="p99 baseline"[^>]*stroke-dasharray/);
  });

  it('the comment leads with capacity base → head, and the chart is of capacity', () => {
    const c = stored(head, base);
    expect(c.cells[0].capacity).toEqual({ base: 1100, head: 551, change: 551 / 1100 - 1 });
    expect(rpsChart(c)).toContain('title "capacity per topology (bars: now, line: baseline)"');
    expect(recommendationLine(head, (n) => n)).toMatch(/^most capacity: /);
  });
});

/**
 * The report job runs with a write token on an artifact made by the PR's code. Each case crafts an
 * artifact (or a trusted checkout) and runs the real bundle in `mode: report` against the GitHub
 * stand-in: the exact outcome, what was posted, and that nothing from the data became markup, a
 * workflow command or a second marker.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results, TopologyResult } from '../../../src/results/types.js';
import { DATA_TOPOLOGIES, makeWorkspace, runAction, workflowRunPayload, type ActionRun } from '../../support/action.js';
import { DATA_DIR, DATA_HEAD_SHA, readData } from '../../support/data.js';
import { useGithubMock } from '../../support/github-mock.js';
import { markupProblems } from '../../support/markdown-check.js';

const mock = useGithubMock();

/** A results document the cases may change at will. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
type Doc = Mutable<Results>;
type Cell = Mutable<TopologyResult>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

interface Artifact {
  /** results.json as an object (changed by the case) or as raw text. */
  results?: (doc: Doc) => unknown;
  resultsText?: string;
  meta?: unknown;
  metaText?: string;
  /** base.json: the committed A/B base, or none. */
  base?: boolean;
  /** Starts from the committed regressed document instead of the unchanged one. */
  regressed?: boolean;
}

interface Trusted {
  configExtra?: string;
  topologies?: readonly string[];
  /** The trusted checkout's baseline: the committed one (default), none, or made by the case. */
  baseline?: 'committed' | 'none' | ((file: string) => void);
  inputs?: Record<string, string>;
}

/** Runs report mode on a crafted artifact in a trusted checkout. */
async function report(artifact: Artifact, trusted: Trusted = {}): Promise<ActionRun & { dir: string }> {
  const ws = makeWorkspace(trusted.configExtra ?? '', trusted.topologies ?? DATA_TOPOLOGIES);
  const baselineFile = path.join(ws.dir, '.github/flask-perf-baseline.json');
  const baseline = trusted.baseline ?? 'committed';
  if (baseline === 'committed') cpSync(path.join(DATA_DIR, 'baseline.json'), baselineFile);
  else if (baseline !== 'none') baseline(baselineFile);
  ws.commit('trusted checkout');
  const dir = path.join(ws.dir, 'flask-perf-results');
  mkdirSync(dir, { recursive: true });
  const source = artifact.regressed ? 'regressed' : 'unchanged';
  const doc = clone(readData(`${source}/results.json`)) as Doc;
  writeFileSync(path.join(dir, 'results.json'), artifact.resultsText ?? JSON.stringify(artifact.results ? (artifact.results(doc) ?? doc) : doc));
  writeFileSync(
    path.join(dir, 'meta.json'),
    artifact.metaText ?? JSON.stringify(artifact.meta ?? JSON.parse(readFileSync(path.join(DATA_DIR, source, 'meta.json'), 'utf8'))),
  );
  if (artifact.base) cpSync(path.join(DATA_DIR, 'ab-regressed/base.json'), path.join(dir, 'base.json'));
  const r = await runAction({
    workspace: ws.dir,
    apiUrl: mock.url,
    eventName: 'workflow_run',
    payload: workflowRunPayload(DATA_HEAD_SHA, [7]),
    inputs: { mode: 'report', ...trusted.inputs },
  });
  return { ...r, dir: ws.dir };
}

/** What holds for every run, whatever the artifact: the escaping door and the log's integrity. */
function expectSafe(r: ActionRun): void {
  for (const body of [r.summary, ...mock.api.allComments().map((c) => c.body)].filter(Boolean)) expect(markupProblems(body)).toEqual([]);
  // The runner reads `::command::` from any line of the log: only our own commands may start one.
  for (const line of r.raw.split('\n')) if (line.startsWith('::')) expect(line).toMatch(/^::(error|warning)::/);
  expect(r.raw).not.toMatch(/^::warning file=/m);
  expect(r.outputs.summary ?? '').not.toContain('\n');
}

const firstCell = (d: Doc): Cell => d.topologies[0];
const statusOf = (): string | undefined => mock.api.statuses.at(-1)?.state;

describe('markup from the artifact stays text in the comment, the summary and report.md', () => {
  const cases: { what: string; artifact: Artifact; code: number; contains: RegExp }[] = [
    {
      what: 'a warning that closes <details> and adds "## ✅ all good", a mention, a link and an image',
      artifact: {
        results: (d) =>
          void (firstCell(d).warnings = [
            { code: 'connection-errors', message: '</details>\n\n## ✅ all good @octocat [click](https://evil.example) <img src=x onerror=alert(1)>' },
          ] as never),
      },
      code: 0,
      contains: /&lt;\/details&gt; \\#\\# ✅ all good @\u200boctocat \\\[click\\\]\(https:\u200b\/\/evil\.example\) &lt;img src=x onerror=alert\(1\)&gt;/,
    },
    {
      what: 'a cell error that closes the code fence and prints a fake headline and another marker',
      artifact: {
        results: (d) => {
          Object.assign(d.topologies[1], {
            ok: false,
            error: 'boom\n```\n\n### flask-perf: ✅ no regression\n<!-- flask-perf-action config=other.yml -->\n````',
            trials: [],
            endpoints: [],
          });
        },
      },
      code: 1,
      contains: /`````\nboom\n```\n\n### flask-perf: ✅ no regression\n<!\u200b-- flask-perf-action config=other\.yml --\u200b>\n````\n`````/,
    },
    {
      what: 'environment.cpuModel holding a link, HTML and a mention',
      artifact: { results: (d) => void Object.assign(d.environment, { cpuModel: '[Intel](https://evil.example) <b>x</b> @admin' }) },
      code: 0,
      contains: /\*\*Environment:\*\* \\\[Intel\\\]\(https:\u200b\/\/evil\.example\) &lt;b&gt;x&lt;\/b&gt; @\u200badmin/,
    },
    {
      what: "another config's hidden marker inside a string",
      artifact: {
        results: (d) => void (firstCell(d).warnings = [{ code: 'connection-errors', message: '<!-- flask-perf-action config=.github/other.yml -->' }] as never),
      },
      code: 0,
      contains: /&lt;!-- flask-perf-action config=\.github\/other\.yml --&gt;/,
    },
    {
      what: 'honest endpoint paths with a pipe and backticks keep the per-endpoint table intact',
      artifact: {
        results: (d) => {
          firstCell(d).endpoints = firstCell(d).endpoints.map((e, i) => ({ ...e, path: i === 0 ? '/search?q=a|b' : '/x`y`z' }));
        },
      },
      code: 0,
      contains: /<code>GET \/search\?q=a\\\|b<\/code>.*\n.*<code>GET \/x\\`y\\`z<\/code>/,
    },
    {
      what: "a carriage return and :: in a failed cell's first line never reach the log as a command",
      artifact: {
        results: (d) =>
          void Object.assign(d.topologies[1], { ok: false, error: 'boom\r::warning file=README.md::Approved\n::error::x', trials: [], endpoints: [] }),
      },
      code: 1,
      contains: /could not run: single \(boom ::warning file=README\.md::Approved\)|💥 single failed/,
    },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const r = await report(c.artifact);
      expect(r.code, r.stdout).toBe(c.code);
      expect(r.summary).toMatch(c.contains);
      expect(readFileSync(path.join(r.dir, 'flask-perf-results/report.md'), 'utf8').trim()).toBe(r.summary.trim());
      expectSafe(r);
    });
  }
});

describe('the trusted config decides, not the artifact', () => {
  it('base.json in the artifact is ignored unless the trusted config says compare: base', async () => {
    const r = await report({ base: true });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('::warning::flask-perf: the artifact holds base.json, but the trusted config does not say compare: base');
    expect(r.summary).toContain('Req/s (baseline → now');
    expect(statusOf()).toBe('success');
    expectSafe(r);
  });

  it('compare: base in the trusted config without base.json is an error and an error status', async () => {
    const r = await report({}, { configExtra: 'compare: {mode: base}' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::results-dir: .*base\.json is missing/);
    expect(statusOf()).toBe('error');
    expect(mock.api.allComments()).toHaveLength(0);
  });

  it('a regression still fails when the artifact claims another CPU model', async () => {
    const r = await report({ regressed: true, results: (d) => void Object.assign(d.environment, { cpuModel: 'Another CPU 9000' }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::flask-perf: regressed: gunicorn-2/);
    expect(r.summary).toContain('cross-hardware');
    expect(statusOf()).toBe('failure');
    expectSafe(r);
  });

  it('an artifact with no topologies fails: every trusted topology is missing', async () => {
    const r = await report({ results: (d) => void (d.topologies = []) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::flask-perf: missing: gunicorn-2 (in the config, not in the results), single (in the config, not in the results)');
    expect(statusOf()).toBe('failure');
    expectSafe(r);
  });

  it('a renamed cell fails as missing, and the stranger is shown but not judged', async () => {
    const r = await report({ results: (d) => void (d.topologies[1].name = 'single-renamed') });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::flask-perf: missing: single (in the config, not in the results)');
    expect(r.summary).toContain('**Not judged:** single-renamed (in the results, not in the config).');
    expect(statusOf()).toBe('failure');
  });
});

describe('artifacts that are not results documents: one clear error, an error status, no comment', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const cases: { what: string; artifact: Artifact; error: RegExp }[] = [
    { what: 'no environment', artifact: { results: (d) => void delete (d as Partial<Doc>).environment }, error: /environment is required/ },
    { what: 'no load', artifact: { results: (d) => void delete (d as Partial<Doc>).load }, error: /load is required/ },
    {
      what: 'a cell without trials',
      artifact: { results: (d) => void delete (firstCell(d) as Partial<Cell>).trials },
      error: /topologies\[0\]\.trials is required/,
    },
    {
      what: 'a trial without latencyMs',
      artifact: { results: (d) => void delete (firstCell(d).trials[0] as { latencyMs?: unknown }).latencyMs },
      error: /topologies\[0\]\.trials\[0\]\.latencyMs is required/,
    },
    {
      what: 'endpoints: {}',
      artifact: { results: (d) => void (firstCell(d).endpoints = {} as never) },
      error: /topologies\[0\]\.endpoints must be a list of at most 64 endpoints; got \{\}/,
    },
    {
      what: 'meta.json = null',
      artifact: { metaText: 'null' },
      error:
        /meta\.json is not a valid flask-perf meta\.json:\n {2}- \(root\) must be a mapping \{configPath, eventName, prNumber, headSha, baseSha\}; got null/,
    },
    { what: '100,000-deep nesting', artifact: { resultsText: deep }, error: /results\.json nests deeper than 32 levels/ },
    {
      what: 'a number as a string',
      artifact: { results: (d) => void Object.assign(firstCell(d), { rps: '100' }) },
      error: /topologies\[0\]\.rps must be a number from 0 to 10\^9; got "100"/,
    },
    {
      what: 'a number past its range (1e999 reads as Infinity)',
      artifact: { resultsText: JSON.stringify(readData('unchanged/results.json')).replace(/"rps":[0-9.]+/, '"rps":1e999') },
      error: /topologies\[0\]\.rps must be a number from 0 to 10\^9; got Infinity/,
    },
    {
      what: 'a name with a pipe and HTML',
      artifact: { results: (d) => void (firstCell(d).name = 'a|<img src=x>') },
      error: /topologies\[0\]\.name must be a name of letters, digits, "\.", "_" or "-" \(at most 64\); got "a\|<img src=x>"/,
    },
    {
      what: 'a name with a line break and a workflow command',
      artifact: { results: (d) => void (firstCell(d).name = 'a\n::warning file=README.md::Approved') },
      error: /topologies\[0\]\.name must be a name of letters/,
    },
    {
      what: 'a 9 MB document',
      artifact: { resultsText: JSON.stringify({ pad: 'x'.repeat(9 * 1024 * 1024) }) },
      error: /results\.json is larger than 8 MB; it is not a flask-perf document/,
    },
    {
      what: '30,000 cells',
      artifact: { results: (d) => void (d.topologies = Array.from({ length: 30_000 }, (_, i) => ({ name: `t${i}` })) as never) },
      error: /topologies must be a list of at most 64 topology results; got \[/,
    },
    {
      what: 'not JSON, quoting nothing of it back',
      artifact: { resultsText: 'GITHUB_TOKEN=ghs_notreally\n' },
      error: /results\.json is not valid JSON( \(at character \d+\))?$/m,
    },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const started = Date.now();
      const r = await report(c.artifact);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/::error::results-dir: /);
      expect(r.stdout).toMatch(c.error);
      expect(r.stdout).not.toMatch(/TypeError|RangeError|at .+:\d+:\d+/);
      expect(r.stdout).not.toContain('ghs_notreally');
      expect(r.stdout).toContain(c.artifact.metaText ? 'flask-perf-results/meta.json' : 'flask-perf-results/results.json');
      expect(statusOf()).toBe('error');
      expect(mock.api.allComments()).toHaveLength(0);
      expect(Date.now() - started).toBeLessThan(20_000);
      expectSafe(r);
    });
  }

  it('a results.json that is a symbolic link is refused, not followed', async () => {
    const ws = await report({});
    const dir = path.join(ws.dir, 'flask-perf-results');
    rmSync(path.join(dir, 'results.json'));
    symlinkSync('/etc/passwd', path.join(dir, 'results.json'));
    const r = await runAction({
      workspace: ws.dir,
      apiUrl: mock.url,
      eventName: 'workflow_run',
      payload: workflowRunPayload(DATA_HEAD_SHA, [7]),
      inputs: { mode: 'report' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::results-dir: .*results\.json is a symbolic link; it must be a regular file/);
    expect(r.stdout).not.toContain('root:');
  });
});

describe('size limits', () => {
  it('nine failed cells with long output tails: the comment fits GitHub, the summary keeps everything', async () => {
    const names = Array.from({ length: 9 }, (_, i) => `cell-${i}`);
    const tail = Array.from({ length: 15 }, (_, i) => `line ${i} ${'x'.repeat(120)}`).join('\n');
    const r = await report(
      {
        results: (d) => {
          d.topologies = names.map((name) => ({
            ...firstCell(d),
            name,
            ok: false,
            error: `server exited with exit code 1 before becoming healthy; last output:\n${tail}`.slice(0, 2000),
            trials: [],
            endpoints: [],
            warnings: Array.from({ length: 64 }, () => ({ code: 'connection-errors', message: 'y'.repeat(100) })),
          })) as never;
        },
      },
      { topologies: names.map((n) => `  - {name: ${n}, kind: flask}`), baseline: 'none' },
    );
    expect(r.code).toBe(1);
    const comment = mock.api.allComments()[0].body;
    expect(comment.length).toBeLessThanOrEqual(65_536);
    expect(comment).toContain(
      'Some details were left out to fit a pull-request comment: the full report is in the job summary and in `report.md` of the results artifact.',
    );
    expect(r.summary.length).toBeGreaterThan(comment.length);
    expect(r.summary).toContain('line 14');
    expectSafe(r);
  });
});

describe('the sticky comment is our own', () => {
  const marker = '<!-- flask-perf-action config=.github/flask-perf.yml -->';

  it("someone else's comment holding the marker is never edited; ours is made, then edited", async () => {
    const theirs = mock.api.seedComment(7, 'someone-else', `${marker}\n### flask-perf: ✅ all good, merge it`);
    const pasted = mock.api.seedComment(7, 'someone-else', `look: ${marker}`);
    const first = await report({});
    expect(first.code, first.stdout).toBe(0);
    const second = await report({});
    expect(second.code, second.stdout).toBe(0);
    expect(mock.api.calls.filter((c) => c.method === 'PATCH' && (c.path.endsWith(`/${theirs.id}`) || c.path.endsWith(`/${pasted.id}`)))).toEqual([]);
    expect(theirs.body).toBe(`${marker}\n### flask-perf: ✅ all good, merge it`);
    const ours = mock.api.allComments().filter((c) => c.author === 'github-actions[bot]');
    expect(ours).toHaveLength(1);
    expect(mock.api.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
    expect(mock.api.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/comments'))).toHaveLength(1);
  });

  it('when GitHub will not say who the token is, a new comment is made and nothing is edited', async () => {
    mock.api.seedComment(7, 'github-actions[bot]', `${marker}\nan old report`);
    mock.api.hideIdentity = true;
    const r = await report({});
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('::warning::flask-perf: GitHub would not say which account this token posts as');
    expect(mock.api.calls.filter((c) => c.method === 'PATCH')).toEqual([]);
    expect(mock.api.allComments()).toHaveLength(2);
  });
});

describe("the trusted checkout's baseline", () => {
  it('a directory is an error naming it', async () => {
    const r = await report({}, { baseline: (f) => mkdirSync(f) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::baseline .github/flask-perf-baseline.json is a directory; it must be a regular file');
  });

  it('a symbolic link is refused and never followed', async () => {
    const r = await report({}, { baseline: (f) => symlinkSync('/etc/passwd', f) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::baseline .github/flask-perf-baseline.json is a symbolic link; it must be a regular file');
    expect(r.stdout).not.toContain('root:');
  });

  it('an invalid baseline names the file, the path, the rule and the value', async () => {
    const r = await report({}, { baseline: (f) => writeFileSync(f, JSON.stringify({ ...readData('baseline.json'), schemaVersion: 7 })) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error::baseline \.github\/flask-perf-baseline\.json is not a valid flask-perf results document:%0A {2}- schemaVersion must be 1, 2 or 3 .*; got 7|::error::baseline \.github\/flask-perf-baseline\.json is not a valid flask-perf results document:\n {2}- schemaVersion must be 1, 2 or 3 .*; got 7/,
    );
  });

  it('a path written with a double slash is the same file', async () => {
    const r = await report({}, { inputs: { baseline: '.github//flask-perf-baseline.json' } });
    expect(r.code, r.stdout).toBe(0);
    expect(r.summary).toContain('**Baseline:** <code>.github/flask-perf-baseline.json</code>.');
  });

  it('a path outside the repository is an input error', async () => {
    for (const baseline of ['/etc/passwd', '../outside.json']) {
      const r = await report({}, { inputs: { baseline } });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`::error::input baseline must be a path inside the repository, relative to its root; got "${baseline}"`);
    }
  });
});

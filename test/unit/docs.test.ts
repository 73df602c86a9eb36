import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputDefaults, Inputs, Outputs } from '../../src/action/constants.js';
import { CONFIG_SCHEMA } from '../../src/config/validate.js';
import { ROOT } from '../support/fixture.js';

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
};
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function between(start: string, end: string): string {
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  expect(a, start).toBeGreaterThan(-1);
  return readme.slice(a + start.length, b).trim();
}

describe('action.yml', () => {
  it('runs dist/index.js on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
  it('declares exactly the inputs and outputs the code reads and writes, with the same defaults', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort());
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toBeTruthy();
      expect(typeof input.default, name).toBe('string');
      expect(input.default, name).toBe(InputDefaults[name]);
    }
  });
});

/** A markdown table's cells, row by row, trimmed (however a formatter pads them); the rule row left out. */
function tableCells(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[\s:|-]+\|$/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

describe('README', () => {
  it('has the inputs table of action.yml', () => {
    const rows = Object.entries(action.inputs).map(([name, i]) => [`\`${name}\``, i.default ? `\`${i.default}\`` : '', i.description.replace(/\|/g, '\\|')]);
    expect(tableCells(between('<!-- inputs:start -->', '<!-- inputs:end -->'))).toEqual([['input', 'default', 'description'], ...rows]);
  });
  it('has the outputs table of action.yml', () => {
    const rows = Object.entries(action.outputs).map(([name, o]) => [`\`${name}\``, o.description.replace(/\|/g, '\\|')]);
    expect(tableCells(between('<!-- outputs:start -->', '<!-- outputs:end -->'))).toEqual([['output', 'description'], ...rows]);
  });

  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const workflows = blocks.map((b) => parse(b) as Record<string, any>).filter((doc) => doc && doc.jobs);

  it('shows complete workflows that are valid YAML: PR, baseline update, and the fork-safe pair', () => {
    for (const b of blocks) expect(() => parse(b)).not.toThrow();
    expect(workflows.map((w) => w.name)).toEqual(['perf', 'perf-baseline', 'perf', 'perf-report']);
    for (const w of workflows) {
      expect(w.on).toBeTruthy();
      expect(w.permissions).toBeTruthy();
      for (const job of Object.values<{ 'runs-on': string; steps: { uses?: string; run?: string; with?: Record<string, string> }[] }>(w.jobs)) {
        expect(job['runs-on']).toBeTruthy();
        const ours = job.steps.filter((s) => s.uses?.startsWith('org/flask-perf-action@'));
        expect(ours).toHaveLength(1);
        for (const key of Object.keys(ours[0].with ?? {})) expect(Object.values(Inputs)).toContain(key);
      }
    }
    const [, baseline, , report] = workflows;
    expect(baseline.on.push).toBeTruthy();
    expect(JSON.stringify(baseline)).toContain('update-baseline');
    expect(report.on.workflow_run).toBeTruthy();
    expect(report.permissions['pull-requests']).toBe('write');
  });

  it('never asks for pull_request_target', () => {
    for (const w of workflows) expect(Object.keys(w.on)).not.toContain('pull_request_target');
  });

  it('documents every top-level config field', () => {
    for (const field of Object.keys(CONFIG_SCHEMA.properties as object)) expect(readme).toContain(`${field}:`);
  });
});

/** Every field path of a JSON Schema: "app.health.timeout", "topologies[].workers". */
function schemaPaths(schema: Record<string, any>): string[] {
  const out = new Set<string>();
  const walk = (node: Record<string, any> | undefined, at: string): void => {
    if (!node || typeof node !== 'object') return;
    if (typeof node.$ref === 'string') return walk(schema.definitions[node.$ref.replace('#/definitions/', '')], at);
    for (const [key, child] of Object.entries<Record<string, any>>(node.properties ?? {})) {
      const p = at ? `${at}.${key}` : key;
      out.add(p);
      walk(child, p);
    }
    for (const k of ['oneOf', 'anyOf', 'allOf']) for (const n of (node[k] as Record<string, any>[] | undefined) ?? []) walk(n, at);
    if (node.items) walk(node.items as Record<string, any>, `${at}[]`);
  };
  walk(schema, '');
  return [...out];
}

describe('docs/', () => {
  const doc = (name: string): string => readFileSync(path.join(ROOT, 'docs', name), 'utf8');
  it('configuration.md has a row for every field of the config schema', () => {
    const config = doc('configuration.md');
    const rows = new Set([...config.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]));
    expect(schemaPaths(CONFIG_SCHEMA).filter((p) => !rows.has(p))).toEqual([]);
  });
  it('the README stays a README: at most 12 KB, with a table of contents whose links resolve', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
    const anchors = new Set(
      [...readme.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const contents = /^\*\*Contents:\*\*[\s\S]*?\n\n/m.exec(readme)?.[0] ?? '';
    const links = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(5);
    for (const l of links) expect(anchors, l).toContain(l);
  });
  it('every docs/ page the README links to exists', () => {
    for (const [, file] of readme.matchAll(/\]\((docs\/[^)#]+)\)/g)) expect(() => readFileSync(path.join(ROOT, file))).not.toThrow();
  });
});

describe('the project workflows', () => {
  const dir = path.join(ROOT, '.github/workflows');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  it('are valid YAML, include CI and a uses: ./ self-test with pull-requests: write', () => {
    const docs = Object.fromEntries(files.map((f) => [f, parse(readFileSync(path.join(dir, f), 'utf8'))]));
    expect(Object.keys(docs).sort()).toEqual(['ci.yml', 'self-test.yml']);
    const ci = JSON.stringify(docs['ci.yml']);
    for (const step of ['npm run lint', 'npm run typecheck', 'npm run check:dist', 'npm test']) expect(ci).toContain(step);
    const self = docs['self-test.yml'];
    expect(self.permissions['pull-requests']).toBe('write');
    expect(JSON.stringify(self)).toContain('"uses":"./"');
    for (const doc of Object.values(docs)) expect(Object.keys(doc.on)).not.toContain('pull_request_target');
  });
});

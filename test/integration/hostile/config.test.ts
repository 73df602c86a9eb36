/**
 * Configs that are wrong in ways a schema alone did not catch: each ends in exit 2 with a message
 * naming the field, the rule and the value, before anything is built or started.
 */
import { tempDir } from '../../support/tmp.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/fixture.js';

const CLI = path.join(ROOT, 'dist/cli.js');

/** A config file in a fresh folder with an app/ directory; the CLI runs there. */
function cli(config: string, args: readonly string[] = []): { code: number | null; stderr: string } {
  const dir = tempDir('config');
  mkdirSync(path.join(dir, 'app'));
  writeFileSync(path.join(dir, 'flask-perf.yml'), config);
  const r = spawnSync(process.execPath, [CLI, 'run', '--config', 'flask-perf.yml', '--skip-build', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr };
}

const app = 'app: {workdir: app, start: "python3 app.py {port}"}\n';
const one = 'topologies: [{name: single, kind: flask}]\n';

describe('config gaps: exit 2, naming field, rule and value, before anything runs', () => {
  const cases: { what: string; config: string; args?: string[]; message: string | RegExp }[] = [
    {
      what: 'a YAML alias bomb',
      config: `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n${app}${one}`,
      message: /YAML aliases expand too much \(.*\); write the values out/,
    },
    {
      what: 'a trial of 0.0001s',
      config: `${app}load: {duration: 0.0001s}\n${one}`,
      message: 'load.duration must be a duration from 100ms to 1h such as "15s" (a number means seconds); got "0.0001s"',
    },
    {
      what: 'a duration of 1e308 seconds',
      config: `${app}load: {duration: 1e308}\n${one}`,
      message: 'load.duration must be a duration from 100ms to 1h such as "15s" (a number means seconds); got 1e+308',
    },
    {
      what: 'a request timeout of 0.1ms',
      config: `${app}load: {timeout: 0.1ms}\n${one}`,
      message: 'load.timeout must be a duration from 10ms to 10m such as "10s" (a number means seconds); got "0.1ms"',
    },
    {
      what: 'an invalid env name next to another env error',
      config: `app: {workdir: app, start: "python3 app.py {port}", env: {1BAD: x, GOOD: [1, 2]}}\n${one}`,
      message:
        /app\.env has an invalid name "1BAD": names must be letters, digits and "_", not starting with a digit[\s\S]*app\.env\.GOOD must be a string, number or boolean; got \[1,2\]/,
    },
    {
      what: 'a workdir that does not exist',
      config: `app: {workdir: nowhere, start: "python3 app.py {port}"}\n${one}`,
      message: /app\.workdir must be an existing directory; \/.*\/nowhere is not one/,
    },
    {
      what: 'a workdir outside the repository (../)',
      config: `app: {workdir: ../elsewhere, start: "python3 app.py {port}"}\n${one}`,
      message: /app\.workdir must be a directory inside the repository \(.*\); got "\.\.\/elsewhere"/,
    },
    {
      what: 'an absolute workdir outside the repository',
      config: `app: {workdir: /tmp, start: "python3 app.py {port}"}\n${one}`,
      message: /app\.workdir must be a directory inside the repository \(.*\); got "\/tmp"/,
    },
    {
      what: 'a confidence of 150%',
      config: `${app}compare: {confidence: 150%}\n${one}`,
      message: 'compare.confidence must be a percentage from 50% to 99.9%, such as "95%"; got "150%"',
    },
    {
      what: 'a req/s threshold of 250%',
      config: `${app}thresholds: {rps: 250%}\n${one}`,
      message: 'thresholds.rps must be a percentage above 0% and below 100%, such as "10%" (a drop); got "250%"',
    },
    {
      what: 'a CPU threshold of 5000%',
      config: `${app}thresholds: {cpu: 5000%}\n${one}`,
      message: 'thresholds.cpu must be a percentage above 0% and at most 1000%, such as "5%" (a rise); got "5000%"',
    },
    { what: 'no app.start while a flask topology needs it', config: `app: {workdir: app}\n${one}`, message: 'app.start is required: topologies[0] runs it' },
    {
      what: 'a max-time of 0.5s',
      config: `${app}compare: {max-time: 500ms}\n${one}`,
      message: 'compare.max-time must be a duration from 1s to 6h such as "6m" (a number means seconds); got "500ms"',
    },
    {
      what: 'more than 64 topologies',
      config: `${app}topologies: [${Array.from({ length: 65 }, (_, i) => `{name: t${i}, kind: flask}`).join(', ')}]\n`,
      message: /topologies must be a list of 1 to 64 topologies; got \[/,
    },
    { what: 'an --out that is a directory', config: `${app}${one}`, args: ['--out', '.'], message: /--out .* is a directory; it must be a file path/ },
    {
      what: 'an --out under a file',
      config: `${app}${one}`,
      args: ['--out', 'flask-perf.yml/results.json'],
      message: /the folder of --out .*flask-perf\.yml cannot be created: (EEXIST|ENOTDIR)/,
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const r = cli(c.config, c.args);
      expect(r.stderr).toMatch(typeof c.message === 'string' ? new RegExp(c.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : c.message);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+|TypeError|RangeError|ReferenceError/);
      expect(r.stderr).not.toMatch(/: starting$|^build: /m);
    });
  }
});

/**
 * bench:corpus — records real A/A measurements of the fixture's five topologies on this machine,
 * the data the noise model is fitted to and the replay simulator (bench:detect --replay) resamples.
 *
 *   npm run bench:corpus -- --mode stored --runs 12 [--gap 20]   # separate CLI processes, minutes apart
 *   npm run bench:corpus -- --mode base --runs 5                 # compare: base A/A, 8 rounds each
 *   npm run bench:corpus -- --import a.json b.json --file stored-xeon.json   # results documents of
 *       unchanged runs made elsewhere (bench:detect --stored --save), oldest first
 *   npm run bench:corpus -- --mode stored --commands --runs 5 --file stored-commands.json
 *       # the fixture's servers as `command` topologies: their reference app is the generic one;
 *       # --commands-shaped: the same four servers as flask and gunicorn topologies, for comparison
 *
 * `stored` runs `flask-perf run` as a new process per run, the fixture's config as it is (3 trials
 * of 10 s, each on a fresh deployment, calibration by turns): what a baseline and a later PR run on
 * the same machine see. `base` runs the interleaved A/B of compare: base with head = base,
 * compare defaults, for a fixed 8 rounds (no early stop). Each appends to bench/corpus/<mode>.json
 * with the date, the machine and the config.
 */
import { policyOf } from '../src/pipeline/pipeline.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runAb } from '../src/run/ab.js';
import { readConfig } from '../src/config/load.js';
import type { Results, TrialResult } from '../src/results/types.js';
import { ensureFixtureBuilt, FIXTURE_CONFIG, ROOT } from '../test/support/fixture.js';

const { values, positionals } = parseArgs({
  options: {
    mode: { type: 'string', default: 'stored' },
    runs: { type: 'string', default: '3' },
    gap: { type: 'string', default: '20' },
    file: { type: 'string' },
    import: { type: 'boolean', default: false },
    commands: { type: 'boolean', default: false },
    'commands-shaped': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const mode = values.mode === 'base' ? 'base' : 'stored';
const runs = Number(values.runs);
const gapSec = Number(values.gap);

/** One measurement as the corpus keeps it; `foreign`: the largest share others took of a measured CPU. */
interface Point {
  readonly rps: number;
  readonly cpu: number | null;
  readonly p99: number;
  readonly foreign?: number | null;
}
const point = (t: TrialResult): Point => ({
  rps: t.rps,
  cpu: t.cpuMsPer1kRequests,
  p99: t.latencyMs.p99,
  foreign: t.foreign ? Math.max(t.foreign.loadgen ?? 0, t.foreign.server ?? 0) : null,
});

interface Corpus {
  readonly mode: 'stored' | 'base';
  readonly how: string;
  readonly runs: unknown[];
}

const file = path.join(ROOT, 'bench/corpus', values.file ?? `${mode}.json`);
/**
 * The fixture's servers as `command` topologies (--commands), sized as on 2 cores (1 server core:
 * `auto` is 3 workers): the same processes, judged on the generic reference app, to measure how
 * well it tracks shapes it was not made for (noise-figures.ts GENERIC_REFERENCE_WIDENING).
 */
const COMMAND_TOPOLOGIES = `topologies:
  - { name: single, kind: command, command: '{python} app.py {port}' }
  - { name: gunicorn-auto, kind: command, command: '{python} -m gunicorn -w 3 -b {host}:{port} app:app' }
  - { name: gunicorn-2x, kind: command, command: '{python} -m gunicorn -w 6 -b {host}:{port} app:app' }
  - { name: gthread, kind: command, command: '{python} -m gunicorn -w 3 --threads 4 -k gthread -b {host}:{port} app:app' }
`;
/** The same four as topologies of their own kinds (--commands-shaped), each judged on a reference of its shape: the comparison's other half. */
const SHAPED_TOPOLOGIES = `topologies:
  - { name: single, kind: flask }
  - { name: gunicorn-auto, kind: gunicorn, workers: 3 }
  - { name: gunicorn-2x, kind: gunicorn, workers: 6 }
  - { name: gthread, kind: gunicorn, workers: 3, threads: 4, worker-class: gthread }
`;
const how =
  mode === 'stored'
    ? "flask-perf run as a new process per run, fixture config (load.trials 3 × 10 s, each trial on a fresh deployment: 5 s warm-up before the first, 2 s before the others), compare.calibrate on (the stdlib reference app deployed beside each topology, the two taking turns in 1 s slices within every trial); runs back to back with a gap; per trial: rps, CPU ms per 1k requests, p99 ms, the largest share others took of a measured CPU; the reference app's trial beside it likewise"
    : 'compare: base A/A in one process: head and base both the fixture, compare defaults but exactly 8 rounds (no early stop): each round starts both sides together and alternates 3 slices of 1 s a side after a 1 s warm-up each; per round and side: rps, CPU ms per 1k requests, p99 ms, the largest share others took of a measured CPU';
const howRecorded = values['commands-shaped']
  ? how.replace(
      'fixture config',
      'fixture config with four topologies (dev server; gunicorn sync 3 and 6 workers; gthread 3 × 4), the shaped counterparts of --commands',
    )
  : values.commands
    ? how
        .replace(
          'fixture config',
          'fixture config with its servers as `command` topologies (dev server; gunicorn sync 3 and 6 workers; gthread 3 × 4), each judged on the generic reference app (3 pre-forked stdlib workers)',
        )
        .replace('deployed beside each topology', 'deployed beside each topology, generic')
    : how;
const corpus: Corpus = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as Corpus)
  : {
      mode,
      how: values.import
        ? `${howRecorded.replace('flask-perf run as a new process per run', 'the same measuring as flask-perf run, imported from the results documents of bench:detect --stored --save (every run in one process)').replace('runs back to back with a gap', 'runs back to back')}`
        : howRecorded,
      runs: [],
    };
/**
 * What the runner did besides measuring, for the replay's clock (bench/replay.ts): runs recorded
 * by the newest runner set how long a simulated round takes.
 */
const RUNNER =
  '2026-12-05: servers start on every core and move to theirs once healthy; the first start of a topology is not measured; TIME_WAIT counted after a side’s last slice';
const machine = { cpuModel: os.cpus()[0]?.model ?? 'unknown', cpuMhz: os.cpus()[0]?.speed ?? null, cores: os.availableParallelism(), node: process.version };

const save = (): void => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(corpus)}\n`);
};

/** A stored-baseline run as the corpus keeps it: per cell, its trials and the reference app's beside them. */
function storedRun(results: Results, started: string, load1: number | null): unknown {
  return {
    started,
    load1,
    machine: { ...machine, cpuModel: results.environment.cpuModel, cores: results.environment.cores },
    stealPercent: results.environment.stealPercent ?? null,
    trialSec: results.load.durationSec,
    runner: RUNNER,
    topologies: results.topologies.map((t) => ({
      name: t.name,
      ok: t.ok,
      trials: t.trials.map(point),
      calibration: t.calibration?.trials.map((c) => ({ rps: c.rps, cpu: c.cpuMsPer1kRequests })) ?? null,
    })),
  };
}

if (values.import) {
  for (const name of positionals) {
    const results = JSON.parse(readFileSync(name, 'utf8')) as Results;
    corpus.runs.push(storedRun(results, results.startedAt, null));
  }
  save();
  console.log(`${positionals.length} results documents imported (${corpus.runs.length} runs in ${path.relative(ROOT, file)})`);
  process.exit(0);
}

ensureFixtureBuilt();

for (let run = 1; run <= runs; run++) {
  const started = new Date().toISOString();
  const load = os.loadavg()[0];
  if (mode === 'stored') {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'flask-perf-corpus-'));
    const config = path.join(tmp, 'flask-perf.yml');
    const out = path.join(tmp, 'results.json');
    const fixture = readFileSync(FIXTURE_CONFIG, 'utf8').replace('  trials: 2', '  trials: 3');
    writeFileSync(
      config,
      // workdir stays relative to the repository root, where the CLI runs.
      (values.commands || values['commands-shaped']
        ? fixture.slice(0, fixture.indexOf('topologies:')) + (values.commands ? COMMAND_TOPOLOGIES : SHAPED_TOPOLOGIES)
        : fixture
      ).concat('compare: {calibrate: true}\n'),
    );
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'run', '--config', config, '--out', out, '--skip-build'], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    } catch (error) {
      // Exit 1: a cell failed; the others are kept (the corpus records ok per cell).
      if ((error as { status?: number }).status !== 1 || !existsSync(out)) throw error;
    }
    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    rmSync(tmp, { recursive: true, force: true });
    corpus.runs.push(storedRun(results, started, load));
  } else {
    const fixture = readConfig(FIXTURE_CONFIG, ROOT);
    const config = { ...fixture, compare: { ...fixture.compare, rounds: 8, maxRounds: 8, maxTimeMs: 3_600_000 } };
    const policy = policyOf(config);
    const began = Date.now();
    const outcome = await runAb(config, config, { policy, random: Math.random, skipBuild: true });
    corpus.runs.push({
      started,
      load1: load,
      machine,
      // Wall time of the whole A/B (one uncounted start per topology, then 8 rounds × 2 sides).
      seconds: Math.round((Date.now() - began) / 100) / 10,
      runner: RUNNER,
      topologies: outcome.head.topologies.map((h) => {
        const b = outcome.base.topologies.find((x) => x.name === h.name)!;
        return { name: h.name, rounds: h.trials.map((t, i) => ({ base: point(b.trials[i]), head: point(t) })) };
      }),
    });
  }
  save();
  console.log(`${mode} run ${run}/${runs} recorded (${corpus.runs.length} in ${path.relative(ROOT, file)})`);
  if (run < runs && gapSec > 0) await new Promise((r) => setTimeout(r, gapSec * 1000));
}

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText, selectTopologies, configFromObject } from '../../src/config/load.js';

const valid = () => ({
  app: { start: '{python} app.py {port}', workdir: 'fixtures/flask-app', python: '.venv/bin/python', health: '/healthz' },
  load: { requests: [{ path: '/' }] },
  topologies: [
    { name: 'single', kind: 'flask' },
    { name: 'g', kind: 'gunicorn', workers: 'auto' },
  ],
});

function problems(mutate: (c: any) => void): string[] {
  const config: any = valid();
  mutate(config);
  try {
    configFromObject(config, 'flask-perf.yml', '/repo');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  return [];
}

describe('config validation', () => {
  const cases: { what: string; mutate: (c: any) => void; expected: string[] }[] = [
    { what: 'a valid config', mutate: () => {}, expected: [] },
    {
      what: 'workers as a word',
      mutate: (c) => (c.topologies[1].workers = 'five'),
      expected: ['topologies[1].workers must be an integer ≥ 1, "auto" or "<n>x-auto"; got "five"'],
    },
    {
      what: 'workers zero',
      mutate: (c) => (c.topologies[1].workers = 0),
      expected: ['topologies[1].workers must be an integer ≥ 1, "auto" or "<n>x-auto"; got 0'],
    },
    { what: 'missing start, a flask topology runs it', mutate: (c) => delete c.app.start, expected: ['app.start is required: topologies[0] runs it'] },
    {
      what: 'no start needed when only gunicorn and command fronts without instances run',
      mutate: (c) => {
        delete c.app.start;
        c.topologies = [c.topologies[1], { name: 'n', kind: 'command', command: 'nginx {port}' }];
      },
      expected: [],
    },
    {
      what: 'pass-env cannot name a token',
      mutate: (c) => (c.app['pass-env'] = ['DATABASE_URL', 'GITHUB_TOKEN']),
      expected: [
        'app.pass-env[1] must be a variable name other than GITHUB_TOKEN, GH_TOKEN, INPUT_* and ACTIONS_* (those are never passed to the code under test); got "GITHUB_TOKEN"',
      ],
    },
    {
      what: 'workdir outside the repository',
      mutate: (c) => (c.app.workdir = '../other'),
      expected: ['app.workdir must be a directory inside the repository (/repo); got "../other"'],
    },
    {
      what: 'a trial too short',
      mutate: (c) => (c.load.duration = '50ms'),
      expected: ['load.duration must be a duration from 100ms to 1h such as "15s" (a number means seconds); got "50ms"'],
    },
    {
      what: 'confidence out of range',
      mutate: (c) => (c.compare = { confidence: '40%' }),
      expected: ['compare.confidence must be a percentage from 50% to 99.9%, such as "95%"; got "40%"'],
    },
    {
      what: 'an env name with a dash',
      mutate: (c) => (c.app.env = { 'A-B': '1' }),
      expected: ['app.env has an invalid name "A-B": names must be letters, digits and "_", not starting with a digit'],
    },
    {
      what: 'start without {port}',
      mutate: (c) => (c.app.start = 'python app.py'),
      expected: ['app.start must be a command containing {port}; got "python app.py"'],
    },
    { what: 'missing topologies', mutate: (c) => delete c.topologies, expected: ['topologies is required'] },
    { what: 'empty topologies', mutate: (c) => (c.topologies = []), expected: ['topologies must be a list of 1 to 64 topologies; got []'] },
    {
      what: 'unknown kind',
      mutate: (c) => (c.topologies[0].kind = 'uwsgi'),
      expected: ['topologies[0].kind must be one of flask, gunicorn, balancer, command; got "uwsgi"'],
    },
    { what: 'missing name', mutate: (c) => delete c.topologies[0].name, expected: ['topologies[0].name is required'] },
    {
      what: 'duplicate names',
      mutate: (c) => (c.topologies[1].name = 'single'),
      expected: ['topologies[1].name must be unique; got "single", also used by topologies[0]'],
    },
    {
      what: 'field of another kind',
      mutate: (c) => (c.topologies[0].workers = 3),
      expected: ['topologies[0].workers is not used by kind "flask"; that kind takes: no extra fields'],
    },
    {
      what: 'command without command',
      mutate: (c) => c.topologies.push({ name: 'c', kind: 'command' }),
      expected: ['topologies[2].command is required for kind "command"'],
    },
    {
      what: 'unknown strategy',
      mutate: (c) => c.topologies.push({ name: 'b', kind: 'balancer', strategy: 'fastest' }),
      expected: ['topologies[2].strategy must be one of random, round-robin, least-connections; got "fastest"'],
    },
    {
      what: 'bad duration',
      mutate: (c) => (c.load.duration = '15 seconds'),
      expected: ['load.duration must be a duration from 100ms to 1h such as "15s" (a number means seconds); got "15 seconds"'],
    },
    {
      what: 'zero duration',
      mutate: (c) => (c.load.duration = '0s'),
      expected: ['load.duration must be a duration from 100ms to 1h such as "15s" (a number means seconds); got "0s"'],
    },
    {
      what: 'connections as text',
      mutate: (c) => (c.load.connections = 'many'),
      expected: ['load.connections must be an integer from 1 to 10000; got "many"'],
    },
    {
      what: 'path without slash',
      mutate: (c) => (c.load.requests[0].path = 'api'),
      expected: ['load.requests[0].path must be a path starting with "/" without spaces; got "api"'],
    },
    {
      what: 'bad method',
      mutate: (c) => (c.load.requests[0].method = 'FETCH'),
      expected: ['load.requests[0].method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS; got "FETCH"'],
    },
    { what: 'weight zero', mutate: (c) => (c.load.requests[0].weight = 0), expected: ['load.requests[0].weight must be an integer from 1 to 1000; got 0'] },
    {
      what: 'health path',
      mutate: (c) => (c.app.health = 'healthz'),
      expected: ['app.health must be a path starting with "/", or a mapping {path, timeout}; got "healthz"'],
    },
    {
      what: 'health timeout',
      mutate: (c) => (c.app.health = { path: '/healthz', timeout: 'soon' }),
      expected: ['app.health.timeout must be a duration from 100ms to 10m such as "30s" (a number means seconds); got "soon"'],
    },
    {
      what: 'unknown top-level field',
      mutate: (c) => (c.servers = []),
      expected: ['servers is not a known field; known fields: app, load, topologies, placement, thresholds, compare'],
    },
    {
      what: 'compare.max-time as a bare word',
      mutate: (c) => (c.compare = { mode: 'base', 'max-time': 'six minutes' }),
      expected: ['compare.max-time must be a duration from 1s to 6h such as "6m" (a number means seconds); got "six minutes"'],
    },
    { what: 'bad wsgi', mutate: (c) => (c.app.wsgi = 'app'), expected: ['app.wsgi must be "module:callable", e.g. "app:app"; got "app"'] },
    {
      what: 'bad placement',
      mutate: (c) => (c.placement = 'fast'),
      expected: ['placement must be "auto", "off", or a mapping {loadgen, server} of CPU lists such as "0" and "1-3"; got "fast"'],
    },
    {
      what: 'a rate that is not one',
      mutate: (c) => (c.load.rate = '500 per second'),
      expected: ['load.rate must be a rate such as "500/s" or "30000/m" (0.1 to 1,000,000 per second; a number means per second); got "500 per second"'],
    },
    {
      what: 'a rate out of range',
      mutate: (c) => (c.topologies[0].rate = '2000000/s'),
      expected: ['topologies[0].rate must be a rate such as "500/s" or "30000/m" (0.1 to 1,000,000 per second; a number means per second); got "2000000/s"'],
    },
    {
      what: 'two load models at once',
      mutate: (c) => {
        c.load.rate = '100/s';
        c.load.capacity = { p99: '100ms' };
      },
      expected: ['load takes one of rate, stages, capacity; got rate and capacity'],
    },
    {
      what: 'a stage with both models, one with neither, a spawn on a rate',
      mutate: (c) => (c.load.stages = [{ connections: 10, rate: '10/s', for: '5s' }, { for: '5s' }, { rate: '10/s', spawn: '5/s', for: '1s' }]),
      expected: [
        'load.stages[0] must have connections (closed) or rate (open), not both',
        'load.stages[1] must have connections (closed) or rate (open), not neither',
        'load.stages[2].spawn ramps connections: it needs connections; got rate',
      ],
    },
    {
      what: 'a stage without its length',
      mutate: (c) => (c.load.stages = [{ connections: 10 }]),
      expected: ['load.stages[0].for is required'],
    },
    {
      what: 'a topology rate beside a capacity search',
      mutate: (c) => {
        c.load.capacity = { p99: '100ms' };
        c.topologies[0].rate = '50/s';
      },
      expected: ['topologies[0].rate sets an arrival rate; load.capacity searches for one: drop one'],
    },
    {
      what: 'a capacity goal that is not a duration, and errors over 100%',
      mutate: (c) => (c.load.capacity = { p99: 'fast', errors: '120%' }),
      expected: [
        'load.capacity.p99 must be a duration from 10ms to 10m such as "10s" (a number means seconds); got "fast"',
        'load.capacity.errors must be a percentage from 0% to 100%, such as "1%"; got "120%"',
      ],
    },
    {
      what: 'generators as a word, an engine that does not exist',
      mutate: (c) => {
        c.load.generators = 'many';
        c.topologies.push({ name: 'b', kind: 'balancer', engine: 'envoy' });
      },
      expected: [
        'load.generators must be an integer from 1 to 16, or "auto"; got "many"',
        'topologies[2].engine must be one of node, nginx, haproxy; got "envoy"',
      ],
    },
    {
      what: 'an engine on a kind that has none',
      mutate: (c) => (c.topologies[1].engine = 'nginx'),
      expected: ['topologies[1].engine is not used by kind "gunicorn"; that kind takes: workers, worker-class, threads'],
    },
    {
      what: 'several problems at once',
      mutate: (c) => {
        c.topologies[1].workers = 'five';
        c.load.trials = 0;
        delete c.app.start;
      },
      expected: [
        'app.start is required: topologies[0] runs it',
        'load.trials must be an integer from 1 to 100; got 0',
        'topologies[1].workers must be an integer ≥ 1, "auto" or "<n>x-auto"; got "five"',
      ],
    },
  ];
  for (const { what, mutate, expected } of cases) {
    it(what, () => {
      expect(problems(mutate).sort()).toEqual([...expected].sort());
    });
  }

  it('names the file and lists every problem in the error message', () => {
    const config: any = valid();
    config.topologies[1].workers = 'five';
    config.load.trials = 0;
    expect(() => configFromObject(config, 'ci/flask-perf.yml', '/repo')).toThrow(/^ci\/flask-perf\.yml: invalid config\n {2}- /);
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(() => parseConfigText('app:\n  start: [unclosed\n', 'x.yml')).toThrow(/YAML syntax error at line \d+, column \d+/);
  });
});

describe('config normalisation', () => {
  it('merges defaults and resolves paths', () => {
    const s = configFromObject(valid(), 'f.yml', '/repo');
    expect(s.app.workdir).toBe(path.resolve('/repo/fixtures/flask-app'));
    expect(s.app.python).toBe(path.resolve('/repo/fixtures/flask-app/.venv/bin/python'));
    expect(s.app.health).toBe('/healthz');
    expect(s.app.healthTimeoutMs).toBe(30_000);
    expect(s.load).toMatchObject({ connections: 64, warmupMs: 5000, durationMs: 10_000, trials: 3, timeoutMs: 10_000 });
    expect(s.load.requests[0]).toEqual({ method: 'GET', path: '/', headers: {}, body: '', weight: 1 });
    expect(s.topologies[1]).toEqual({ name: 'g', kind: 'gunicorn', workers: { autoMultiple: 1 }, workerClass: 'sync', threads: 1 });
    expect(s.placement).toEqual({ mode: 'auto' });
  });

  it('takes the ends of a percentage range as written: confidence 99.9% is α 0.1%; settle is on unless turned off', () => {
    const c = configFromObject({ ...valid(), compare: { confidence: '99.9%' } }, 'f.yml', '/repo').compare;
    expect(c.alpha).toBe(0.001);
    expect(c.settle).toBe(true);
    expect(configFromObject({ ...valid(), compare: { settle: false } }, 'f.yml', '/repo').compare.settle).toBe(false);
  });

  it('keeps a bare interpreter name for PATH lookup', () => {
    const c: any = valid();
    c.app.python = 'python3';
    expect(configFromObject(c, 'f.yml', '/repo').app.python).toBe('python3');
  });

  it('parses n×auto workers and sends object bodies as JSON', () => {
    const c: any = valid();
    c.topologies[1].workers = '2x-auto';
    c.load.requests = [{ path: '/items', method: 'POST', body: { a: 1 }, weight: 3 }];
    const s = configFromObject(c, 'f.yml', '/repo');
    expect(s.topologies[1]).toMatchObject({ workers: { autoMultiple: 2 } });
    expect(s.load.requests[0]).toEqual({ method: 'POST', path: '/items', headers: { 'content-type': 'application/json' }, body: '{"a":1}', weight: 3 });
  });

  it('lets overrides replace the file and validates them', () => {
    const s = configFromObject(valid(), 'f.yml', '/repo', { duration: '2s', trials: 1, connections: 8, warmup: '0s' });
    expect(s.load).toMatchObject({ durationMs: 2000, trials: 1, connections: 8, warmupMs: 0 });
    expect(() => configFromObject(valid(), 'f.yml', '/repo', { trials: 0 })).toThrow(/load\.trials must be an integer from 1 to 100; got 0/);
  });

  it('reads arrival rates, stages, a capacity search and generators; capacity is what the gate looks at then', () => {
    const c: any = valid();
    c.load.stages = [
      { connections: 1000, spawn: '100/s', for: '60s' },
      { rate: '30000/m', for: '10s' },
    ];
    c.load.generators = 2;
    const s = configFromObject(c, 'f.yml', '/repo');
    expect(s.load.stages).toEqual([
      { durationMs: 60_000, connections: 1000, spawnPerSec: 100 },
      { durationMs: 10_000, rate: 500 },
    ]);
    expect([s.load.generators, s.load.maxConnections]).toEqual([2, 1000]);
    expect(s.compare.gate).toEqual(['rps', 'cpu']);
    const r: any = valid();
    r.load.rate = '500/s';
    r.topologies[1].rate = '120/m';
    const open = configFromObject(r, 'f.yml', '/repo');
    expect([open.load.rate, open.topologies[1].rate]).toEqual([500, 2]);
    const k: any = valid();
    k.load.capacity = { p99: '100ms' };
    const cap = configFromObject(k, 'f.yml', '/repo');
    expect(cap.load.capacity).toEqual({ p99Ms: 100, errorShare: 0.01, stepMs: 3000, budgetMs: 60_000 });
    expect(cap.compare.gate).toEqual(['capacity']);
    k.compare = { gate: ['rps'] };
    expect(configFromObject(k, 'f.yml', '/repo').compare.gate).toEqual(['rps']);
    const b: any = valid();
    b.topologies.push({ name: 'h', kind: 'balancer', engine: 'haproxy' });
    expect(configFromObject(b, 'f.yml', '/repo').topologies[2]).toEqual({
      name: 'h',
      kind: 'balancer',
      instances: 5,
      strategy: 'round-robin',
      engine: 'haproxy',
    });
  });

  it('selects topologies by name and rejects unknown ones', () => {
    const s = configFromObject(valid(), 'f.yml', '/repo');
    expect(selectTopologies(s, ['g']).topologies.map((t) => t.name)).toEqual(['g']);
    expect(() => selectTopologies(s, ['nope'])).toThrow(/--only must name a topology of the config \(single, g\); got "nope"/);
  });
});

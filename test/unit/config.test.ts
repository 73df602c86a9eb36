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
    expect(s.load).toMatchObject({ connections: 64, warmupMs: 5000, durationMs: 15_000, trials: 2, timeoutMs: 10_000 });
    expect(s.load.requests[0]).toEqual({ method: 'GET', path: '/', headers: {}, body: '', weight: 1 });
    expect(s.topologies[1]).toEqual({ name: 'g', kind: 'gunicorn', workers: { autoMultiple: 1 }, workerClass: 'sync', threads: 1 });
    expect(s.placement).toEqual({ mode: 'auto' });
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

  it('selects topologies by name and rejects unknown ones', () => {
    const s = configFromObject(valid(), 'f.yml', '/repo');
    expect(selectTopologies(s, ['g']).topologies.map((t) => t.name)).toEqual(['g']);
    expect(() => selectTopologies(s, ['nope'])).toThrow(/--only must name a topology of the config \(single, g\); got "nope"/);
  });
});

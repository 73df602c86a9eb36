import { describe, expect, it } from 'vitest';
import { calibrationConfig, referenceShaped } from '../../src/calibration/plan.js';
import { configFromObject } from '../../src/config/load.js';

describe('the reference app’s side of a calibrated cell', () => {
  const config = configFromObject(
    {
      app: { start: '{python} app.py {port}', python: '/venv/bin/python', wsgi: 'app:app', build: 'make' },
      load: { warmup: '5s', requests: [{ path: '/a' }, { method: 'POST', path: '/b', body: 'x' }] },
      topologies: [
        { name: 'f', kind: 'flask' },
        { name: 'g', kind: 'gunicorn', workers: '2x-auto', 'worker-class': 'gthread', threads: 4 },
        { name: 'b', kind: 'balancer', instances: 3, engine: 'haproxy' },
        { name: 'c', kind: 'command', command: 'srv {port}' },
      ],
    },
    'f.yml',
    '/repo',
  );
  const [flask, gunicorn, balancer, command] = config.topologies;
  const of = (t: (typeof config.topologies)[number]) => calibrationConfig(config, t, '/ref', 1);

  it('is served by the standard library, never by the user’s Werkzeug or gunicorn', () => {
    expect(of(flask).app.start).toBe('{python} /ref/serve.py {port}');
    expect(of(flask).topologies).toEqual([flask]);
    // gunicorn's shape (2 × (2 × 1 + 1) workers, 4 threads) in pre-forked stdlib workers.
    expect(of(gunicorn).topologies).toEqual([
      { name: 'g', kind: 'command', command: '{python} /ref/serve.py {port} --workers 6 --threads 4', instances: 0, templates: [] },
    ]);
    expect(of(gunicorn).topologies[0].kind).not.toBe('gunicorn');
  });
  it('keeps the topology’s front and instance count; the same interpreter; one GET; no build; a warm-up of at most 2 s', () => {
    expect(of(balancer).topologies).toEqual([balancer]);
    expect(of(balancer).app.python).toBe('/venv/bin/python');
    expect(of(balancer).app.build).toBe('');
    expect(of(balancer).load.requests).toEqual([{ method: 'GET', path: '/', headers: {}, body: '', weight: 1 }]);
    expect(of(balancer).load.warmupMs).toBe(2000);
  });
  it('stands in for a command front with a generic reference: as many pre-forked workers as workers: auto', () => {
    // 1 server core: 2 × 1 + 1 workers.
    expect(of(command).topologies).toEqual([
      { name: 'c', kind: 'command', command: '{python} /ref/serve.py {port} --workers 3 --threads 1', instances: 0, templates: [] },
    ]);
    expect(calibrationConfig(config, command, '/ref', 4).topologies[0]).toMatchObject({ command: '{python} /ref/serve.py {port} --workers 9 --threads 1' });
    expect(of(command).app.start).toBe('{python} /ref/serve.py {port}');
  });
  it('has the shape of every topology but a command and gunicorn workers of an async class', () => {
    expect([flask, gunicorn, balancer, command].map(referenceShaped)).toEqual([true, true, true, false]);
    const workers = (workerClass: string) => referenceShaped({ ...(gunicorn as Extract<typeof gunicorn, { kind: 'gunicorn' }>), workerClass });
    expect(['sync', 'gthread', 'gunicorn.workers.sync.SyncWorker'].map(workers)).toEqual([true, true, true]);
    expect(['uvicorn.workers.UvicornWorker', 'gevent', 'eventlet', 'tornado'].map(workers)).toEqual([false, false, false, false]);
  });
});

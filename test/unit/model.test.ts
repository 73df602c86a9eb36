import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/load.js';
import { jobOf, loadModel, stagesFor, trialMs } from '../../src/load/model.js';

const base = (load: Record<string, unknown>, topology: Record<string, unknown> = {}) =>
  configFromObject(
    { app: { start: '{python} app.py {port}' }, load: { connections: 8, duration: '4s', ...load }, topologies: [{ name: 't', kind: 'flask', ...topology }] },
    'f.yml',
    '/repo',
  );

describe('how a topology is loaded', () => {
  it('closed by default; open at load.rate, or at the topology’s own rate over it', () => {
    const closed = base({});
    expect(loadModel(closed, closed.topologies[0])).toEqual({ kind: 'closed', connections: 8 });
    expect(stagesFor(loadModel(closed, closed.topologies[0]), closed, 1000)).toEqual([{ durationMs: 1000, connections: 8 }]);
    const open = base({ rate: '100/s' }, { rate: '250/s' });
    const model = loadModel(open, open.topologies[0]);
    expect(model).toEqual({ kind: 'open', rate: 250 });
    const job = jobOf(open, 'http://x', stagesFor(model, open, 4000), []);
    expect(job.stages).toEqual([{ durationMs: 4000, rate: 250 }]);
    // An open job may open as many connections as max-connections to keep its schedule.
    expect(job.maxConnections).toBe(1000);
  });

  it('a stage profile runs whole as a trial; a stretch of it (the warm-up) runs its first stage’s shape, without the ramp', () => {
    const c = base({
      stages: [
        { connections: 50, spawn: '10/s', for: '5s' },
        { rate: '20/s', for: '3s' },
      ],
      'max-connections': 200,
    });
    const model = loadModel(c, c.topologies[0]);
    expect(trialMs(model, c)).toBe(8000);
    expect(stagesFor(model, c, 8000)).toEqual([
      { durationMs: 5000, connections: 50, spawnPerSec: 10 },
      { durationMs: 3000, rate: 20 },
    ]);
    expect(stagesFor(model, c, 2000)).toEqual([{ durationMs: 2000, connections: 50 }]);
    expect(jobOf(c, 'http://x', stagesFor(model, c, 8000), []).maxConnections).toBe(200);
  });

  it('a capacity search builds its own jobs; a stretch of it is closed', () => {
    const c = base({ capacity: { p99: '50ms' } });
    const model = loadModel(c, c.topologies[0]);
    expect(model.kind).toBe('capacity');
    expect(stagesFor(model, c, 1000)).toEqual([{ durationMs: 1000, connections: 8 }]);
  });
});

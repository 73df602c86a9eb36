import { describe, expect, it } from 'vitest';
import { choosePlacement, placementProblems } from '../../src/topology/placement.js';
import { formatCpuList, parseCpuList } from '../../src/topology/procfs.js';

describe('placement', () => {
  const cases = [
    { what: 'off', setting: { mode: 'off' as const }, cpus: [0, 1, 2, 3], taskset: true, pinned: false, serverCores: 4 },
    { what: 'auto on 1 core shares it', setting: { mode: 'auto' as const }, cpus: [0], taskset: true, pinned: false, serverCores: 1 },
    {
      what: 'auto on 2 cores pins 1 + 1',
      setting: { mode: 'auto' as const },
      cpus: [0, 1],
      taskset: true,
      pinned: true,
      serverCores: 1,
      loadgen: '0',
      server: '1',
    },
    {
      what: 'auto on 4 cores pins 1 + 3',
      setting: { mode: 'auto' as const },
      cpus: [0, 1, 2, 3],
      taskset: true,
      pinned: true,
      serverCores: 3,
      loadgen: '0',
      server: '1-3',
    },
    { what: 'auto without taskset', setting: { mode: 'auto' as const }, cpus: [0, 1, 2, 3], taskset: false, pinned: false, serverCores: 4 },
    {
      what: 'explicit pin',
      setting: { mode: 'pin' as const, loadgen: '0', server: '1' },
      cpus: [0, 1],
      taskset: true,
      pinned: true,
      serverCores: 1,
      loadgen: '0',
      server: '1',
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const p = choosePlacement(c.setting, c.cpus, c.taskset);
      expect(p.pinned).toBe(c.pinned);
      expect(p.serverCores).toBe(c.serverCores);
      if (c.pinned) expect([p.loadgenCpus, p.serverCpus]).toEqual([c.loadgen, c.server]);
      expect(p.reason).not.toBe('');
    });
  }
  it('rejects CPUs the machine lacks and overlapping sets', () => {
    const p = choosePlacement({ mode: 'pin', loadgen: '0-1', server: '1-5' }, [0, 1], true);
    expect(placementProblems(p, [0, 1])).toEqual([
      'placement.server must name CPUs of this machine (0-1); got 2-5',
      'placement.loadgen and placement.server must not share CPUs',
    ]);
  });
  it('CPU lists round-trip', () => {
    expect(parseCpuList('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(formatCpuList([8, 0, 1, 2, 5, 7])).toBe('0-2,5,7-8');
  });
});

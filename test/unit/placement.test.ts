import { describe, expect, it } from 'vitest';
import { choosePlacement, grownPlacement, placementProblems } from '../../src/topology/placement.js';
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
  it('generators: N gives each process its own core where the machine has them, the servers keep one at least', () => {
    const four = choosePlacement({ mode: 'auto' }, [0, 1, 2, 3], true, 2);
    expect([four.loadgenCpus, four.serverCpus, four.generators]).toEqual(['0-1', '2-3', ['0', '1']]);
    expect(four.mayGrow).toBe(false);
    const two = choosePlacement({ mode: 'auto' }, [0, 1], true, 2);
    expect([two.loadgenCpus, two.serverCpus, two.generators]).toEqual(['0', '1', ['0', '0']]);
    const pinned = choosePlacement({ mode: 'pin', loadgen: '0-2', server: '3' }, [0, 1, 2, 3], true, 2);
    expect(pinned.generators).toEqual(['0', '1']);
    expect(choosePlacement({ mode: 'off' }, [0, 1], true, 3).generators).toEqual([undefined, undefined, undefined]);
  });
  it('generators: auto grows when the warm-up saturates the generator and the machine has cores to spare; never on 2 cores', () => {
    const eight = choosePlacement({ mode: 'auto' }, [0, 1, 2, 3, 4, 5, 6, 7], true, 'auto');
    expect(eight.generators).toEqual(['0']);
    expect(grownPlacement(eight, 0.5)).toBeNull();
    const grown = grownPlacement(eight, 0.95)!;
    expect([grown.loadgenCpus, grown.serverCpus, grown.serverCores, grown.generators]).toEqual(['0-1', '2-7', 6, ['0', '1']]);
    expect(grown.reason).toBe('8 cores: the warm-up had the load generator at 95% of its core, so 2 load generator processes on 2 cores, servers on 6');
    // Saturated again with two: more, but the servers keep half the cores.
    expect(grownPlacement(grown, 1)!.generators).toEqual(['0', '1', '2']);
    expect(grownPlacement({ ...grown, generators: ['0', '1', '2', '3'] }, 1)).toBeNull();
    expect(grownPlacement(choosePlacement({ mode: 'auto' }, [0, 1], true, 'auto'), 1)).toBeNull();
    expect(grownPlacement(choosePlacement({ mode: 'auto' }, [0, 1, 2, 3], true, 2), 1)).toBeNull();
  });
  it('CPU lists round-trip', () => {
    expect(parseCpuList('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(formatCpuList([8, 0, 1, 2, 5, 7])).toBe('0-2,5,7-8');
  });
});

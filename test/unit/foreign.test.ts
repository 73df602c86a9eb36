import { describe, expect, it } from 'vitest';
import { addForeignLoad, foreignLoad, kernelMsOn, kernelTimesOf, parsePerCpuTimes, parseProcStat } from '../../src/topology/procfs.js';
import { foreignWarnings } from '../../src/results/warnings.js';

const STAT = ['cpu  300 0 100 5000 0 10 20 7 0 0', 'cpu0 100 0 50 2500 0 5 10 3 0 0', 'cpu1 200 0 50 2500 0 5 10 4 0 0', 'intr 1'].join('\n');

describe('per-CPU times', () => {
  it('reads busy (user, nice, system) and steal per CPU, interrupts left out, in ms', () => {
    const t = parsePerCpuTimes(STAT);
    expect([...t.keys()]).toEqual([0, 1]);
    expect(t.get(0)).toEqual({ busyMs: 1500, stealMs: 30 });
    expect(t.get(1)).toEqual({ busyMs: 2500, stealMs: 40 });
  });
});

describe('foreign load', () => {
  const at = (busy0: number, steal0: number, busy1 = 0) =>
    new Map([
      [0, { busyMs: busy0, stealMs: steal0 }],
      [1, { busyMs: busy1, stealMs: 0 }],
    ]);
  it('is the CPUs’ busy time less the run’s own, and their steal, over their time', () => {
    expect(foreignLoad(at(0, 0), at(900, 50), [0], 500, 1000)).toEqual({ othersMs: 400, stealMs: 50, roomMs: 1000 });
    expect(foreignLoad(at(0, 0, 0), at(900, 0, 300), [0, 1], 1000, 1000)).toEqual({ othersMs: 200, stealMs: 0, roomMs: 2000 });
  });
  it('never goes below zero (own time read a tick later than the CPU’s), and is null for an unknown CPU', () => {
    expect(foreignLoad(at(0, 0), at(490, 0), [0], 500, 1000)!.othersMs).toBe(0);
    expect(foreignLoad(at(0, 0), at(490, 0), [3], 0, 1000)).toBeNull();
    expect(addForeignLoad({ othersMs: 1, stealMs: 2, roomMs: 3 }, { othersMs: 10, stealMs: 20, roomMs: 30 })).toEqual({
      othersMs: 11,
      stealMs: 22,
      roomMs: 33,
    });
    expect(addForeignLoad({ othersMs: 1, stealMs: 2, roomMs: 3 }, null)).toBeNull();
  });
});

describe('foreign-load warnings', () => {
  const f = (othersMs: number, stealMs = 0, roomMs = 1000) => ({ othersMs, stealMs, roomMs });
  const cases = [
    { what: 'a quiet machine: none', trials: [{ foreign: { loadgen: f(10), server: f(20) } }], expected: [] },
    { what: 'exactly 5%: none', trials: [{ foreign: { loadgen: f(50), server: f(50) } }], expected: [] },
    {
      what: 'another process on the generator’s core, the worst trial named',
      trials: [{ foreign: { loadgen: f(100), server: f(0) } }, { foreign: { loadgen: f(380), server: f(0) } }],
      expected: ["another process used 38% of the load generator's core during trial 2: req/s may be low (the generator was slowed)"],
    },
    {
      what: 'steal on the servers’ cores',
      trials: [{ foreign: { loadgen: f(0), server: f(0, 80) } }],
      expected: ["the hypervisor took 8.0% of the servers' cores during the trial (steal time): req/s may be low and latency high (the servers were slowed)"],
    },
    { what: 'unknown (unpinned, or older data): none', trials: [{}, { foreign: { loadgen: null, server: null } }], expected: [] },
  ];
  for (const c of cases) it(c.what, () => expect(foreignWarnings(c.trials).map((w) => w.message)).toEqual(c.expected));
});

describe("the kernel's own threads are not another process", () => {
  const stat = (pid: number, name: string, ppid: number, ticks: number): string =>
    `${pid} (${name}) S ${ppid} 0 0 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 0 0 0`;
  const read = (lines: string[]) => kernelTimesOf(lines.map((l) => parseProcStat(l)!));
  it('per-CPU kernel threads count for their CPU, unbound ones for any; user processes never', () => {
    const before = read([
      stat(2, 'kthreadd', 0, 1),
      stat(20, 'ksoftirqd/1', 2, 100),
      stat(21, 'kworker/0:1-events', 2, 50),
      stat(79, 'kdamond.0', 2, 1000),
      stat(500, 'python', 1, 9999),
    ]);
    const after = read([
      stat(2, 'kthreadd', 0, 1),
      stat(20, 'ksoftirqd/1', 2, 130),
      stat(21, 'kworker/0:1-events', 2, 55),
      stat(79, 'kdamond.0', 2, 1010),
      stat(500, 'python', 1, 99999),
    ]);
    expect(before.perCpu.get(1)).toBe(1000);
    expect(kernelMsOn(before, after, [1])).toBe(300 + 100);
    expect(kernelMsOn(before, after, [0])).toBe(50 + 100);
    expect(kernelMsOn(before, after, [0, 1])).toBe(350 + 100);
  });
});

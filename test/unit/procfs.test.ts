import { describe, expect, it } from 'vitest';
import { environValue, parseProcStat } from '../../src/topology/procfs.js';

describe('/proc/<pid>/stat parsing', () => {
  it('reads the name, ppid, pgrp, CPU ticks, rss and start time past a name with spaces and parentheses', () => {
    const line = '4242 (gunicorn: (worker) x) S 4200 4200 4200 0 -1 4194560 100 0 0 0 150 25 7 3 20 0 1 0 1000 50000000 2560 18446744073709551615';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      name: 'gunicorn: (worker) x',
      state: 'S',
      ppid: 4200,
      pgrp: 4200,
      cpuTicks: 185,
      rssPages: 2560,
      startTicks: 1000,
    });
  });
});

describe('/proc/<pid>/environ', () => {
  it('finds a variable by its whole name, not by a name it ends or starts', () => {
    const environ = ['XFLASK_PERF_GROUP=no', 'FLASK_PERF_GROUPS=no', 'PATH=/bin', 'FLASK_PERF_GROUP=a=b', ''].join('\0');
    expect(environValue(environ, 'FLASK_PERF_GROUP')).toBe('a=b');
    expect(environValue(environ, 'HOME')).toBeNull();
    expect(environValue('', 'PATH')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { settingsFromObject } from '../src/config/load.js';
import { choosePlacement, placementProblems } from '../src/topology/placement.js';
import { placeholders, planTopology, render, shellQuote } from '../src/topology/plan.js';
import { formatCpuList, parseCpuList, parseProcStat } from '../src/topology/procfs.js';
import { autoWorkers, resolveWorkers } from '../src/topology/workers.js';
import { createPicker } from '../src/topology/balancer/strategies.js';

describe('worker arithmetic', () => {
  const cases = [
    { what: 'auto on 1 core', spec: { autoMultiple: 1 }, cores: 1, expected: 3 },
    { what: 'auto on 2 cores (the seed)', spec: { autoMultiple: 1 }, cores: 2, expected: 5 },
    { what: '2x-auto on 2 cores (the seed)', spec: { autoMultiple: 2 }, cores: 2, expected: 10 },
    { what: 'auto on 3 server cores of 4', spec: { autoMultiple: 1 }, cores: 3, expected: 7 },
    { what: '3x-auto on 8 cores', spec: { autoMultiple: 3 }, cores: 8, expected: 51 },
    { what: 'a fixed count ignores cores', spec: { count: 4 }, cores: 16, expected: 4 },
  ];
  for (const c of cases) it(c.what, () => expect(resolveWorkers(c.spec, c.cores)).toBe(c.expected));
  it('never goes below one core', () => expect(autoWorkers(0)).toBe(3));
});

describe('placement', () => {
  const cases = [
    { what: 'off', setting: { mode: 'off' as const }, cpus: [0, 1, 2, 3], taskset: true, pinned: false, serverCores: 4 },
    { what: 'auto on 1 core shares it', setting: { mode: 'auto' as const }, cpus: [0], taskset: true, pinned: false, serverCores: 1 },
    { what: 'auto on 2 cores pins 1 + 1', setting: { mode: 'auto' as const }, cpus: [0, 1], taskset: true, pinned: true, serverCores: 1, loadgen: '0', server: '1' },
    { what: 'auto on 4 cores pins 1 + 3', setting: { mode: 'auto' as const }, cpus: [0, 1, 2, 3], taskset: true, pinned: true, serverCores: 3, loadgen: '0', server: '1-3' },
    { what: 'auto without taskset', setting: { mode: 'auto' as const }, cpus: [0, 1, 2, 3], taskset: false, pinned: false, serverCores: 4 },
    { what: 'explicit pin', setting: { mode: 'pin' as const, loadgen: '0', server: '1' }, cpus: [0, 1], taskset: true, pinned: true, serverCores: 1, loadgen: '0', server: '1' },
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

describe('/proc/<pid>/stat parsing', () => {
  it('reads pgrp, CPU ticks and rss past a name with spaces and parentheses', () => {
    const line = '4242 (gunicorn: (worker) x) S 4200 4200 4200 0 -1 4194560 100 0 0 0 150 25 7 3 20 0 1 0 1000 50000000 2560 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, state: 'S', pgrp: 4200, cpuTicks: 185, rssPages: 2560 });
  });
});

describe('launch plans', () => {
  const settings = settingsFromObject(
    {
      app: { start: '{python} app.py {port}', python: '/opt/py env/bin/python', wsgi: 'app:app' },
      topologies: [
        { name: 'f', kind: 'flask' },
        { name: 'g', kind: 'gunicorn', workers: '2x-auto', 'worker-class': 'gthread', threads: 4 },
        { name: 'b', kind: 'balancer', instances: 2, strategy: 'random' },
        { name: 'n', kind: 'command', command: 'nginx -c {dir}/nginx.conf', instances: 2, templates: ['nginx.conf.tmpl'] },
      ],
    },
    'f.yml',
    '/repo',
  );
  const ctx = { app: settings.app, serverCores: 2, ports: [9000, 9001, 9002], dir: '/tmp/cell', node: '/usr/bin/node', balancerScript: '/a/dist/balancer.js' };

  it('flask runs the start command with its port, the interpreter quoted', () => {
    expect(planTopology(settings.topologies[0], ctx).front.command).toBe("'/opt/py env/bin/python' app.py 9000");
  });
  it('gunicorn gets workers from the server cores', () => {
    const plan = planTopology(settings.topologies[1], ctx);
    expect(plan.workers).toBe(10);
    expect(plan.front.command).toBe("'/opt/py env/bin/python' -m gunicorn --bind 127.0.0.1:9000 --workers 10 --worker-class gthread --threads 4 --graceful-timeout 2 --log-level warning app:app");
  });
  it('balancer fronts its instances', () => {
    const plan = planTopology(settings.topologies[2], ctx);
    expect(plan.instances.map((i) => i.command)).toEqual(["'/opt/py env/bin/python' app.py 9001", "'/opt/py env/bin/python' app.py 9002"]);
    expect(plan.front.command).toBe('/usr/bin/node /a/dist/balancer.js --port 9000 --strategy random --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002');
  });
  it('command renders placeholders and keeps its templates', () => {
    const plan = planTopology(settings.topologies[3], ctx);
    expect(plan.front.command).toBe('nginx -c /tmp/cell/nginx.conf');
    expect(plan.templates).toEqual(['nginx.conf.tmpl']);
  });
  it('{wsgi} is quoted for the shell: "app:create_app()" is one word', () => {
    const factory = { ...settings.topologies[1], workers: { count: 2 } } as const;
    const plan = planTopology(factory, { ...ctx, app: { ...ctx.app, wsgi: 'app:create_app()' } });
    expect(plan.front.command.endsWith(" 'app:create_app()'")).toBe(true);
    expect(render('{wsgi}', placeholders({ ...ctx, app: { ...ctx.app, wsgi: 'app:create_app()' } }, 1, []))).toBe("'app:create_app()'");
  });
  it('render leaves unknown braces alone', () => {
    expect(render('events { } listen {port}; {nginx_servers}', { port: '1', nginx_servers: 'server a;' })).toBe('events { } listen 1; server a;');
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});

describe('balancer strategies', () => {
  const all = { up: [true, true, true, true, true], active: [0, 0, 0, 0, 0] };
  function counts(pick: (v: typeof all) => number, view = all, n = 1000): number[] {
    const c = view.up.map(() => 0);
    for (let i = 0; i < n; i++) c[pick(view)]++;
    return c;
  }
  it('round-robin cycles evenly', () => {
    expect(counts(createPicker('round-robin'))).toEqual([200, 200, 200, 200, 200]);
  });
  it('random spreads over every instance (seeded source)', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const c = counts(createPicker('random', random), all, 5000);
    for (const n of c) expect(n).toBeGreaterThan(850);
  });
  it('least-connections picks the least busy and spreads ties', () => {
    const pick = createPicker('least-connections');
    expect(pick({ up: [true, true, true], active: [3, 1, 2] })).toBe(1);
    expect(counts(pick, { up: [true, true], active: [0, 0] }, 10)).toEqual([5, 5]);
  });
  it('every strategy skips an instance that is down', () => {
    for (const s of ['random', 'round-robin', 'least-connections'] as const) {
      const c = counts(createPicker(s), { up: [true, false, true, true, true], active: [0, 0, 0, 0, 0] });
      expect(c[1]).toBe(0);
    }
  });
  it('returns -1 when none is up', () => {
    expect(createPicker('round-robin')({ up: [false, false], active: [0, 0] })).toBe(-1);
  });
});

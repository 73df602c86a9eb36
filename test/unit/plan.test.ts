import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/load.js';
import { placeholders, planTopology, render } from '../../src/topology/plan.js';
import { shellQuote } from '../../src/topology/shell.js';
import { engineProblems, findBinary, frontPlan } from '../../src/topology/balancer/engines.js';

describe('launch plans', () => {
  const config = configFromObject(
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
  const ctx = { app: config.app, serverCores: 2, ports: [9000, 9001, 9002], dir: '/tmp/cell', node: '/usr/bin/node', balancerScript: '/a/dist/balancer.js' };

  it('flask runs the start command with its port, the interpreter quoted', () => {
    expect(planTopology(config.topologies[0], ctx).front.command).toBe("'/opt/py env/bin/python' app.py 9000");
  });
  it('gunicorn gets workers from the server cores', () => {
    const plan = planTopology(config.topologies[1], ctx);
    expect(plan.workers).toBe(10);
    expect(plan.front.command).toBe(
      "'/opt/py env/bin/python' -m gunicorn --bind 127.0.0.1:9000 --workers 10 --worker-class gthread --threads 4 --graceful-timeout 2 --log-level warning app:app",
    );
  });
  it('balancer fronts its instances', () => {
    const plan = planTopology(config.topologies[2], ctx);
    expect(plan.instances.map((i) => i.command)).toEqual(["'/opt/py env/bin/python' app.py 9001", "'/opt/py env/bin/python' app.py 9002"]);
    expect(plan.front.command).toBe('/usr/bin/node /a/dist/balancer.js --port 9000 --strategy random --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002');
  });
  it('command renders placeholders and keeps its templates', () => {
    const plan = planTopology(config.topologies[3], ctx);
    expect(plan.front.command).toBe('nginx -c /tmp/cell/nginx.conf');
    expect(plan.templates).toEqual(['nginx.conf.tmpl']);
  });
  it('{wsgi} is quoted for the shell: "app:create_app()" is one word', () => {
    const factory = { ...config.topologies[1], workers: { count: 2 } } as const;
    const plan = planTopology(factory, { ...ctx, app: { ...ctx.app, wsgi: 'app:create_app()' } });
    expect(plan.front.command.endsWith(" 'app:create_app()'")).toBe(true);
    expect(render('{wsgi}', placeholders({ ...ctx, app: { ...ctx.app, wsgi: 'app:create_app()' } }, 1, []))).toBe("'app:create_app()'");
  });
  it('render leaves unknown braces alone', () => {
    expect(render('events { } listen {port}; {nginx_servers}', { port: '1', nginx_servers: 'server a;' })).toBe('events { } listen 1; server a;');
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});

describe('balancer engines', () => {
  const ctx = { port: 9000, upstreamPorts: [9001, 9002], dir: '/tmp/cell x', node: '/usr/bin/node', balancerScript: '/a/balancer.js' };
  it('nginx: the tool writes the config, one worker, the strategy, keep-alive upstreams, nothing outside the cell folder', () => {
    const plan = frontPlan('nginx', { ...ctx, strategy: 'least-connections', binary: '/usr/sbin/nginx' });
    expect(plan.command).toBe("/usr/sbin/nginx -e stderr -p '/tmp/cell x' -c '/tmp/cell x/nginx.conf'");
    const conf = plan.files[0].text;
    expect(plan.files[0].name).toBe('nginx.conf');
    expect(conf).toContain('least_conn;');
    expect(conf).toContain('server 127.0.0.1:9001 max_fails=1 fail_timeout=1s;');
    expect(conf).toContain('listen 127.0.0.1:9000;');
    expect(conf).toContain('daemon off;');
    for (const path of conf.match(/_temp_path (\S+);/g) ?? []) expect(path).toContain('/tmp/cell x/');
  });
  it('haproxy: foreground, the strategy, idle upstream connections reused', () => {
    const plan = frontPlan('haproxy', { ...ctx, strategy: 'random', binary: '/usr/sbin/haproxy' });
    expect(plan.command).toBe("/usr/sbin/haproxy -db -f '/tmp/cell x/haproxy.cfg'");
    expect(plan.files[0].text).toMatch(/balance random\n {2}server s0 127\.0\.0\.1:9001\n {2}server s1 127\.0\.0\.1:9002/);
    expect(plan.files[0].text).toContain('http-reuse always');
  });
  it('node: the built-in balancer, no files', () => {
    const plan = frontPlan('node', { ...ctx, strategy: 'round-robin', binary: '' });
    expect(plan.command).toBe('/usr/bin/node /a/balancer.js --port 9000 --strategy round-robin --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002');
    expect(plan.files).toEqual([]);
  });
  it('a missing binary is named with its field, the package and the way out', () => {
    const topologies = [
      { name: 'a', kind: 'flask' },
      { name: 'b', kind: 'balancer', engine: 'haproxy' as const },
      { name: 'c', kind: 'balancer', engine: 'nginx' as const },
    ];
    const problems = engineProblems(topologies, (name) => (name === 'nginx' ? '/usr/sbin/nginx' : null));
    expect(problems).toEqual([
      'topologies[1].engine is "haproxy", but no haproxy binary was found on PATH or in /usr/local/sbin, /usr/sbin, /sbin; install it (Debian: apt-get install haproxy) or use engine: node',
    ]);
  });
  it('findBinary looks through the folders given, in order', () => {
    expect(findBinary('sh', ['/nonexistent', '/bin'])).toBe('/bin/sh');
    expect(findBinary('no-such-binary-here', ['/bin', '/usr/bin'])).toBeNull();
  });
});

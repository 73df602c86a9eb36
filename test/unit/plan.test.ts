import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/load.js';
import { placeholders, planTopology, render, shellQuote } from '../../src/topology/plan.js';

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

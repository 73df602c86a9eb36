/** Every default of the config file, merged before validation (as autocannon's lib/defaultOptions.js does). */
export const DEFAULTS = {
  app: {
    build: '',
    workdir: '.',
    python: 'python3',
    env: {},
    'pass-env': [] as string[],
    wsgi: 'app:app',
    health: { path: '/', timeout: '30s' },
  },
  load: {
    connections: 64,
    warmup: '5s',
    duration: '10s',
    trials: 3,
    timeout: '10s',
    generators: 'auto',
    'max-connections': 1000,
    requests: [{ path: '/' }],
  },
  endpoint: { method: 'GET', headers: {}, body: '', weight: 1 },
  capacity: { errors: '1%', step: '3s', budget: '60s' },
  gunicorn: { workers: 'auto', 'worker-class': 'sync', threads: 1 },
  balancer: { instances: 5, strategy: 'round-robin', engine: 'node' },
  command: { instances: 0, templates: [] as string[] },
  placement: 'auto',
  compare: {
    rounds: 3,
    'max-rounds': 8,
    'max-time': '6m',
    duration: '3s',
    warmup: '1s',
    slices: 3,
    confidence: '99%',
    gate: ['rps', 'cpu'],
    'fail-on-inconclusive': false,
    calibrate: true,
    settle: true,
  },
} as const;

/**
 * Smallest core count at which `placement: auto` pins load generator and server apart. Even on 2
 * cores pinning pays: unpinned, the scheduler moves servers between virtual CPUs of unequal and
 * changing speed (one ran at 55% of the other for a minute here), and the Flask dev server's
 * threads spent twice the CPU per request fighting over the GIL across cores.
 */
export const AUTO_PIN_MIN_CORES = 2;

/** Milliseconds a stopped server gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 3000;

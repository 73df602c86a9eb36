import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { DEFAULTS } from './defaults.js';
import { parseDuration } from './duration.js';
import { parsePercent } from './percent.js';
import { parseRate } from './rate.js';
import type {
  BalancerEngine,
  BalancerStrategy,
  CapacityConfig,
  EndpointConfig,
  HttpMethod,
  StageConfig,
  PlacementConfig,
  CompareConfig,
  GateMetric,
  Config,
  ThresholdConfig,
  TopologyConfig,
  WorkersSpec,
} from './types.js';
import { validateConfig } from './validate.js';

/** A config the user must fix; `problems` lists every one found, each naming its field. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: invalid config\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Values that replace the file's, for quick local runs (CLI flags). */
export interface LoadOverrides {
  readonly connections?: number;
  readonly warmup?: string;
  readonly duration?: string;
  readonly trials?: number;
}

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Defaults under the file's values, and overrides over them; shapes the validator will judge. */
export function mergeDefaults(raw: unknown, overrides: LoadOverrides = {}): unknown {
  if (!isObject(raw)) return raw;
  const app = isObject(raw.app) ? { ...DEFAULTS.app, ...raw.app } : raw.app;
  if (isObject(app) && isObject(app.health)) app.health = { ...DEFAULTS.app.health, ...app.health };
  const given = defined(overrides);
  const load = raw.load === undefined ? { ...DEFAULTS.load, ...given } : isObject(raw.load) ? { ...DEFAULTS.load, ...raw.load, ...given } : raw.load;
  return { ...raw, app, load, placement: raw.placement ?? DEFAULTS.placement };
}

function defined(values: LoadOverrides): Raw {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function parseWorkers(value: unknown): WorkersSpec {
  if (typeof value === 'number') return { count: value };
  // The schema has checked it: a count, "auto" or "<n>x-auto".
  const text = String((value as string | undefined) ?? DEFAULTS.gunicorn.workers);
  if (text === 'auto') return { autoMultiple: 1 };
  return { autoMultiple: Number(text.slice(0, text.indexOf('x'))) };
}

function normaliseEndpoint(raw: Raw): EndpointConfig {
  const e: Raw = { ...DEFAULTS.endpoint, ...raw };
  const headers = Object.fromEntries(Object.entries(e.headers as Raw).map(([k, v]) => [k, String(v)]));
  let body = e.body;
  if (typeof body !== 'string') {
    body = JSON.stringify(body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  return { method: e.method as HttpMethod, path: String(e.path), headers, body: body as string, weight: Number(e.weight) };
}

function normaliseStage(raw: Raw): StageConfig {
  return {
    durationMs: parseDuration(raw.for) ?? 0,
    ...(raw.connections !== undefined ? { connections: Number(raw.connections) } : {}),
    ...(raw.spawn !== undefined ? { spawnPerSec: parseRate(raw.spawn) } : {}),
    ...(raw.rate !== undefined ? { rate: parseRate(raw.rate) } : {}),
  };
}

function normaliseCapacity(raw: Raw): CapacityConfig {
  const c: Raw = { ...DEFAULTS.capacity, ...raw };
  return {
    p99Ms: parseDuration(c.p99) ?? 0,
    errorShare: parsePercent(String(c.errors)) ?? 0.01,
    stepMs: parseDuration(c.step) ?? 3000,
    budgetMs: parseDuration(c.budget) ?? 60_000,
  };
}

function normaliseTopology(raw: Raw): TopologyConfig {
  const name = String(raw.name);
  const rate = raw.rate !== undefined ? { rate: parseRate(raw.rate) } : {};
  return { ...kindOf(raw, name), ...rate };
}

function kindOf(raw: Raw, name: string): TopologyConfig {
  switch (raw.kind) {
    case 'flask':
      return { name, kind: 'flask' };
    case 'gunicorn':
      return {
        name,
        kind: 'gunicorn',
        workers: parseWorkers(raw.workers),
        workerClass: String((raw['worker-class'] as string | undefined) ?? DEFAULTS.gunicorn['worker-class']),
        threads: Number(raw.threads ?? DEFAULTS.gunicorn.threads),
      };
    case 'balancer':
      return {
        name,
        kind: 'balancer',
        instances: Number(raw.instances ?? DEFAULTS.balancer.instances),
        strategy: (raw.strategy ?? DEFAULTS.balancer.strategy) as BalancerStrategy,
        engine: (raw.engine ?? DEFAULTS.balancer.engine) as BalancerEngine,
      };
    default:
      return {
        name,
        kind: 'command',
        command: String(raw.command),
        instances: Number(raw.instances ?? DEFAULTS.command.instances),
        templates: ((raw.templates as string[] | undefined) ?? DEFAULTS.command.templates).map(String),
      };
  }
}

function normalisePlacement(raw: unknown): PlacementConfig {
  if (raw === 'off') return { mode: 'off' };
  if (isObject(raw)) return { mode: 'pin', loadgen: String(raw.loadgen), server: String(raw.server) };
  return { mode: 'auto' };
}

function normaliseThresholds(raw: unknown): ThresholdConfig {
  if (!isObject(raw)) return {};
  const percent = (v: unknown): number | undefined => (typeof v === 'string' ? parsePercent(v) : undefined);
  return {
    rpsDrop: percent(raw.rps),
    cpuRise: percent(raw.cpu),
    p99Rise: percent(raw.p99),
    failuresPerSecRise: typeof raw['failures-per-sec'] === 'number' ? raw['failures-per-sec'] : undefined,
    capacityDrop: percent(raw.capacity),
  };
}

/** The `compare` section when a config file has none. */
export const DEFAULT_COMPARE: CompareConfig = normaliseCompare(undefined);

/** @param capacity the load is a capacity search: then capacity is what the gate looks at unless `gate` says otherwise */
function normaliseCompare(raw: unknown, capacity = false): CompareConfig {
  const c: Raw = { ...DEFAULTS.compare, ...(capacity ? { gate: ['capacity'] } : {}), ...(isObject(raw) ? raw : {}) };
  return {
    mode: isObject(raw) && (raw.mode === 'base' || raw.mode === 'baseline') ? raw.mode : undefined,
    rounds: Number(c.rounds),
    maxRounds: Math.max(Number(c.rounds), Number(c['max-rounds'])),
    maxTimeMs: parseDuration(c['max-time']) ?? 360_000,
    durationMs: parseDuration(c.duration) ?? 3000,
    warmupMs: parseDuration(c.warmup) ?? 1000,
    slices: Number(c.slices),
    alpha: Math.round((1 - (parsePercent(String(c.confidence)) ?? 0.95)) * 1e6) / 1e6,
    gate: [...(c.gate as GateMetric[])],
    failOnInconclusive: c['fail-on-inconclusive'] === true,
    calibrate: c.calibrate === true,
    settle: c.settle === true,
  };
}

/**
 * Config from a parsed config: defaults merged, validated (every problem at once), normalised.
 * @param rootDir directory `app.workdir` is relative to (where the CLI or action runs)
 */
export function configFromObject(raw: unknown, file: string, rootDir: string, overrides: LoadOverrides = {}): Config {
  const merged = mergeDefaults(raw, overrides);
  const problems = validateConfig(merged);
  const m = merged as Raw & { app: Raw; load: Raw };
  const workdir = isObject(m.app) ? path.resolve(rootDir, String(m.app.workdir)) : rootDir;
  const relative = path.relative(rootDir, workdir);
  // compare: base moves workdir into the base's worktree; a path outside the repository would not move.
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    problems.push(`app.workdir must be a directory inside the repository (${rootDir}); got ${JSON.stringify(m.app.workdir)}`);
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  const python = String(m.app.python);
  const health: Raw = typeof m.app.health === 'string' ? { ...DEFAULTS.app.health, path: m.app.health } : (m.app.health as Raw);
  return {
    configPath: file,
    app: {
      build: String(m.app.build),
      workdir,
      // A path is relative to the app; a bare name is looked up on PATH.
      python: python.includes('/') ? path.resolve(workdir, python) : python,
      env: Object.fromEntries(Object.entries(m.app.env as Raw).map(([k, v]) => [k, String(v)])),
      passEnv: [...(m.app['pass-env'] as string[])],
      wsgi: String(m.app.wsgi),
      start: typeof m.app.start === 'string' ? m.app.start : '',
      health: String(health.path),
      healthTimeoutMs: parseDuration(health.timeout) ?? 30_000,
    },
    load: {
      connections: Number(m.load.connections),
      warmupMs: parseDuration(m.load.warmup) ?? 0,
      durationMs: parseDuration(m.load.duration) ?? 0,
      trials: Number(m.load.trials),
      timeoutMs: parseDuration(m.load.timeout) ?? 0,
      generators: m.load.generators === 'auto' ? 'auto' : Number(m.load.generators),
      maxConnections: Number(m.load['max-connections']),
      ...(m.load.rate !== undefined ? { rate: parseRate(m.load.rate) } : {}),
      ...(Array.isArray(m.load.stages) ? { stages: (m.load.stages as Raw[]).map(normaliseStage) } : {}),
      ...(isObject(m.load.capacity) ? { capacity: normaliseCapacity(m.load.capacity) } : {}),
      requests: (m.load.requests as Raw[]).map(normaliseEndpoint),
    },
    topologies: (m.topologies as Raw[]).map(normaliseTopology),
    placement: normalisePlacement(m.placement),
    thresholds: normaliseThresholds(m.thresholds),
    compare: normaliseCompare(m.compare, isObject(m.load.capacity)),
  };
}

/** Largest config file read: a real one is a few KB. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Parses YAML text; syntax errors become a ConfigError naming line and column. */
export function parseConfigText(text: string, file: string): unknown {
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError(file, [`the config file is larger than 1 MB; got ${text.length} characters`]);
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `YAML syntax error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  try {
    // A few aliases are YAML's own business; thousands of expansions are an attack on memory.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(file, [`YAML aliases expand too much (${(error as Error).message}); write the values out`]);
  }
}

/** Reads, validates and normalises a config file. */
export function readConfig(file: string, rootDir: string, overrides: LoadOverrides = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the config file: ${(error as Error).message}`]);
  }
  const config = configFromObject(parseConfigText(text, file), path.resolve(file), rootDir, overrides);
  let isDir = false;
  try {
    isDir = statSync(config.app.workdir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new ConfigError(file, [`app.workdir must be an existing directory; ${config.app.workdir} is not one`]);
  return config;
}

/** Only the topologies named, in config order; unknown names are a ConfigError. */
export function selectTopologies(config: Config, names: readonly string[]): Config {
  if (names.length === 0) return config;
  const known = config.topologies.map((t) => t.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new ConfigError(
      config.configPath,
      unknown.map((n) => `--only must name a topology of the config (${known.join(', ')}); got ${JSON.stringify(n)}`),
    );
  }
  return { ...config, topologies: config.topologies.filter((t) => names.includes(t.name)) };
}

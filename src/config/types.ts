/** Types of the config file after defaults, validation and normalisation. */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** One endpoint of the traffic mix. */
export interface EndpointConfig {
  readonly method: HttpMethod;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Request body sent as is; empty for none. */
  readonly body: string;
  /** Relative share of the traffic, an integer ≥ 1. */
  readonly weight: number;
}

export interface AppConfig {
  /** Shell command run once before the matrix, in `workdir`; empty for none. */
  readonly build: string;
  /** Absolute directory the build and the servers run in. */
  readonly workdir: string;
  /** Interpreter for `{python}` and gunicorn. */
  readonly python: string;
  /** Environment of the build and the servers, besides the allow-listed basics. */
  readonly env: Readonly<Record<string, string>>;
  /** Names of the runner's environment variables passed on as they are. */
  readonly passEnv: readonly string[];
  /** `module:callable` for WSGI servers. */
  readonly wsgi: string;
  /** Command of the single-instance server, with `{port}`; empty when no topology runs it. */
  readonly start: string;
  /** Path polled until it answers 2xx. */
  readonly health: string;
  /** Time allowed for a server to become healthy, in ms. */
  readonly healthTimeoutMs: number;
}

/** One stage of a trial: closed (connections, optionally ramped) or open (rate). */
export interface StageConfig {
  readonly durationMs: number;
  readonly connections?: number;
  /** Closed: connections added per second until `connections`. */
  readonly spawnPerSec?: number;
  /** Open: requests per second. */
  readonly rate?: number;
}

/** The capacity search's goal and budget (load.capacity). */
export interface CapacityConfig {
  readonly p99Ms: number;
  /** Largest share of failed requests, 0–1. */
  readonly errorShare: number;
  /** Measured time at each rate tried. */
  readonly stepMs: number;
  /** Most measuring time per topology. */
  readonly budgetMs: number;
}

export interface LoadConfig {
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly trials: number;
  /** Per-request timeout, in ms. */
  readonly timeoutMs: number;
  /** Load generator processes; auto: one, more when a warm-up shows it saturated (placement.ts). */
  readonly generators: number | 'auto';
  /** Open model: requests per second (topologies may set their own). */
  readonly rate?: number;
  /** Open model: most connections opened to keep the schedule. */
  readonly maxConnections: number;
  /** Each trial runs these stages in place of one stretch of `durationMs`. */
  readonly stages?: readonly StageConfig[];
  /** A capacity search per topology in place of trials. */
  readonly capacity?: CapacityConfig;
  readonly requests: readonly EndpointConfig[];
}

/** `workers` as written: a count, or a multiple of 2 × cores + 1. */
export type WorkersSpec = { readonly count: number } | { readonly autoMultiple: number };

export type BalancerStrategy = 'random' | 'round-robin' | 'least-connections';

/** What fronts a balancer topology: the built-in balancer, nginx or haproxy. */
export type BalancerEngine = 'node' | 'nginx' | 'haproxy';

interface TopologyBase {
  readonly name: string;
  /** This topology's arrival rate (open model), over load.rate. */
  readonly rate?: number;
}

export interface FlaskTopology extends TopologyBase {
  readonly kind: 'flask';
}

export interface GunicornTopology extends TopologyBase {
  readonly kind: 'gunicorn';
  readonly workers: WorkersSpec;
  readonly workerClass: string;
  readonly threads: number;
}

export interface BalancerTopology extends TopologyBase {
  readonly kind: 'balancer';
  readonly instances: number;
  readonly strategy: BalancerStrategy;
  readonly engine: BalancerEngine;
}

export interface CommandTopology extends TopologyBase {
  readonly kind: 'command';
  readonly command: string;
  /** Instances of the `start` server to run behind `command`; 0 for none. */
  readonly instances: number;
  /** Template files (relative to workdir) rendered into `{dir}` before start. */
  readonly templates: readonly string[];
}

export type TopologyConfig = FlaskTopology | GunicornTopology | BalancerTopology | CommandTopology;
export type TopologyKind = TopologyConfig['kind'];

/** Where the load generator and the servers run. */
export type PlacementConfig =
  { readonly mode: 'auto' } | { readonly mode: 'off' } | { readonly mode: 'pin'; readonly loadgen: string; readonly server: string };

/** Thresholds as written in the config file; absent fields are left to the action's inputs. */
export interface ThresholdConfig {
  readonly rpsDrop?: number;
  readonly capacityDrop?: number;
  readonly cpuRise?: number;
  readonly p99Rise?: number;
  readonly failuresPerSecRise?: number;
}

/** Metrics the comparison can gate on. */
export type GateMetric = 'rps' | 'cpu' | 'p99' | 'capacity';

/** How runs are compared (the `compare` section). */
export interface CompareConfig {
  /** Explicitly written in the file (else the action input decides). */
  readonly mode?: 'baseline' | 'base';
  readonly rounds: number;
  readonly maxRounds: number;
  /** Measuring time after which no further round starts (the first `rounds` always run). */
  readonly maxTimeMs: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Slices each side's measurement is cut into, alternating with the other side's. */
  readonly slices: number;
  /** Family-wise false-alarm rate, e.g. 0.05. */
  readonly alpha: number;
  readonly gate: readonly GateMetric[];
  readonly failOnInconclusive: boolean;
  /** Measure the reference app under each topology too (for cross-hardware baselines). */
  readonly calibrate: boolean;
  /** Stored baseline: measure the PR's base beside the head for the cells the baseline leaves inconclusive. */
  readonly settle: boolean;
}

/** The whole config, read-only, with every default applied. */
export interface Config {
  /** Absolute path of the config file; empty when built in code. */
  readonly configPath: string;
  readonly app: AppConfig;
  readonly load: LoadConfig;
  readonly topologies: readonly TopologyConfig[];
  readonly placement: PlacementConfig;
  readonly thresholds: ThresholdConfig;
  readonly compare: CompareConfig;
}

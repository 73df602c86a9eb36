import { Ajv } from 'ajv';
import { schemaProblems, SchemaMap, describeValue } from '../schema/problems.js';
import { parseDuration } from './duration.js';
import { parsePercent } from './percent.js';
import { parseRate } from './rate.js';
import schema from './flask-perf.schema.json' with { type: 'json' };

/** The JSON Schema of the config file, as shipped. */
export const CONFIG_SCHEMA = schema as Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addVocabulary(['x-rule', 'x-names']);
/** A keyword whose value is a [min, max] range for what `parse` makes of the field (undefined: not that kind of value). */
function rangeKeyword(keyword: string, numbers: boolean, parse: (v: string | number) => number | undefined): void {
  ajv.addKeyword({
    keyword,
    schemaType: 'array',
    validate: (range: readonly number[], data: unknown) => {
      if (typeof data !== 'string' && !(numbers && typeof data === 'number')) return true;
      const value = parse(data);
      return value !== undefined && value >= range[0] && value <= range[1];
    },
  });
}
// A duration's range in ms: "0.0001s" and "1e308" are durations, not sensible ones.
rangeKeyword('x-duration', true, parseDuration);
// A percentage's range as a share: a 250% drop of req/s or a 150% confidence means nothing.
rangeKeyword('x-percent', false, (v) => parsePercent(String(v)));
// A rate's range in requests per second.
rangeKeyword('x-rate', true, parseRate);
const validateSchema = ajv.compile(CONFIG_SCHEMA);
const map = new SchemaMap(CONFIG_SCHEMA);

const KIND_FIELDS: Record<string, readonly string[]> = {
  flask: [],
  gunicorn: ['workers', 'worker-class', 'threads'],
  balancer: ['instances', 'strategy', 'engine'],
  command: ['command', 'instances', 'templates'],
};
const KIND_SPECIFIC = new Set(Object.values(KIND_FIELDS).flat());

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Whether a topology runs `app.start`: flask, and balancer or command fronts with instances. */
function usesStart(t: Raw): boolean {
  if (t.kind === 'flask' || t.kind === 'balancer') return true;
  return t.kind === 'command' && typeof t.instances === 'number' && t.instances > 0;
}

/** Rules JSON Schema does not say well: unique names, fields of another kind, `start` when used. */
function semanticProblems(data: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(data)) return problems;
  const topologies = Array.isArray(data.topologies) ? data.topologies : [];
  const firstIndexOfName = new Map<string, number>();
  topologies.forEach((topology: unknown, i) => {
    if (!isObject(topology)) return;
    const t = topology;
    if (typeof t.name === 'string') {
      const first = firstIndexOfName.get(t.name);
      if (first === undefined) firstIndexOfName.set(t.name, i);
      else problems.push(`topologies[${i}].name must be unique; got ${describeValue(t.name)}, also used by topologies[${first}]`);
    }
    const kind = typeof t.kind === 'string' ? t.kind : undefined;
    const allowed = kind ? KIND_FIELDS[kind] : undefined;
    if (!allowed) return;
    for (const field of Object.keys(t)) {
      if (KIND_SPECIFIC.has(field) && !allowed.includes(field)) {
        problems.push(`topologies[${i}].${field} is not used by kind "${kind}"; that kind takes: ${allowed.join(', ') || 'no extra fields'}`);
      }
    }
    if (kind === 'command' && t.command === undefined) {
      problems.push(`topologies[${i}].command is required for kind "command"`);
    } else if (kind === 'command' && typeof t.command === 'string' && !t.command.includes('{port}') && !Array.isArray(t.templates)) {
      problems.push(`topologies[${i}].command must contain {port}, or templates must render a file that does; got ${describeValue(t.command)}`);
    }
  });
  problems.push(...loadModelProblems(data.load));
  if (isObject(data.load) && (data.load.stages !== undefined || data.load.capacity !== undefined)) {
    topologies.forEach((t: unknown, i) => {
      if (isObject(t) && t.rate !== undefined)
        problems.push(
          `topologies[${i}].rate sets an arrival rate; load.${data.load && isObject(data.load) && data.load.capacity !== undefined ? 'capacity searches for one' : 'stages set their own'}: drop one`,
        );
    });
  }
  const users = topologies.flatMap((t: unknown, i) => (isObject(t) && usesStart(t) ? [`topologies[${i}]`] : []));
  if (isObject(data.app) && data.app.start === undefined && users.length > 0) {
    problems.push(`app.start is required: ${users.join(', ')} run${users.length === 1 ? 's' : ''} it`);
  }
  return problems;
}

/** A load is closed (connections), open (rate), staged or a capacity search: one at a time, each stage one model. */
function loadModelProblems(load: unknown): string[] {
  if (!isObject(load)) return [];
  const problems: string[] = [];
  const models = (['rate', 'stages', 'capacity'] as const).filter((k) => load[k] !== undefined);
  if (models.length > 1) problems.push(`load takes one of rate, stages, capacity; got ${models.join(' and ')}`);
  if (Array.isArray(load.stages)) {
    load.stages.forEach((stage: unknown, i) => {
      if (!isObject(stage)) return;
      const closed = stage.connections !== undefined;
      const open = stage.rate !== undefined;
      if (closed === open) problems.push(`load.stages[${i}] must have connections (closed) or rate (open), not ${closed ? 'both' : 'neither'}`);
      if (stage.spawn !== undefined && !closed) problems.push(`load.stages[${i}].spawn ramps connections: it needs connections; got rate`);
    });
  }
  return problems;
}

/** Every problem of a raw config (defaults already merged), each naming its path, rule and value. */
export function validateConfig(data: unknown): string[] {
  const problems = validateSchema(data) ? [] : schemaProblems(map, data, validateSchema.errors ?? []);
  return [...problems, ...semanticProblems(data)];
}

import { Ajv, type ErrorObject } from 'ajv';
import schema from './flask-perf.schema.json' with { type: 'json' };

type Json = unknown;
type SchemaNode = Record<string, unknown>;

/** The JSON Schema of the config file, as shipped. */
export const CONFIG_SCHEMA = schema as SchemaNode;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addVocabulary(['x-rule']);
const validateSchema = ajv.compile(CONFIG_SCHEMA);

/** `topologies[2].workers` from ["topologies", "2", "workers"]. */
export function formatPath(segments: readonly string[]): string {
  let out = '';
  for (const seg of segments) {
    if (/^[0-9]+$/.test(seg)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(root)' : out;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveRef(node: SchemaNode): SchemaNode {
  let current = node;
  for (let i = 0; i < 8 && typeof current.$ref === 'string'; i++) {
    const segs = pointerSegments((current.$ref as string).replace(/^#/, ''));
    let target: unknown = CONFIG_SCHEMA;
    for (const s of segs) target = (target as SchemaNode)[s];
    current = { ...(target as SchemaNode), ...withoutRef(current) };
  }
  return current;
}

function withoutRef(node: SchemaNode): SchemaNode {
  const { $ref: _ignored, ...rest } = node;
  return rest;
}

/** The schema node that describes the value at `segments`, following $ref, items and oneOf branches. */
function schemaAt(segments: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = resolveRef(CONFIG_SCHEMA);
  for (const seg of segments) {
    if (!node) return undefined;
    node = childSchema(node, seg);
  }
  return node;
}

function childSchema(node: SchemaNode, seg: string): SchemaNode | undefined {
  const props = node.properties as Record<string, SchemaNode> | undefined;
  if (props && props[seg]) return resolveRef(props[seg]);
  if (node.items && /^[0-9]+$/.test(seg)) return resolveRef(node.items as SchemaNode);
  if (typeof node.additionalProperties === 'object') return resolveRef(node.additionalProperties as SchemaNode);
  for (const branch of (node.oneOf ?? node.anyOf ?? []) as SchemaNode[]) {
    const child = childSchema(resolveRef(branch), seg);
    if (child) return child;
  }
  return undefined;
}

function valueAt(data: Json, segments: readonly string[]): Json {
  let value = data;
  for (const seg of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, Json>)[seg];
  }
  return value;
}

/** A value as it appears in a message: strings quoted, long values cut. */
export function describeValue(value: Json): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function knownFields(segments: readonly string[]): string {
  const node = schemaAt(segments);
  const props = node?.properties as Record<string, unknown> | undefined;
  return props ? Object.keys(props).join(', ') : '';
}

function isAncestor(a: readonly string[], b: readonly string[]): boolean {
  return a.length < b.length && a.every((seg, i) => seg === b[i]);
}

/** One message per invalid location, from Ajv's errors: path, rule, value found. */
function schemaProblems(data: Json, errors: readonly ErrorObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const shapeErrors = errors.filter((e) => e.keyword !== 'required' && e.keyword !== 'additionalProperties');
  const paths = shapeErrors.map((e) => pointerSegments(e.instancePath));
  for (const error of errors) {
    const segments = pointerSegments(error.instancePath);
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      problems.push(`${formatPath([...segments, missing])} is required`);
      continue;
    }
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      problems.push(`${formatPath([...segments, extra])} is not a known field; known fields: ${knownFields(segments)}`);
      continue;
    }
    if (error.keyword === 'propertyNames') continue;
    // A deeper error says more than "the whole mapping is wrong".
    if (paths.some((p) => isAncestor(segments, p))) continue;
    const key = segments.join('/');
    if (seen.has(key)) continue;
    seen.add(key);
    const rule = (schemaAt(segments)?.['x-rule'] as string | undefined) ?? error.message ?? 'valid';
    problems.push(`${formatPath(segments)} must be ${rule}; got ${describeValue(valueAt(data, segments))}`);
  }
  return problems;
}

const KIND_FIELDS: Record<string, readonly string[]> = {
  flask: [],
  gunicorn: ['workers', 'worker-class', 'threads'],
  balancer: ['instances', 'strategy'],
  command: ['command', 'instances', 'templates'],
};
const KIND_SPECIFIC = new Set(Object.values(KIND_FIELDS).flat());

/** Rules JSON Schema does not say well: unique names, fields that belong to another kind. */
function semanticProblems(data: Json): string[] {
  const problems: string[] = [];
  const topologies = valueAt(data, ['topologies']);
  if (!Array.isArray(topologies)) return problems;
  const firstIndexOfName = new Map<string, number>();
  topologies.forEach((topology: unknown, i) => {
    if (topology === null || typeof topology !== 'object') return;
    const t = topology as Record<string, unknown>;
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
  return problems;
}

/** Every problem of a raw config (defaults already merged), each naming its path, rule and value. */
export function validateConfig(data: Json): string[] {
  const problems = validateSchema(data) ? [] : schemaProblems(data, validateSchema.errors ?? []);
  return [...problems, ...semanticProblems(data)];
}

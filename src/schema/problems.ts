import type { ErrorObject } from 'ajv';

type SchemaNode = Record<string, unknown>;

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

/** A value as it appears in a message: strings quoted, long values cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    // undefined for functions and symbols, which no JSON document holds.
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = 'a value that cannot be shown';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(data: unknown, segments: readonly string[]): unknown {
  let value = data;
  for (const seg of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[seg];
  }
  return value;
}

/**
 * Reads a JSON Schema the way messages need it: the node describing a value, following $ref,
 * items, additionalProperties and oneOf/anyOf branches; its `x-rule` is the rule a message states.
 */
export class SchemaMap {
  constructor(private readonly root: SchemaNode) {}

  private resolve(node: SchemaNode): SchemaNode {
    let current = node;
    for (let i = 0; i < 8 && typeof current.$ref === 'string'; i++) {
      let target: unknown = this.root;
      for (const s of pointerSegments(current.$ref.replace(/^#/, ''))) target = (target as SchemaNode)[s];
      const rest = { ...current };
      delete rest.$ref;
      current = { ...(target as SchemaNode), ...rest };
    }
    return current;
  }

  private child(node: SchemaNode, seg: string): SchemaNode | undefined {
    const props = node.properties as Record<string, SchemaNode> | undefined;
    if (props && Object.hasOwn(props, seg)) return this.resolve(props[seg]);
    if (node.items && /^[0-9]+$/.test(seg)) return this.resolve(node.items as SchemaNode);
    if (typeof node.additionalProperties === 'object') return this.resolve(node.additionalProperties as SchemaNode);
    for (const branch of (node.oneOf ?? node.anyOf ?? []) as SchemaNode[]) {
      const found = this.child(this.resolve(branch), seg);
      if (found) return found;
    }
    return undefined;
  }

  /** The schema node of the value at `segments`. */
  at(segments: readonly string[]): SchemaNode | undefined {
    let node: SchemaNode | undefined = this.resolve(this.root);
    for (const seg of segments) {
      if (!node) return undefined;
      node = this.child(node, seg);
    }
    return node;
  }

  /** The fields a mapping at `segments` knows, for "not a known field" messages. */
  knownFields(segments: readonly string[]): string {
    const props = this.at(segments)?.properties as Record<string, unknown> | undefined;
    return props ? Object.keys(props).join(', ') : '';
  }
}

/**
 * A copy of `data` whose arrays are cut to `limit` items (one past the largest maxItems of a
 * schema): an all-errors pass over it still sees every size violation, in bounded time.
 */
export function pruneArrays(data: unknown, limit: number): unknown {
  if (Array.isArray(data)) return data.slice(0, limit).map((v) => pruneArrays(v, limit));
  if (data !== null && typeof data === 'object') return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, pruneArrays(v, limit)]));
  return data;
}

/**
 * One message per invalid location, from Ajv's errors: the path, the rule (the schema's `x-rule`)
 * and the value found. Deeper errors win over "the whole mapping is wrong".
 */
export function schemaProblems(schema: SchemaMap, data: unknown, errors: readonly ErrorObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  // Every proper ancestor of a located shape error: its own error says less.
  const ancestors = new Set<string>();
  for (const e of errors) {
    if (['required', 'additionalProperties', 'propertyNames'].includes(e.keyword)) continue;
    const segs = pointerSegments(e.instancePath);
    for (let i = 0; i < segs.length; i++) ancestors.add(segs.slice(0, i).join('/'));
  }
  for (const error of errors) {
    const segments = pointerSegments(error.instancePath);
    if (error.keyword === 'required') {
      problems.push(`${formatPath([...segments, (error.params as { missingProperty: string }).missingProperty])} is required`);
      continue;
    }
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      problems.push(`${formatPath([...segments, extra])} is not a known field; known fields: ${schema.knownFields(segments)}`);
      continue;
    }
    if (error.keyword === 'propertyNames') {
      const name = (error.params as { propertyName: string }).propertyName;
      const key = `${error.instancePath}#name:${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rule = (schema.at(segments)?.['x-names'] as string | undefined) ?? 'a valid name';
      problems.push(`${formatPath(segments)} has an invalid name ${describeValue(name)}: names must be ${rule}`);
      continue;
    }
    // Ajv reports the failing branch of a propertyNames check at the name's own path: skip it.
    if (error.propertyName !== undefined) continue;
    const key = segments.join('/');
    if (ancestors.has(key)) continue;
    if (seen.has(key)) continue;
    seen.add(key);
    const rule = (schema.at(segments)?.['x-rule'] as string | undefined) ?? error.message ?? 'valid';
    problems.push(`${formatPath(segments)} must be ${rule}; got ${describeValue(valueAt(data, segments))}`);
  }
  return problems;
}

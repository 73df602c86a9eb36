import { Ajv, type ValidateFunction } from 'ajv';
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pruneArrays, schemaProblems, SchemaMap } from '../schema/problems.js';
import metaSchema from './meta.schema.json' with { type: 'json' };
import resultsSchema from './results.schema.json' with { type: 'json' };
import type { Results, RunMeta, SettleResults } from './types.js';

/** Largest results document read: a real one is tens of KB; anything near this is not ours. */
export const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;
/** Deepest nesting read: a results document nests 6 levels. */
const MAX_DEPTH = 32;
/** Problems listed in one error; a document with more is named as broken all the same. */
const MAX_PROBLEMS = 10;

/** A results document, baseline or meta.json that cannot be used; names the file, path, rule and value. */
export class ResultsError extends Error {
  override name = 'ResultsError';
}

// Deciding stops at the first error; the messages come from an all-errors pass over a pruned copy,
// so a document with 30,000 bad cells is refused as fast as one with a single bad field.
const first = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const all = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
for (const a of [first, all]) a.addVocabulary(['x-rule', 'x-names']);
/** One past the largest maxItems of the schemas. */
const PRUNE_ARRAYS_AT = 1001;
const checks = {
  results: { accept: first.compile(resultsSchema), explain: all.compile(resultsSchema), map: new SchemaMap(resultsSchema) },
  meta: { accept: first.compile(metaSchema), explain: all.compile(metaSchema), map: new SchemaMap(metaSchema) },
};

/** Nesting depth of JSON text, counted without parsing (strings skipped); stops past `limit`. */
export function jsonDepth(text: string, limit = MAX_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

function parseJson(text: string, label: string): unknown {
  if (text.length > MAX_DOCUMENT_BYTES)
    throw new ResultsError(`${label} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB; it is not a flask-perf document`);
  const depth = jsonDepth(text);
  if (depth > MAX_DEPTH) throw new ResultsError(`${label} nests deeper than ${MAX_DEPTH} levels; it is not a flask-perf document`);
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the fault; name only the position (a baseline could hold anything).
    const at = /position (\d+)/.exec((error as Error).message);
    throw new ResultsError(`${label} is not valid JSON${at ? ` (at character ${at[1]})` : ''}`);
  }
}

function check<T>(data: unknown, label: string, which: keyof typeof checks): T {
  const { accept, explain, map } = checks[which] as { accept: ValidateFunction; explain: ValidateFunction; map: SchemaMap };
  if (accept(data)) return data as T;
  const pruned = pruneArrays(data, PRUNE_ARRAYS_AT);
  explain(pruned);
  const problems = schemaProblems(map, pruned, explain.errors ?? []);
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `  - ${p}`);
  const more = problems.length > MAX_PROBLEMS ? [`  - … and ${problems.length - MAX_PROBLEMS} more`] : [];
  throw new ResultsError(`${label} is not a valid flask-perf ${which === 'meta' ? 'meta.json' : 'results document'}:\n${[...shown, ...more].join('\n')}`);
}

/** Parses and checks a results document (results.json, base.json, a baseline); throws ResultsError naming `label`. */
export function parseResults(text: string, label: string): Results {
  const doc = check<Results>(parseJson(text, label), label, 'results');
  const seen = new Set<string>();
  for (const [i, t] of doc.topologies.entries()) {
    if (seen.has(t.name))
      throw new ResultsError(
        `${label} is not a valid flask-perf results document:\n  - topologies[${i}].name must be unique; got ${JSON.stringify(t.name)} twice`,
      );
    seen.add(t.name);
  }
  return doc;
}

/** Parses and checks a meta.json; throws ResultsError naming `label`. */
export function parseMeta(text: string, label: string): RunMeta {
  return check<RunMeta>(parseJson(text, label), label, 'meta');
}

/**
 * Reads a file that must be a regular file of at most MAX_DOCUMENT_BYTES (a symlink is refused,
 * not followed); undefined when it does not exist.
 */
export function readDocumentFile(file: string, label: string): string | undefined {
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return undefined;
  }
  if (stat.isSymbolicLink()) throw new ResultsError(`${label} is a symbolic link; it must be a regular file`);
  if (!stat.isFile()) throw new ResultsError(`${label} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}; it must be a regular file`);
  if (stat.size > MAX_DOCUMENT_BYTES) throw new ResultsError(`${label} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB; it is not a flask-perf document`);
  return readFileSync(file, 'utf8');
}

/** Reads a results document file; null when it does not exist. */
export function readResultsFile(file: string, label: string = file): Results | null {
  const text = readDocumentFile(file, label);
  return text === undefined ? null : parseResults(text, label);
}

/** Writes JSON to `file` (its folder created) through a temporary file and a rename: never half a document. */
export function writeJson(file: string, data: unknown): string {
  return writeText(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** What a results directory holds (the artifact between the fork-safe split's two workflows, the CLI's --out). */
export const RESULT_FILES = {
  results: 'results.json',
  base: 'base.json',
  report: 'report.md',
  html: 'report.html',
  meta: 'meta.json',
  /** compare: baseline, settled — the head and the PR's base measured by turns for its inconclusive cells. */
  settleHead: 'settle-head.json',
  settleBase: 'settle-base.json',
} as const;

/**
 * What to write into a results directory; absent parts are left as they are, and a side given as
 * null is removed (a folder written again must not keep an earlier run's base or settling run:
 * report would judge by it).
 */
export interface ResultsDirContent {
  readonly results?: Results;
  /** compare: base — the base side's results. */
  readonly base?: Results | null;
  readonly report?: string;
  /** The HTML report (report.html). */
  readonly html?: string;
  readonly meta?: RunMeta;
  /** compare: baseline, settled — both sides of the settling run. */
  readonly settle?: SettleResults | null;
}

/** Writes a results directory (the one writer of its files: RESULT_FILES); returns the paths. */
export function writeResultsDir(dir: string, content: ResultsDirContent): Record<keyof typeof RESULT_FILES, string> {
  const files = {
    results: path.join(dir, RESULT_FILES.results),
    base: path.join(dir, RESULT_FILES.base),
    report: path.join(dir, RESULT_FILES.report),
    html: path.join(dir, RESULT_FILES.html),
    meta: path.join(dir, RESULT_FILES.meta),
    settleHead: path.join(dir, RESULT_FILES.settleHead),
    settleBase: path.join(dir, RESULT_FILES.settleBase),
  };
  if (content.results) writeJson(files.results, content.results);
  if (content.base) writeJson(files.base, content.base);
  else if (content.base === null) rmSync(files.base, { force: true });
  if (content.settle === null) for (const file of [files.settleHead, files.settleBase]) rmSync(file, { force: true });
  if (content.meta) writeJson(files.meta, content.meta);
  if (content.settle) {
    writeJson(files.settleHead, content.settle.head);
    writeJson(files.settleBase, content.settle.base);
  }
  if (content.report !== undefined) writeText(files.report, content.report);
  if (content.html !== undefined) writeText(files.html, content.html);
  return files;
}

/**
 * Reads a settling run's two documents from a results directory: both, or neither (null). One
 * without the other is an error naming the missing file. `prefix` labels errors ("results-dir: ").
 */
export function readSettleFiles(dir: string, prefix = ''): SettleResults | null {
  const label = (name: string): string => `${prefix}${path.join(dir, name)}`;
  const head = readResultsFile(path.join(dir, RESULT_FILES.settleHead), label(RESULT_FILES.settleHead));
  const base = readResultsFile(path.join(dir, RESULT_FILES.settleBase), label(RESULT_FILES.settleBase));
  if (!head && !base) return null;
  if (!head || !base) {
    const [there, missing] = head ? [RESULT_FILES.settleHead, RESULT_FILES.settleBase] : [RESULT_FILES.settleBase, RESULT_FILES.settleHead];
    throw new ResultsError(`${label(missing)} is missing: a settling run writes ${there} and ${missing} together`);
  }
  return { head, base };
}

/** Writes text to `file` (its folder created) through a temporary file and a rename. */
export function writeText(file: string, text: string): string {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return file;
}

/** A place results cannot be written to; names it and why. */
export class OutputError extends Error {
  override name = 'OutputError';
}

/** Checks, before any load runs, that `dir` is (or can be made) a writable directory. */
export function ensureWritableDir(dir: string, label: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new OutputError(`${label} ${dir} cannot be created: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!statSync(dir).isDirectory()) throw new OutputError(`${label} ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new OutputError(`${label} ${dir} is not writable`);
  }
}

/** Checks, before any load runs, that `file` can be written: its folder writable, itself not a directory. */
export function ensureWritableFile(file: string, label: string): void {
  ensureWritableDir(path.dirname(path.resolve(file)), `the folder of ${label}`);
  try {
    if (statSync(file).isDirectory()) throw new OutputError(`${label} ${file} is a directory; it must be a file path`);
  } catch (error) {
    if (error instanceof OutputError) throw error;
  }
}

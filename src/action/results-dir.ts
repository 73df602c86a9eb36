import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Results } from '../results/types.js';
import { parseBaseline } from '../compare/baseline.js';
import { ResultFiles } from './constants.js';

/** What `mode: run` records for `mode: report` next to the results. */
export interface RunMeta {
  readonly configPath: string;
  readonly eventName: string;
  readonly prNumber: number | null;
  readonly headSha: string | null;
  readonly baseSha: string | null;
}

/** Paths of the files written. */
export interface WrittenResults {
  readonly results: string;
  readonly report: string;
}

/** Writes results.json (first, so nothing is lost), then report.md and meta.json. */
export function writeResults(dir: string, results: Results): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, ResultFiles.Results);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

export function writeReportAndMeta(dir: string, report: string, meta: RunMeta): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, ResultFiles.Report);
  writeFileSync(file, report);
  writeFileSync(path.join(dir, ResultFiles.Meta), `${JSON.stringify(meta, null, 2)}\n`);
  return file;
}

/** An artifact directory that cannot be used; names the file and what is wrong. */
export class ResultsDirError extends Error {
  override name = 'ResultsDirError';
}

/**
 * Reads a results directory made by `mode: run`. Its content came from untrusted PR code, so it is
 * only read as data: the results are checked like a baseline and the meta fields by type.
 */
export function readResultsDir(dir: string): { results: Results; meta: RunMeta; base: Results | null } {
  const read = (name: string): string => {
    const file = path.join(dir, name);
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new ResultsDirError(`results-dir: cannot read ${file} (${(error as Error).message}); download the artifact that mode "run" uploaded into it`);
    }
  };
  const results = parseBaseline(read(ResultFiles.Results), path.join(dir, ResultFiles.Results));
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(read(ResultFiles.Meta)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ResultsDirError) throw error;
    throw new ResultsDirError(`results-dir: ${ResultFiles.Meta} is not valid JSON`);
  }
  const str = (v: unknown): string | null => (typeof v === 'string' && /^[\w./@:+-]{1,200}$/.test(v) ? v : null);
  const meta: RunMeta = {
    configPath: str(raw.configPath) ?? 'flask-perf',
    eventName: str(raw.eventName) ?? '',
    prNumber: typeof raw.prNumber === 'number' && Number.isInteger(raw.prNumber) && raw.prNumber > 0 ? raw.prNumber : null,
    headSha: typeof raw.headSha === 'string' && /^[0-9a-f]{40}$/.test(raw.headSha) ? raw.headSha : null,
    baseSha: typeof raw.baseSha === 'string' && /^[0-9a-f]{40}$/.test(raw.baseSha) ? raw.baseSha : null,
  };
  const baseFile = path.join(dir, ResultFiles.Base);
  const base = existsSync(baseFile) ? parseBaseline(read(ResultFiles.Base), baseFile) : null;
  return { results, meta, base };
}

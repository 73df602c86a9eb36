import path from 'node:path';
import { parseMeta, parseResults, readDocumentFile, readSettleFiles, RESULT_FILES, ResultsError } from '../results/io.js';
import type { Results, RunMeta, SettleResults } from '../results/types.js';

/** What an artifact of `mode: run` holds, checked. */
export interface ResultsDir {
  readonly results: Results;
  readonly meta: RunMeta;
  /** base.json, read only when the trusted config compares with the base. */
  readonly base: Results | null;
  /** base.json was there but not asked for. */
  readonly baseIgnored: boolean;
  /** settle-head.json and settle-base.json, read only against a stored baseline with compare.settle. */
  readonly settle: SettleResults | null;
}

/**
 * Reads a results directory made by `mode: run`. It came from untrusted PR code: every file is a
 * regular file checked by schema; base.json is read only when `wantBase` (the trusted config's
 * compare: base) and must then be there; the settling run's two files only when `wantSettle` (the
 * trusted config's compare.settle, against a stored baseline), both or neither.
 */
export function readResultsDir(dir: string, wantBase: boolean, wantSettle = false): ResultsDir {
  const read = (name: string, required: boolean): string | undefined => {
    const file = path.join(dir, name);
    const text = readDocumentFile(file, `results-dir: ${file}`);
    if (text === undefined && required) throw new ResultsError(`results-dir: ${file} is missing; download the artifact that mode "run" uploaded into ${dir}`);
    return text;
  };
  const label = (name: string): string => `results-dir: ${path.join(dir, name)}`;
  const results = parseResults(read(RESULT_FILES.results, true)!, label(RESULT_FILES.results));
  const meta = parseMeta(read(RESULT_FILES.meta, true)!, label(RESULT_FILES.meta));
  const baseText = read(RESULT_FILES.base, wantBase);
  if (wantBase) return { results, meta, base: parseResults(baseText!, label(RESULT_FILES.base)), baseIgnored: false, settle: null };
  return { results, meta, base: null, baseIgnored: baseText !== undefined, settle: wantSettle ? readSettleFiles(dir, 'results-dir: ') : null };
}

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseMeta, parseResults, readDocumentFile, ResultsError, writeJson } from '../results/io.js';
import type { Results, RunMeta } from '../results/types.js';
import { ResultFiles } from './constants.js';

/** Writes results.json into the results directory; returns its path. */
export function writeResults(dir: string, results: Results): string {
  return writeJson(path.join(dir, ResultFiles.Results), results);
}

/** Writes report.md and meta.json into the results directory; returns report.md's path. */
export function writeReportAndMeta(dir: string, report: string, meta: RunMeta): string {
  const file = path.join(dir, ResultFiles.Report);
  writeFileSync(file, report);
  writeJson(path.join(dir, ResultFiles.Meta), meta);
  return file;
}

/** What an artifact of `mode: run` holds, checked. */
export interface ResultsDir {
  readonly results: Results;
  readonly meta: RunMeta;
  /** base.json, read only when the trusted config compares with the base. */
  readonly base: Results | null;
  /** base.json was there but not asked for. */
  readonly baseIgnored: boolean;
}

/**
 * Reads a results directory made by `mode: run`. It came from untrusted PR code: every file is a
 * regular file checked by schema; base.json is read only when `wantBase` (the trusted config's
 * compare: base) and must then be there.
 */
export function readResultsDir(dir: string, wantBase: boolean): ResultsDir {
  const read = (name: string, required: boolean): string | undefined => {
    const file = path.join(dir, name);
    const text = readDocumentFile(file, `results-dir: ${file}`);
    if (text === undefined && required) throw new ResultsError(`results-dir: ${file} is missing; download the artifact that mode "run" uploaded into ${dir}`);
    return text;
  };
  const label = (name: string): string => `results-dir: ${path.join(dir, name)}`;
  const results = parseResults(read(ResultFiles.Results, true)!, label(ResultFiles.Results));
  const meta = parseMeta(read(ResultFiles.Meta, true)!, label(ResultFiles.Meta));
  const baseText = read(ResultFiles.Base, wantBase);
  if (!wantBase) return { results, meta, base: null, baseIgnored: baseText !== undefined };
  return { results, meta, base: parseResults(baseText!, label(ResultFiles.Base)), baseIgnored: false };
}

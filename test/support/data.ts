import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Results } from '../../src/results/types.js';
import { ROOT } from './fixture.js';

/** Committed results documents made from real runs (scripts/make-test-data.ts). */
export const DATA_DIR = path.join(ROOT, 'test/data');

/** The head commit every committed meta.json names. */
export const DATA_HEAD_SHA = 'a'.repeat(40);

/** Which committed document a test needs: a results directory of test/data/. */
export type DataSet = 'unchanged' | 'regressed' | 'ab-regressed';

/** Copies a committed results directory (results.json, meta.json, maybe base.json) into `dest`. */
export function copyResultsDir(set: DataSet, dest: string): string {
  mkdirSync(dest, { recursive: true });
  cpSync(path.join(DATA_DIR, set), dest, { recursive: true });
  return dest;
}

/** A committed results document, parsed. */
export function readData(file: string): Results {
  return JSON.parse(readFileSync(path.join(DATA_DIR, file), 'utf8')) as Results;
}

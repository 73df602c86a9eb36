/** Host every server binds and every request targets. */
export const LOOPBACK = '127.0.0.1';

/** Quotes a word for /bin/sh when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

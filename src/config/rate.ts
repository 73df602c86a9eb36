const PER_SECOND: Record<string, number> = { s: 1, m: 1 / 60 };

/**
 * Requests per second of a rate written as "500/s", "30000/m" or a number (per second).
 * Returns undefined when the value is not a rate.
 */
export function parseRate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9]+(?:\.[0-9]+)?)\/(s|m)$/.exec(value.trim());
  return match ? Number(match[1]) * PER_SECOND[match[2]] : undefined;
}

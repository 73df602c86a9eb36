/** Greatest common divisor of positive integers. */
export function gcd(values: readonly number[]): number {
  const two = (a: number, b: number): number => (b === 0 ? a : two(b, a % b));
  return values.reduce((acc, v) => two(acc, v), 0);
}

/**
 * The order in which one connection sends the endpoints, honouring weights and spreading
 * each endpoint evenly (smooth weighted round-robin). Weights 2:1 give [0, 1, 0].
 */
export function weightedSequence(weights: readonly number[]): number[] {
  const divisor = gcd(weights) || 1;
  const reduced = weights.map((w) => w / divisor);
  const total = reduced.reduce((a, b) => a + b, 0);
  const current = reduced.map(() => 0);
  const out: number[] = [];
  for (let step = 0; step < total; step++) {
    let best = 0;
    for (let i = 0; i < reduced.length; i++) {
      current[i] += reduced[i];
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    out.push(best);
  }
  return out;
}

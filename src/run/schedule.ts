/** Which side of the A/B comparison a measurement is of. */
export type Side = 'base' | 'head';

export interface Measurement {
  readonly topology: string;
  readonly side: Side;
}

/** Fisher–Yates shuffle of a copy, with an injected random source (seeded in tests). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * One round of randomized interleaved trials (Abedi & Brecht): topologies in a fresh random
 * order, and for each, base and head once each in a fresh random order.
 */
export function roundSchedule(topologies: readonly string[], random: () => number): Measurement[] {
  return shuffled(topologies, random).flatMap((topology) => {
    const sides: Side[] = random() < 0.5 ? ['base', 'head'] : ['head', 'base'];
    return sides.map((side) => ({ topology, side }));
  });
}

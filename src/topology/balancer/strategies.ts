import type { BalancerStrategy } from '../../config/types.js';

/** State the picker may look at: which upstreams are up, how many requests each has open. */
export interface UpstreamView {
  readonly up: readonly boolean[];
  readonly active: readonly number[];
}

/** Chooses an upstream index, or -1 when none is up. */
export type Picker = (view: UpstreamView) => number;

/** A picker for a strategy (pure but for its own counter and the injected random source). */
export function createPicker(strategy: BalancerStrategy, random: () => number = Math.random): Picker {
  let next = 0;
  const roundRobin: Picker = ({ up }) => {
    for (let step = 0; step < up.length; step++) {
      const i = (next + step) % up.length;
      if (up[i]) {
        next = i + 1;
        return i;
      }
    }
    return -1;
  };
  switch (strategy) {
    case 'round-robin':
      return roundRobin;
    case 'random':
      return ({ up }) => {
        const live = up.flatMap((ok, i) => (ok ? [i] : []));
        return live.length === 0 ? -1 : live[Math.floor(random() * live.length) % live.length];
      };
    case 'least-connections':
      return ({ up, active }) => {
        let best = -1;
        // Ties go round-robin, so an idle pool is still spread evenly.
        for (let step = 0; step < up.length; step++) {
          const i = (next + step) % up.length;
          if (up[i] && (best < 0 || active[i] < active[best])) best = i;
        }
        if (best >= 0) next = best + 1;
        return best;
      };
  }
}

import type { Results } from '../results/types.js';
import { calibrationRatio, cpuElasticityVariance, genericReference, interleaved, normalizedPair } from './calibration.js';
import { cellPlacementDifference, hardwareDifference, judgeCells, judgedTopologies } from './cells.js';
import { TRIAL_METRICS, trialValues, type Gauged, type MetricName } from './metrics.js';
import { capacityNoise, capacityValue, storedNoise, trialForeign, type CalibrationMethod } from './noise.js';
import type { CellInput, Comparison, Policy } from './types.js';
import type { MetricSamples } from './verdict.js';

/**
 * Compares a run (head) with a stored baseline (base; null: no baseline yet), cell by cell (pure):
 * the log ratio of run means of each metric under the noise model (noise.ts), Holm across the
 * matrix. Cells whose reference app ran by turns with their trials are judged on values divided by
 * it, trial by trial.
 * @param expected the topologies to judge (the trusted config's); default: the head's and the base's
 */
export function compareStored(base: Results | null, head: Results, policy: Policy, baseSource: string | null = null, expected?: readonly string[]): Comparison {
  const baseByName = new Map((base?.topologies ?? []).map((t) => [t.name, t]));
  const judged = judgedTopologies(
    head.topologies.map((t) => t.name),
    [...baseByName.keys()],
    expected,
  );
  const runNote = base ? hardwareDifference(base.environment, head.environment) : null;
  // A cell whose load generator grew on one side only ran its servers on other cores there.
  const placementNotes = new Map<string, string>();
  for (const h of base ? head.topologies : []) {
    const b = baseByName.get(h.name);
    const note = b?.ok && h.ok ? cellPlacementDifference(b, h, base!.environment, head.environment) : null;
    if (note) placementNotes.set(h.name, note);
  }
  const hardwareNote =
    [runNote, placementNotes.size ? `placement differs per cell (${[...placementNotes.values()].join('; ')})` : null].filter(Boolean).join('; ') || null;
  const sources = new Set<string>();
  const inputs: CellInput[] = judged.names.map((name) => {
    const b = baseByName.get(name);
    const h = head.topologies.find((t) => t.name === name);
    const samples: Partial<Record<MetricName, MetricSamples>> = {};
    // The machine's speed, as the reference app measured it, divides out: across hardware, and on
    // the same machine too, whose speed drifts between runs (bench/corpus).
    const calibration = b && h ? calibrationRatio(b, h, 1 - 2 * policy.alpha) : null;
    const cb = b ? capacityValue(b) : null;
    const ch = h ? capacityValue(h) : null;
    if (base && b && h && (b.capacity || h.capacity)) {
      // Capacity searches: their results are what is judged (a step's numbers are at another rate on each side).
      if (cb && ch) {
        const normalized = cb.normalized && ch.normalized;
        const noise = capacityNoise({
          normalized,
          paired: false,
          crossHardware: runNote !== null || placementNotes.has(name),
          generic: genericReference(b) || genericReference(h),
        });
        sources.add(noise.source);
        samples.capacity = {
          kind: 'unpaired',
          base: [normalized ? cb.value : b.capacity!.rate],
          head: [normalized ? ch.value : h.capacity!.rate],
          prior: noise.prior,
        };
      }
    } else if (base && b && h) {
      const byTurns = interleaved(b) && interleaved(h);
      for (const { name: metric } of TRIAL_METRICS) {
        const normalized = metric !== 'p99' && (byTurns || calibration !== null);
        const method: CalibrationMethod = !normalized ? 'none' : byTurns ? 'interleaved' : 'after';
        const noise = storedNoise(metric, {
          baseline: base,
          base: b,
          calibration: method,
          generic: genericReference(b) || genericReference(h),
          crossHardware: runNote !== null || placementNotes.has(name),
          trialSec: Math.min(base.load.durationSec, head.load.durationSec),
          foreign: { base: b.trials.map(trialForeign), head: h.trials.map(trialForeign) },
        });
        sources.add(noise.source);
        if (method === 'interleaved') {
          // How far a partly CPU-bound cell's CPU per request follows the machine is not known: noise.
          const unknown = metric === 'cpu' && calibration?.cpu ? cpuElasticityVariance(b, h, calibration.cpu) : 0;
          const prior = { ...noise.prior, betweenSd: Math.sqrt(noise.prior.betweenSd ** 2 + unknown) };
          samples[metric] = { kind: 'unpaired', ...normalizedPair(b, h, metric as Gauged), prior };
          continue;
        }
        // Calibrated after the cell (older documents): bring the head to the base's machine speed by
        // the factor (req/s: as far as the head's elasticity follows it), and add its uncertainty.
        const e = method === 'after' && metric === 'rps' ? calibration!.elasticity.head : 1;
        const scale = method === 'after' ? (metric === 'rps' ? calibration!.rps : (calibration!.cpu ?? 1)) ** e : 1;
        const factorVariance = method === 'after' ? calibration!.variance[metric as Gauged] * e * e : 0;
        const prior = { ...noise.prior, betweenSd: Math.sqrt(noise.prior.betweenSd ** 2 + factorVariance) };
        samples[metric] = { kind: 'unpaired', base: trialValues(b.trials, metric), head: trialValues(h.trials, metric).map((v) => v / scale), prior };
      }
    }
    return {
      name,
      base: b,
      head: h,
      samples,
      sampleCount: Math.min(b?.trials.length ?? 0, h?.trials.length ?? 0),
      calibration,
      missingReason: judged.missingReason,
    };
  });
  const { cells, gatedTests } = judgeCells(inputs, policy);
  return {
    mode: 'baseline',
    hasBase: base !== null,
    baseSource: base ? baseSource : null,
    hardwareNote,
    policy,
    cells: base ? cells : cells.map((c) => (c.verdict === 'new' ? { ...c, reasons: ['no baseline yet'] } : c)),
    gatedTests,
    ignored: judged.ignored,
    noiseSource: [...sources].join('; ') || null,
  };
}

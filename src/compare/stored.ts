import type { Results } from '../results/types.js';
import { calibrationRatio, interleaved, normalizedValues } from './calibration.js';
import { hardwareDifference, judgeCells, judgedTopologies } from './cells.js';
import { METRICS, trialValues, type Gauged, type MetricName } from './metrics.js';
import { storedNoise, type CalibrationMethod } from './noise.js';
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
  const hardwareNote = base ? hardwareDifference(base.environment, head.environment) : null;
  const sources = new Set<string>();
  const inputs: CellInput[] = judged.names.map((name) => {
    const b = baseByName.get(name);
    const h = head.topologies.find((t) => t.name === name);
    const samples: Partial<Record<MetricName, MetricSamples>> = {};
    // The machine's speed, as the reference app measured it, divides out: across hardware, and on
    // the same machine too, whose speed drifts between runs (bench/corpus).
    const calibration = b && h ? calibrationRatio(b, h, 1 - 2 * policy.alpha) : null;
    if (base && b && h) {
      const byTurns = interleaved(b) && interleaved(h);
      for (const { name: metric } of METRICS) {
        const normalized = metric !== 'p99' && (byTurns || calibration !== null);
        const method: CalibrationMethod = !normalized ? 'none' : byTurns ? 'interleaved' : 'after';
        const noise = storedNoise(metric, {
          baseline: base,
          base: b,
          calibration: method,
          crossHardware: hardwareNote !== null,
          trialSec: Math.min(base.load.durationSec, head.load.durationSec),
        });
        sources.add(noise.source);
        if (method === 'interleaved') {
          samples[metric] = { kind: 'unpaired', base: normalizedValues(b, metric as Gauged), head: normalizedValues(h, metric as Gauged), prior: noise.prior };
          continue;
        }
        // Calibrated after the cell (older documents): divide by the factor, and add its uncertainty.
        const scale = method === 'after' ? (metric === 'rps' ? calibration!.rps : (calibration!.cpu ?? 1)) : 1;
        const factorVariance = method === 'after' ? calibration!.variance[metric as Gauged] : 0;
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

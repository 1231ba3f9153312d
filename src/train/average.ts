import type { RunStore } from '../platform/run-store.js';
import { UserError } from '../util/errors.js';
import { parseSafetensorsHeader, readSafeTensorData, type SafetensorsHeader } from '../util/safetensors-decode.js';
import { encodeSafetensors } from '../util/safetensors-encode.js';
import type { SafeTensorInput } from '../util/safetensors.js';
import { listKeptCheckpoints, type KeptCheckpoint } from './kept-checkpoints.js';

/**
 * Checkpoint averaging (Vaswani et al. 2017 average the last checkpoints of a run; fairseq's
 * scripts/average_checkpoints.py, OpenNMT and Marian do the same): every tensor of the result is
 * the element-wise mean of that tensor over the files. The files must hold the same tensor names
 * with the same shapes (float tensors only), else nothing is written and the error names the first
 * difference. Sums run in float64, so averaging N copies of one file gives its weights back bit
 * for bit.
 */

/** Metadata key of an averaged weights file: the steps it averages ("100,200,300"). */
export const AVERAGED_STEPS_KEY = 'averaged_steps';

export interface WeightsSource {
  /** Names the file in errors (a path). */
  label: string;
  bytes: Uint8Array;
}

function header(src: WeightsSource): SafetensorsHeader {
  try {
    return parseSafetensorsHeader(src.bytes);
  } catch (e) {
    throw new UserError(`${src.label}: not a valid safetensors file (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The mean of the files' tensors, as safetensors bytes (chunks) with `metadata`; tensors keep the first file's order. */
export function averageWeights(sources: readonly WeightsSource[], metadata: Record<string, string> = {}): Uint8Array[] {
  if (sources.length === 0) throw new UserError('average: no weights files to average');
  const first = header(sources[0]!);
  const sums = new Map<string, { shape: number[]; sum: Float64Array }>();
  for (const e of first.entries) {
    if (e.dtype !== 'F32') throw new UserError(`${sources[0]!.label}: tensor '${e.name}' is ${e.sourceDType}; only float weights can be averaged`);
    sums.set(e.name, { shape: e.shape, sum: new Float64Array(e.size) });
  }
  for (const src of sources) {
    const h = src === sources[0] ? first : header(src);
    const names = new Set(h.entries.map((e) => e.name));
    for (const name of sums.keys()) {
      if (!names.has(name)) throw new UserError(`${src.label}: tensor '${name}' of ${sources[0]!.label} is missing; the checkpoints are not of one model`);
    }
    for (const e of h.entries) {
      const acc = sums.get(e.name);
      if (!acc) throw new UserError(`${src.label}: tensor '${e.name}' is not in ${sources[0]!.label}; the checkpoints are not of one model`);
      if (e.shape.join(',') !== acc.shape.join(',')) {
        throw new UserError(`${src.label}: tensor '${e.name}' has shape [${e.shape.join(', ')}], ${sources[0]!.label} has [${acc.shape.join(', ')}]; the checkpoints are not of one model`);
      }
      if (e.dtype !== 'F32') throw new UserError(`${src.label}: tensor '${e.name}' is ${e.sourceDType}; only float weights can be averaged`);
    }
  }
  // Checked in full: now add the values, one file at a time.
  // The first file's values start the sums (not +0: a −0 stays −0, so N copies give the file back bit for bit).
  sources.forEach((src, k) => {
    const h = k === 0 ? first : header(src);
    for (const e of h.entries) {
      const values = readSafeTensorData(src.bytes, h, e) as Float32Array;
      const sum = sums.get(e.name)!.sum;
      if (k === 0) sum.set(values);
      else for (let i = 0; i < values.length; i++) sum[i] += values[i]!;
    }
  });
  const n = sources.length;
  const tensors: [string, SafeTensorInput][] = [];
  for (const [name, { shape, sum }] of sums) {
    const mean = new Float32Array(sum.length);
    for (let i = 0; i < sum.length; i++) mean[i] = sum[i]! / n;
    tensors.push([name, { shape, data: mean }]);
  }
  return encodeSafetensors(tensors, { format: 'pt', producer: 's2s', ...metadata });
}

export interface RunAverage {
  /** The averaged weights (safetensors chunks), tagged with the steps and the run. */
  bytes: Uint8Array[];
  /** The kept checkpoints averaged, oldest first. */
  checkpoints: KeptCheckpoint[];
}

/**
 * Averages the last `last` kept checkpoints of a run (all of them when undefined); see
 * --keep-checkpoints. Fewer kept than asked for is a UserError that says how many there are.
 */
export function averageRunCheckpoints(store: RunStore, last?: number): RunAverage {
  const kept = listKeptCheckpoints(store);
  if (kept.length === 0) {
    throw new UserError(`${store.location}: no kept checkpoints (model.step-STEP.safetensors) to average; train with --keep-checkpoints N (resuming with it works too)`);
  }
  const n = last ?? kept.length;
  if (!(Number.isInteger(n) && n >= 1)) throw new UserError(`average: --last must be a positive integer, got ${n}`);
  if (n > kept.length) {
    throw new UserError(`${store.location}: --last ${n} asks for more checkpoints than the ${kept.length} kept (steps ${kept.map((k) => k.step).join(', ')}); give --last ${kept.length} or fewer`);
  }
  const chosen = kept.slice(kept.length - n);
  const sources = chosen.map((k) => {
    const bytes = store.read(k.name);
    if (bytes === null) throw new UserError(`${store.pathOf(k.name)}: disappeared while averaging; is a training run still writing ${store.location}?`);
    return { label: store.pathOf(k.name), bytes };
  });
  const bytes = averageWeights(sources, { [AVERAGED_STEPS_KEY]: chosen.map((k) => String(k.step)).join(','), step: String(chosen[chosen.length - 1]!.step) });
  return { bytes, checkpoints: chosen };
}

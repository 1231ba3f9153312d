import { codecPairToJSON, type CodecPair, type TextPair } from '../data/index.js';
import type { PartialModelConfig, Seq2SeqConfig } from '../models/index.js';
import { joinPath } from '../platform/node-files.js';
import { loadEnsemble, type TrainOptions } from '../train/index.js';
import { decodeAll, describeModel, GREEDY_AND_BEAM5, trainCounted, type CountedTraining } from './pipeline.js';
import { startLane, type LaneResult } from './train-lane.js';

/**
 * g2p-cmudict's ensemble plan (`s2s recipe g2p-cmudict --ensemble`): the minutes are spent on two
 * one-thread lanes at once. One lane trains a Transformer for the whole budget (it still learns
 * at 60 minutes); the other trains the recipe's LSTM three times, a third of the budget each,
 * with seeds seed, seed+1, seed+2 (that LSTM stops improving after about 20 minutes: 28.2% WER at
 * 20, 28.3% at 60). The test words are decoded by the four as one ensemble (their probabilities
 * averaged step by step). docs/training.md ("60-minute runs") has the runs that chose this.
 */

export const G2P_TRANSFORMER: PartialModelConfig = { arch: 'transformer', emb: 128, layers: 3, ffn: 512, heads: 4, dropout: 0.1 };
export const G2P_TRANSFORMER_OPTIONS: Partial<TrainOptions> = {
  batchTokens: 1000, lr: 0.002, schedule: 'linear', warmup: 400, clip: 5, labelSmoothing: 0.1, validEvery: 4000, validDecode: 200, metric: 'wer', patience: 0, logEvery: 50,
};
/** Quick mode: a small Transformer for a fixed number of steps (a test of the plan, not of the model). */
export const G2P_QUICK_TRANSFORMER: PartialModelConfig = { arch: 'transformer', emb: 32, layers: 1, ffn: 64, heads: 2, dropout: 0 };
export const G2P_QUICK_TRANSFORMER_OPTIONS: Partial<TrainOptions> = { ...G2P_TRANSFORMER_OPTIONS, batchTokens: 250, lr: 0.005, warmup: 20, maxSteps: 200, validEvery: 100, validDecode: 50 };
export const G2P_ENSEMBLE_LSTMS = 3;

export interface EnsemblePlanSpec {
  /** Folder of the member runs (transformer, lstm-1, lstm-2, …). */
  dir: string;
  codecs: CodecPair;
  train: readonly TextPair[];
  valid: readonly TextPair[];
  /** The budget of both lanes in seconds (a cap only in quick mode, where the steps are fixed). */
  seconds: number;
  seed: number;
  quick: boolean;
  /** The LSTM and its options (the recipe's, or its quick ones). */
  lstm: Partial<Seq2SeqConfig>;
  lstmOptions: Partial<TrainOptions>;
  testSources: readonly string[];
  say: (message: string) => void;
}

export interface EnsembleMember {
  name: string;
  model: string;
  params: number;
  train: CountedTraining['train'];
}

export interface EnsemblePlanResult {
  members: EnsembleMember[];
  /** Wall time of the two lanes together. */
  seconds: number;
  /** The ensemble's outputs (greedy, beam5) and each member's own beam-5 outputs (by member name). */
  outputs: Record<string, string[]>;
  memberOutputs: Record<string, string[]>;
  decodeSeconds: Record<string, number>;
}

function describeTransformer(m: PartialModelConfig, params: number): string {
  const t = m as { emb?: number; layers?: number; ffn?: number; heads?: number };
  return `Transformer d ${t.emb}, ${t.layers}+${t.layers} layers, ffn ${t.ffn}, ${t.heads} heads, ${(params / 1e6).toFixed(2)}M params`;
}

function laneTraining(r: LaneResult): CountedTraining['train'] {
  return { seconds: Math.round(r.seconds), steps: r.steps, epochs: r.epochs, tokPerS: Math.round(r.tokens / r.seconds), reason: r.reason };
}

export async function trainEnsemblePlan(spec: EnsemblePlanSpec): Promise<EnsemblePlanResult> {
  const t0 = performance.now();
  const deadline = t0 + spec.seconds * 1000;
  const transformer = spec.quick ? G2P_QUICK_TRANSFORMER : G2P_TRANSFORMER;
  const tfDir = joinPath(spec.dir, 'transformer');
  const lane = startLane({
    runDir: tfDir, codecs: codecPairToJSON(spec.codecs), train: spec.train, valid: spec.valid, model: transformer,
    options: { ...(spec.quick ? G2P_QUICK_TRANSFORMER_OPTIONS : G2P_TRANSFORMER_OPTIONS), maxTime: spec.seconds, seed: spec.seed },
  }, (m) => spec.say(`transformer: ${m}`));
  spec.say(`ensemble plan: a Transformer on a lane of its own for ${spec.seconds} s; ${G2P_ENSEMBLE_LSTMS} LSTM runs of a third each on this thread`);
  // Ctrl-C stops the lane too (the LSTM run in this thread stops by its own handler), and no further LSTM starts.
  let stopped = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopped) process.exit(sig === 'SIGTERM' ? 143 : 130);
    stopped = true;
    lane.stop(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const members: EnsembleMember[] = [];
  const dirs: string[] = [tfDir];
  try {
    for (let k = 0; k < G2P_ENSEMBLE_LSTMS && !stopped; k++) {
      const name = `lstm-${k + 1}`;
      const runDir = joinPath(spec.dir, name);
      // each LSTM gets an equal share of what is left, so the lane ends with the budget
      const share = (deadline - performance.now()) / 1000 / (G2P_ENSEMBLE_LSTMS - k);
      const options = spec.quick ? { ...spec.lstmOptions, seed: spec.seed + k } : { ...spec.lstmOptions, maxTime: Math.max(1, share), seed: spec.seed + k };
      spec.say(`${name}: seed ${spec.seed + k}${spec.quick ? '' : `, ${share.toFixed(0)} s`}`);
      const r = await trainCounted({ runDir, codecs: spec.codecs, train: spec.train, valid: spec.valid, model: spec.lstm, options, say: spec.say });
      members.push({ name, model: describeModel(spec.lstm, r.params), params: r.params, train: r.train });
      dirs.push(runDir);
    }
    const tf = await lane.done;
    spec.say(`transformer: ${tf.steps} steps (${tf.epochs} epochs) in ${tf.seconds.toFixed(0)} s, stopped by ${tf.reason}`);
    members.unshift({ name: 'transformer', model: describeTransformer(transformer, tf.params), params: tf.params, train: laneTraining(tf) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const seconds = (performance.now() - t0) / 1000;

  // The budget schedules end at lr 0, so each member's last weights are decoded.
  const ensemble = await loadEnsemble(dirs, { weights: 'last' });
  const memberOutputs: Record<string, string[]> = {};
  const decodeSeconds: Record<string, number> = {};
  for (const [i, run] of ensemble.runs.entries()) {
    const name = members[i]!.name;
    const d = decodeAll(run.translator, spec.testSources, [{ name: 'beam5', options: { beam: 5, batchSize: 32 } }], (m) => spec.say(`${name}: ${m}`));
    memberOutputs[name] = d.outputs['beam5']!;
    decodeSeconds[`${name}.beam5`] = d.decodeSeconds['beam5']!;
  }
  const d = decodeAll(ensemble.translator, spec.testSources, GREEDY_AND_BEAM5, (m) => spec.say(`ensemble: ${m}`));
  return { members, seconds, outputs: d.outputs, memberOutputs, decodeSeconds: { ...decodeSeconds, ...d.decodeSeconds } };
}

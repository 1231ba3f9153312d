import { codecPairToJSON, targetRightToLeft, type CodecPair, type TextPair } from '../data/index.js';
import type { PartialModelConfig, Seq2SeqConfig } from '../models/index.js';
import { joinPath } from '../platform/node-files.js';
import { loadEnsemble, rescoreTranslations, type TrainOptions } from '../train/index.js';
import { decodeAll, describeModel, GREEDY_AND_BEAM5, trainCounted, type CountedTraining } from './pipeline.js';
import { startLane, type LaneResult } from './train-lane.js';

/**
 * g2p-cmudict's ensemble plan (`s2s recipe g2p-cmudict --ensemble`): the minutes are spent on two
 * one-thread lanes at once. One lane trains a Transformer for the whole budget (it still learns
 * at 60 minutes); the other trains the recipe's LSTM three times, a third of the budget each,
 * with seeds seed, seed+1, seed+2 (that LSTM stops improving after about 20 minutes: 28.2% WER at
 * 20, 28.3% at 60), the second and third writing right to left (`--right-to-left`). The
 * Transformer and the first LSTM decode the test words as one ensemble (their probabilities
 * averaged step by step); the two right-to-left runs, as an ensemble of their own, re-rank its
 * beam-5 lists (`s2s translate --rescore`). A right-to-left model makes other mistakes than a
 * left-to-right one, so it re-ranks better than a third left-to-right member votes.
 * docs/training.md ("60-minute runs", "Right-to-left rescoring") has the runs that chose this.
 */

export const G2P_TRANSFORMER: PartialModelConfig = { arch: 'transformer', emb: 128, layers: 3, ffn: 512, heads: 4, dropout: 0.1 };
export const G2P_TRANSFORMER_OPTIONS: Partial<TrainOptions> = {
  batchTokens: 1000, lr: 0.002, schedule: 'linear', warmup: 400, clip: 5, labelSmoothing: 0.1, validEvery: 4000, validDecode: 200, metric: 'wer', patience: 0, logEvery: 50,
};
/** Quick mode: a small Transformer for a fixed number of steps (a test of the plan, not of the model). */
export const G2P_QUICK_TRANSFORMER: PartialModelConfig = { arch: 'transformer', emb: 32, layers: 1, ffn: 64, heads: 2, dropout: 0 };
export const G2P_QUICK_TRANSFORMER_OPTIONS: Partial<TrainOptions> = { ...G2P_TRANSFORMER_OPTIONS, batchTokens: 250, lr: 0.005, warmup: 20, maxSteps: 200, validEvery: 100, validDecode: 50 };
/** The LSTM runs of the second lane, in order, by the direction each writes its output in. */
export const G2P_ENSEMBLE_LSTMS: readonly LstmDirection[] = ['left-to-right', 'right-to-left', 'right-to-left'];
export type LstmDirection = 'left-to-right' | 'right-to-left';

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
  direction: LstmDirection;
  model: string;
  params: number;
  train: CountedTraining['train'];
}

export interface EnsemblePlanResult {
  members: EnsembleMember[];
  /** Wall time of the two lanes together. */
  seconds: number;
  /**
   * The left-to-right members' ensemble outputs (greedy, beam5), with right-to-left members also
   * `beam5-rescored` (the ensemble's beam-5 list re-ranked by them), and each member's own beam-5
   * outputs (by member name).
   */
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
  const n = G2P_ENSEMBLE_LSTMS.length;
  spec.say(`ensemble plan: a Transformer on a lane of its own for ${spec.seconds} s; ${n} LSTM runs of 1/${n} each on this thread (${G2P_ENSEMBLE_LSTMS.join(', ')})`);
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
    for (let k = 0; k < n && !stopped; k++) {
      const direction = G2P_ENSEMBLE_LSTMS[k]!;
      const name = `lstm-${k + 1}${direction === 'right-to-left' ? '-r2l' : ''}`;
      const runDir = joinPath(spec.dir, name);
      // each LSTM gets an equal share of what is left, so the lane ends with the budget
      const share = (deadline - performance.now()) / 1000 / (n - k);
      const options = spec.quick ? { ...spec.lstmOptions, seed: spec.seed + k } : { ...spec.lstmOptions, maxTime: Math.max(1, share), seed: spec.seed + k };
      spec.say(`${name}: seed ${spec.seed + k}, ${direction}${spec.quick ? '' : `, ${share.toFixed(0)} s`}`);
      const codecs = direction === 'right-to-left' ? targetRightToLeft(spec.codecs) : spec.codecs;
      const r = await trainCounted({ runDir, codecs, train: spec.train, valid: spec.valid, model: spec.lstm, options, say: spec.say });
      members.push({ name, direction, model: describeModel(spec.lstm, r.params), params: r.params, train: r.train });
      dirs.push(runDir);
    }
    const tf = await lane.done;
    spec.say(`transformer: ${tf.steps} steps (${tf.epochs} epochs) in ${tf.seconds.toFixed(0)} s, stopped by ${tf.reason}`);
    members.unshift({ name: 'transformer', direction: 'left-to-right', model: describeTransformer(transformer, tf.params), params: tf.params, train: laneTraining(tf) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const seconds = (performance.now() - t0) / 1000;

  // The budget schedules end at lr 0, so each member's last weights are decoded.
  const memberOutputs: Record<string, string[]> = {};
  const decodeSeconds: Record<string, number> = {};
  const forward = members.filter((m) => m.direction === 'left-to-right');
  const backward = members.filter((m) => m.direction === 'right-to-left');
  const dirOf = (m: EnsembleMember): string => dirs[members.indexOf(m)]!;
  const ensemble = await loadEnsemble(forward.map(dirOf), { weights: 'last' });
  const rescorer = backward.length > 0 ? await loadEnsemble(backward.map(dirOf), { weights: 'last' }) : undefined;
  const runs = [...ensemble.runs, ...(rescorer?.runs ?? [])];
  for (const [i, run] of runs.entries()) {
    const name = [...forward, ...backward][i]!.name;
    const d = decodeAll(run.translator, spec.testSources, [{ name: 'beam5', options: { beam: 5, batchSize: 32 } }], (m) => spec.say(`${name}: ${m}`));
    memberOutputs[name] = d.outputs['beam5']!;
    decodeSeconds[`${name}.beam5`] = d.decodeSeconds['beam5']!;
  }
  const seconds1 = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;
  // With rescorers the beam-5 search keeps its 5-best lists, and its first entries are the beam-5
  // output (the same as a 1-best search's: later finished hypotheses never score higher).
  const d = decodeAll(ensemble.translator, spec.testSources, rescorer ? GREEDY_AND_BEAM5.filter((x) => x.name !== 'beam5') : GREEDY_AND_BEAM5, (m) => spec.say(`ensemble: ${m}`));
  if (rescorer) {
    let d0 = performance.now();
    const lists = ensemble.translator.translate(spec.testSources, { beam: 5, nBest: 5, batchSize: 32 });
    d.outputs['beam5'] = lists.map((t) => t.hypotheses[0]?.text ?? '');
    d.decodeSeconds['beam5'] = seconds1(d0);
    spec.say(`ensemble: decoded ${spec.testSources.length} test inputs (beam5, 5-best lists) in ${d.decodeSeconds['beam5']} s`);
    // The left-to-right ensemble's whole beam, re-ranked by the right-to-left runs as one ensemble.
    d0 = performance.now();
    d.outputs['beam5-rescored'] = rescoreTranslations(lists, { model: rescorer.scorer, codecs: rescorer.codecs }).map((t) => t.hypotheses[0]?.text ?? '');
    d.decodeSeconds['beam5-rescored'] = seconds1(d0);
    spec.say(`ensemble: re-ranked the 5-best lists by ${backward.length} right-to-left runs in ${d.decodeSeconds['beam5-rescored']} s`);
  }
  return { members, seconds, outputs: d.outputs, memberOutputs, decodeSeconds: { ...decodeSeconds, ...d.decodeSeconds } };
}

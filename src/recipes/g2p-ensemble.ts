import { codecPairToJSON, targetRightToLeft, type CodecPair, type TextPair } from '../data/index.js';
import type { Seq2SeqConfig } from '../models/index.js';
import { joinPath } from '../platform/node-files.js';
import { loadEnsemble, rescoreTranslations, type TrainOptions } from '../train/index.js';
import { BEAM5, decodeAll, describeModel, GREEDY_AND_BEAM5, trainCounted, type CountedTraining } from './pipeline.js';
import { startLane, type LaneResult } from './train-lane.js';

/**
 * g2p-cmudict's ensemble plan (`s2s recipe g2p-cmudict --ensemble`): the minutes are spent on two
 * one-thread lanes at once, in rounds. Each round trains two LSTM runs side by side, one on this
 * thread writing left to right and one on a worker lane writing right to left
 * (`--right-to-left`); three rounds of a third of the budget each, seeds seed..seed+5, of the
 * recipe's own LSTM (two layers a side; the one-layer LSTM stopped improving after 20 minutes, and
 * fewer, longer runs of the two-layer one were not tried). The left-to-right runs decode the
 * test words as one ensemble (their probabilities averaged step by step); the right-to-left runs,
 * as an ensemble of their own, re-rank its beam-5 lists (`s2s translate --rescore`). A
 * right-to-left model makes other mistakes than a left-to-right one, so it re-ranks better than
 * it would vote. docs/training.md ("60-minute runs", "Right-to-left rescoring", "Deeper LSTMs")
 * has the runs that chose this; a Transformer on one lane for the hour, the plan before, added
 * nothing beside the deeper LSTMs.
 */

/** The rounds of the plan; each trains one left-to-right and one right-to-left run at once. */
export const G2P_ENSEMBLE_ROUNDS = 3;
export type LstmDirection = 'left-to-right' | 'right-to-left';

export interface EnsemblePlanSpec {
  /** Folder of the member runs (lstm-1, lstm-2-r2l, …). */
  dir: string;
  codecs: CodecPair;
  train: readonly TextPair[];
  valid: readonly TextPair[];
  /** The budget of both lanes in seconds (a cap only in quick mode, where the steps are fixed). */
  seconds: number;
  seed: number;
  quick: boolean;
  /** The LSTM and its options (the plan's, or the recipe's quick ones). */
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
   * The left-to-right members' ensemble outputs (greedy, beam5, and beam5-rescored: the
   * ensemble's beam-5 lists re-ranked by the right-to-left members), and each member's own beam-5
   * outputs (by member name).
   */
  outputs: Record<string, string[]>;
  memberOutputs: Record<string, string[]>;
  decodeSeconds: Record<string, number>;
}

function laneTraining(r: LaneResult): CountedTraining['train'] {
  return { seconds: Math.round(r.seconds), steps: r.steps, epochs: r.epochs, tokPerS: Math.round(r.tokens / r.seconds), reason: r.reason };
}

/** Member k (0-based) of the plan: even ones write left to right on this thread, odd ones right to left on the lane. */
function memberName(k: number): { name: string; direction: LstmDirection } {
  const direction: LstmDirection = k % 2 === 0 ? 'left-to-right' : 'right-to-left';
  return { name: `lstm-${k + 1}${direction === 'right-to-left' ? '-r2l' : ''}`, direction };
}

export async function trainEnsemblePlan(spec: EnsemblePlanSpec): Promise<EnsemblePlanResult> {
  const t0 = performance.now();
  const deadline = t0 + spec.seconds * 1000;
  const rounds = G2P_ENSEMBLE_ROUNDS;
  const r2lCodecs = codecPairToJSON(targetRightToLeft(spec.codecs));
  spec.say(`ensemble plan: ${rounds} rounds of two one-thread LSTM runs at once (left to right here, right to left on a lane), 1/${rounds} of ${spec.seconds} s each`);
  // Ctrl-C stops the lane's run too (the run on this thread stops by its own handler), and no further round starts.
  let stopped = false;
  let lane: ReturnType<typeof startLane> | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopped) process.exit(sig === 'SIGTERM' ? 143 : 130);
    stopped = true;
    lane?.stop(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const members: EnsembleMember[] = [];
  const dirs: string[] = [];
  try {
    for (let round = 0; round < rounds && !stopped; round++) {
      // each round gets an equal share of what is left, so the last one ends with the budget
      const share = (deadline - performance.now()) / 1000 / (rounds - round);
      const optionsOf = (k: number): Partial<TrainOptions> => (spec.quick ? { ...spec.lstmOptions, seed: spec.seed + k } : { ...spec.lstmOptions, maxTime: Math.max(1, share), seed: spec.seed + k });
      const fwd = memberName(2 * round);
      const bwd = memberName(2 * round + 1);
      const fwdDir = joinPath(spec.dir, fwd.name);
      const bwdDir = joinPath(spec.dir, bwd.name);
      spec.say(`round ${round + 1}: ${fwd.name} (seed ${spec.seed + 2 * round}) and ${bwd.name} (seed ${spec.seed + 2 * round + 1})${spec.quick ? '' : `, ${share.toFixed(0)} s`}`);
      lane = startLane({ runDir: bwdDir, codecs: r2lCodecs, train: spec.train, valid: spec.valid, model: spec.lstm, options: optionsOf(2 * round + 1) }, (m) => spec.say(`${bwd.name}: ${m}`));
      // The lane is awaited even when this thread's run fails, so no worker outlives the plan.
      const here = await trainCounted({ runDir: fwdDir, codecs: spec.codecs, train: spec.train, valid: spec.valid, model: spec.lstm, options: optionsOf(2 * round), say: spec.say })
        .catch(async (e: unknown) => {
          lane!.stop('SIGTERM');
          await lane!.done.catch(() => undefined);
          throw e;
        });
      const there = await lane.done;
      spec.say(`${bwd.name}: ${there.steps} steps (${there.epochs} epochs) in ${there.seconds.toFixed(0)} s, stopped by ${there.reason}`);
      members.push({ name: fwd.name, direction: fwd.direction, model: describeModel(spec.lstm, here.params), params: here.params, train: here.train });
      members.push({ name: bwd.name, direction: bwd.direction, model: describeModel(spec.lstm, there.params), params: there.params, train: laneTraining(there) });
      dirs.push(fwdDir, bwdDir);
    }
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
  // loadEnsemble keeps the order of its runs: the forward members', then the backward ones'
  const named = [...forward, ...backward];
  for (const [i, run] of [...ensemble.runs, ...(rescorer?.runs ?? [])].entries()) {
    const name = named[i]!.name;
    const d = decodeAll(run.translator, spec.testSources, [BEAM5], (m) => spec.say(`${name}: ${m}`));
    memberOutputs[name] = d.outputs['beam5']!;
    decodeSeconds[`${name}.beam5`] = d.decodeSeconds['beam5']!;
  }
  const seconds1 = (t0: number): number => Math.round((performance.now() - t0) / 100) / 10;
  // With rescorers the beam-5 search keeps its 5-best lists, and its first entries are the beam-5
  // output (the same as a 1-best search's: later finished hypotheses never score higher).
  const d = decodeAll(ensemble.translator, spec.testSources, rescorer ? GREEDY_AND_BEAM5.filter((x) => x !== BEAM5) : GREEDY_AND_BEAM5, (m) => spec.say(`ensemble: ${m}`));
  if (rescorer) {
    let d0 = performance.now();
    const lists = ensemble.translator.translate(spec.testSources, { ...BEAM5.options, nBest: 5 });
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

import { UserError } from '../util/errors.js';

/** What a run's log.jsonl says over steps: the training loss of each `train` line, and each validation's numbers. */
export interface RunLog {
  /** `train` lines: the mean loss over the steps since the line before. */
  train: { step: number; loss: number }[];
  /** `valid` lines: every numeric field but step/epoch/elapsed (loss, ppl, exact, the --metric …). */
  valid: { step: number; values: Record<string, number> }[];
}

const NOT_SCORES = new Set(['step', 'epoch', 'elapsed']);

/**
 * Reads the text of a log.jsonl (see docs/training.md for its lines). A last line that does not
 * parse is one a kill cut short, and is ignored (as resume does); any other bad line is a
 * UserError naming `file:line`. Lines come out sorted by step.
 */
export function parseRunLog(text: string, file: string): RunLog {
  const log: RunLog = { train: [], valid: [] };
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error('not an object');
    } catch {
      if (i === lines.length - 1) return; // cut short by a kill
      throw new UserError(`${file}:${i + 1}: not a JSON object; log.jsonl is written by s2s train (one JSON object a line): fix or remove the line`);
    }
    const step = entry['step'];
    if (typeof step !== 'number' || !Number.isFinite(step)) return; // a line without a step says nothing over steps
    if (entry['type'] === 'train' && typeof entry['loss'] === 'number') log.train.push({ step, loss: entry['loss'] });
    if (entry['type'] === 'valid') {
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(entry)) if (!NOT_SCORES.has(k) && typeof v === 'number' && Number.isFinite(v)) values[k] = v;
      log.valid.push({ step, values });
    }
  });
  log.train.sort((a, b) => a.step - b.step);
  log.valid.sort((a, b) => a.step - b.step);
  return log;
}

/** The validation numbers a log holds (in the order first seen): the names `--metric` can choose from. */
export function validMetrics(log: RunLog): string[] {
  const names = new Set<string>();
  for (const v of log.valid) for (const k of Object.keys(v.values)) names.add(k);
  return [...names];
}

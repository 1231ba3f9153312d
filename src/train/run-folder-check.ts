import type { RunStore } from '../platform/run-store.js';
import { UserError } from '../util/errors.js';
import { isAtomicTempName } from '../util/temp-name.js';
import { RUN_FILES } from './checkpoint.js';
import { isKeptCheckpointName } from './kept-checkpoints.js';

/**
 * What a folder given as `--out` holds, so a new run never silently replaces something:
 *
 *   empty    nothing (or only temporary files of our own writes): a new run may start
 *   run      an s2s run with a resume point (config.json + train-state.json): --resume or --overwrite
 *   model    an s2s run config without a resume point (an exported model, or a run that never
 *            saved a checkpoint): --overwrite
 *   foreign  anything else — files that are not a run of ours: never written to
 *
 * A folder is ours when its config.json is an s2s run config; files of other names beside it are
 * left alone by --overwrite.
 */
export interface RunFolderContents {
  kind: 'empty' | 'run' | 'model' | 'foreign';
  /** What is there, for a message: 'a run at step 12 (config.json, log.jsonl, …)'. */
  describe: string;
}

const OUR_FILES: readonly string[] = Object.values(RUN_FILES);

/** A leftover of our own writes: an atomic write's temp file or a checkpoint's staged file (`.<run file>.next`). */
function isLeftover(name: string): boolean {
  return isAtomicTempName(name) || OUR_FILES.some((f) => name === `.${f}.next`);
}

function listed(names: readonly string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more`;
}

export function runFolderContents(store: RunStore): RunFolderContents {
  const names = store.list().filter((n) => !isLeftover(n));
  if (names.length === 0) return { kind: 'empty', describe: 'nothing' };
  let format: unknown = null;
  try {
    format = (JSON.parse(store.readText(RUN_FILES.config) ?? 'null') as { format?: unknown } | null)?.format;
  } catch {
    format = null;
  }
  if (format !== 's2s-run') return { kind: 'foreign', describe: listed(names) };
  if (names.includes(RUN_FILES.state) || names.includes(RUN_FILES.manifest)) {
    let step = '';
    try {
      const s = JSON.parse(store.readText(RUN_FILES.state) ?? '{}') as { step?: unknown };
      if (typeof s.step === 'number') step = ` at step ${s.step}`;
    } catch {
      // an unreadable state still marks a run; --resume reports what is wrong with it
    }
    return { kind: 'run', describe: `a run${step} (${listed(names)})` };
  }
  const weights = names.includes(RUN_FILES.best) || names.includes(RUN_FILES.model);
  return { kind: 'model', describe: `${weights ? 'a model' : 'a run config with no checkpoint'} (${listed(names)})` };
}

/**
 * Refuses a folder a new run must not write to (see RunFolderContents); with `overwrite` an
 * earlier run or model of ours is allowed (the caller clears it with clearRunFiles).
 */
export function checkNewRunFolder(store: RunStore, overwrite: boolean): RunFolderContents {
  const contents = runFolderContents(store);
  const out = store.location;
  if (contents.kind === 'foreign') {
    throw new UserError(`${out}: not an s2s run folder (it holds ${contents.describe}); a new run never writes there: choose an empty or new --out`);
  }
  if (contents.kind !== 'empty' && !overwrite) {
    const resumable = contents.kind === 'run' ? 'pass --resume to continue it, ' : '';
    throw new UserError(`${out}: already holds ${contents.describe}; ${resumable}pass --overwrite to replace it with a new run, or choose another --out`);
  }
  return contents;
}

/** Removes the run files of ours (and our leftovers) for --overwrite; other files stay. The config goes last, so a kill midway still leaves the folder recognisably ours. */
export function clearRunFiles(store: RunStore): void {
  for (const name of store.list()) if (isLeftover(name) || isKeptCheckpointName(name)) store.remove(name);
  for (const name of [RUN_FILES.manifest, RUN_FILES.state, RUN_FILES.stateTensors, RUN_FILES.model, RUN_FILES.best, RUN_FILES.average, RUN_FILES.log, RUN_FILES.config]) store.remove(name);
}

import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isAtomicTempName } from '../util/temp-name.js';
import { UserError } from '../util/errors.js';

/**
 * The DATA folder of `s2s prepare`: which files it writes, and which folders it may write them
 * into. A folder is a DATA folder when it holds prepare.json (written last by every prepare);
 * prepare writes into an absent or empty folder or a DATA folder, never into another folder, and
 * never over its own input.
 */
export const PREPARE_OUTPUTS = ['train.tsv', 'valid.tsv', 'test.tsv', 'codecs.json', 'prepare.json'] as const;

/** The staging name of an output until the whole folder is ready (`.train.tsv.<pid>.staged`). */
export function stagedOutput(out: string, name: string): string {
  return join(out, `.${name}.${process.pid}.staged`);
}

function isLeftover(name: string): boolean {
  return isAtomicTempName(name) || /^\..+\.\d+\.staged$/.test(name);
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function isDataFolderMarker(path: string): boolean {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; counts?: unknown };
    return r.version === 1 && typeof r.counts === 'object' && r.counts !== null;
  } catch {
    return false;
  }
}

/**
 * Refuses an --out that prepare must not write to (a file, a folder of other files, a folder that
 * holds one of the inputs under an output's name), then removes the leftovers of a killed prepare.
 */
export function checkPrepareOut(out: string, inputs: readonly string[]): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new UserError(`s2s prepare: --out ${out} is a file: cannot create the DATA folder ${out} (a file of that name exists); choose another --out (a new or empty folder, or one from s2s prepare)`);
  const outReal = real(out);
  for (const input of inputs) {
    const r = real(input);
    if (dirname(r) === outReal && (PREPARE_OUTPUTS as readonly string[]).includes(basename(r))) {
      throw new UserError(`s2s prepare: the input ${input} is one of the files --out ${out} would replace; write the DATA folder somewhere else`);
    }
  }
  const names = readdirSync(out).filter((n) => !isLeftover(n));
  if (names.length > 0 && !isDataFolderMarker(join(out, 'prepare.json'))) {
    const shown = names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')} and ${names.length - 4} more`;
    throw new UserError(`s2s prepare: --out ${out} is not empty and not a DATA folder from s2s prepare (no prepare.json; it holds ${shown}); choose a new or empty folder`);
  }
  for (const n of readdirSync(out)) if (isLeftover(n)) rmSync(join(out, n), { force: true });
}

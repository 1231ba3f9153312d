import { dirname, resolve } from 'node:path';
import { isAtomicTempName } from '../platform/node-atomic.js';
import { pathKind, readFileBytes, writeFileAtomicSync } from '../platform/node-files.js';
import { openRunFolder } from '../platform/node-run-store.js';
import { AVERAGED_STEPS_KEY, averageRunCheckpoints, readRunConfig, runFolderContents, RUN_FILES } from '../train/index.js';
import { UserError } from '../util/errors.js';
import { parseSafetensorsHeader } from '../util/safetensors-decode.js';
import { helpText, parseFlags, requireFlag, type FlagSpec } from './args.js';

/**
 * `s2s average`: the element-wise mean of the last N checkpoints a run kept (--keep-checkpoints),
 * written where translate and serve load it:
 *
 *   (no --out)           RUN/model.average.safetensors — `translate|serve --weights average`
 *   --out FILE.safetensors  a weights file (an existing file is replaced only if it is an average we wrote)
 *   --out DIR            a new run folder (RUN's config.json + the average as model.safetensors),
 *                        loadable with --model DIR; an existing DIR is written only if it is empty
 *                        or an earlier `s2s average` output
 *
 * Every write is atomic; nothing is written when the checkpoints do not match.
 */

const SPECS: Record<string, FlagSpec> = {
  model: { type: 'string', help: 'run folder trained with --keep-checkpoints N' },
  last: { type: 'int', min: 1, help: 'average the last N kept checkpoints (default: all kept)' },
  out: { type: 'string', help: 'FILE.safetensors or a run folder DIR (default: RUN/model.average.safetensors)' },
  help: { type: 'bool', help: 'show this help' },
};

const CMD = 'average';

/** True when the safetensors file at `bytes` carries our averaged-steps metadata. */
function isOurAverage(bytes: Uint8Array | null): boolean {
  if (bytes === null) return false;
  try {
    return AVERAGED_STEPS_KEY in parseSafetensorsHeader(bytes).metadata;
  } catch {
    return false;
  }
}

export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  if (flags['help']) {
    console.log(helpText(CMD, 'average the weights of the last checkpoints a run kept (--keep-checkpoints)', SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s ${CMD}: unexpected argument '${rest[0]}'; flags start with --`);
  const runDir = requireFlag(CMD, flags, 'model', 'the run folder whose kept checkpoints to average');
  const store = openRunFolder(runDir, { create: false });
  if (store.list().length === 0) throw new UserError(`${runDir}: no such run folder; give the --out folder of s2s train`);
  const configText = store.readText(RUN_FILES.config);
  readRunConfig(store); // a run of ours, or one line saying why not
  const avg = averageRunCheckpoints(store, flags['last'] as number | undefined);
  const steps = avg.checkpoints.map((k) => k.step).join(', ');
  const out = typeof flags['out'] === 'string' && flags['out'] !== '' ? flags['out'] : undefined;
  let where: string;
  if (out === undefined) {
    store.writeAtomic(RUN_FILES.average, avg.bytes);
    where = `${store.pathOf(RUN_FILES.average)}; translate or serve it with --model ${runDir} --weights average`;
  } else if (out.endsWith('.safetensors')) {
    const kind = await pathKind(out);
    if (kind !== 'missing' && !(kind === 'file' && isOurAverage(await readFileBytes(out)))) {
      throw new UserError(`${out}: exists and is not a weights file written by s2s average; it is never replaced: choose a new --out`);
    }
    if ((await pathKind(dirname(out))) !== 'folder') throw new UserError(`${out}: the folder ${dirname(out)} does not exist; create it or choose another --out`);
    writeFileAtomicSync(out, avg.bytes);
    where = `${out} (weights only: load them into the model of ${runDir})`;
  } else {
    if (resolve(out) === resolve(runDir)) throw new UserError(`s2s ${CMD}: --out ${out} is the run folder itself; leave --out out to write ${RUN_FILES.average} there, or give a new folder`);
    const kind = await pathKind(out);
    if (kind === 'file' || kind === 'other') throw new UserError(`${out}: is a file, not a folder; give a folder or FILE.safetensors as --out`);
    const target = openRunFolder(out, { create: false });
    const contents = runFolderContents(target);
    // An earlier output of ours holds our config and, unless a kill came between the two writes, averaged weights; nothing else.
    const names = target.list().filter((n) => !isAtomicTempName(n));
    const earlierAverage = contents.kind === 'model' && names.every((n) => n === RUN_FILES.config || n === RUN_FILES.model)
      && (!target.exists(RUN_FILES.model) || isOurAverage(target.read(RUN_FILES.model)));
    if (contents.kind !== 'empty' && !earlierAverage) {
      throw new UserError(`${out}: already holds ${contents.describe}, which s2s average did not write; it is never written to: choose an empty or new --out`);
    }
    const folder = openRunFolder(out);
    // The config first: a kill before the weights leaves a folder this command recognises and finishes next time.
    folder.writeAtomic(RUN_FILES.config, configText!);
    folder.writeAtomic(RUN_FILES.model, avg.bytes);
    where = `${folder.pathOf(RUN_FILES.model)}; translate or serve it with --model ${out}`;
  }
  process.stderr.write(`averaged ${avg.checkpoints.length} checkpoint${avg.checkpoints.length === 1 ? '' : 's'} of ${runDir} (steps ${steps}) → ${where}\n`);
  return 0;
}

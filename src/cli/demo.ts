import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCodecs } from '../data/index.js';
import { dateSplits } from '../demo/dates.js';
import { createBackend, disposeBackend } from '../kernels/index.js';
import { backend, setBackend } from '../tensor/index.js';
import { CONSTANT_LR_NO_SMOOTHING, loadRun, trainRun } from '../train/index.js';
import { UserError } from '../util/errors.js';
import { helpText, oneOf, parseFlags, type FlagSpec } from './args.js';

const SPECS: Record<string, FlagSpec> = {
  seconds: { type: 'number', above: 0, default: 60, help: 'training time in seconds' },
  'train-size': { type: 'int', min: 10, default: 6000, help: 'generated training pairs' },
  emb: { type: 'int', min: 1, default: 32, help: 'embedding width' },
  hidden: { type: 'int', min: 1, default: 64, help: 'model width' },
  'batch-size': { type: 'int', min: 1, default: 64, help: 'sentences per batch' },
  lr: { type: 'number', above: 0, default: 0.01, help: 'learning rate (Adam)' },
  seed: { type: 'int', min: 0, max: 4294967295, default: 1, help: 'seed of the data generator and the model' },
  backend: { type: 'string', help: 'js|wasm (default: wasm where it loads)' },
  threads: { type: 'int', min: 1, max: 256, help: 'threads for the wasm backend (default: all cores)' },
  out: { type: 'string', help: 'keep the run folder here (default: a temporary folder, removed afterwards)' },
  overwrite: { type: 'bool', help: 'replace an earlier run in --out (a folder that is not an s2s run is never written)' },
  help: { type: 'bool', help: 'show this help' },
};

const CMD = 'demo';

/** Inputs in formats the model has seen, with dates it has not (the generator's test split). */
const SHOWCASE = 8;

/**
 * s2s demo: learns to normalise dates written by humans ("3rd of March 1998", "03/04/98",
 * "Tue 3 Mar 98", …) to ISO 8601, char by char, in about a minute, then shows what it learned.
 */
export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  if (flags['help']) {
    console.log(helpText(CMD, 'train a small attention model on date normalisation and show it working', SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s ${CMD}: unexpected argument '${rest[0]}'`);
  const seconds = flags['seconds'] as number;
  const seed = flags['seed'] as number;
  const backendName = flags['backend'] === undefined ? undefined : oneOf(CMD, 'backend', flags['backend'], ['js', 'wasm'] as const);
  setBackend(await createBackend({ backend: backendName, threads: flags['threads'] as number | undefined }));

  const { train, valid, test } = dateSplits({ train: flags['train-size'] as number, valid: 200, test: 500 }, seed);
  const codecs = buildCodecs(train, { tokenizer: 'char' });
  const keep = typeof flags['out'] === 'string';
  const out = keep ? (flags['out'] as string) : mkdtempSync(join(tmpdir(), 's2s-demo-'));
  // A closed stdout ends the process at once (see main.ts), past the `finally` below.
  const removeTemp = (): void => void (keep || rmSync(out, { recursive: true, force: true }));
  process.once('exit', removeTemp);
  const w = process.stdout;
  w.write(`s2s demo: dates written by humans → ISO 8601, learned character by character\n`);
  w.write(`  ${train.length} generated training pairs, e.g. "${train[0]!.src}" → ${train[0]!.tgt}, "${train[1]!.src}" → ${train[1]!.tgt}\n`);
  w.write(`  backend ${backend().name} (${backend().threads} thread${backend().threads === 1 ? '' : 's'}), ${seconds} s of training\n\n`);
  try {
    const result = await trainRun({
      out, codecs, train, valid, overwrite: flags['overwrite'] === true,
      model: { arch: 'lstm', attention: 'general', bidirectional: true, emb: flags['emb'] as number, hidden: flags['hidden'] as number, dropout: 0.1 },
      options: {
        ...CONSTANT_LR_NO_SMOOTHING,
        batchSize: flags['batch-size'] as number, lr: flags['lr'] as number, maxTime: seconds, validEvery: 150, validDecode: 200,
        patience: 0, seed, clip: 5, logEvery: 10, metric: 'exact',
      },
      handleSignals: true,
    });
    if (result.reason === 'SIGINT' || result.reason === 'SIGTERM') {
      w.write(`\nstopped by ${result.reason} after ${result.step} steps\n`);
      return result.exitCode;
    }
    const runLoaded = await loadRun(out);
    const got = runLoaded.translator.translateText(test.map((p) => p.src), { beam: 1, batchSize: 100 });
    let right = 0;
    got.forEach((g, i) => (right += g === test[i]!.tgt ? 1 : 0));
    w.write(`\nafter ${result.step} steps (${result.epoch} epochs), on dates it never saw:\n\n`);
    const width = Math.max(...test.slice(0, SHOWCASE).map((p) => p.src.length)) + 2;
    w.write(`  ${'input'.padEnd(width)}${'model'.padEnd(13)}right answer\n`);
    for (let i = 0; i < SHOWCASE; i++) {
      const p = test[i]!;
      w.write(`  ${p.src.padEnd(width)}${got[i]!.padEnd(13)}${p.tgt}  ${got[i] === p.tgt ? '✓' : '✗'}\n`);
    }
    w.write(`\ntest exact match: ${right}/${test.length} = ${((100 * right) / test.length).toFixed(1)}%\n`);
    if (keep) w.write(`run folder: ${out} (try: s2s translate --model ${out} --beam 5)\n`);
    return 0;
  } finally {
    removeTemp();
    process.off('exit', removeTemp);
    await disposeBackend(backend());
  }
}

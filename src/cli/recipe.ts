import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../data/index.js';
import { createBackend, disposeBackend } from '../kernels/index.js';
import { ensureFolderSync } from '../platform/node-atomic.js';
import { nodePlatform } from '../platform/node.js';
import { findRecipe, markdownRow, MARKDOWN_HEADER, RECIPES, type PeerOutput } from '../recipes/index.js';
import { backend, setBackend } from '../tensor/index.js';
import { UserError } from '../util/errors.js';
import { helpText, parseFlags, type FlagSpec } from './args.js';

const CMD = 'recipe';

const SPECS: Record<string, FlagSpec> = {
  quick: { type: 'bool', help: 'small data and a short training: the whole pipeline in about a minute' },
  minutes: { type: 'number', above: 0, help: "training time in minutes (default: the recipe's, 20 for g2p-cmudict)" },
  threads: { type: 'int', min: 1, max: 256, help: 'threads of the wasm backend, and of the peer (default: all cores; with --peer, half of them each, as both train at once)' },
  out: { type: 'string', help: 'output folder (default runs/recipes/NAME); a folder that is not a recipe output is never written to' },
  seed: { type: 'int', min: 0, max: 4294967295, default: 1, help: 'seed of the split, the init and the data order' },
  input: { type: 'string', help: 'the corpus of a recipe that reads one (gettext-mt: a folder of train/valid/test TSV files, default ../shared/data)' },
  peer: { type: 'bool', help: 'train the PyTorch peer (bench/peers, /usr/bin/python3) at the same time, and score it the same way' },
  'peer-minutes': { type: 'number', above: 0, help: "the peer's training minutes (default: the same as s2s's; gettext-mt's bar compares s2s at 20 with the peer at 60)" },
  ensemble: { type: 'bool', help: 'spend the minutes on an ensemble trained in two one-thread lanes at once (g2p-cmudict: six 2-layer runs of its LSTM, two at a time, three of them right to left re-ranking the beam of the others); not with --threads or --peer' },
  json: { type: 'bool', help: 'print only the JSON report on stdout' },
  help: { type: 'bool', help: 'show this help' },
};

/**
 * s2s's threads for a recipe: --threads when given; one with --ensemble (this thread is one of its
 * two one-thread lanes); half the cores with --peer, since s2s and the peer train at the same time
 * (all cores each would have them fight over the cores); otherwise all cores.
 */
export function recipeThreads(threads: number | undefined, peer: boolean, ensemble: boolean, cores: number): number {
  if (ensemble) return 1;
  if (threads !== undefined) return threads;
  return peer ? Math.max(1, Math.floor(cores / 2)) : cores;
}

/** The file that marks a folder as a recipe's output: only such a folder (or an empty one) is written to. */
export const RECIPE_MARKER = 's2s-recipe.json';

/** Refuses an --out that holds anything but an earlier output of this recipe. */
export function checkRecipeOut(out: string, recipe: string): void {
  if (!existsSync(out)) return;
  let names: string[];
  try {
    names = readdirSync(out);
  } catch {
    throw new UserError(`s2s ${CMD}: --out ${out} is not a folder; give a new or empty folder`);
  }
  if (names.length === 0) return;
  const marker = join(out, RECIPE_MARKER);
  let owner: unknown;
  try {
    owner = JSON.parse(readFileSync(marker, 'utf8')).recipe;
  } catch {
    throw new UserError(`s2s ${CMD}: --out ${out} holds files that are not a recipe's output (no ${RECIPE_MARKER}); give a new or empty folder`);
  }
  if (owner !== recipe) throw new UserError(`s2s ${CMD}: --out ${out} holds the output of recipe '${String(owner)}', not '${recipe}'; give another folder`);
}

/** dist/src/cli/recipe.js → <package>/bench/peers/SCRIPT */
function peerScript(script: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '..', '..', '..', 'bench', 'peers', script), join(here, '..', '..', 'bench', 'peers', script)]) if (existsSync(p)) return p;
  throw new UserError(`s2s ${CMD} --peer: bench/peers/${script} not found next to the package`);
}

const PYTHON = '/usr/bin/python3';

/** Runs the peer in the background; resolves with its last stdout line as JSON. */
function startPeer(script: string, args: string[], threads: number, say: (m: string) => void): Promise<PeerOutput> {
  const file = peerScript(script);
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new UserError(`s2s ${CMD} --peer: needs ${PYTHON} with torch (Debian: apt install python3-torch)`);
  say(`peer: ${PYTHON} ${file} ${args.join(' ')}`);
  const child = spawn(PYTHON, [file, ...args], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(threads) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const kill = (): void => void child.kill('SIGTERM');
  process.once('exit', kill);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      process.off('exit', kill);
      if (code !== 0) return reject(new Error(`PyTorch peer failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as PeerOutput);
      } catch {
        reject(new Error(`PyTorch peer printed no JSON: ${stdout.slice(-200)}`));
      }
    });
  });
}

export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  const list = RECIPES.map((r) => `  ${r.name.padEnd(14)} ${r.summary}`).join('\n');
  if (flags['help']) {
    const plans = RECIPES.filter((r) => r.ensemble).map((r) => `  ${r.name.padEnd(14)} ${r.ensemble}`).join('\n');
    console.log(`${helpText(CMD + ' NAME', 'build the data, train, decode the test set and print the scores (JSON and a table row)', SPECS)}\n\nrecipes:\n${list}\n\n--ensemble plans:\n${plans}`);
    return 0;
  }
  if (flags['peer-minutes'] !== undefined && !flags['peer']) throw new UserError(`s2s ${CMD}: --peer-minutes needs --peer`);
  if (flags['ensemble'] && (flags['peer'] || flags['threads'] !== undefined)) {
    throw new UserError(`s2s ${CMD}: --ensemble trains two lanes of one thread each, using both cores of a 2-core machine; leave out ${flags['peer'] ? '--peer' : '--threads'}`);
  }
  if (rest.length !== 1) throw new UserError(`s2s ${CMD}: give one recipe name (${RECIPES.map((r) => r.name).join(', ')}), e.g. s2s recipe g2p-cmudict --quick`);
  const name = rest[0]!;
  const recipe = findRecipe(name);
  if (!recipe) throw new UserError(`s2s ${CMD}: unknown recipe '${name}'; recipes: ${RECIPES.map((r) => r.name).join(', ')}`);
  if (flags['ensemble'] && !recipe.ensemble) {
    throw new UserError(`s2s ${CMD}: recipe '${name}' has no --ensemble plan (${RECIPES.filter((r) => r.ensemble).map((r) => r.name).join(', ')} has)`);
  }
  const out = typeof flags['out'] === 'string' ? (flags['out'] as string) : join('runs', 'recipes', name + (flags['quick'] ? '-quick' : ''));
  checkRecipeOut(out, name);
  ensureFolderSync(out);
  await writeFileAtomic(join(out, RECIPE_MARKER), JSON.stringify({ format: 's2s-recipe', recipe: name }) + '\n');

  setBackend(await createBackend({ threads: recipeThreads(flags['threads'] as number | undefined, flags['peer'] === true, flags['ensemble'] === true, nodePlatform.cpuCount()) }));
  const threads = backend().threads;
  const say = (m: string): void => void process.stderr.write(m + '\n');
  try {
    const report = await recipe.run({
      out, quick: flags['quick'] === true, minutes: flags['minutes'] as number | undefined, threads, seed: flags['seed'] as number, say,
      input: typeof flags['input'] === 'string' ? (flags['input'] as string) : undefined,
      startPeer: flags['peer'] ? (script, args) => startPeer(script, args, threads, say) : undefined,
      peerMinutes: flags['peer-minutes'] as number | undefined,
      ensemble: flags['ensemble'] === true,
    });
    const json = JSON.stringify(report);
    await writeFileAtomic(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    const row = markdownRow(report);
    await writeFileAtomic(join(out, 'row.md'), `${MARKDOWN_HEADER}\n${row}\n`);
    console.log(json);
    if (!flags['json']) {
      console.log(`\n${MARKDOWN_HEADER}\n${row}`);
      // a recipe's own table (seed-lstm: scores by source length)
      if (typeof report.extra?.['bucketTable'] === 'string') console.log(`\n${report.extra['bucketTable']}`);
    }
    return 0;
  } finally {
    await disposeBackend(backend());
  }
}

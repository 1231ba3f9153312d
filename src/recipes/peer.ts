import { readTextFile } from '../platform/node-files.js';
import type { PeerOutput, RecipeReport, Scores } from './types.js';

/**
 * The report's `peer` part from what bench/peers/recipe_torch.py printed: its training facts, and
 * each of its output files (test.greedy.txt, test.beam5.txt: one line of tokens per test source)
 * scored here by the recipe's own `score`, the same code that scores s2s.
 */
export async function peerReport(p: PeerOutput, score: (lines: string[]) => Scores): Promise<NonNullable<RecipeReport['peer']>> {
  const outputs = p['outputs'] as Record<string, string> | undefined;
  const scores: Record<string, Scores> = {};
  if (outputs) {
    for (const [name, file] of Object.entries(outputs)) {
      const text = await readTextFile(file);
      scores[name] = score((text.endsWith('\n') ? text.slice(0, -1) : text).split('\n'));
    }
  }
  const num = (k: string): number => (typeof p[k] === 'number' ? (p[k] as number) : NaN);
  return {
    scores,
    train: { seconds: Math.round(num('train_seconds')), steps: num('steps'), epochs: num('epochs'), tokPerS: Math.round(num('tgt_tok_per_s')) },
    settings: String(p['settings'] ?? ''),
  };
}

/**
 * Recipes: real tasks end to end (`s2s recipe NAME`, docs/recipes.md). The registry is this list:
 * a new recipe is a module exporting a Recipe and one line here.
 */
import { dates } from './dates.js';
import { forecast } from './forecast.js';
import { g2pCmudict } from './g2p-cmudict.js';
import { gettextMt } from './gettext-mt.js';
import { seedLstm } from './seed-lstm.js';
import type { Recipe } from './types.js';

export const RECIPES: readonly Recipe[] = [
  g2pCmudict,
  gettextMt,
  seedLstm,
  dates,
  forecast,
];

export function findRecipe(name: string): Recipe | undefined {
  return RECIPES.find((r) => r.name === name);
}

export type { Recipe, RecipeContext, RecipeReport, PeerOutput, Scores, TextSplits } from './types.js';
export { markdownRow, MARKDOWN_HEADER } from './report.js';

import { attentionHeatmap as heatmapTree } from '../src/plot/heatmap.js';
import { toDom } from './dom.js';

/**
 * The attention matrix of one hypothesis as an SVG heatmap, fitted to `maxWidth`: the same plot
 * as `s2s plot attention` (src/plot/heatmap.ts), as DOM elements. Its `rect.cell` count is
 * rows × columns.
 */
export function attentionHeatmap(attention: number[][], sourceTokens: string[], outputTokens: string[], maxWidth: number): SVGSVGElement {
  return toDom(heatmapTree(attention, sourceTokens, outputTokens, { maxWidth })) as SVGSVGElement;
}

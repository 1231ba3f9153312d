import { svg, showToken } from './dom.js';

const MAX_CELL = 32;
const MIN_CELL = 8;
const FONT_W = 7.4; // px per character of the 12 px monospace labels

/**
 * The attention matrix of one hypothesis as an SVG heatmap: one row per output token (the last
 * one is the end of sentence), one column per source token, labelled on both axes; each cell's
 * tooltip gives its weight. Returns the SVG (its `rect.cell` count is rows × columns).
 */
export function attentionHeatmap(attention: number[][], sourceTokens: string[], outputTokens: string[], maxWidth: number): SVGSVGElement {
  const rows = attention.length;
  const cols = sourceTokens.length;
  const rowLabels = Array.from({ length: rows }, (_, r) => (r < outputTokens.length ? showToken(outputTokens[r]!) : '</s>'));
  const colLabels = sourceTokens.map(showToken);
  const left = Math.ceil(Math.max(3, ...rowLabels.map((l) => l.length)) * FONT_W) + 12;
  const topLabel = Math.max(0, ...colLabels.map((l) => l.length));
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((maxWidth - left - 20) / Math.max(1, cols))));
  // labels of more than two characters (words, subwords) are turned 60° to fit over their column
  const turn = topLabel > 2;
  const top = turn ? Math.ceil(topLabel * FONT_W * 0.87) + 14 : 24;
  const width = left + cols * cell + 20;
  const height = top + rows * cell + 8;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `attention ${rows} output tokens × ${cols} source tokens` });
  for (let c = 0; c < cols; c++) {
    const x = left + c * cell + cell / 2;
    root.append(turn
      ? svg('text', { x, y: top - 6, transform: `rotate(-60 ${x} ${top - 6})`, 'text-anchor': 'start' }, colLabels[c]!)
      : svg('text', { x, y: top - 8, 'text-anchor': 'middle' }, colLabels[c]!));
  }
  for (let r = 0; r < rows; r++) {
    const y = top + r * cell;
    root.append(svg('text', { x: left - 8, y: y + cell / 2 + 4, 'text-anchor': 'end' }, rowLabels[r]!));
    const row = attention[r]!;
    for (let c = 0; c < cols; c++) {
      const w = Math.max(0, Math.min(1, row[c] ?? 0));
      const rect = svg('rect', {
        class: 'cell', x: left + c * cell, y, width: cell, height: cell,
        // white → the accent colour; a square root so that small weights stay visible
        fill: `rgba(47, 91, 211, ${Math.sqrt(w).toFixed(3)})`,
        'data-weight': w.toFixed(4),
      });
      rect.append(svg('title', {}, `${rowLabels[r]} ← ${colLabels[c]}: ${w.toFixed(3)}`));
      root.append(rect);
    }
  }
  root.append(svg('rect', { x: left, y: top, width: cols * cell, height: rows * cell, fill: 'none', stroke: '#c5cbd5' }));
  return root;
}

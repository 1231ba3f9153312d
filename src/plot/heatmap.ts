import { clip, el, num, showToken, type SvgNode } from './svg.js';

export interface HeatmapOptions {
  /** Width to fit the cells in (px); cells stay between 14 and 32 px, so a long source makes a wider plot. Default 1200. */
  maxWidth?: number;
  /** A line over the plot (e.g. the source and the output). */
  title?: string;
  /** Fill behind everything (a standalone file wants white; a page leaves its own background). */
  background?: string;
  /** The colour scale beside the matrix (default true). */
  legend?: boolean;
}

const MAX_CELL = 32;
const MIN_CELL = 14;
const FONT = 12;
const FONT_W = 7.3; // px per character of the 12 px monospace labels
const MAX_LABEL = 18; // characters of a token label; the full token is in the cell's tooltip
const COLOR = '#2f5bd3';
const TEXT = '#1f2430';
const SCALE_STEPS = 20;

/** How dark a weight is drawn: a square root, so that small weights stay visible. */
export function weightOpacity(w: number): number {
  return Math.sqrt(Math.max(0, Math.min(1, w)));
}

/**
 * The attention matrix of one hypothesis as an SVG heatmap: one row per output token (rows past
 * the output tokens are the end of sentence, </s>), one column per source token, labelled on both
 * axes with the tokens as the codec spells them (spaces shown as ␣); each cell (`rect.cell`,
 * `data-weight`) has a tooltip with its weight, and a colour scale maps shade to weight.
 */
export function attentionHeatmap(attention: readonly (readonly number[])[], sourceTokens: readonly string[], outputTokens: readonly string[], options: HeatmapOptions = {}): SvgNode {
  const rows = attention.length;
  const cols = Math.max(sourceTokens.length, ...attention.map((r) => r.length));
  const fullRow = Array.from({ length: rows }, (_, r) => (r < outputTokens.length ? showToken(outputTokens[r]!) : '</s>'));
  const fullCol = Array.from({ length: cols }, (_, c) => (c < sourceTokens.length ? showToken(sourceTokens[c]!) : '</s>'));
  const rowLabels = fullRow.map((l) => clip(l, MAX_LABEL));
  const colLabels = fullCol.map((l) => clip(l, MAX_LABEL));
  const widthOf = (l: string): number => [...l].length * FONT_W;
  const maxWidth = options.maxWidth ?? 1200;
  const legend = options.legend ?? true;
  const titleH = options.title ? 24 : 0;
  const left = Math.ceil(Math.max(widthOf('</s>'), ...rowLabels.map(widthOf))) + 14;
  const legendW = legend ? 70 : 0;
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((maxWidth - left - legendW - 16) / Math.max(1, cols))));
  // Labels wider than their column are turned 60° to fit over it; they then lean out to the right.
  const turn = colLabels.some((l) => widthOf(l) > cell - 2);
  const sin = Math.sin(Math.PI / 3);
  const cos = Math.cos(Math.PI / 3);
  const labelH = turn ? Math.ceil(Math.max(...colLabels.map(widthOf), 0) * sin) + 16 : 22;
  const top = titleH + labelH;
  const gridW = cols * cell;
  const gridH = rows * cell;
  const overhang = turn ? Math.max(0, ...colLabels.map((l, c) => (c + 0.5) * cell + widthOf(l) * cos - gridW)) : 0;
  const scaleH = Math.max(100, Math.min(gridH, 220));
  const width = Math.ceil(left + gridW + Math.max(overhang + 8, legendW + 8));
  const height = Math.ceil(top + Math.max(gridH, legend ? scaleH + 20 : 0) + 10);
  const root = el('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `attention: ${rows} output tokens × ${cols} source tokens`,
    'font-family': 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', 'font-size': FONT, fill: TEXT,
  });
  if (options.background) root.children.push(el('rect', { x: 0, y: 0, width, height, fill: options.background }));
  if (options.title) root.children.push(el('text', { class: 'title', x: 8, y: 16, 'font-size': 13, 'font-family': 'system-ui, sans-serif' }, clip(options.title, Math.floor((width - 16) / 7))));
  for (let c = 0; c < cols; c++) {
    const x = left + c * cell + cell / 2;
    const y = top - 6;
    root.children.push(turn
      ? el('text', { class: 'src', x, y, transform: `rotate(-60 ${num(x)} ${num(y)})`, 'text-anchor': 'start' }, colLabels[c]!)
      : el('text', { class: 'src', x, y: top - 8, 'text-anchor': 'middle' }, colLabels[c]!));
  }
  for (let r = 0; r < rows; r++) {
    const y = top + r * cell;
    root.children.push(el('text', { class: 'out', x: left - 8, y: y + cell / 2 + 4, 'text-anchor': 'end' }, rowLabels[r]!));
    const row = attention[r]!;
    for (let c = 0; c < cols; c++) {
      const w = Math.max(0, Math.min(1, row[c] ?? 0));
      root.children.push(el('rect', {
        class: 'cell', x: left + c * cell, y, width: cell, height: cell,
        fill: COLOR, 'fill-opacity': weightOpacity(w).toFixed(3), stroke: '#ffffff', 'stroke-width': 1, 'data-weight': w.toFixed(4),
      }, el('title', {}, `${fullRow[r]} ← ${fullCol[c]}: ${w.toFixed(3)}`)));
    }
  }
  root.children.push(el('rect', { x: left, y: top, width: gridW, height: gridH, fill: 'none', stroke: '#c5cbd5' }));
  if (legend) root.children.push(colourScale(left + gridW + 16, top, scaleH));
  return root;
}

/** A vertical bar from weight 1 (top) to 0, drawn in the cells' shades, with ticks at 0, 0.25, … 1. */
function colourScale(x: number, y: number, h: number): SvgNode {
  const g = el('g', { class: 'scale' });
  const bar = 12;
  const step = h / SCALE_STEPS;
  for (let i = 0; i < SCALE_STEPS; i++) {
    const w = 1 - (i + 0.5) / SCALE_STEPS; // the weight at the middle of this band
    g.children.push(el('rect', { x, y: y + i * step, width: bar, height: step + 0.5, fill: COLOR, 'fill-opacity': weightOpacity(w).toFixed(3) }));
  }
  g.children.push(el('rect', { x, y, width: bar, height: h, fill: 'none', stroke: '#c5cbd5' }));
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    const ty = y + (1 - v) * h;
    g.children.push(el('line', { x1: x + bar, x2: x + bar + 4, y1: ty, y2: ty, stroke: '#8a93a3' }));
    g.children.push(el('text', { x: x + bar + 7, y: ty + 4, 'font-size': 11 }, String(v)));
  }
  g.children.push(el('text', { x, y: y + h + 16, 'font-size': 11 }, 'weight'));
  return g;
}

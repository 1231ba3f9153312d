import { clip, el, num, ticks, tickLabels, type SvgNode } from './svg.js';

export interface CurvePoint {
  step: number;
  value: number;
}

/** One line of a chart. */
export interface ChartSeries {
  label: string;
  points: readonly CurvePoint[];
  color: string;
  /** Which y axis it is read on (default left). */
  axis?: 'left' | 'right';
  /** stroke-dasharray, e.g. '5 3'. */
  dash?: string;
  /** A dot on each point; 'auto' (the default): when the series has at most 60 points. */
  dots?: boolean | 'auto';
  /** Class of its polyline (its dots get `dot-<class>`), for a page's stylesheet and for tests. */
  className?: string;
}

export interface ChartOptions {
  /** Width of the whole chart (px, default 760). */
  width?: number;
  /** Height of the plot area (px, default 260). */
  plotHeight?: number;
  title?: string;
  xLabel?: string;
  leftLabel?: string;
  rightLabel?: string;
  /** Fixed y ranges (default: from the data, from 0 when it is all ≥ 0). */
  leftRange?: [number, number];
  rightRange?: [number, number];
  rightFormat?: (v: number) => string;
  background?: string;
}

const TEXT = '#1f2430';
const MUTED = '#5b6472';
const CHAR_W = 6.3; // px per character of the 11 px sans-serif labels (a generous average)
const AUTO_DOTS = 60;

/** A range that starts at 0 for non-negative data and ends on a nice tick above the data. */
function niceRange(values: readonly number[], fixed?: [number, number], pad = 0.02, n = 5): [number, number] {
  if (fixed) return fixed;
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo >= 0) lo = 0;
  if (!(hi > lo)) hi = lo + 1;
  hi += (hi - lo) * pad; // a little room over the highest point, so it does not touch the frame
  const t = ticks(lo, hi, n);
  const step = t.length > 1 ? t[1]! - t[0]! : hi - lo;
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

/**
 * A line chart of series over training steps: x from 0 to the last step, one or two y axes
 * (left, and right when a series asks for it) with nice ticks and labels, grid lines, and a
 * legend under the plot that wraps into rows, so any number of runs fit.
 */
export function lineChart(series: readonly ChartSeries[], options: ChartOptions = {}): SvgNode {
  const W = options.width ?? 760;
  const plotH = options.plotHeight ?? 260;
  const left = series.filter((s) => s.axis !== 'right');
  const right = series.filter((s) => s.axis === 'right');
  const hasRight = right.length > 0;
  const L = 62;
  const R = hasRight ? 62 : 20;
  const T = options.title ? 34 : 14;
  const plotW = W - L - R;
  const allSteps = series.flatMap((s) => s.points.map((p) => p.step));
  const [, xMax] = niceRange([10, ...allSteps], undefined, 0, 8); // the last step, up to a fine tick
  const [lLo, lHi] = niceRange(left.flatMap((s) => s.points.map((p) => p.value)), options.leftRange);
  const [rLo, rHi] = niceRange(right.flatMap((s) => s.points.map((p) => p.value)), options.rightRange);
  const x = (step: number): number => L + (step / xMax) * plotW;
  const yOf = (lo: number, hi: number) => (v: number): number => T + (1 - (v - lo) / (hi - lo)) * plotH;
  const yl = yOf(lLo, lHi);
  const yr = yOf(rLo, rHi);

  // The legend: a grid of equal columns under the plot (as many as fit), so entries line up
  // (with two series a run, each run gets a row when two columns fit).
  const entryW = Math.min(W - L, Math.max(...series.map((s) => 30 + [...s.label].length * CHAR_W + 20), 60));
  const columns = Math.max(1, Math.floor((W - L) / entryW));
  const legendRows: ChartSeries[][] = [];
  series.forEach((s, i) => {
    if (i % columns === 0) legendRows.push([]);
    legendRows[legendRows.length - 1]!.push(s);
  });
  const legendTop = T + plotH + 46;
  const H = Math.ceil(legendTop + legendRows.length * 18 + 6);

  const root = el('svg', {
    width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': options.title ?? 'training curves',
    'font-family': 'system-ui, -apple-system, "Segoe UI", sans-serif', 'font-size': 11, fill: MUTED,
  });
  const add = (n: SvgNode): void => void root.children.push(n);
  if (options.background) add(el('rect', { x: 0, y: 0, width: W, height: H, fill: options.background }));
  if (options.title) add(el('text', { class: 'title', x: L, y: 20, 'font-size': 13, fill: TEXT }, clip(options.title, Math.floor((W - L) / 7))));

  const leftTicks = ticks(lLo, lHi, 5);
  tickLabels(leftTicks).forEach((label, i) => {
    const v = leftTicks[i]!;
    add(el('line', { class: 'grid', x1: L, x2: L + plotW, y1: yl(v), y2: yl(v), stroke: '#eef0f3' }));
    add(el('text', { class: 'tick-left', x: L - 6, y: yl(v) + 4, 'text-anchor': 'end' }, label));
  });
  if (hasRight) {
    const rightTicks = ticks(rLo, rHi, 5);
    const labels = options.rightFormat ? rightTicks.map(options.rightFormat) : tickLabels(rightTicks);
    labels.forEach((label, i) => {
      const v = rightTicks[i]!;
      add(el('line', { x1: L + plotW, x2: L + plotW + 4, y1: yr(v), y2: yr(v), stroke: '#c5cbd5' }));
      add(el('text', { class: 'tick-right', x: L + plotW + 7, y: yr(v) + 4 }, label));
    });
  }
  const stepTicks = ticks(0, xMax, Math.max(2, Math.min(8, Math.floor(plotW / 80))), true);
  tickLabels(stepTicks).forEach((label, i) => {
    const s = stepTicks[i]!;
    add(el('line', { x1: x(s), x2: x(s), y1: T + plotH, y2: T + plotH + 4, stroke: '#c5cbd5' }));
    add(el('text', { class: 'tick-x', x: x(s), y: T + plotH + 17, 'text-anchor': 'middle' }, label));
  });
  add(el('line', { class: 'axis', x1: L, x2: L + plotW, y1: T + plotH, y2: T + plotH, stroke: '#c5cbd5' }));
  add(el('line', { class: 'axis', x1: L, x2: L, y1: T, y2: T + plotH, stroke: '#c5cbd5' }));
  if (hasRight) add(el('line', { class: 'axis', x1: L + plotW, x2: L + plotW, y1: T, y2: T + plotH, stroke: '#c5cbd5' }));
  add(el('text', { class: 'x-label', x: L + plotW / 2, y: T + plotH + 34, 'text-anchor': 'middle', fill: TEXT }, options.xLabel ?? 'step'));
  if (options.leftLabel) {
    const cx = 14;
    const cy = T + plotH / 2;
    add(el('text', { class: 'y-label', x: cx, y: cy, transform: `rotate(-90 ${cx} ${num(cy)})`, 'text-anchor': 'middle', fill: TEXT }, options.leftLabel));
  }
  if (hasRight && options.rightLabel) {
    const cx = W - 10;
    const cy = T + plotH / 2;
    add(el('text', { class: 'y-label', x: cx, y: cy, transform: `rotate(90 ${num(cx)} ${num(cy)})`, 'text-anchor': 'middle', fill: TEXT }, options.rightLabel));
  }

  for (const s of series) {
    const y = s.axis === 'right' ? yr : yl;
    const pts = s.points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step));
    const stroke = { stroke: s.color, 'stroke-width': 1.6, 'stroke-dasharray': s.dash, fill: 'none', 'stroke-linejoin': 'round' };
    if (pts.length > 1) add(el('polyline', { class: s.className, ...stroke, points: pts.map((p) => `${num(x(p.step))},${num(y(p.value))}`).join(' ') }));
    const dots = s.dots === 'auto' || s.dots === undefined ? pts.length <= AUTO_DOTS : s.dots;
    // a single point has no line: it always gets its dot
    if (dots || pts.length === 1) for (const p of pts) add(el('circle', { class: s.className ? `dot-${s.className}` : undefined, cx: x(p.step), cy: y(p.value), r: 2.6, fill: s.color }));
  }

  legendRows.forEach((row, i) => {
    const ly = legendTop + i * 18;
    row.forEach((s, j) => {
      const lx = L + j * entryW;
      add(el('line', { class: s.className, x1: lx, x2: lx + 22, y1: ly, y2: ly, stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash }));
      add(el('text', { class: 'legend', x: lx + 28, y: ly + 4, fill: TEXT }, clip(s.label, Math.floor((entryW - 40) / CHAR_W))));
    });
  });
  return root;
}

import { svg } from './dom.js';

export interface CurvePoint { step: number; value: number }

const W = 760, H = 260, L = 48, R = 48, T = 14, B = 30;

function ticks(lo: number, hi: number, n: number, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = Math.max(integer ? 1 : 0, (hi - lo) / n);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toPrecision(6)));
  return out;
}

/**
 * Training loss (line) and validation loss (line with dots) over steps on the left axis, and
 * validation exact match (%) on the right axis.
 */
export function lossChart(train: CurvePoint[], valid: CurvePoint[], exact: CurvePoint[]): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'training curve' });
  const maxStep = Math.max(10, ...train.map((p) => p.step), ...valid.map((p) => p.step));
  const losses = [...train, ...valid].map((p) => p.value).filter(Number.isFinite);
  const maxLoss = losses.length ? Math.max(...losses) * 1.05 : 1;
  const x = (s: number): number => L + (s / maxStep) * (W - L - R);
  const y = (v: number): number => T + (1 - v / maxLoss) * (H - T - B);
  const yPct = (v: number): number => T + (1 - v / 100) * (H - T - B);
  for (const v of ticks(0, maxLoss, 4)) {
    root.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    root.append(svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  for (const v of [0, 50, 100]) root.append(svg('text', { x: W - R + 6, y: yPct(v) + 4 }, `${v}%`));
  for (const s of ticks(0, maxStep, 6, true)) root.append(svg('text', { x: x(s), y: H - B + 16, 'text-anchor': 'middle' }, String(s)));
  root.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  root.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  root.append(svg('text', { x: (L + W - R) / 2, y: H - 2, 'text-anchor': 'middle' }, 'step'));
  const path = (pts: CurvePoint[], f: (v: number) => number): string => pts.filter((p) => Number.isFinite(p.value)).map((p) => `${x(p.step).toFixed(1)},${f(p.value).toFixed(1)}`).join(' ');
  if (train.length > 1) root.append(svg('polyline', { class: 'train', points: path(train, y) }));
  if (valid.length > 0) {
    root.append(svg('polyline', { class: 'valid', points: path(valid, y) }));
    for (const p of valid) root.append(svg('circle', { class: 'dot-valid', cx: x(p.step), cy: y(p.value), r: 3 }));
  }
  if (exact.length > 0) {
    root.append(svg('polyline', { class: 'exact', points: path(exact, yPct) }));
    for (const p of exact) root.append(svg('circle', { class: 'dot-exact', cx: x(p.step), cy: yPct(p.value), r: 3 }));
  }
  const legend: [string, string][] = [['train', 'training loss'], ['valid', 'validation loss'], ['exact', 'validation exact match (right axis)']];
  let lx = L + 10;
  for (const [cls, label] of legend) {
    root.append(svg('line', { class: cls, x1: lx, x2: lx + 18, y1: T + 6, y2: T + 6 }));
    root.append(svg('text', { x: lx + 24, y: T + 10 }, label));
    lx += 34 + label.length * 6;
  }
  return root;
}

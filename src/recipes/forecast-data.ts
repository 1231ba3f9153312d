import { mulberry32 } from '../util/mulberry32.js';

/**
 * The forecast recipe's data: seeded noisy periodic signals, cut into windows of INPUT past values
 * and the HORIZON values after them; and the two baselines every forecast is measured against.
 * Pure functions (no host API): the same seed gives the same series on every machine.
 */

export const INPUT = 96;
export const HORIZON = 24;
/** The season of the signals: each has a period-24 cycle (think hourly data, one day), and its half. */
export const SEASON = 24;

/** One series' recipe: a level, a slow trend, the daily cycle and its second harmonic, AR(1) noise. */
export interface SeriesSpec {
  level: number;
  trend: number;
  amp1: number;
  phase1: number;
  amp2: number;
  phase2: number;
  noise: number;
  rho: number;
}

function normal(rand: () => number): number {
  // Box–Muller; 1 − u keeps the log finite
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** `count` series of `length` steps, from one seed. */
export function generateSeries(count: number, length: number, seed: number): { specs: SeriesSpec[]; values: Float64Array[] } {
  const rand = mulberry32(seed);
  const specs: SeriesSpec[] = [];
  const values: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    const s: SeriesSpec = {
      level: 4 * rand() - 2, trend: (rand() - 0.5) * 2e-3,
      amp1: 0.5 + 1.5 * rand(), phase1: 2 * Math.PI * rand(),
      amp2: 0.6 * rand(), phase2: 2 * Math.PI * rand(),
      noise: 0.1 + 0.2 * rand(), rho: 0.5,
    };
    const v = new Float64Array(length);
    let e = 0;
    for (let t = 0; t < length; t++) {
      e = s.rho * e + s.noise * normal(rand);
      v[t] = s.level + s.trend * t + s.amp1 * Math.sin((2 * Math.PI * t) / SEASON + s.phase1) + s.amp2 * Math.sin((4 * Math.PI * t) / SEASON + s.phase2) + e;
    }
    specs.push(s);
    values.push(v);
  }
  return { specs, values };
}

/** INPUT past values and the HORIZON after them. */
export interface Window {
  series: number;
  /** Index of the first forecast step in its series. */
  at: number;
  input: Float64Array;
  target: Float64Array;
}

/**
 * The windows whose forecast steps all lie in [from, to) of each series (its input may reach back
 * before `from`), every `stride` steps. Splitting a series by time this way keeps every test target
 * after every training target.
 */
export function windows(values: readonly Float64Array[], from: number, to: number, stride: number): Window[] {
  const out: Window[] = [];
  values.forEach((v, series) => {
    for (let at = Math.max(from, INPUT); at + HORIZON <= Math.min(to, v.length); at += stride) {
      out.push({ series, at, input: v.slice(at - INPUT, at), target: v.slice(at, at + HORIZON) });
    }
  });
  return out;
}

/** Naive: every future step is the last value seen. */
export function naiveForecast(input: Float64Array): Float64Array {
  return new Float64Array(HORIZON).fill(input[input.length - 1]!);
}

/** Seasonal naive: each future step is the value one season (24 steps) before it. */
export function seasonalNaiveForecast(input: Float64Array): Float64Array {
  const f = new Float64Array(HORIZON);
  for (let h = 0; h < HORIZON; h++) f[h] = input[input.length - SEASON + (h % SEASON)]!;
  return f;
}

/** A window's scale: the mean and standard deviation of its input (a forecast is made on (x − mean) / std and mapped back). */
export function windowScale(input: Float64Array): { mean: number; std: number } {
  let m = 0;
  for (const x of input) m += x;
  m /= input.length;
  let s = 0;
  for (const x of input) s += (x - m) ** 2;
  return { mean: m, std: Math.max(1e-3, Math.sqrt(s / input.length)) };
}

/** MSE and MAE of forecasts against the windows' targets, over every step of every window. */
export function forecastErrors(forecasts: readonly Float64Array[], targets: readonly Float64Array[]): { MSE: number; MAE: number } {
  let se = 0;
  let ae = 0;
  let n = 0;
  forecasts.forEach((f, i) => {
    const t = targets[i]!;
    for (let h = 0; h < t.length; h++) {
      const d = f[h]! - t[h]!;
      se += d * d;
      ae += Math.abs(d);
      n++;
    }
  });
  return { MSE: se / Math.max(1, n), MAE: ae / Math.max(1, n) };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  forecastErrors, generateSeries, HORIZON, INPUT, naiveForecast, SEASON, seasonalNaiveForecast, windows, windowScale,
} from '../../src/recipes/forecast-data.js';

test('forecast data: seeded series, the same for a seed and different for another', () => {
  const a = generateSeries(3, 500, 7);
  const b = generateSeries(3, 500, 7);
  const c = generateSeries(3, 500, 8);
  assert.deepEqual(a.values, b.values);
  assert.notDeepEqual(a.values[0], c.values[0]);
  // each is periodic with noise: its values one season apart are closer than values half a season apart
  const v = a.values[0]!;
  let season = 0;
  let half = 0;
  for (let t = SEASON; t < v.length; t++) {
    season += (v[t]! - v[t - SEASON]!) ** 2;
    half += (v[t]! - v[t - SEASON / 2]!) ** 2;
  }
  assert.ok(season < half / 2, `season ${season}, half ${half}`);
});

test('forecast windows: 96 in, 24 out, targets inside their part of the series, every stride steps', () => {
  const series = [Float64Array.from({ length: 300 }, (_, t) => t)];
  const ws = windows(series, 150, 250, 24);
  // first forecast step at 150, 174, 198, 222 (222 + 24 = 246 ≤ 250; 246 + 24 > 250)
  assert.deepEqual(ws.map((w) => w.at), [150, 174, 198, 222]);
  for (const w of ws) {
    assert.equal(w.input.length, INPUT);
    assert.equal(w.target.length, HORIZON);
    assert.equal(w.input[INPUT - 1], w.at - 1);
    assert.equal(w.target[0], w.at);
  }
  // a part that starts before the first full input begins at step 96
  assert.equal(windows(series, 0, 150, 10)[0]!.at, INPUT);
});

test('baselines: naive repeats the last value; seasonal naive the last season, exact on a noise-free periodic signal', () => {
  const input = Float64Array.from({ length: INPUT }, (_, t) => Math.sin((2 * Math.PI * t) / SEASON) + t / 1000);
  assert.deepEqual([...naiveForecast(input)], new Array(HORIZON).fill(input[INPUT - 1]));
  const s = seasonalNaiveForecast(input);
  for (let h = 0; h < HORIZON; h++) assert.equal(s[h], input[INPUT - SEASON + h]);
  const pure = Float64Array.from({ length: INPUT + HORIZON }, (_, t) => 2 * Math.sin((2 * Math.PI * t) / SEASON + 1));
  const e = forecastErrors([seasonalNaiveForecast(pure.slice(0, INPUT))], [pure.slice(INPUT)]);
  assert.ok(e.MSE < 1e-20 && e.MAE < 1e-10);
  // errors: (1 − 0)², (3 − 1)² → MSE 2.5, MAE 1.5
  assert.deepEqual(forecastErrors([Float64Array.of(1, 3)], [Float64Array.of(0, 1)]), { MSE: 2.5, MAE: 1.5 });
  assert.deepEqual(windowScale(Float64Array.of(1, 3)), { mean: 2, std: 1 });
  assert.deepEqual(windowScale(Float64Array.of(5, 5)), { mean: 5, std: 1e-3 }, 'a flat input does not divide by 0');
});

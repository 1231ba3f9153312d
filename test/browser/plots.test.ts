import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { attentionHeatmap, lineChart, svgDocument, type ChartSeries } from '../../src/plot/index.js';
import { chromiumMissing, launchChromium } from '../../bench/chromium.js';

/**
 * The plots of `s2s plot`, opened in headless chromium as the files they are (so its XML parser
 * reads them), on awkward inputs: a long source, long subwords and markup in tokens, thousands of
 * steps, many runs. Checked as a person looking at them would: every label inside the picture,
 * labels of one kind never on top of each other. Screenshots go to S2S_PLOT_SHOTS (or a temp
 * folder, printed) to look at.
 */

interface Box { cls: string; text: string; x: number; y: number; w: number; h: number }

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;
}

function heatmapCase(): string {
  const src = ('▁The ▁internationalization ▁of ▁<b>markup</b> ▁&amp; ▁"quotes" ▁is ▁hard ▁to ▁get ▁right , ▁isn \' t ▁it ? ▁We ▁try ▁anyway ▁with ▁more ' +
    '▁and ▁more ▁tokens ▁until ▁the ▁list ▁is ▁very ▁long ▁indeed ▁and ▁then ▁some ▁more ▁words ▁follow ▁here .').split(' ');
  const out = '▁Die ▁Internationalisierung ▁von ▁<b>Auszeichnung</b> ▁& ▁„Anführungszeichen“ ▁ist ▁schwer ▁richtig ▁zu ▁machen , ▁nicht ▁wahr ?'.split(' ');
  const att = [...out, '</s>'].map((_, r) => {
    const row = src.map((_, c) => Math.exp(-((c - (r * src.length) / (out.length + 1)) ** 2) / 2));
    const z = row.reduce((a, b) => a + b);
    return row.map((v) => v / z);
  });
  return svgDocument(attentionHeatmap(att, src, out, { title: '"The internationalization of <b>markup</b> …" → "Die Internationalisierung …"', background: '#ffffff' }));
}

function charHeatmapCase(): string {
  const src = [...'the 17th of January, 2012'];
  const out = [...'2012-01-17'];
  const att = [...out, '</s>'].map((_, r) => src.map((_, c) => (c === Math.min(src.length - 1, 2 * r) ? 0.9 : 0.1 / (src.length - 1))));
  return svgDocument(attentionHeatmap(att, src, out, { background: '#ffffff' }));
}

function curvesCase(): string {
  const colours = ['#2f5bd3', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700'];
  const series: ChartSeries[] = [];
  for (let k = 0; k < 5; k++) {
    const last = 40_000 - 5000 * k;
    const train = [];
    for (let s = 10; s <= last; s += 10) train.push({ step: s, value: 5 * Math.exp(-s / (4000 + 800 * k)) + 0.9 + 0.1 * Math.sin(s / 60) });
    const valid = [];
    for (let s = 1000; s <= last; s += 1000) valid.push({ step: s, value: 30 * (1 - Math.exp(-s / (6000 + 500 * k))) });
    series.push({ label: `runs/experiment-${k}: training loss`, points: train, color: colours[k]!, className: 'train' });
    series.push({ label: `runs/experiment-${k}: validation chrf++ (right axis)`, points: valid, color: colours[k]!, className: 'valid', axis: 'right', dash: '5 3' });
  }
  return svgDocument(lineChart(series, { width: 860, background: '#ffffff', leftLabel: 'loss', rightLabel: 'validation chrf++', title: 'training loss and validation chrf++' }));
}

test('plots in chromium: well-formed files, every label inside the picture, no two labels of a kind on top of each other', { skip: chromiumMissing() ?? false, timeout: 120_000 }, async () => {
  const dir = process.env['S2S_PLOT_SHOTS'] ?? mkdtempSync(join(tmpdir(), 's2s-plot-shots-'));
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const cases: [string, string][] = [['heatmap-subwords', heatmapCase()], ['heatmap-chars', charHeatmapCase()], ['curves-5-runs', curvesCase()]];
    for (const [name, svg] of cases) {
      const file = join(dir, `${name}.svg`);
      writeFileSync(file, svg);
      await page.goto(pathToFileURL(file).href);
      const result = await page.evaluate(`(() => {
        const root = document.documentElement;
        if (root.localName !== 'svg' || document.getElementsByTagName('parsererror').length > 0) return { error: root.textContent };
        const boxes = [...document.querySelectorAll('text')].map((t) => {
          const r = t.getBoundingClientRect();
          return { cls: t.getAttribute('class') || '', rotated: t.hasAttribute('transform'), text: t.textContent, x: r.x, y: r.y, w: r.width, h: r.height };
        });
        return { width: Number(root.getAttribute('width')), height: Number(root.getAttribute('height')), boxes };
      })()`) as { error?: string; width: number; height: number; boxes: (Box & { rotated: boolean })[] };
      assert.equal(result.error, undefined, `${name}: not a well-formed SVG document: ${result.error}`);
      await page.setViewportSize({ width: Math.ceil(result.width), height: Math.ceil(result.height) });
      await page.screenshot({ path: join(dir, `${name}.png`) });
      for (const b of result.boxes) {
        assert.ok(b.x >= -0.5 && b.y >= -0.5 && b.x + b.w <= result.width + 0.5 && b.y + b.h <= result.height + 0.5,
          `${name}: label '${b.text}' (${b.cls}) at ${b.x.toFixed(1)},${b.y.toFixed(1)} ${b.w.toFixed(1)}×${b.h.toFixed(1)} is outside ${result.width}×${result.height}`);
      }
      // labels that share a row or a column must not touch: row labels, legend entries, ticks, unturned column labels
      for (const cls of ['out', 'legend', 'tick-x', 'tick-left', 'tick-right', 'src']) {
        const group = result.boxes.filter((b) => b.cls === cls && !b.rotated);
        for (let i = 0; i < group.length; i++) {
          for (let j = i + 1; j < group.length; j++) {
            assert.ok(!overlaps(group[i]!, group[j]!), `${name}: ${cls} labels '${group[i]!.text}' and '${group[j]!.text}' overlap`);
          }
        }
      }
      // turned column labels: neighbours apart along the slant (each starts past the previous one's line)
      const turned = result.boxes.filter((b) => b.cls === 'src' && b.rotated);
      for (let i = 1; i < turned.length; i++) assert.ok(turned[i]!.x - turned[i - 1]!.x >= 13, `${name}: turned labels ${i - 1} and ${i} crowd each other`);
    }
    console.log(`plot screenshots: ${dir}`);
  } finally {
    await browser.close();
  }
});

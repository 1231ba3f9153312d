import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionHeatmap, el, lineChart, renderSvg, svgDocument, tickLabels, ticks, xmlText } from '../../src/plot/index.js';
import { parseXml, type XmlElement } from '../helpers/xml.js';

const byClass = (els: XmlElement[], cls: string): XmlElement[] => els.filter((e) => (e.attrs['class'] ?? '').split(' ').includes(cls));

test('xmlText escapes markup and replaces what XML cannot hold', () => {
  assert.equal(xmlText('a<b>&"c"'), 'a&lt;b&gt;&amp;&quot;c&quot;');
  // a NUL, an escape, DEL, a lone surrogate, U+FFFF: shown, not dropped (control pictures, U+FFFD)
  assert.equal(xmlText('\u0000\u001b\u007f\ud800x\uffff'), '\u2400\u241b\u2421\ufffdx\ufffd');
  assert.equal(xmlText('tab\tnew\nline 😀'), 'tab\tnew\nline 😀', 'tab, newline and astral characters are fine as they are');
  const doc = renderSvg(el('svg', { 'data-x': 'a"b\n' }, el('text', {}, '<&>')));
  assert.equal(doc, '<svg xmlns="http://www.w3.org/2000/svg" data-x="a&quot;b&#10;"><text>&lt;&amp;&gt;</text></svg>');
  const [root, text] = parseXml(doc);
  assert.equal(root!.attrs['data-x'], 'a"b\n');
  assert.equal(text!.text, '<&>');
});

test('the XML checker refuses what is not well-formed (so the tests below can fail)', () => {
  for (const bad of ['<a><b></a></b>', '<a>x & y</a>', '<a b="1" b="2"/>', '<a>\u0001</a>', '<a/><b/>', '<a>', '<a b=1/>', '<a>&nbsp;</a>']) {
    assert.throws(() => parseXml(bad), Error, bad);
  }
});

test('ticks are 1-2-5 steps over the range, labelled in one unit', () => {
  assert.deepEqual(ticks(0, 1, 4), [0, 0.5, 1], 'a step of 0.25 is not 1-2-5: 0.5');
  assert.deepEqual(ticks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(ticks(0, 20000, 4), [0, 5000, 10000, 15000, 20000]);
  assert.deepEqual(ticks(0, 7, 6, true), [0, 2, 4, 6]);
  assert.deepEqual(tickLabels([0, 5000, 10000, 15000, 20000]), ['0', '5k', '10k', '15k', '20k']);
  assert.deepEqual(tickLabels([0, 2500, 5000]), ['0', '2500', '5000']);
  assert.deepEqual(tickLabels([0, 5e5, 1.5e6]), ['0', '0.5M', '1.5M']);
});

test('attention heatmap: a labelled cell per (output, source) token, weights in data-weight, a scale, escaped tokens', () => {
  // 3 output tokens + </s> = 4 rows, over 3 source tokens
  const attention = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0, 0.25, 0.75], [0.05, 0.05, 0.9]];
  const svg = svgDocument(attentionHeatmap(attention, ['<b>', 'a b', '&'], ['"x"', 'y\u0000', 'z'], { title: 'a <title>', background: '#fff' }));
  const els = parseXml(svg);
  const cells = byClass(els, 'cell');
  assert.equal(cells.length, 12);
  assert.deepEqual(cells.map((c) => Number(c.attrs['data-weight'])), attention.flat());
  // darker for a larger weight: the opacity is the square root of the weight
  assert.deepEqual(cells.slice(0, 3).map((c) => Number(c.attrs['fill-opacity'])), [0.837, 0.447, 0.316]);
  const titles = els.filter((e) => e.tag === 'title' && e.parent?.attrs['class'] === 'cell').map((t) => t.text);
  assert.equal(titles[0], '"x" ← <b>: 0.700');
  assert.equal(titles[11], '</s> ← &: 0.900');
  assert.deepEqual(byClass(els, 'src').map((t) => t.text), ['<b>', 'a␣b', '&']);
  assert.deepEqual(byClass(els, 'out').map((t) => t.text), ['"x"', 'y\u2400', 'z', '</s>']);
  assert.match(svg, /&lt;b&gt;/);
  assert.equal(byClass(els, 'title')[0]!.text, 'a <title>');
  // the cells sit on a grid: 3 columns, 4 rows, square
  const xs = [...new Set(cells.map((c) => Number(c.attrs['x'])))];
  const ys = [...new Set(cells.map((c) => Number(c.attrs['y'])))];
  assert.equal(xs.length, 3);
  assert.equal(ys.length, 4);
  assert.equal(xs[1]! - xs[0]!, Number(cells[0]!.attrs['width']));
  assert.equal(ys[1]! - ys[0]!, Number(cells[0]!.attrs['height']));
  const scale = els.filter((e) => e.parent?.attrs['class'] === 'scale' && e.tag === 'text').map((t) => t.text);
  assert.deepEqual(scale, ['0', '0.25', '0.5', '0.75', '1', 'weight']);
});

test('attention heatmap: a long source fits cells of at least 14 px and clips long labels (the full token stays in the tooltip)', () => {
  const src = Array.from({ length: 120 }, (_, i) => `tok${i}`);
  src[5] = 'internationalization_and_more';
  const att = [Array.from({ length: 120 }, () => 1 / 120)];
  const els = parseXml(svgDocument(attentionHeatmap(att, src, ['x'], { maxWidth: 800 })));
  const cells = byClass(els, 'cell');
  assert.equal(cells.length, 120);
  assert.equal(Number(cells[0]!.attrs['width']), 14);
  const root = els[0]!;
  assert.ok(Number(root.attrs['width']) >= 120 * 14, 'the plot grows past maxWidth rather than squeezing the cells');
  assert.equal(byClass(els, 'src')[5]!.text, 'internationalizat…');
  assert.match(els.filter((e) => e.tag === 'title')[5]!.text, /^x ← internationalization_and_more: /);
});

test('line chart: polyline points are the log values on the axes, ticks labelled, legend per series', () => {
  const train = [{ step: 10, value: 4 }, { step: 20, value: 3 }, { step: 40, value: 2 }, { step: 80, value: 1 }];
  const valid = [{ step: 40, value: 20 }, { step: 80, value: 35 }];
  const svg = svgDocument(lineChart([
    { label: 'a: training loss', points: train, color: '#00f', className: 'train' },
    { label: 'a: validation bleu', points: valid, color: '#f00', className: 'valid', axis: 'right', dash: '5 3' },
  ], { leftLabel: 'loss', rightLabel: 'validation bleu', title: 'curves' }));
  const els = parseXml(svg);
  const line = els.find((e) => e.tag === 'polyline' && e.attrs['class'] === 'train')!;
  const pts = line.attrs['points']!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
  assert.equal(pts.length, 4);
  // x is affine in the step, y in the loss: equal steps apart, equal distances
  const dx = (pts[1]![0] - pts[0]![0]) / 10;
  assert.ok(Math.abs((pts[3]![0] - pts[2]![0]) / 40 - dx) < 0.01);
  const dy = pts[1]![1] - pts[0]![1];
  assert.ok(dy > 0, 'a lower loss is drawn lower (larger y)');
  assert.ok(Math.abs(pts[2]![1] - pts[1]![1] - dy) < 0.02 && Math.abs(pts[3]![1] - pts[2]![1] - dy) < 0.02);
  // the point of loss 2 sits on the tick labelled 2 (text baseline 4 px under the tick)
  const tick2 = byClass(els, 'tick-left').find((t) => t.text === '2')!;
  assert.ok(Math.abs(Number(tick2.attrs['y']) - 4 - pts[2]![1]) < 0.02);
  // and step 40 under the x tick labelled 40
  const tick40 = byClass(els, 'tick-x').find((t) => t.text === '40')!;
  assert.ok(Math.abs(Number(tick40.attrs['x']) - pts[2]![0]) < 0.02);
  // the validation series is on the right axis: bleu 20 at the right tick labelled 20
  const vline = els.find((e) => e.tag === 'polyline' && e.attrs['class'] === 'valid')!;
  const vpts = vline.attrs['points']!.split(' ').map((p) => p.split(',').map(Number));
  const r20 = byClass(els, 'tick-right').find((t) => t.text === '20')!;
  assert.ok(Math.abs(Number(r20.attrs['y']) - 4 - vpts[0]![1]!) < 0.02);
  assert.equal(vline.attrs['stroke-dasharray'], '5 3');
  assert.equal(byClass(els, 'dot-valid').length, 2, 'few points: dots');
  assert.deepEqual(byClass(els, 'legend').map((t) => t.text), ['a: training loss', 'a: validation bleu']);
  assert.deepEqual(els.filter((e) => e.attrs['class'] === 'y-label').map((t) => t.text), ['loss', 'validation bleu']);
});

test('line chart: thousands of steps draw one polyline without dots; many series wrap the legend into rows', () => {
  const long = Array.from({ length: 3000 }, (_, i) => ({ step: 10 * (i + 1), value: 5 / (1 + i / 100) }));
  const series = Array.from({ length: 6 }, (_, k) => ({ label: `run${k}: training loss`, points: long, color: '#000', className: 'train' }));
  const els = parseXml(svgDocument(lineChart(series, { width: 600 })));
  assert.equal(els.filter((e) => e.tag === 'polyline').length, 6);
  assert.equal(els.filter((e) => e.tag === 'circle').length, 0);
  const legendYs = new Set(byClass(els, 'legend').map((t) => t.attrs['y']));
  assert.ok(legendYs.size >= 2, 'the legend wraps');
  assert.deepEqual(byClass(els, 'tick-x').map((t) => t.text).slice(-1), ['30k']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATE_FORMATS, dateSplits, formatDate, generateDatePairs } from '../../src/demo/dates.js';
import { formatDuration, formatNumber, ProgressBar } from '../../src/util/progress.js';

test('dates: seeded, distinct, valid ISO answers, disjoint splits', () => {
  const a = generateDatePairs(300, 5);
  assert.deepEqual(generateDatePairs(300, 5), a);
  assert.equal(new Set(a.map((p) => p.src)).size, 300);
  for (const p of a) {
    assert.match(p.tgt, /^(19[5-9]\d|20[0-4]\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
    const [y, m, d] = p.tgt.split('-').map(Number) as [number, number, number];
    assert.equal(new Date(Date.UTC(y, m - 1, d)).getUTCDate(), d, p.tgt);
  }
  const s = dateSplits({ train: 500, valid: 50, test: 50 }, 2);
  const train = new Set(s.train.map((p) => p.src));
  assert.ok(s.test.every((p) => !train.has(p.src)) && s.valid.every((p) => !train.has(p.src)));
  // 3 March 1998 was a Tuesday.
  const all = DATE_FORMATS.map((_, f) => formatDate(1998, 3, 3, f));
  for (const want of ['3rd of March 1998', 'March 3, 1998', '1998-3-3', 'Tue 3 Mar 98', '03/03/98', 'Tuesday, March 3, 1998']) assert.ok(all.includes(want), want);
});

test('progress: formatting, and a bar drawn to a TTY-like stream', () => {
  assert.equal(formatDuration(75), '01:15');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(NaN), '--:--');
  assert.equal(formatNumber(12345), '12.3k');
  assert.equal(formatNumber(2.3456), '2.35');
  assert.equal(formatNumber(0.001), '0.00100');
  let written = '';
  const stream = { isTTY: true, columns: 200, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
  const bar = new ProgressBar({ label: 'train', stream, barWidth: 10 });
  bar.update(0.5, { loss: 2.5, 'tok/s': 12345 }, true);
  assert.match(written, /train {2}\[#####-----\] {2}50% {2}loss 2\.50 {2}tok\/s 12\.3k/);
  bar.done();
  assert.ok(written.endsWith('\n'));
  let quiet = '';
  const off = new ProgressBar({ stream: { isTTY: false, write: (s: string) => ((quiet += s), true) } as unknown as NodeJS.WriteStream });
  off.update(0.5, { loss: 1 }, true);
  assert.equal(quiet, '');
});

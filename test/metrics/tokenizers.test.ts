import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pyFixed, pySplit, pyRstrip, tokenize13a, tokenizeChar, tokenizeIntl } from '../../src/metrics/index.js';

// Expected strings are the outputs of sacreBLEU's Tokenizer13a / TokenizerV14International on the
// same inputs (cross-checked against sacreBLEU 2.6.0, whose tokenizers are unchanged since 2.0).
test('13a splits punctuation but keeps numbers, apostrophes and inner hyphens', () => {
  const cases: [string, string][] = [
    ['Hello, world!', 'Hello , world !'],
    ['It costs 1,000.5 dollars.', 'It costs 1,000.5 dollars .'], // . and , between digits stay
    ['1.5,2.5 3,4', '1.5,2.5 3,4'],
    ['in 2019.', 'in 2019 .'], // the added padding space makes a final "." split off after a digit
    ['3.14.', '3.14 .'],
    ['U.S.A. e.g.', 'U . S . A . e . g .'],
    ['...', '. . .'],
    ["It wasn't surprising.", "It wasn't surprising ."], // apostrophe is not in the punctuation class
    ['well-known 2-3 pages', 'well-known 2 - 3 pages'], // dash split only after a digit
    ['1-2-3', '1 - 2 - 3'],
    ['-5 degrees', '-5 degrees'],
    ['He said "hi" -- then left.', 'He said " hi " -- then left .'],
    ['(parens) [brackets] {braces}', '( parens ) [ brackets ] { braces }'],
    ['a/b c:d e;f g?h', 'a / b c : d e ; f g ? h'],
    ['100% $5 #tag @user', '100 % $ 5 # tag @ user'],
  ];
  for (const [input, expected] of cases) assert.equal(tokenize13a(input), expected, input);
});

test('13a un-escapes SGML entities and drops <skipped> and line-end hyphenation', () => {
  assert.equal(tokenize13a('Tom &amp; Jerry'), 'Tom & Jerry');
  assert.equal(tokenize13a('&quot;Quoted&quot; text'), '" Quoted " text');
  assert.equal(tokenize13a('&lt;tag&gt;'), '< tag >');
  assert.equal(tokenize13a('A <skipped> word'), 'A word');
  assert.equal(tokenize13a('line-\nbreak'), 'linebreak');
  assert.equal(tokenize13a('two\nlines'), 'two lines');
});

test('13a leaves non-ASCII punctuation alone and splits on Python whitespace', () => {
  assert.equal(tokenize13a('naïve café — “smart” ‘quotes’'), 'naïve café — “smart” ‘quotes’');
  assert.equal(tokenize13a('中文，标点。'), '中文，标点。');
  assert.equal(tokenize13a('😀.x'), '😀 . x'); // astral code point before a period
  assert.equal(tokenize13a('a\u00a0b'), 'a b'); // NBSP is whitespace to Python's str.split
  assert.equal(tokenize13a('x\x1cy'), 'x y'); // so is U+001C (JavaScript's \s is not)
  assert.equal(tokenize13a('a\u2028b'), 'a b');
  assert.equal(tokenize13a('   '), '');
});

test('intl splits Unicode punctuation and symbols except between digits', () => {
  assert.equal(tokenizeIntl('„Anführungszeichen“ und «guillemets»'), '„ Anführungszeichen “ und « guillemets »');
  assert.equal(tokenizeIntl('€100 £5 ¥3'), '€ 100 £ 5 ¥ 3');
  assert.equal(tokenizeIntl('It costs 1,000.5 dollars.'), 'It costs 1,000.5 dollars .');
  // mteval-v14 keeps a sentence-final period on a number (no padding, unlike 13a)
  assert.equal(tokenizeIntl('in 2019.'), 'in 2019.');
});

test('char tokenizer makes every code point a token', () => {
  assert.deepEqual(pySplit(tokenizeChar('ab c😀')), ['a', 'b', 'c', '😀']);
});

test('Python string helpers', () => {
  assert.deepEqual(pySplit(' a\tb\u3000c\ufeffd '), ['a', 'b', 'c\ufeffd']); // U+FEFF is not Python whitespace
  assert.equal(pyRstrip('x \r\n'), 'x');
  // Python rounds exact binary ties half-to-even; toFixed would give 6.3, 0.3, 0.13 and 3
  assert.equal(pyFixed(6.25, 1), '6.2');
  assert.equal(pyFixed(0.25, 1), '0.2');
  assert.equal(pyFixed(0.125, 2), '0.12');
  assert.equal(pyFixed(2.5, 0), '2');
  assert.equal(pyFixed(12.5, 0), '12');
  assert.equal(pyFixed(0.375, 2), '0.38'); // tie with odd last digit rounds up
  assert.equal(pyFixed(1.005, 2), '1.00'); // 1.005 is really 1.00499999999999989…: no tie
  assert.equal(pyFixed(33.33333, 1), '33.3');
  assert.equal(pyFixed(-0.001, 2), '-0.00');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusTer, formatTer, performShift, translationEditRate } from '../../src/metrics/index.js';

const near = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);

test('published values: sacreBLEU test_ter.py', () => {
  near(corpusTer(['aaaa bbbb cccc dddd'], [['aaaa bbbb cccc dddd']]).score, 0);
  near(corpusTer(['dddd eeee ffff'], [['aaaa bbbb cccc']]).score, 100); // 3 substitutions / 3
  near(corpusTer([''], [['a']]).score, 100); // 1 insertion / 1
  near(corpusTer(['d e f g h a b c'], [['a b c d e f g h']]).score, 100 / 8); // one shift of "a b c"
  const hyps = [
    'wählen Sie " Bild neu berechnen , " um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit das Bild ungefähr dieselbe Größe aufweist wie die andere Größe .',
    'wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option " Alle Aufgaben aktualisieren . "',
    'klicken Sie auf der Registerkarte " Optionen " auf die Schaltfläche " Benutzerdefiniert " und geben Sie Werte für " Fehlerkorrektur-Level " und " Y / X-Verhältnis " ein .',
    'Sie können beispielsweise ein Dokument erstellen , das ein Auto über die Bühne enthält .',
    'wählen Sie im Dialogfeld " Neu aus Vorlage " eine Vorlage aus und klicken Sie auf " Neu . "',
  ];
  const refs = [
    'wählen Sie " Bild neu berechnen , " um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit die Darstellung des Bildes in einer anderen Größe beibehalten wird .',
    'wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option " Alle Aufgaben aktualisieren . "',
    'klicken Sie auf der Registerkarte " Optionen " auf die Schaltfläche " Benutzerdefiniert " und geben Sie für " Fehlerkorrektur-Level " und " Y / X-Verhältnis " niedrigere Werte ein .',
    'Sie können beispielsweise ein Dokument erstellen , das ein Auto enthalt , das sich über die Bühne bewegt .',
    'wählen Sie im Dialogfeld " Neu aus Vorlage " eine Vorlage aus und klicken Sie auf " Neu . "',
  ].map((r) => [r]);
  near(corpusTer(hyps, refs).score, 13.6, 1e-3); // "realistic example from WMT dev data (2019)"
});

test('sacreBLEU defaults: case-insensitive, signature and text line', () => {
  // "the cat sat" vs "the cat sat down" after lowercasing: 1 insertion / 4 words
  const t = corpusTer(['The Cat sat'], [['the cat sat down']]);
  near(t.score, 25);
  assert.equal(formatTer(t), 'TER|nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0 = 25.00');
  near(corpusTer(['The Cat sat'], [['the cat sat down']], { caseSensitive: true }).score, 75); // 2 subs + 1 ins
});

test('several references: fewest edits, divided by the average reference length', () => {
  // vs "a b c": 0 edits; vs "a b c d e": 2 edits → best 0, average length (3 + 5)/2 = 4
  const t = corpusTer(['a b c', 'x'], [['a b c', 'a b c d e'], ['y', 'y']]);
  assert.equal(t.numEdits, 1);
  near(t.refLength, 4 + 1);
  near(t.score, 100 / 5);
});

test('long segment: one 10-word block shift in 200 words is one edit', () => {
  const words = Array.from({ length: 200 }, (_, i) => `w${i}`);
  const moved = [...words.slice(0, 50), ...words.slice(60, 81), ...words.slice(50, 60), ...words.slice(81)];
  assert.deepEqual(translationEditRate(moved, words), { edits: 1, refLen: 200 });
  near(corpusTer([moved.join(' ')], [[words.join(' ')]]).score, 0.5);
});

test('shift mechanics and empty sides', () => {
  assert.deepEqual(performShift(['a', 'b', 'c', 'd'], 2, 2, 0), ['c', 'd', 'a', 'b']);
  assert.deepEqual(performShift(['a', 'b', 'c', 'd'], 0, 1, 3), ['b', 'c', 'a', 'd']);
  assert.deepEqual(translationEditRate(['a', 'b'], []), { edits: 2, refLen: 0 });
  near(corpusTer(['a b'], [['']]).score, 100); // empty reference, non-empty hypothesis
  near(corpusTer([''], [['']]).score, 0);
});

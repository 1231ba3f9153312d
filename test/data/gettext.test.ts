import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCatalogs, newReadStats, parseMo, readGettext, readMo, readPairs, readPo } from '../../src/data/index.js';
import { UserError } from '../../src/util/errors.js';
import { buildMo, collect, tempDir, type MoTestEntry } from './helpers.js';

const tmp = tempDir();
after(tmp.cleanup);

const MO_ENTRIES: MoTestEntry[] = [
  { id: '', str: 'Project-Id-Version: demo\nContent-Type: text/plain; charset=UTF-8\n' }, // header
  { id: 'File', str: 'Datei' },
  { id: 'menu\x04Open', str: 'Öffnen' }, // msgctxt "menu"
  { id: 'Untranslated', str: '' },
  { id: '%d file\0%d files', str: '%d Datei\0%d Dateien' }, // plural
  { id: 'Quit', str: 'Beenden' },
];
const EXPECTED = [
  ['File', 'Datei'],
  ['Open', 'Öffnen'],
  ['%d file', '%d Datei'],
  ['%d files', '%d Dateien'],
  ['Quit', 'Beenden'],
];

test('.mo: both byte orders parse to the same pairs; header, untranslated skipped; context dropped; plurals', async () => {
  for (const little of [true, false]) {
    const p = join(tmp.dir, little ? 'le.mo' : 'be.mo');
    writeFileSync(p, buildMo(MO_ENTRIES, little));
    const pairs = await collect(readMo(p));
    assert.deepEqual(pairs.map((x) => [x.src, x.tgt]), EXPECTED, little ? 'little-endian' : 'big-endian');
    assert.deepEqual(pairs.map((x) => x.line), [2, 3, 5, 5, 6], 'line = 1-based string index');
  }
  const entries = parseMo(buildMo(MO_ENTRIES, false));
  assert.equal(entries[2]!.context, 'menu');
});

test('.mo: the declared charset is honoured (ISO-8859-1 catalog)', async () => {
  // "Öffnen" in Latin-1 is 0xD6 'f' 'f' 'n' 'e' 'n'; we write the bytes by hand.
  const entries: MoTestEntry[] = [{ id: '', str: 'Content-Type: text/plain; charset=ISO-8859-1\n' }, { id: 'Open', str: 'PLACEHOLDER' }];
  const bytes = buildMo(entries, true);
  const at = Buffer.from(bytes).indexOf('PLACEHOLDER');
  const latin1 = Buffer.from('\u00d6ffnen', 'latin1');
  bytes.set(latin1, at);
  new DataView(bytes.buffer).setUint32(28 + 2 * 8 + 8, latin1.length, true); // msgstr table (after 2 msgid entries), entry 1: length
  const p = join(tmp.dir, 'latin1.mo');
  writeFileSync(p, bytes);
  assert.deepEqual((await collect(readMo(p))).map((x) => x.tgt), ['Öffnen']);
});

test('.mo: a corrupt file is a UserError, or a counted bad file with skipBadLines', async () => {
  const p = join(tmp.dir, 'junk.mo');
  writeFileSync(p, Buffer.from('this is not a catalog at all, not at all'));
  await assert.rejects(collect(readMo(p)), (e: unknown) => e instanceof UserError && e.message.startsWith(`${p}: not a valid .mo catalog (bad magic`));
  const truncated = join(tmp.dir, 'trunc.mo');
  writeFileSync(truncated, buildMo(MO_ENTRIES, true).subarray(0, 60));
  await assert.rejects(collect(readMo(truncated)), /run past the end of the file/);
  const stats = newReadStats();
  assert.deepEqual(await collect(readMo(p, { skipBadLines: true, stats })), []);
  assert.equal(stats.badLines, 1);
});

const PO = `# German translations
msgid ""
msgstr ""
"Project-Id-Version: demo\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

#: src/main.c:10
msgid "File"
msgstr "Datei"

#, fuzzy
msgid "Edit"
msgstr "Bearbeiten"

#, c-format, fuzzy
msgid "Fuzzy too"
msgstr "Auch unscharf"

msgctxt "menu"
msgid "Open"
msgstr "Öffnen"

msgid "Untranslated"
msgstr ""

#, c-format
msgid "%d file"
msgid_plural "%d files"
msgstr[0] "%d Datei"
msgstr[1] "%d Dateien"

msgid ""
"A long message "
"split over lines\\twith \\"escapes\\""
msgstr "Eine lange Nachricht mit \\"Escapes\\""
#, c-format
msgid "Next entry without a blank line"
msgstr "Nächster Eintrag"

#~ msgid "Obsolete"
#~ msgstr "Veraltet"
`;

test('.po: fuzzy, untranslated, header and obsolete entries skipped; context, plurals, continuations, escapes', async () => {
  const p = join(tmp.dir, 'de.po');
  writeFileSync(p, PO);
  const pairs = await collect(readPo(p));
  assert.deepEqual(pairs.map((x) => [x.src, x.tgt, x.line]), [
    ['File', 'Datei', 8],
    ['Open', 'Öffnen', 20],
    ['%d file', '%d Datei', 27],
    ['%d files', '%d Dateien', 27],
    ['A long message split over lines\twith "escapes"', 'Eine lange Nachricht mit "Escapes"', 32],
    ['Next entry without a blank line', 'Nächster Eintrag', 37],
  ]);
});

test('.po: a malformed line is a UserError naming file:line', async () => {
  const p = join(tmp.dir, 'bad.po');
  writeFileSync(p, 'msgid "ok"\nmsgstr "gut"\n\nmsgid unquoted\nmsgstr "x"\n');
  await assert.rejects(collect(readPo(p)), (e: unknown) => e instanceof UserError && e.message.startsWith(`${p}:4: not a .po keyword line`));
  const stats = newReadStats();
  const pairs = await collect(readPo(p, { skipBadLines: true, stats }));
  assert.deepEqual(pairs.map((x) => x.src), ['ok']);
  assert.equal(stats.badLines, 1);
});

test('gettext: a locale tree PATH/LANG/LC_MESSAGES, a folder of catalogs, or one file', async () => {
  const root = join(tmp.dir, 'locale');
  const dir = join(root, 'de', 'LC_MESSAGES');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'b.mo'), buildMo(MO_ENTRIES, true));
  writeFileSync(join(dir, 'a.po'), PO);
  writeFileSync(join(dir, 'README'), 'not a catalog');
  assert.deepEqual(await findCatalogs(root, 'de'), [join(dir, 'a.po'), join(dir, 'b.mo')]);
  assert.deepEqual(await findCatalogs(join(root, 'de')), [join(dir, 'a.po'), join(dir, 'b.mo')]);
  assert.deepEqual(await findCatalogs(dir), [join(dir, 'a.po'), join(dir, 'b.mo')]);
  const pairs = await collect(readPairs({ gettext: root, lang: 'de' }));
  assert.equal(pairs.length, 6 + EXPECTED.length);
  assert.deepEqual([pairs[0]!.file, pairs.at(-1)!.file], [join(dir, 'a.po'), join(dir, 'b.mo')]);
  await assert.rejects(findCatalogs(root, 'fr'), (e: unknown) => e instanceof UserError && /no \.mo or \.po catalogs found/.test(e.message));
  await assert.rejects(findCatalogs(join(tmp.dir, 'missing')), (e: unknown) => e instanceof UserError && /no such file or folder/.test(e.message));
});

const SYSTEM_DE = '/usr/share/locale/de/LC_MESSAGES';
const systemCatalogs = existsSync(SYSTEM_DE) ? readdirSync(SYSTEM_DE).filter((f) => f.endsWith('.mo')).sort().slice(0, 5) : [];

test('gettext: real system catalogs parse (first five of /usr/share/locale/de)', { skip: systemCatalogs.length === 0 ? `no .mo files under ${SYSTEM_DE} on this machine` : false }, async () => {
  for (const name of systemCatalogs) {
    const pairs = await collect(readGettext(join(SYSTEM_DE, name), undefined));
    assert.ok(pairs.length > 0, `${name} yields pairs`);
    for (const p of pairs) {
      assert.ok(p.src !== '' && p.tgt !== '', `${name}:${p.line} has both sides`);
      assert.ok(!p.tgt.includes('Project-Id-Version:'), `${name}: header skipped`);
    }
  }
});

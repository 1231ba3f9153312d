import { joinPath as join, listFolder, pathKind } from '../../platform/node-files.js';
import { UserError } from '../../util/errors.js';
import type { ReadOptions, SourcedPair } from '../types.js';
import { readMo, readPo } from './files.js';

const CATALOG = /\.(mo|po|gmo)$/i;

/**
 * Resolves a gettext input to its catalog files, sorted so that the pair order is reproducible:
 * a single .mo/.po file; a locale tree (PATH/LANG/LC_MESSAGES, as /usr/share/locale); a language
 * folder (PATH/LC_MESSAGES); or a folder holding catalogs directly.
 */
export async function findCatalogs(path: string, lang?: string): Promise<string[]> {
  const kind = await pathKind(path);
  if (kind === 'missing') throw new UserError(`${path}: no such file or folder (gettext input); check the path`);
  if (kind === 'file') return [path];
  const candidates = [lang ? join(path, lang, 'LC_MESSAGES') : undefined, join(path, 'LC_MESSAGES'), path];
  for (const dir of candidates) {
    if (!dir || (await pathKind(dir)) !== 'folder') continue;
    const names = await listFolder(dir);
    const files = names.filter((f) => CATALOG.test(f)).sort();
    if (files.length > 0) return files.map((f) => join(dir, f));
  }
  const looked = candidates.filter(Boolean).join(', ');
  throw new UserError(`${path}: no .mo or .po catalogs found (looked in ${looked}); check --gettext and --lang`);
}

/** Reads every catalog that `findCatalogs` finds, as English msgid → translated msgstr pairs. */
export async function* readGettext(path: string, lang: string | undefined, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  for (const file of await findCatalogs(path, lang)) {
    if (/\.po$/i.test(file)) yield* readPo(file, options);
    else yield* readMo(file, options);
  }
}

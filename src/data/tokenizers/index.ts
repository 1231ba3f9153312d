import { UserError } from '../../util/errors.js';
import { BpeTokenizer } from './bpe.js';
import { CharTokenizer } from './char.js';
import { SpaceTokenizer } from './space.js';
import type { Tokenizer, TokenizerJSON } from './types.js';
import { TOKENIZER_KINDS } from './types.js';
import { WordTokenizer } from './word.js';

export { BpeTokenizer } from './bpe.js';
export { learnBpeMerges, learnBpeMergesFromWords, countWords, type BpeLearnOptions } from './bpe-learn.js';
export { baseUnits, unitsToText, WORD_START, ESCAPE } from './bpe-units.js';
export { CharTokenizer } from './char.js';
export { SpaceTokenizer } from './space.js';
export { WordTokenizer, JOINER } from './word.js';
export { TOKENIZER_KINDS, type Tokenizer, type TokenizerJSON, type TokenizerKind } from './types.js';

/** Rebuilds a tokenizer from its saved form. */
export function tokenizerFromJSON(json: TokenizerJSON): Tokenizer {
  switch (json.type) {
    case 'space':
      return new SpaceTokenizer();
    case 'char':
      return new CharTokenizer();
    case 'word':
      return new WordTokenizer();
    case 'bpe':
      return new BpeTokenizer(json.merges);
    default:
      throw new UserError(`unknown tokenizer type '${String((json as { type: unknown }).type)}'; valid types: ${TOKENIZER_KINDS.join(', ')}`);
  }
}

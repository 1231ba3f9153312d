import { normalizeText, type NormalForm } from './clean.js';
import { tokenizerFromJSON, type Tokenizer, type TokenizerJSON } from './tokenizers/index.js';
import { UNK_ID, Vocab, type VocabJSON } from './vocab.js';
import { UserError } from '../util/errors.js';

export interface TextCodecJSON {
  normalize: NormalForm;
  tokenizer: TokenizerJSON;
  vocab: VocabJSON;
  /** Ids run right to left (a target side trained with --right-to-left); absent: left to right. */
  reverse?: boolean;
}

/**
 * Text ⇄ ids for one side of a model: normalisation, tokenizer and vocabulary together, so the
 * trainer, the decoder and the server all turn text into ids the same way.
 *
 * A reversed codec (`reverse`) gives the ids of a text last token first and reads ids back the
 * same way, so a model trained through it writes its output right to left while everything
 * around it (training, validation, translation, the server) still sees text in reading order.
 * A right-to-left model makes different errors from a left-to-right one, which is what n-best
 * rescoring with it (`s2s translate --rescore`) uses.
 */
export class TextCodec {
  constructor(
    readonly tokenizer: Tokenizer,
    readonly vocab: Vocab,
    readonly normalize: NormalForm = 'nfc',
    readonly reverse = false,
  ) {}

  /** The same codec with its ids running right to left (or, given false, left to right). */
  rightToLeft(on = true): TextCodec {
    return on === this.reverse ? this : new TextCodec(this.tokenizer, this.vocab, this.normalize, on);
  }

  /**
   * Tokens of `text` as the vocabulary knows them: a subword the vocabulary dropped (minFreq,
   * maxSize) is split back into the pieces it was merged from rather than becoming <unk>.
   */
  tokenize(text: string): string[] {
    const out: string[] = [];
    const push = (t: string): void => {
      const parts = this.vocab.has(t) ? undefined : this.tokenizer.split?.(t);
      if (parts) {
        push(parts[0]);
        push(parts[1]);
      } else out.push(t);
    };
    for (const t of this.tokenizer.encode(normalizeText(text, this.normalize))) push(t);
    return this.reverse ? out.reverse() : out;
  }

  /** Ids of `text`, without <s> or </s> (the model adds them). */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const t of this.tokenizer.encode(normalizeText(text, this.normalize))) this.pushId(t, ids);
    return this.reverse ? ids.reverse() : ids;
  }

  /** One lookup per in-vocabulary token (the hot path); the split fallback only on a miss. */
  private pushId(token: string, ids: number[]): void {
    const id = this.vocab.lookup(token);
    if (id !== undefined) {
      ids.push(id);
      return;
    }
    const parts = this.tokenizer.split?.(token);
    if (parts) {
      this.pushId(parts[0], ids);
      this.pushId(parts[1], ids);
    } else ids.push(UNK_ID);
  }

  /** Text of `ids` (in the codec's order); special ids (<pad>, <unk>, <s>, </s>) are skipped wherever they are. */
  decode(ids: readonly number[]): string {
    const tokens: string[] = [];
    for (const id of ids) if (!this.vocab.isSpecial(id)) tokens.push(this.vocab.token(id));
    return this.tokenizer.decode(this.reverse ? tokens.reverse() : tokens);
  }

  /** How many ids of `ids` are <unk>: a quick check of vocabulary coverage. */
  static countUnk(ids: readonly number[]): number {
    let n = 0;
    for (const id of ids) if (id === UNK_ID) n++;
    return n;
  }

  toJSON(): TextCodecJSON {
    const json: TextCodecJSON = { normalize: this.normalize, tokenizer: this.tokenizer.toJSON(), vocab: this.vocab.toJSON() };
    if (this.reverse) json.reverse = true;
    return json;
  }

  static fromJSON(json: TextCodecJSON): TextCodec {
    if (!json || typeof json !== 'object' || !json.tokenizer || !json.vocab) {
      throw new UserError('codec: expected {normalize, tokenizer, vocab}; the file is damaged or from another tool');
    }
    const normalize = json.normalize === 'nfkc' ? 'nfkc' : 'nfc';
    return new TextCodec(tokenizerFromJSON(json.tokenizer), Vocab.fromJSON(json.vocab), normalize, json.reverse === true);
  }
}

/** The source and target codecs of a model. `shared`: one tokenizer and vocabulary for both sides. */
export interface CodecPair {
  src: TextCodec;
  tgt: TextCodec;
  shared: boolean;
}

export interface CodecPairJSON {
  format: 's2s-codecs';
  version: 1;
  shared: boolean;
  src: TextCodecJSON;
  tgt: TextCodecJSON;
}

/** The pair with its target side right to left (`on`) or left to right: what `s2s train --right-to-left` trains through. */
export function targetRightToLeft(pair: CodecPair, on = true): CodecPair {
  return { ...pair, tgt: pair.tgt.rightToLeft(on) };
}

export function codecPairToJSON(pair: CodecPair): CodecPairJSON {
  return { format: 's2s-codecs', version: 1, shared: pair.shared, src: pair.src.toJSON(), tgt: pair.tgt.toJSON() };
}

export function codecPairFromJSON(json: CodecPairJSON): CodecPair {
  if (!json || json.format !== 's2s-codecs' || json.version !== 1) {
    throw new UserError(`codecs: expected format s2s-codecs version 1; re-run s2s prepare to make one`);
  }
  const src = TextCodec.fromJSON(json.src);
  // a shared pair is one tokenizer and vocabulary on both sides, as it was when built (the target
  // side may still run right to left)
  const tgt = json.shared ? src.rightToLeft(json.tgt?.reverse === true) : TextCodec.fromJSON(json.tgt);
  return { src, tgt, shared: json.shared === true };
}

import { UserError } from '../util/errors.js';

/** Special tokens, always the first four ids in this order. */
export const SPECIALS = ['<pad>', '<unk>', '<s>', '</s>'] as const;
import { PAD_ID, UNK_ID, BOS_ID, EOS_ID } from '../util/special-ids.js';
export { PAD_ID, UNK_ID, BOS_ID, EOS_ID };

export interface VocabOptions {
  /** keep tokens seen at least this often (default 1) */
  minFreq?: number;
  /** at most this many ids in all, the four specials included (default: no limit) */
  maxSize?: number;
  /**
   * Tokens kept whatever their count and whatever `maxSize` says (BPE's base characters, so a
   * character seen in training never becomes <unk>).
   */
  required?: Iterable<string>;
}

/** The saved form: every token in id order, specials first. */
export interface VocabJSON {
  tokens: string[];
}

const byCountThenText = (counts: Map<string, number>) => (a: string, b: string): number => {
  const d = counts.get(b)! - counts.get(a)!;
  if (d !== 0) return d;
  return a < b ? -1 : a > b ? 1 : 0; // code-unit order: deterministic, locale-independent
};

/**
 * Token ⇄ id. Ids 0–3 are the specials; a text token spelled like a special ("<s>" in the
 * data) is an ordinary token with its own id, so specials can only come from the model.
 */
export class Vocab {
  private readonly tokens: string[];
  private readonly ids = new Map<string, number>();

  /** `tokens`: the ordinary tokens in id order (ids from 4 on). */
  constructor(tokens: Iterable<string>) {
    this.tokens = [...SPECIALS];
    for (const t of tokens) {
      if (this.ids.has(t)) continue;
      this.ids.set(t, this.tokens.length);
      this.tokens.push(t);
    }
  }

  /** Builds a vocabulary from token counts: most frequent first, ties in code-unit order. */
  static fromCounts(counts: Map<string, number>, options: VocabOptions = {}): Vocab {
    const minFreq = options.minFreq ?? 1;
    const required = new Set(options.required ?? []);
    const all = new Map(counts);
    for (const t of required) if (!all.has(t)) all.set(t, 0);
    const order = byCountThenText(all);
    const budget = options.maxSize === undefined ? Infinity : Math.max(0, options.maxSize - SPECIALS.length - required.size);
    const others = [...all.keys()].filter((t) => !required.has(t) && all.get(t)! >= minFreq).sort(order);
    const chosen = [...required, ...others.slice(0, budget)].sort(order);
    return new Vocab(chosen);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of `token`, or UNK_ID. */
  id(token: string): number {
    return this.ids.get(token) ?? UNK_ID;
  }

  /** The id of `token`, or undefined if the vocabulary lacks it. */
  lookup(token: string): number | undefined {
    return this.ids.get(token);
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The token of `id` (specials by their names); throws on an id outside the vocabulary. */
  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) throw new RangeError(`Vocab: id ${id} out of range [0, ${this.tokens.length})`);
    return t;
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < SPECIALS.length;
  }

  encode(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.id(t));
  }

  decode(ids: readonly number[]): string[] {
    return ids.map((i) => this.token(i));
  }

  toJSON(): VocabJSON {
    return { tokens: [...this.tokens] };
  }

  static fromJSON(json: VocabJSON): Vocab {
    const tokens = json?.tokens;
    if (!Array.isArray(tokens) || SPECIALS.some((s, i) => tokens[i] !== s)) {
      throw new UserError(`vocabulary: expected a token list starting with ${SPECIALS.join(' ')}; the file is damaged or from another tool`);
    }
    return new Vocab(tokens.slice(SPECIALS.length));
  }
}

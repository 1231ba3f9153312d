/** A source/target text pair: what cleaning, splitting and codec learning work on. */
export interface TextPair {
  src: string;
  tgt: string;
}

/** A pair as a reader yields it: the text plus where it came from, for error messages. */
export interface SourcedPair extends TextPair {
  file: string;
  /** 1-based line of the pair (for .po: the msgid line; for .mo: the string's index). */
  line: number;
}

/** Counters a reader fills in while it streams; pass one in to see them afterwards. */
export interface ReadStats {
  /** pairs yielded */
  read: number;
  /** malformed lines skipped because `skipBadLines` was set */
  badLines: number;
  /** the first few skipped lines' messages, for the user to look at */
  badExamples: string[];
}

export interface ReadOptions {
  /** Skip malformed lines (counted in `stats.badLines`) instead of throwing UserError. */
  skipBadLines?: boolean;
  stats?: ReadStats;
}

export function newReadStats(): ReadStats {
  return { read: 0, badLines: 0, badExamples: [] };
}

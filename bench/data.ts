/**
 * Data-pipeline benchmark: how fast text becomes ids, and whether streaming keeps memory flat.
 * Writes a seeded 1M-line synthetic corpus to a temp file, then times reading it, reading +
 * word-codec encoding, and reading + BPE-codec encoding, sampling RSS and heap as it goes; and
 * times learning 10k BPE merges on the shared gettext corpus. Numbers are reported, never gated.
 */
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpeTokenizer, buildCodecs, readTsv, type TextCodec, type TextPair } from '../src/data/index.js';
import { mulberry32 } from '../src/util/mulberry32.js';

/**
 * The project's shared English→German corpus, beside the repository (override: S2S_BPE_CORPUS).
 * Found from this file, not the working folder: dist/bench/data.js → ../../ is the repository.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const GETTEXT_TRAIN = process.env['S2S_BPE_CORPUS'] ?? resolve(REPO, '..', 'shared', 'data', 'gettext-en-de.train.tsv');
const MB = 1024 * 1024;


/** A made-up language: words from syllables, drawn with a skewed (Zipf-like) frequency. */
function makeLanguage(next: () => number, size: number, syllables: string[]): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 1 + Math.floor(next() * 4);
    let w = '';
    for (let i = 0; i < n; i++) w += syllables[Math.floor(next() * syllables.length)];
    words.add(w);
  }
  return [...words];
}

function sentence(next: () => number, words: string[]): string {
  const n = 4 + Math.floor(next() * 18);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(words[Math.floor(words.length * next() ** 3)]!); // r³: small indices common
  return out.join(' ') + (next() < 0.7 ? '.' : ',');
}

async function writeCorpus(path: string, lines: number, seed: number): Promise<void> {
  const next = mulberry32(seed);
  const en = makeLanguage(next, 20_000, ['ka', 'to', 'ri', 'en', 'the', 'ing', 'str', 'ou', 'la', 'mo', 'ne', 'sh', 'ap', 'er']);
  const de = makeLanguage(next, 20_000, ['ge', 'en', 'sch', 'ei', 'ung', 'ä', 'ü', 'ß', 'ch', 'ra', 'ti', 'ko', 'ber', 'lo']);
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    if (!out.write(`${sentence(next, en)}\t${sentence(next, de)}\n`)) await once(out, 'drain');
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

interface Memory {
  peakRssMB: number;
  peakHeapMB: number;
}

/** Streams the corpus once, calling `work` per pair; samples memory every 10k lines. */
async function pass(path: string, work: (p: TextPair) => number, memory: Memory): Promise<{ seconds: number; linesPerSec: number; tokensPerSec: number }> {
  const t0 = performance.now();
  let lines = 0;
  let tokens = 0;
  for await (const p of readTsv(path)) {
    tokens += work(p);
    if (++lines % 10_000 === 0) {
      const m = process.memoryUsage();
      memory.peakRssMB = Math.max(memory.peakRssMB, m.rss / MB);
      memory.peakHeapMB = Math.max(memory.peakHeapMB, m.heapUsed / MB);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds: round(seconds), linesPerSec: Math.round(lines / seconds), tokensPerSec: Math.round(tokens / seconds) };
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

async function firstPairs(path: string, n: number): Promise<TextPair[]> {
  const out: TextPair[] = [];
  for await (const p of readTsv(path)) {
    out.push({ src: p.src, tgt: p.tgt });
    if (out.length >= n) break;
  }
  return out;
}

export async function runDataBench(opts: { json: boolean; lines?: number }): Promise<object> {
  const log = (msg: string): void => {
    if (!opts.json) console.log(msg);
  };
  const lines = opts.lines ?? 1_000_000;
  const seed = 1234;
  const dir = mkdtempSync(join(tmpdir(), 's2s-bench-data-'));
  try {
    const path = join(dir, 'corpus.tsv');
    let t0 = performance.now();
    await writeCorpus(path, lines, seed);
    const bytes = statSync(path).size;
    log(`corpus: ${lines} lines, ${(bytes / MB).toFixed(1)} MB, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const sample = await firstPairs(path, 50_000);
    const word = buildCodecs(sample, { tokenizer: 'word', vocabSize: 32_000 });
    t0 = performance.now();
    const bpe = buildCodecs(sample, { tokenizer: 'bpe', merges: 8_000, sharedVocab: true });
    const bpeSampleLearn = (performance.now() - t0) / 1000;
    sample.length = 0;

    const memory: Memory = { peakRssMB: 0, peakHeapMB: 0 };
    global.gc?.();
    const rssStartMB = round(process.memoryUsage().rss / MB, 1);
    const encodeBoth = (src: TextCodec, tgt: TextCodec) => (p: TextPair): number => src.encode(p.src).length + tgt.encode(p.tgt).length;
    const read = await pass(path, () => 0, memory);
    log(`read:            ${read.linesPerSec} lines/s (${read.seconds} s)`);
    const wordPass = await pass(path, encodeBoth(word.src, word.tgt), memory);
    log(`read+word+ids:   ${wordPass.linesPerSec} lines/s, ${wordPass.tokensPerSec} tokens/s (${wordPass.seconds} s)`);
    const bpePass = await pass(path, encodeBoth(bpe.src, bpe.tgt), memory);
    log(`read+bpe+ids:    ${bpePass.linesPerSec} lines/s, ${bpePass.tokensPerSec} tokens/s (${bpePass.seconds} s)`);
    log(`memory: rss ${rssStartMB} MB at start, peak rss ${memory.peakRssMB.toFixed(1)} MB, peak heap ${memory.peakHeapMB.toFixed(1)} MB (corpus ${(bytes / MB).toFixed(0)} MB)`);

    let bpeLearn: object;
    if (existsSync(GETTEXT_TRAIN)) {
      const texts: string[] = [];
      for await (const p of readTsv(GETTEXT_TRAIN)) texts.push(p.src, p.tgt);
      t0 = performance.now();
      const tok = BpeTokenizer.learn(texts, { merges: 10_000 });
      const seconds = (performance.now() - t0) / 1000;
      bpeLearn = { file: GETTEXT_TRAIN, texts: texts.length, merges: tok.merges.length, seconds: round(seconds) };
      log(`bpe learn: ${tok.merges.length} merges on ${texts.length} texts (both sides of ${GETTEXT_TRAIN}) in ${seconds.toFixed(2)} s`);
    } else {
      bpeLearn = { skipped: `${GETTEXT_TRAIN} not found` };
      log(`bpe learn: skipped (${GETTEXT_TRAIN} not found)`);
    }

    return {
      bench: 'data',
      node: process.version,
      corpus: { lines, bytes, seed, synthetic: true },
      read,
      word: { ...wordPass, vocabSrc: word.src.vocab.size, vocabTgt: word.tgt.vocab.size },
      bpe: { ...bpePass, merges: 8_000, vocab: bpe.src.vocab.size, learnSecondsOn50kLines: round(bpeSampleLearn) },
      memory: { rssStartMB, peakRssMB: round(memory.peakRssMB, 1), peakHeapMB: round(memory.peakHeapMB, 1) },
      bpeLearn,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

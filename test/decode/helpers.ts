import { Rng } from '../../src/tensor/index.js';
import { buildModel, type Seq2Seq } from '../../src/models/index.js';
import { DIGIT_VOCAB } from '../models/helpers.js';

/** A small untrained GRU model with large random weights: peaked, varied distributions (and EOS at varied lengths). */
export function randomModel(attention: 'none' | 'general' | 'bahdanau', seed: number): Seq2Seq {
  const m = buildModel({ srcVocab: DIGIT_VOCAB, tgtVocab: DIGIT_VOCAB, emb: 8, hidden: 12, attention, arch: 'gru', layers: 2, decoderLayers: 1 }, new Rng(seed));
  const r = new Rng(seed + 100);
  for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = (r.uniform() * 2 - 1) * 0.8;
  return m.eval();
}

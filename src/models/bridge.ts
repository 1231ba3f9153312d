import { tanh, zeros, type Rng, type Tensor } from '../tensor/index.js';
import { Linear, Module, type CellKind, type RecurrentState } from '../nn/index.js';

/**
 * Maps the encoder's final states to the decoder's initial states: h₀ = tanh(W_h h_enc + b_h) per
 * decoder layer, and for LSTM→LSTM also c₀ = tanh(W_c c_enc + b_c); an LSTM decoder after a GRU/RNN
 * encoder starts from c₀ = 0. Bidirectional encoders already concatenate their directions to
 * `hidden`. With a layer-count mismatch the top layers line up: decoder layer l reads encoder
 * layer max(0, Le − Ld + l), so a deeper decoder reuses the encoder's first layer at its bottom.
 *
 * Parameters: `{l}.h.weight` [hidden, hidden], `{l}.h.bias` [hidden], and `{l}.c.*` likewise.
 */
export class Bridge extends Module {
  private readonly hMaps: Linear[] = [];
  private readonly cMaps: (Linear | null)[] = [];

  constructor(readonly encLayers: number, readonly decLayers: number, encArch: CellKind, readonly decArch: CellKind, hidden: number, rng: Rng) {
    super();
    const withC = encArch === 'lstm' && decArch === 'lstm';
    for (let l = 0; l < decLayers; l++) {
      const holder = this.registerModule(String(l), new Module());
      this.hMaps.push(holder.registerModule('h', new Linear(hidden, hidden, rng)));
      this.cMaps.push(withC ? holder.registerModule('c', new Linear(hidden, hidden, rng)) : null);
    }
  }

  sourceLayer(l: number): number {
    return Math.max(0, this.encLayers - this.decLayers + l);
  }

  forward(final: readonly RecurrentState[]): { h: Tensor[]; c: Tensor[] | null } {
    const h = this.hMaps.map((m, l) => tanh(m.forward(final[this.sourceLayer(l)]!.h)));
    if (this.decArch !== 'lstm') return { h, c: null };
    const c = this.cMaps.map((m, l) => {
      const src = final[this.sourceLayer(l)]!;
      return m !== null && src.c !== null ? tanh(m.forward(src.c)) : zeros(h[l]!.shape.slice());
    });
    return { h, c };
  }
}

import { backend } from '../engine.js';
import { shapeStr, type Tensor } from '../tensor.js';
import { checkTensor, multiOutput, rawTensor, writeGrad, accGrad } from './util.js';

/**
 * Fused LSTM cell. gates [B, 4H] are the pre-activations x·Wᵢ + h·Wₕ + b in PyTorch's order
 * [i, f, g, o]; cPrev [B, H]. c = σ(f) ⊙ cPrev + σ(i) ⊙ tanh(g), h = σ(o) ⊙ tanh(c).
 */
export function lstmCell(gates: Tensor, cPrev: Tensor): { h: Tensor; c: Tensor } {
  checkTensor('lstmCell', 'gates', gates, 'f32', 2);
  checkTensor('lstmCell', 'cPrev', cPrev, 'f32', 2);
  const [B, H4] = gates.shape as [number, number];
  const H = cPrev.shape[1]!;
  if (cPrev.shape[0] !== B || H4 !== 4 * H) {
    throw new Error(`lstmCell: gates must be [B, 4H] for cPrev [B, H]: ${shapeStr(gates.shape)} and ${shapeStr(cPrev.shape)}`);
  }
  const k = backend();
  const acts = rawTensor([B, 4 * H], 'f32');
  k.copy(gates.f32, acts.f32, B * 4 * H);
  const [h, c] = multiOutput([[B, H], [B, H]], [gates, cPrev], ([h, c]) => {
    const k = backend();
    const dh = h!.grad ?? k.allocF32(B * H, true);
    const dGates = gates.requiresGrad ? null : k.allocF32(B * 4 * H);
    const dcPrevTmp = cPrev.requiresGrad ? null : k.allocF32(B * H);
    const run = (dg: Float32Array, dcp: Float32Array, acc: boolean): void =>
      k.lstmCellBackward(B, H, acts.f32, cPrev.f32, c!.f32, dh, c!.grad, dg, dcp, acc);
    if (gates.requiresGrad) {
      if (cPrev.requiresGrad) writeGrad(gates, (dg) => accGrad(cPrev, (dcp, acc) => run(dg, dcp, acc)));
      else writeGrad(gates, (dg) => run(dg, dcPrevTmp!, false));
    } else {
      accGrad(cPrev, (dcp, acc) => run(dGates!, dcp, acc));
    }
    if (h!.grad === null) k.free(dh);
    if (dGates) k.free(dGates);
    if (dcPrevTmp) k.free(dcPrevTmp);
  }) as [Tensor, Tensor];
  k.lstmCell(B, H, acts.f32, cPrev.f32, h.f32, c.f32);
  if (!h.requiresGrad) acts.dispose();
  return { h, c };
}

/**
 * Fused GRU cell (PyTorch's formulation). xg = x·Wᵢ + bᵢ and hg = hPrev·Wₕ + bₕ, each [B, 3H] in
 * order [r, z, n]: r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r ⊙ hn), h = (1 − z) ⊙ n + z ⊙ hPrev.
 */
export function gruCell(xg: Tensor, hg: Tensor, hPrev: Tensor): Tensor {
  checkTensor('gruCell', 'xg', xg, 'f32', 2);
  checkTensor('gruCell', 'hg', hg, 'f32', 2);
  checkTensor('gruCell', 'hPrev', hPrev, 'f32', 2);
  const [B, H] = hPrev.shape as [number, number];
  if (xg.shape[0] !== B || xg.shape[1] !== 3 * H) {
    throw new Error(`gruCell: xg must be [B, 3H] for hPrev [B, H]: ${shapeStr(xg.shape)} and ${shapeStr(hPrev.shape)}`);
  }
  if (hg.shape[0] !== B || hg.shape[1] !== 3 * H) {
    throw new Error(`gruCell: hg must be [B, 3H] for hPrev [B, H]: ${shapeStr(hg.shape)} and ${shapeStr(hPrev.shape)}`);
  }
  const k = backend();
  const acts = rawTensor([B, 4 * H], 'f32');
  const [h] = multiOutput([[B, H]], [xg, hg, hPrev], ([h]) => {
    const k = backend();
    const dxg = k.allocF32(B * 3 * H, true);
    const dhg = k.allocF32(B * 3 * H, true);
    const run = (dhp: Float32Array, acc: boolean): void => k.gruCellBackward(B, H, acts.f32, hPrev.f32, h!.grad!, dxg, dhg, dhp, acc);
    if (hPrev.requiresGrad) accGrad(hPrev, run);
    else {
      const tmp = k.allocF32(B * H);
      run(tmp, false);
      k.free(tmp);
    }
    if (xg.requiresGrad) writeGrad(xg, (dst) => k.axpy(B * 3 * H, 1, dxg, dst));
    if (hg.requiresGrad) writeGrad(hg, (dst) => k.axpy(B * 3 * H, 1, dhg, dst));
    k.free(dxg);
    k.free(dhg);
  }) as [Tensor];
  k.gruCell(B, H, xg.f32, hg.f32, hPrev.f32, h.f32, acts.f32);
  if (!h.requiresGrad) acts.dispose();
  return h;
}

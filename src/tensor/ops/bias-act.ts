import { backend } from '../engine.js';
import { opOutput, shapeStr, type Tensor } from '../tensor.js';
import { checkTensor, accGrad } from './util.js';
import { ActKind } from '../../kernels/backend.js';

export type Activation = 'relu' | 'gelu' | 'none';

const KINDS: Record<Activation, ActKind> = { none: ActKind.None, relu: ActKind.Relu, gelu: ActKind.Gelu };

/**
 * act(x + bias) in one pass, x [..., n], bias [n]: the feed-forward layer's bias and activation
 * (gelu is the exact erf form, PyTorch's F.gelu default). Gradients to x and bias; the backward
 * recomputes x + bias instead of keeping it.
 */
export function biasActivation(x: Tensor, bias: Tensor, act: Activation): Tensor {
  checkTensor('biasActivation', 'x', x);
  checkTensor('biasActivation', 'bias', bias, 'f32', 1);
  if (x.rank === 0) throw new Error('biasActivation: x needs at least one axis');
  const kind = KINDS[act];
  if (kind === undefined) throw new Error(`biasActivation: act must be 'relu', 'gelu' or 'none', got '${String(act)}'`);
  const n = x.shape[x.rank - 1]!;
  if (bias.size !== n) throw new Error(`biasActivation: bias ${shapeStr(bias.shape)} does not match the last axis of x ${shapeStr(x.shape)}`);
  const rows = n === 0 ? 0 : x.size / n;
  const out = opOutput(x.shape, [x, bias], (out) => {
    const k = backend();
    const dBias = bias.requiresGrad ? bias.gradBuffer() : null;
    if (x.requiresGrad) {
      let first = true; // dBias is added once, with the first (or only) dx pass
      accGrad(x, (dst, acc) => {
        k.biasActBackward(rows, n, x.f32, bias.f32, kind, out.grad!, dst, acc, first ? dBias : null);
        first = false;
      });
    } else {
      k.biasActBackward(rows, n, x.f32, bias.f32, kind, out.grad!, null, false, dBias);
    }
  });
  backend().biasAct(rows, n, x.f32, bias.f32, kind, out.f32);
  return out;
}

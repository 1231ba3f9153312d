import { Tensor } from '../tensor/index.js';

/**
 * Base of every layer: owns named parameters and child modules, and a training flag.
 *
 * Parameter names are dotted paths built from registration order (`encoder.layers.0.fwd.weight_ih`);
 * they are stable across runs because registration happens in constructors, and they are the names
 * written to model.safetensors, so renaming one is a checkpoint format change.
 */
export class Module {
  /** True in training mode: dropout is active. Set through train()/eval(). */
  training = true;
  private readonly ownParams: [string, Tensor][] = [];
  private readonly children: [string, Module][] = [];

  /** Registers a parameter (a persistent, requiresGrad tensor) under `name`. */
  registerParameter(name: string, t: Tensor): Tensor {
    if (this.ownParams.some(([n]) => n === name) || this.children.some(([n]) => n === name)) {
      throw new Error(`${this.constructor.name}: parameter name '${name}' is already used`);
    }
    this.ownParams.push([name, t]);
    return t;
  }

  /**
   * Registers a child module; its parameters appear as `name.<child's names>`. The empty name
   * merges the child's names into this module's namespace (an Encoder that is "an Rnn plus an
   * embedding" names its layers `encoder.layers.0…`, not `encoder.rnn.layers.0…`).
   */
  registerModule<M extends Module>(name: string, m: M): M {
    if (name !== '' && (this.ownParams.some(([n]) => n === name) || this.children.some(([n]) => n === name))) {
      throw new Error(`${this.constructor.name}: child name '${name}' is already used`);
    }
    this.children.push([name, m]);
    return m;
  }

  /** Every parameter with its dotted name, in registration order (depth first). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.ownParams) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(n === '' ? prefix : `${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    let n = 0;
    for (const [, t] of this.namedParameters()) n += t.size;
    return n;
  }

  /** Named child modules, direct children only. */
  namedChildren(): [string, Module][] {
    return this.children.slice();
  }

  train(on = true): this {
    this.training = on;
    for (const [, m] of this.children) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Copies values into the parameters by name (a checkpoint load). Every parameter must be present
   * with its exact size; unknown names are an error too, so a mismatched config fails loudly.
   */
  loadNamedParameters(values: Map<string, Float32Array> | Record<string, Float32Array>): void {
    const map = values instanceof Map ? values : new Map(Object.entries(values));
    const mine = this.namedParameters();
    const known = new Set(mine.map(([n]) => n));
    for (const name of map.keys()) {
      if (!known.has(name)) throw new Error(`loadNamedParameters: unknown tensor '${name}' (expected one of: ${[...known].join(', ')})`);
    }
    for (const [name, t] of mine) {
      const v = map.get(name);
      if (v === undefined) throw new Error(`loadNamedParameters: tensor '${name}' is missing`);
      if (v.length !== t.size) throw new Error(`loadNamedParameters: tensor '${name}' has ${v.length} values, expected ${t.size} (shape [${t.shape.join(', ')}])`);
      (t.data as Float32Array).set(v);
    }
  }
}

/** Asserts a tensor's shape at a module boundary, naming the layer and both shapes. */
export function expectShape(layer: string, t: Tensor, expected: readonly (number | null)[], what = 'input'): void {
  const ok = t.shape.length === expected.length && expected.every((d, i) => d === null || d === t.shape[i]);
  if (!ok) {
    const exp = expected.map((d) => (d === null ? '*' : String(d))).join(', ');
    throw new Error(`${layer}: ${what} has shape [${t.shape.join(', ')}], expected [${exp}]`);
  }
}

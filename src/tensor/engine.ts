import type { Backend } from '../kernels/backend.js';
import { JsBackend } from '../kernels/js/index.js';

/**
 * Engine state shared by every tensor: the current backend, the autograd tape, the grad-mode flag
 * and the stack of memory scopes. One engine per thread (the wasm worker threads never see tensors).
 */
let current: Backend = new JsBackend();

export function backend(): Backend {
  return current;
}

/**
 * Switches the backend. Tensors made on the old backend must not be used afterwards (their storage
 * may live in the old backend's memory), so callers switch before building a model.
 */
export function setBackend(b: Backend): void {
  current = b;
}

// ---- autograd tape -------------------------------------------------------------------------

/** A recorded op: its output and the closure that pushes output.grad into its inputs' grads. */
export interface TapeNode {
  readonly out: { grad: Float32Array | null };
  readonly backward: () => void;
}

const tape: TapeNode[] = [];
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function record(node: TapeNode): void {
  tape.push(node);
}

/** Runs fn with recording off (inference): ops neither record nor keep what backward would need. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Walks the tape in reverse from the last node; nodes whose output got no gradient are skipped. */
export function runBackward(): void {
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.out.grad !== null) node.backward();
  }
  tape.length = 0;
}

export function clearTape(): void {
  tape.length = 0;
}

export function tapeLength(): number {
  return tape.length;
}

// ---- memory scopes ---------------------------------------------------------------------------

/** Anything that owns backend memory and can give it back. */
export interface Disposable {
  dispose(): void;
  readonly disposed: boolean;
}

const scopes: Disposable[][] = [];

/** Called by every new tensor: the innermost scope (if any) will dispose it. */
export function track(t: Disposable): void {
  const top = scopes[scopes.length - 1];
  if (top) top.push(t);
}

/** Removes t from the innermost scopes' lists so it outlives them (parameters, results). */
export function untrack(t: Disposable): void {
  for (let s = scopes.length - 1; s >= 0; s--) {
    const list = scopes[s]!;
    const i = list.lastIndexOf(t);
    if (i >= 0) {
      list[i] = list[list.length - 1]!;
      list.pop();
    }
  }
}

/**
 * Runs fn in a memory scope: every tensor created inside is disposed when fn returns, except the
 * tensors found in its result (a tensor, or an array/object of tensors one level deep), which move
 * to the enclosing scope. A training step is one scope, so its intermediates never pile up. A
 * nested scope whose recorded ops are still waiting for a backward defers its disposals to the
 * enclosing scope (the backward needs them).
 */
export function tidy<T>(fn: () => T): T {
  const scope: Disposable[] = [];
  scopes.push(scope);
  const tapeStart = tape.length;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    if (scopes.length === 0) tape.length = 0;
    for (const t of scope) if (!t.disposed) t.dispose();
    throw e;
  }
  scopes.pop();
  const keep = new Set<Disposable>();
  collectDisposables(result, keep);
  const outer = scopes[scopes.length - 1];
  if (scopes.length === 0) tape.length = 0;
  // A nested scope that recorded tape nodes still pending a backward hands everything to the
  // enclosing scope: those nodes' closures read its tensors, so freeing them now would corrupt it.
  const pending = outer !== undefined && tape.length > tapeStart;
  for (const t of scope) {
    if (keep.has(t) || pending) {
      if (outer) outer.push(t);
    } else if (!t.disposed) {
      t.dispose();
    }
  }
  return result;
}

function isDisposable(v: unknown): v is Disposable {
  return typeof v === 'object' && v !== null && typeof (v as Disposable).dispose === 'function' && 'disposed' in (v as object);
}

function collectDisposables(v: unknown, out: Set<Disposable>): void {
  if (isDisposable(v)) {
    out.add(v);
  } else if (Array.isArray(v)) {
    for (const x of v) if (isDisposable(x)) out.add(x);
  } else if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) {
      if (isDisposable(x)) out.add(x);
      else if (Array.isArray(x)) for (const y of x) if (isDisposable(y)) out.add(y);
    }
  }
}

export function scopeDepth(): number {
  return scopes.length;
}

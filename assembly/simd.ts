// The SIMD and scalar load/store helpers every kernel file uses (element i of an f32/i32 array at
// byte offset p), and how row-split kernels share their rows between threads.

// @ts-ignore: decorator
@inline export function ld(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function st(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }
// @ts-ignore: decorator
@inline export function ldi(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function ldv(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function stv(p: usize, i: i32, v: v128): void { v128.store(p + (<usize>i << 2), v); }

/** First row of thread tid's share when `rows` rows split over nth threads ([start(tid), start(tid + 1))). */
// @ts-ignore: decorator
@inline export function shareStart(rows: i32, tid: i32, nth: i32): i32 { return <i32>((<i64>rows * tid) / nth); }

// Multiply-add on f32x4: a·b + c. With the relaxed-simd feature (the kernels-relaxed.wasm build,
// scripts/build-wasm.mjs) this is f32x4.relaxed_madd, which V8 compiles to one FMA instruction
// (vfmadd231ps) where the CPU has one — a single rounding, so results differ from the plain build
// in the last bits. Without it (kernels.wasm) it is the separate multiply and add of plain SIMD.
// ASC_FEATURE_RELAXED_SIMD is a compile-time constant: each build contains only one of the two.
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

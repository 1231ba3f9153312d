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

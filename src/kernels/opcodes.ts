// The op codes of the elementwise kernels, shared by both sides: the TypeScript backends import
// them through backend.ts, and the AssemblyScript kernels (assembly/elementwise.ts, memops.ts)
// import this same file, so a code means the same op on both sides by construction. It must stay
// valid AssemblyScript: const enums with explicit values, nothing else.

export const enum UnaryOp {
  Neg = 0,
  Exp = 1,
  Log = 2,
  Tanh = 3,
  Sigmoid = 4,
  Relu = 5,
  Sqrt = 6,
  Square = 7,
  Abs = 8,
}

export const enum BinaryOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
}

/** The activation of the fused bias + activation kernels (gelu: the exact erf form). */
export const enum ActKind {
  None = 0,
  Relu = 1,
  Gelu = 2,
}

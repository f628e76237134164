// RUN: not attn-opt %s --attn-matmul-to-blas="min-flops=-1" 2>&1 | FileCheck %s

// A negative threshold is refused.
// CHECK: error: attn-matmul-to-blas: min-flops must be >= 0, got -1
func.func @product(%a: memref<32x16xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x16xf32>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

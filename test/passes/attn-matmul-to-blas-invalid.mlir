// RUN: attn-opt %s --split-input-file --attn-matmul-to-blas --verify-diagnostics

// A module that already has an attnrt_sgemm of another type cannot call the
// runtime's.
// expected-error @+1 {{'attnrt_sgemm' is already defined with another type than the runtime's}}
func.func private @attnrt_sgemm(i32, i32, i64, i64, i64, f32, !llvm.ptr, i64, !llvm.ptr, i64, f32, !llvm.ptr)

func.func @product(%a: memref<32x16xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x16xf32>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// The same name on something that is not a function.
// expected-error @+1 {{'attnrt_sgemm' is already defined with another type than the runtime's}}
memref.global "private" @attnrt_sgemm : memref<4xf32>

func.func @product(%a: memref<32x16xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x16xf32>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// The same check for attnrt_sgemv, declared when a matrix-vector product
// needs it.
// expected-error @+1 {{'attnrt_sgemv' is already defined with another type than the runtime's}}
func.func private @attnrt_sgemv(i32, i64, i64, f32, !llvm.ptr, i64, !llvm.ptr, i64, f32, !llvm.ptr)

func.func @product(%a: memref<384x144xf32>, %x: memref<144xf32>, %y: memref<384xf32>) {
  linalg.matvec ins(%a, %x : memref<384x144xf32>, memref<144xf32>) outs(%y : memref<384xf32>)
  return
}

// RUN: attn-opt %s --split-input-file --attn-matmul-to-blas | FileCheck %s
// RUN: attn-opt %s --split-input-file --attn-matmul-to-blas="min-flops=0" | FileCheck %s --check-prefix=ALL

// A static 32x64x16 product (65536 flops) becomes one call; linalg.matmul
// accumulates into C, so beta is 1. The callee is declared once.
// CHECK-LABEL: func.func private @attnrt_sgemm(i32, i32, i64, i64, i64, f32, !llvm.ptr, i64, !llvm.ptr, i64, f32, !llvm.ptr, i64)
// CHECK-LABEL: func.func @static_large
// CHECK-SAME: (%[[A:.+]]: memref<32x16xf32>, %[[B:.+]]: memref<16x64xf32>, %[[C:.+]]: memref<32x64xf32>)
// CHECK-DAG: %[[PA:.+]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK-DAG: %[[PB:.+]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK-DAG: %[[PC:.+]] = memref.extract_aligned_pointer_as_index %[[C]]
// CHECK-DAG: %[[NOTRANS:.+]] = arith.constant 0 : i32
// CHECK-DAG: %[[M:.+]] = arith.constant 32 : i64
// CHECK-DAG: %[[N:.+]] = arith.constant 64 : i64
// CHECK-DAG: %[[K:.+]] = arith.constant 16 : i64
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[IA:.+]] = arith.index_cast %[[PA]] : index to i64
// CHECK: %[[PTRA:.+]] = llvm.inttoptr %[[IA]] : i64 to !llvm.ptr
// CHECK: %[[IB:.+]] = arith.index_cast %[[PB]] : index to i64
// CHECK: %[[PTRB:.+]] = llvm.inttoptr %[[IB]]
// CHECK: %[[IC:.+]] = arith.index_cast %[[PC]] : index to i64
// CHECK: %[[PTRC:.+]] = llvm.inttoptr %[[IC]]
// CHECK: call @attnrt_sgemm(%[[NOTRANS]], %[[NOTRANS]], %[[M]], %[[N]], %[[K]], %[[ONE]], %[[PTRA]], %[[K]], %[[PTRB]], %[[N]], %[[ONE]], %[[PTRC]], %[[N]])
// CHECK-NOT: linalg.matmul
// CHECK-NOT: func.func private @attnrt_sgemm
func.func @static_large(%a: memref<32x16xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x16xf32>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// The declaration is shared by all products of the module.
// CHECK-LABEL: func.func @second_product
// CHECK: call @attnrt_sgemm
func.func @second_product(%a: memref<32x16xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>) {
  linalg.matmul ins(%a, %b : memref<32x16xf32>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// A static 4x4x4 product (128 flops) stays below the default threshold (512);
// min-flops=0 sends it to BLAS too.
// CHECK-NOT: @attnrt_sgemm
// CHECK-LABEL: func.func @static_small
// CHECK: linalg.matmul
// CHECK-NOT: call
// ALL-LABEL: func.func @static_small
// ALL: call @attnrt_sgemm
// ALL-NEXT: return
func.func @static_small(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<4x4xf32>) {
  linalg.matmul ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>)
  return
}

// -----

// A zero fill right before the product folds into beta = 0.
// CHECK-LABEL: func.func @zero_fill
// CHECK-NOT: linalg.fill
// CHECK: %[[ALPHA:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[BETA:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: call @attnrt_sgemm(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[ALPHA]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[BETA]], %{{.+}}, %{{.+}})
func.func @zero_fill(%a: memref<32x16xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<32x64xf32>)
  linalg.matmul ins(%a, %b : memref<32x16xf32>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// A fill of another value is kept, and beta stays 1.
// CHECK-LABEL: func.func @nonzero_fill
// CHECK: linalg.fill
// CHECK: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: call @attnrt_sgemm(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[ONE]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[ONE]], %{{.+}}, %{{.+}})
func.func @nonzero_fill(%a: memref<32x16xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%c : memref<32x64xf32>)
  linalg.matmul ins(%a, %b : memref<32x16xf32>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// Dynamic sizes: 2*m*n*k >= min-flops chooses at run time between the call
// and the original op (marked so that it is not rewritten again); the zero
// fill moves into the fallback.
// CHECK: #[[FLOPSMAP:.+]] = affine_map<()[s0, s1, s2] -> (((s0 * s1) * s2) * 2)>
// CHECK: #[[LD:.+]] = affine_map<()[s0, s1] -> (s0, s1, 1)>
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[A:.+]]: memref<?x?xf32>, %[[B:.+]]: memref<?x?xf32>, %[[C:.+]]: memref<?x?xf32>)
// CHECK: %[[M:.+]] = memref.dim %[[C]], %{{.+}}
// CHECK: %[[N:.+]] = memref.dim %[[C]], %{{.+}}
// CHECK: %[[K:.+]] = memref.dim %[[A]], %{{.+}}
// CHECK: %[[FLOPS:.+]] = affine.apply #[[FLOPSMAP]]()[%[[M]], %[[N]], %[[K]]]
// CHECK: %[[MIN:.+]] = arith.constant 512 : index
// CHECK: %[[BIG:.+]] = arith.cmpi sge, %[[FLOPS]], %[[MIN]]
// CHECK: scf.if %[[BIG]] {
// CHECK: %{{.+}}, %{{.+}}, %{{.+}}:2, %[[SA:.+]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK: affine.max #[[LD]]()[%[[SA]]#0,
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: func.call @attnrt_sgemm({{.*}}, %[[ZERO]], %{{.+}}, %{{.+}})
// CHECK: } else {
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: linalg.matmul {attn.blas_fallback} ins(%[[A]], %[[B]] : memref<?x?xf32>, memref<?x?xf32>) outs(%[[C]] : memref<?x?xf32>)
// CHECK-NEXT: }
// With min-flops=0 there is nothing to choose: always the call.
// ALL-LABEL: func.func @dynamic
// ALL-NOT: scf.if
// ALL-NOT: linalg.fill
// ALL: call @attnrt_sgemm
// ALL-NEXT: return
func.func @dynamic(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%c : memref<?x?xf32>)
  return
}

// -----

// matmul_transpose_b: trans_b = 1 and B's row stride is k.
// CHECK-LABEL: func.func @transpose_b
// CHECK-DAG: %[[NOTRANS:.+]] = arith.constant 0 : i32
// CHECK-DAG: %[[TRANS:.+]] = arith.constant 1 : i32
// CHECK-DAG: %[[K:.+]] = arith.constant 16 : i64
// CHECK: call @attnrt_sgemm(%[[NOTRANS]], %[[TRANS]], %{{.+}}, %{{.+}}, %[[K]], %{{.+}}, %{{.+}}, %[[K]], %{{.+}}, %[[K]],
func.func @transpose_b(%a: memref<32x16xf32>, %b: memref<64x16xf32>, %c: memref<32x64xf32>) {
  linalg.matmul_transpose_b ins(%a, %b : memref<32x16xf32>, memref<64x16xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// batch_matmul: one call per batch item, each pointer advanced by the item
// times the batch stride in bytes (A: 512 elements, 2048 bytes).
// CHECK: #[[ITEM:.+]] = affine_map<()[s0, s1] -> (s0 + s1 * 2048)>
// CHECK-LABEL: func.func @batched
// CHECK-SAME: (%[[A:.+]]: memref<4x32x16xf32>
// CHECK: %[[PA:.+]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK: %[[FOUR:.+]] = arith.constant 4 : index
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %[[FOUR]] step
// CHECK: affine.apply #[[ITEM]]()[%[[PA]], %[[I]]]
// CHECK: func.call @attnrt_sgemm
// CHECK-NOT: linalg.batch_matmul
func.func @batched(%a: memref<4x32x16xf32>, %b: memref<4x16x64xf32>, %c: memref<4x32x64xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<4x32x16xf32>, memref<4x16x64xf32>) outs(%c : memref<4x32x64xf32>)
  return
}

// -----

// A view with an offset: the offset (516 elements, 2064 bytes) is added to
// the aligned pointer; its row stride (64) becomes lda.
// CHECK: #[[OFFSET:.+]] = affine_map<()[s0] -> (s0 + 2064)>
// CHECK-LABEL: func.func @offset_view
// CHECK: %[[VIEW:.+]] = memref.subview
// CHECK: %[[P:.+]] = memref.extract_aligned_pointer_as_index %[[VIEW]]
// CHECK: %[[ADDR:.+]] = affine.apply #[[OFFSET]]()[%[[P]]]
// CHECK: %[[LD:.+]] = arith.constant 64 : i64
// CHECK: %[[I:.+]] = arith.index_cast %[[ADDR]]
// CHECK: %[[PTR:.+]] = llvm.inttoptr %[[I]]
// CHECK: call @attnrt_sgemm(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[PTR]], %[[LD]],
func.func @offset_view(%big: memref<64x64xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>) {
  %a = memref.subview %big[8, 4] [32, 16] [1, 1] : memref<64x64xf32> to memref<32x16xf32, strided<[64, 1], offset: 516>>
  linalg.matmul ins(%a, %b : memref<32x16xf32, strided<[64, 1], offset: 516>>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  return
}

// -----

// Not candidates: an innermost stride other than 1, f64, tensors.
// CHECK-NOT: @attnrt_sgemm
// CHECK-LABEL: func.func @not_candidates
// CHECK: linalg.matmul
// CHECK: linalg.matmul
// CHECK: linalg.matmul
// CHECK-NOT: call
func.func @not_candidates(%big: memref<64x64xf32>, %b: memref<16x64xf32>, %c: memref<32x64xf32>,
                          %a64: memref<32x16xf64>, %b64: memref<16x64xf64>, %c64: memref<32x64xf64>,
                          %at: tensor<32x16xf32>, %bt: tensor<16x64xf32>, %ct: tensor<32x64xf32>) -> tensor<32x64xf32> {
  %a = memref.subview %big[0, 0] [32, 16] [1, 2] : memref<64x64xf32> to memref<32x16xf32, strided<[64, 2]>>
  linalg.matmul ins(%a, %b : memref<32x16xf32, strided<[64, 2]>>, memref<16x64xf32>) outs(%c : memref<32x64xf32>)
  linalg.matmul ins(%a64, %b64 : memref<32x16xf64>, memref<16x64xf64>) outs(%c64 : memref<32x64xf64>)
  %r = linalg.matmul ins(%at, %bt : tensor<32x16xf32>, tensor<16x64xf32>) outs(%ct : tensor<32x64xf32>) -> tensor<32x64xf32>
  return %r : tensor<32x64xf32>
}

// RUN: attn-opt %s --split-input-file --attn-matmul-to-blas | FileCheck %s
// RUN: attn-opt %s --split-input-file --attn-matmul-to-blas="min-flops=0" | FileCheck %s --check-prefix=ALL

// attn-matmul-to-blas on the linalg.generic contractions that the frontend
// emits for products with leading axes ([B, S, K] @ [K, N], linear over
// [B, S, I], rank-4 @ rank-4), after bufferization (collapseContraction in
// passes/MatmulToBlas.cpp): when the views are contiguous, the leading axes
// collapse (memref.collapse_shape) into the rows of a linalg.matmul /
// matmul_transpose_b, or into the batch of a batch_matmul, which become
// sgemm calls. A zero fill of the output right before the product moves
// onto the view, so that it still becomes beta = 0.

// Rows [B, S, K] @ [K, N]: A and C collapse to [B * S, K] and [B * S, N];
// the zero fill folds into beta = 0 (one call, no fill left).
// CHECK-LABEL: func.func private @attnrt_sgemm(
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @rows
// CHECK-SAME: (%[[A:.+]]: memref<2x8x16xf32>, %[[B:.+]]: memref<16x32xf32>, %[[C:.+]]: memref<2x8x32xf32>)
// CHECK-NOT: linalg.fill
// CHECK: %[[AV:.+]] = memref.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : memref<2x8x16xf32> into memref<16x16xf32>
// CHECK-NEXT: %[[CV:.+]] = memref.collapse_shape %[[C]] {{\[\[}}0, 1], [2]] : memref<2x8x32xf32> into memref<16x32xf32>
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[PA:.+]] = memref.extract_aligned_pointer_as_index %[[AV]] : memref<16x16xf32>
// CHECK-DAG: %[[PB:.+]] = memref.extract_aligned_pointer_as_index %[[B]] : memref<16x32xf32>
// CHECK-DAG: %[[PC:.+]] = memref.extract_aligned_pointer_as_index %[[CV]] : memref<16x32xf32>
// CHECK-DAG: %[[NOTRANS:.+]] = arith.constant 0 : i32
// CHECK-DAG: %[[M:.+]] = arith.constant 16 : i64
// CHECK-DAG: %[[N:.+]] = arith.constant 32 : i64
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: call @attnrt_sgemm(%[[NOTRANS]], %[[NOTRANS]], %[[M]], %[[N]], %[[M]], %[[ONE]], %{{.+}}, %[[M]], %{{.+}}, %[[N]], %[[ZERO]], %{{.+}}, %[[N]])
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @rows(%a: memref<2x8x16xf32>, %b: memref<16x32xf32>, %c: memref<2x8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<2x8x32xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x8x16xf32>, memref<16x32xf32>) outs(%c : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// linear's form: B indexed (n, k) is matmul_transpose_b, trans_b = 1 and
// B's row stride is k. Without a fill, C accumulates: beta = 1.
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
#bt = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @rows_transpose_b
// CHECK-SAME: (%[[A:.+]]: memref<2x8x16xf32>, %[[B:.+]]: memref<32x16xf32>, %[[C:.+]]: memref<2x8x32xf32>)
// CHECK: memref.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : memref<2x8x16xf32> into memref<16x16xf32>
// CHECK: memref.collapse_shape %[[C]] {{\[\[}}0, 1], [2]] : memref<2x8x32xf32> into memref<16x32xf32>
// CHECK-DAG: %[[NOTRANS:.+]] = arith.constant 0 : i32
// CHECK-DAG: %[[TRANS:.+]] = arith.constant 1 : i32
// CHECK-DAG: %[[K:.+]] = arith.constant 16 : i64
// CHECK-DAG: %[[N:.+]] = arith.constant 32 : i64
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: call @attnrt_sgemm(%[[NOTRANS]], %[[TRANS]], %[[K]], %[[N]], %[[K]], %[[ONE]], %{{.+}}, %[[K]], %{{.+}}, %[[K]], %[[ONE]], %{{.+}}, %[[N]])
// CHECK-NOT: linalg.generic
func.func @rows_transpose_b(%a: memref<2x8x16xf32>, %b: memref<32x16xf32>, %c: memref<2x8x32xf32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x8x16xf32>, memref<32x16xf32>) outs(%c : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Run-time sizes [B, S] (as the frontend emits them): the collapsed views
// are [?, K] and [?, N]; the choice between the call and the fallback is
// made at run time, and the zero fill moves onto the view in the fallback.
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @rows_dynamic
// CHECK-SAME: (%[[A:.+]]: memref<?x?x16xf32>, %[[B:.+]]: memref<16x32xf32>, %[[C:.+]]: memref<?x?x32xf32>)
// CHECK: %[[AV:.+]] = memref.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : memref<?x?x16xf32> into memref<?x16xf32>
// CHECK-NEXT: %[[CV:.+]] = memref.collapse_shape %[[C]] {{\[\[}}0, 1], [2]] : memref<?x?x32xf32> into memref<?x32xf32>
// CHECK: %[[ROWS:.+]] = memref.dim %[[CV]], %{{.+}} : memref<?x32xf32>
// CHECK: scf.if
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: func.call @attnrt_sgemm({{.*}}, %[[ZERO]], %{{.+}}, %{{.+}})
// CHECK: } else {
// CHECK-NEXT: linalg.fill ins(%{{.+}} : f32) outs(%[[CV]] : memref<?x32xf32>)
// CHECK-NEXT: linalg.matmul {attn.blas_fallback} ins(%[[AV]], %[[B]] : memref<?x16xf32>, memref<16x32xf32>) outs(%[[CV]] : memref<?x32xf32>)
// CHECK-NEXT: }
// ALL-LABEL: func.func @rows_dynamic
// ALL-NOT: scf.if
// ALL-NOT: linalg.fill
// ALL: call @attnrt_sgemm
// ALL-NEXT: return
func.func @rows_dynamic(%a: memref<?x?x16xf32>, %b: memref<16x32xf32>, %c: memref<?x?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?x32xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x?x16xf32>, memref<16x32xf32>) outs(%c : memref<?x?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Below the flop threshold (2 * 4 * 2 * 2 = 32 < 512) the contraction
// still becomes a linalg.matmul on the views, with its zero fill moved onto
// the view of C; min-flops=0 sends it to BLAS.
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @rows_small
// CHECK-SAME: (%[[A:.+]]: memref<2x2x2xf32>, %[[B:.+]]: memref<2x2xf32>, %[[C:.+]]: memref<2x2x2xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[AV:.+]] = memref.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : memref<2x2x2xf32> into memref<4x2xf32>
// CHECK-NEXT: %[[CV:.+]] = memref.collapse_shape %[[C]] {{\[\[}}0, 1], [2]] : memref<2x2x2xf32> into memref<4x2xf32>
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[CV]] : memref<4x2xf32>)
// CHECK-NEXT: linalg.matmul ins(%[[AV]], %[[B]] : memref<4x2xf32>, memref<2x2xf32>) outs(%[[CV]] : memref<4x2xf32>)
// CHECK-NEXT: return
// ALL-LABEL: func.func @rows_small
// ALL-NOT: linalg.fill
// ALL: call @attnrt_sgemm
// ALL-NEXT: return
func.func @rows_small(%a: memref<2x2x2xf32>, %b: memref<2x2xf32>, %c: memref<2x2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<2x2x2xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x2x2xf32>, memref<2x2xf32>) outs(%c : memref<2x2x2xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A view of some columns of a wider buffer still collapses along the leading
// axes (row stride 32, batch stride 8 * 32): B * S rows, lda 32.
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @rows_of_a_view
// CHECK: %[[V:.+]] = memref.subview
// CHECK: %[[AV:.+]] = memref.collapse_shape %[[V]] {{\[\[}}0, 1], [2]] : memref<2x8x16xf32, strided<[256, 32, 1], offset: 8>> into memref<16x16xf32, strided<[32, 1], offset: 8>>
// CHECK-DAG: %[[LDA:.+]] = arith.constant 32 : i64
// CHECK-DAG: %[[K:.+]] = arith.constant 16 : i64
// CHECK: call @attnrt_sgemm(%{{.+}}, %{{.+}}, %[[K]], %{{.+}}, %[[K]], %{{.+}}, %{{.+}}, %[[LDA]],
func.func @rows_of_a_view(%big: memref<2x8x32xf32>, %b: memref<16x32xf32>, %c: memref<2x8x32xf32>) {
  %a = memref.subview %big[0, 0, 8] [2, 8, 16] [1, 1, 1] : memref<2x8x32xf32> to memref<2x8x16xf32, strided<[256, 32, 1], offset: 8>>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x8x16xf32, strided<[256, 32, 1], offset: 8>>, memref<16x32xf32>) outs(%c : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Rank 4 @ rank 4 over the same batch axes [2, 4]: one batch of 8
// (batch_matmul on 3-D views), a loop of sgemm calls, each pointer advanced
// by the item times the batch stride in bytes (A and B: 128 elements, 512
// bytes; C: 64 elements, 256 bytes).
// CHECK-LABEL: func.func @batched_rank4
// CHECK-SAME: (%[[A:.+]]: memref<2x4x8x16xf32>, %[[B:.+]]: memref<2x4x16x8xf32>, %[[C:.+]]: memref<2x4x8x8xf32>)
// CHECK: %[[AV:.+]] = memref.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : memref<2x4x8x16xf32> into memref<8x8x16xf32>
// CHECK-NEXT: %[[BV:.+]] = memref.collapse_shape %[[B]] {{\[\[}}0, 1], [2], [3]] : memref<2x4x16x8xf32> into memref<8x16x8xf32>
// CHECK-NEXT: %[[CV:.+]] = memref.collapse_shape %[[C]] {{\[\[}}0, 1], [2], [3]] : memref<2x4x8x8xf32> into memref<8x8x8xf32>
// CHECK: %[[PA:.+]] = memref.extract_aligned_pointer_as_index %[[AV]]
// CHECK: %[[PC:.+]] = memref.extract_aligned_pointer_as_index %[[CV]]
// CHECK: %[[EIGHT:.+]] = arith.constant 8 : index
// CHECK: scf.for %[[I:.+]] = %{{.+}} to %[[EIGHT]] step
// CHECK: affine.apply #{{.+}}()[%[[PA]], %[[I]]]
// CHECK: affine.apply #{{.+}}()[%[[PC]], %[[I]]]
// CHECK: func.call @attnrt_sgemm
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.batch_matmul
// ALL-LABEL: func.func @batched_rank4
// ALL: func.call @attnrt_sgemm
#a4 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#b4 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#c4 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @batched_rank4(%a: memref<2x4x8x16xf32>, %b: memref<2x4x16x8xf32>, %c: memref<2x4x8x8xf32>) {
  linalg.generic {indexing_maps = [#a4, #b4, #c4], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x4x8x16xf32>, memref<2x4x16x8xf32>) outs(%c : memref<2x4x8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not rewritten, even with min-flops=0:
// - a view whose rows cannot collapse (rows 1 to 8 of a [2, 10, 16] buffer:
//   the batch stride 160 is not 8 * 16);
// - a generic that is not a contraction (max instead of add);
// - a contraction whose maps are in another order (A read [B, K, S]).
// CHECK-NOT: @attnrt_sgemm
#a = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#b = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
#c = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @not_collapsible
// CHECK-NOT: memref.collapse_shape
// CHECK: linalg.generic
// CHECK-NOT: call
// CHECK-LABEL: func.func @not_a_contraction
// CHECK-NOT: memref.collapse_shape
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK-NOT: call
// CHECK-LABEL: func.func @transposed_a
// CHECK-NOT: memref.collapse_shape
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : memref<2x16x8xf32>, memref<16x32xf32>)
// CHECK-NOT: call
// ALL-NOT: @attnrt_sgemm
// ALL-LABEL: func.func @not_collapsible
// ALL-NOT: call
// ALL-LABEL: func.func @not_a_contraction
// ALL-NOT: call
// ALL-LABEL: func.func @transposed_a
// ALL-NOT: call
func.func @not_collapsible(%big: memref<2x10x16xf32>, %b: memref<16x32xf32>, %c: memref<2x8x32xf32>) {
  %a = memref.subview %big[0, 1, 0] [2, 8, 16] [1, 1, 1] : memref<2x10x16xf32> to memref<2x8x16xf32, strided<[160, 16, 1], offset: 16>>
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x8x16xf32, strided<[160, 16, 1], offset: 16>>, memref<16x32xf32>) outs(%c : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

func.func @not_a_contraction(%a: memref<2x8x16xf32>, %b: memref<16x32xf32>, %c: memref<2x8x32xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x8x16xf32>, memref<16x32xf32>) outs(%c : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

#at = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
func.func @transposed_a(%a: memref<2x16x8xf32>, %b: memref<16x32xf32>, %c: memref<2x8x32xf32>) {
  linalg.generic {indexing_maps = [#at, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x16x8xf32>, memref<16x32xf32>) outs(%c : memref<2x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

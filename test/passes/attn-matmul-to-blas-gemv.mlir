// RUN: attn-opt %s --split-input-file --attn-matmul-to-blas | FileCheck %s
// RUN: attn-opt %s --split-input-file --attn-matmul-to-blas="min-flops=0" | FileCheck %s --check-prefix=ALL

// Matrix-vector products become calls of attnrt_sgemv (row major,
// y = alpha op(A) x + beta y): matvec y = A x with trans = 0, vecmat
// y = A^T x with trans = 1; rows and columns are A's as stored.

// A static 384x144 matvec (110592 flops, a GRU cell's input gates) is one
// call; linalg accumulates into y (here the bias), so beta is 1. Only
// attnrt_sgemv is declared.
// CHECK-NOT: @attnrt_sgemm
// CHECK-LABEL: func.func private @attnrt_sgemv(i32, i64, i64, f32, !llvm.ptr, i64, !llvm.ptr, i64, f32, !llvm.ptr, i64)
// CHECK-LABEL: func.func @matvec
// CHECK-SAME: (%[[A:.+]]: memref<384x144xf32>, %[[X:.+]]: memref<144xf32>, %[[Y:.+]]: memref<384xf32>)
// CHECK-DAG: %[[PA:.+]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK-DAG: %[[PX:.+]] = memref.extract_aligned_pointer_as_index %[[X]]
// CHECK-DAG: %[[PY:.+]] = memref.extract_aligned_pointer_as_index %[[Y]]
// CHECK-DAG: %[[NOTRANS:.+]] = arith.constant 0 : i32
// CHECK-DAG: %[[ROWS:.+]] = arith.constant 384 : i64
// CHECK-DAG: %[[COLS:.+]] = arith.constant 144 : i64
// CHECK-DAG: %[[INC:.+]] = arith.constant 1 : i64
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[IA:.+]] = arith.index_cast %[[PA]] : index to i64
// CHECK: %[[PTRA:.+]] = llvm.inttoptr %[[IA]] : i64 to !llvm.ptr
// CHECK: %[[IX:.+]] = arith.index_cast %[[PX]] : index to i64
// CHECK: %[[PTRX:.+]] = llvm.inttoptr %[[IX]]
// CHECK: %[[IY:.+]] = arith.index_cast %[[PY]] : index to i64
// CHECK: %[[PTRY:.+]] = llvm.inttoptr %[[IY]]
// CHECK: call @attnrt_sgemv(%[[NOTRANS]], %[[ROWS]], %[[COLS]], %[[ONE]], %[[PTRA]], %[[COLS]], %[[PTRX]], %[[INC]], %[[ONE]], %[[PTRY]], %[[INC]])
// CHECK-NOT: linalg.matvec
// CHECK-NOT: func.func private @attnrt_sgemv
func.func @matvec(%a: memref<384x144xf32>, %x: memref<144xf32>, %y: memref<384xf32>) {
  linalg.matvec ins(%a, %x : memref<384x144xf32>, memref<144xf32>) outs(%y : memref<384xf32>)
  return
}

// The declaration is shared: a second product calls the same function.
// CHECK-LABEL: func.func @second_matvec
// CHECK: call @attnrt_sgemv
func.func @second_matvec(%a: memref<384x144xf32>, %x: memref<144xf32>, %y: memref<384xf32>) {
  linalg.matvec ins(%a, %x : memref<384x144xf32>, memref<144xf32>) outs(%y : memref<384xf32>)
  return
}

// -----

// vecmat y[N] = x[M] A[M, N]: trans = 1, rows M = 64, columns N = 128,
// lda = 128. A zero fill right before folds into beta = 0.
// CHECK-LABEL: func.func @vecmat_zero_fill
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[TRANS:.+]] = arith.constant 1 : i32
// CHECK-DAG: %[[ROWS:.+]] = arith.constant 64 : i64
// CHECK-DAG: %[[COLS:.+]] = arith.constant 128 : i64
// CHECK-DAG: %[[INC:.+]] = arith.constant 1 : i64
// CHECK: %[[ALPHA:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[BETA:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: call @attnrt_sgemv(%[[TRANS]], %[[ROWS]], %[[COLS]], %[[ALPHA]], %{{.+}}, %[[COLS]], %{{.+}}, %[[INC]], %[[BETA]], %{{.+}}, %[[INC]])
// CHECK-NOT: linalg.vecmat
func.func @vecmat_zero_fill(%x: memref<64xf32>, %a: memref<64x128xf32>, %y: memref<128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<128xf32>)
  linalg.vecmat ins(%x, %a : memref<64xf32>, memref<64x128xf32>) outs(%y : memref<128xf32>)
  return
}

// -----

// A 4x4 matvec (32 flops) stays below the default threshold (512) and
// becomes loops; min-flops=0 sends it to BLAS too.
// CHECK-NOT: @attnrt_sgemv
// CHECK-LABEL: func.func @small
// CHECK: linalg.matvec
// CHECK-NOT: call
// ALL-LABEL: func.func @small
// ALL: call @attnrt_sgemv
// ALL-NEXT: return
func.func @small(%a: memref<4x4xf32>, %x: memref<4xf32>, %y: memref<4xf32>) {
  linalg.matvec ins(%a, %x : memref<4x4xf32>, memref<4xf32>) outs(%y : memref<4xf32>)
  return
}

// -----

// Strided vectors with static strides are BLAS increments: x is a column
// of a [144, 3] matrix (stride 3, offset 1: 4 bytes past the start), y
// every other element (stride 2).
// CHECK: #[[PLUS4:.+]] = affine_map<()[s0] -> (s0 + 4)>
// CHECK-LABEL: func.func @strided_vectors
// CHECK-SAME: (%[[A:.+]]: memref<384x144xf32>, %[[X:.+]]: memref<144xf32, strided<[3], offset: 1>>, %[[Y:.+]]: memref<384xf32, strided<[2]>>)
// CHECK-DAG: %[[PX:.+]] = memref.extract_aligned_pointer_as_index %[[X]]
// CHECK-DAG: %[[ADDRX:.+]] = affine.apply #[[PLUS4]]()[%[[PX]]]
// CHECK-DAG: %[[INCX:.+]] = arith.constant 3 : i64
// CHECK-DAG: %[[INCY:.+]] = arith.constant 2 : i64
// CHECK: %[[IX:.+]] = arith.index_cast %[[ADDRX]] : index to i64
// CHECK: %[[PTRX:.+]] = llvm.inttoptr %[[IX]]
// CHECK: call @attnrt_sgemv(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[PTRX]], %[[INCX]], %{{.+}}, %{{.+}}, %[[INCY]])
// ALL-LABEL: func.func @strided_vectors
// ALL: call @attnrt_sgemv
func.func @strided_vectors(%a: memref<384x144xf32>, %x: memref<144xf32, strided<[3], offset: 1>>, %y: memref<384xf32, strided<[2]>>) {
  linalg.matvec ins(%a, %x : memref<384x144xf32>, memref<144xf32, strided<[3], offset: 1>>) outs(%y : memref<384xf32, strided<[2]>>)
  return
}

// -----

// Refused, also with min-flops=0 (they stay ops and become loops): a vector
// whose stride is only known at run time (BLAS increments must be >= 1; a
// memref stride may be 0 or negative), and a matrix whose rows are not
// contiguous (a transposed view).
// CHECK-NOT: @attnrt_sgemv
// CHECK-LABEL: func.func @dynamic_vector_stride
// CHECK: linalg.matvec
// CHECK-LABEL: func.func @dynamic_output_stride
// CHECK: linalg.vecmat
// CHECK-LABEL: func.func @column_major_matrix
// CHECK: linalg.matvec
// ALL-NOT: @attnrt_sgemv
// ALL-LABEL: func.func @dynamic_vector_stride
// ALL: linalg.matvec
// ALL-LABEL: func.func @dynamic_output_stride
// ALL: linalg.vecmat
// ALL-LABEL: func.func @column_major_matrix
// ALL: linalg.matvec
func.func @dynamic_vector_stride(%a: memref<384x144xf32>, %x: memref<144xf32, strided<[?], offset: ?>>, %y: memref<384xf32>) {
  linalg.matvec ins(%a, %x : memref<384x144xf32>, memref<144xf32, strided<[?], offset: ?>>) outs(%y : memref<384xf32>)
  return
}
func.func @dynamic_output_stride(%x: memref<64xf32>, %a: memref<64x128xf32>, %y: memref<128xf32, strided<[?]>>) {
  linalg.vecmat ins(%x, %a : memref<64xf32>, memref<64x128xf32>) outs(%y : memref<128xf32, strided<[?]>>)
  return
}
func.func @column_major_matrix(%a: memref<384x144xf32, strided<[1, 384]>>, %x: memref<144xf32>, %y: memref<384xf32>) {
  linalg.matvec ins(%a, %x : memref<384x144xf32, strided<[1, 384]>>, memref<144xf32>) outs(%y : memref<384xf32>)
  return
}

// -----

// Other element types and tensors are left alone.
// CHECK-NOT: @attnrt_sgemv
// CHECK-LABEL: func.func @f64
// CHECK: linalg.matvec
// CHECK-LABEL: func.func @on_tensors
// CHECK: linalg.matvec
// ALL-NOT: @attnrt_sgemv
// ALL-LABEL: func.func @f64
// ALL: linalg.matvec
// ALL-LABEL: func.func @on_tensors
// ALL: linalg.matvec
// ALL-NOT: call
func.func @f64(%a: memref<384x144xf64>, %x: memref<144xf64>, %y: memref<384xf64>) {
  linalg.matvec ins(%a, %x : memref<384x144xf64>, memref<144xf64>) outs(%y : memref<384xf64>)
  return
}
func.func @on_tensors(%a: tensor<384x144xf32>, %x: tensor<144xf32>, %y: tensor<384xf32>) -> tensor<384xf32> {
  %r = linalg.matvec ins(%a, %x : tensor<384x144xf32>, tensor<144xf32>) outs(%y : tensor<384xf32>) -> tensor<384xf32>
  return %r : tensor<384xf32>
}

// -----

// Dynamic sizes: 2 * rows * cols >= min-flops chooses at run time between
// the call and the original op (marked so that it is not rewritten again);
// the zero fill moves into the fallback. A's row stride is read from its
// metadata (a row of a wider matrix): lda = max(stride, cols, 1).
// CHECK: #[[FLOPSMAP:.+]] = affine_map<()[s0, s1] -> ((s0 * s1) * 2)>
// CHECK: #[[ADDR:.+]] = affine_map<()[s0, s1] -> (s0 + s1 * 4)>
// CHECK: #[[LD:.+]] = affine_map<()[s0, s1] -> (s0, s1, 1)>
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[A:.+]]: memref<?x?xf32, strided<[?, 1], offset: ?>>, %[[X:.+]]: memref<?xf32>, %[[Y:.+]]: memref<?xf32>)
// CHECK: %[[ROWS:.+]] = memref.dim %[[A]], %{{.+}}
// CHECK: %[[COLS:.+]] = memref.dim %[[A]], %{{.+}}
// CHECK: %[[FLOPS:.+]] = affine.apply #[[FLOPSMAP]]()[%[[ROWS]], %[[COLS]]]
// CHECK: %[[MIN:.+]] = arith.constant 512 : index
// CHECK: %[[BIG:.+]] = arith.cmpi sge, %[[FLOPS]], %[[MIN]]
// CHECK: scf.if %[[BIG]] {
// CHECK: %{{.+}}, %[[OFFSET:.+]], %{{.+}}:2, %[[SA:.+]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK: affine.apply #[[ADDR]]()[%{{.+}}, %[[OFFSET]]]
// CHECK: %[[LDA:.+]] = affine.max #[[LD]]()[%[[SA]]#0,
// CHECK: %[[LDA64:.+]] = arith.index_cast %[[LDA]] : index to i64
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: func.call @attnrt_sgemv(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[LDA64]], %{{.+}}, %{{.+}}, %[[ZERO]], %{{.+}}, %{{.+}})
// CHECK: } else {
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: linalg.matvec {attn.blas_fallback} ins(%[[A]], %[[X]] : memref<?x?xf32, strided<[?, 1], offset: ?>>, memref<?xf32>) outs(%[[Y]] : memref<?xf32>)
// CHECK-NEXT: }
// With min-flops=0 there is nothing to choose: always the call.
// ALL-LABEL: func.func @dynamic
// ALL-NOT: scf.if
// ALL-NOT: linalg.fill
// ALL: call @attnrt_sgemv
// ALL-NEXT: return
func.func @dynamic(%a: memref<?x?xf32, strided<[?, 1], offset: ?>>, %x: memref<?xf32>, %y: memref<?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?xf32>)
  linalg.matvec ins(%a, %x : memref<?x?xf32, strided<[?, 1], offset: ?>>, memref<?xf32>) outs(%y : memref<?xf32>)
  return
}

// -----

// A recurrent layer's W_hh h inside its loop over the sequence is rewritten
// in place; a module with matmuls and matvecs declares both functions.
// CHECK-DAG: func.func private @attnrt_sgemm(
// CHECK-DAG: func.func private @attnrt_sgemv(
// CHECK-LABEL: func.func @in_loop
// CHECK: call @attnrt_sgemm
// CHECK: scf.for
// CHECK: call @attnrt_sgemv
// CHECK-NOT: linalg.matvec
func.func @in_loop(%x: memref<16x32xf32>, %wih: memref<192x32xf32>, %whh: memref<192x64xf32>, %gx: memref<16x192xf32>, %gh: memref<192xf32>, %h: memref<64xf32>) {
  linalg.matmul_transpose_b ins(%x, %wih : memref<16x32xf32>, memref<192x32xf32>) outs(%gx : memref<16x192xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %t = %c0 to %c16 step %c1 {
    linalg.matvec ins(%whh, %h : memref<192x64xf32>, memref<64xf32>) outs(%gh : memref<192xf32>)
  }
  return
}

// The attnc-lower pipeline on an entry in the frontend's form, at each stage.
// RUN: attn-opt %s --attnc-lower="stop=attn" | FileCheck %s --check-prefix=ATTN
// RUN: attn-opt %s --attnc-lower="stop=linalg" | FileCheck %s --check-prefix=LINALG
// RUN: attn-opt %s --attnc-lower="stop=linalg opt-level=0" | FileCheck %s --check-prefix=LINALG0
// RUN: attn-opt %s --attnc-lower="stop=linalg unfused-attention=1" | FileCheck %s --check-prefix=LINALG0
// RUN: attn-opt %s --attnc-lower="stop=bufferized" | FileCheck %s --check-prefix=BUF
// RUN: attn-opt %s --attnc-lower="stop=bufferized" | FileCheck %s --check-prefix=NOCOPY
// RUN: attn-opt %s --attnc-lower="stop=bufferized" | FileCheck %s --check-prefix=STEP
// RUN: attn-opt %s --attnc-lower="c-interface=0" | FileCheck %s --check-prefix=LLVM
// RUN: attn-opt %s --attnc-lower="opt-level=0 c-interface=0" | FileCheck %s --check-prefix=O0
// RUN: attn-opt %s --attnc-lower="stop=bufferized blas-min-flops=0" | FileCheck %s --check-prefix=ALLBLAS

// attn: the input as it is; the attn ops are still there.
// ATTN-LABEL: func.func @forward
// ATTN: linalg.matmul
// ATTN: attn.attention scaled_dot
// ATTN: bufferization.materialize_in_destination

// linalg: no attn op left, the products are named ops; attention is tiled
// (attn-tile) from -O1 on, and the unfused chain at -O0 or with
// unfused-attention (attnc --unfused-attention) at any level.
// LINALG-LABEL: func.func @forward
// LINALG-NOT: attn.attention
// LINALG: linalg.matmul
// LINALG: scf.forall
// LINALG: scf.for
// LINALG: linalg.matmul_transpose_b
// LINALG: linalg.matmul
// LINALG-NOT: attn.attention
// LINALG0-LABEL: func.func @forward
// LINALG0-NOT: attn.
// LINALG0: linalg.matmul
// LINALG0: linalg.batch_matmul_transpose_b
// LINALG0: linalg.batch_matmul
// LINALG0-NOT: attn.

// bufferized: memrefs with identity layouts, no result (the output is the
// third argument, viewed as [1, N, heads, 16] and written in place by the
// tiled loops), BLAS calls for the products (at run time for the dynamic
// ones), deallocations of the temporaries, and no copy of an output.
// BUF: func.func private @attnrt_sgemm(i32, i32, i64, i64, i64, f32, !llvm.ptr, i64, !llvm.ptr, i64, f32, !llvm.ptr, i64)
// BUF-LABEL: func.func @forward
// BUF-SAME: (%[[W:.+]]: memref<32x32xf32>, %[[X:.+]]: memref<?x32xf32>, %[[Y:.+]]: memref<?x32xf32>)
// BUF-SAME: attributes {llvm.emit_c_interface} {
// BUF: memref.expand_shape %[[Y]] {{\[\[}}0, 1], [2, 3]] output_shape [1, %{{.+}}, 2, 16]
// BUF: scf.if
// BUF: func.call @attnrt_sgemm
// BUF: scf.for
// BUF: memref.dealloc
// BUF: return{{$}}
// NOCOPY-NOT: linalg.copy

// Every product through BLAS, even the small ones.
// ALLBLAS-LABEL: func.func @forward
// ALLBLAS-NOT: linalg.matmul
// ALLBLAS-NOT: linalg.batch_matmul
// ALLBLAS: return

// llvm: only the LLVM dialect, with the C interface wrapper and the runtime
// callee; exp is a polynomial (no intrinsic, no libm).
// LLVM-NOT: func.func
// LLVM-DAG: llvm.func @attnrt_sgemm(i32, i32, i64, i64, i64, f32, !llvm.ptr, i64, !llvm.ptr, i64, f32, !llvm.ptr, i64)
// LLVM-DAG: llvm.func @forward(
// LLVM-DAG: llvm.func @_mlir_ciface_forward(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr) attributes {llvm.emit_c_interface}
// LLVM-NOT: math.
// LLVM-NOT: llvm.intr.exp
// LLVM-NOT: memref.
// LLVM-NOT: scf.
// LLVM-NOT: linalg.

// -O0 keeps exp as the LLVM intrinsic (exact, through libm).
// O0: llvm.intr.exp

// A decoder step (single query, computed as a block of one): its output is
// written in place too, through a reshaped view of the argument.
// STEP-LABEL: func.func @step
// STEP-SAME: %[[OUT:[a-z0-9]+]]: memref<12xf32>) attributes
// STEP: memref.expand_shape %[[OUT]]
// STEP: return{{$}}
func.func @step(%w: tensor<16x12xf32> {bufferization.writable = false},
                %s: tensor<16xf32> {bufferization.writable = false},
                %keys: tensor<?x12xf32> {bufferization.writable = false},
                %c_out: tensor<12xf32> {bufferization.writable = true})
    -> tensor<12xf32> attributes {llvm.emit_c_interface} {
  %c = attn.attention general %s, %keys, %keys W(%w) : (tensor<16xf32>, tensor<?x12xf32>, tensor<?x12xf32>, tensor<16x12xf32>) -> tensor<12xf32>
  %r = bufferization.materialize_in_destination %c in %c_out : (tensor<12xf32>, tensor<12xf32>) -> tensor<12xf32>
  return %r : tensor<12xf32>
}

func.func @forward(%wq: tensor<32x32xf32> {bufferization.writable = false},
                   %x: tensor<?x32xf32> {bufferization.writable = false},
                   %y_out: tensor<?x32xf32> {bufferization.writable = true})
    -> tensor<?x32xf32> attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %q = linalg.matmul ins(%x, %wq : tensor<?x32xf32>, tensor<32x32xf32>) outs(%f : tensor<?x32xf32>) -> tensor<?x32xf32>
  %o = attn.attention scaled_dot %q, %x, %x heads(2) mask<causal> : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  %r = bufferization.materialize_in_destination %o in %y_out : (tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

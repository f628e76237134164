// End to end, without the frontend: causal multi-head self-attention with
// projections and a batched cross-attention with padding, both in the
// frontend's entry form, lowered by the attnc-lower pipeline, compiled by
// attn-llc (AttnCodegen), linked with a C harness that compares against
// plain C loops (Inputs/self-attention.c).
//
// Default BLAS threshold: the projections go to attnrt_sgemm, the per-head
// products (dynamic sizes) choose at run time.
// RUN: attn-opt %s --attnc-lower="c-interface=0" -o %t.default.mlir
// RUN: %attn-llc %t.default.mlir -o %t.default.o
// RUN: %host-cc %S/Inputs/self-attention.c %t.default.o -lm -o %t.default.exe
// RUN: %t.default.exe | FileCheck %s --check-prefixes=CHECK,BLAS
//
// Every product through attnrt_sgemm.
// RUN: attn-opt %s --attnc-lower="blas-min-flops=0 c-interface=0" -o %t.blas.mlir
// RUN: %attn-llc %t.blas.mlir -O3 -o %t.blas.o
// RUN: %host-cc %S/Inputs/self-attention.c %t.blas.o -lm -o %t.blas.exe
// RUN: %t.blas.exe | FileCheck %s --check-prefixes=CHECK,BLAS
//
// No BLAS at all, at -O0 (libm instead of the polynomial approximations),
// through mlir-translate and clang instead of attn-llc.
// RUN: attn-opt %s --attnc-lower="blas-min-flops=9223372036854775807 opt-level=0 c-interface=0" -o %t.loops.mlir
// RUN: mlir-translate-19 --mlir-to-llvmir %t.loops.mlir -o %t.loops.ll
// RUN: %host-cc -c -Wno-override-module %t.loops.ll -o %t.loops.o
// RUN: %host-cc %S/Inputs/self-attention.c %t.loops.o -lm -o %t.loops.exe
// RUN: %t.loops.exe | FileCheck %s --check-prefixes=CHECK,LOOPS

// CHECK: ok forward.y
// CHECK: ok forward.weights
// CHECK: ok attend.out
// CHECK: ok attend.weights
// BLAS: sgemm calls: {{[1-9][0-9]*$}}
// LOOPS: sgemm calls: 0{{$}}
// CHECK: PASS

// y = MHA(x Wq, x Wk, x Wv; 4 heads, causal) Wo, and the per-head weights.
func.func @forward(%wq: tensor<32x32xf32> {bufferization.writable = false},
                   %wk: tensor<32x32xf32> {bufferization.writable = false},
                   %wv: tensor<32x32xf32> {bufferization.writable = false},
                   %wo: tensor<32x32xf32> {bufferization.writable = false},
                   %x: tensor<?x32xf32> {bufferization.writable = false},
                   %y_out: tensor<?x32xf32> {bufferization.writable = true},
                   %w_out: tensor<4x?x?xf32> {bufferization.writable = true})
    -> (tensor<?x32xf32>, tensor<4x?x?xf32>) attributes {llvm.emit_c_interface} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32xf32>
  %empty = tensor.empty(%n) : tensor<?x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x32xf32>) -> tensor<?x32xf32>
  %q = linalg.matmul ins(%x, %wq : tensor<?x32xf32>, tensor<32x32xf32>) outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  %k = linalg.matmul ins(%x, %wk : tensor<?x32xf32>, tensor<32x32xf32>) outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  %v = linalg.matmul ins(%x, %wv : tensor<?x32xf32>, tensor<32x32xf32>) outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  %o, %w = attn.attention scaled_dot %q, %k, %v heads(4) mask<causal>
      : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<4x?x?xf32>)
  %y = linalg.matmul ins(%o, %wo : tensor<?x32xf32>, tensor<32x32xf32>) outs(%init : tensor<?x32xf32>) -> tensor<?x32xf32>
  %r0 = bufferization.materialize_in_destination %y in %y_out : (tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  %r1 = bufferization.materialize_in_destination %w in %w_out : (tensor<4x?x?xf32>, tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  return %r0, %r1 : tensor<?x32xf32>, tensor<4x?x?xf32>
}

// Batched cross-attention (Nq != Nk, dv != dk) with one length per sequence
// and an explicit scale; returns the output and the weights.
func.func @attend(%q: tensor<2x?x16xf32> {bufferization.writable = false},
                  %k: tensor<2x?x16xf32> {bufferization.writable = false},
                  %v: tensor<2x?x8xf32> {bufferization.writable = false},
                  %len: tensor<2xi32> {bufferization.writable = false},
                  %o_out: tensor<2x?x8xf32> {bufferization.writable = true},
                  %w_out: tensor<2x?x?xf32> {bufferization.writable = true})
    -> (tensor<2x?x8xf32>, tensor<2x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %w = attn.attention scaled_dot %q, %k, %v scale(0.5) mask<padding> lengths(%len)
      : (tensor<2x?x16xf32>, tensor<2x?x16xf32>, tensor<2x?x8xf32>, tensor<2xi32>) -> (tensor<2x?x8xf32>, tensor<2x?x?xf32>)
  %r0 = bufferization.materialize_in_destination %o in %o_out : (tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
  %r1 = bufferization.materialize_in_destination %w in %w_out : (tensor<2x?x?xf32>, tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  return %r0, %r1 : tensor<2x?x8xf32>, tensor<2x?x?xf32>
}

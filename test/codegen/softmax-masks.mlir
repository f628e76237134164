// End to end: attn.softmax with every mask (padding with a fully masked row,
// per-query lengths, causal, window, local-p with positions and the Gaussian,
// rows of -inf scores) and attn.attention with two heads under padding and
// windowed local-p masks; compared with plain C loops
// (Inputs/softmax-masks.c). Weights must be 0, never NaN, where no key is
// kept.
// RUN: attn-opt %s --attnc-lower="c-interface=0" -o %t.mlir
// RUN: %attn-llc %t.mlir -o %t.o
// RUN: %host-cc %S/Inputs/softmax-masks.c %t.o -lm -o %t.exe
// RUN: %t.exe | FileCheck %s
//
// The same at -O0 (libm exp instead of the polynomial approximation).
// RUN: attn-opt %s --attnc-lower="opt-level=0 c-interface=0" -o %t.O0.mlir
// RUN: %attn-llc %t.O0.mlir -O0 -o %t.O0.o
// RUN: %host-cc %S/Inputs/softmax-masks.c %t.O0.o -lm -o %t.O0.exe
// RUN: %t.O0.exe | FileCheck %s

// CHECK: ok padding
// CHECK: ok causal_padding
// CHECK: ok window
// CHECK: ok local_p
// CHECK: ok all_neg_inf
// CHECK: ok local_m_gaussian
// CHECK: ok heads.out
// CHECK: ok heads.weights
// CHECK: PASS

// One length per sequence; a length of 0 masks a whole sequence.
func.func @padding(%e: tensor<3x?x?xf32> {bufferization.writable = false},
                   %len: tensor<3xi32> {bufferization.writable = false},
                   %out: tensor<3x?x?xf32> {bufferization.writable = true})
    -> tensor<3x?x?xf32> attributes {llvm.emit_c_interface} {
  %a = attn.softmax %e mask<padding> lengths(%len) : (tensor<3x?x?xf32>, tensor<3xi32>) -> tensor<3x?x?xf32>
  %r = bufferization.materialize_in_destination %a in %out : (tensor<3x?x?xf32>, tensor<3x?x?xf32>) -> tensor<3x?x?xf32>
  return %r : tensor<3x?x?xf32>
}

// Causal and one i64 length per query.
func.func @causal_padding(%e: tensor<2x?x?xf32> {bufferization.writable = false},
                          %len: tensor<2x?xi64> {bufferization.writable = false},
                          %out: tensor<2x?x?xf32> {bufferization.writable = true})
    -> tensor<2x?x?xf32> attributes {llvm.emit_c_interface} {
  %a = attn.softmax %e mask<causal|padding> lengths(%len) : (tensor<2x?x?xf32>, tensor<2x?xi64>) -> tensor<2x?x?xf32>
  %r = bufferization.materialize_in_destination %a in %out : (tensor<2x?x?xf32>, tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  return %r : tensor<2x?x?xf32>
}

// Local-m: |j - i| <= 2.
func.func @window(%e: tensor<?x?xf32> {bufferization.writable = false},
                  %out: tensor<?x?xf32> {bufferization.writable = true})
    -> tensor<?x?xf32> attributes {llvm.emit_c_interface} {
  %a = attn.softmax %e mask<window> window(2) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = bufferization.materialize_in_destination %a in %out : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Local-p on one decoder step per sequence: window around a predicted
// position, padding, and the Gaussian weighting.
func.func @local_p(%e: tensor<3x?xf32> {bufferization.writable = false},
                   %pos: tensor<3xf32> {bufferization.writable = false},
                   %len: tensor<3xi32> {bufferization.writable = false},
                   %out: tensor<3x?xf32> {bufferization.writable = true})
    -> tensor<3x?xf32> attributes {llvm.emit_c_interface} {
  %a = attn.softmax %e mask<padding|window> window(2) lengths(%len) positions(%pos) gaussian
      : (tensor<3x?xf32>, tensor<3xi32>, tensor<3xf32>) -> tensor<3x?xf32>
  %r = bufferization.materialize_in_destination %a in %out : (tensor<3x?xf32>, tensor<3x?xf32>) -> tensor<3x?xf32>
  return %r : tensor<3x?xf32>
}

// No mask, but rows whose scores are all -inf (and one with a single -inf).
func.func @all_neg_inf(%e: tensor<?x?xf32> {bufferization.writable = false},
                       %out: tensor<?x?xf32> {bufferization.writable = true})
    -> tensor<?x?xf32> attributes {llvm.emit_c_interface} {
  %a = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = bufferization.materialize_in_destination %a in %out : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Sliding causal window with the Gaussian around the query index.
func.func @local_m_gaussian(%e: tensor<?x?xf32> {bufferization.writable = false},
                            %out: tensor<?x?xf32> {bufferization.writable = true})
    -> tensor<?x?xf32> attributes {llvm.emit_c_interface} {
  %a = attn.softmax %e mask<causal|window> window(3) gaussian : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = bufferization.materialize_in_destination %a in %out : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Two heads: lengths [B] and positions [B, Nq] skip the heads dim of the
// weights [B, heads, Nq, Nk].
func.func @heads(%q: tensor<2x?x8xf32> {bufferization.writable = false},
                 %k: tensor<2x?x8xf32> {bufferization.writable = false},
                 %v: tensor<2x?x6xf32> {bufferization.writable = false},
                 %len: tensor<2xi32> {bufferization.writable = false},
                 %pos: tensor<2x?xf32> {bufferization.writable = false},
                 %o_out: tensor<2x?x6xf32> {bufferization.writable = true},
                 %w_out: tensor<2x2x?x?xf32> {bufferization.writable = true})
    -> (tensor<2x?x6xf32>, tensor<2x2x?x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %w = attn.attention dot %q, %k, %v heads(2) mask<padding|window> window(1) lengths(%len) positions(%pos) gaussian
      : (tensor<2x?x8xf32>, tensor<2x?x8xf32>, tensor<2x?x6xf32>, tensor<2xi32>, tensor<2x?xf32>) -> (tensor<2x?x6xf32>, tensor<2x2x?x?xf32>)
  %r0 = bufferization.materialize_in_destination %o in %o_out : (tensor<2x?x6xf32>, tensor<2x?x6xf32>) -> tensor<2x?x6xf32>
  %r1 = bufferization.materialize_in_destination %w in %w_out : (tensor<2x2x?x?xf32>, tensor<2x2x?x?xf32>) -> tensor<2x2x?x?xf32>
  return %r0, %r1 : tensor<2x?x6xf32>, tensor<2x2x?x?xf32>
}

// End to end: the score kinds the other tests do not cover (general,
// additive, cosine, location, scaled_dot with a run-time feature size) in
// decoder-step (single query) and block forms, with batch dims (one, and
// two collapsed into one); compared with plain C loops (Inputs/scores.c).
// RUN: attn-opt %s --attnc-lower="blas-min-flops=0 c-interface=0" -o %t.mlir
// RUN: %attn-llc %t.mlir -o %t.o
// RUN: %host-cc %S/Inputs/scores.c %t.o -lm -o %t.exe
// RUN: %t.exe | FileCheck %s

// CHECK: ok general_step.scores
// CHECK: ok general_step.context
// CHECK: ok additive_step.out
// CHECK: ok additive_step.weights
// CHECK: ok cosine
// CHECK: ok location
// CHECK: ok scaled_dot_dynamic
// CHECK: ok two_batch_dims
// CHECK: PASS

// One Luong decoder step: general score, softmax, context; also returns
// the scores.
func.func @general_step(%w: tensor<16x12xf32> {bufferization.writable = false},
                        %s: tensor<16xf32> {bufferization.writable = false},
                        %keys: tensor<?x12xf32> {bufferization.writable = false},
                        %e_out: tensor<?xf32> {bufferization.writable = true},
                        %c_out: tensor<12xf32> {bufferization.writable = true})
    -> (tensor<?xf32>, tensor<12xf32>) attributes {llvm.emit_c_interface} {
  %e = attn.score general %s, %keys W(%w) : (tensor<16xf32>, tensor<?x12xf32>, tensor<16x12xf32>) -> tensor<?xf32>
  %a = attn.softmax %e : (tensor<?xf32>) -> tensor<?xf32>
  %c = attn.context %a, %keys : (tensor<?xf32>, tensor<?x12xf32>) -> tensor<12xf32>
  %r0 = bufferization.materialize_in_destination %e in %e_out : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %r1 = bufferization.materialize_in_destination %c in %c_out : (tensor<12xf32>, tensor<12xf32>) -> tensor<12xf32>
  return %r0, %r1 : tensor<?xf32>, tensor<12xf32>
}

// A batch of Bahdanau decoder steps, fused, with padded source sequences.
func.func @additive_step(%wa: tensor<10x16xf32> {bufferization.writable = false},
                         %ua: tensor<10x12xf32> {bufferization.writable = false},
                         %va: tensor<10xf32> {bufferization.writable = false},
                         %s: tensor<2x16xf32> {bufferization.writable = false},
                         %keys: tensor<2x?x12xf32> {bufferization.writable = false},
                         %len: tensor<2xi32> {bufferization.writable = false},
                         %o_out: tensor<2x12xf32> {bufferization.writable = true},
                         %w_out: tensor<2x?xf32> {bufferization.writable = true})
    -> (tensor<2x12xf32>, tensor<2x?xf32>) attributes {llvm.emit_c_interface} {
  %o, %w = attn.attention additive %s, %keys, %keys W(%wa) U(%ua) v(%va) mask<padding> lengths(%len)
      : (tensor<2x16xf32>, tensor<2x?x12xf32>, tensor<2x?x12xf32>, tensor<10x16xf32>, tensor<10x12xf32>, tensor<10xf32>, tensor<2xi32>)
      -> (tensor<2x12xf32>, tensor<2x?xf32>)
  %r0 = bufferization.materialize_in_destination %o in %o_out : (tensor<2x12xf32>, tensor<2x12xf32>) -> tensor<2x12xf32>
  %r1 = bufferization.materialize_in_destination %w in %w_out : (tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
  return %r0, %r1 : tensor<2x12xf32>, tensor<2x?xf32>
}

// Cosine scores of a block (one key is all zeros: its scores are 0).
func.func @cosine(%q: tensor<?x8xf32> {bufferization.writable = false},
                  %k: tensor<?x8xf32> {bufferization.writable = false},
                  %out: tensor<?x?xf32> {bufferization.writable = true})
    -> tensor<?x?xf32> attributes {llvm.emit_c_interface} {
  %e = attn.score cosine %q, %k : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x?xf32>
  %r = bufferization.materialize_in_destination %e in %out : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Location scores of a batched block: the first Nk of the L entries of W s.
func.func @location(%w: tensor<10x8xf32> {bufferization.writable = false},
                    %q: tensor<2x?x8xf32> {bufferization.writable = false},
                    %k: tensor<2x?x6xf32> {bufferization.writable = false},
                    %out: tensor<2x?x?xf32> {bufferization.writable = true})
    -> tensor<2x?x?xf32> attributes {llvm.emit_c_interface} {
  %e = attn.score location %q, %k W(%w) : (tensor<2x?x8xf32>, tensor<2x?x6xf32>, tensor<10x8xf32>) -> tensor<2x?x?xf32>
  %r = bufferization.materialize_in_destination %e in %out : (tensor<2x?x?xf32>, tensor<2x?x?xf32>) -> tensor<2x?x?xf32>
  return %r : tensor<2x?x?xf32>
}

// scaled_dot with its default scale 1/sqrt(dk), dk known only at run time.
func.func @scaled_dot_dynamic(%q: tensor<?x?xf32> {bufferization.writable = false},
                              %k: tensor<?x?xf32> {bufferization.writable = false},
                              %out: tensor<?x?xf32> {bufferization.writable = true})
    -> tensor<?x?xf32> attributes {llvm.emit_c_interface} {
  %e = attn.score scaled_dot %q, %k : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = bufferization.materialize_in_destination %e in %out : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Two batch dims, causal dot attention, dv != dk.
func.func @two_batch_dims(%q: tensor<2x3x?x4xf32> {bufferization.writable = false},
                          %k: tensor<2x3x?x4xf32> {bufferization.writable = false},
                          %v: tensor<2x3x?x5xf32> {bufferization.writable = false},
                          %out: tensor<2x3x?x5xf32> {bufferization.writable = true})
    -> tensor<2x3x?x5xf32> attributes {llvm.emit_c_interface} {
  %o = attn.attention dot %q, %k, %v mask<causal> : (tensor<2x3x?x4xf32>, tensor<2x3x?x4xf32>, tensor<2x3x?x5xf32>) -> tensor<2x3x?x5xf32>
  %r = bufferization.materialize_in_destination %o in %out : (tensor<2x3x?x5xf32>, tensor<2x3x?x5xf32>) -> tensor<2x3x?x5xf32>
  return %r : tensor<2x3x?x5xf32>
}

// RUN: attn-opt %s --split-input-file --attn-fuse | FileCheck %s
// RUN: attn-opt %s --split-input-file --attn-fuse --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC
// Refusing is silent: no diagnostic on any case.
// RUN: attn-opt %s --split-input-file --attn-fuse 2>&1 >/dev/null | count 0

// dot, block form: one attention op in place of the context, nothing else.
// CHECK-LABEL: func.func @dot_block
// CHECK-SAME: (%[[Q:.+]]: tensor<?x64xf32>, %[[K:.+]]: tensor<?x64xf32>, %[[V:.+]]: tensor<?x32xf32>)
// CHECK-NEXT: %[[O:.+]] = attn.attention dot %[[Q]], %[[K]], %[[V]] : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
// CHECK-NEXT: return %[[O]]
// CHECK-NOT: attn.score
// CHECK-NOT: attn.softmax
// CHECK-NOT: attn.context
// The fused op's location is the three ops' locations.
// LOC-LABEL: func.func @dot_block
// LOC: attn.attention dot {{.*}} loc(fused["model.attn":3:7, "model.attn":4:7, "model.attn":5:7])
func.func @dot_block(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %e = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32> loc("model.attn":3:7)
  %a = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32> loc("model.attn":4:7)
  %z = attn.context %a, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32> loc("model.attn":5:7)
  return %z : tensor<?x32xf32>
}

// -----

// scaled_dot with its scale, two batch dims, causal mask.
// CHECK-LABEL: func.func @scaled_dot_batch_causal
// CHECK-SAME: (%[[Q:.+]]: tensor<2x4x?x64xf32>, %[[K:.+]]: tensor<2x4x?x64xf32>, %[[V:.+]]: tensor<2x4x?x32xf32>)
// CHECK-NEXT: %[[O:.+]] = attn.attention scaled_dot %[[Q]], %[[K]], %[[V]] scale(1.250000e-01) mask<causal> : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @scaled_dot_batch_causal(%q: tensor<2x4x?x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32> {
  %e = attn.score scaled_dot %q, %k scale(0.125) : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>) -> tensor<2x4x?x?xf32>
  %a = attn.softmax %e mask<causal> : (tensor<2x4x?x?xf32>) -> tensor<2x4x?x?xf32>
  %z = attn.context %a, %v : (tensor<2x4x?x?xf32>, tensor<2x4x?x32xf32>) -> tensor<2x4x?x32xf32>
  return %z : tensor<2x4x?x32xf32>
}

// -----

// general (W), single query, padding with one length.
// CHECK-LABEL: func.func @general_single_padding
// CHECK-SAME: (%[[S:.+]]: tensor<64xf32>, %[[K:.+]]: tensor<?x128xf32>, %[[W:.+]]: tensor<64x128xf32>, %[[LEN:.+]]: tensor<i64>)
// CHECK-NEXT: %[[O:.+]] = attn.attention general %[[S]], %[[K]], %[[K]] W(%[[W]]) mask<padding> lengths(%[[LEN]]) : (tensor<64xf32>, tensor<?x128xf32>, tensor<?x128xf32>, tensor<64x128xf32>, tensor<i64>) -> tensor<128xf32>
// CHECK-NEXT: return %[[O]]
func.func @general_single_padding(%s: tensor<64xf32>, %keys: tensor<?x128xf32>, %w: tensor<64x128xf32>, %len: tensor<i64>) -> tensor<128xf32> {
  %e = attn.score general %s, %keys W(%w) : (tensor<64xf32>, tensor<?x128xf32>, tensor<64x128xf32>) -> tensor<?xf32>
  %a = attn.softmax %e mask<padding> lengths(%len) : (tensor<?xf32>, tensor<i64>) -> tensor<?xf32>
  %z = attn.context %a, %keys : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
  return %z : tensor<128xf32>
}

// -----

// additive (W, U, v), a batch of single queries, one length per sequence.
// CHECK-LABEL: func.func @additive_batch_padding
// CHECK-SAME: (%[[S:.+]]: tensor<8x64xf32>, %[[K:.+]]: tensor<8x?x128xf32>, %[[W:.+]]: tensor<32x64xf32>, %[[U:.+]]: tensor<32x128xf32>, %[[VA:.+]]: tensor<32xf32>, %[[LEN:.+]]: tensor<8xi32>)
// CHECK-NEXT: %[[O:.+]] = attn.attention additive %[[S]], %[[K]], %[[K]] W(%[[W]]) U(%[[U]]) v(%[[VA]]) mask<padding> lengths(%[[LEN]]) : (tensor<8x64xf32>, tensor<8x?x128xf32>, tensor<8x?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>, tensor<8xi32>) -> tensor<8x128xf32>
// CHECK-NEXT: return %[[O]]
func.func @additive_batch_padding(%s: tensor<8x64xf32>, %keys: tensor<8x?x128xf32>, %wa: tensor<32x64xf32>, %ua: tensor<32x128xf32>, %va: tensor<32xf32>, %len: tensor<8xi32>) -> tensor<8x128xf32> {
  %e = attn.score additive %s, %keys W(%wa) U(%ua) v(%va) : (tensor<8x64xf32>, tensor<8x?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>) -> tensor<8x?xf32>
  %a = attn.softmax %e mask<padding> lengths(%len) : (tensor<8x?xf32>, tensor<8xi32>) -> tensor<8x?xf32>
  %z = attn.context %a, %keys : (tensor<8x?xf32>, tensor<8x?x128xf32>) -> tensor<8x128xf32>
  return %z : tensor<8x128xf32>
}

// -----

// additive without U (keys already projected), values other than the keys.
// CHECK-LABEL: func.func @additive_no_u
// CHECK-SAME: (%[[S:.+]]: tensor<64xf32>, %[[PK:.+]]: tensor<?x32xf32>, %[[V:.+]]: tensor<?x128xf32>, %[[W:.+]]: tensor<32x64xf32>, %[[VA:.+]]: tensor<32xf32>)
// CHECK-NEXT: %[[O:.+]] = attn.attention additive %[[S]], %[[PK]], %[[V]] W(%[[W]]) v(%[[VA]]) : (tensor<64xf32>, tensor<?x32xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<128xf32>
// CHECK-NEXT: return %[[O]]
func.func @additive_no_u(%s: tensor<64xf32>, %pkeys: tensor<?x32xf32>, %v: tensor<?x128xf32>, %wa: tensor<32x64xf32>, %va: tensor<32xf32>) -> tensor<128xf32> {
  %e = attn.score additive %s, %pkeys W(%wa) v(%va) : (tensor<64xf32>, tensor<?x32xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?xf32>
  %a = attn.softmax %e : (tensor<?xf32>) -> tensor<?xf32>
  %z = attn.context %a, %v : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
  return %z : tensor<128xf32>
}

// -----

// cosine, batched blocks, causal|padding.
// CHECK-LABEL: func.func @cosine_causal_padding
// CHECK-SAME: (%[[Q:.+]]: tensor<4x?x64xf32>, %[[K:.+]]: tensor<4x?x64xf32>, %[[V:.+]]: tensor<4x?x32xf32>, %[[LEN:.+]]: tensor<4xi32>)
// CHECK-NEXT: %[[O:.+]] = attn.attention cosine %[[Q]], %[[K]], %[[V]] mask<causal|padding> lengths(%[[LEN]]) : (tensor<4x?x64xf32>, tensor<4x?x64xf32>, tensor<4x?x32xf32>, tensor<4xi32>) -> tensor<4x?x32xf32>
// CHECK-NEXT: return %[[O]]
func.func @cosine_causal_padding(%q: tensor<4x?x64xf32>, %k: tensor<4x?x64xf32>, %v: tensor<4x?x32xf32>, %len: tensor<4xi32>) -> tensor<4x?x32xf32> {
  %e = attn.score cosine %q, %k : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  %a = attn.softmax %e mask<causal|padding> lengths(%len) : (tensor<4x?x?xf32>, tensor<4xi32>) -> tensor<4x?x?xf32>
  %z = attn.context %a, %v : (tensor<4x?x?xf32>, tensor<4x?x32xf32>) -> tensor<4x?x32xf32>
  return %z : tensor<4x?x32xf32>
}

// -----

// location (W), block form, local-m window.
// CHECK-LABEL: func.func @location_window
// CHECK-SAME: (%[[Q:.+]]: tensor<?x64xf32>, %[[K:.+]]: tensor<?x128xf32>, %[[W:.+]]: tensor<50x64xf32>)
// CHECK-NEXT: %[[O:.+]] = attn.attention location %[[Q]], %[[K]], %[[K]] W(%[[W]]) mask<window> window(3) : (tensor<?x64xf32>, tensor<?x128xf32>, tensor<?x128xf32>, tensor<50x64xf32>) -> tensor<?x128xf32>
// CHECK-NEXT: return %[[O]]
func.func @location_window(%q: tensor<?x64xf32>, %keys: tensor<?x128xf32>, %w: tensor<50x64xf32>) -> tensor<?x128xf32> {
  %e = attn.score location %q, %keys W(%w) : (tensor<?x64xf32>, tensor<?x128xf32>, tensor<50x64xf32>) -> tensor<?x?xf32>
  %a = attn.softmax %e mask<window> window(3) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %z = attn.context %a, %keys : (tensor<?x?xf32>, tensor<?x128xf32>) -> tensor<?x128xf32>
  return %z : tensor<?x128xf32>
}

// -----

// local-p: single query, window around a predicted position, gaussian.
// CHECK-LABEL: func.func @local_p
// CHECK-SAME: (%[[S:.+]]: tensor<64xf32>, %[[K:.+]]: tensor<?x64xf32>, %[[P:.+]]: tensor<f32>)
// CHECK-NEXT: %[[O:.+]] = attn.attention dot %[[S]], %[[K]], %[[K]] mask<window> window(4) positions(%[[P]]) gaussian : (tensor<64xf32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<f32>) -> tensor<64xf32>
// CHECK-NEXT: return %[[O]]
func.func @local_p(%s: tensor<64xf32>, %keys: tensor<?x64xf32>, %p: tensor<f32>) -> tensor<64xf32> {
  %e = attn.score dot %s, %keys : (tensor<64xf32>, tensor<?x64xf32>) -> tensor<?xf32>
  %a = attn.softmax %e mask<window> window(4) positions(%p) gaussian : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  %z = attn.context %a, %keys : (tensor<?xf32>, tensor<?x64xf32>) -> tensor<64xf32>
  return %z : tensor<64xf32>
}

// -----

// The fused op goes where the context was: after the values it reads.
// CHECK-LABEL: func.func @values_after_softmax
// CHECK-SAME: (%[[Q:.+]]: tensor<?x64xf32>, %[[K:.+]]: tensor<?x64xf32>, %[[X:.+]]: tensor<?x32xf32>)
// CHECK-NEXT: %[[V:.+]] = math.tanh %[[X]]
// CHECK-NEXT: %[[O:.+]] = attn.attention dot %[[Q]], %[[K]], %[[V]] :
// CHECK-NEXT: return %[[O]]
func.func @values_after_softmax(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %e = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  %a = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %v = math.tanh %x : tensor<?x32xf32>
  %z = attn.context %a, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  return %z : tensor<?x32xf32>
}

// -----

// Weights kept: the alignment is also returned, from the fused op's second
// result (single query, as in a Bahdanau decoder step).
// CHECK-LABEL: func.func @weights_returned
// CHECK-SAME: (%[[S:.+]]: tensor<64xf32>, %[[K:.+]]: tensor<?x128xf32>, %[[W:.+]]: tensor<32x64xf32>, %[[U:.+]]: tensor<32x128xf32>, %[[VA:.+]]: tensor<32xf32>)
// CHECK-NEXT: %[[O:.+]], %[[AW:.+]] = attn.attention additive %[[S]], %[[K]], %[[K]] W(%[[W]]) U(%[[U]]) v(%[[VA]]) : (tensor<64xf32>, tensor<?x128xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>) -> (tensor<128xf32>, tensor<?xf32>)
// CHECK-NEXT: return %[[O]], %[[AW]] : tensor<128xf32>, tensor<?xf32>
func.func @weights_returned(%s: tensor<64xf32>, %keys: tensor<?x128xf32>, %wa: tensor<32x64xf32>, %ua: tensor<32x128xf32>, %va: tensor<32xf32>) -> (tensor<128xf32>, tensor<?xf32>) {
  %e = attn.score additive %s, %keys W(%wa) U(%ua) v(%va) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>) -> tensor<?xf32>
  %a = attn.softmax %e : (tensor<?xf32>) -> tensor<?xf32>
  %z = attn.context %a, %keys : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
  return %z, %a : tensor<128xf32>, tensor<?xf32>
}

// -----

// Weights kept, block form with a batch dim: a second context over other
// values reads the fused op's weights (and is not fused itself: its weights
// no longer come from a softmax).
// CHECK-LABEL: func.func @weights_used_by_context
// CHECK-SAME: (%[[Q:.+]]: tensor<4x?x64xf32>, %[[K:.+]]: tensor<4x?x64xf32>, %[[V1:.+]]: tensor<4x?x32xf32>, %[[V2:.+]]: tensor<4x?x16xf32>)
// CHECK-NEXT: %[[O:.+]], %[[AW:.+]] = attn.attention dot %[[Q]], %[[K]], %[[V1]] mask<causal> : (tensor<4x?x64xf32>, tensor<4x?x64xf32>, tensor<4x?x32xf32>) -> (tensor<4x?x32xf32>, tensor<4x?x?xf32>)
// CHECK-NEXT: %[[Z2:.+]] = attn.context %[[AW]], %[[V2]] :
// CHECK-NEXT: return %[[O]], %[[Z2]]
func.func @weights_used_by_context(%q: tensor<4x?x64xf32>, %k: tensor<4x?x64xf32>, %v1: tensor<4x?x32xf32>, %v2: tensor<4x?x16xf32>) -> (tensor<4x?x32xf32>, tensor<4x?x16xf32>) {
  %e = attn.score dot %q, %k : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  %a = attn.softmax %e mask<causal> : (tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  %z1 = attn.context %a, %v1 : (tensor<4x?x?xf32>, tensor<4x?x32xf32>) -> tensor<4x?x32xf32>
  %z2 = attn.context %a, %v2 : (tensor<4x?x?xf32>, tensor<4x?x16xf32>) -> tensor<4x?x16xf32>
  return %z1, %z2 : tensor<4x?x32xf32>, tensor<4x?x16xf32>
}

// -----

// Refused: the raw scores are also returned; the fused op cannot give them.
// CHECK-LABEL: func.func @scores_returned
// CHECK-NEXT: %[[E:.+]] = attn.score dot
// CHECK-NEXT: %[[A:.+]] = attn.softmax %[[E]] :
// CHECK-NEXT: %[[Z:.+]] = attn.context %[[A]],
// CHECK-NEXT: return %[[Z]], %[[E]]
// CHECK-NOT: attn.attention
func.func @scores_returned(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x?xf32>) {
  %e = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  %a = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %z = attn.context %a, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  return %z, %e : tensor<?x32xf32>, tensor<?x?xf32>
}

// -----

// Refused: one score feeds two softmaxes (two chains share the scores).
// CHECK-LABEL: func.func @scores_two_softmaxes
// CHECK-NEXT: %[[E:.+]] = attn.score dot
// CHECK-NEXT: %[[A1:.+]] = attn.softmax %[[E]] :
// CHECK-NEXT: %[[A2:.+]] = attn.softmax %[[E]] mask<causal> :
// CHECK-NEXT: %[[Z1:.+]] = attn.context %[[A1]],
// CHECK-NEXT: %[[Z2:.+]] = attn.context %[[A2]],
// CHECK-NEXT: return %[[Z1]], %[[Z2]]
// CHECK-NOT: attn.attention
func.func @scores_two_softmaxes(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %e = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  %a1 = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %a2 = attn.softmax %e mask<causal> : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %z1 = attn.context %a1, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  %z2 = attn.context %a2, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  return %z1, %z2 : tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// Refused: the softmax reads scores changed by another op (a temperature).
// CHECK-LABEL: func.func @scores_through_arith
// CHECK-NEXT: %[[E:.+]] = attn.score dot
// CHECK-NEXT: %[[T:.+]] = arith.mulf %[[E]],
// CHECK-NEXT: %[[A:.+]] = attn.softmax %[[T]] :
// CHECK-NEXT: %[[Z:.+]] = attn.context %[[A]],
// CHECK-NEXT: return %[[Z]]
// CHECK-NOT: attn.attention
func.func @scores_through_arith(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x32xf32>, %t: tensor<?x?xf32>) -> tensor<?x32xf32> {
  %e = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  %et = arith.mulf %e, %t : tensor<?x?xf32>
  %a = attn.softmax %et : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %z = attn.context %a, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  return %z : tensor<?x32xf32>
}

// -----

// Refused: the context's weights are not a softmax (an argument; a softmax
// followed by another op).
// CHECK-LABEL: func.func @weights_not_softmax
// CHECK-NEXT: %[[Z1:.+]] = attn.context %{{.+}}, %{{.+}} :
// CHECK-NEXT: %[[E:.+]] = attn.score dot
// CHECK-NEXT: %[[A:.+]] = attn.softmax %[[E]] :
// CHECK-NEXT: %[[H:.+]] = math.sqrt %[[A]]
// CHECK-NEXT: %[[Z2:.+]] = attn.context %[[H]],
// CHECK-NEXT: return %[[Z1]], %[[Z2]]
// CHECK-NOT: attn.attention
func.func @weights_not_softmax(%w: tensor<?x?xf32>, %q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %z1 = attn.context %w, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  %e = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  %a = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %h = math.sqrt %a : tensor<?x?xf32>
  %z2 = attn.context %h, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  return %z1, %z2 : tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// Refused: the weights are also used before the context, where the fused
// op's weights would not exist yet.
// CHECK-LABEL: func.func @weights_used_before_context
// CHECK-NEXT: %[[E:.+]] = attn.score dot
// CHECK-NEXT: %[[A:.+]] = attn.softmax %[[E]] :
// CHECK-NEXT: %[[L:.+]] = math.log %[[A]]
// CHECK-NEXT: %[[Z:.+]] = attn.context %[[A]],
// CHECK-NEXT: return %[[Z]], %[[L]]
// CHECK-NOT: attn.attention
func.func @weights_used_before_context(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x?xf32>) {
  %e = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  %a = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %l = math.log %a : tensor<?x?xf32>
  %z = attn.context %a, %v : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  return %z, %l : tensor<?x32xf32>, tensor<?x?xf32>
}

// -----

// Refused: each op verifies, but the fused op would not: the values have 6
// keys and the keys 5 (the dynamic scores hide the mismatch).
// CHECK-LABEL: func.func @would_not_verify
// CHECK-NEXT: %[[E:.+]] = attn.score dot
// CHECK-NEXT: %[[A:.+]] = attn.softmax %[[E]] :
// CHECK-NEXT: %[[Z:.+]] = attn.context %[[A]],
// CHECK-NEXT: return %[[Z]]
// CHECK-NOT: attn.attention
func.func @would_not_verify(%q: tensor<4x8xf32>, %k: tensor<5x8xf32>, %v: tensor<6x16xf32>) -> tensor<4x16xf32> {
  %e = attn.score dot %q, %k : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<4x?xf32>
  %a = attn.softmax %e : (tensor<4x?xf32>) -> tensor<4x?xf32>
  %z = attn.context %a, %v : (tensor<4x?xf32>, tensor<6x16xf32>) -> tensor<4x16xf32>
  return %z : tensor<4x16xf32>
}

// -----

// Refused: the context is in a loop and the weights are computed once before
// it; fused, the whole attention would run in every iteration.
// CHECK-LABEL: func.func @context_in_loop
// CHECK: %[[E:.+]] = attn.score dot
// CHECK-NEXT: %[[A:.+]] = attn.softmax %[[E]] :
// CHECK: scf.for
// CHECK-NEXT: %[[Z:.+]] = attn.context %[[A]],
// CHECK-NOT: attn.attention
func.func @context_in_loop(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x32xf32>, %n: index) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  %a = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%x = %v) -> (tensor<?x32xf32>) {
    %z = attn.context %a, %x : (tensor<?x?xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
    scf.yield %z : tensor<?x32xf32>
  }
  return %r : tensor<?x32xf32>
}

// RUN: attn-opt %s | FileCheck %s
// Round trip: what attn-opt prints, it parses again to the same text.
// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s > %t.once && attn-opt %t.once > %t.twice && diff %t.once %t.twice
// The generic form reads back to the same custom form.
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

// One score op of each kind, against a block of queries or a single query.
// CHECK-LABEL: func.func @scores
func.func @scores(%q: tensor<4x?x64xf32>, %k: tensor<4x?x64xf32>,
                  %s: tensor<64xf32>, %keys: tensor<?x128xf32>,
                  %wg: tensor<64x128xf32>, %wa: tensor<32x64xf32>,
                  %ua: tensor<32x128xf32>, %va: tensor<32xf32>,
                  %wl: tensor<50x64xf32>) {
  // CHECK: attn.score dot %{{.*}}, %{{.*}} : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  %0 = attn.score dot %q, %k : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  // CHECK: attn.score scaled_dot %{{.*}}, %{{.*}} : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  %1 = attn.score scaled_dot %q, %k : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  // CHECK: attn.score scaled_dot %{{.*}}, %{{.*}} scale(1.250000e-01) : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  %2 = attn.score scaled_dot %q, %k scale(0.125) : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  // CHECK: attn.score general %[[S:.+]], %[[KEYS:.+]] W(%[[WG:.+]]) : (tensor<64xf32>, tensor<?x128xf32>, tensor<64x128xf32>) -> tensor<?xf32>
  %3 = attn.score general %s, %keys W(%wg) : (tensor<64xf32>, tensor<?x128xf32>, tensor<64x128xf32>) -> tensor<?xf32>
  // CHECK: attn.score additive %{{.*}}, %{{.*}} W(%{{.*}}) U(%{{.*}}) v(%{{.*}}) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>) -> tensor<?xf32>
  %4 = attn.score additive %s, %keys W(%wa) U(%ua) v(%va) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>) -> tensor<?xf32>
  // CHECK: attn.score cosine %{{.*}}, %{{.*}} : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  %5 = attn.score cosine %q, %k : (tensor<4x?x64xf32>, tensor<4x?x64xf32>) -> tensor<4x?x?xf32>
  // CHECK: attn.score location %{{.*}}, %{{.*}} W(%{{.*}}) : (tensor<64xf32>, tensor<?x128xf32>, tensor<50x64xf32>) -> tensor<?xf32>
  %6 = attn.score location %s, %keys W(%wl) : (tensor<64xf32>, tensor<?x128xf32>, tensor<50x64xf32>) -> tensor<?xf32>
  return
}

// Additive over keys already projected by U once per sentence (no U operand).
// CHECK-LABEL: func.func @additive_projected_keys
func.func @additive_projected_keys(%s: tensor<64xf32>, %pkeys: tensor<?x32xf32>, %wa: tensor<32x64xf32>, %va: tensor<32xf32>) -> tensor<?xf32> {
  // CHECK: attn.score additive %{{.*}}, %{{.*}} W(%{{.*}}) v(%{{.*}}) : (tensor<64xf32>, tensor<?x32xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?xf32>
  %0 = attn.score additive %s, %pkeys W(%wa) v(%va) : (tensor<64xf32>, tensor<?x32xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// Softmax with each mask kind and with combined masks.
// CHECK-LABEL: func.func @softmaxes
func.func @softmaxes(%e: tensor<4x?x?xf32>, %len: tensor<4xi32>,
                     %e1: tensor<?xf32>, %p: tensor<f32>, %pq: tensor<4x?xf32>) {
  // CHECK: attn.softmax %{{.*}} : (tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  %0 = attn.softmax %e : (tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  // CHECK: attn.softmax %{{.*}} mask<causal> : (tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  %1 = attn.softmax %e mask<causal> : (tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  // CHECK: attn.softmax %{{.*}} mask<padding> lengths(%{{.*}}) : (tensor<4x?x?xf32>, tensor<4xi32>) -> tensor<4x?x?xf32>
  %2 = attn.softmax %e mask<padding> lengths(%len) : (tensor<4x?x?xf32>, tensor<4xi32>) -> tensor<4x?x?xf32>
  // CHECK: attn.softmax %{{.*}} mask<window> window(3) : (tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  %3 = attn.softmax %e mask<window> window(3) : (tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  // CHECK: attn.softmax %{{.*}} mask<causal|padding|window> window(0) lengths(%{{.*}}) : (tensor<4x?x?xf32>, tensor<4xi32>) -> tensor<4x?x?xf32>
  %4 = attn.softmax %e mask<causal|padding|window> window(0) lengths(%len) : (tensor<4x?x?xf32>, tensor<4xi32>) -> tensor<4x?x?xf32>
  // Local-p on one decoder step: window around a predicted position, Gaussian weighting.
  // CHECK: attn.softmax %{{.*}} mask<window> window(4) positions(%{{.*}}) gaussian : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  %5 = attn.softmax %e1 mask<window> window(4) positions(%p) gaussian : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  // CHECK: attn.softmax %{{.*}} mask<window> window(2) positions(%{{.*}}) : (tensor<4x?x?xf32>, tensor<4x?xf32>) -> tensor<4x?x?xf32>
  %6 = attn.softmax %e mask<window> window(2) positions(%pq) : (tensor<4x?x?xf32>, tensor<4x?xf32>) -> tensor<4x?x?xf32>
  // An explicit `mask<none>` is the default and is not printed.
  // CHECK: attn.softmax %{{.*}} : (tensor<?xf32>) -> tensor<?xf32>
  %7 = attn.softmax %e1 mask<none> : (tensor<?xf32>) -> tensor<?xf32>
  return
}

// Context of a block of queries and of a single query.
// CHECK-LABEL: func.func @contexts
func.func @contexts(%a: tensor<4x?x?xf32>, %v: tensor<4x?x32xf32>,
                    %a1: tensor<?xf32>, %keys: tensor<?x128xf32>) {
  // CHECK: attn.context %{{.*}}, %{{.*}} : (tensor<4x?x?xf32>, tensor<4x?x32xf32>) -> tensor<4x?x32xf32>
  %0 = attn.context %a, %v : (tensor<4x?x?xf32>, tensor<4x?x32xf32>) -> tensor<4x?x32xf32>
  // CHECK: attn.context %{{.*}}, %{{.*}} : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
  %1 = attn.context %a1, %keys : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
  return
}

// The fused op: heads, masks, score parameters and the optional weights result.
// CHECK-LABEL: func.func @attentions
func.func @attentions(%q: tensor<?x512xf32>, %k: tensor<?x512xf32>, %v: tensor<?x512xf32>,
                      %s: tensor<64xf32>, %keys: tensor<?x128xf32>,
                      %wa: tensor<32x64xf32>, %ua: tensor<32x128xf32>, %va: tensor<32xf32>,
                      %len: tensor<i64>, %wg: tensor<64x64xf32>, %qb: tensor<2x?x128xf32>,
                      %kb: tensor<2x?x128xf32>) {
  // CHECK: attn.attention scaled_dot %{{.*}}, %{{.*}}, %{{.*}} heads(8) mask<causal> : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<?x512xf32>) -> (tensor<?x512xf32>, tensor<8x?x?xf32>)
  %0:2 = attn.attention scaled_dot %q, %k, %v heads(8) mask<causal> : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<?x512xf32>) -> (tensor<?x512xf32>, tensor<8x?x?xf32>)
  // CHECK: attn.attention additive %{{.*}}, %{{.*}}, %{{.*}} W(%{{.*}}) U(%{{.*}}) v(%{{.*}}) mask<padding> lengths(%{{.*}}) : (tensor<64xf32>, tensor<?x128xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>, tensor<i64>) -> (tensor<128xf32>, tensor<?xf32>)
  %1:2 = attn.attention additive %s, %keys, %keys W(%wa) U(%ua) v(%va) mask<padding> lengths(%len) : (tensor<64xf32>, tensor<?x128xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>, tensor<i64>) -> (tensor<128xf32>, tensor<?xf32>)
  // General score with two heads: W is per head, [128/2, 128/2].
  // CHECK: attn.attention general %{{.*}}, %{{.*}}, %{{.*}} W(%{{.*}}) heads(2) mask<causal|window> window(8) : (tensor<2x?x128xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>, tensor<64x64xf32>) -> tensor<2x?x128xf32>
  %2 = attn.attention general %qb, %kb, %kb W(%wg) heads(2) mask<causal|window> window(8) : (tensor<2x?x128xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>, tensor<64x64xf32>) -> tensor<2x?x128xf32>
  // CHECK: attn.attention cosine %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x?x128xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>) -> tensor<2x?x128xf32>
  %3 = attn.attention cosine %qb, %kb, %kb : (tensor<2x?x128xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>) -> tensor<2x?x128xf32>
  // heads(1) is the default and is not printed.
  // CHECK: attn.attention dot %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x?x128xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>) -> (tensor<2x?x128xf32>, tensor<2x?x?xf32>)
  %4:2 = attn.attention dot %qb, %kb, %kb heads(1) : (tensor<2x?x128xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>) -> (tensor<2x?x128xf32>, tensor<2x?x?xf32>)
  return
}

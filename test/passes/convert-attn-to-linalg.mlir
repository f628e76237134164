// convert-attn-to-linalg, with the score kinds, mask test and normalization
// of passes/AttentionBuilder.cpp (shared with attn-tile).
// RUN: attn-opt %s --split-input-file --convert-attn-to-linalg | FileCheck %s

// dot: one product with the keys transposed, no attn op left.
// CHECK-LABEL: func.func @dot
// CHECK-SAME: (%[[Q:.+]]: tensor<?x64xf32>, %[[K:.+]]: tensor<?x64xf32>)
// CHECK: %[[ZERO:.+]] = linalg.fill
// CHECK: %[[S:.+]] = linalg.matmul_transpose_b ins(%[[Q]], %[[K]] : {{.*}}) outs(%[[ZERO]] : tensor<?x?xf32>)
// CHECK: return %[[S]]
// CHECK-NOT: attn.
func.func @dot(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>) -> tensor<?x?xf32> {
  %0 = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// scaled_dot: the queries are scaled by 1/sqrt(64) before the product.
// CHECK-LABEL: func.func @scaled_dot_static
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
// CHECK: %[[QS:.+]] = linalg.generic
// CHECK: arith.mulf %{{.+}}, %[[SCALE]]
// CHECK: linalg.matmul_transpose_b ins(%[[QS]], %{{.+}} :
func.func @scaled_dot_static(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>) -> tensor<?x?xf32> {
  %0 = attn.score scaled_dot %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// scaled_dot with an explicit scale.
// CHECK-LABEL: func.func @scaled_dot_attr
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: linalg.matmul_transpose_b
func.func @scaled_dot_attr(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>) -> tensor<?x?xf32> {
  %0 = attn.score scaled_dot %q, %k scale(0.5) : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// scaled_dot with a dynamic dk: the scale 1/sqrt(dk) is computed at run time.
// CHECK-LABEL: func.func @scaled_dot_dynamic
// CHECK-SAME: %[[K:[a-z0-9]+]]: tensor<?x?xf32>)
// CHECK: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[DK:.+]] = tensor.dim %[[K]], %[[C1]]
// CHECK: %[[I:.+]] = arith.index_cast %[[DK]] : index to i64
// CHECK: %[[F:.+]] = arith.sitofp %[[I]] : i64 to f32
// CHECK: %[[ROOT:.+]] = math.sqrt %[[F]]
// CHECK: arith.divf %{{.+}}, %[[ROOT]]
func.func @scaled_dot_dynamic(%q: tensor<?x?xf32>, %k: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = attn.score scaled_dot %q, %k : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// general, single query: s becomes a block of one, (s W) h_j^T, and back.
// CHECK-LABEL: func.func @general_single
// CHECK-SAME: (%[[S:.+]]: tensor<64xf32>, %[[KEYS:.+]]: tensor<?x128xf32>, %[[W:.+]]: tensor<64x128xf32>)
// CHECK: %[[S1:.+]] = tensor.expand_shape %[[S]] {{\[}}[0, 1]] output_shape [1, 64] : tensor<64xf32> into tensor<1x64xf32>
// CHECK: %[[SW:.+]] = linalg.matmul ins(%[[S1]], %[[W]] : tensor<1x64xf32>, tensor<64x128xf32>)
// CHECK: %[[E:.+]] = linalg.matmul_transpose_b ins(%[[SW]], %[[KEYS]] : tensor<1x128xf32>, tensor<?x128xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[E]] {{\[}}[0, 1]] : tensor<1x?xf32> into tensor<?xf32>
// CHECK: return %[[R]]
func.func @general_single(%s: tensor<64xf32>, %keys: tensor<?x128xf32>, %w: tensor<64x128xf32>) -> tensor<?xf32> {
  %0 = attn.score general %s, %keys W(%w) : (tensor<64xf32>, tensor<?x128xf32>, tensor<64x128xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// additive: W s and U h_j once each, then v^T tanh(.) reduced in one generic.
// CHECK-LABEL: func.func @additive
// CHECK-SAME: %[[WA:[a-z0-9]+]]: tensor<32x64xf32>, %[[UA:[a-z0-9]+]]: tensor<32x128xf32>, %[[VA:[a-z0-9]+]]: tensor<32xf32>
// CHECK: %[[WS:.+]] = linalg.matmul_transpose_b ins(%{{.+}}, %[[WA]] :
// CHECK: %[[UH:.+]] = linalg.matmul_transpose_b ins(%{{.+}}, %[[UA]] :
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[WS]], %[[UH]], %[[VA]] : tensor<1x32xf32>, tensor<?x32xf32>, tensor<32xf32>)
// CHECK: arith.addf
// CHECK: math.tanh
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @additive(%s: tensor<64xf32>, %keys: tensor<?x128xf32>, %wa: tensor<32x64xf32>, %ua: tensor<32x128xf32>, %va: tensor<32xf32>) -> tensor<?xf32> {
  %0 = attn.score additive %s, %keys W(%wa) U(%ua) v(%va) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// additive without U: the keys are already projected (U h_j), so W s is the
// only product and the keys go straight into the tanh generic.
// CHECK-LABEL: func.func @additive_without_u
// CHECK-SAME: (%[[S:.+]]: tensor<64xf32>, %[[KEYS:.+]]: tensor<?x32xf32>, %[[WA:.+]]: tensor<32x64xf32>, %[[VA:.+]]: tensor<32xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: %[[WS:.+]] = linalg.matmul_transpose_b ins(%{{.+}}, %[[WA]] : tensor<1x64xf32>, tensor<32x64xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[WS]], %[[KEYS]], %[[VA]] : tensor<1x32xf32>, tensor<?x32xf32>, tensor<32xf32>)
// CHECK: math.tanh
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @additive_without_u(%s: tensor<64xf32>, %keys: tensor<?x32xf32>, %wa: tensor<32x64xf32>, %va: tensor<32xf32>) -> tensor<?xf32> {
  %0 = attn.score additive %s, %keys W(%wa) v(%va) : (tensor<64xf32>, tensor<?x32xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// The fused op, a block of queries: with U the keys are projected once
// (one product with U), then the context is the only other product.
// CHECK-LABEL: func.func @attention_additive_u
// CHECK-SAME: (%[[Q:.+]]: tensor<?x64xf32>, %[[KEYS:.+]]: tensor<?x128xf32>, %[[VALS:.+]]: tensor<?x16xf32>, %[[WA:.+]]: tensor<32x64xf32>, %[[UA:.+]]: tensor<32x128xf32>, %[[VA:.+]]: tensor<32xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: %[[WS:.+]] = linalg.matmul_transpose_b ins(%[[Q]], %[[WA]] :
// CHECK-NOT: linalg.matmul
// CHECK: %[[UH:.+]] = linalg.matmul_transpose_b ins(%[[KEYS]], %[[UA]] :
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[WS]], %[[UH]], %[[VA]] : tensor<?x32xf32>, tensor<?x32xf32>, tensor<32xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: linalg.matmul ins(%{{.+}}, %[[VALS]] :
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @attention_additive_u(%q: tensor<?x64xf32>, %keys: tensor<?x128xf32>, %vals: tensor<?x16xf32>, %wa: tensor<32x64xf32>, %ua: tensor<32x128xf32>, %va: tensor<32xf32>) -> tensor<?x16xf32> {
  %0 = attn.attention additive %q, %keys, %vals W(%wa) U(%ua) v(%va) : (tensor<?x64xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<32xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// The same without U: no product of the keys, which go straight into the
// tanh generic.
// CHECK-LABEL: func.func @attention_additive_without_u
// CHECK-SAME: (%[[Q:.+]]: tensor<?x64xf32>, %[[KEYS:.+]]: tensor<?x32xf32>, %[[VALS:.+]]: tensor<?x16xf32>, %[[WA:.+]]: tensor<32x64xf32>, %[[VA:.+]]: tensor<32xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: %[[WS:.+]] = linalg.matmul_transpose_b ins(%[[Q]], %[[WA]] :
// CHECK-NOT: linalg.matmul
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[WS]], %[[KEYS]], %[[VA]] : tensor<?x32xf32>, tensor<?x32xf32>, tensor<32xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: linalg.matmul ins(%{{.+}}, %[[VALS]] :
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @attention_additive_without_u(%q: tensor<?x64xf32>, %keys: tensor<?x32xf32>, %vals: tensor<?x16xf32>, %wa: tensor<32x64xf32>, %va: tensor<32xf32>) -> tensor<?x16xf32> {
  %0 = attn.attention additive %q, %keys, %vals W(%wa) v(%va) : (tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x16xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// cosine: dot products divided by max(|s| |h_j|, 1e-8).
// CHECK-LABEL: func.func @cosine
// CHECK: %[[DOTS:.+]] = linalg.matmul_transpose_b
// CHECK: math.sqrt
// CHECK: math.sqrt
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[DOTS]] :
// CHECK: %[[EPS:.+]] = arith.constant 9.99999993E-9 : f32
// CHECK: %[[DEN:.+]] = arith.maximumf %{{.+}}, %[[EPS]]
// CHECK: arith.divf %{{.+}}, %[[DEN]]
func.func @cosine(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>) -> tensor<?x?xf32> {
  %0 = attn.score cosine %q, %k : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// location: s times the first Nk rows of W.
// CHECK-LABEL: func.func @location
// CHECK-SAME: %[[KEYS:[a-z0-9]+]]: tensor<?x128xf32>, %[[W:[a-z0-9]+]]: tensor<50x64xf32>
// CHECK: tensor.dim %[[KEYS]]
// CHECK: %[[ROWS:.+]] = tensor.extract_slice %[[W]][0, 0] [%{{.+}}, 64] [1, 1] : tensor<50x64xf32> to tensor<?x64xf32>
// CHECK: linalg.matmul_transpose_b ins(%{{.+}}, %[[ROWS]] : tensor<1x64xf32>, tensor<?x64xf32>)
func.func @location(%s: tensor<64xf32>, %keys: tensor<?x128xf32>, %w: tensor<50x64xf32>) -> tensor<?xf32> {
  %0 = attn.score location %s, %keys W(%w) : (tensor<64xf32>, tensor<?x128xf32>, tensor<50x64xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Two batch dims collapse into one for a batch_matmul, then expand back.
// CHECK-LABEL: func.func @two_batch_dims
// CHECK: %[[Q:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2], [3]] : tensor<2x3x?x8xf32> into tensor<6x?x8xf32>
// CHECK: %[[K:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2], [3]] : tensor<2x3x?x8xf32> into tensor<6x?x8xf32>
// CHECK: %[[E:.+]] = linalg.batch_matmul_transpose_b ins(%[[Q]], %[[K]] :
// CHECK: tensor.expand_shape %[[E]] {{\[}}[0, 1], [2], [3]] output_shape [2, 3, %{{.+}}, %{{.+}}] : tensor<6x?x?xf32> into tensor<2x3x?x?xf32>
func.func @two_batch_dims(%q: tensor<2x3x?x8xf32>, %k: tensor<2x3x?x8xf32>) -> tensor<2x3x?x?xf32> {
  %0 = attn.score dot %q, %k : (tensor<2x3x?x8xf32>, tensor<2x3x?x8xf32>) -> tensor<2x3x?x?xf32>
  return %0 : tensor<2x3x?x?xf32>
}

// -----

// Two dynamic batch dims: collapsed as above, but expanded back with a
// tensor.reshape to the original sizes, not a tensor.expand_shape with two
// dynamic sizes in one group (MLIR 19 crashes bufferizing that, and folds
// tensor.dim of it to garbage).
// CHECK-LABEL: func.func @two_dynamic_batch_dims
// CHECK-SAME: (%[[Q:.+]]: tensor<?x?x?x8xf32>, %[[K:.+]]: tensor<?x?x?x8xf32>)
// CHECK-DAG: %[[B0:.+]] = tensor.dim %[[Q]], %c0
// CHECK-DAG: %[[B1:.+]] = tensor.dim %[[Q]], %c1
// CHECK-DAG: %[[NQ:.+]] = tensor.dim %[[Q]], %c2
// CHECK-DAG: %[[NK:.+]] = tensor.dim %[[K]], %c2
// CHECK: %[[E:.+]] = linalg.batch_matmul_transpose_b
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %[[B0]], %[[B1]], %[[NQ]], %[[NK]] : tensor<4xindex>
// CHECK: %[[R:.+]] = tensor.reshape %[[E]](%[[SHAPE]]) : (tensor<?x?x?xf32>, tensor<4xindex>) -> tensor<?x?x?x?xf32>
// CHECK: return %[[R]]
func.func @two_dynamic_batch_dims(%q: tensor<?x?x?x8xf32>, %k: tensor<?x?x?x8xf32>) -> tensor<?x?x?x?xf32> {
  %0 = attn.score dot %q, %k : (tensor<?x?x?x8xf32>, tensor<?x?x?x8xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// The same for the projections of a batch of blocks [B, T, K] with B and T
// dynamic: the rows are collapsed for one product with W, then reshaped.
// CHECK-LABEL: func.func @general_dynamic_batch
// CHECK-SAME: (%[[Q:.+]]: tensor<?x?x8xf32>, %[[K:.+]]: tensor<?x?x8xf32>, %[[W:.+]]: tensor<8x8xf32>)
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[Q]] {{\[}}[0, 1], [2]] : tensor<?x?x8xf32> into tensor<?x8xf32>
// CHECK: %[[QW:.+]] = linalg.matmul ins(%[[ROWS]], %[[W]] :
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %{{.+}}, %{{.+}}, %{{.+}} : tensor<3xindex>
// CHECK: %[[QW3:.+]] = tensor.reshape %[[QW]](%[[SHAPE]]) : (tensor<?x8xf32>, tensor<3xindex>) -> tensor<?x?x8xf32>
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.batch_matmul_transpose_b ins(%[[QW3]], %[[K]] :
func.func @general_dynamic_batch(%q: tensor<?x?x8xf32>, %k: tensor<?x?x8xf32>, %w: tensor<8x8xf32>) -> tensor<?x?x?xf32> {
  %0 = attn.score general %q, %k W(%w) : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8x8xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// softmax without mask: max from -inf, exp(e - max) (0 if the max is -inf),
// sum, and a division that leaves rows summing to 0 at 0. The reductions
// may be reassociated (vectorized).
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[E:.+]]: tensor<?x?xf32>)
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[MAX:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<?x?xf32>) outs(%[[INIT]] : tensor<?xf32>)
// CHECK: arith.maximumf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
// CHECK: %[[EXP:.+]] = linalg.generic {{.*}} ins(%[[E]], %[[MAX]] :
// CHECK: arith.cmpf ogt
// CHECK: math.exp
// CHECK: arith.select
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[EXP]] :
// CHECK: arith.addf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
// CHECK: %[[A:.+]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<?xf32>) outs(%[[EXP]] : tensor<?x?xf32>)
// CHECK: arith.cmpf ogt
// CHECK: arith.divf
// CHECK: arith.select
// CHECK: return %[[A]]
func.func @softmax(%e: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = attn.softmax %e : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// causal|padding: key j kept iff j <= i and j < lengths[b] (an i32 operand
// indexed by the batch dim).
// CHECK: #[[LEN:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func.func @softmax_causal_padding
// CHECK-SAME: %[[LENS:[a-z0-9]+]]: tensor<4xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[LEN]], #{{.+}}]
// CHECK-SAME: ins(%{{.+}}, %[[LENS]] : tensor<4x?x?xf32>, tensor<4xi32>)
// CHECK: ^bb0(%{{.+}}: f32, %[[L:.+]]: i32, %{{.+}}: f32):
// CHECK: %[[J:.+]] = linalg.index 2 : index
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[CAUSAL:.+]] = arith.cmpi sle, %[[J]], %[[I]] : index
// CHECK: %[[LI:.+]] = arith.index_cast %[[L]] : i32 to index
// CHECK: %[[PAD:.+]] = arith.cmpi slt, %[[J]], %[[LI]] : index
// CHECK: arith.andi %[[CAUSAL]], %[[PAD]] : i1
func.func @softmax_causal_padding(%e: tensor<4x?x?xf32>, %len: tensor<4xi32>) -> tensor<4x?x?xf32> {
  %0 = attn.softmax %e mask<causal|padding> lengths(%len) : (tensor<4x?x?xf32>, tensor<4xi32>) -> tensor<4x?x?xf32>
  return %0 : tensor<4x?x?xf32>
}

// -----

// window(2) around the query index: -2 <= j - i <= 2.
// CHECK-LABEL: func.func @softmax_window
// CHECK: %[[J:.+]] = linalg.index 1 : index
// CHECK: %[[I:.+]] = linalg.index 0 : index
// CHECK: %[[D:.+]] = arith.subi %[[J]], %[[I]] : index
// CHECK-DAG: %[[W:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[MW:.+]] = arith.constant -2 : index
// CHECK: arith.cmpi sle, %[[D]], %[[W]] : index
// CHECK: arith.cmpi sge, %[[D]], %[[MW]] : index
func.func @softmax_window(%e: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = attn.softmax %e mask<window> window(2) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Local-p on one query: |j - p| <= 4 in f32 and the Gaussian factor
// exp((j - p)^2 * -2/16) on the normalized weights.
// CHECK-LABEL: func.func @softmax_local_p
// CHECK-SAME: %[[POS:[a-z0-9]+]]: tensor<f32>
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[POS]] : tensor<?xf32>, tensor<f32>)
// CHECK: math.absf
// CHECK: arith.cmpf ole
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %[[POS]] : tensor<f32>, tensor<f32>)
// CHECK: arith.divf
// CHECK: %[[COEFF:.+]] = arith.constant -1.250000e-01 : f32
// CHECK: %[[X:.+]] = arith.mulf %{{.+}}, %[[COEFF]] : f32
// CHECK: %[[G:.+]] = math.exp %[[X]] : f32
// CHECK: arith.mulf %{{.+}}, %[[G]] : f32
func.func @softmax_local_p(%e: tensor<?xf32>, %p: tensor<f32>) -> tensor<?xf32> {
  %0 = attn.softmax %e mask<window> window(4) positions(%p) gaussian : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// context: weights times values, as a batch_matmul for a batch, and via a
// block of one for a single query.
// CHECK-LABEL: func.func @context
// CHECK-SAME: (%[[A:.+]]: tensor<4x?x?xf32>, %[[V:.+]]: tensor<4x?x32xf32>, %[[A1:.+]]: tensor<?xf32>, %[[KEYS:.+]]: tensor<?x128xf32>)
// CHECK: %[[Z:.+]] = linalg.batch_matmul ins(%[[A]], %[[V]] : tensor<4x?x?xf32>, tensor<4x?x32xf32>)
// CHECK: %[[A2:.+]] = tensor.expand_shape %[[A1]] {{\[}}[0, 1]] output_shape [1, %{{.+}}] : tensor<?xf32> into tensor<1x?xf32>
// CHECK: %[[Z1:.+]] = linalg.matmul ins(%[[A2]], %[[KEYS]] : tensor<1x?xf32>, tensor<?x128xf32>)
// CHECK: %[[Z2:.+]] = tensor.collapse_shape %[[Z1]] {{\[}}[0, 1]] : tensor<1x128xf32> into tensor<128xf32>
// CHECK: return %[[Z]], %[[Z2]]
func.func @context(%a: tensor<4x?x?xf32>, %v: tensor<4x?x32xf32>, %a1: tensor<?xf32>, %keys: tensor<?x128xf32>) -> (tensor<4x?x32xf32>, tensor<128xf32>) {
  %0 = attn.context %a, %v : (tensor<4x?x?xf32>, tensor<4x?x32xf32>) -> tensor<4x?x32xf32>
  %1 = attn.context %a1, %keys : (tensor<?xf32>, tensor<?x128xf32>) -> tensor<128xf32>
  return %0, %1 : tensor<4x?x32xf32>, tensor<128xf32>
}

// -----

// A result type more static than the computed one gets a tensor.cast.
// CHECK-LABEL: func.func @cast_result
// CHECK: %[[C:.+]] = linalg.batch_matmul
// CHECK: %[[R:.+]] = tensor.cast %[[C]] : tensor<?x?x32xf32> to tensor<4x?x32xf32>
// CHECK: return %[[R]]
func.func @cast_result(%a: tensor<?x?x?xf32>, %v: tensor<?x?x32xf32>) -> tensor<4x?x32xf32> {
  %0 = attn.context %a, %v : (tensor<?x?x?xf32>, tensor<?x?x32xf32>) -> tensor<4x?x32xf32>
  return %0 : tensor<4x?x32xf32>
}

// -----

// attention, one head: score -> softmax -> context; the weights result is
// the softmax.
// CHECK-LABEL: func.func @attention_one_head
// CHECK: linalg.matmul_transpose_b
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: %[[W:.+]] = linalg.generic
// CHECK: arith.divf
// CHECK: %[[O:.+]] = linalg.matmul ins(%[[W]], %{{.+}} :
// CHECK: return %[[O]], %[[W]]
// CHECK-NOT: attn.
func.func @attention_one_head(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %v: tensor<?x64xf32>) -> (tensor<?x64xf32>, tensor<?x?xf32>) {
  %o, %w = attn.attention dot %q, %k, %v mask<causal> : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>) -> (tensor<?x64xf32>, tensor<?x?xf32>)
  return %o, %w : tensor<?x64xf32>, tensor<?x?xf32>
}

// -----

// attention, four heads: split [N, 32] -> [N, 4, 8] -> [4, N, 8], attend per
// head as a batch, and merge with one generic that writes a plain [N, 32]
// empty (element (i, c) from head c floordiv 8, feature c mod 8).
// CHECK: #[[MERGE:.+]] = affine_map<(d0, d1) -> (d1 floordiv 8, d0, d1 mod 8)>
// CHECK: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @attention_heads
// CHECK-SAME: (%[[Q:.+]]: tensor<?x32xf32>, %[[K:.+]]: tensor<?x32xf32>, %[[V:.+]]: tensor<?x32xf32>)
// CHECK: %[[QX:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0], [1, 2]] output_shape [%{{.+}}, 4, 8] : tensor<?x32xf32> into tensor<?x4x8xf32>
// CHECK: %[[QT:.+]] = linalg.transpose ins(%[[QX]] : tensor<?x4x8xf32>) outs(%{{.+}} : tensor<4x?x8xf32>) permutation = [1, 0, 2]
// CHECK: %[[KT:.+]] = linalg.transpose
// CHECK: %[[VT:.+]] = linalg.transpose
// CHECK: %[[SCALE:.+]] = arith.constant 0.353553385 : f32
// CHECK: %[[QS:.+]] = linalg.generic {{.*}} ins(%[[QT]] :
// CHECK: arith.mulf %{{.+}}, %[[SCALE]]
// CHECK: linalg.batch_matmul_transpose_b ins(%[[QS]], %[[KT]] : tensor<4x?x8xf32>, tensor<4x?x8xf32>)
// CHECK: arith.addf
// CHECK: %[[W:.+]] = linalg.generic
// CHECK: arith.divf
// CHECK: %[[OH:.+]] = linalg.batch_matmul ins(%[[W]], %[[VT]] : tensor<4x?x?xf32>, tensor<4x?x8xf32>)
// CHECK: %[[OUT:.+]] = tensor.empty(%{{.+}}) : tensor<?x32xf32>
// CHECK: %[[O:.+]] = linalg.generic {indexing_maps = [#[[MERGE]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[OH]] : tensor<4x?x8xf32>) outs(%[[OUT]] : tensor<?x32xf32>)
// CHECK: return %[[O]], %[[W]]
func.func @attention_heads(%q: tensor<?x32xf32>, %k: tensor<?x32xf32>, %v: tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<4x?x?xf32>) {
  %o, %w = attn.attention scaled_dot %q, %k, %v heads(4) mask<causal> : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<4x?x?xf32>)
  return %o, %w : tensor<?x32xf32>, tensor<4x?x?xf32>
}

// -----

// Heads with a batch dim: lengths [B] index the batch dim of the weights
// [B, heads, Nq, Nk], not the heads dim.
// CHECK: #[[LEN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func.func @attention_heads_padding
// CHECK-SAME: %[[LENS:[a-z0-9]+]]: tensor<2xi64>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[LEN]], #{{.+}}]
// CHECK-SAME: ins(%{{.+}}, %[[LENS]] : tensor<2x2x?x?xf32>, tensor<2xi64>)
func.func @attention_heads_padding(%q: tensor<2x?x16xf32>, %k: tensor<2x?x16xf32>, %v: tensor<2x?x16xf32>, %len: tensor<2xi64>) -> tensor<2x?x16xf32> {
  %o = attn.attention dot %q, %k, %v heads(2) mask<padding> lengths(%len) : (tensor<2x?x16xf32>, tensor<2x?x16xf32>, tensor<2x?x16xf32>, tensor<2xi64>) -> tensor<2x?x16xf32>
  return %o : tensor<2x?x16xf32>
}

// -----

// Heads on a single query: the query splits without a transpose, the output
// merges by collapsing.
// CHECK-LABEL: func.func @attention_heads_single
// CHECK-SAME: (%[[S:.+]]: tensor<16xf32>,
// CHECK: tensor.expand_shape %[[S]] {{\[}}[0, 1]] output_shape [2, 8] : tensor<16xf32> into tensor<2x8xf32>
// CHECK: %[[OH:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2]] : tensor<2x1x8xf32> into tensor<2x8xf32>
// CHECK: %[[O:.+]] = tensor.collapse_shape %[[OH]] {{\[}}[0, 1]] : tensor<2x8xf32> into tensor<16xf32>
// CHECK: return %[[O]]
func.func @attention_heads_single(%s: tensor<16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>) -> tensor<16xf32> {
  %o = attn.attention dot %s, %k, %v heads(2) : (tensor<16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<16xf32>
  return %o : tensor<16xf32>
}

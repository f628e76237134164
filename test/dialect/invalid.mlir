// RUN: attn-opt %s --split-input-file --verify-diagnostics

// Keys need a row and a feature dimension.
func.func @keys_rank(%q: tensor<64xf32>, %k: tensor<64xf32>) {
  // expected-error @+1 {{'keys' must have rank >= 2 ([..., rows, features]), got [64]}}
  %0 = attn.score dot %q, %k : (tensor<64xf32>, tensor<64xf32>) -> tensor<?xf32>
  return
}

// -----

// A query is a block (same rank as the keys) or a single query (one less).
func.func @query_rank(%q: tensor<2x8x64xf32>, %k: tensor<8x64xf32>) {
  // expected-error @+1 {{'query' must have rank 2 (a block of queries) or 1 (a single query) to match 'keys' [8, 64], got [2, 8, 64]}}
  %0 = attn.score dot %q, %k : (tensor<2x8x64xf32>, tensor<8x64xf32>) -> tensor<2x8x8xf32>
  return
}

// -----

// Batch dimensions of query and keys must agree.
func.func @batch_mismatch(%q: tensor<4x8x64xf32>, %k: tensor<5x8x64xf32>) {
  // expected-error @+1 {{batch dimension 0 of 'query' (4) does not match 'keys' (5)}}
  %0 = attn.score dot %q, %k : (tensor<4x8x64xf32>, tensor<5x8x64xf32>) -> tensor<4x8x8xf32>
  return
}

// -----

// The scores of a block of queries are [B..., Nq, Nk].
func.func @score_result(%q: tensor<6x64xf32>, %k: tensor<8x64xf32>) {
  // expected-error @+1 {{'result' must have shape [6, 8] ([B..., Nq, Nk]), got [8, 6]}}
  %0 = attn.score dot %q, %k : (tensor<6x64xf32>, tensor<8x64xf32>) -> tensor<8x6xf32>
  return
}

// -----

// The scores of a single query are [B..., Nk].
func.func @single_query_result(%s: tensor<64xf32>, %k: tensor<8x64xf32>) {
  // expected-error @+1 {{'result' must have shape [8] ([B..., Nk]), got [1, 8]}}
  %0 = attn.score scaled_dot %s, %k : (tensor<64xf32>, tensor<8x64xf32>) -> tensor<1x8xf32>
  return
}

// -----

// dot: queries and keys of one feature size.
func.func @dot_features(%q: tensor<?x64xf32>, %k: tensor<?x32xf32>) {
  // expected-error @+1 {{dot score needs queries and keys of the same feature size, got 64 and 32}}
  %0 = attn.score dot %q, %k : (tensor<?x64xf32>, tensor<?x32xf32>) -> tensor<?x?xf32>
  return
}

// -----

// dot takes no parameters.
func.func @dot_with_w(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+1 {{dot score takes no 'W' parameter}}
  %0 = attn.score dot %q, %k W(%w) : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x?xf32>
  return
}

// -----

// scaled_dot: the scale must be usable.
func.func @scaled_dot_negative_scale(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>) {
  // expected-error @+1 {{'scale' must be a positive finite number, got -1}}
  %0 = attn.score scaled_dot %q, %k scale(-1.0) : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  return
}

// -----

// scaled_dot: a zero scale makes every score equal; refuse it.
func.func @scaled_dot_zero_scale(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>) {
  // expected-error @+1 {{'scale' must be a positive finite number, got 0}}
  %0 = attn.score scaled_dot %q, %k scale(0.0) : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  return
}

// -----

// A scale belongs to scaled_dot only.
func.func @dot_with_scale(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>) {
  // expected-error @+1 {{'scale' only applies to the scaled_dot score, not dot}}
  %0 = attn.score dot %q, %k scale(0.5) : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  return
}

// -----

// general needs its bilinear matrix.
func.func @general_without_w(%q: tensor<?x64xf32>, %k: tensor<?x32xf32>) {
  // expected-error @+1 {{general score needs a 'W' parameter}}
  %0 = attn.score general %q, %k : (tensor<?x64xf32>, tensor<?x32xf32>) -> tensor<?x?xf32>
  return
}

// -----

// general: W is [query features, key features].
func.func @general_w_shape(%q: tensor<?x64xf32>, %k: tensor<?x32xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{general score needs W of shape [64, 32] (query features x key features), got [32, 64]}}
  %0 = attn.score general %q, %k W(%w) : (tensor<?x64xf32>, tensor<?x32xf32>, tensor<32x64xf32>) -> tensor<?x?xf32>
  return
}

// -----

// general takes no U.
func.func @general_with_u(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+1 {{general score takes no 'U' parameter}}
  %0 = attn.score general %q, %k W(%w) U(%w) : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<?x?xf32>
  return
}

// -----

// additive without U takes keys already projected to the attention size.
func.func @additive_without_u(%s: tensor<64xf32>, %k: tensor<?x128xf32>, %w: tensor<32x64xf32>, %v: tensor<32xf32>) {
  // expected-error @+1 {{additive score without U takes projected keys (U h_j) of the attention size 32, got keys of 128 features}}
  %0 = attn.score additive %s, %k W(%w) v(%v) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?xf32>
  return
}

// -----

// additive: W projects the query.
func.func @additive_w_shape(%s: tensor<64xf32>, %k: tensor<?x128xf32>, %w: tensor<32x128xf32>, %u: tensor<32x128xf32>, %v: tensor<32xf32>) {
  // expected-error @+1 {{additive score needs W of shape [A, 64] (attention size x query features), got [32, 128]}}
  %0 = attn.score additive %s, %k W(%w) U(%u) v(%v) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x128xf32>, tensor<32x128xf32>, tensor<32xf32>) -> tensor<?xf32>
  return
}

// -----

// additive: U projects the keys.
func.func @additive_u_shape(%s: tensor<64xf32>, %k: tensor<?x128xf32>, %w: tensor<32x64xf32>, %u: tensor<32x64xf32>, %v: tensor<32xf32>) {
  // expected-error @+1 {{additive score needs U of shape [A, 128] (attention size x key features), got [32, 64]}}
  %0 = attn.score additive %s, %k W(%w) U(%u) v(%v) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?xf32>
  return
}

// -----

// additive: W and U project into one attention space.
func.func @additive_attention_size(%s: tensor<64xf32>, %k: tensor<?x128xf32>, %w: tensor<32x64xf32>, %u: tensor<16x128xf32>, %v: tensor<32xf32>) {
  // expected-error @+1 {{additive score needs W and U of the same attention size, got 32 and 16}}
  %0 = attn.score additive %s, %k W(%w) U(%u) v(%v) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<16x128xf32>, tensor<32xf32>) -> tensor<?xf32>
  return
}

// -----

// additive: v reduces the attention space to one score.
func.func @additive_v_shape(%s: tensor<64xf32>, %k: tensor<?x128xf32>, %w: tensor<32x64xf32>, %u: tensor<32x128xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{additive score needs v of shape [32] (the attention size), got [16]}}
  %0 = attn.score additive %s, %k W(%w) U(%u) v(%v) : (tensor<64xf32>, tensor<?x128xf32>, tensor<32x64xf32>, tensor<32x128xf32>, tensor<16xf32>) -> tensor<?xf32>
  return
}

// -----

// cosine: queries and keys of one feature size.
func.func @cosine_features(%q: tensor<2x?x64xf32>, %k: tensor<2x?x32xf32>) {
  // expected-error @+1 {{cosine score needs queries and keys of the same feature size, got 64 and 32}}
  %0 = attn.score cosine %q, %k : (tensor<2x?x64xf32>, tensor<2x?x32xf32>) -> tensor<2x?x?xf32>
  return
}

// -----

// location: W maps the query to one score per position.
func.func @location_w_shape(%s: tensor<64xf32>, %k: tensor<?x128xf32>, %w: tensor<50x128xf32>) {
  // expected-error @+1 {{location score needs W of shape [L, 64] (positions x query features), got [50, 128]}}
  %0 = attn.score location %s, %k W(%w) : (tensor<64xf32>, tensor<?x128xf32>, tensor<50x128xf32>) -> tensor<?xf32>
  return
}

// -----

// location: W must cover every key position.
func.func @location_too_few_positions(%s: tensor<64xf32>, %k: tensor<20x128xf32>, %w: tensor<10x64xf32>) {
  // expected-error @+1 {{location score's W covers 10 positions but there are 20 keys}}
  %0 = attn.score location %s, %k W(%w) : (tensor<64xf32>, tensor<20x128xf32>, tensor<10x64xf32>) -> tensor<20xf32>
  return
}

// -----

// Scores are f32 tensors.
func.func @score_element_type(%q: tensor<?x64xf16>, %k: tensor<?x64xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %0 = attn.score dot %q, %k : (tensor<?x64xf16>, tensor<?x64xf32>) -> tensor<?x?xf32>
  return
}

// -----

// An unknown score kind is a parse error that lists the valid kinds.
func.func @unknown_score_kind(%q: tensor<?x64xf32>, %k: tensor<?x64xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'kind' [dot, scaled_dot, general, additive, cosine, location]}}
  %0 = attn.score bilinear %q, %k : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x?xf32>
  return
}

// -----

// Softmax needs a key dimension.
func.func @softmax_scalar(%e: tensor<f32>) {
  // expected-error @+1 {{scores must have rank >= 1 (the key dimension)}}
  %0 = attn.softmax %e : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// Softmax keeps the type of its input.
func.func @softmax_type(%e: tensor<8xf32>) {
  // expected-error @+1 {{all of {input, result} have same type}}
  %0 = attn.softmax %e : (tensor<8xf32>) -> tensor<9xf32>
  return
}

// -----

// causal: a single query has no index to compare keys against.
func.func @causal_single_query(%e: tensor<?xf32>) {
  // expected-error @+1 {{causal mask needs a block of queries, got a single query}}
  %0 = attn.softmax %e mask<causal> : (tensor<?xf32>) -> tensor<?xf32>
  return
}

// -----

// An unknown mask kind is a parse error.
func.func @unknown_mask(%e: tensor<?x?xf32>) {
  // expected-error @+2 {{expected ::mlir::attn::MaskKind to be one of: none, causal, padding, window}}
  // expected-error @+1 {{failed to parse Attn_MaskKindAttr parameter 'value'}}
  %0 = attn.softmax %e mask<causal|sideways> : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return
}

// -----

// padding: the lengths operand says where each sequence ends.
func.func @padding_without_lengths(%e: tensor<4x?x?xf32>) {
  // expected-error @+1 {{padding mask needs a 'lengths' operand}}
  %0 = attn.softmax %e mask<padding> : (tensor<4x?x?xf32>) -> tensor<4x?x?xf32>
  return
}

// -----

// lengths without a padding mask would be silently ignored; refuse them.
func.func @lengths_without_padding(%e: tensor<4x?x?xf32>, %len: tensor<4xi32>) {
  // expected-error @+1 {{'lengths' is given but the mask does not include padding}}
  %0 = attn.softmax %e mask<causal> lengths(%len) : (tensor<4x?x?xf32>, tensor<4xi32>) -> tensor<4x?x?xf32>
  return
}

// -----

// padding: one length per sequence of the batch.
func.func @lengths_shape(%e: tensor<4x?x?xf32>, %len: tensor<3xi32>) {
  // expected-error @+1 {{'lengths' of shape [3] must match leading dimensions of the scores' batch and query dimensions [4, ?]}}
  %0 = attn.softmax %e mask<padding> lengths(%len) : (tensor<4x?x?xf32>, tensor<3xi32>) -> tensor<4x?x?xf32>
  return
}

// -----

// padding: lengths are integers.
func.func @lengths_type(%e: tensor<4x?x?xf32>, %len: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer or index values, but got 'tensor<4xf32>'}}
  %0 = attn.softmax %e mask<padding> lengths(%len) : (tensor<4x?x?xf32>, tensor<4xf32>) -> tensor<4x?x?xf32>
  return
}

// -----

// window: the mask needs its half-width.
func.func @window_without_size(%e: tensor<?x?xf32>) {
  // expected-error @+1 {{window mask needs a 'window' size}}
  %0 = attn.softmax %e mask<window> : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return
}

// -----

// window: a negative half-width keeps nothing.
func.func @window_negative(%e: tensor<?x?xf32>) {
  // expected-error @+1 {{window size must be non-negative, got -1}}
  %0 = attn.softmax %e mask<window> window(-1) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return
}

// -----

// window: a size without the window mask would be silently ignored.
func.func @window_size_without_mask(%e: tensor<?x?xf32>) {
  // expected-error @+1 {{'window' size is given but the mask does not include window}}
  %0 = attn.softmax %e mask<causal> window(4) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return
}

// -----

// window: one decoder step has no query index, so it needs the center.
func.func @window_single_query(%e: tensor<?xf32>) {
  // expected-error @+1 {{window mask on a single query needs 'positions' (the window center)}}
  %0 = attn.softmax %e mask<window> window(4) : (tensor<?xf32>) -> tensor<?xf32>
  return
}

// -----

// window: one center per query.
func.func @positions_shape(%e: tensor<2x5x?xf32>, %p: tensor<2xf32>) {
  // expected-error @+1 {{'positions' must have shape [2, 5] (one window center per query), got [2]}}
  %0 = attn.softmax %e mask<window> window(4) positions(%p) : (tensor<2x5x?xf32>, tensor<2xf32>) -> tensor<2x5x?xf32>
  return
}

// -----

// positions only mean something for a window.
func.func @positions_without_window(%e: tensor<?xf32>, %p: tensor<f32>) {
  // expected-error @+1 {{'positions' only apply to a window mask}}
  %0 = attn.softmax %e positions(%p) : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

// The Gaussian of local-p is centered on the window.
func.func @gaussian_without_window(%e: tensor<?x?xf32>) {
  // expected-error @+1 {{'gaussian' weighting needs a window mask}}
  %0 = attn.softmax %e gaussian : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return
}

// -----

// context: one weight per value row.
func.func @context_rows(%a: tensor<3x8xf32>, %v: tensor<7x16xf32>) {
  // expected-error @+1 {{'weights' cover 8 keys but 'values' has 7 rows}}
  %0 = attn.context %a, %v : (tensor<3x8xf32>, tensor<7x16xf32>) -> tensor<3x16xf32>
  return
}

// -----

// context: the result is [B..., Nq, dv].
func.func @context_result(%a: tensor<3x8xf32>, %v: tensor<8x16xf32>) {
  // expected-error @+1 {{'result' must have shape [3, 16] ([B..., Nq, dv]), got [3, 8]}}
  %0 = attn.context %a, %v : (tensor<3x8xf32>, tensor<8x16xf32>) -> tensor<3x8xf32>
  return
}

// -----

// context: values need rows and features.
func.func @context_values_rank(%a: tensor<8xf32>, %v: tensor<8xf32>) {
  // expected-error @+1 {{'values' must have rank >= 2 ([..., rows, features]), got [8]}}
  %0 = attn.context %a, %v : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

// attention: one value per key.
func.func @attention_values(%q: tensor<4x64xf32>, %k: tensor<8x64xf32>, %v: tensor<9x32xf32>) {
  // expected-error @+1 {{'values' must match 'keys' in all but the last dimension, got [9, 32] and [8, 64]}}
  %0 = attn.attention dot %q, %k, %v : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<9x32xf32>) -> tensor<4x32xf32>
  return
}

// -----

// attention: at least one head.
func.func @attention_zero_heads(%q: tensor<4x64xf32>, %k: tensor<8x64xf32>) {
  // expected-error @+1 {{'heads' must be at least 1, got 0}}
  %0 = attn.attention dot %q, %k, %k heads(0) : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<4x64xf32>
  return
}

// -----

// attention: the heads split every feature dimension evenly.
func.func @attention_heads_divide(%q: tensor<4x60xf32>, %k: tensor<8x60xf32>) {
  // expected-error @+1 {{'heads' (8) must divide the feature size of 'query' (60)}}
  %0 = attn.attention scaled_dot %q, %k, %k heads(8) : (tensor<4x60xf32>, tensor<8x60xf32>, tensor<8x60xf32>) -> tensor<4x60xf32>
  return
}

// -----

// attention: score parameters are checked against the per-head sizes.
func.func @attention_general_per_head(%q: tensor<4x64xf32>, %k: tensor<8x64xf32>, %w: tensor<64x64xf32>) {
  // expected-error @+1 {{general score needs W of shape [32, 32] (query features x key features), got [64, 64]}}
  %0 = attn.attention general %q, %k, %k W(%w) heads(2) : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  return
}

// -----

// attention: causal needs a query block, also in the fused op.
func.func @attention_causal_single(%s: tensor<64xf32>, %k: tensor<8x64xf32>) {
  // expected-error @+1 {{causal mask needs a block of queries, got a single query}}
  %0 = attn.attention dot %s, %k, %k mask<causal> : (tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<64xf32>
  return
}

// -----

// attention: the output is [B..., Nq, dv].
func.func @attention_output(%q: tensor<4x64xf32>, %k: tensor<8x64xf32>, %v: tensor<8x32xf32>) {
  // expected-error @+1 {{'output' must have shape [4, 32] ([B..., Nq, dv]), got [4, 64]}}
  %0 = attn.attention dot %q, %k, %v : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x32xf32>) -> tensor<4x64xf32>
  return
}

// -----

// attention: with several heads the weights carry a head dimension.
func.func @attention_weights(%q: tensor<4x64xf32>, %k: tensor<8x64xf32>) {
  // expected-error @+1 {{'weights' must have shape [2, 4, 8] ([B..., heads, Nq, Nk]), got [4, 8]}}
  %0:2 = attn.attention dot %q, %k, %k heads(2) : (tensor<4x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<4x64xf32>, tensor<4x8xf32>)
  return
}

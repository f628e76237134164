//===- AttentionBuilder.h - Attention semantics for lowerings ---*- C++ -*-===//
//
// The score kinds, the mask test and the normalization of a softmax row,
// written once for convert-attn-to-linalg (all keys in one block) and
// attn-tile (blocks of queries against blocks of keys). The semantics are
// those of docs/AttnDialect.md.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_PASSES_ATTENTIONBUILDER_H
#define ATTNC_PASSES_ATTENTIONBUILDER_H

#include "passes/TensorBuilder.h"

namespace mlir::attn {

/// The operands of a score function after the work done once per op
/// (AttentionBuilder::prepareScores).
struct ScoreInputs {
  ScoreKind kind;
  /// Rows in any leading dims. Keys of a lower rank than the queries are one
  /// matrix shared by every group and head (location: rows of W).
  Value queries, keys;
  Value v;                    // additive: v [A]
  Value queryNorms, keyNorms; // cosine: the row norms, when precomputed
};

/// Builds what attention means on tensors, on top of TensorBuilder.
class AttentionBuilder : public TensorBuilder {
public:
  using TensorBuilder::TensorBuilder;

  //===--------------------------------------------------------------------===//
  // Scores
  //===--------------------------------------------------------------------===//

  /// The work of `spec`'s kind done once per op, before any block of
  /// scores, on queries [..., dq] and keys [..., Nk, dk]: scaled_dot scales
  /// the queries; general multiplies them by W (s^T W h_j = (W^T s) . h_j);
  /// additive computes W s_i and U h_j (without U the keys are projected
  /// already); location takes the first `numKeys` rows of W as the keys;
  /// cosine computes the row norms of the queries and keys, unless
  /// `withNorms` is false (then blockScores computes them after the product,
  /// which is all the same when there is one block).
  ScoreInputs prepareScores(const ScoreSpec &spec, Value queries, Value keys,
                            OpFoldResult numKeys, bool withNorms = true);

  /// The scores of a block of prepared queries [G?, n, d] against a block of
  /// prepared keys [G?, m, d] (or a shared [m, d]), written into `init`
  /// ([G?, n, m], zero-filled here) or into a new tensor when `init` is null.
  /// cosine reads the norms of the block's queries [G?, n] and keys [G?, m],
  /// or computes them when they are null.
  Value blockScores(const ScoreInputs &in, Value queries, Value keys,
                    Value queryNorms = {}, Value keyNorms = {},
                    Value init = {});

  /// The scaled_dot factor: the `scale` attribute or 1/sqrt(dk), with dk
  /// (the last dim of `keys`) read at run time when it is dynamic.
  Value scaleFactor(const ScoreSpec &spec, Value keys);

  /// v^T tanh(ws_i + uh_j) for ws [G?, n, A], uh [G?, m, A], v [A], into
  /// `init` ([G?, n, m], zero-filled here) or a new tensor when null.
  Value additiveScores(Value ws, Value uh, Value v, Value init = {});

  /// dots / max(|q_i| |k_j|, 1e-8), in place of `dots` [G?, n, m], for the
  /// norms [G?, n] and [G?, m]: a zero vector scores 0, not NaN.
  Value cosineScores(Value dots, Value queryNorms, Value keyNorms);

  //===--------------------------------------------------------------------===//
  // Masks and normalization (inside linalg.generic bodies)
  //===--------------------------------------------------------------------===//

  /// Whether `mask` keeps key `j` for query `i` (index values; `i` may be
  /// null unless mask.usesQueryIndex()). `length` (any integer type) is the
  /// query's padding length, null where no key past it can be visited;
  /// `center` (f32) the window center, null for a window around `i`.
  /// Returns null when every key is kept.
  static Value keepKey(OpBuilder &nb, Location nl, const MaskSpec &mask,
                       Value i, Value j, Value length, Value center);

  /// x / sum where sum > 0 (and `keep`, when given), else 0: a softmax row
  /// without any kept key is 0, never NaN. `scale`, when given, is applied
  /// to the quotient before the choice.
  static Value divideBySumOrZero(OpBuilder &nb, Location nl, Value x, Value sum,
                                 Value keep = {},
                                 function_ref<Value(Value)> scale = nullptr);

  /// An index as an f32.
  static Value indexToF32(OpBuilder &nb, Location nl, Value index);
};

} // namespace mlir::attn

#endif // ATTNC_PASSES_ATTENTIONBUILDER_H

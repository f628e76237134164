//===- AttnOps.h - The attn dialect, its attributes and ops -----*- C++ -*-===//

#ifndef ATTNC_DIALECT_ATTNOPS_H
#define ATTNC_DIALECT_ATTNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/AttnDialect.h.inc"
#include "dialect/AttnEnums.h.inc"
#include "dialect/AttnModelAttrs.h"

#define GET_ATTRDEF_CLASSES
#include "dialect/AttnAttrs.h.inc"

namespace mlir::attn {

/// A score function and its parameters: what attn.score and attn.attention
/// give through ScoreOpInterface, the verifiers check and the lowerings build.
struct ScoreSpec {
  ScoreKind kind;
  Value w, u, v;   // null where the kind takes none (U is optional)
  FloatAttr scale; // scaled_dot's factor; null for 1/sqrt(dk)
};

/// A mask and its operands: what attn.softmax and attn.attention give
/// through MaskOpInterface.
struct MaskSpec {
  MaskKind kind = MaskKind::none;
  std::optional<int64_t> window; // the window size, when given
  Value lengths;                 // padding: per sequence or per query
  Value positions;               // window centers; null: the query index
  bool gaussian = false;

  bool has(MaskKind bit) const { return bitEnumContainsAll(kind, bit); }

  /// Whether the mask tests the query index: causal, or a window centered
  /// on the query.
  bool usesQueryIndex() const {
    return has(MaskKind::causal) || (has(MaskKind::window) && !positions);
  }
};

} // namespace mlir::attn

#include "dialect/AttnInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialect/AttnOps.h.inc"

namespace mlir::attn {

/// The scores type of `query` ([B..., Nq, dq] or [B..., dq]) against `keys`
/// ([B..., Nk, dk]): [B..., Nq, Nk] or [B..., Nk].
RankedTensorType getScoresType(RankedTensorType query, RankedTensorType keys);

/// The context type of `weights` ([B..., Nq, Nk] or [B..., Nk]) over
/// `values` ([B..., Nk, dv]): [B..., Nq, dv] or [B..., dv].
RankedTensorType getContextType(RankedTensorType weights,
                                RankedTensorType values);

} // namespace mlir::attn

#endif // ATTNC_DIALECT_ATTNOPS_H

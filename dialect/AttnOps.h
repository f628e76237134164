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

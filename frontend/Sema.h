//===- Sema.h - Names, dims, shapes and types of a .attn model --*- C++ -*-===//

#ifndef ATTNC_FRONTEND_SEMA_H
#define ATTNC_FRONTEND_SEMA_H

#include "frontend/AST.h"
#include "frontend/Source.h"

#include "mlir/Support/LogicalResult.h"

namespace attnc {

/// Checks `model` and annotates it: constants are evaluated, declared types
/// resolved, every expression in a function body gets its type and every
/// builtin call a CallInfo (Builtins.h). Reports every error it finds (it
/// goes on after a bad statement or argument) and fails if there was any.
mlir::LogicalResult checkModel(ModelDecl &model, const Source &source);

/// Printed as `f32[S, 64]`.
std::string formatType(const ModelDecl &model, const Type &type);

} // namespace attnc

#endif // ATTNC_FRONTEND_SEMA_H

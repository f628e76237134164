//===- Sema.h - Names, dims, shapes and types of a .attn model --*- C++ -*-===//

#ifndef ATTNC_FRONTEND_SEMA_H
#define ATTNC_FRONTEND_SEMA_H

#include "frontend/AST.h"
#include "frontend/Source.h"

#include "mlir/Support/LogicalResult.h"

namespace attnc {

/// Checks `model` and annotates it: constants are evaluated, declared types
/// resolved, every expression in a function body gets its type. Reports every
/// error it finds (it goes on after a bad statement) and fails if there was
/// any.
mlir::LogicalResult checkModel(ModelDecl &model, const Source &source);

/// `mask = causal | padding(len) | window(4, at = p) | local(4, at = p)`
/// decoded. Terms point into the expression they came from.
struct MaskSpec {
  bool causal = false;
  const Expr *lengths = nullptr;     // padding(lengths)
  std::optional<int64_t> window;     // window(n) / local(n)
  const Expr *center = nullptr;      // at = positions
  bool gaussian = false;             // local(...)
};

/// Decodes a mask expression that Sema has accepted.
MaskSpec decodeMask(const Expr &mask);

/// The value of a compile-time constant expression (literals, constants
/// already folded by Sema, + - * /), or nullopt.
std::optional<double> evalConstant(const Expr &expr);

/// Printed as `f32[S, 64]`.
std::string formatType(const ModelDecl &model, const Type &type);

} // namespace attnc

#endif // ATTNC_FRONTEND_SEMA_H

//===- InterfaceAttrs.h - The C interface of a checked model ----*- C++ -*-===//

#ifndef ATTNC_FRONTEND_INTERFACEATTRS_H
#define ATTNC_FRONTEND_INTERFACEATTRS_H

#include "frontend/AST.h"

#include "dialect/AttnOps.h"

#include <string>

namespace attnc {

/// The symbol of `fn`'s kernel: `__attnc_<model>_<fn>`.
std::string getKernelName(const ModelDecl &model, const FnDecl &fn);

/// The `#attn.model` that describes the C interface of a model Sema
/// accepted: its dims, its params in declaration order, and per fn the
/// kernel, the inputs with their range checks, and the outputs.
mlir::attn::ModelAttr buildModelAttr(mlir::MLIRContext &context,
                                     const ModelDecl &model);

} // namespace attnc

#endif // ATTNC_FRONTEND_INTERFACEATTRS_H

//===- MLIRGen.h - From a checked .attn model to MLIR -----------*- C++ -*-===//

#ifndef ATTNC_FRONTEND_MLIRGEN_H
#define ATTNC_FRONTEND_MLIRGEN_H

#include "frontend/AST.h"
#include "frontend/Source.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace attnc {

/// Emits one kernel `func.func` per `fn` of a model that Sema accepted, on
/// tensors, in the attn dialect plus linalg/tensor/arith/math, with the
/// source location of each construct on its ops. Kernels take every param,
/// then the inputs, then one destination tensor per output, and return the
/// outputs materialized in those destinations.
///
/// The module describes the model's C interface in one typed attribute
/// (dialect/AttnModelAttrs.td, built by InterfaceAttrs.h) that the later
/// stages read: attn-emit-c-interface for the wrappers, attnc for the
/// header. For `model s2s { dim S <= 20 ... }`:
///   attn.model = #attn.model<"s2s", dims = [#attn.dim<"S", max = 20>],
///     params = [#attn.arg<"emb" : f32[10, 4]>, ...],
///     entries = [#attn.entry<"encode", kernel = @__attnc_s2s_encode,
///       inputs = [#attn.arg<"src" : i32[S], checks = [#attn.range<max = 9,
///                   what = "an id of the embedding table 'emb'">]>],
///       outputs = [#attn.arg<"keys" : f32[S, 6]>]>, ...]>
/// An i32 input whose values index memory has one range check per use: the
/// C interface checks each value is in [0, max] before the kernel runs.
mlir::OwningOpRef<mlir::ModuleOp> emitModule(mlir::MLIRContext &context,
                                             const ModelDecl &model,
                                             const Source &source);

/// Registers the dialects MLIRGen emits.
void loadFrontendDialects(mlir::MLIRContext &context);

} // namespace attnc

#endif // ATTNC_FRONTEND_MLIRGEN_H

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
/// The module describes the model's C interface in attributes that later
/// stages (C interface, header) read:
///   attn.model   = "name"
///   attn.dims    = [{name = "S", max = 512}]            (max only if bounded)
///   attn.params  = [{name = "wq", dtype = "f32", shape = [64, 64]}]
///   attn.entries = [{name = "forward", kernel = "__attnc_<model>_forward",
///                    inputs = [{name, dtype, shape}], outputs = [...]}]
/// where a shape lists integers and, for run-time dims, their names. An i32
/// input whose values index memory also has
///   checks = [{max = 39 or "S", what = "an id of the embedding table 'emb'"}]
/// and the C interface checks each value is in [0, max] before the call.
mlir::OwningOpRef<mlir::ModuleOp> emitModule(mlir::MLIRContext &context,
                                             const ModelDecl &model,
                                             const Source &source);

/// Registers the dialects MLIRGen emits.
void loadFrontendDialects(mlir::MLIRContext &context);

} // namespace attnc

#endif // ATTNC_FRONTEND_MLIRGEN_H

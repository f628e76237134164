//===- CInterface.h - The C interface of a compiled model -------*- C++ -*-===//
//
// What an application sees of a model (DESIGN.md section 8): an opaque
// handle made from a safetensors file and one checked C function per entry
// point. Both come from the `attn.model` attribute (a ModelAttr) that
// MLIRGen puts on the module: the wrapper functions from the pass
// attn-emit-c-interface (passes/Passes.td), the header from emitCHeader.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_INTERFACE_CINTERFACE_H
#define ATTNC_INTERFACE_CINTERFACE_H

#include "dialect/AttnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::attn {

/// The model's interface on `module`; an error if it has none.
FailureOr<ModelAttr> lookupModel(ModuleOp module);

/// Writes the C header that declares what attn-emit-c-interface adds to
/// `module`; `sourceName` is the .attn file named in its comment.
LogicalResult emitCHeader(ModuleOp module, llvm::StringRef sourceName,
                          llvm::raw_ostream &os);

} // namespace mlir::attn

#endif // ATTNC_INTERFACE_CINTERFACE_H

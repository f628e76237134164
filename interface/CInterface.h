//===- CInterface.h - The C interface of a compiled model -------*- C++ -*-===//
//
// What an application sees of a model (DESIGN.md section 8): an opaque
// handle made from a safetensors file and one checked C function per entry
// point. Both the object's wrapper functions and the header are generated
// from the `attn.*` attributes that MLIRGen puts on the module.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_INTERFACE_CINTERFACE_H
#define ATTNC_INTERFACE_CINTERFACE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::attn {

/// Adds `<model>_create`, `<model>_destroy` and one `<model>_<fn>` per entry
/// point to a module already lowered to the LLVM dialect, and makes the
/// kernels internal. Each entry point checks the handle, every run-time dim
/// against its bounds and every pointer before it calls the kernel.
LogicalResult emitCInterface(ModuleOp module);

/// Writes the C header that declares what emitCInterface adds.
LogicalResult emitCHeader(ModuleOp module, llvm::StringRef sourceName,
                          llvm::raw_ostream &os);

} // namespace mlir::attn

#endif // ATTNC_INTERFACE_CINTERFACE_H

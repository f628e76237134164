//===- CInterface.h - The C interface of a compiled model -------*- C++ -*-===//
//
// What an application sees of a model (DESIGN.md section 8): an opaque
// handle made from a safetensors file and one checked C function per entry
// point. Both come from the `attn.model` attribute (a ModelAttr) that
// MLIRGen puts on the module: the wrapper functions from the pass
// attn-emit-c-interface (passes/Passes.td), the header from emitCHeader,
// the Python module (ctypes + numpy) from emitPythonModule.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_INTERFACE_CINTERFACE_H
#define ATTNC_INTERFACE_CINTERFACE_H

#include "dialect/AttnOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::attn {

/// The model's interface on `module`; an error if it has none.
FailureOr<ModelAttr> lookupModel(ModuleOp module);

/// The global that holds weights embedded in the object (attnc
/// --embed-weights): a safetensors image, which <model>_create opens when it
/// is given no path.
inline constexpr llvm::StringLiteral kEmbeddedWeightsSymbol =
    "__attnc_weights";

/// Adds `image` to `module` as its embedded weights: a read-only, 64-byte
/// aligned global that refers to `image` without copying it, so the bytes
/// must outlive the module.
void addEmbeddedWeights(ModuleOp module, llvm::StringRef image);

/// The embedded weights of `module`, if it has them.
LLVM::GlobalOp lookupEmbeddedWeights(ModuleOp module);

/// Where a model came from, recorded in its header and Python module.
struct HeaderProvenance {
  std::string sourceName;   // the .attn file
  std::string sourceSHA256; // of its bytes, in hex
  std::string objectName;   // the object file the "Link:" comment names
  /// The embedded weights file and its hash; empty if none are embedded.
  std::string weightsName, weightsSHA256;
  /// Where attnrt.h and libattnrt are, for the "Link:" comment.
  std::string runtimeIncludeDir, runtimeLibDir;
};

/// `f32[S, 64]`, or `i32` for a scalar: an argument's type as in the .attn
/// model, for the comments of the generated interfaces.
std::string getArgTypeText(ArgAttr arg);

/// Writes the C header that declares what attn-emit-c-interface adds to
/// `module`.
LogicalResult emitCHeader(ModuleOp module, const HeaderProvenance &provenance,
                          llvm::raw_ostream &os);

/// Writes a Python module that loads a shared library linked from the
/// object of `module` with ctypes and calls its entry points with numpy
/// arrays, checking dtypes and shapes; it records `provenance` like the
/// header.
LogicalResult emitPythonModule(ModuleOp module,
                               const HeaderProvenance &provenance,
                               llvm::raw_ostream &os);

} // namespace mlir::attn

#endif // ATTNC_INTERFACE_CINTERFACE_H

//===- Codegen.h - LLVM dialect to LLVM IR, assembly, objects ---*- C++ -*-===//

#ifndef ATTNC_CODEGEN_CODEGEN_H
#define ATTNC_CODEGEN_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::attn {

enum class OutputKind { LLVMIR, Assembly, Object };

struct CodegenOptions {
  /// -O0..-O3: the LLVM optimization pipeline and the code generator level.
  unsigned optLevel = 2;
  /// A CPU name as for `llc -mcpu` ("znver3", "x86-64-v3", ...); empty means
  /// the host CPU with its features.
  std::string cpu;
};

/// Translates `module` (in the LLVM dialect) to LLVM IR, optimizes it for the
/// host triple and the chosen CPU, and writes `kind` to `os`. Errors (an
/// untranslatable op, an unknown CPU, a target that cannot emit) are
/// reported through the module's diagnostics; nothing exits or aborts.
LogicalResult emitLLVM(ModuleOp module, OutputKind kind,
                       const CodegenOptions &options,
                       llvm::raw_pwrite_stream &os);

/// The CPU `options` selects: options.cpu, or the host CPU's name.
std::string getTargetCPU(const CodegenOptions &options);

} // namespace mlir::attn

#endif // ATTNC_CODEGEN_CODEGEN_H

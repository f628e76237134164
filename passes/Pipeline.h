//===- Pipeline.h - attnc's lowering pipeline -------------------*- C++ -*-===//

#ifndef ATTNC_PASSES_PIPELINE_H
#define ATTNC_PASSES_PIPELINE_H

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace mlir {
class DialectRegistry;

namespace attn {

/// Where the lowering stops (each is an `--emit` stage of attnc).
enum class Stage {
  Attn,        ///< attn + upstream ops on tensors, canonicalized
  Fused,       ///< score -> softmax -> context chains fused (attn-fuse)
  Tiled,       ///< attn.attention as tiled loops on tensors (attn-tile)
  Linalg,      ///< no attn op left: linalg/tensor/arith/math on tensors
  Bufferized,  ///< memrefs, outputs in the caller's buffers, BLAS calls
  LLVMDialect, ///< the LLVM dialect, ready for translateModuleToLLVMIR
};

struct PipelineOptions {
  /// 0 turns off elementwise fusion and the math approximations (libm calls).
  unsigned optLevel = 2;
  /// Products under this many flops (2*m*n*k) stay loops; see
  /// attn-matmul-to-blas in docs/PASSES.md for why 512.
  int64_t blasMinFlops = 512;
  /// Fuse and tile attention (attn-fuse, attn-tile) at optLevel > 0; off,
  /// attention keeps the unfused path (the whole score matrix).
  bool tileAttention = true;
  /// attn-tile's block sizes (defaults: the pass options' in Passes.td).
  int64_t queryBlock = AttnTileOptions().queryBlock;
  int64_t keyBlock = AttnTileOptions().keyBlock;
  /// At the LLVM stage, add the model's C entry points (attn-emit-c-interface),
  /// which needs the frontend's `attn.model` on the module.
  bool cInterface = false;
};

/// Adds to `pm` (a PassManager on ModuleOp) the passes that take frontend
/// output to `stop`.
void buildLoweringPipeline(OpPassManager &pm, Stage stop,
                           const PipelineOptions &options);

/// Registers `attnc-lower{stop=attn|fused|tiled|linalg|bufferized|llvm
/// opt-level=N blas-min-flops=N query-block=N key-block=N c-interface=0|1}`
/// for attn-opt and other mlir-opt-like tools.
void registerAttncPipelines();

/// Adds the dialects the pipeline creates and the external interface models
/// (bufferization, deallocation, subsets, ...) it relies on. A context that
/// runs the pipeline needs them: without the func model, for instance,
/// one-shot-bufferize treats every function argument as read-only.
void registerLoweringDialects(DialectRegistry &registry);

/// "attn", "fused", "tiled", "linalg", "bufferized", "llvm" <-> Stage.
std::optional<Stage> parseStage(llvm::StringRef name);
llvm::StringRef stringifyStage(Stage stage);

} // namespace attn
} // namespace mlir

#endif // ATTNC_PASSES_PIPELINE_H

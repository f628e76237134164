//===- Pipeline.h - attnc's lowering pipeline -------------------*- C++ -*-===//

#ifndef ATTNC_PASSES_PIPELINE_H
#define ATTNC_PASSES_PIPELINE_H

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mlir {
class DialectRegistry;

namespace attn {

/// Where the lowering stops.
enum class Stage {
  Attn,
  Fused,
  Tiled,
  Linalg,
  Bufferized,
  LLVMDialect,
};

/// A stage's name (attnc's `--emit=<name>`, attnc-lower's `stop=<name>`)
/// and what the IR holds there.
struct StageInfo {
  Stage stage;
  llvm::StringLiteral name;
  llvm::StringLiteral description;
};

/// Every stage, in pipeline order: the one list that attnc's --emit and
/// attnc-lower's stop option are built from.
inline constexpr StageInfo kStages[] = {
    {Stage::Attn, "attn", "the attn dialect on tensors, as the frontend emits it"},
    {Stage::Fused, "fused",
     "score -> softmax -> context fused into attn.attention (attn-fuse; "
     "-O1 and above)"},
    {Stage::Tiled, "tiled",
     "attn.attention as flash-style tiled loops on tensors (attn-tile; -O1 "
     "and above)"},
    {Stage::Linalg, "linalg",
     "no attn op left: linalg/tensor/arith/math on tensors"},
    {Stage::Bufferized, "bufferized",
     "memrefs, outputs in the caller's buffers, BLAS calls"},
    {Stage::LLVMDialect, "llvm-mlir",
     "the LLVM dialect, ready for translation to LLVM IR"},
};

/// The options of the pipeline, registered as `attnc-lower{...}`; attnc sets
/// the same fields from its command line.
struct LowerOptions : PassPipelineOptions<LowerOptions> {
  LowerOptions();

  Option<Stage> stop{*this, "stop",
                     llvm::cl::desc("The stage to stop after"),
                     llvm::cl::init(Stage::LLVMDialect)};
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimization level, 0 to 3; 0 turns off attention "
                     "fusion and tiling, elementwise fusion and the math "
                     "approximations (libm calls)"),
      llvm::cl::init(2)};
  Option<bool> unfusedAttention{
      *this, "unfused-attention",
      llvm::cl::desc("Keep attention unfused at any opt-level (score, "
                     "softmax and context with the whole score matrix, as "
                     "at opt-level 0)"),
      llvm::cl::init(false)};
  Option<int64_t> queryBlock{
      *this, "query-block",
      llvm::cl::desc("Queries per block of tiled attention (attn-tile)"),
      llvm::cl::init(AttnTileOptions().queryBlock)};
  Option<int64_t> keyBlock{
      *this, "key-block",
      llvm::cl::desc("Keys per block of tiled attention (attn-tile)"),
      llvm::cl::init(AttnTileOptions().keyBlock)};
  Option<int64_t> localWindow{
      *this, "local-window",
      llvm::cl::desc("Approximate global attention by local attention over "
                     "the keys within this distance of the query "
                     "(attn-approximate-local); 0, the default, keeps it "
                     "global"),
      llvm::cl::init(0)};
  Option<int64_t> localMinKeys{
      *this, "local-min-keys",
      llvm::cl::desc("With local-window: only attention over more keys "
                     "than this (a run-time count always)"),
      llvm::cl::init(0)};
  Option<int64_t> blasMinFlops{
      *this, "blas-min-flops",
      llvm::cl::desc("Products with fewer flops (2*m*n*k) stay loops "
                     "(attn-matmul-to-blas)"),
      llvm::cl::init(AttnMatmulToBlasOptions().minFlops)};
  Option<bool> cInterface{
      *this, "c-interface",
      llvm::cl::desc("At the llvm-mlir stage, add the C entry points that "
                     "the module's attn.model describes "
                     "(attn-emit-c-interface); off for modules without one"),
      llvm::cl::init(true)};

  /// Where attn-report-costs writes each entry point's costs (attnc
  /// --report), run after deallocation; none when null. Not a textual
  /// option: attn-opt runs the pass on its own (--attn-report-costs).
  llvm::raw_ostream *costReport = nullptr;
};

/// Adds to `pm` (a PassManager on ModuleOp) the passes that take frontend
/// output to `options.stop`.
void buildLoweringPipeline(OpPassManager &pm, const LowerOptions &options);

/// Registers `attnc-lower` (LowerOptions) for attn-opt.
void registerAttncPipelines();

/// Adds the dialects the pipeline creates and the external interface models
/// (bufferization, deallocation, subsets, ...) it relies on. A context that
/// runs the pipeline needs them: without the func model, for instance,
/// one-shot-bufferize treats every function argument as read-only.
void registerLoweringDialects(DialectRegistry &registry);

} // namespace attn
} // namespace mlir

#endif // ATTNC_PASSES_PIPELINE_H

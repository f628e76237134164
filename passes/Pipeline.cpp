//===- Pipeline.cpp - attnc's lowering pipeline ---------------------------===//
//
// The order and the reasons are in docs/PASSES.md ("The pipeline").
//
//===----------------------------------------------------------------------===//

#include "passes/Pipeline.h"

#include "dialect/AttnOps.h"
#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferViewFlowOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/BufferViewFlowOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/TensorInferTypeOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::attn;

void mlir::attn::buildLoweringPipeline(OpPassManager &pm, Stage stop,
                                       const PipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (stop == Stage::Attn)
    return;

  // Flash-style attention: fuse the chains, then tile the fused ops. At -O0
  // attention keeps the unfused path (the whole score matrix), the
  // reference the tiled path is tested against.
  bool tile = options.optLevel > 0 && options.tileAttention;
  if (tile)
    pm.addPass(createAttnFuse());
  if (stop == Stage::Fused)
    return;
  if (tile) {
    AttnTileOptions tile;
    tile.queryBlock = options.queryBlock;
    tile.keyBlock = options.keyBlock;
    pm.addPass(createAttnTile(tile));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (stop == Stage::Tiled)
    return;

  pm.addPass(createAttnLowerRecurrent());
  pm.addPass(createConvertAttnToLinalg());
  pm.addPass(createCanonicalizerPass());
  if (options.optLevel > 0)
    pm.addPass(createAttnFuseElementwise());
  pm.addPass(createCSEPass());
  if (stop == Stage::Linalg)
    return;

  // Outputs go straight into the caller's buffers: empty-tensor elimination
  // lets the ops that produce a `materialize_in_destination` source write
  // into the destination argument, and the then-equivalent results go.
  bufferization::OneShotBufferizationOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  // A recurrent loop may carry a state that it cannot update in place.
  bufferization.allowReturnAllocsFromLoops = true;
  bufferization.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  // memref.copy between strided views becomes a call of `memrefCopy` from
  // MLIR's runner utils, which attnc does not link; copy those with
  // linalg.copy (loops) and keep memref.copy (memcpy) for dense buffers.
  bufferization.memCpyFn = [](OpBuilder &b, Location loc, Value from,
                              Value to) -> LogicalResult {
    auto dense = [](Value v) {
      return cast<MemRefType>(v.getType()).getLayout().isIdentity();
    };
    if (dense(from) && dense(to))
      b.create<memref::CopyOp>(loc, from, to);
    else
      b.create<linalg::CopyOp>(loc, from, to);
    return success();
  };
  pm.addPass(createAttnSplitSharedInits());
  pm.addPass(createAttnSinkOutputReshapes());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  // Canonicalization first folds reshape pairs around the output arguments
  // (left by attn-sink-output-reshapes), so that the results are plainly the
  // arguments and get dropped.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  AttnMatmulToBlasOptions blas;
  blas.minFlops = options.blasMinFlops;
  pm.addPass(createAttnMatmulToBlas(blas));
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  pm.addPass(createCanonicalizerPass());
  // Parallel loops (attn-tile's query blocks) run on the OpenMP pool; any
  // the outliner leaves run on one thread.
  pm.addPass(createAttnOutlineParallel());
  pm.addPass(createForallToForLoopPass());
  if (stop == Stage::Bufferized)
    return;

  pm.addPass(createConvertLinalgToLoopsPass());
  if (options.optLevel > 0)
    pm.addPass(createAttnMathApprox());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  // What has no LLVM intrinsic (tanh at -O0, ...) becomes a libm call.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  if (options.cInterface)
    pm.addPass(createAttnEmitCInterface());
}

std::optional<Stage> mlir::attn::parseStage(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Stage>>(name)
      .Case("attn", Stage::Attn)
      .Case("fused", Stage::Fused)
      .Case("tiled", Stage::Tiled)
      .Case("linalg", Stage::Linalg)
      .Case("bufferized", Stage::Bufferized)
      .Case("llvm", Stage::LLVMDialect)
      .Default(std::nullopt);
}

llvm::StringRef mlir::attn::stringifyStage(Stage stage) {
  switch (stage) {
  case Stage::Attn:
    return "attn";
  case Stage::Fused:
    return "fused";
  case Stage::Tiled:
    return "tiled";
  case Stage::Linalg:
    return "linalg";
  case Stage::Bufferized:
    return "bufferized";
  case Stage::LLVMDialect:
    return "llvm";
  }
  llvm_unreachable("unknown stage");
}

namespace {

struct LowerPipelineOptions : PassPipelineOptions<LowerPipelineOptions> {
  Option<Stage> stop{
      *this, "stop", llvm::cl::desc("Stage to stop at"),
      llvm::cl::init(Stage::LLVMDialect),
      llvm::cl::values(
          clEnumValN(Stage::Attn, "attn", "attn ops, canonicalized"),
          clEnumValN(Stage::Fused, "fused", "attention chains fused"),
          clEnumValN(Stage::Tiled, "tiled", "attention as tiled loops"),
          clEnumValN(Stage::Linalg, "linalg", "linalg/tensor on tensors"),
          clEnumValN(Stage::Bufferized, "bufferized",
                     "memrefs, outputs in place, BLAS calls"),
          clEnumValN(Stage::LLVMDialect, "llvm", "the LLVM dialect"))};
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Optimization level, 0 to 3"),
                            llvm::cl::init(2)};
  Option<int64_t> blasMinFlops{
      *this, "blas-min-flops",
      llvm::cl::desc("Smallest product (2*m*n*k) sent to attnrt_sgemm"),
      llvm::cl::init(PipelineOptions().blasMinFlops)};
  Option<int64_t> queryBlock{*this, "query-block",
                             llvm::cl::desc("attn-tile's queries per block"),
                             llvm::cl::init(PipelineOptions().queryBlock)};
  Option<int64_t> keyBlock{*this, "key-block",
                           llvm::cl::desc("attn-tile's keys per block"),
                           llvm::cl::init(PipelineOptions().keyBlock)};
  Option<bool> cInterface{
      *this, "c-interface",
      llvm::cl::desc("At the llvm stage, add the C entry points of the "
                     "module's attn.model (attn-emit-c-interface)"),
      llvm::cl::init(PipelineOptions().cInterface)};
};

} // namespace

void mlir::attn::registerAttncPipelines() {
  PassPipelineRegistration<LowerPipelineOptions>(
      "attnc-lower",
      "Lower attnc frontend output to a stage (default: the LLVM dialect)",
      [](OpPassManager &pm, const LowerPipelineOptions &cl) {
        PipelineOptions options;
        options.optLevel = cl.optLevel;
        options.blasMinFlops = cl.blasMinFlops;
        options.queryBlock = cl.queryBlock;
        options.keyBlock = cl.keyBlock;
        options.cInterface = cl.cInterface;
        buildLoweringPipeline(pm, cl.stop, options);
      });
}

void mlir::attn::registerLoweringDialects(DialectRegistry &registry) {
  registry.insert<AttnDialect, affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, LLVM::LLVMDialect, linalg::LinalgDialect,
                  math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect, vector::VectorDialect>();
  arith::registerBufferDeallocationOpInterfaceExternalModels(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferViewFlowOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  cf::registerBufferizableOpInterfaceExternalModels(registry);
  cf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerSubsetOpInterfaceExternalModels(registry);
  linalg::registerValueBoundsOpInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  memref::registerBufferViewFlowOpInterfaceExternalModels(registry);
  scf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerInferTypeOpInterfaceExternalModels(registry);
  tensor::registerSubsetOpInterfaceExternalModels(registry);
}

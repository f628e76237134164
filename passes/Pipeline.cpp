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

void mlir::attn::buildLoweringPipeline(OpPassManager &pm,
                                       const LowerOptions &options) {
  Stage stop = options.stop;
  // The attn stage is the frontend's output as it is.
  if (stop == Stage::Attn)
    return;
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Local attention in place of global, when asked for (--local-window).
  if (options.localWindow > 0) {
    AttnApproximateLocalOptions local;
    local.window = options.localWindow;
    local.minKeys = options.localMinKeys;
    pm.addPass(createAttnApproximateLocal(local));
  }

  // Flash-style attention: fuse the chains, then tile the fused ops. At -O0
  // attention keeps the unfused path (the whole score matrix), the
  // reference the tiled path is tested against.
  bool tile = options.optLevel > 0 && !options.unfusedAttention;
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
  // Every buffer is an alloc with its dealloc here, and parallel loops are
  // still loops: where the costs are read.
  if (options.costReport)
    pm.addPass(createAttnReportCosts(*options.costReport));
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
  // Heap buffers through the runtime's allocator (runtime/Alloc.c), which
  // reuses the large blocks of earlier calls.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
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

mlir::attn::LowerOptions::LowerOptions() {
  for (const StageInfo &info : kStages)
    stop.getParser().addLiteralOption(info.name, info.stage, info.description);
}

void mlir::attn::registerAttncPipelines() {
  PassPipelineRegistration<LowerOptions>(
      "attnc-lower",
      "Lower attnc frontend output to a stage (default: the LLVM dialect)",
      buildLoweringPipeline);
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

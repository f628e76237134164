//===- SinkOutputReshapes.cpp - Reshape destinations, not outputs ---------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNSINKOUTPUTRESHAPES
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {

/// Whether `value` is a block argument, or a chain of reshapes of one.
bool isRootedInArgument(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def))
      value = collapse.getSrc();
    else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def))
      value = expand.getSrc();
    else
      return false;
  }
  return true;
}

/// At most one dynamic size per group: the sizes of an expansion of a
/// collapsed value can then be inferred from it.
bool isInferable(RankedTensorType expanded,
                 ArrayRef<ReassociationIndices> groups) {
  return llvm::all_of(groups, [&](const ReassociationIndices &group) {
    return llvm::count_if(group, [&](int64_t dim) {
             return expanded.isDynamicDim(dim);
           }) <= 1;
  });
}

struct SinkOutputReshape
    : public OpRewritePattern<bufferization::MaterializeInDestinationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(bufferization::MaterializeInDestinationOp op,
                                PatternRewriter &rewriter) const override {
    Value dest = op.getDest();
    if (!op.getResult() || !isa<RankedTensorType>(dest.getType()) ||
        !isRootedInArgument(dest))
      return rewriter.notifyMatchFailure(op, "not an output argument");
    Operation *reshape = op.getSource().getDefiningOp();
    if (!isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
            reshape))
      return rewriter.notifyMatchFailure(op, "source is not a reshape");

    Location loc = op.getLoc();
    OpBuilder::InsertionGuard guard(rewriter);
    auto atDest = [&] {
      if (auto arg = dyn_cast<BlockArgument>(dest))
        rewriter.setInsertionPointToStart(arg.getOwner());
      else
        rewriter.setInsertionPointAfter(dest.getDefiningOp());
    };

    Value inner, innerDest;
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(reshape)) {
      inner = expand.getSrc();
      atDest();
      innerDest = rewriter.create<tensor::CollapseShapeOp>(
          loc, dest, expand.getReassociationIndices());
    } else {
      auto collapse = cast<tensor::CollapseShapeOp>(reshape);
      inner = collapse.getSrc();
      SmallVector<ReassociationIndices> groups =
          collapse.getReassociationIndices();
      if (!isInferable(collapse.getSrcType(), groups))
        return rewriter.notifyMatchFailure(op, "cannot infer the expansion");
      atDest();
      innerDest = rewriter.create<tensor::ExpandShapeOp>(
          loc, collapse.getSrcType(), dest, groups);
    }
    if (failed(verifyCompatibleShape(inner.getType(), innerDest.getType())))
      return rewriter.notifyMatchFailure(op, "incompatible shapes");

    rewriter.setInsertionPoint(op);
    Value written = rewriter
                        .create<bufferization::MaterializeInDestinationOp>(
                            loc, innerDest.getType(), inner, innerDest)
                        .getResult();
    Value result;
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(reshape))
      result = rewriter.create<tensor::ExpandShapeOp>(
          loc, op.getType(), written, expand.getReassociationIndices(),
          getMixedValues(expand.getStaticOutputShape(), expand.getOutputShape(),
                         rewriter));
    else
      result = rewriter.create<tensor::CollapseShapeOp>(
          loc, written,
          cast<tensor::CollapseShapeOp>(reshape).getReassociationIndices());
    if (result.getType() != op.getType())
      result = rewriter.create<tensor::CastOp>(loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct AttnSinkOutputReshapesPass
    : attn::impl::AttnSinkOutputReshapesBase<AttnSinkOutputReshapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkOutputReshape>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

//===- FuseElementwise.cpp - Elementwise fusion that spares the products --===//

#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {

/// linalg.add & co. (every map an identity) -> linalg.generic, so that the
/// fusion patterns see them.
struct GeneralizeElementwise
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (isa<linalg::GenericOp>(op) || !op.hasPureTensorSemantics() ||
        !linalg::isElementwise(op) ||
        !llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return rewriter.notifyMatchFailure(op, "not a named elementwise op");
    return linalg::generalizeNamedOp(rewriter, op);
  }
};

struct AttnFuseElementwisePass
    : attn::impl::AttnFuseElementwiseBase<AttnFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<GeneralizeElementwise>(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          Operation *producer = operand->get().getDefiningOp();
          auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
          // A product written as a generic (leading axes) stays a plain
          // contraction, which attn-matmul-to-blas sends to BLAS.
          return isa_and_nonnull<linalg::GenericOp>(producer) && consumer &&
                 !linalg::isaContractionOpInterface(consumer) &&
                 producer->hasOneUse();
        });
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

//===- Fuse.cpp - score -> softmax -> context into attn.attention ---------===//

#include "passes/Passes.h"

#include "dialect/AttnOps.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Threading.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFUSE
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Verifies `op` without reporting anything: refusing to fuse is silent. Only
/// this thread's diagnostics are dropped, since the handler is context-wide
/// and other functions may be processed in parallel.
bool verifiesQuietly(Operation *op) {
  uint64_t thread = llvm::get_threadid();
  ScopedDiagnosticHandler quiet(op->getContext(), [&](Diagnostic &) {
    return success(llvm::get_threadid() == thread);
  });
  return succeeded(verify(op, /*verifyRecursively=*/false));
}

/// context(softmax(score(q, k)), values) -> attention(q, k, values).
struct FuseAttentionChain : OpRewritePattern<ContextOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ContextOp context,
                                PatternRewriter &rewriter) const override {
    auto softmax = context.getWeights().getDefiningOp<SoftmaxOp>();
    if (!softmax)
      return rewriter.notifyMatchFailure(context, "weights not a softmax");
    auto score = softmax.getInput().getDefiningOp<ScoreOp>();
    if (!score)
      return rewriter.notifyMatchFailure(context, "softmax input not a score");
    // The fused op never materializes the raw scores.
    if (!score->hasOneUse())
      return rewriter.notifyMatchFailure(context, "scores used elsewhere");
    // A context in a loop over weights computed outside would recompute the
    // whole attention per iteration once fused.
    if (score->getBlock() != context->getBlock() ||
        softmax->getBlock() != context->getBlock())
      return rewriter.notifyMatchFailure(context, "chain spans blocks");

    // Other users of the weights take the fused op's weights result, which
    // is defined where the context was: they must come after it.
    DominanceInfo dominance;
    bool keepWeights = false;
    for (OpOperand &use : softmax.getResult().getUses()) {
      if (&use == &context.getWeightsMutable())
        continue;
      if (use.getOwner() == context.getOperation() ||
          !dominance.properlyDominates(context.getOperation(), use.getOwner()))
        return rewriter.notifyMatchFailure(context,
                                           "weights used before the context");
      keepWeights = true;
    }

    // Built detached, so that a refused op never touches the IR.
    OpBuilder builder(rewriter.getContext());
    Location loc = builder.getFusedLoc(
        {score.getLoc(), softmax.getLoc(), context.getLoc()});
    auto fused = builder.create<AttentionOp>(
        loc, context.getType(), keepWeights ? softmax.getType() : Type(),
        score.getQuery(), score.getKeys(), context.getValues(),
        score.getScoreSpec(), /*heads=*/1, softmax.getMaskSpec());
    // The chain's ops verify one by one, but with dynamic dims the fused op
    // checks more at once (e.g. values against keys).
    if (!verifiesQuietly(fused)) {
      fused->erase();
      return rewriter.notifyMatchFailure(context, "fused op does not verify");
    }

    rewriter.setInsertionPoint(context);
    rewriter.insert(fused);
    if (keepWeights)
      rewriter.replaceAllUsesWith(softmax.getResult(), fused.getWeights());
    rewriter.replaceOp(context, fused.getOutput());
    rewriter.eraseOp(softmax);
    rewriter.eraseOp(score);
    return success();
  }
};

struct AttnFusePass : attn::impl::AttnFuseBase<AttnFusePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnFusePatterns(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateAttnFusePatterns(RewritePatternSet &patterns) {
  patterns.add<FuseAttentionChain>(patterns.getContext());
}

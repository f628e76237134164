//===- Tile.cpp - attn.attention as flash-style tiled loops ---------------===//
//
// The loop nest and the pass; passes/Tile.h says where the rest is. The
// loop structure, what each score kind precomputes and which blocks a mask
// skips are described in Passes.td (AttnTile) and docs/PASSES.md.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/Tile.h"

#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNTILE
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

SmallVector<Value> TileBuilder::build() {
  for (int64_t d = 0; d < numBatch; ++d)
    batchSizes.push_back(size(op.getQuery(), d));
  TiledOperands in = prepare();
  numKeys = dim(in.values, 1);

  // The output [G, N, H, dv] and the weights [G, H, N, M] start empty: every
  // element is written by exactly one query block.
  Value numGroups = dim(in.score.queries, 0);
  Value numQueries = dim(in.score.queries, 1);
  SmallVector<Value> shared{
      empty({size(in.score.queries, 0), size(in.score.queries, 1),
             b.getIndexAttr(heads), size(in.values, 3)})};
  bool wantWeights = static_cast<bool>(op.getWeights());
  if (wantWeights)
    shared.push_back(empty({size(in.score.queries, 0), b.getIndexAttr(heads),
                            size(in.score.queries, 1), size(in.values, 1)}));

  // One parallel iteration per (group, head, query block). With a causal
  // mask the last query blocks cost most; they come first so that the
  // threads that take iterations in order end together.
  bool causal = mask.has(MaskKind::causal);
  Value numQueryBlocks = ceilDiv(numQueries, queryBlock);
  Value total = mul(mul(numGroups, index(heads)), numQueryBlocks);
  auto forall = b.create<scf::ForallOp>(loc, ArrayRef<OpFoldResult>{total},
                                        shared, std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    Value iv = forall.getInductionVar(0);
    Value qb = rem(iv, numQueryBlocks);
    if (causal)
      qb = sub(sub(numQueryBlocks, index(1)), qb);
    Value rest = div(iv, numQueryBlocks);
    Value h = rem(rest, index(heads));
    Value g = div(rest, index(heads));
    QueryBlock block = locateQueryBlock(in, g, h, qb);

    // The accumulator is the output block itself.
    Value outArg = forall.getRegionIterArgs()[0];
    Value outBlock = rowBlock(outArg, g, block.q0, block.rows, h);
    Value acc = zeroFilled(outBlock);
    SmallVector<OpFoldResult> rowSizes{block.rows};
    Value rowMax = filled(rowSizes, -std::numeric_limits<float>::infinity());
    Value rowSum = filled(rowSizes, 0.0);
    Value scratch = empty({block.rows, b.getIndexAttr(keyBlock)});

    SmallVector<Value> state{rowMax, rowSum, acc, scratch};
    auto keyLoop = [&](Value from, Value to, bool masked) {
      auto loop = b.create<scf::ForOp>(
          loc, from, to, index(1), state,
          [&](OpBuilder &lb, Location, Value t, ValueRange args) {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(lb.getInsertionBlock());
            Value k0, cols;
            std::tie(k0, cols) = keyBlockAt(block, t);
            b.create<scf::YieldOp>(
                loc, onlineStep(in, block, k0, cols, masked, args));
          });
      // Tag the loops so that tests and readers see which one masks.
      loop->setAttr(masked ? "attn.masked_key_blocks" : "attn.key_blocks",
                    b.getUnitAttr());
      state.assign(loop.getResults().begin(), loop.getResults().end());
    };
    keyLoop(index(0), block.numUnmasked, /*masked=*/false);
    if (causal || mask.has(MaskKind::window) || in.perQueryLengths)
      keyLoop(block.numUnmasked, block.numKeyBlocks, /*masked=*/true);

    Value normalized = normalize(state[2], state[1]);

    Value weightsBlock;
    SmallVector<OpFoldResult> weightOffsets, weightSizes;
    if (wantWeights) {
      // A second pass over the visited key blocks with the final maximum
      // and sum writes the normalized weights.
      Value weightsArg = forall.getRegionIterArgs()[1];
      weightOffsets = {g, h, block.q0, b.getIndexAttr(0)};
      weightSizes = {b.getIndexAttr(1), b.getIndexAttr(1), block.rows, numKeys};
      Value dest = b.create<tensor::ExtractSliceOp>(
          loc,
          RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic},
                                b.getF32Type()),
          weightsArg, weightOffsets, weightSizes,
          SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
      Value finalShift = shiftFor(state[0]);
      weightsBlock = blockWeights(in, block, finalShift, state[1], dest);
    }

    b.setInsertionPointToStart(forall.getTerminator().getBody());
    SmallVector<OpFoldResult> unit(4, b.getIndexAttr(1));
    b.create<tensor::ParallelInsertSliceOp>(
        loc, normalized, outArg,
        SmallVector<OpFoldResult>{g, block.q0, h, b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), block.rows,
                                  b.getIndexAttr(1), size(in.values, 3)},
        unit);
    if (wantWeights)
      b.create<tensor::ParallelInsertSliceOp>(loc, weightsBlock,
                                              forall.getRegionIterArgs()[1],
                                              weightOffsets, weightSizes, unit);
  }

  SmallVector<Value> results{ungroup(forall.getResult(0), /*mergeTail=*/true,
                                     /*dropUnitSecond=*/false,
                                     op.getOutput().getType())};
  if (wantWeights)
    results.push_back(ungroup(forall.getResult(1), /*mergeTail=*/false,
                              /*dropUnitSecond=*/heads == 1,
                              op.getWeights().getType()));
  return results;
}

namespace {

/// Whether attn-tile takes `op`; the others stay for convert-attn-to-linalg.
bool isTileable(AttentionOp op) {
  // A single query (a decoder step) has no query blocks to tile.
  if (op.isSingleQuery())
    return false;
  // local-p centers and the Gaussian factor stay on the unfused path.
  MaskSpec mask = op.getMaskSpec();
  if (mask.positions || mask.gaussian)
    return false;
  // Heads split a static feature size (convert-attn-to-linalg reports the
  // dynamic case).
  if (op.getHeads() > 1)
    for (Value operand : {op.getQuery(), op.getKeys(), op.getValues()}) {
      auto type = cast<RankedTensorType>(operand.getType());
      if (type.isDynamicDim(type.getRank() - 1))
        return false;
    }
  return true;
}

struct AttnTilePass : attn::impl::AttnTileBase<AttnTilePass> {
  using AttnTileBase::AttnTileBase;

  void runOnOperation() override {
    if (queryBlock < 1 || keyBlock < 1) {
      getOperation()->emitError()
          << "attn-tile: query-block and key-block must be at least 1, not "
          << static_cast<int64_t>(queryBlock) << " and "
          << static_cast<int64_t>(keyBlock);
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) {
      if (isTileable(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops) {
      rewriter.setInsertionPoint(op);
      TileBuilder builder(rewriter, op.getLoc(), op, queryBlock, keyBlock);
      rewriter.replaceOp(op, builder.build());
    }
  }
};

} // namespace

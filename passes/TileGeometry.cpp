//===- TileGeometry.cpp - attn-tile: views, precomputation, key ranges ----===//
//
// How attn-tile sees the operands ([G, rows, heads, d] views), what it
// computes once per op, and which keys each query block visits.
//
//===----------------------------------------------------------------------===//

#include "passes/Tile.h"

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Views
//===----------------------------------------------------------------------===//

Value TileBuilder::groupView(Value tensor) {
  Value grouped = tensor;
  if (numBatch == 0) {
    SmallVector<OpFoldResult> outSizes{b.getIndexAttr(1)};
    llvm::append_range(outSizes, sizes(tensor));
    grouped = b.create<tensor::ExpandShapeOp>(
        loc, typeFor(outSizes, b.getF32Type()), tensor,
        SmallVector<ReassociationIndices>{{0, 1}, {2}}, outSizes);
  } else {
    grouped = collapseLeading(tensor, numBatch);
  }
  OpFoldResult width = size(grouped, 2);
  OpFoldResult inner = width;
  if (heads > 1)
    inner = b.getIndexAttr(*getConstantIntValue(width) / heads);
  return splitLast(grouped, heads, inner);
}

Value TileBuilder::ungroup(Value grouped, bool mergeTail, bool dropUnitSecond,
                           Type declared) {
  Value result = grouped;
  if (mergeTail)
    result = mergeLastTwo(result);
  if (dropUnitSecond)
    result = b.create<tensor::CollapseShapeOp>(
        loc, result, SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
  if (numBatch == 0) {
    SmallVector<ReassociationIndices> groups{{0, 1}};
    for (int64_t i = 2, e = rankOf(result); i < e; ++i)
      groups.push_back({i});
    result = b.create<tensor::CollapseShapeOp>(loc, result, groups);
  } else {
    SmallVector<OpFoldResult> finalSizes(batchSizes);
    SmallVector<OpFoldResult> tail = sizes(result);
    finalSizes.append(tail.begin() + 1, tail.end());
    result = expandLeading(result, numBatch, finalSizes);
  }
  return castTo(result, declared);
}

Value TileBuilder::rowBlock(Value grouped, Value g, Value row0, Value rows,
                            Value h) {
  auto type = cast<RankedTensorType>(grouped.getType());
  SmallVector<OpFoldResult> offsets{g, row0, h, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), rows, b.getIndexAttr(1),
                                  size(grouped, 3)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  auto resultType = RankedTensorType::get(
      {ShapedType::kDynamic, type.getDimSize(3)}, type.getElementType());
  return b.create<tensor::ExtractSliceOp>(loc, resultType, grouped, offsets,
                                          sizes, strides);
}

Value TileBuilder::vectorBlock(Value grouped, Value g, Value row0, Value rows,
                               Value h) {
  SmallVector<OpFoldResult> offsets{g, row0, h};
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), rows, b.getIndexAttr(1)};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  auto resultType =
      RankedTensorType::get({ShapedType::kDynamic}, b.getF32Type());
  return b.create<tensor::ExtractSliceOp>(loc, resultType, grouped, offsets,
                                          sizes, strides);
}

Value TileBuilder::slice2D(Value tensor, Value row0, Value col0, Value rows,
                           Value cols) {
  SmallVector<OpFoldResult> offsets{row0, col0}, sizes{rows, cols};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  return b.create<tensor::ExtractSliceOp>(loc, tensor, offsets, sizes, strides);
}

Value TileBuilder::insert2D(Value source, Value dest, Value row0, Value col0) {
  SmallVector<OpFoldResult> offsets{row0, col0}, sizes = this->sizes(source);
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  return b.create<tensor::InsertSliceOp>(loc, source, dest, offsets, sizes,
                                         strides);
}

//===----------------------------------------------------------------------===//
// The per-op work
//===----------------------------------------------------------------------===//

TiledOperands TileBuilder::prepare() {
  TiledOperands in;
  Value q = groupView(op.getQuery());
  Value k = groupView(op.getKeys());
  in.values = groupView(op.getValues());
  // On the per-head views: scaled_dot's default factor reads dk of one head.
  in.score =
      prepareScores(op.getScoreSpec(), q, k, size(op.getKeys(), numBatch));
  if (rankOf(in.score.keys) == 2) {
    // One key matrix (location: rows of W) for every group and head.
    Value rows = in.score.keys;
    SmallVector<OpFoldResult> viewSizes{b.getIndexAttr(1), size(rows, 0),
                                        b.getIndexAttr(1), size(rows, 1)};
    in.score.keys = b.create<tensor::ExpandShapeOp>(
        loc, typeFor(viewSizes, b.getF32Type()), rows,
        SmallVector<ReassociationIndices>{{0, 1}, {2, 3}}, viewSizes);
    in.sharedKeys = true;
  }
  if (mask.has(MaskKind::padding))
    prepareLengths(in);
  return in;
}

void TileBuilder::prepareLengths(TiledOperands &in) {
  Value lengths = mask.lengths;
  int64_t rank = rankOf(lengths);
  in.perQueryLengths = rank == numBatch + 1;
  if (in.perQueryLengths) {
    if (numBatch == 0) {
      SmallVector<OpFoldResult> viewSizes{b.getIndexAttr(1), size(lengths, 0)};
      auto type = RankedTensorType::get(
          {1, cast<RankedTensorType>(lengths.getType()).getDimSize(0)},
          getElementTypeOrSelf(lengths));
      lengths = b.create<tensor::ExpandShapeOp>(
          loc, type, lengths, SmallVector<ReassociationIndices>{{0, 1}},
          viewSizes);
    } else {
      lengths = collapseLeading(lengths, numBatch);
    }
  } else {
    // Lengths cover the leading `rank` batch dims: each serves the groups
    // of the trailing batch dims.
    Value perLength = index(1);
    for (int64_t d = rank; d < numBatch; ++d)
      perLength = mul(perLength, dim(op.getQuery(), d));
    in.groupsPerLength = perLength;
    if (rank == 0) {
      auto type = RankedTensorType::get({1}, getElementTypeOrSelf(lengths));
      lengths = b.create<tensor::ExpandShapeOp>(
          loc, type, lengths, SmallVector<ReassociationIndices>{},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    } else {
      lengths = collapseLeading(lengths, rank);
    }
  }
  in.lengths = lengths;
}

//===----------------------------------------------------------------------===//
// Block geometry
//===----------------------------------------------------------------------===//

QueryBlock TileBuilder::locateQueryBlock(const TiledOperands &in, Value g,
                                         Value h, Value qb) {
  QueryBlock block;
  block.g = g;
  block.h = h;
  Value numQueries = dim(in.score.queries, 1);
  block.q0 = mul(qb, index(queryBlock));
  Value rowsLeft = sub(numQueries, block.q0);
  block.rows = min(index(queryBlock), rowsLeft);
  block.query = rowBlock(in.score.queries, g, block.q0, block.rows, h);
  if (in.score.queryNorms)
    block.queryNorms =
        vectorBlock(in.score.queryNorms, g, block.q0, block.rows, h);

  bool causal = mask.has(MaskKind::causal);
  bool window = mask.has(MaskKind::window);
  bool padding = mask.has(MaskKind::padding);
  Value start = index(0), end = numKeys;
  if (padding && !in.perQueryLengths) {
    // Keys at or past the sequence's length are never visited.
    Value which = div(g, in.groupsPerLength);
    Value length = toIndex(
        b.create<tensor::ExtractOp>(loc, in.lengths, ValueRange{which}));
    end = min(end, max(length, index(0)));
  }
  if (padding && in.perQueryLengths) {
    block.lengths = b.create<tensor::ExtractSliceOp>(
        loc,
        RankedTensorType::get({ShapedType::kDynamic},
                              getElementTypeOrSelf(in.lengths)),
        in.lengths, SmallVector<OpFoldResult>{g, block.q0},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), block.rows},
        SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));
  }
  Value lastQuery = add(block.q0, sub(block.rows, index(1)));
  if (causal) // key j <= query i: nothing past the block's last query.
    end = min(end, add(lastQuery, index(1)));
  if (window) {
    start = max(start, sub(block.q0, index(*mask.window)));
    end = min(end, add(lastQuery, index(*mask.window + 1)));
  }
  end = max(end, start);
  block.keyStart = start;
  block.keyEnd = end;
  block.numKeyBlocks = ceilDiv(sub(end, start), keyBlock);

  // Leading blocks that no mask cuts into need no mask test.
  if (window || (padding && in.perQueryLengths)) {
    block.numUnmasked = index(0);
  } else if (causal) {
    // Keys up to q0 are kept for every query of the block.
    Value keptForAll = add(block.q0, index(1));
    Value fullBlocks = div(keptForAll, index(keyBlock));
    Value allBelow = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sle,
                                             end, keptForAll);
    block.numUnmasked = b.create<arith::SelectOp>(
        loc, allBelow, block.numKeyBlocks, min(fullBlocks, block.numKeyBlocks));
  } else {
    block.numUnmasked = block.numKeyBlocks;
  }
  return block;
}

std::pair<Value, Value> TileBuilder::keyBlockAt(const QueryBlock &block,
                                                Value t) {
  Value k0 = add(block.keyStart, mul(t, index(keyBlock)));
  Value keysLeft = sub(block.keyEnd, k0);
  Value cols = min(index(keyBlock), keysLeft);
  return {k0, cols};
}

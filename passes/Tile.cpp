//===- Tile.cpp - attn.attention as flash-style tiled loops ---------------===//
//
// The loop structure, what each score kind precomputes and which blocks a
// mask skips are described in Passes.td (AttnTile) and docs/PASSES.md.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/AttnOps.h"
#include "passes/TensorBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNTILE
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

/// Whether attn-tile takes `op`; the others stay for convert-attn-to-linalg.
bool isTileable(AttentionOp op) {
  // A single query (a decoder step) has no query blocks to tile.
  if (op.getQuery().getType().getRank() != op.getKeys().getType().getRank())
    return false;
  // local-p centers and the Gaussian factor stay on the unfused path.
  if (op.getPositions() || op.getGaussian())
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

/// How the scores of one block are computed after the per-op precomputation.
enum class BlockScore {
  Dot,      // dot, scaled_dot, general, location: Q' K'^T on BLAS
  Cosine,   // Q K^T divided by max(|q_i| |k_j|, 1e-8)
  Additive, // v^T tanh(Wq_i + Uk_j), one generic per block
};

/// Everything the loop body reads, as [G, rows, heads, d] views (G: the
/// batch dims flattened, one group without batch dims).
struct Operands {
  BlockScore score = BlockScore::Dot;
  Value queries, keys, values;
  /// The keys are one [1, Nk, 1, d] matrix for every group and head
  /// (location: the rows of W).
  bool sharedKeys = false;
  Value queryNorms, keyNorms; // cosine: [G, N, H], [G, M, H]
  Value additiveV;            // additive: v [A]
  /// Padding lengths: [G, N] per query, or [Gl] per sequence where group g
  /// reads entry g floordiv `groupsPerLength`.
  Value lengths;
  bool perQueryLengths = false;
  Value groupsPerLength;
};

class TileBuilder : public TensorBuilder {
public:
  TileBuilder(OpBuilder &builder, Location loc, AttentionOp op,
              int64_t queryBlock, int64_t keyBlock)
      : TensorBuilder(builder, loc), op(op), queryBlock(queryBlock),
        keyBlock(keyBlock), heads(op.getHeads()),
        numBatch(op.getKeys().getType().getRank() - 2) {
    MaskKind kind = op.getMask();
    causal = bitEnumContainsAll(kind, MaskKind::causal);
    padding = bitEnumContainsAll(kind, MaskKind::padding);
    if (bitEnumContainsAll(kind, MaskKind::window))
      window = op.getWindowAttr().getInt();
  }

  /// The op's results, computed by the tiled loops.
  SmallVector<Value> build();

private:
  //===--------------------------------------------------------------------===//
  // Index arithmetic
  //===--------------------------------------------------------------------===//

  Value index(int64_t value) {
    return b.create<arith::ConstantIndexOp>(loc, value);
  }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulIOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<arith::DivUIOp>(loc, x, y); }
  Value rem(Value x, Value y) { return b.create<arith::RemUIOp>(loc, x, y); }
  Value min(Value x, Value y) { return b.create<arith::MinSIOp>(loc, x, y); }
  Value max(Value x, Value y) { return b.create<arith::MaxSIOp>(loc, x, y); }
  /// For x >= 0, y > 0 (arith.ceildivsi has no direct LLVM lowering).
  Value ceilDiv(Value x, Value y) {
    return div(add(x, sub(y, index(1))), y);
  }
  Value dim(Value tensor, int64_t d) {
    return getValueOrCreateConstantIndexOp(b, loc, size(tensor, d));
  }
  Value toIndex(Value value) {
    if (value.getType().isIndex())
      return value;
    return b.create<arith::IndexCastOp>(loc, b.getIndexType(), value);
  }

  //===--------------------------------------------------------------------===//
  // Views
  //===--------------------------------------------------------------------===//

  /// [B..., rows, heads*d] -> [G, rows, heads, d].
  Value groupView(Value tensor) {
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

  /// [G, x, y, z] -> the declared type of a result, whose leading dims are
  /// the batch dims (`batchSizes`) followed by `[x, y*z]` (`mergeTail`) or
  /// by `[x, y, z]` with x = 1 dropped (the weights of one head).
  Value ungroup(Value grouped, bool mergeTail, bool dropUnitSecond,
                Type declared) {
    Value result = grouped;
    if (mergeTail)
      result = mergeLastTwo(result);
    if (dropUnitSecond)
      result = b.create<tensor::CollapseShapeOp>(
          loc, result,
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
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

  /// slice[g, row0, h, 0] of sizes [1, rows, 1, width], as [rows, width].
  Value rowBlock(Value grouped, Value g, Value row0, Value rows, Value h) {
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

  /// slice[g, row0, h] of sizes [1, rows, 1] of a [G, rows, heads] tensor.
  Value vectorBlock(Value grouped, Value g, Value row0, Value rows, Value h) {
    SmallVector<OpFoldResult> offsets{g, row0, h};
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), rows,
                                    b.getIndexAttr(1)};
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    auto resultType = RankedTensorType::get({ShapedType::kDynamic},
                                            b.getF32Type());
    return b.create<tensor::ExtractSliceOp>(loc, resultType, grouped, offsets,
                                            sizes, strides);
  }

  /// A 2-D [rows, cols] slice at (row0, col0) of a 2-D tensor.
  Value slice2D(Value tensor, Value row0, Value col0, Value rows, Value cols) {
    SmallVector<OpFoldResult> offsets{row0, col0}, sizes{rows, cols};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    return b.create<tensor::ExtractSliceOp>(loc, tensor, offsets, sizes,
                                            strides);
  }

  Value insert2D(Value source, Value dest, Value row0, Value col0) {
    SmallVector<OpFoldResult> offsets{row0, col0}, sizes = this->sizes(source);
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    return b.create<tensor::InsertSliceOp>(loc, source, dest, offsets, sizes,
                                           strides);
  }

  //===--------------------------------------------------------------------===//
  // Per-op precomputation
  //===--------------------------------------------------------------------===//

  Operands prepare();

  //===--------------------------------------------------------------------===//
  // The loop body
  //===--------------------------------------------------------------------===//

  /// Where one query block is and which keys it visits.
  struct QueryBlock {
    Value g, h, q0, rows;
    Value query;           // [rows, dq'] (additive: W q)
    Value queryNorms;      // cosine: [rows]
    Value lengths;         // per-query padding lengths [rows] (index)
    Value keyStart;        // first key visited
    Value keyEnd;          // one past the last key visited
    Value numKeyBlocks;    // blocks from keyStart, keyBlock keys each
    Value numUnmasked;     // leading blocks no mask cuts into
  };

  QueryBlock locateQueryBlock(const Operands &in, Value g, Value h, Value qb);

  /// The scores of `block`'s queries against keys [k0, k0 + cols), written
  /// into `scratch` ([rows, cols], contents ignored).
  Value blockScores(const Operands &in, const QueryBlock &block, Value k0,
                    Value cols, Value scratch);

  /// Whether key k0 + j is kept for query q0 + i, inside a generic over a
  /// [rows, cols] block; `length` is the per-query length or null.
  Value keep(OpBuilder &nb, Location nl, const QueryBlock &block, Value k0,
             Value length);

  /// One online-softmax step over the key block at k0: returns the new
  /// (max, sum, accumulator, scratch).
  SmallVector<Value> onlineStep(const Operands &in, const QueryBlock &block,
                                Value k0, Value cols, bool masked,
                                ValueRange state);

  /// The normalized weights of the query block, [rows, Nk], in `dest`.
  Value blockWeights(const Operands &in, const QueryBlock &block,
                     Value rowMax, Value rowSum, Value dest);

  /// The row maximum, or 0 where it is -inf (no key kept yet), so that
  /// exp(e - shift) never computes -inf - -inf.
  Value shiftFor(Value rowMax);

  /// A [rows] tensor mapped elementwise (i) by `fn`.
  Value mapRows(ValueRange inputs, Value init,
                function_ref<Value(OpBuilder &, Location, ValueRange)> fn);

  AttentionOp op;
  int64_t queryBlock, keyBlock, heads, numBatch;
  bool causal = false, padding = false;
  std::optional<int64_t> window;
  SmallVector<OpFoldResult> batchSizes;
  Value numKeys; // M
};

Operands TileBuilder::prepare() {
  Operands in;
  ScoreSpec spec = getScoreSpec(op);
  Value q = groupView(op.getQuery());
  Value k = groupView(op.getKeys());
  in.values = groupView(op.getValues());
  switch (spec.kind) {
  case ScoreKind::dot:
    break;
  case ScoreKind::scaled_dot:
    // The factor reads dk from the per-head keys [G, M, H, dk].
    q = scaleBy(q, scaleFactor(spec, k));
    break;
  case ScoreKind::general:
    // s^T W h_j = (W^T s) . h_j: the queries are transformed once.
    q = rowsTimes(q, spec.w, /*transposeW=*/false);
    break;
  case ScoreKind::cosine:
    in.score = BlockScore::Cosine;
    in.queryNorms = rowNorms(q);
    in.keyNorms = rowNorms(k);
    break;
  case ScoreKind::additive:
    // W s_i once per query and U h_j once per key, not once per block.
    in.score = BlockScore::Additive;
    q = rowsTimes(q, spec.w, /*transposeW=*/true);
    if (spec.u)
      k = rowsTimes(k, spec.u, /*transposeW=*/true);
    in.additiveV = spec.v;
    break;
  case ScoreKind::location: {
    // (W s)_j = s . W_j: a dot against the first Nk rows of W, the same
    // "keys" for every group and head.
    Value rows = b.create<tensor::ExtractSliceOp>(
        loc, spec.w, SmallVector<OpFoldResult>(2, b.getIndexAttr(0)),
        SmallVector<OpFoldResult>{size(op.getKeys(), numBatch),
                                  size(spec.w, 1)},
        SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));
    SmallVector<OpFoldResult> viewSizes{b.getIndexAttr(1), size(rows, 0),
                                        b.getIndexAttr(1), size(rows, 1)};
    k = b.create<tensor::ExpandShapeOp>(
        loc, typeFor(viewSizes, b.getF32Type()), rows,
        SmallVector<ReassociationIndices>{{0, 1}, {2, 3}}, viewSizes);
    in.sharedKeys = true;
    break;
  }
  }
  in.queries = q;
  in.keys = k;

  if (padding) {
    Value lengths = op.getLengths();
    int64_t rank = rankOf(lengths);
    in.perQueryLengths = rank == numBatch + 1;
    if (in.perQueryLengths) {
      if (numBatch == 0) {
        SmallVector<OpFoldResult> viewSizes{b.getIndexAttr(1),
                                            size(lengths, 0)};
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
  return in;
}

TileBuilder::QueryBlock TileBuilder::locateQueryBlock(const Operands &in,
                                                      Value g, Value h,
                                                      Value qb) {
  QueryBlock block;
  block.g = g;
  block.h = h;
  Value numQueries = dim(in.queries, 1);
  block.q0 = mul(qb, index(queryBlock));
  block.rows = min(index(queryBlock), sub(numQueries, block.q0));
  block.query = rowBlock(in.queries, g, block.q0, block.rows, h);
  if (in.queryNorms)
    block.queryNorms = vectorBlock(in.queryNorms, g, block.q0, block.rows, h);

  Value start = index(0), end = numKeys;
  if (padding && !in.perQueryLengths) {
    // Keys at or past the sequence's length are never visited.
    Value which = div(g, in.groupsPerLength);
    Value length = toIndex(
        b.create<tensor::ExtractOp>(loc, in.lengths, ValueRange{which}));
    end = min(end, max(length, index(0)));
  }
  if (padding && in.perQueryLengths) {
    Value slice = b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get({ShapedType::kDynamic},
                                   getElementTypeOrSelf(in.lengths)),
        in.lengths, SmallVector<OpFoldResult>{g, block.q0},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), block.rows},
        SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));
    block.lengths = slice;
  }
  Value lastQuery = add(block.q0, sub(block.rows, index(1)));
  if (causal) // key j <= query i: nothing past the block's last query.
    end = min(end, add(lastQuery, index(1)));
  if (window) {
    start = max(start, sub(block.q0, index(*window)));
    end = min(end, add(lastQuery, index(*window + 1)));
  }
  end = max(end, start);
  block.keyStart = start;
  block.keyEnd = end;
  block.numKeyBlocks = ceilDiv(sub(end, start), index(keyBlock));

  // Leading blocks that no mask cuts into need no mask test.
  if (window || (padding && in.perQueryLengths)) {
    block.numUnmasked = index(0);
  } else if (causal) {
    // Keys up to q0 are kept for every query of the block.
    Value fullBlocks = div(add(block.q0, index(1)), index(keyBlock));
    Value allBelow = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sle,
                                             end, add(block.q0, index(1)));
    block.numUnmasked = b.create<arith::SelectOp>(
        loc, allBelow, block.numKeyBlocks, min(fullBlocks, block.numKeyBlocks));
  } else {
    block.numUnmasked = block.numKeyBlocks;
  }
  return block;
}

Value TileBuilder::blockScores(const Operands &in, const QueryBlock &block,
                               Value k0, Value cols, Value scratch) {
  Value g = in.sharedKeys ? index(0) : block.g;
  Value h = in.sharedKeys ? index(0) : block.h;
  Value keys = rowBlock(in.keys, g, k0, cols, h);
  Value zeroed = b.create<linalg::FillOp>(loc, ValueRange{f32Const(0.0)},
                                          ValueRange{scratch})
                     .getResult(0);
  MLIRContext *ctx = b.getContext();
  AffineMap id = b.getMultiDimIdentityMap(2);
  AffineMap rowMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  AffineMap colMap = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
  SmallVector<IteratorType> parallel2(2, IteratorType::parallel);

  if (in.score == BlockScore::Additive)
    return additiveScores(block.query, keys, in.additiveV, zeroed);

  Value dots = b.create<linalg::MatmulTransposeBOp>(
                    loc, TypeRange{zeroed.getType()},
                    ValueRange{block.query, keys}, ValueRange{zeroed})
                   .getResult(0);
  if (in.score != BlockScore::Cosine)
    return dots;
  Value keyNorms = vectorBlock(in.keyNorms, block.g, k0, cols, block.h);
  return b
      .create<linalg::GenericOp>(
          loc, dots.getType(), ValueRange{block.queryNorms, keyNorms},
          ValueRange{dots}, ArrayRef<AffineMap>{rowMap, colMap, id}, parallel2,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value product = nb.create<arith::MulFOp>(nl, args[0], args[1]);
            Value eps =
                nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(1e-8f));
            Value denom = nb.create<arith::MaximumFOp>(nl, product, eps);
            nb.create<linalg::YieldOp>(
                nl, nb.create<arith::DivFOp>(nl, args[2], denom).getResult());
          })
      .getResult(0);
}

Value TileBuilder::keep(OpBuilder &nb, Location nl, const QueryBlock &block,
                        Value k0, Value length) {
  Value result;
  auto conjoin = [&](Value cond) {
    result =
        result ? nb.create<arith::AndIOp>(nl, result, cond).getResult() : cond;
  };
  Value i = nb.create<arith::AddIOp>(nl, block.q0,
                                     nb.create<linalg::IndexOp>(nl, 0));
  Value j = nb.create<arith::AddIOp>(nl, k0, nb.create<linalg::IndexOp>(nl, 1));
  if (causal)
    conjoin(nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sle, j, i));
  if (length) {
    Value bound = length.getType().isIndex()
                      ? length
                      : nb.create<arith::IndexCastOp>(nl, nb.getIndexType(),
                                                      length)
                            .getResult();
    conjoin(nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::slt, j, bound));
  }
  if (window) {
    Value diff = nb.create<arith::SubIOp>(nl, j, i);
    conjoin(nb.create<arith::CmpIOp>(
        nl, arith::CmpIPredicate::sle, diff,
        nb.create<arith::ConstantIndexOp>(nl, *window)));
    conjoin(nb.create<arith::CmpIOp>(
        nl, arith::CmpIPredicate::sge, diff,
        nb.create<arith::ConstantIndexOp>(nl, -*window)));
  }
  return result;
}

Value TileBuilder::mapRows(
    ValueRange inputs, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  SmallVector<AffineMap> maps(inputs.size() + 1, b.getMultiDimIdentityMap(1));
  return b
      .create<linalg::GenericOp>(
          loc, init.getType(), inputs, ValueRange{init}, maps,
          SmallVector<IteratorType>{IteratorType::parallel},
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            nb.create<linalg::YieldOp>(nl, fn(nb, nl, args));
          })
      .getResult(0);
}

Value TileBuilder::shiftFor(Value rowMax) {
  return mapRows(rowMax, empty(sizes(rowMax)),
                 [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                   Value none = nb.create<arith::CmpFOp>(
                       nl, arith::CmpFPredicate::OEQ, args[0],
                       nb.create<arith::ConstantOp>(
                           nl, nb.getF32FloatAttr(kNegInf)));
                   return nb.create<arith::SelectOp>(
                       nl, none,
                       nb.create<arith::ConstantOp>(nl,
                                                    nb.getF32FloatAttr(0.0f)),
                       args[0]);
                 });
}

SmallVector<Value> TileBuilder::onlineStep(const Operands &in,
                                           const QueryBlock &block, Value k0,
                                           Value cols, bool masked,
                                           ValueRange state) {
  Value rowMax = state[0], rowSum = state[1], acc = state[2],
        scratch = state[3];
  MLIRContext *ctx = b.getContext();
  AffineMap id = b.getMultiDimIdentityMap(2);
  AffineMap rowMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  SmallVector<IteratorType> parallel2(2, IteratorType::parallel);
  SmallVector<IteratorType> reduceCols{IteratorType::parallel,
                                       IteratorType::reduction};

  Value tile = slice2D(scratch, index(0), index(0), block.rows, cols);
  Value scores = blockScores(in, block, k0, cols, tile);

  // A generic over the tile that reads `input` and, in a masked block with
  // per-query lengths, the lengths; `body` gets the input element, whether
  // the key is kept (null in unmasked blocks) and the init element.
  bool withLengths = masked && block.lengths;
  auto overTile =
      [&](Value input, AffineMap inputMap, Value init, AffineMap initMap,
          ArrayRef<IteratorType> iterators,
          function_ref<Value(OpBuilder &, Location, Value, Value, Value)>
              body) {
        SmallVector<Value> inputs{input};
        SmallVector<AffineMap> maps{inputMap};
        if (withLengths) {
          inputs.push_back(block.lengths);
          maps.push_back(rowMap);
        }
        maps.push_back(initMap);
        return b
            .create<linalg::GenericOp>(
                loc, init.getType(), inputs, ValueRange{init}, maps,
                iterators,
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value kept =
                      masked ? keep(nb, nl, block, k0,
                                    withLengths ? args[1] : Value())
                             : Value();
                  nb.create<linalg::YieldOp>(
                      nl, body(nb, nl, args[0], kept, args.back()));
                })
            .getResult(0);
      };

  // 1. The running maximum over the kept keys.
  Value newMax = overTile(
      scores, id, rowMax, rowMap, reduceCols,
      [&](OpBuilder &nb, Location nl, Value score, Value kept,
          Value max) -> Value {
        if (kept)
          score = nb.create<arith::SelectOp>(
              nl, kept, score,
              nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(kNegInf)));
        return nb.create<arith::MaximumFOp>(nl, max, score, reassoc());
      });

  // 2. The shift (0 while no key is kept, so that no -inf - -inf appears)
  // and the factor that rescales what was summed under the old maximum.
  Value shift = shiftFor(newMax);
  Value rescale = mapRows(
      ValueRange{rowMax, shift}, empty(sizes(rowMax)),
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value none = nb.create<arith::CmpFOp>(
            nl, arith::CmpFPredicate::OEQ, args[0],
            nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(kNegInf)));
        Value factor = nb.create<math::ExpOp>(
            nl, nb.create<arith::SubFOp>(nl, args[0], args[1]));
        return nb.create<arith::SelectOp>(
            nl, none,
            nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(0.0f)),
            factor);
      });

  // 3. p = exp(e - shift) in place of the scores, 0 where masked.
  Value probs = overTile(
      shift, rowMap, scores, id, parallel2,
      [&](OpBuilder &nb, Location nl, Value rowShift, Value kept,
          Value score) -> Value {
        Value p = nb.create<math::ExpOp>(
            nl, nb.create<arith::SubFOp>(nl, score, rowShift));
        if (!kept)
          return p;
        return nb.create<arith::SelectOp>(
            nl, kept, p,
            nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(0.0f)));
      });

  // 4. sum = sum * rescale + sum_j p; acc = acc * rescale + p V.
  Value scaledSum = mapRows(
      ValueRange{rescale}, rowSum,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return nb.create<arith::MulFOp>(nl, args[1], args[0]);
      });
  Value newSum =
      b.create<linalg::GenericOp>(
           loc, rowSum.getType(), ValueRange{probs}, ValueRange{scaledSum},
           ArrayRef<AffineMap>{id, rowMap}, reduceCols,
           [&](OpBuilder &nb, Location nl, ValueRange args) {
             nb.create<linalg::YieldOp>(
                 nl, nb.create<arith::AddFOp>(nl, args[1], args[0], reassoc())
                         .getResult());
           })
          .getResult(0);
  Value scaledAcc =
      b.create<linalg::GenericOp>(
           loc, acc.getType(), ValueRange{rescale}, ValueRange{acc},
           ArrayRef<AffineMap>{rowMap, id}, parallel2,
           [&](OpBuilder &nb, Location nl, ValueRange args) {
             nb.create<linalg::YieldOp>(
                 nl, nb.create<arith::MulFOp>(nl, args[1], args[0])
                         .getResult());
           })
          .getResult(0);
  Value values = rowBlock(in.values, block.g, k0, cols, block.h);
  Value newAcc = b.create<linalg::MatmulOp>(loc, TypeRange{acc.getType()},
                                            ValueRange{probs, values},
                                            ValueRange{scaledAcc})
                     .getResult(0);
  Value newScratch = insert2D(probs, scratch, index(0), index(0));
  return {newMax, newSum, newAcc, newScratch};
}

Value TileBuilder::blockWeights(const Operands &in, const QueryBlock &block,
                                Value rowMax, Value rowSum, Value dest) {
  MLIRContext *ctx = b.getContext();
  AffineMap id = b.getMultiDimIdentityMap(2);
  AffineMap rowMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  SmallVector<IteratorType> parallel2(2, IteratorType::parallel);
  // Keys that are never visited get weight 0.
  Value zeroed = b.create<linalg::FillOp>(loc, ValueRange{f32Const(0.0)},
                                          ValueRange{dest})
                     .getResult(0);
  auto loop = b.create<scf::ForOp>(
      loc, index(0), block.numKeyBlocks, index(1), ValueRange{zeroed},
      [&](OpBuilder &lb, Location ll, Value t, ValueRange args) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(lb.getInsertionBlock());
        Value k0 = add(block.keyStart, mul(t, index(keyBlock)));
        Value cols = min(index(keyBlock), sub(block.keyEnd, k0));
        Value tile = slice2D(args[0], index(0), k0, block.rows, cols);
        Value scores = blockScores(in, block, k0, cols, tile);
        SmallVector<Value> inputs{rowMax, rowSum};
        SmallVector<AffineMap> maps{rowMap, rowMap};
        if (block.lengths) {
          inputs.push_back(block.lengths);
          maps.push_back(rowMap);
        }
        maps.push_back(id);
        Value weights =
            b.create<linalg::GenericOp>(
                 loc, scores.getType(), inputs, ValueRange{scores}, maps,
                 parallel2,
                 [&](OpBuilder &nb, Location nl, ValueRange bargs) {
                   Value zero = nb.create<arith::ConstantOp>(
                       nl, nb.getF32FloatAttr(0.0f));
                   Value max = bargs[0], sum = bargs[1];
                   Value keptAny = nb.create<arith::CmpFOp>(
                       nl, arith::CmpFPredicate::OGT, sum, zero);
                   if (Value kept = keep(nb, nl, block, k0,
                                         block.lengths ? bargs[2] : Value()))
                     keptAny = nb.create<arith::AndIOp>(nl, keptAny, kept);
                   Value p = nb.create<math::ExpOp>(
                       nl, nb.create<arith::SubFOp>(nl, bargs.back(), max));
                   Value w = nb.create<arith::DivFOp>(nl, p, sum);
                   nb.create<linalg::YieldOp>(
                       nl, nb.create<arith::SelectOp>(nl, keptAny, w, zero)
                               .getResult());
                 })
                .getResult(0);
        b.create<scf::YieldOp>(loc,
                               insert2D(weights, args[0], index(0), k0));
      });
  return loop.getResult(0);
}

SmallVector<Value> TileBuilder::build() {
  for (int64_t d = 0; d < numBatch; ++d)
    batchSizes.push_back(size(op.getQuery(), d));
  Operands in = prepare();
  numKeys = dim(in.values, 1);

  // The output [G, N, H, dv] and the weights [G, H, N, M] start empty: every
  // element is written by exactly one query block.
  Value numGroups = dim(in.queries, 0);
  Value numQueries = dim(in.queries, 1);
  SmallVector<Value> shared{
      empty({size(in.queries, 0), size(in.queries, 1), b.getIndexAttr(heads),
             size(in.values, 3)})};
  bool wantWeights = static_cast<bool>(op.getWeights());
  if (wantWeights)
    shared.push_back(empty({size(in.queries, 0), b.getIndexAttr(heads),
                            size(in.queries, 1), size(in.values, 1)}));

  // One parallel iteration per (group, head, query block). With a causal
  // mask the last query blocks cost most; they come first so that the
  // threads that take iterations in order end together.
  Value numQueryBlocks = ceilDiv(numQueries, index(queryBlock));
  Value total = mul(mul(numGroups, index(heads)), numQueryBlocks);
  auto forall = b.create<scf::ForallOp>(
      loc, ArrayRef<OpFoldResult>{total}, shared, std::nullopt);
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
    Value acc = b.create<linalg::FillOp>(loc, ValueRange{f32Const(0.0)},
                                         ValueRange{outBlock})
                    .getResult(0);
    SmallVector<OpFoldResult> rowSizes{block.rows};
    Value rowMax = filled(rowSizes, kNegInf);
    Value rowSum = filled(rowSizes, 0.0);
    Value scratch = empty({block.rows, b.getIndexAttr(keyBlock)});

    SmallVector<Value> state{rowMax, rowSum, acc, scratch};
    auto keyLoop = [&](Value from, Value to, bool masked) {
      auto loop = b.create<scf::ForOp>(
          loc, from, to, index(1), state,
          [&](OpBuilder &lb, Location, Value t, ValueRange args) {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(lb.getInsertionBlock());
            Value k0 = add(block.keyStart, mul(t, index(keyBlock)));
            Value cols = min(index(keyBlock), sub(block.keyEnd, k0));
            b.create<scf::YieldOp>(
                loc, onlineStep(in, block, k0, cols, masked, args));
          });
      // Tag the loops so that tests and readers see which one masks.
      loop->setAttr(masked ? "attn.masked_key_blocks" : "attn.key_blocks",
                    b.getUnitAttr());
      state.assign(loop.getResults().begin(), loop.getResults().end());
    };
    keyLoop(index(0), block.numUnmasked, /*masked=*/false);
    if (causal || window || (padding && in.perQueryLengths))
      keyLoop(block.numUnmasked, block.numKeyBlocks, /*masked=*/true);

    // out = acc / sum, 0 for a query without any kept key.
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(2);
    AffineMap rowMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    Value normalized =
        b.create<linalg::GenericOp>(
             loc, state[2].getType(), ValueRange{state[1]},
             ValueRange{state[2]}, ArrayRef<AffineMap>{rowMap, id},
             SmallVector<IteratorType>(2, IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value zero =
                   nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(0.0f));
               Value any = nb.create<arith::CmpFOp>(
                   nl, arith::CmpFPredicate::OGT, args[0], zero);
               Value value = nb.create<arith::DivFOp>(nl, args[1], args[0]);
               nb.create<linalg::YieldOp>(
                   nl, nb.create<arith::SelectOp>(nl, any, value, zero)
                           .getResult());
             })
            .getResult(0);

    Value weightsBlock;
    SmallVector<OpFoldResult> weightOffsets, weightSizes;
    if (wantWeights) {
      // A second pass over the visited key blocks with the final maximum
      // and sum writes the normalized weights.
      Value weightsArg = forall.getRegionIterArgs()[1];
      weightOffsets = {g, h, block.q0, b.getIndexAttr(0)};
      weightSizes = {b.getIndexAttr(1), b.getIndexAttr(1), block.rows,
                     numKeys};
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
      b.create<tensor::ParallelInsertSliceOp>(
          loc, weightsBlock, forall.getRegionIterArgs()[1], weightOffsets,
          weightSizes, unit);
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

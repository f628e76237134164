//===- ConvertAttnToLinalg.cpp - Lower attn ops to linalg on tensors ------===//
//
// The semantics are those of docs/AttnDialect.md; the pass description in
// Passes.td says how each piece is expressed.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_CONVERTATTNTOLINALG
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

using utils::IteratorType;

int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

/// (d0, ..., d(numDims-1)) -> (d0, ..., d(count-1)); unlike
/// AffineMap::getMajorSubMap, not null when `count` is 0.
AffineMap leadingDimsMap(int64_t numDims, int64_t count, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < count; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

/// The parameters of a score function, read from attn.score or attn.attention.
struct ScoreSpec {
  ScoreKind kind;
  Value w, u, v;
  FloatAttr scale;
};

/// A mask as the softmax lowering sees it.
struct MaskSpec {
  MaskKind kind = MaskKind::none;
  int64_t window = 0;
  Value lengths, positions;
  bool gaussian = false;
  /// The scores dim that each per-query dim ([B..., Nq] or [B...]) is: the
  /// identity, except that a heads dim inserted after B... is skipped.
  /// `lengths` indexes a prefix of them, `positions` all of them.
  SmallVector<int64_t> perQueryDims;

  bool has(MaskKind bit) const { return bitEnumContainsAll(kind, bit); }
};

/// Builds the upstream ops that one attn op lowers to.
class LoweringBuilder {
public:
  LoweringBuilder(OpBuilder &builder, Location loc) : b(builder), loc(loc) {}

  //===--------------------------------------------------------------------===//
  // Constants, sizes and new tensors
  //===--------------------------------------------------------------------===//

  /// Reductions may be reassociated, so that LLVM vectorizes them; the sums
  /// and maxima of a row change by rounding only.
  arith::FastMathFlagsAttr reassoc() {
    return arith::FastMathFlagsAttr::get(b.getContext(),
                                         arith::FastMathFlags::reassoc);
  }

  Value f32Const(double value) {
    return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(value));
  }

  OpFoldResult size(Value tensor, int64_t dim) {
    return tensor::getMixedSize(b, loc, tensor, dim);
  }

  SmallVector<OpFoldResult> sizes(Value tensor) {
    return tensor::getMixedSizes(b, loc, tensor);
  }

  static RankedTensorType typeFor(ArrayRef<OpFoldResult> sizes, Type element) {
    SmallVector<int64_t> shape;
    for (OpFoldResult size : sizes)
      shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
    return RankedTensorType::get(shape, element);
  }

  Value empty(ArrayRef<OpFoldResult> sizes) {
    return b.create<tensor::EmptyOp>(loc, sizes, b.getF32Type());
  }

  Value filled(ArrayRef<OpFoldResult> sizes, double value) {
    return b
        .create<linalg::FillOp>(loc, ValueRange{f32Const(value)},
                                ValueRange{empty(sizes)})
        .getResult(0);
  }

  /// `value` with the static type `type` (a tensor.cast when they differ).
  Value castTo(Value value, Type type) {
    if (value.getType() == type)
      return value;
    return b.create<tensor::CastOp>(loc, type, value);
  }

  //===--------------------------------------------------------------------===//
  // Reshapes
  //===--------------------------------------------------------------------===//

  /// Merges the leading `count` dims into one when there are two or more.
  Value collapseLeading(Value tensor, int64_t count) {
    if (count < 2)
      return tensor;
    SmallVector<ReassociationIndices> groups(1);
    for (int64_t i = 0; i < count; ++i)
      groups[0].push_back(i);
    for (int64_t i = count, e = rankOf(tensor); i < e; ++i)
      groups.push_back({i});
    return b.create<tensor::CollapseShapeOp>(loc, tensor, groups);
  }

  /// Undoes collapseLeading; `resultSizes` are the sizes before collapsing.
  ///
  /// When two or more of the expanded dims are dynamic this is a
  /// tensor.reshape to the shape `resultSizes`, not a tensor.expand_shape:
  /// MLIR 19 bufferizes tensor.expand_shape by inferring the output shape of
  /// memref.expand_shape from the types, which is impossible with two dynamic
  /// sizes in one group (it crashes), and folds tensor.dim of such an
  /// expand_shape to garbage ((s0 * s1) floordiv kDynamic).
  Value expandLeading(Value tensor, int64_t count,
                      ArrayRef<OpFoldResult> resultSizes) {
    if (count < 2)
      return tensor;
    RankedTensorType type = typeFor(resultSizes, b.getF32Type());
    if (llvm::count_if(type.getShape().take_front(count),
                       ShapedType::isDynamic) > 1) {
      Value shape = b.create<tensor::FromElementsOp>(
          loc, getValueOrCreateConstantIndexOp(b, loc, resultSizes));
      return b.create<tensor::ReshapeOp>(loc, type, tensor, shape);
    }
    SmallVector<ReassociationIndices> groups(1);
    for (int64_t i = 0; i < count; ++i)
      groups[0].push_back(i);
    for (int64_t i = 1, e = rankOf(tensor); i < e; ++i)
      groups.push_back({count - 1 + i});
    return b.create<tensor::ExpandShapeOp>(loc, type, tensor, groups,
                                           resultSizes);
  }

  /// Merges all dims but the last: [..., K] -> [X, K].
  Value collapseRows(Value tensor) {
    return collapseLeading(tensor, rankOf(tensor) - 1);
  }

  /// Splits the last dim into `parts` x rest: [..., D] -> [..., parts,
  /// D/parts]. `innerSize` is D/parts.
  Value splitLast(Value tensor, int64_t parts, OpFoldResult innerSize) {
    int64_t rank = rankOf(tensor);
    SmallVector<OpFoldResult> resultSizes = sizes(tensor);
    resultSizes.back() = b.getIndexAttr(parts);
    resultSizes.push_back(innerSize);
    SmallVector<ReassociationIndices> groups;
    for (int64_t i = 0; i < rank - 1; ++i)
      groups.push_back({i});
    groups.push_back({rank - 1, rank});
    return b.create<tensor::ExpandShapeOp>(
        loc, typeFor(resultSizes, b.getF32Type()), tensor, groups, resultSizes);
  }

  /// [..., x, y] -> [..., x*y].
  Value mergeLastTwo(Value tensor) {
    int64_t rank = rankOf(tensor);
    SmallVector<ReassociationIndices> groups;
    for (int64_t i = 0; i < rank - 2; ++i)
      groups.push_back({i});
    groups.push_back({rank - 2, rank - 1});
    return b.create<tensor::CollapseShapeOp>(loc, tensor, groups);
  }

  /// A single row [B..., d] as a block of one: [B..., 1, d].
  Value asBlockOfOne(Value tensor) {
    return splitLast(tensor, 1, size(tensor, rankOf(tensor) - 1));
  }

  //===--------------------------------------------------------------------===//
  // Products
  //===--------------------------------------------------------------------===//

  /// `lhs` [G?, M, K] times `rhs` [G?, K, N] (or [G?, N, K] with
  /// `transposeRhs`), rank 2 or 3, as a named linalg op.
  Value matmul(Value lhs, Value rhs, bool transposeRhs) {
    int64_t rank = rankOf(lhs);
    SmallVector<OpFoldResult> outSizes;
    if (rank == 3)
      outSizes.push_back(size(lhs, 0));
    outSizes.push_back(size(lhs, rank - 2));
    outSizes.push_back(size(rhs, transposeRhs ? rank - 2 : rank - 1));
    Value init = filled(outSizes, 0.0);
    Type type = init.getType();
    SmallVector<Value, 2> ins{lhs, rhs};
    TypeRange types(type);
    Operation *product;
    if (rank == 2 && transposeRhs)
      product = b.create<linalg::MatmulTransposeBOp>(loc, types, ins, init);
    else if (rank == 2)
      product = b.create<linalg::MatmulOp>(loc, types, ins, init);
    else if (transposeRhs)
      product =
          b.create<linalg::BatchMatmulTransposeBOp>(loc, types, ins, init);
    else
      product = b.create<linalg::BatchMatmulOp>(loc, types, ins, init);
    return product->getResult(0);
  }

  /// Every row of `rows` [..., K] times a matrix: W^T with `transposeW`
  /// (W: [N, K]), else W ([K, N]). The result is [..., N].
  Value rowsTimes(Value rows, Value w, bool transposeW) {
    SmallVector<OpFoldResult> resultSizes = sizes(rows);
    resultSizes.back() = size(w, transposeW ? 0 : 1);
    int64_t rank = rankOf(rows);
    Value product = matmul(collapseRows(rows), w, transposeW);
    return expandLeading(product, rank - 1, resultSizes);
  }

  //===--------------------------------------------------------------------===//
  // Elementwise helpers
  //===--------------------------------------------------------------------===//

  /// `tensor` * `factor`, elementwise.
  Value scaleBy(Value tensor, Value factor) {
    int64_t rank = rankOf(tensor);
    AffineMap id = b.getMultiDimIdentityMap(rank);
    return b
        .create<linalg::GenericOp>(
            loc, tensor.getType(), ValueRange{tensor},
            ValueRange{empty(sizes(tensor))}, ArrayRef<AffineMap>{id, id},
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value scaled = nb.create<arith::MulFOp>(nl, args[0], factor);
              nb.create<linalg::YieldOp>(nl, scaled);
            })
        .getResult(0);
  }

  /// The Euclidean norm of each row: [..., K] -> [...].
  Value rowNorms(Value tensor) {
    int64_t rank = rankOf(tensor);
    SmallVector<OpFoldResult> rowSizes = sizes(tensor);
    rowSizes.pop_back();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap rowMap = leadingDimsMap(rank, rank - 1, b.getContext());
    SmallVector<IteratorType> iterators(rank - 1, IteratorType::parallel);
    iterators.push_back(IteratorType::reduction);
    Value squares =
        b.create<linalg::GenericOp>(
             loc, typeFor(rowSizes, b.getF32Type()), ValueRange{tensor},
             ValueRange{filled(rowSizes, 0.0)}, ArrayRef<AffineMap>{id, rowMap},
             iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value square = nb.create<arith::MulFOp>(nl, args[0], args[0]);
               Value sum =
                   nb.create<arith::AddFOp>(nl, args[1], square, reassoc());
               nb.create<linalg::YieldOp>(nl, sum);
             })
            .getResult(0);
    AffineMap rowId = b.getMultiDimIdentityMap(rank - 1);
    return b
        .create<linalg::GenericOp>(
            loc, squares.getType(), ValueRange{squares},
            ValueRange{empty(rowSizes)}, ArrayRef<AffineMap>{rowId, rowId},
            SmallVector<IteratorType>(rank - 1, IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value norm = nb.create<math::SqrtOp>(nl, args[0]);
              nb.create<linalg::YieldOp>(nl, norm);
            })
        .getResult(0);
  }

  //===--------------------------------------------------------------------===//
  // attn.score
  //===--------------------------------------------------------------------===//

  /// The scaled_dot factor: the `scale` attribute or 1/sqrt(dk), with dk
  /// read at run time when it is dynamic.
  Value scaleFactor(const ScoreSpec &spec, Value keys) {
    if (spec.scale)
      return f32Const(spec.scale.getValueAsDouble());
    OpFoldResult dk = size(keys, rankOf(keys) - 1);
    if (std::optional<int64_t> known = getConstantIntValue(dk))
      return f32Const(1.0 / std::sqrt(static_cast<double>(*known)));
    Value asInt =
        b.create<arith::IndexCastOp>(loc, b.getI64Type(), cast<Value>(dk));
    Value asFloat = b.create<arith::SIToFPOp>(loc, b.getF32Type(), asInt);
    Value root = b.create<math::SqrtOp>(loc, asFloat);
    return b.create<arith::DivFOp>(loc, f32Const(1.0), root);
  }

  /// s . h_j / max(|s| |h_j|, 1e-8) for queries [G?, Nq, d], keys [G?, Nk, d].
  Value cosineScores(Value queries, Value keys) {
    Value dots = matmul(queries, keys, /*transposeRhs=*/true);
    Value queryNorms = rowNorms(queries), keyNorms = rowNorms(keys);
    int64_t rank = rankOf(dots);
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> lead;
    if (rank == 3)
      lead.push_back(getAffineDimExpr(0, ctx));
    AffineExpr i = getAffineDimExpr(rank - 2, ctx),
               j = getAffineDimExpr(rank - 1, ctx);
    auto mapOf = [&](AffineExpr last) {
      SmallVector<AffineExpr> exprs(lead);
      exprs.push_back(last);
      return AffineMap::get(rank, 0, exprs, ctx);
    };
    AffineMap id = b.getMultiDimIdentityMap(rank);
    return b
        .create<linalg::GenericOp>(
            loc, dots.getType(), ValueRange{queryNorms, keyNorms},
            ValueRange{dots}, ArrayRef<AffineMap>{mapOf(i), mapOf(j), id},
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value product = nb.create<arith::MulFOp>(nl, args[0], args[1]);
              Value eps =
                  nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(1e-8f));
              Value denom = nb.create<arith::MaximumFOp>(nl, product, eps);
              Value score = nb.create<arith::DivFOp>(nl, args[2], denom);
              nb.create<linalg::YieldOp>(nl, score);
            })
        .getResult(0);
  }

  /// v^T tanh(ws_i + uh_j) for ws [G?, Nq, A], uh [G?, Nk, A], v [A].
  Value additiveScores(Value ws, Value uh, Value v) {
    int64_t rank = rankOf(ws); // loops: G?, i, j, a
    int64_t loops = rank + 1;
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> lead;
    if (rank == 3)
      lead.push_back(getAffineDimExpr(0, ctx));
    AffineExpr i = getAffineDimExpr(loops - 3, ctx),
               j = getAffineDimExpr(loops - 2, ctx),
               a = getAffineDimExpr(loops - 1, ctx);
    auto mapOf = [&](ArrayRef<AffineExpr> tail) {
      SmallVector<AffineExpr> exprs(lead);
      exprs.append(tail.begin(), tail.end());
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    SmallVector<OpFoldResult> outSizes = sizes(ws);
    outSizes.back() = size(uh, rank - 2);
    SmallVector<IteratorType> iterators(loops - 1, IteratorType::parallel);
    iterators.push_back(IteratorType::reduction);
    return b
        .create<linalg::GenericOp>(
            loc, typeFor(outSizes, b.getF32Type()), ValueRange{ws, uh, v},
            ValueRange{filled(outSizes, 0.0)},
            ArrayRef<AffineMap>{mapOf({i, a}), mapOf({j, a}),
                                AffineMap::get(loops, 0, {a}, ctx),
                                mapOf({i, j})},
            iterators,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value sum = nb.create<arith::AddFOp>(nl, args[0], args[1]);
              Value act = nb.create<math::TanhOp>(nl, sum);
              Value term = nb.create<arith::MulFOp>(nl, args[2], act);
              Value acc =
                  nb.create<arith::AddFOp>(nl, args[3], term, reassoc());
              nb.create<linalg::YieldOp>(nl, acc);
            })
        .getResult(0);
  }

  /// Scores of a block of queries [B..., Nq, dq] against keys [B..., Nk, dk].
  Value scoreBlock(const ScoreSpec &spec, Value queries, Value keys) {
    int64_t rank = rankOf(keys), numBatch = rank - 2;
    SmallVector<OpFoldResult> outSizes = sizes(queries);
    outSizes.back() = size(keys, rank - 2);
    Value q = collapseLeading(queries, numBatch);
    Value k = collapseLeading(keys, numBatch);
    Value scores;
    switch (spec.kind) {
    case ScoreKind::dot:
      scores = matmul(q, k, /*transposeRhs=*/true);
      break;
    case ScoreKind::scaled_dot:
      scores = matmul(scaleBy(q, scaleFactor(spec, keys)), k, true);
      break;
    case ScoreKind::general:
      scores = matmul(rowsTimes(q, spec.w, /*transposeW=*/false), k, true);
      break;
    case ScoreKind::cosine:
      scores = cosineScores(q, k);
      break;
    case ScoreKind::additive:
      // Without U the keys are already projected (U h_j), once per sentence.
      scores = additiveScores(
          rowsTimes(q, spec.w, /*transposeW=*/true),
          spec.u ? rowsTimes(k, spec.u, /*transposeW=*/true) : k, spec.v);
      break;
    case ScoreKind::location: {
      // Only the first Nk of the L position scores W s are needed: multiply
      // by the first Nk rows of W (a contiguous block).
      OpFoldResult numKeys = size(keys, rank - 2);
      Value rows = b.create<tensor::ExtractSliceOp>(
          loc, spec.w, SmallVector<OpFoldResult>(2, b.getIndexAttr(0)),
          SmallVector<OpFoldResult>{numKeys, size(spec.w, 1)},
          SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));
      scores = rowsTimes(q, rows, /*transposeW=*/true);
      break;
    }
    }
    return expandLeading(scores, numBatch, outSizes);
  }

  /// Scores of a block of queries or of a single query.
  Value score(const ScoreSpec &spec, Value queries, Value keys) {
    if (rankOf(queries) == rankOf(keys))
      return scoreBlock(spec, queries, keys);
    return mergeLastTwo(scoreBlock(spec, asBlockOfOne(queries), keys));
  }

  //===--------------------------------------------------------------------===//
  // attn.softmax
  //===--------------------------------------------------------------------===//

  /// Whether key j is kept, from the loop indices and the scalars of
  /// `lengths` and `positions` (null when absent); null when all are kept.
  Value keepPredicate(OpBuilder &nb, Location nl, const MaskSpec &mask,
                      int64_t rank, Value length, Value position) {
    Value keep;
    auto conjoin = [&](Value cond) {
      keep = keep ? nb.create<arith::AndIOp>(nl, keep, cond).getResult() : cond;
    };
    Value j = nb.create<linalg::IndexOp>(nl, rank - 1);
    if (mask.has(MaskKind::causal)) {
      Value i = nb.create<linalg::IndexOp>(nl, rank - 2);
      conjoin(nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sle, j, i));
    }
    if (mask.has(MaskKind::padding)) {
      Value bound = length;
      if (!bound.getType().isIndex())
        bound = nb.create<arith::IndexCastOp>(nl, nb.getIndexType(), bound);
      conjoin(
          nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::slt, j, bound));
    }
    if (mask.has(MaskKind::window)) {
      if (position) {
        Value dist = nb.create<math::AbsFOp>(
            nl, nb.create<arith::SubFOp>(nl, indexToF32(nb, nl, j), position));
        Value width = nb.create<arith::ConstantOp>(
            nl, nb.getF32FloatAttr(static_cast<float>(mask.window)));
        conjoin(nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OLE, dist,
                                         width));
      } else {
        Value i = nb.create<linalg::IndexOp>(nl, rank - 2);
        Value diff = nb.create<arith::SubIOp>(nl, j, i);
        Value width = nb.create<arith::ConstantIndexOp>(nl, mask.window);
        Value minusWidth = nb.create<arith::ConstantIndexOp>(nl, -mask.window);
        conjoin(nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sle, diff,
                                         width));
        conjoin(nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sge, diff,
                                         minusWidth));
      }
    }
    return keep;
  }

  static Value indexToF32(OpBuilder &nb, Location nl, Value index) {
    Value asInt = nb.create<arith::IndexCastOp>(nl, nb.getI64Type(), index);
    return nb.create<arith::SIToFPOp>(nl, nb.getF32Type(), asInt);
  }

  /// Masked, max-subtracted softmax over the last dim of `scores`.
  Value softmax(Value scores, const MaskSpec &mask) {
    int64_t rank = rankOf(scores);
    MLIRContext *ctx = b.getContext();
    SmallVector<OpFoldResult> rowSizes = sizes(scores);
    rowSizes.pop_back();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap rowMap = leadingDimsMap(rank, rank - 1, b.getContext());
    SmallVector<IteratorType> reduceLast(rank - 1, IteratorType::parallel);
    reduceLast.push_back(IteratorType::reduction);
    SmallVector<IteratorType> allParallel(rank, IteratorType::parallel);

    // lengths and positions are extra inputs of the generics that test the
    // mask, indexed by the per-query dims they refer to.
    SmallVector<Value> maskInputs;
    SmallVector<AffineMap> maskMaps;
    auto mapOfDims = [&](ArrayRef<int64_t> dims) {
      SmallVector<AffineExpr> exprs;
      for (int64_t dim : dims)
        exprs.push_back(getAffineDimExpr(dim, ctx));
      return AffineMap::get(rank, 0, exprs, ctx);
    };
    bool usesLengths = mask.has(MaskKind::padding);
    bool usesPositions = mask.has(MaskKind::window) && mask.positions;
    if (usesLengths) {
      maskInputs.push_back(mask.lengths);
      maskMaps.push_back(mapOfDims(ArrayRef<int64_t>(mask.perQueryDims)
                                       .take_front(rankOf(mask.lengths))));
    }
    if (usesPositions) {
      maskInputs.push_back(mask.positions);
      maskMaps.push_back(mapOfDims(mask.perQueryDims));
    }
    // The mask scalars among a generic's block arguments, from `first` on.
    auto keepAt = [&](OpBuilder &nb, Location nl, ValueRange args,
                      size_t first) {
      Value length = usesLengths ? args[first] : Value();
      Value position =
          usesPositions ? args[first + (usesLengths ? 1 : 0)] : Value();
      return keepPredicate(nb, nl, mask, rank, length, position);
    };
    auto withMaps = [&](ArrayRef<AffineMap> before, ArrayRef<AffineMap> after) {
      SmallVector<AffineMap> maps(before);
      maps.append(maskMaps);
      maps.append(after.begin(), after.end());
      return maps;
    };
    auto withInputs = [&](ArrayRef<Value> before) {
      SmallVector<Value> inputs(before);
      inputs.append(maskInputs);
      return inputs;
    };
    float negInf = -std::numeric_limits<float>::infinity();
    RankedTensorType rowType = typeFor(rowSizes, b.getF32Type());

    // 1. The maximum over the kept keys, from -inf.
    Value rowMax =
        b.create<linalg::GenericOp>(
             loc, rowType, withInputs({scores}),
             ValueRange{filled(rowSizes, negInf)}, withMaps({id}, {rowMap}),
             reduceLast,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value score = args[0];
               if (Value keep = keepAt(nb, nl, args, 1)) {
                 Value lowest = nb.create<arith::ConstantOp>(
                     nl, nb.getF32FloatAttr(negInf));
                 score = nb.create<arith::SelectOp>(nl, keep, score, lowest);
               }
               Value acc = args.back();
               nb.create<linalg::YieldOp>(
                   nl, nb.create<arith::MaximumFOp>(nl, acc, score, reassoc())
                           .getResult());
             })
            .getResult(0);

    // 2. exp(e - max) where kept, 0 elsewhere and where the max is -inf (no
    // key kept), so that no NaN can appear.
    Value exps =
        b.create<linalg::GenericOp>(
             loc, scores.getType(), withInputs({scores, rowMax}),
             ValueRange{empty(sizes(scores))}, withMaps({id, rowMap}, {id}),
             allParallel,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value lowest =
                   nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(negInf));
               Value zero =
                   nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(0.0f));
               Value anyKept = nb.create<arith::CmpFOp>(
                   nl, arith::CmpFPredicate::OGT, args[1], lowest);
               if (Value keep = keepAt(nb, nl, args, 2))
                 anyKept = nb.create<arith::AndIOp>(nl, anyKept, keep);
               Value shifted = nb.create<arith::SubFOp>(nl, args[0], args[1]);
               Value exp = nb.create<math::ExpOp>(nl, shifted);
               nb.create<linalg::YieldOp>(
                   nl, nb.create<arith::SelectOp>(nl, anyKept, exp, zero)
                           .getResult());
             })
            .getResult(0);

    // 3. The sum of each row.
    Value rowSum =
        b.create<linalg::GenericOp>(
             loc, rowType, ValueRange{exps}, ValueRange{filled(rowSizes, 0.0)},
             ArrayRef<AffineMap>{id, rowMap}, reduceLast,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               nb.create<linalg::YieldOp>(
                   nl, nb.create<arith::AddFOp>(nl, args[1], args[0], reassoc())
                           .getResult());
             })
            .getResult(0);

    // 4. Normalize in place (rows summing to 0 stay 0), then the Gaussian.
    bool gaussian = mask.gaussian && mask.window > 0;
    SmallVector<Value> inputs{rowSum};
    SmallVector<AffineMap> maps{rowMap};
    if (gaussian && usesPositions) {
      inputs.push_back(mask.positions);
      maps.push_back(maskMaps.back());
    }
    maps.push_back(id);
    return b
        .create<linalg::GenericOp>(
            loc, scores.getType(), inputs, ValueRange{exps}, maps, allParallel,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value zero =
                  nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(0.0f));
              Value sum = args[0], exp = args.back();
              Value positive = nb.create<arith::CmpFOp>(
                  nl, arith::CmpFPredicate::OGT, sum, zero);
              Value weight = nb.create<arith::DivFOp>(nl, exp, sum);
              if (gaussian) {
                Value j = indexToF32(nb, nl,
                                     nb.create<linalg::IndexOp>(nl, rank - 1));
                Value center =
                    usesPositions
                        ? args[1]
                        : indexToF32(nb, nl,
                                     nb.create<linalg::IndexOp>(nl, rank - 2));
                Value diff = nb.create<arith::SubFOp>(nl, j, center);
                Value square = nb.create<arith::MulFOp>(nl, diff, diff);
                // exp(-d^2 / (2 (w/2)^2)) = exp(d^2 * (-2 / w^2)).
                double w = static_cast<double>(mask.window);
                Value coeff = nb.create<arith::ConstantOp>(
                    nl, nb.getF32FloatAttr(static_cast<float>(-2.0 / (w * w))));
                Value factor = nb.create<math::ExpOp>(
                    nl, nb.create<arith::MulFOp>(nl, square, coeff));
                weight = nb.create<arith::MulFOp>(nl, weight, factor);
              }
              nb.create<linalg::YieldOp>(
                  nl, nb.create<arith::SelectOp>(nl, positive, weight, zero)
                          .getResult());
            })
        .getResult(0);
  }

  //===--------------------------------------------------------------------===//
  // attn.context
  //===--------------------------------------------------------------------===//

  /// Weights [B..., Nq, Nk] times values [B..., Nk, dv].
  Value contextBlock(Value weights, Value values) {
    int64_t rank = rankOf(values), numBatch = rank - 2;
    SmallVector<OpFoldResult> outSizes = sizes(weights);
    outSizes.back() = size(values, rank - 1);
    Value product = matmul(collapseLeading(weights, numBatch),
                           collapseLeading(values, numBatch),
                           /*transposeRhs=*/false);
    return expandLeading(product, numBatch, outSizes);
  }

  Value context(Value weights, Value values) {
    if (rankOf(weights) == rankOf(values))
      return contextBlock(weights, values);
    return mergeLastTwo(contextBlock(asBlockOfOne(weights), values));
  }

  //===--------------------------------------------------------------------===//
  // attn.attention
  //===--------------------------------------------------------------------===//

  /// [B..., N, D] -> [B..., heads, N, D/heads].
  Value headsFirst(Value tensor, int64_t heads) {
    int64_t rank = rankOf(tensor), numBatch = rank - 2;
    int64_t dim = *getConstantIntValue(size(tensor, rank - 1));
    Value split = splitLast(tensor, heads, b.getIndexAttr(dim / heads));
    SmallVector<int64_t> perm = headsPermutation(numBatch);
    SmallVector<OpFoldResult> splitSizes = sizes(split), outSizes;
    for (int64_t p : perm)
      outSizes.push_back(splitSizes[p]);
    return b.create<linalg::TransposeOp>(loc, split, empty(outSizes), perm)
        .getResult()[0];
  }

  /// [B..., heads, N, d] -> [B..., N, heads*d], as one generic whose output
  /// is a plain tensor.empty of the final shape (reading element (i, c) from
  /// head c floordiv d, feature c mod d), so that eliminate-empty-tensors can
  /// put it in the caller's buffer: it does not look through reshapes.
  Value mergeHeads(Value tensor) {
    int64_t rank = rankOf(tensor), numBatch = rank - 3;
    SmallVector<OpFoldResult> in = sizes(tensor), outSizes;
    int64_t heads = *getConstantIntValue(in[numBatch]);
    int64_t inner = *getConstantIntValue(in[numBatch + 2]);
    outSizes.append(in.begin(), in.begin() + numBatch);
    outSizes.push_back(in[numBatch + 1]);
    outSizes.push_back(b.getIndexAttr(heads * inner));
    int64_t loops = rank - 1; // B..., i, c
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> read;
    for (int64_t d = 0; d < numBatch; ++d)
      read.push_back(getAffineDimExpr(d, ctx));
    AffineExpr i = getAffineDimExpr(numBatch, ctx),
               c = getAffineDimExpr(numBatch + 1, ctx);
    read.append({c.floorDiv(inner), i, c % inner});
    AffineMap id = b.getMultiDimIdentityMap(loops);
    return b
        .create<linalg::GenericOp>(
            loc, typeFor(outSizes, b.getF32Type()), ValueRange{tensor},
            ValueRange{empty(outSizes)},
            ArrayRef<AffineMap>{AffineMap::get(loops, 0, read, ctx), id},
            SmallVector<IteratorType>(loops, IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              nb.create<linalg::YieldOp>(nl, args[0]);
            })
        .getResult(0);
  }

  /// Swaps the two dims after the batch dims (an involution).
  static SmallVector<int64_t> headsPermutation(int64_t numBatch) {
    SmallVector<int64_t> perm;
    for (int64_t i = 0; i < numBatch; ++i)
      perm.push_back(i);
    perm.append({numBatch + 1, numBatch, numBatch + 2});
    return perm;
  }

  /// The output and the weights of attn.attention.
  std::pair<Value, Value> attention(const ScoreSpec &spec, MaskSpec mask,
                                    int64_t heads, Value queries, Value keys,
                                    Value values) {
    bool single = rankOf(queries) < rankOf(keys);
    if (heads == 1) {
      Value weights = softmax(score(spec, queries, keys), mask);
      return {context(weights, values), weights};
    }
    int64_t numBatch = rankOf(keys) - 2;
    Value q;
    if (single) {
      int64_t dim = *getConstantIntValue(size(queries, numBatch));
      q = splitLast(queries, heads, b.getIndexAttr(dim / heads));
    } else {
      q = headsFirst(queries, heads);
    }
    Value k = headsFirst(keys, heads), v = headsFirst(values, heads);
    // The heads dim sits after B...; lengths and positions do not have it.
    for (int64_t &dim : mask.perQueryDims)
      if (dim >= numBatch)
        ++dim;
    Value weights = softmax(score(spec, q, k), mask);
    Value out = context(weights, v);
    return {single ? mergeLastTwo(out) : mergeHeads(out), weights};
  }

private:
  OpBuilder &b;
  Location loc;
};

template <typename OpT> ScoreSpec getScoreSpec(OpT op) {
  return {op.getKind(), op.getW(), op.getU(), op.getV(), op.getScaleAttr()};
}

template <typename OpT> MaskSpec getMaskSpec(OpT op, int64_t scoresRank) {
  MaskSpec mask;
  mask.kind = op.getMask();
  if (IntegerAttr window = op.getWindowAttr())
    mask.window = window.getInt();
  mask.lengths = op.getLengths();
  mask.positions = op.getPositions();
  mask.gaussian = op.getGaussian();
  for (int64_t i = 0; i < scoresRank - 1; ++i)
    mask.perQueryDims.push_back(i);
  return mask;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct ScoreOpLowering : OpConversionPattern<ScoreOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScoreOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoweringBuilder lb(rewriter, op.getLoc());
    Value scores =
        lb.score(getScoreSpec(op), adaptor.getQuery(), adaptor.getKeys());
    rewriter.replaceOp(op, lb.castTo(scores, op.getType()));
    return success();
  }
};

struct SoftmaxOpLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoweringBuilder lb(rewriter, op.getLoc());
    int64_t rank = op.getType().getRank();
    Value weights = lb.softmax(adaptor.getInput(), getMaskSpec(op, rank));
    rewriter.replaceOp(op, lb.castTo(weights, op.getType()));
    return success();
  }
};

struct ContextOpLowering : OpConversionPattern<ContextOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ContextOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoweringBuilder lb(rewriter, op.getLoc());
    Value context = lb.context(adaptor.getWeights(), adaptor.getValues());
    rewriter.replaceOp(op, lb.castTo(context, op.getType()));
    return success();
  }
};

struct AttentionOpLowering : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoweringBuilder lb(rewriter, op.getLoc());
    int64_t keysRank = op.getKeys().getType().getRank();
    bool single = op.getQuery().getType().getRank() < keysRank;
    int64_t scoresRank = single ? keysRank - 1 : keysRank;
    auto [output, weights] = lb.attention(
        getScoreSpec(op), getMaskSpec(op, scoresRank), op.getHeads(),
        adaptor.getQuery(), adaptor.getKeys(), adaptor.getValues());
    SmallVector<Value> results{lb.castTo(output, op.getOutput().getType())};
    if (Value declared = op.getWeights())
      results.push_back(lb.castTo(weights, declared.getType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Reports what the patterns cannot lower; they assume it was checked.
LogicalResult checkSupported(Operation *op) {
  auto attention = dyn_cast<AttentionOp>(op);
  if (!attention || attention.getHeads() == 1)
    return success();
  for (auto [name, value] : {std::make_pair("query", attention.getQuery()),
                             std::make_pair("keys", attention.getKeys()),
                             std::make_pair("values", attention.getValues())})
    if (ShapedType::isDynamic(
            cast<RankedTensorType>(value.getType()).getShape().back()))
      return attention.emitOpError() << "with heads(" << attention.getHeads()
                                     << ") needs a static feature size of '"
                                     << name << "' to split it into heads";
  return success();
}

struct ConvertAttnToLinalgPass
    : attn::impl::ConvertAttnToLinalgBase<ConvertAttnToLinalgPass> {
  void runOnOperation() override {
    // Refuse before rewriting anything, so a failure leaves the module as it
    // was and names the op.
    bool supported = true;
    getOperation().walk([&](Operation *op) {
      if (isa<AttnDialect>(op->getDialect()) && failed(checkSupported(op)))
        supported = false;
    });
    if (!supported)
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<AttnDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateAttnToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateAttnToLinalgConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ScoreOpLowering, SoftmaxOpLowering, ContextOpLowering,
               AttentionOpLowering>(patterns.getContext());
}

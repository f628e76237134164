//===- TensorBuilder.h - Building linalg/tensor ops for attn lowerings ----===//
//
// Shared by convert-attn-to-linalg and attn-tile: sizes, reshapes, products
// and the elementwise helpers that the lowerings of attn ops build from.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_PASSES_TENSORBUILDER_H
#define ATTNC_PASSES_TENSORBUILDER_H

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

#include <cmath>

namespace mlir::attn {

using utils::IteratorType;

inline int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

/// (d0, ..., d(numDims-1)) -> (d0, ..., d(count-1)); unlike
/// AffineMap::getMajorSubMap, not null when `count` is 0.
inline AffineMap leadingDimsMap(int64_t numDims, int64_t count,
                                MLIRContext *ctx) {
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

template <typename OpT> ScoreSpec getScoreSpec(OpT op) {
  return {op.getKind(), op.getW(), op.getU(), op.getV(), op.getScaleAttr()};
}

/// Builds upstream ops on tensors at one location.
class TensorBuilder {
public:
  TensorBuilder(OpBuilder &builder, Location loc) : b(builder), loc(loc) {}

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
  // Score helpers
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

  /// v^T tanh(ws_i + uh_j) for ws [G?, Nq, A], uh [G?, Nk, A], v [A].
  /// `zeros` is the zero-filled [G?, Nq, Nk] result buffer, or null for a
  /// new one.
  Value additiveScores(Value ws, Value uh, Value v, Value zeros = {}) {
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
            ValueRange{zeros ? zeros : filled(outSizes, 0.0)},
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

protected:
  OpBuilder &b;
  Location loc;
};

} // namespace mlir::attn

#endif // ATTNC_PASSES_TENSORBUILDER_H

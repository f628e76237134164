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
    // Named: arguments have no evaluation order, and the IR should be the
    // same from every C++ compiler.
    Value fill = f32Const(value);
    return b.create<linalg::FillOp>(loc, fill, empty(sizes)).getResult(0);
  }

  /// `dest` filled with 0.
  Value zeroFilled(Value dest) {
    return b
        .create<linalg::FillOp>(loc, ValueRange{f32Const(0.0)},
                                ValueRange{dest})
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
  /// `transposeRhs`), rank 2 or 3, as a named linalg op, into `init`
  /// ([G?, M, N], zero-filled here) or into a new tensor when it is null.
  Value matmul(Value lhs, Value rhs, bool transposeRhs, Value init = {}) {
    int64_t rank = rankOf(lhs);
    if (init) {
      init = zeroFilled(init);
    } else {
      SmallVector<OpFoldResult> outSizes;
      if (rank == 3)
        outSizes.push_back(size(lhs, 0));
      outSizes.push_back(size(lhs, rank - 2));
      outSizes.push_back(size(rhs, transposeRhs ? rank - 2 : rank - 1));
      init = filled(outSizes, 0.0);
    }
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
  // Elementwise and row-wise generics
  //===--------------------------------------------------------------------===//

  /// `fn` of the elements of `inputs` and of `init` (the last argument),
  /// elementwise into `init`; all have `init`'s shape.
  Value elementwise(ValueRange inputs, Value init,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
    int64_t rank = rankOf(init);
    SmallVector<AffineMap> maps(inputs.size() + 1,
                                b.getMultiDimIdentityMap(rank));
    return b
        .create<linalg::GenericOp>(
            loc, init.getType(), inputs, ValueRange{init}, maps,
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              nb.create<linalg::YieldOp>(nl, fn(nb, nl, args));
            })
        .getResult(0);
  }

  /// The map from an element of a [..., K] tensor to its row of [...].
  AffineMap rowMap(int64_t rank) {
    return leadingDimsMap(rank, rank - 1, b.getContext());
  }

  /// Parallel iterators but the last, a reduction.
  static SmallVector<IteratorType> reducingLast(int64_t rank) {
    SmallVector<IteratorType> iterators(rank - 1, IteratorType::parallel);
    iterators.push_back(IteratorType::reduction);
    return iterators;
  }

  /// `fn(element, accumulator)` over each row of `tensor` [..., K], into
  /// `init` [...].
  Value
  reduceRows(Value tensor, Value init,
             function_ref<Value(OpBuilder &, Location, Value, Value)> fn) {
    int64_t rank = rankOf(tensor);
    return b
        .create<linalg::GenericOp>(
            loc, init.getType(), ValueRange{tensor}, ValueRange{init},
            ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), rowMap(rank)},
            reducingLast(rank),
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              nb.create<linalg::YieldOp>(nl, fn(nb, nl, args[0], args[1]));
            })
        .getResult(0);
  }

  /// `init` plus the sum of each row of `tensor` [..., K].
  Value sumRowsInto(Value tensor, Value init) {
    return reduceRows(
        tensor, init, [&](OpBuilder &nb, Location nl, Value x, Value acc) {
          return nb.create<arith::AddFOp>(nl, acc, x, reassoc()).getResult();
        });
  }

  /// `tensor` * `factor`, elementwise.
  Value scaleBy(Value tensor, Value factor) {
    return elementwise(
        tensor, empty(sizes(tensor)),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          return nb.create<arith::MulFOp>(nl, args[0], factor).getResult();
        });
  }

  /// The Euclidean norm of each row: [..., K] -> [...].
  Value rowNorms(Value tensor) {
    SmallVector<OpFoldResult> rowSizes = sizes(tensor);
    rowSizes.pop_back();
    Value squares =
        reduceRows(tensor, filled(rowSizes, 0.0),
                   [&](OpBuilder &nb, Location nl, Value x, Value acc) {
                     Value square = nb.create<arith::MulFOp>(nl, x, x);
                     return nb.create<arith::AddFOp>(nl, acc, square, reassoc())
                         .getResult();
                   });
    return elementwise(
        squares, empty(rowSizes),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          return nb.create<math::SqrtOp>(nl, args[0]).getResult();
        });
  }

protected:
  OpBuilder &b;
  Location loc;
};

} // namespace mlir::attn

#endif // ATTNC_PASSES_TENSORBUILDER_H

//===- MLIRGenTransformer.cpp - The builtins of transformer layers --------===//
//
// gelu, reductions, chunk and layer_norm become linalg and tensor ops;
// multihead_attention becomes the linear projections around one
// attn.attention with heads, so that it takes the fused and tiled path.
//
//===----------------------------------------------------------------------===//

#include "frontend/Emitter.h"

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <limits>

using namespace attnc;
using namespace attnc::gen;
using namespace mlir;

namespace {

Value f32Constant(OpBuilder &b, Location at, double value) {
  return b.create<arith::ConstantOp>(at, b.getF32FloatAttr(value));
}

} // namespace

FailureOr<Values> Emitter::emitGelu(const Expr &call, Args args, unsigned) {
  bool tanhForm = call.info->tanhApproximation;
  return emitUnary(call, args, [&](OpBuilder &b, Location l, Value x) -> Value {
    Value half = f32Constant(b, l, 0.5), one = f32Constant(b, l, 1);
    Value phi; // 2 Phi(x) - 1
    if (tanhForm) {
      // tanh(sqrt(2 / pi) (x + 0.044715 x^3))
      Value cube = b.create<arith::MulFOp>(l, x, b.create<arith::MulFOp>(l, x, x));
      Value inner = b.create<arith::AddFOp>(
          l, x, b.create<arith::MulFOp>(l, f32Constant(b, l, 0.044715), cube));
      phi = b.create<math::TanhOp>(
          l, b.create<arith::MulFOp>(
                 l, f32Constant(b, l, std::sqrt(2 / M_PI)), inner));
    } else {
      // erf(x / sqrt(2))
      phi = b.create<math::ErfOp>(
          l, b.create<arith::MulFOp>(l, x, f32Constant(b, l, M_SQRT1_2)));
    }
    Value halfX = b.create<arith::MulFOp>(l, half, x);
    return b.create<arith::MulFOp>(l, halfX,
                                   b.create<arith::AddFOp>(l, one, phi));
  });
}

Value Emitter::keepAxis(Location at, Value reduced, const attnc::Type &type,
                        int64_t axis) {
  // [a, c] -> [a, 1, c]: the size-1 axis joins a neighbour's group.
  int64_t rank = type.rank();
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < rank; ++i) {
    bool joinsPrevious = i == axis ? i > 0 : i == axis + 1 && axis == 0;
    if (joinsPrevious)
      groups.back().push_back(i);
    else
      groups.push_back({i});
  }
  if (rank == 1)
    groups.clear(); // from a scalar
  SmallVector<OpFoldResult> sizes;
  for (const Dim &dim : type.shape)
    sizes.push_back(dim.isVar() ? OpFoldResult(dims.lookup(dim.dimVar))
                                : OpFoldResult(builder.getIndexAttr(dim.size)));
  return builder.create<tensor::ExpandShapeOp>(at, tensorType(type), reduced,
                                               groups, sizes);
}

FailureOr<Values> Emitter::emitReduce(const Expr &call, Args args, unsigned) {
  Location at = loc(call.loc);
  const CallInfo &info = *call.info;
  Builtin kind = info.builtin->id;
  Value x = args[0];
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  // The reduced type, without the axis.
  attnc::Type reducedType = call.type;
  if (info.keepdim)
    reducedType.shape.erase(reducedType.shape.begin() + info.axis);
  double initial = kind == Builtin::Max
                       ? -std::numeric_limits<double>::infinity()
                       : 0.0;
  Value fill = f32Constant(builder, at, initial);
  Value init =
      builder.create<linalg::FillOp>(at, fill, empty(at, reducedType))
          .getResult(0);
  SmallVector<AffineExpr> kept;
  for (int64_t i = 0; i < rank; ++i)
    if (i != info.axis)
      kept.push_back(builder.getAffineDimExpr(i));
  AffineMap maps[] = {builder.getMultiDimIdentityMap(rank),
                      AffineMap::get(rank, 0, kept, builder.getContext())};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[info.axis] = utils::IteratorType::reduction;
  auto reassoc = arith::FastMathFlagsAttr::get(builder.getContext(),
                                               arith::FastMathFlags::reassoc);
  Value reduced =
      builder
          .create<linalg::GenericOp>(
              at, init.getType(), x, init, maps, iterators,
              [&](OpBuilder &b, Location l, ValueRange a) {
                Value next =
                    kind == Builtin::Max
                        ? b.create<arith::MaximumFOp>(l, a[0], a[1]).getResult()
                        : b.create<arith::AddFOp>(l, a[1], a[0], reassoc)
                              .getResult();
                b.create<linalg::YieldOp>(l, next);
              })
          .getResult(0);
  if (kind == Builtin::Mean) {
    Value count = axisSize(at, x, info.axis);
    reduced = emitElementwise(
        at, reducedType, {Operand{reduced}},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::DivFOp>(l, a[0], count);
        });
  }
  if (info.keepdim)
    reduced = keepAxis(at, reduced, call.type, info.axis);
  return Values{reduced};
}

Value Emitter::axisSize(Location at, Value x, int64_t axis) {
  Value size = builder.create<tensor::DimOp>(at, x, axis);
  Value asInt = builder.create<arith::IndexCastOp>(at, builder.getI64Type(),
                                                   size);
  return builder.create<arith::SIToFPOp>(at, builder.getF32Type(), asInt);
}

FailureOr<Values> Emitter::emitChunk(const Expr &call, Args args,
                                     unsigned numResults) {
  Location at = loc(call.loc);
  const CallInfo &info = *call.info;
  auto type = cast<RankedTensorType>(args[0].getType());
  int64_t part = type.getDimSize(info.axis) / info.results.size();
  Values parts;
  for (unsigned i = 0; i < numResults; ++i)
    parts.push_back(sliceAlong(at, args[0], info.axis, i * part, part,
                               tensorType(info.results[i])));
  return parts;
}

Value Emitter::sliceAlong(Location at, Value source, int64_t axis,
                          int64_t offset, int64_t size,
                          mlir::RankedTensorType resultType) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(builder, at, source);
  SmallVector<OpFoldResult> offsets(sizes.size(), builder.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(sizes.size(), builder.getIndexAttr(1));
  offsets[axis] = builder.getIndexAttr(offset);
  sizes[axis] = builder.getIndexAttr(size);
  return builder.create<tensor::ExtractSliceOp>(at, resultType, source, offsets,
                                                sizes, strides);
}

FailureOr<Values> Emitter::emitLayerNorm(const Expr &call, Args args,
                                         unsigned) {
  Location at = loc(call.loc);
  const CallInfo &info = *call.info;
  Value x = args[0];
  int64_t rank = call.type.rank();
  attnc::Type rowType = call.type;
  rowType.shape.pop_back();
  // One pass over each row for its mean and variance, from sums of the
  // elements shifted by the row's first one, in f64: the shift takes out
  // the row's offset, so s2/n - (s1/n)^2 does not cancel as
  // E[x^2] - E[x]^2 does, and unlike Welford's update the sums have no
  // division and vectorize.
  Value shift = sliceAlong(at, x, rank - 1, 0, 1, tensorType(rowType));
  Value rowsF32 = empty(at, rowType);
  SmallVector<OpFoldResult> rowSizes =
      tensor::getMixedSizes(builder, at, rowsF32);
  Value zero64 = builder.create<arith::ConstantOp>(at, builder.getF64FloatAttr(0));
  Value empty64 = builder.create<tensor::EmptyOp>(at, rowSizes,
                                                  builder.getF64Type());
  Value init = builder.create<linalg::FillOp>(at, zero64, empty64).getResult(0);
  auto reassoc = arith::FastMathFlagsAttr::get(builder.getContext(),
                                               arith::FastMathFlags::reassoc);
  SmallVector<Value> sums = reduceLastAxis(
      at, {x, shift}, {init, init},
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        // Named, so that the IR does not depend on the order in which the
        // compiler evaluates call arguments (clang and g++ differ).
        Value x64 = b.create<arith::ExtFOp>(l, b.getF64Type(), a[0]);
        Value first64 = b.create<arith::ExtFOp>(l, b.getF64Type(), a[1]);
        Value d = b.create<arith::SubFOp>(l, x64, first64);
        Value s1 = b.create<arith::AddFOp>(l, a[2], d, reassoc);
        Value s2 = b.create<arith::AddFOp>(
            l, a[3], b.create<arith::MulFOp>(l, d, d), reassoc);
        return {s1, s2};
      });
  // The mean, and 1 / sqrt(var + eps) with the biased variance as PyTorch.
  Value width = builder.create<arith::ExtFOp>(at, builder.getF64Type(),
                                              axisSize(at, x, rank - 1));
  double eps = info.eps;
  // The mean as shift + offset: x - mean is then (x - shift) - offset,
  // exact for the x near the shift, where x - mean rounded would not be.
  Value offset = emitElementwise(
      at, rowType, {Operand{sums[0]}},
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        return b.create<arith::TruncFOp>(
            l, b.getF32Type(), b.create<arith::DivFOp>(l, a[0], width));
      });
  Value rstd = emitElementwise(
      at, rowType, {Operand{sums[0]}, Operand{sums[1]}},
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value m1 = b.create<arith::DivFOp>(l, a[0], width);
        Value m2 = b.create<arith::DivFOp>(l, a[1], width);
        Value spread =
            b.create<arith::SubFOp>(l, m2, b.create<arith::MulFOp>(l, m1, m1));
        Value zero = b.create<arith::ConstantOp>(l, b.getF64FloatAttr(0));
        Value var = b.create<arith::MaximumFOp>(l, spread, zero);
        Value std = b.create<math::SqrtOp>(
            l, b.create<arith::AddFOp>(
                   l, var, b.create<arith::ConstantOp>(l, b.getF64FloatAttr(eps))));
        Value inverse = b.create<arith::DivFOp>(
            l, b.create<arith::ConstantOp>(l, b.getF64FloatAttr(1)), std);
        return b.create<arith::TruncFOp>(l, b.getF32Type(), inverse);
      });
  // The rows as [..., 1], which broadcast along the last axis.
  attnc::Type keptType = call.type;
  keptType.shape.back() = Dim::known(1);
  SmallVector<Operand> operands = {
      Operand{x}, Operand{keepAxis(at, shift, keptType, rank - 1)},
      Operand{keepAxis(at, offset, keptType, rank - 1)},
      Operand{keepAxis(at, rstd, keptType, rank - 1)}};
  for (Value affine : args.drop_front())
    operands.push_back(Operand{affine});
  size_t numAffine = args.size() - 1;
  return Values{emitElementwise(
      at, call.type, operands,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value centered = b.create<arith::SubFOp>(
            l, b.create<arith::SubFOp>(l, a[0], a[1]), a[2]);
        Value y = b.create<arith::MulFOp>(l, centered, a[3]);
        if (numAffine >= 1)
          y = b.create<arith::MulFOp>(l, y, a[4]);
        if (numAffine == 2)
          y = b.create<arith::AddFOp>(l, y, a[5]);
        return y;
      })};
}

Value Emitter::emitLinearOf(Location at, Value x, Value weight, Value bias,
                            const attnc::Type &type) {
  // The product accumulates into the bias broadcast to every row: BLAS's
  // beta = 1, and no second pass over the result to add it.
  Value init;
  if (bias)
    init = emitElementwise(at, type, {Operand{bias}},
                           [](OpBuilder &, Location, ValueRange v) -> Value {
                             return v[0];
                           });
  return emitContraction(at, x, weight, /*transposeB=*/true, type, init);
}

FailureOr<Values> Emitter::emitMultiheadAttention(const Expr &call, Args args,
                                                  unsigned numResults) {
  Location at = loc(call.loc);
  const CallInfo &info = *call.info;
  auto emitOptional = [&](const Expr *expr) -> FailureOr<Value> {
    return expr ? emit(*expr) : FailureOr<Value>(Value());
  };
  auto inWeight = emit(*info.inProjWeight);
  auto inBias = emitOptional(info.inProjBias);
  auto outWeight = emit(*info.outProjWeight);
  auto outBias = emitOptional(info.outProjBias);
  auto mask = emitMask(info.mask);
  if (failed(inWeight) || failed(inBias) || failed(outWeight) ||
      failed(outBias) || failed(mask))
    return failure();
  int64_t embed = cast<RankedTensorType>(inWeight->getType()).getDimSize(1);

  // q, k and v: rows [0, E), [E, 2E) and [2E, 3E) of the packed weights,
  // slices that bufferize to views, not copies.
  Values projected;
  for (int64_t i = 0; i < 3; ++i) {
    auto f32 = builder.getF32Type();
    Value weight = sliceAlong(at, *inWeight, 0, i * embed, embed,
                              RankedTensorType::get({embed, embed}, f32));
    Value bias;
    if (*inBias)
      bias = sliceAlong(at, *inBias, 0, i * embed, embed,
                        RankedTensorType::get({embed}, f32));
    projected.push_back(emitLinearOf(at, args[i], weight, bias,
                                     call.operands[i]->type));
  }
  const attnc::Type &outputType = info.results[0];
  mlir::Type weightsType =
      numResults == 2 ? tensorType(info.results[1]) : mlir::Type();
  auto attention = builder.create<attn::AttentionOp>(
      at, tensorType(outputType), weightsType, projected[0], projected[1],
      projected[2], attn::ScoreKind::scaled_dot, Value(), Value(), Value(),
      FloatAttr(), static_cast<uint64_t>(info.heads), mask->kind, mask->window,
      mask->lengths, mask->positions, mask->gaussian);
  Values results{emitLinearOf(at, attention.getOutput(), *outWeight, *outBias,
                              outputType)};
  if (numResults == 2)
    results.push_back(attention.getWeights());
  return results;
}

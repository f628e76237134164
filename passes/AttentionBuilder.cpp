//===- AttentionBuilder.cpp - Attention semantics for the lowerings -------===//

#include "passes/AttentionBuilder.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Scores
//===----------------------------------------------------------------------===//

ScoreInputs AttentionBuilder::prepareScores(const ScoreSpec &spec,
                                            Value queries, Value keys,
                                            OpFoldResult numKeys,
                                            bool withNorms) {
  ScoreInputs in;
  in.kind = spec.kind;
  in.queries = queries;
  in.keys = keys;
  switch (spec.kind) {
  case ScoreKind::dot:
    break;
  case ScoreKind::scaled_dot:
    // Nq x d multiplies instead of Nq x Nk.
    in.queries = scaleBy(queries, scaleFactor(spec, keys));
    break;
  case ScoreKind::general:
    in.queries = rowsTimes(queries, spec.w, /*transposeW=*/false);
    break;
  case ScoreKind::additive:
    in.queries = rowsTimes(queries, spec.w, /*transposeW=*/true);
    if (spec.u)
      in.keys = rowsTimes(keys, spec.u, /*transposeW=*/true);
    in.v = spec.v;
    break;
  case ScoreKind::location:
    // (W s)_j = s . W_j: only the first Nk of the L rows (a contiguous block).
    in.keys = b.create<tensor::ExtractSliceOp>(
        loc, spec.w, SmallVector<OpFoldResult>(2, b.getIndexAttr(0)),
        SmallVector<OpFoldResult>{numKeys, size(spec.w, 1)},
        SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));
    break;
  case ScoreKind::cosine:
    if (withNorms) {
      in.queryNorms = rowNorms(queries);
      in.keyNorms = rowNorms(keys);
    }
    break;
  }
  return in;
}

Value AttentionBuilder::blockScores(const ScoreInputs &in, Value queries,
                                    Value keys, Value queryNorms,
                                    Value keyNorms, Value init) {
  if (in.kind == ScoreKind::additive)
    return additiveScores(queries, keys, in.v, init);
  Value dots;
  if (rankOf(keys) < rankOf(queries)) {
    // One key matrix for a batch of queries: one product of all the rows.
    assert(!init && "a shared key matrix scores into a new tensor");
    dots = rowsTimes(queries, keys, /*transposeW=*/true);
  } else {
    dots = matmul(queries, keys, /*transposeRhs=*/true, init);
  }
  if (in.kind != ScoreKind::cosine)
    return dots;
  if (!queryNorms) {
    queryNorms = rowNorms(queries);
    keyNorms = rowNorms(keys);
  }
  return cosineScores(dots, queryNorms, keyNorms);
}

Value AttentionBuilder::scaleFactor(const ScoreSpec &spec, Value keys) {
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

Value AttentionBuilder::additiveScores(Value ws, Value uh, Value v,
                                       Value init) {
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
          ValueRange{init ? zeroFilled(init) : filled(outSizes, 0.0)},
          ArrayRef<AffineMap>{mapOf({i, a}), mapOf({j, a}),
                              AffineMap::get(loops, 0, {a}, ctx),
                              mapOf({i, j})},
          iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value sum = nb.create<arith::AddFOp>(nl, args[0], args[1]);
            Value act = nb.create<math::TanhOp>(nl, sum);
            Value term = nb.create<arith::MulFOp>(nl, args[2], act);
            Value acc = nb.create<arith::AddFOp>(nl, args[3], term, reassoc());
            nb.create<linalg::YieldOp>(nl, acc);
          })
      .getResult(0);
}

Value AttentionBuilder::cosineScores(Value dots, Value queryNorms,
                                     Value keyNorms) {
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

//===----------------------------------------------------------------------===//
// Masks and normalization
//===----------------------------------------------------------------------===//

Value AttentionBuilder::keepKey(OpBuilder &nb, Location nl,
                                const MaskSpec &mask, Value i, Value j,
                                Value length, Value center) {
  Value keep;
  auto conjoin = [&](Value cond) {
    keep = keep ? nb.create<arith::AndIOp>(nl, keep, cond).getResult() : cond;
  };
  if (mask.has(MaskKind::causal))
    conjoin(nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sle, j, i));
  if (length) {
    Value bound = length;
    if (!bound.getType().isIndex())
      bound = nb.create<arith::IndexCastOp>(nl, nb.getIndexType(), bound);
    conjoin(nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::slt, j, bound));
  }
  if (mask.has(MaskKind::window)) {
    int64_t window = *mask.window;
    if (center) {
      Value dist = nb.create<math::AbsFOp>(
          nl, nb.create<arith::SubFOp>(nl, indexToF32(nb, nl, j), center));
      Value width = nb.create<arith::ConstantOp>(
          nl, nb.getF32FloatAttr(static_cast<float>(window)));
      conjoin(
          nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OLE, dist, width));
    } else {
      Value diff = nb.create<arith::SubIOp>(nl, j, i);
      Value width = nb.create<arith::ConstantIndexOp>(nl, window);
      Value minusWidth = nb.create<arith::ConstantIndexOp>(nl, -window);
      conjoin(
          nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sle, diff, width));
      conjoin(nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sge, diff,
                                       minusWidth));
    }
  }
  return keep;
}

Value AttentionBuilder::divideBySumOrZero(OpBuilder &nb, Location nl, Value x,
                                          Value sum, Value keep,
                                          function_ref<Value(Value)> scale) {
  Value zero = nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(0.0f));
  Value positive =
      nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OGT, sum, zero);
  if (keep)
    positive = nb.create<arith::AndIOp>(nl, positive, keep);
  Value quotient = nb.create<arith::DivFOp>(nl, x, sum);
  if (scale)
    quotient = scale(quotient);
  return nb.create<arith::SelectOp>(nl, positive, quotient, zero);
}

Value AttentionBuilder::indexToF32(OpBuilder &nb, Location nl, Value index) {
  Value asInt = nb.create<arith::IndexCastOp>(nl, nb.getI64Type(), index);
  return nb.create<arith::SIToFPOp>(nl, nb.getF32Type(), asInt);
}

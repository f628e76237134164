//===- ConvertAttnToLinalg.cpp - Lower attn ops to linalg on tensors ------===//
//
// The semantics are those of docs/AttnDialect.md; the pass description in
// Passes.td says how each piece is expressed.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/AttnOps.h"
#include "passes/TensorBuilder.h"

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
class LoweringBuilder : public TensorBuilder {
public:
  using TensorBuilder::TensorBuilder;

  //===--------------------------------------------------------------------===//
  // attn.score
  //===--------------------------------------------------------------------===//

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

};

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

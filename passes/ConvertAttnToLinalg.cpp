//===- ConvertAttnToLinalg.cpp - Lower attn ops to linalg on tensors ------===//
//
// The semantics are those of docs/AttnDialect.md; the pass description in
// Passes.td says how each piece is expressed.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/AttnOps.h"
#include "passes/AttentionBuilder.h"

#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/Sequence.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_CONVERTATTNTOLINALG
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Builds the upstream ops that one attn op lowers to.
class LoweringBuilder : public AttentionBuilder {
public:
  using AttentionBuilder::AttentionBuilder;

  //===--------------------------------------------------------------------===//
  // attn.score
  //===--------------------------------------------------------------------===//

  /// Scores of a block of queries [B..., Nq, dq] against keys [B..., Nk, dk],
  /// all keys in one block.
  Value scoreBlock(const ScoreSpec &spec, Value queries, Value keys) {
    int64_t rank = rankOf(keys), numBatch = rank - 2;
    SmallVector<OpFoldResult> outSizes = sizes(queries);
    outSizes.back() = size(keys, rank - 2);
    Value q = collapseLeading(queries, numBatch);
    Value k = collapseLeading(keys, numBatch);
    // The norms of cosine come after the product, as there is one block.
    ScoreInputs in =
        prepareScores(spec, q, k, outSizes.back(), /*withNorms=*/false);
    Value scores = blockScores(in, in.queries, in.keys);
    return expandLeading(scores, numBatch, outSizes);
  }

  /// Scores of a block of queries or of a single query.
  Value score(const ScoreSpec &spec, Value queries, Value keys, bool single) {
    if (!single)
      return scoreBlock(spec, queries, keys);
    return mergeLastTwo(scoreBlock(spec, asBlockOfOne(queries), keys));
  }

  //===--------------------------------------------------------------------===//
  // attn.softmax
  //===--------------------------------------------------------------------===//

  /// Masked, max-subtracted softmax over the last dim of `scores`. Each
  /// per-query dim of the scores ([B..., Nq], or [B...] for a single query)
  /// is the scores dim `perQueryDims` names: `lengths` is indexed by a
  /// prefix of them, `positions` by all.
  Value softmax(Value scores, const MaskSpec &mask,
                ArrayRef<int64_t> perQueryDims) {
    int64_t rank = rankOf(scores);
    MLIRContext *ctx = b.getContext();
    SmallVector<OpFoldResult> rowSizes = sizes(scores);
    rowSizes.pop_back();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap rows = rowMap(rank);
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
      maskMaps.push_back(
          mapOfDims(perQueryDims.take_front(rankOf(mask.lengths))));
    }
    if (usesPositions) {
      maskInputs.push_back(mask.positions);
      maskMaps.push_back(mapOfDims(perQueryDims));
    }
    // The mask test of the element at the generic's indices, reading the
    // mask scalars among its block arguments from `first` on.
    auto keepAt = [&](OpBuilder &nb, Location nl, ValueRange args,
                      size_t first) -> Value {
      if (mask.kind == MaskKind::none)
        return {};
      Value length = usesLengths ? args[first] : Value();
      Value position =
          usesPositions ? args[first + (usesLengths ? 1 : 0)] : Value();
      Value j = nb.create<linalg::IndexOp>(nl, rank - 1);
      Value i = mask.usesQueryIndex()
                    ? nb.create<linalg::IndexOp>(nl, rank - 2).getResult()
                    : Value();
      return keepKey(nb, nl, mask, i, j, length, position);
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
             ValueRange{filled(rowSizes, negInf)}, withMaps({id}, {rows}),
             reducingLast(rank),
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
             ValueRange{empty(sizes(scores))}, withMaps({id, rows}, {id}),
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
    Value rowSum = sumRowsInto(exps, filled(rowSizes, 0.0));

    // 4. Normalize in place (rows summing to 0 stay 0), then the Gaussian.
    bool gaussian = mask.gaussian && *mask.window > 0;
    SmallVector<Value> inputs{rowSum};
    SmallVector<AffineMap> maps{rows};
    if (gaussian && usesPositions) {
      inputs.push_back(mask.positions);
      maps.push_back(maskMaps.back());
    }
    maps.push_back(id);
    return b
        .create<linalg::GenericOp>(
            loc, scores.getType(), inputs, ValueRange{exps}, maps, allParallel,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              // exp(-(j - c)^2 / (2 (w/2)^2)) = exp((j - c)^2 * (-2 / w^2)).
              auto times = [&](Value weight) -> Value {
                Value j = indexToF32(nb, nl,
                                     nb.create<linalg::IndexOp>(nl, rank - 1));
                Value center =
                    usesPositions
                        ? args[1]
                        : indexToF32(nb, nl,
                                     nb.create<linalg::IndexOp>(nl, rank - 2));
                Value diff = nb.create<arith::SubFOp>(nl, j, center);
                Value square = nb.create<arith::MulFOp>(nl, diff, diff);
                double w = static_cast<double>(*mask.window);
                Value coeff = nb.create<arith::ConstantOp>(
                    nl, nb.getF32FloatAttr(static_cast<float>(-2.0 / (w * w))));
                Value factor = nb.create<math::ExpOp>(
                    nl, nb.create<arith::MulFOp>(nl, square, coeff));
                return nb.create<arith::MulFOp>(nl, weight, factor);
              };
              Value weight = divideBySumOrZero(
                  nb, nl, args.back(), args[0], /*keep=*/{},
                  gaussian ? function_ref<Value(Value)>(times) : nullptr);
              nb.create<linalg::YieldOp>(nl, weight);
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
    Value lhs = collapseLeading(weights, numBatch);
    Value rhs = collapseLeading(values, numBatch);
    Value product = matmul(lhs, rhs, /*transposeRhs=*/false);
    return expandLeading(product, numBatch, outSizes);
  }

  /// The context of a block of queries or of a single query.
  Value context(Value weights, Value values, bool single) {
    if (!single)
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

  /// The output and the weights of `op` for these operands.
  std::pair<Value, Value> attention(AttentionOp op, Value queries, Value keys,
                                    Value values) {
    ScoreSpec spec = op.getScoreSpec();
    MaskSpec mask = op.getMaskSpec();
    bool single = op.isSingleQuery();
    int64_t heads = op.getHeads();
    int64_t numBatch = rankOf(keys) - 2;
    SmallVector<int64_t> perQueryDims = llvm::to_vector(
        llvm::seq<int64_t>(0, single ? numBatch : numBatch + 1));
    if (heads == 1) {
      Value weights =
          softmax(score(spec, queries, keys, single), mask, perQueryDims);
      return {context(weights, values, single), weights};
    }
    Value q;
    if (single) {
      int64_t dim = *getConstantIntValue(size(queries, numBatch));
      q = splitLast(queries, heads, b.getIndexAttr(dim / heads));
    } else {
      q = headsFirst(queries, heads);
    }
    Value k = headsFirst(keys, heads), v = headsFirst(values, heads);
    // The heads dim sits after B...; lengths and positions do not have it.
    for (int64_t &dim : perQueryDims)
      if (dim >= numBatch)
        ++dim;
    Value weights = softmax(score(spec, q, k, single), mask, perQueryDims);
    Value out = context(weights, v, single);
    return {single ? mergeLastTwo(out) : mergeHeads(out), weights};
  }
};

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// The results of each op, before the casts to its declared result types.
SmallVector<Value> lower(LoweringBuilder &lb, ScoreOp op,
                         ScoreOp::Adaptor adaptor) {
  return {lb.score(op.getScoreSpec(), adaptor.getQuery(), adaptor.getKeys(),
                   op.isSingleQuery())};
}

SmallVector<Value> lower(LoweringBuilder &lb, SoftmaxOp op,
                         SoftmaxOp::Adaptor adaptor) {
  // The per-query dims are the leading dims of the scores.
  SmallVector<int64_t> perQueryDims =
      llvm::to_vector(llvm::seq<int64_t>(0, op.getType().getRank() - 1));
  return {lb.softmax(adaptor.getInput(), op.getMaskSpec(), perQueryDims)};
}

SmallVector<Value> lower(LoweringBuilder &lb, ContextOp op,
                         ContextOp::Adaptor adaptor) {
  return {lb.context(adaptor.getWeights(), adaptor.getValues(),
                     op.isSingleQuery())};
}

SmallVector<Value> lower(LoweringBuilder &lb, AttentionOp op,
                         AttentionOp::Adaptor adaptor) {
  auto [output, weights] = lb.attention(op, adaptor.getQuery(),
                                        adaptor.getKeys(), adaptor.getValues());
  if (!op.getWeights())
    return {output};
  return {output, weights};
}

/// Replaces an attn op by what `lower` builds, cast to the declared types.
template <typename OpT> struct AttnOpLowering : OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpT op, typename OpT::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LoweringBuilder lb(rewriter, op.getLoc());
    SmallVector<Value> results = lower(lb, op, adaptor);
    for (auto [result, type] : llvm::zip(results, op->getResultTypes()))
      result = lb.castTo(result, type);
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
  patterns.add<AttnOpLowering<ScoreOp>, AttnOpLowering<SoftmaxOp>,
               AttnOpLowering<ContextOp>, AttnOpLowering<AttentionOp>>(
      patterns.getContext());
}

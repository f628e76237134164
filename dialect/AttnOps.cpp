//===- AttnOps.cpp - The attn dialect: registration and verifiers ---------===//

#include "dialect/AttnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

#include "dialect/AttnDialect.cpp.inc"
#include "dialect/AttnEnums.cpp.inc"
#include "dialect/AttnInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/AttnAttrs.cpp.inc"

#define GET_OP_CLASSES
#include "dialect/AttnOps.cpp.inc"

void AttnDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/AttnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialect/AttnOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

namespace {

bool isKnown(int64_t dim) { return !ShapedType::isDynamic(dim); }

/// Two dims conflict only when both are known and differ.
bool conflict(int64_t a, int64_t b) { return isKnown(a) && isKnown(b) && a != b; }

std::string formatDim(int64_t dim) {
  return isKnown(dim) ? std::to_string(dim) : std::string("?");
}

/// Shapes read as `[4, ?, 64]` in messages.
std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::interleave(
      shape, [&](int64_t dim) { text += formatDim(dim); },
      [&] { text += ", "; });
  return text + "]";
}

/// Prefer a known dim over a dynamic one when two operands share a dim.
int64_t mergeDims(int64_t a, int64_t b) { return isKnown(a) ? a : b; }

/// A block of rows `[B..., N, x]` (or a single row `[B..., x]`) against a
/// block of items `[B..., M, y]`: queries against keys, weights against
/// values.
struct BlockPair {
  SmallVector<int64_t> batch; // B..., merged from both sides
  bool single = false;        // the rows have no N dim
  int64_t numRows = 1;        // N (1 for a single row)
  int64_t rowInner = 0;       // x
  int64_t numItems = 0;       // M
  int64_t itemInner = 0;      // y
};

LogicalResult matchBlocks(Operation *op, RankedTensorType rows,
                          StringRef rowsName, RankedTensorType items,
                          StringRef itemsName, BlockPair &pair) {
  int64_t rank = items.getRank();
  if (rank < 2)
    return op->emitOpError()
           << "'" << itemsName
           << "' must have rank >= 2 ([..., rows, features]), got "
           << formatShape(items.getShape());
  if (rows.getRank() != rank && rows.getRank() != rank - 1)
    return op->emitOpError()
           << "'" << rowsName << "' must have rank " << rank
           << " (a block of queries) or " << rank - 1
           << " (a single query) to match '" << itemsName << "' "
           << formatShape(items.getShape()) << ", got "
           << formatShape(rows.getShape());
  for (int64_t i = 0; i < rank - 2; ++i) {
    int64_t r = rows.getDimSize(i), k = items.getDimSize(i);
    if (conflict(r, k))
      return op->emitOpError()
             << "batch dimension " << i << " of '" << rowsName << "' ("
             << r << ") does not match '" << itemsName << "' (" << k << ")";
    pair.batch.push_back(mergeDims(r, k));
  }
  pair.single = rows.getRank() == rank - 1;
  pair.numRows = pair.single ? 1 : rows.getDimSize(rank - 2);
  pair.rowInner = rows.getShape().back();
  pair.numItems = items.getDimSize(rank - 2);
  pair.itemInner = items.getShape().back();
  return success();
}

/// `batch` + [N] (unless single) + `tail`.
SmallVector<int64_t> blockShape(const BlockPair &pair,
                                ArrayRef<int64_t> tail) {
  SmallVector<int64_t> shape(pair.batch);
  if (!pair.single)
    shape.push_back(pair.numRows);
  shape.append(tail.begin(), tail.end());
  return shape;
}

LogicalResult checkShape(Operation *op, StringRef name, Type actual,
                         ArrayRef<int64_t> expected, StringRef layout) {
  auto type = cast<RankedTensorType>(actual);
  if (type.getRank() != static_cast<int64_t>(expected.size()) ||
      failed(verifyCompatibleShape(type.getShape(), expected)))
    return op->emitOpError()
           << "'" << name << "' must have shape " << formatShape(expected)
           << " (" << layout << "), got " << formatShape(type.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// Score and mask rules, shared by the unfused ops and attn.attention
//===----------------------------------------------------------------------===//

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// Checks that `kind` gets exactly its parameters, with the right shapes, for
/// queries of `queryDim` features against `numKeys` keys of `keyDim`.
LogicalResult verifyScore(Operation *op, const ScoreSpec &spec,
                          int64_t queryDim, int64_t keyDim, int64_t numKeys) {
  ScoreKind kind = spec.kind;
  StringRef kindName = stringifyScoreKind(kind);
  bool takesW = kind == ScoreKind::general || kind == ScoreKind::additive ||
                kind == ScoreKind::location;
  bool takesUV = kind == ScoreKind::additive;
  // U is optional for additive: without it the keys are already projected
  // (U h_j computed once per source sentence, e.g. by the encoder).
  for (auto [value, name, takes, optional] :
       {std::make_tuple(spec.w, "W", takesW, false),
        std::make_tuple(spec.u, "U", takesUV, true),
        std::make_tuple(spec.v, "v", takesUV, false)}) {
    if (takes && !optional && !value)
      return op->emitOpError()
             << kindName << " score needs a '" << name << "' parameter";
    if (!takes && value)
      return op->emitOpError()
             << kindName << " score takes no '" << name << "' parameter";
  }

  if (spec.scale) {
    if (kind != ScoreKind::scaled_dot)
      return op->emitOpError()
             << "'scale' only applies to the scaled_dot score, not "
             << kindName;
    double scale = spec.scale.getValueAsDouble();
    if (!(scale > 0) || !std::isfinite(scale))
      return op->emitOpError()
             << "'scale' must be a positive finite number, got " << scale;
  }

  std::string dq = formatDim(queryDim), dk = formatDim(keyDim);
  switch (kind) {
  case ScoreKind::dot:
  case ScoreKind::scaled_dot:
  case ScoreKind::cosine:
    if (conflict(queryDim, keyDim))
      return op->emitOpError()
             << kindName
             << " score needs queries and keys of the same feature size, got "
             << dq << " and " << dk;
    return success();
  case ScoreKind::general: {
    ArrayRef<int64_t> w = shapeOf(spec.w);
    if (w.size() != 2 || conflict(w[0], queryDim) || conflict(w[1], keyDim))
      return op->emitOpError()
             << "general score needs W of shape [" << dq << ", " << dk
             << "] (query features x key features), got " << formatShape(w);
    return success();
  }
  case ScoreKind::additive: {
    ArrayRef<int64_t> w = shapeOf(spec.w), v = shapeOf(spec.v);
    ArrayRef<int64_t> u = spec.u ? shapeOf(spec.u) : ArrayRef<int64_t>();
    if (w.size() != 2 || conflict(w[1], queryDim))
      return op->emitOpError()
             << "additive score needs W of shape [A, " << dq
             << "] (attention size x query features), got " << formatShape(w);
    if (!spec.u) {
      if (conflict(w[0], keyDim))
        return op->emitOpError()
               << "additive score without U takes projected keys (U h_j) of "
                  "the attention size "
               << formatDim(w[0]) << ", got keys of " << dk << " features";
    } else if (u.size() != 2 || conflict(u[1], keyDim)) {
      return op->emitOpError()
             << "additive score needs U of shape [A, " << dk
             << "] (attention size x key features), got " << formatShape(u);
    } else if (conflict(w[0], u[0])) {
      return op->emitOpError()
             << "additive score needs W and U of the same attention size, got "
             << w[0] << " and " << u[0];
    }
    int64_t size = mergeDims(w[0], spec.u ? u[0] : keyDim);
    if (v.size() != 1 || conflict(v[0], size))
      return op->emitOpError()
             << "additive score needs v of shape [" << formatDim(size)
             << "] (the attention size), got " << formatShape(v);
    return success();
  }
  case ScoreKind::location: {
    ArrayRef<int64_t> w = shapeOf(spec.w);
    if (w.size() != 2 || conflict(w[1], queryDim))
      return op->emitOpError()
             << "location score needs W of shape [L, " << dq
             << "] (positions x query features), got " << formatShape(w);
    if (isKnown(w[0]) && isKnown(numKeys) && w[0] < numKeys)
      return op->emitOpError()
             << "location score's W covers " << w[0]
             << " positions but there are " << numKeys << " keys";
    return success();
  }
  }
  llvm_unreachable("unknown score kind");
}

/// Checks a mask against scores of `scores` shape ([B..., Nq, Nk], or
/// [B..., Nk] for a single query).
LogicalResult verifyMask(Operation *op, const MaskSpec &mask,
                         ArrayRef<int64_t> scores, bool singleQuery) {
  bool causal = mask.has(MaskKind::causal);
  bool padding = mask.has(MaskKind::padding);
  bool window = mask.has(MaskKind::window);
  ArrayRef<int64_t> perQuery = scores.drop_back();

  if (causal && singleQuery)
    return op->emitOpError()
           << "causal mask needs a block of queries, got a single query";

  if (padding && !mask.lengths)
    return op->emitOpError() << "padding mask needs a 'lengths' operand";
  if (!padding && mask.lengths)
    return op->emitOpError()
           << "'lengths' is given but the mask does not include padding";
  if (mask.lengths) {
    ArrayRef<int64_t> lengths = shapeOf(mask.lengths);
    if (lengths.size() > perQuery.size() ||
        failed(verifyCompatibleShape(lengths,
                                     perQuery.take_front(lengths.size()))))
      return op->emitOpError()
             << "'lengths' of shape " << formatShape(lengths)
             << " must match leading dimensions of the scores' batch and "
                "query dimensions "
             << formatShape(perQuery);
  }

  if (window && !mask.window)
    return op->emitOpError() << "window mask needs a 'window' size";
  if (!window && mask.window)
    return op->emitOpError()
           << "'window' size is given but the mask does not include window";
  if (mask.window && *mask.window < 0)
    return op->emitOpError()
           << "window size must be non-negative, got " << *mask.window;
  if (mask.positions && !window)
    return op->emitOpError() << "'positions' only apply to a window mask";
  if (mask.positions &&
      (shapeOf(mask.positions).size() != perQuery.size() ||
       failed(verifyCompatibleShape(shapeOf(mask.positions), perQuery))))
    return op->emitOpError()
           << "'positions' must have shape " << formatShape(perQuery)
           << " (one window center per query), got "
           << formatShape(shapeOf(mask.positions));
  if (window && !mask.positions && singleQuery)
    return op->emitOpError() << "window mask on a single query needs "
                                "'positions' (the window center)";
  if (mask.gaussian && !window)
    return op->emitOpError() << "'gaussian' weighting needs a window mask";
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Type inference used by builders
//===----------------------------------------------------------------------===//

/// `rows` without its last dim, batch dims merged with `items`, then
/// `lastDim`.
static RankedTensorType rowsWithLastDim(RankedTensorType rows,
                                        RankedTensorType items,
                                        int64_t lastDim) {
  SmallVector<int64_t> shape(rows.getShape().drop_back());
  for (int64_t i = 0, e = std::min<int64_t>(shape.size(), items.getRank() - 2);
       i < e; ++i)
    shape[i] = mergeDims(shape[i], items.getDimSize(i));
  shape.push_back(lastDim);
  return RankedTensorType::get(shape, rows.getElementType());
}

RankedTensorType mlir::attn::getScoresType(RankedTensorType query,
                                           RankedTensorType keys) {
  int64_t numKeys = keys.getRank() >= 2 ? keys.getDimSize(keys.getRank() - 2)
                                        : ShapedType::kDynamic;
  return rowsWithLastDim(query, keys, numKeys);
}

RankedTensorType mlir::attn::getContextType(RankedTensorType weights,
                                            RankedTensorType values) {
  int64_t dim = values.getRank() >= 1 ? values.getShape().back()
                                      : ShapedType::kDynamic;
  return rowsWithLastDim(weights, values, dim);
}

//===----------------------------------------------------------------------===//
// ScoreOp
//===----------------------------------------------------------------------===//

void ScoreOp::build(OpBuilder &builder, OperationState &state, ScoreKind kind,
                    Value query, Value keys, Value w, Value u, Value v,
                    FloatAttr scale) {
  RankedTensorType type =
      getScoresType(cast<RankedTensorType>(query.getType()),
                    cast<RankedTensorType>(keys.getType()));
  build(builder, state, type, query, keys, kind, w, u, v, scale);
}

LogicalResult ScoreOp::verify() {
  BlockPair pair;
  if (failed(matchBlocks(*this, getQuery().getType(), "query",
                         getKeys().getType(), "keys", pair)) ||
      failed(verifyScore(*this, getScoreSpec(), pair.rowInner, pair.itemInner,
                         pair.numItems)))
    return failure();
  return checkShape(*this, "result", getType(),
                    blockShape(pair, {pair.numItems}),
                    pair.single ? "[B..., Nk]" : "[B..., Nq, Nk]");
}

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

/// The second-last dim of the scores, when there is one, is the query index.
bool SoftmaxOp::isSingleQuery() { return getInput().getType().getRank() < 2; }

LogicalResult SoftmaxOp::verify() {
  ArrayRef<int64_t> scores = getInput().getType().getShape();
  if (scores.empty())
    return emitOpError() << "scores must have rank >= 1 (the key dimension)";
  return verifyMask(*this, getMaskSpec(), scores, isSingleQuery());
}

//===----------------------------------------------------------------------===//
// ContextOp
//===----------------------------------------------------------------------===//

void ContextOp::build(OpBuilder &builder, OperationState &state, Value weights,
                      Value values) {
  RankedTensorType type =
      getContextType(cast<RankedTensorType>(weights.getType()),
                     cast<RankedTensorType>(values.getType()));
  build(builder, state, type, weights, values);
}

bool ContextOp::isSingleQuery() {
  return getWeights().getType().getRank() < getValues().getType().getRank();
}

LogicalResult ContextOp::verify() {
  BlockPair pair;
  if (failed(matchBlocks(*this, getWeights().getType(), "weights",
                         getValues().getType(), "values", pair)))
    return failure();
  if (conflict(pair.rowInner, pair.numItems))
    return emitOpError() << "'weights' cover " << pair.rowInner
                         << " keys but 'values' has " << pair.numItems
                         << " rows";
  return checkShape(*this, "result", getType(),
                    blockShape(pair, {pair.itemInner}),
                    pair.single ? "[B..., dv]" : "[B..., Nq, dv]");
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

void AttentionOp::build(OpBuilder &builder, OperationState &state, Type output,
                        Type weights, Value query, Value keys, Value values,
                        const ScoreSpec &score, int64_t heads,
                        const MaskSpec &mask) {
  MLIRContext *ctx = builder.getContext();
  // Absent attributes take their defaults (heads 1, no window, no gaussian).
  build(builder, state, output, weights, query, keys, values,
        ScoreKindAttr::get(ctx, score.kind), score.w, score.u, score.v,
        score.scale,
        heads == 1 ? IntegerAttr() : builder.getI64IntegerAttr(heads),
        MaskKindAttr::get(ctx, mask.kind),
        mask.window ? builder.getI64IntegerAttr(*mask.window) : IntegerAttr(),
        mask.lengths, mask.positions,
        mask.gaussian ? builder.getUnitAttr() : UnitAttr());
}

LogicalResult AttentionOp::verify() {
  BlockPair pair;
  if (failed(matchBlocks(*this, getQuery().getType(), "query",
                         getKeys().getType(), "keys", pair)))
    return failure();

  ArrayRef<int64_t> keys = getKeys().getType().getShape();
  ArrayRef<int64_t> values = getValues().getType().getShape();
  if (values.size() != keys.size() ||
      failed(verifyCompatibleShape(values.drop_back(), keys.drop_back())))
    return emitOpError()
           << "'values' must match 'keys' in all but the last dimension, got "
           << formatShape(values) << " and " << formatShape(keys);
  int64_t valueDim = values.back();

  int64_t heads = getHeadsAttr() ? getHeadsAttr().getInt() : 1;
  if (heads < 1)
    return emitOpError() << "'heads' must be at least 1, got " << heads;
  for (auto [name, dim] : {std::make_pair("query", pair.rowInner),
                           std::make_pair("keys", pair.itemInner),
                           std::make_pair("values", valueDim)})
    if (isKnown(dim) && dim % heads != 0)
      return emitOpError() << "'heads' (" << heads
                           << ") must divide the feature size of '" << name
                           << "' (" << dim << ")";
  auto perHead = [&](int64_t dim) {
    return isKnown(dim) ? dim / heads : ShapedType::kDynamic;
  };

  if (failed(verifyScore(*this, getScoreSpec(), perHead(pair.rowInner),
                         perHead(pair.itemInner), pair.numItems)))
    return failure();
  SmallVector<int64_t> scores = blockShape(pair, {pair.numItems});
  if (failed(verifyMask(*this, getMaskSpec(), scores, pair.single)))
    return failure();

  if (failed(checkShape(*this, "output", getOutput().getType(),
                        blockShape(pair, {valueDim}),
                        pair.single ? "[B..., dv]" : "[B..., Nq, dv]")))
    return failure();
  if (!getWeights())
    return success();
  SmallVector<int64_t> weights(pair.batch);
  if (heads > 1)
    weights.push_back(heads);
  if (!pair.single)
    weights.push_back(pair.numRows);
  weights.push_back(pair.numItems);
  std::string layout = std::string("[B...") + (heads > 1 ? ", heads" : "") +
                       (pair.single ? "" : ", Nq") + ", Nk]";
  return checkShape(*this, "weights", getWeights().getType(), weights, layout);
}

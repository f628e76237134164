//===- MLIRGenSeq2Seq.cpp - Builtins of recurrent seq2seq models ----------===//
//
// embed, linear, concat, flatten, log_softmax and argmax become upstream
// tensor/linalg ops; the recurrent layers and cells attn ops, one per
// direction.
//
//===----------------------------------------------------------------------===//

#include "frontend/Emitter.h"

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace attnc;
using namespace attnc::gen;
using namespace mlir;

Value Emitter::insertAt(Location at, Value source, Value dest,
                          ArrayRef<OpFoldResult> offsets) {
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(builder, at, source);
  auto destType = cast<RankedTensorType>(dest.getType());
  // A source of lower rank fills the trailing axes (a row of a matrix).
  while (sizes.size() < size_t(destType.getRank()))
    sizes.insert(sizes.begin(), builder.getIndexAttr(1));
  SmallVector<OpFoldResult> strides(sizes.size(), builder.getIndexAttr(1));
  return builder.create<tensor::InsertSliceOp>(at, source, dest, offsets,
                                               sizes, strides);
}

/// One generic over the ids and the embedding axis reads table[id, e].
FailureOr<Values> Emitter::emitEmbed(const Expr &call, Args args, unsigned) {
  Location at = loc(call.loc);
  Value table = args[0], ids = args[1];
  unsigned loops = call.type.rank();
  MLIRContext *ctx = builder.getContext();
  SmallVector<AffineExpr> idExprs;
  for (unsigned i = 0; i + 1 < loops; ++i)
    idExprs.push_back(builder.getAffineDimExpr(i));
  SmallVector<AffineMap> maps{AffineMap::get(loops, 0, idExprs, ctx),
                              builder.getMultiDimIdentityMap(loops)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  auto generic = builder.create<linalg::GenericOp>(
      at, TypeRange{tensorType(call.type)}, ValueRange{ids},
      ValueRange{empty(at, call.type)}, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        // The ids were checked against the table before the call.
        Value row =
            b.create<arith::IndexCastOp>(l, b.getIndexType(), args[0]);
        Value column = b.create<linalg::IndexOp>(l, loops - 1);
        Value value =
            b.create<tensor::ExtractOp>(l, table, ValueRange{row, column});
        b.create<linalg::YieldOp>(l, value);
      });
  return Values{generic.getResult(0)};
}

/// x W^T + b: a matvec for one input row, matmul_transpose_b for several.
FailureOr<Values> Emitter::emitLinear(const Expr &call, Args args, unsigned) {
  return Values{emitLinearOf(loc(call.loc), args[0], args[1],
                             args.size() == 3 ? args[2] : Value(), call.type)};
}

FailureOr<Values> Emitter::emitConcat(const Expr &call, Args args, unsigned) {
  Location at = loc(call.loc);
  Value result = empty(at, call.type);
  unsigned rank = call.type.rank();
  int64_t offset = 0;
  for (Value part : args) {
    SmallVector<OpFoldResult> offsets(rank, builder.getIndexAttr(0));
    offsets.back() = builder.getIndexAttr(offset);
    result = insertAt(at, part, result, offsets);
    offset += cast<RankedTensorType>(part.getType()).getShape().back();
  }
  return Values{result};
}

FailureOr<Values> Emitter::emitFlatten(const Expr &call, Args args, unsigned) {
  int64_t rank = cast<RankedTensorType>(args[0].getType()).getRank();
  return Values{builder.create<tensor::CollapseShapeOp>(
      loc(call.loc), tensorType(call.type), args[0],
      ArrayRef<ReassociationIndices>{
          llvm::to_vector(llvm::seq<int64_t>(0, rank))})};
}

SmallVector<Value> Emitter::reduceLastAxis(
    Location at, ValueRange inputs, ValueRange inits,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  unsigned loops = cast<RankedTensorType>(inputs[0].getType()).getRank();
  MLIRContext *ctx = builder.getContext();
  SmallVector<AffineExpr> rowExprs;
  for (unsigned i = 0; i + 1 < loops; ++i)
    rowExprs.push_back(builder.getAffineDimExpr(i));
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(cast<RankedTensorType>(input.getType()).getRank() == loops
                       ? builder.getMultiDimIdentityMap(loops)
                       : AffineMap::get(loops, 0, rowExprs, ctx));
  maps.append(inits.size(), AffineMap::get(loops, 0, rowExprs, ctx));
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  auto generic = builder.create<linalg::GenericOp>(
      at, inits.getTypes(), inputs, inits, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        b.create<linalg::YieldOp>(l, body(b, l, args));
      });
  return SmallVector<Value>(generic.getResults());
}

/// x - max - log(sum(exp(x - max))) per row, as torch.log_softmax.
FailureOr<Values> Emitter::emitLogSoftmax(const Expr &call, Args args,
                                          unsigned) {
  Location at = loc(call.loc);
  Value x = args[0];
  attnc::Type rowType = call.type;
  rowType.shape.pop_back();
  auto constant = [&](float value) -> Value {
    return builder.create<arith::ConstantOp>(at, builder.getF32FloatAttr(value));
  };
  auto filled = [&](float value) {
    // Named, so that the constant comes first whatever order the compiler
    // evaluates arguments in: the IR is the same from clang and g++ builds.
    Value fill = constant(value);
    return builder.create<linalg::FillOp>(at, fill, empty(at, rowType))
        .getResult(0);
  };
  auto reassoc = arith::FastMathFlagsAttr::get(builder.getContext(),
                                               arith::FastMathFlags::reassoc);
  Value max = reduceLastAxis(
      at, x, filled(-std::numeric_limits<float>::infinity()),
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        return {b.create<arith::MaximumFOp>(l, a[0], a[1])};
      })[0];
  Value sum = reduceLastAxis(
      at, {x, max}, filled(0),
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        Value shifted = b.create<arith::SubFOp>(l, a[0], a[1]);
        Value term = b.create<math::ExpOp>(l, shifted);
        return {b.create<arith::AddFOp>(l, a[2], term, reassoc)};
      })[0];
  // max and sum are per row: broadcast them along the last axis.
  unsigned rank = call.type.rank();
  SmallVector<AffineExpr> rowExprs;
  for (unsigned i = 0; i + 1 < rank; ++i)
    rowExprs.push_back(builder.getAffineDimExpr(i));
  AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, builder.getContext());
  AffineMap id = builder.getMultiDimIdentityMap(rank);
  auto generic = builder.create<linalg::GenericOp>(
      at, TypeRange{tensorType(call.type)}, ValueRange{x, max, sum},
      ValueRange{empty(at, call.type)},
      SmallVector<AffineMap>{id, rowMap, rowMap, id},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value shifted = b.create<arith::SubFOp>(l, a[0], a[1]);
        Value logSum = b.create<math::LogOp>(l, a[2]);
        b.create<linalg::YieldOp>(
            l, ValueRange{b.create<arith::SubFOp>(l, shifted, logSum)});
      });
  return Values{generic.getResult(0)};
}

/// The index of the largest value per row; the first one on ties, as
/// torch.argmax.
FailureOr<Values> Emitter::emitArgmax(const Expr &call, Args args, unsigned) {
  Location at = loc(call.loc);
  Value x = args[0];
  attnc::Type valueType = call.type;
  valueType.elem = ElemType::F32;
  Value lowest = builder.create<arith::ConstantOp>(
      at, builder.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Value best =
      builder.create<linalg::FillOp>(at, lowest, empty(at, valueType))
          .getResult(0);
  unsigned axis = cast<RankedTensorType>(x.getType()).getRank() - 1;
  Value indices = reduceLastAxis(
      at, x, {best, zeros(at, call.type)},
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        Value index = b.create<arith::IndexCastOp>(
            l, b.getI32Type(), b.create<linalg::IndexOp>(l, axis));
        Value greater =
            b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], a[1]);
        return {b.create<arith::SelectOp>(l, greater, a[0], a[1]),
                b.create<arith::SelectOp>(l, greater, index, a[2])};
      })[1];
  return Values{indices};
}

/// gru / lstm (one attn op per direction) and gru_cell / lstm_cell.
FailureOr<Values> Emitter::emitRecurrent(const Expr &call, Args args,
                                         unsigned numResults) {
  Location at = loc(call.loc);
  const CallInfo &info = *call.info;
  bool lstm = info.builtin->has(kLstm);
  bool cell = info.builtin->has(kCell);
  unsigned numStates = lstm ? 2 : 1;
  auto forward = emitAll(info.weights[0]);
  if (failed(forward))
    return failure();

  if (cell) {
    ValueRange biases = ArrayRef<Value>(*forward).drop_front(2);
    if (!lstm)
      return Values{builder.create<attn::GruCellOp>(
          at, args[1].getType(), args[0], args[1], (*forward)[0],
          (*forward)[1], biases)};
    auto op = builder.create<attn::LstmCellOp>(
        at, args[1].getType(), args[1].getType(), args[0], args[1], args[2],
        (*forward)[0], (*forward)[1], biases);
    return Values{op.getNextState(), op.getNextCell()};
  }

  // Initial states: given, or zeros. Sema records every result's type, also
  // of results not bound: [1] is the final state's, [H] or [2, H].
  const attnc::Type &stateType = info.results[1];
  SmallVector<Value> states(args.begin() + 1, args.end());
  while (states.size() < numStates)
    states.push_back(zeros(at, stateType));

  Value input = args[0];
  auto inputType = cast<RankedTensorType>(input.getType());
  // One direction: the outputs [S, H] and the final states [H].
  auto layer = [&](ArrayRef<Value> weights, ArrayRef<Value> initial,
                   bool reverse) -> SmallVector<Value> {
    auto hType = cast<RankedTensorType>(initial[0].getType());
    auto outputsType = RankedTensorType::get(
        {inputType.getDimSize(0), hType.getDimSize(0)}, hType.getElementType());
    ValueRange biases = weights.drop_front(2);
    if (!lstm) {
      auto op = builder.create<attn::GruOp>(at, outputsType, hType, input,
                                            initial[0], weights[0], weights[1],
                                            biases, reverse);
      return {op.getOutputs(), op.getFinalState()};
    }
    auto op = builder.create<attn::LstmOp>(
        at, outputsType, hType, hType, input, initial[0], initial[1],
        weights[0], weights[1], biases, reverse);
    return {op.getOutputs(), op.getFinalState(), op.getFinalCell()};
  };

  Values results;
  if (info.direction != Direction::Bidirectional) {
    results.append(
        layer(*forward, states, info.direction == Direction::Reverse));
  } else {
    auto backward = emitAll(info.weights[1]);
    if (failed(backward))
      return failure();
    // States are [2, H]: row 0 runs forward, row 1 backward (PyTorch's h_n).
    int64_t hidden = stateType.shape[1].size;
    auto rowType = RankedTensorType::get({hidden}, builder.getF32Type());
    auto rows = [&](int64_t row) {
      SmallVector<Value> initial;
      for (Value state : states)
        initial.push_back(builder.create<tensor::ExtractSliceOp>(
            at, rowType, state,
            ArrayRef<OpFoldResult>{builder.getIndexAttr(row),
                                   builder.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{builder.getIndexAttr(1),
                                   builder.getIndexAttr(hidden)},
            ArrayRef<OpFoldResult>{builder.getIndexAttr(1),
                                   builder.getIndexAttr(1)}));
      return initial;
    };
    SmallVector<Value> ahead = layer(*forward, rows(0), false);
    SmallVector<Value> behind = layer(*backward, rows(1), true);
    // Outputs side by side [S, 2H]; final states stacked [2, H].
    OpFoldResult zero = builder.getIndexAttr(0);
    Value outputs = empty(at, info.results[0]);
    outputs = insertAt(at, ahead[0], outputs, {zero, zero});
    outputs = insertAt(at, behind[0], outputs,
                       {zero, builder.getIndexAttr(hidden)});
    results.push_back(outputs);
    for (unsigned i = 1; i <= numStates; ++i) {
      Value stacked = empty(at, stateType);
      stacked = insertAt(at, ahead[i], stacked, {zero, zero});
      stacked = insertAt(at, behind[i], stacked,
                         {builder.getIndexAttr(1), zero});
      results.push_back(stacked);
    }
  }
  results.resize(numResults);
  return results;
}

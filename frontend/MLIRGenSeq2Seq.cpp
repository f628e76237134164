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
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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
  const CallInfo &info = *call.info;
  auto forward = emitAll(info.weights[0]);
  auto backward = emitAll(info.weights[1]);
  if (failed(forward) || failed(backward))
    return failure();
  if (!info.batched) {
    Values results = emitRecurrentOne(call, args[0], args.drop_front(),
                                      *forward, *backward);
    results.resize(numResults);
    return results;
  }
  Value lengths;
  if (info.lengths) {
    auto emitted = emit(*info.lengths);
    if (failed(emitted))
      return failure();
    lengths = *emitted;
  }
  Values results = emitRecurrentBatch(call, args, lengths, *forward, *backward);
  results.resize(numResults);
  return results;
}

Values Emitter::emitRecurrentOne(const Expr &call, Value input,
                                 ArrayRef<Value> givenStates,
                                 ArrayRef<Value> forward,
                                 ArrayRef<Value> backward) {
  Location at = loc(call.loc);
  const CallInfo &info = *call.info;
  bool lstm = info.builtin->has(kLstm);
  bool cell = info.builtin->has(kCell);
  unsigned numStates = lstm ? 2 : 1;
  // The state of one sequence: [H], or [2, H] for both directions.
  int64_t hidden =
      cast<RankedTensorType>(forward[1].getType()).getDimSize(1);
  bool bidirectional = info.direction == Direction::Bidirectional;
  SmallVector<int64_t> stateShape = {hidden};
  if (bidirectional)
    stateShape.insert(stateShape.begin(), 2);
  auto stateType = RankedTensorType::get(stateShape, builder.getF32Type());

  if (cell) {
    ValueRange biases = forward.drop_front(2);
    if (!lstm)
      return Values{builder.create<attn::GruCellOp>(
          at, stateType, input, givenStates[0], forward[0], forward[1],
          biases)};
    auto op = builder.create<attn::LstmCellOp>(
        at, stateType, stateType, input, givenStates[0], givenStates[1],
        forward[0], forward[1], biases);
    return Values{op.getNextState(), op.getNextCell()};
  }

  // Initial states: given, or zeros.
  SmallVector<Value> states(givenStates.begin(), givenStates.end());
  while (states.size() < numStates) {
    Value zero = builder.create<arith::ConstantOp>(at,
                                                   builder.getF32FloatAttr(0));
    Value fresh = builder.create<tensor::EmptyOp>(at, stateShape,
                                                  builder.getF32Type());
    states.push_back(
        builder.create<linalg::FillOp>(at, zero, fresh).getResult(0));
  }

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

  if (!bidirectional)
    return layer(forward, states, info.direction == Direction::Reverse);
  // States are [2, H]: row 0 runs forward, row 1 backward (PyTorch's h_n).
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
  SmallVector<Value> ahead = layer(forward, rows(0), false);
  SmallVector<Value> behind = layer(backward, rows(1), true);
  // Outputs side by side [S, 2H]; final states stacked [2, H].
  OpFoldResult zero = builder.getIndexAttr(0);
  SmallVector<OpFoldResult> outputSizes =
      tensor::getMixedSizes(builder, at, ahead[0]);
  outputSizes.back() = builder.getIndexAttr(2 * hidden);
  Value outputs = builder.create<tensor::EmptyOp>(at, outputSizes,
                                                  builder.getF32Type());
  outputs = insertAt(at, ahead[0], outputs, {zero, zero});
  outputs = insertAt(at, behind[0], outputs,
                     {zero, builder.getIndexAttr(hidden)});
  Values results{outputs};
  for (unsigned i = 1; i <= numStates; ++i) {
    Value stacked = builder.create<tensor::EmptyOp>(at, stateShape,
                                                    builder.getF32Type());
    stacked = insertAt(at, ahead[i], stacked, {zero, zero});
    stacked = insertAt(at, behind[i], stacked, {builder.getIndexAttr(1), zero});
    results.push_back(stacked);
  }
  return results;
}

Values Emitter::emitRecurrentBatch(const Expr &call, ArrayRef<Value> args,
                                   Value lengths, ArrayRef<Value> forward,
                                   ArrayRef<Value> backward) {
  Location at = loc(call.loc);
  const CallInfo &info = *call.info;
  bool cell = info.builtin->has(kCell);
  bool bidirectional = info.direction == Direction::Bidirectional;
  Value input = args[0];
  // Missing initial states are zeros for the whole batch, made before the
  // loop: a zero state made in the loop would become, by empty-tensor
  // elimination, a slice of the final states that the loop writes, which
  // one-shot bufferization cannot then update in place.
  SmallVector<Value> states(args.drop_front());
  unsigned numStates = info.builtin->has(kLstm) ? 2 : 1;
  while (states.size() < numStates)
    states.push_back(zeros(at, info.results.back()));
  // The sequences (or cell inputs) one after the other: sequence b reads
  // rows [0, lengths[b]) of input[b]; its padded outputs stay zero.
  // The loop writes into buffers of its own (alloc_tensor, which
  // empty-tensor elimination leaves alone): written in place into the
  // caller's output, the loop's results do not bufferize in MLIR 19 ("cannot
  // avoid RaW conflict"), so they are copied there once at the end.
  SmallVector<Value> inits;
  for (auto [index, type] : llvm::enumerate(info.results)) {
    SmallVector<Value> dynamicSizes;
    for (const Dim &dim : type.shape)
      if (dim.isVar())
        dynamicSizes.push_back(dims.lookup(dim.dimVar));
    Value buffer = builder.create<bufferization::AllocTensorOp>(
        at, tensorType(type), dynamicSizes);
    if (!cell && index == 0) {
      Value zero =
          builder.create<arith::ConstantOp>(at, builder.getF32FloatAttr(0));
      buffer = builder.create<linalg::FillOp>(at, zero, buffer).getResult(0);
    }
    inits.push_back(buffer);
  }
  Value zero = builder.create<arith::ConstantIndexOp>(at, 0);
  Value one = builder.create<arith::ConstantIndexOp>(at, 1);
  Value batch = builder.create<tensor::DimOp>(at, input, 0);
  auto idx = [&](int64_t v) -> OpFoldResult { return builder.getIndexAttr(v); };
  // The slice of a batched state for sequence b: [b, :] of [B, H], or
  // [:, b, :] of [2, B, H].
  auto stateSlice = [&](Value b, int64_t hidden) {
    SmallVector<OpFoldResult> offsets, sizes;
    if (bidirectional) {
      offsets = {idx(0), b, idx(0)};
      sizes = {idx(2), idx(1), idx(hidden)};
    } else {
      offsets = {b, idx(0)};
      sizes = {idx(1), idx(hidden)};
    }
    return std::make_pair(offsets, sizes);
  };
  int64_t hidden =
      cast<RankedTensorType>(forward[1].getType()).getDimSize(1);
  auto loop = builder.create<scf::ForOp>(
      at, zero, batch, one, inits,
      [&](OpBuilder &, Location, Value b, ValueRange acc) {
        auto inputType = cast<RankedTensorType>(input.getType());
        int64_t features = inputType.getShape().back();
        SmallVector<OpFoldResult> offsets(inputType.getRank(), idx(0));
        offsets[0] = b;
        SmallVector<OpFoldResult> sizes = {idx(1)};
        Value length;
        if (!cell) {
          length = lengths
                       ? builder
                             .create<arith::IndexCastOp>(
                                 at, builder.getIndexType(),
                                 builder.create<tensor::ExtractOp>(
                                     at, lengths, ValueRange{b}))
                             .getResult()
                       : builder.create<tensor::DimOp>(at, input, 1).getResult();
          sizes.push_back(length);
        }
        sizes.push_back(idx(features));
        SmallVector<OpFoldResult> strides(sizes.size(), idx(1));
        SmallVector<int64_t> rowShape = {features};
        if (!cell)
          rowShape.insert(rowShape.begin(), ShapedType::kDynamic);
        Value rows = builder.create<tensor::ExtractSliceOp>(
            at, RankedTensorType::get(rowShape, builder.getF32Type()), input,
            offsets, sizes, strides);
        SmallVector<int64_t> stateShape = {hidden};
        if (bidirectional)
          stateShape.insert(stateShape.begin(), 2);
        auto stateType =
            RankedTensorType::get(stateShape, builder.getF32Type());
        SmallVector<Value> own;
        for (Value state : states) {
          auto [stateOffsets, stateSizes] = stateSlice(b, hidden);
          SmallVector<OpFoldResult> ones(stateSizes.size(), idx(1));
          own.push_back(builder.create<tensor::ExtractSliceOp>(
              at, stateType, state, stateOffsets, stateSizes, ones));
        }
        Values results = emitRecurrentOne(call, rows, own, forward, backward);
        SmallVector<Value> next;
        for (auto [index, result] : llvm::enumerate(results)) {
          bool isOutputs = !cell && index == 0;
          SmallVector<OpFoldResult> at3, sizes3;
          if (isOutputs) {
            at3 = {b, idx(0), idx(0)};
            sizes3 = {idx(1), length,
                      idx(cast<RankedTensorType>(result.getType())
                              .getShape()
                              .back())};
          } else {
            std::tie(at3, sizes3) = stateSlice(b, hidden);
          }
          SmallVector<OpFoldResult> ones(sizes3.size(), idx(1));
          next.push_back(builder.create<tensor::InsertSliceOp>(
              at, result, acc[index], at3, sizes3, ones));
        }
        builder.create<scf::YieldOp>(at, next);
      });
  return Values(loop.getResults().begin(), loop.getResults().end());
}

//===- LowerRecurrent.cpp - GRU/LSTM layers and cells to loops and linalg -===//
//
// The why (precomputed input projections, accumulating biases) is in
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNLOWERRECURRENT
#include "passes/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

using utils::IteratorType;

/// Builds the tensor-level computations of one recurrent op.
class RecurrentBuilder {
public:
  RecurrentBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value constant(float value) {
    return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(value));
  }

  Value empty(ArrayRef<OpFoldResult> sizes) {
    return b.create<tensor::EmptyOp>(loc, sizes, b.getF32Type());
  }

  /// A fresh tensor of `sizes` holding `bias` (broadcast over the leading
  /// rows), or zeros without a bias: the init that a product accumulates
  /// into, so the bias costs no extra pass.
  Value initFrom(Value bias, ArrayRef<OpFoldResult> sizes) {
    Value init = empty(sizes);
    if (!bias)
      return b.create<linalg::FillOp>(loc, constant(0), init).getResult(0);
    if (sizes.size() == 1)
      return b.create<linalg::CopyOp>(loc, bias, init).getResult(0);
    return b.create<linalg::BroadcastOp>(loc, bias, init,
                                          /*dimensions=*/ArrayRef<int64_t>{0})
        .getResult()[0];
  }

  /// init + W x for W [G, K], x [K].
  Value matvec(Value w, Value x, Value init) {
    return b.create<linalg::MatvecOp>(loc, init.getType(), ValueRange{w, x},
                                      init)
        .getResult(0);
  }

  /// init + X W^T for X [S, K], W [G, K]: every row's input projection in
  /// one product, which attn-matmul-to-blas sends to sgemm.
  Value projectRows(Value x, Value w, Value init) {
    return b.create<linalg::MatmulTransposeBOp>(loc, init.getType(),
                                                ValueRange{x, w}, init)
        .getResult(0);
  }

  OpFoldResult size(Value tensor, int64_t dim) {
    auto type = cast<RankedTensorType>(tensor.getType());
    if (!type.isDynamicDim(dim))
      return b.getIndexAttr(type.getDimSize(dim));
    return b.create<tensor::DimOp>(loc, tensor, dim).getResult();
  }

  /// Row `row` of a matrix [S, N], as a vector [N].
  Value row(Value matrix, Value row) {
    auto type = cast<RankedTensorType>(matrix.getType());
    auto rowType = RankedTensorType::get({type.getDimSize(1)},
                                         type.getElementType());
    return b.create<tensor::ExtractSliceOp>(
        loc, rowType, matrix, ArrayRef<OpFoldResult>{row, b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), size(matrix, 1)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }

  /// `vector` [N] written into row `row` of `matrix` [S, N].
  Value setRow(Value matrix, Value vector, Value row) {
    return b.create<tensor::InsertSliceOp>(
        loc, vector, matrix, ArrayRef<OpFoldResult>{row, b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), size(matrix, 1)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }

  Value sigmoid(OpBuilder &nb, Location nl, Value x) {
    Value one = nb.create<arith::ConstantOp>(nl, nb.getF32FloatAttr(1));
    Value e = nb.create<math::ExpOp>(nl, nb.create<arith::NegFOp>(nl, x));
    return nb.create<arith::DivFOp>(nl, one,
                                    nb.create<arith::AddFOp>(nl, one, e));
  }

  /// One generic over the hidden units j < H. `gates` are vectors of
  /// numGates * H values, read as gate g at g * H + j; `states` are [H] and
  /// are updated in place (each unit reads only its own entries), so a loop
  /// that carries them yields the buffers it received.
  SmallVector<Value>
  perUnit(ArrayRef<Value> gates, unsigned numGates, ValueRange states,
          function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
              body) {
    OpFoldResult hidden = size(states.front(), 0);
    MLIRContext *ctx = b.getContext();
    AffineExpr j = getAffineDimExpr(0, ctx);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (Value gate : gates) {
      // [G * H] viewed as [G, H]: gate g of unit j is at (g, j).
      auto type = cast<RankedTensorType>(gate.getType());
      int64_t h = ShapedType::isDynamic(type.getDimSize(0))
                      ? ShapedType::kDynamic
                      : type.getDimSize(0) / numGates;
      SmallVector<OpFoldResult> shape{b.getIndexAttr(numGates), hidden};
      Value split = b.create<tensor::ExpandShapeOp>(
          loc, RankedTensorType::get({numGates, h}, b.getF32Type()), gate,
          ArrayRef<ReassociationIndices>{{0, 1}}, shape);
      for (unsigned g = 0; g < numGates; ++g) {
        inputs.push_back(split);
        maps.push_back(AffineMap::get(1, 0, {getAffineConstantExpr(g, ctx), j},
                                      ctx));
      }
    }
    maps.append(states.size(), AffineMap::get(1, 0, {j}, ctx));
    auto generic = b.create<linalg::GenericOp>(
        loc, states.getTypes(), inputs, states, maps,
        SmallVector<IteratorType>{IteratorType::parallel},
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          nb.create<linalg::YieldOp>(nl, body(nb, nl, args));
        });
    return SmallVector<Value>(generic.getResults());
  }

  /// The GRU state update from the input gates gx = W_ih x + b_ih and the
  /// hidden gates gh = W_hh h + b_hh (both [3H], order r, z, n).
  Value gruUpdate(Value gx, Value gh, Value h) {
    return perUnit({gx, gh}, 3, h,
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     // a: xr, xz, xn, hr, hz, hn, h
                     auto add = [&](Value x, Value y) -> Value {
                       return nb.create<arith::AddFOp>(nl, x, y);
                     };
                     auto mul = [&](Value x, Value y) -> Value {
                       return nb.create<arith::MulFOp>(nl, x, y);
                     };
                     Value r = sigmoid(nb, nl, add(a[0], a[3]));
                     Value z = sigmoid(nb, nl, add(a[1], a[4]));
                     Value n = nb.create<math::TanhOp>(
                         nl, add(a[2], mul(r, a[5])));
                     // (1 - z) n + z h = n + z (h - n)
                     Value delta = nb.create<arith::SubFOp>(nl, a[6], n);
                     return SmallVector<Value>{add(n, mul(z, delta))};
                   })
        .front();
  }

  /// The LSTM update from the summed gates W_ih x + b_ih + W_hh h + b_hh
  /// ([4H], order i, f, g, o) and the cell state c: (h', c').
  std::pair<Value, Value> lstmUpdate(Value gates, Value h, Value c) {
    SmallVector<Value> next = perUnit(
        {gates}, 4, {h, c}, [&](OpBuilder &nb, Location nl, ValueRange a) {
          // a: i, f, g, o, h (unused), c
          Value i = sigmoid(nb, nl, a[0]), f = sigmoid(nb, nl, a[1]);
          Value g = nb.create<math::TanhOp>(nl, a[2]);
          Value o = sigmoid(nb, nl, a[3]);
          Value kept = nb.create<arith::MulFOp>(nl, f, a[5]);
          Value added = nb.create<arith::MulFOp>(nl, i, g);
          Value cell = nb.create<arith::AddFOp>(nl, kept, added);
          Value state = nb.create<arith::MulFOp>(
              nl, o, nb.create<math::TanhOp>(nl, cell));
          return SmallVector<Value>{state, cell};
        });
    return {next[0], next[1]};
  }

  OpBuilder &b;
  Location loc;
};

Value biasAt(ValueRange biases, unsigned index) {
  return biases.empty() ? Value() : biases[index];
}

/// The rows of a layer's output, first to last or last to first: the loop
/// runs t = 0..S-1 and visits row t, or S-1-t when reversed.
Value visitedRow(OpBuilder &b, Location loc, Value t, Value rows,
                 bool reverse) {
  if (!reverse)
    return t;
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  Value last = b.create<arith::SubIOp>(loc, rows, one);
  return b.create<arith::SubIOp>(loc, last, t);
}

/// Runs `step(row, states) -> states'` over the S input rows, collecting
/// the first state of each step into an [S, H] tensor. Returns the outputs
/// followed by the final states.
SmallVector<Value>
scanRows(RecurrentBuilder &rb, Value input, ValueRange states, bool reverse,
         function_ref<SmallVector<Value>(Value row, ValueRange states)> step) {
  OpBuilder &b = rb.b;
  Location loc = rb.loc;
  Value rows = getValueOrCreateConstantIndexOp(b, loc, rb.size(input, 0));
  // An alloc_tensor rather than tensor.empty: when the outputs go to a fn
  // output, MLIR 19's eliminate-empty-tensors would make the loop write the
  // caller's buffer through its iter_arg, which one-shot bufferization then
  // rejects ("cannot avoid RaW conflict"). The cost is one copy of [S, H].
  SmallVector<Value> dynamicSizes;
  for (OpFoldResult size :
       {rb.size(input, 0), rb.size(states.front(), 0)})
    if (auto value = dyn_cast<Value>(size))
      dynamicSizes.push_back(value);
  auto outputsType = RankedTensorType::get(
      {cast<RankedTensorType>(input.getType()).getDimSize(0),
       cast<RankedTensorType>(states.front().getType()).getDimSize(0)},
      b.getF32Type());
  Value outputs = b.create<bufferization::AllocTensorOp>(loc, outputsType,
                                                         dynamicSizes);
  SmallVector<Value> carried{outputs};
  carried.append(states.begin(), states.end());
  Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  auto loop = b.create<scf::ForOp>(
      loc, zero, rows, one, carried,
      [&](OpBuilder &nb, Location nl, Value t, ValueRange iter) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        Value row = visitedRow(b, loc, t, rows, reverse);
        SmallVector<Value> next = step(row, iter.drop_front());
        SmallVector<Value> yielded{rb.setRow(iter.front(), next.front(), row)};
        yielded.append(next);
        b.create<scf::YieldOp>(loc, yielded);
      });
  return SmallVector<Value>(loop.getResults());
}

void lower(GruCellOp op, RewriterBase &rewriter) {
  RecurrentBuilder rb(rewriter, op.getLoc());
  Value gx = rb.matvec(op.getWeightIh(), op.getInput(),
                       rb.initFrom(biasAt(op.getBiases(), 0),
                                   {rb.size(op.getWeightIh(), 0)}));
  Value gh = rb.matvec(op.getWeightHh(), op.getState(),
                       rb.initFrom(biasAt(op.getBiases(), 1),
                                   {rb.size(op.getWeightHh(), 0)}));
  rewriter.replaceOp(op, rb.gruUpdate(gx, gh, op.getState()));
}

/// The LSTM's gates: the hidden product accumulates onto the input one.
Value lstmGates(RecurrentBuilder &rb, Value inputGates, Value weightHh,
                Value h) {
  return rb.matvec(weightHh, h, inputGates);
}

/// bias_ih + bias_hh as the init of the input product, or just one of them.
Value lstmInit(RecurrentBuilder &rb, ValueRange biases,
               ArrayRef<OpFoldResult> sizes) {
  Value init = rb.initFrom(biasAt(biases, 0), sizes);
  if (biases.empty())
    return init;
  AffineMap id = rb.b.getMultiDimIdentityMap(sizes.size());
  SmallVector<AffineMap> maps{id, id};
  if (sizes.size() == 2)
    maps.front() = AffineMap::get(2, 0, {rb.b.getAffineDimExpr(1)},
                                  rb.b.getContext());
  return rb.b
      .create<linalg::GenericOp>(
          rb.loc, init.getType(), ValueRange{biases[1]}, ValueRange{init},
          maps,
          SmallVector<IteratorType>(sizes.size(), IteratorType::parallel),
          [](OpBuilder &nb, Location nl, ValueRange a) {
            nb.create<linalg::YieldOp>(
                nl, ValueRange{nb.create<arith::AddFOp>(nl, a[0], a[1])});
          })
      .getResult(0);
}

void lower(LstmCellOp op, RewriterBase &rewriter) {
  RecurrentBuilder rb(rewriter, op.getLoc());
  Value gx = rb.matvec(op.getWeightIh(), op.getInput(),
                       lstmInit(rb, op.getBiases(),
                                {rb.size(op.getWeightIh(), 0)}));
  Value gates = lstmGates(rb, gx, op.getWeightHh(), op.getState());
  auto [h, c] = rb.lstmUpdate(gates, op.getState(), op.getCell());
  rewriter.replaceOp(op, ValueRange{h, c});
}

void lower(GruOp op, RewriterBase &rewriter) {
  RecurrentBuilder rb(rewriter, op.getLoc());
  Value gx = rb.projectRows(
      op.getInput(), op.getWeightIh(),
      rb.initFrom(biasAt(op.getBiases(), 0),
                  {rb.size(op.getInput(), 0), rb.size(op.getWeightIh(), 0)}));
  Value hiddenBias = biasAt(op.getBiases(), 1);
  SmallVector<Value> results = scanRows(
      rb, op.getInput(), {op.getState()}, op.getReverse(),
      [&](Value row, ValueRange states) {
        Value gh = rb.matvec(op.getWeightHh(), states[0],
                             rb.initFrom(hiddenBias,
                                         {rb.size(op.getWeightHh(), 0)}));
        Value inputGates = rb.row(gx, row);
        return SmallVector<Value>{rb.gruUpdate(inputGates, gh, states[0])};
      });
  rewriter.replaceOp(op, results);
}

void lower(LstmOp op, RewriterBase &rewriter) {
  RecurrentBuilder rb(rewriter, op.getLoc());
  // Both biases are folded into the input projection of every row.
  Value gx = rb.projectRows(
      op.getInput(), op.getWeightIh(),
      lstmInit(rb, op.getBiases(),
               {rb.size(op.getInput(), 0), rb.size(op.getWeightIh(), 0)}));
  SmallVector<Value> results = scanRows(
      rb, op.getInput(), {op.getState(), op.getCell()}, op.getReverse(),
      [&](Value row, ValueRange states) {
        // The row slice is read-only; the product accumulates into a copy.
        Value inputGates = rb.row(gx, row);
        Value copy = rb.empty({rb.size(op.getWeightIh(), 0)});
        Value init =
            rb.b.create<linalg::CopyOp>(rb.loc, inputGates, copy).getResult(0);
        Value gates = lstmGates(rb, init, op.getWeightHh(), states[0]);
        auto [h, c] = rb.lstmUpdate(gates, states[0], states[1]);
        return SmallVector<Value>{h, c};
      });
  rewriter.replaceOp(op, results);
}

struct AttnLowerRecurrentPass
    : attn::impl::AttnLowerRecurrentBase<AttnLowerRecurrentPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<GruCellOp, LstmCellOp, GruOp, LstmOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      llvm::TypeSwitch<Operation *>(op)
          .Case<GruCellOp, LstmCellOp, GruOp, LstmOp>(
              [&](auto typed) { lower(typed, rewriter); });
    }
  }
};

} // namespace

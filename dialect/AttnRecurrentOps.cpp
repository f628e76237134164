//===- AttnRecurrentOps.cpp - Verifiers of the GRU and LSTM ops -----------===//

#include "dialect/AttnOps.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::attn;

namespace {

bool known(int64_t dim) { return !ShapedType::isDynamic(dim); }
bool conflict(int64_t a, int64_t b) { return known(a) && known(b) && a != b; }

std::string shapeText(Type type) {
  std::string text = "[";
  llvm::interleave(
      cast<RankedTensorType>(type).getShape(),
      [&](int64_t dim) { text += known(dim) ? std::to_string(dim) : "?"; },
      [&] { text += ", "; });
  return text + "]";
}

/// A recurrent layer or cell: `gates` gate blocks of the hidden size each.
struct Recurrent {
  Operation *op;
  unsigned gates;
  int64_t hidden = ShapedType::kDynamic, input = ShapedType::kDynamic;

  /// Checks that `value` has shape `expected` (dynamic entries match any
  /// size, and are learnt from the value when the expectation has none).
  LogicalResult expect(Value value, StringRef what,
                       SmallVector<int64_t *> expected) {
    auto type = cast<RankedTensorType>(value.getType());
    bool ok = type.getRank() == int64_t(expected.size());
    for (auto [i, dim] : llvm::enumerate(expected)) {
      if (!ok)
        break;
      int64_t actual = type.getDimSize(i);
      if (conflict(*dim, actual))
        ok = false;
      else if (!known(*dim))
        *dim = actual;
    }
    if (ok)
      return success();
    std::string wanted = "[";
    llvm::interleave(
        expected,
        [&](int64_t *dim) {
          wanted += known(*dim) ? std::to_string(*dim) : "?";
        },
        [&] { wanted += ", "; });
    return op->emitOpError() << "needs " << what << " of shape " << wanted
                             << "], got " << shapeText(value.getType());
  }
};

/// Input `[I]` or `[S, I]` (sequence), states `[H]`, weights and biases.
/// Sets `hidden` to H, as far as the operands tell.
LogicalResult verifyRecurrent(Operation *op, unsigned gates, Value input,
                              ValueRange states, Value weightIh,
                              Value weightHh, ValueRange biases,
                              int64_t *sequence, int64_t &hidden) {
  Recurrent r{op, gates};
  auto hh = cast<RankedTensorType>(weightHh.getType());
  if (hh.getRank() != 2)
    return op->emitOpError() << "needs weight_hh of shape [" << gates
                             << "H, H], got " << shapeText(hh);
  r.hidden = hh.getDimSize(1);
  for (auto [index, state] : llvm::enumerate(states))
    if (failed(r.expect(state, index == 0 ? "a state" : "a cell state",
                        {&r.hidden})))
      return failure();
  if (known(hh.getDimSize(0)) && known(r.hidden) &&
      hh.getDimSize(0) != gates * r.hidden)
    return op->emitOpError()
           << "needs weight_hh of shape [" << gates << "H, H] (" << gates
           << " gates), got " << shapeText(hh);
  int64_t gateRows = known(r.hidden) ? gates * r.hidden : hh.getDimSize(0);
  if (sequence) {
    if (failed(r.expect(input, "an input", {sequence, &r.input})))
      return failure();
  } else if (failed(r.expect(input, "an input", {&r.input}))) {
    return failure();
  }
  if (failed(r.expect(weightIh, "weight_ih", {&gateRows, &r.input})))
    return failure();
  if (biases.size() != 0 && biases.size() != 2)
    return op->emitOpError()
           << "takes no biases or two (bias_ih, bias_hh), got "
           << biases.size();
  const char *biasNames[] = {"bias_ih", "bias_hh"};
  for (auto [index, bias] : llvm::enumerate(biases))
    if (failed(r.expect(bias, biasNames[index], {&gateRows})))
      return failure();
  hidden = r.hidden;
  return success();
}

LogicalResult expectResult(Operation *op, Value result, StringRef what,
                           ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(result.getType());
  bool ok = type.getRank() == int64_t(shape.size());
  for (unsigned i = 0; ok && i < shape.size(); ++i)
    ok = !conflict(type.getDimSize(i), shape[i]);
  if (ok)
    return success();
  return op->emitOpError() << "has " << what << " of shape "
                           << shapeText(type) << ", expected "
                           << shapeText(RankedTensorType::get(
                                  shape, type.getElementType()));
}

int64_t rowsOf(Value input) {
  return cast<RankedTensorType>(input.getType()).getDimSize(0);
}

/// A cell: input [I], `states` [H]; sets `hidden` to H.
template <typename CellOp>
LogicalResult verifyCell(CellOp op, unsigned gates, ValueRange states,
                         int64_t &hidden) {
  return verifyRecurrent(op, gates, op.getInput(), states, op.getWeightIh(),
                         op.getWeightHh(), op.getBiases(), nullptr, hidden);
}

/// A layer over a sequence: input [S, I], `states` [H], outputs [S, H]; sets
/// `hidden` to H.
template <typename LayerOp>
LogicalResult verifyLayer(LayerOp op, unsigned gates, ValueRange states,
                          int64_t &hidden) {
  int64_t rows = ShapedType::kDynamic;
  if (failed(verifyRecurrent(op, gates, op.getInput(), states, op.getWeightIh(),
                             op.getWeightHh(), op.getBiases(), &rows, hidden)))
    return failure();
  return expectResult(op, op.getOutputs(), "outputs",
                      {rowsOf(op.getInput()), hidden});
}

} // namespace

LogicalResult GruCellOp::verify() {
  int64_t h;
  if (failed(verifyCell(*this, 3, getState(), h)))
    return failure();
  return expectResult(*this, getResult(), "a result", {h});
}

LogicalResult LstmCellOp::verify() {
  int64_t h;
  if (failed(verifyCell(*this, 4, {getState(), getCell()}, h)))
    return failure();
  if (failed(expectResult(*this, getNextState(), "a next state", {h})))
    return failure();
  return expectResult(*this, getNextCell(), "a next cell state", {h});
}

LogicalResult GruOp::verify() {
  int64_t h;
  if (failed(verifyLayer(*this, 3, getState(), h)))
    return failure();
  return expectResult(*this, getFinalState(), "a final state", {h});
}

LogicalResult LstmOp::verify() {
  int64_t h;
  if (failed(verifyLayer(*this, 4, {getState(), getCell()}, h)))
    return failure();
  if (failed(expectResult(*this, getFinalState(), "a final state", {h})))
    return failure();
  return expectResult(*this, getFinalCell(), "a final cell state", {h});
}

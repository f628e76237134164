//===- SemaSeq2Seq.cpp - Builtins of recurrent seq2seq models -------------===//
//
// embed, linear, concat, log_softmax, argmax, and the recurrent layers and
// cells gru, lstm, gru_cell, lstm_cell, with PyTorch's shapes and weight
// layout (docs/LANGUAGE.md, section 8.6).
//
//===----------------------------------------------------------------------===//

#include "frontend/Checker.h"

using namespace attnc;
using namespace attnc::sema;
using mlir::failure;
using mlir::success;

namespace {

/// The keyword names of a recurrent builtin's weights: PyTorch's parameter
/// names, with `_reverse` for the backward direction of a bidirectional
/// layer.
constexpr llvm::StringLiteral kWeights[] = {"weight_ih", "weight_hh",
                                            "bias_ih", "bias_hh"};
constexpr llvm::StringLiteral kReverseWeights[] = {
    "weight_ih_reverse", "weight_hh_reverse", "bias_ih_reverse",
    "bias_hh_reverse"};

} // namespace

std::optional<Type> Checker::checkF32(Expr &expr, llvm::StringRef what,
                                      int64_t rank) {
  auto type = check(expr);
  if (!type)
    return std::nullopt;
  if (type->elem != ElemType::F32 || type->rank() != rank) {
    static const char *shapes[] = {"f32", "f32[N]", "f32[M, N]"};
    error(expr.loc) << what << " must be " << shapes[rank] << ", got "
                    << str(*type);
    return std::nullopt;
  }
  return type;
}

LogicalResult Checker::requireInRange(const Expr &operand, Dim max,
                                      const std::string &what,
                                      bool required) {
  if (operand.kind == Expr::Kind::Name) {
    const Symbol *symbol = lookup(operand.name);
    if (symbol && symbol->kind == SymbolKind::Input) {
      std::vector<ValueCheck> &checks = currentFn->inputs[symbol->index].checks;
      if (llvm::none_of(checks, [&](const ValueCheck &check) {
            return check.max == max && check.what == what;
          }))
        checks.push_back({max, what, required});
      return success();
    }
    if (symbol && symbol->indexLimit && !max.isVar() &&
        *symbol->indexLimit <= max.size + 1)
      return success();
  }
  if (!required)
    return success();
  error(operand.loc) << "cannot check that each value is " << what
                     << ": pass the values as an input of the fn (checked at "
                        "run time) or bind them with 'let' to an argmax";
  return failure();
}

/// embed(table, ids): the rows of `table` [V, E] that `ids` (i32, any
/// shape) select, as nn.Embedding.
LogicalResult Checker::checkEmbed(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  if (failed(checkSignature(call, 2, {}, ok)))
    return failure();
  std::optional<Type> table =
      checkF32(*call.operands[0], "the embedding table", 2);
  std::optional<Type> ids = check(*call.operands[1]);
  if (!table || !ids)
    return failure();
  if (ids->elem != ElemType::I32) {
    error(call.operands[1]->loc) << "embedding ids must be i32, got "
                                 << str(*ids);
    return failure();
  }
  Dim rows = table->shape[0];
  if (rows.isVar()) {
    error(call.operands[0]->loc)
        << "the embedding table needs a number of rows known at compile "
           "time, got "
        << str(*table);
    return failure();
  }
  std::string what = "an id of the embedding table";
  if (call.operands[0]->kind == Expr::Kind::Name)
    what += " '" + call.operands[0]->name + "'";
  if (failed(requireInRange(*call.operands[1], Dim::known(rows.size - 1), what,
                            /*required=*/true)))
    return failure();
  Type result{ElemType::F32, ids->shape};
  result.shape.push_back(table->shape[1]);
  info.results = {result};
  return success(ok);
}

/// linear(x, weight [, bias]): x W^T + b, as F.linear; x is [..., I].
LogicalResult Checker::checkLinear(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  if (failed(checkSignature(call, 2, 3, {}, ok)))
    return failure();
  std::optional<Type> x = check(*call.operands[0]);
  std::optional<Type> weight =
      checkF32(*call.operands[1], "the weight of linear", 2);
  std::optional<Type> bias;
  if (call.operands.size() == 3) {
    bias = checkF32(*call.operands[2], "the bias of linear", 1);
    ok &= bias.has_value();
  }
  if (x && (x->elem != ElemType::F32 || x->rank() < 1)) {
    error(call.operands[0]->loc)
        << "linear needs an f32 input [..., I], got " << str(*x);
    return failure();
  }
  if (!x || !weight)
    return failure();
  if (weight->shape[1] != x->shape.back()) {
    error(call.operands[1]->loc)
        << "linear's weight must be [O, " << dimStr(x->shape.back())
        << "] (PyTorch's layout: outputs x inputs) for an input "
        << str(*x) << ", got " << str(*weight);
    return failure();
  }
  if (bias && bias->shape[0] != weight->shape[0]) {
    error(call.operands[2]->loc)
        << "linear's bias must be f32[" << dimStr(weight->shape[0])
        << "], one per output, got " << str(*bias);
    return failure();
  }
  Type result = *x;
  result.shape.back() = weight->shape[0];
  info.results = {result};
  return success(ok);
}

/// concat(a, b, ...): joined along the last axis (torch.cat(..., dim=-1)).
LogicalResult Checker::checkConcat(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  if (failed(checkSignature(call, 2, ~0u, {}, ok)))
    return failure();
  std::optional<Type> result;
  for (ExprPtr &operand : call.operands) {
    std::optional<Type> type = check(*operand);
    if (type && (type->elem != ElemType::F32 || type->isScalar())) {
      error(operand->loc) << "concat joins f32 values of rank 1 or more, got "
                          << str(*type);
      type.reset();
    } else if (type && type->shape.back().isVar()) {
      error(operand->loc)
          << "concat needs last axes of sizes known at compile time, got "
          << str(*type);
      type.reset();
    }
    ok &= type.has_value();
    if (!type || !result) {
      result = result ? result : type;
      continue;
    }
    if (type->rank() != result->rank() ||
        llvm::ArrayRef<Dim>(type->shape).drop_back() !=
            llvm::ArrayRef<Dim>(result->shape).drop_back()) {
      Type expected = *result;
      expected.shape.back() = type->shape.back();
      error(operand->loc) << "concat joins along the last axis; all other "
                             "axes must agree: expected "
                          << str(expected) << ", got " << str(*type);
      ok = false;
      continue;
    }
    result->shape.back().size += type->shape.back().size;
  }
  if (!ok)
    return failure();
  info.results = {*result};
  return success();
}

/// flatten(x): all axes as one, e.g. a bidirectional h_n [2, H] -> [2H].
LogicalResult Checker::checkFlatten(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  std::optional<Type> x = checkOneOperand(call, ok);
  if (!x)
    return failure();
  if (x->isScalar() ||
      llvm::any_of(x->shape, [](const Dim &dim) { return dim.isVar(); })) {
    error(call.operands[0]->loc)
        << "flatten needs a shape known at compile time, got " << str(*x);
    return failure();
  }
  int64_t size = 1;
  for (const Dim &dim : x->shape)
    size *= dim.size;
  info.results = {Type{x->elem, {Dim::known(size)}}};
  return success(ok);
}

/// log_softmax(x) and argmax(x) (kIndices), over the last axis.
LogicalResult Checker::checkLastAxis(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  std::optional<Type> x = checkOneOperand(call, ok);
  if (!x)
    return failure();
  if (x->elem != ElemType::F32 || x->isScalar()) {
    error(call.loc) << call.name
                    << " needs f32 values of rank 1 or more (it works on the "
                       "last axis), got "
                    << str(*x);
    return failure();
  }
  if (!info.builtin->has(kIndices)) {
    info.results = {*x};
    return success(ok);
  }
  // The indices are below the size of the last axis: an embedding table of
  // at least that many rows takes them unchecked.
  Dim last = x->shape.back();
  if (!last.isVar())
    info.indexLimit = last.size;
  Type indices{ElemType::I32, x->shape};
  indices.shape.pop_back();
  info.results = {indices};
  return success(ok);
}

bool Checker::checkRecurrentWeights(
    Expr &call, llvm::ArrayRef<llvm::StringLiteral> names, unsigned gates,
    Dim &hidden, Dim &input, llvm::SmallVectorImpl<const Expr *> &found) {
  // [G*H, I], [G*H, H], and both biases [G*H] or neither.
  const KeywordArg *wih = call.keyword(names[0]);
  const KeywordArg *whh = call.keyword(names[1]);
  if (!wih || !whh) {
    error(call.loc) << call.name << " needs '" << names[wih ? 1 : 0]
                    << " = ...'";
    return false;
  }
  std::optional<Type> hh = checkF32(*whh->value, names[1], 2);
  std::optional<Type> ih = checkF32(*wih->value, names[0], 2);
  if (!hh || !ih)
    return false;
  Dim rows = hh->shape[0], h = hh->shape[1];
  if (rows.isVar() || h.isVar() || rows.size != gates * h.size) {
    error(whh->value->loc)
        << names[1] << " must be f32[" << gates << "*H, H] (" << gates
        << " gates in PyTorch's order), got " << str(*hh);
    return false;
  }
  if (hidden.size && h != hidden) {
    error(whh->value->loc) << "both directions need the same hidden size "
                           << dimStr(hidden) << ", got " << str(*hh);
    return false;
  }
  hidden = h;
  if (ih->shape[0] != rows || (input.size && ih->shape[1] != input)) {
    error(wih->value->loc)
        << names[0] << " must be f32[" << rows.size << ", "
        << (input.size ? dimStr(input) : std::string("I"))
        << "] (gates x inputs), got " << str(*ih);
    return false;
  }
  input = ih->shape[1];
  found.assign({wih->value.get(), whh->value.get()});
  const KeywordArg *bih = call.keyword(names[2]);
  const KeywordArg *bhh = call.keyword(names[3]);
  if (!bih != !bhh) {
    error(call.loc) << call.name << " takes both '" << names[2] << "' and '"
                    << names[3] << "' or neither";
    return false;
  }
  for (const KeywordArg *bias : {bih, bhh}) {
    if (!bias)
      continue;
    std::optional<Type> type = checkF32(*bias->value, bias->name, 1);
    if (!type)
      return false;
    if (type->shape[0] != rows) {
      error(bias->value->loc) << bias->name << " must be f32[" << rows.size
                              << "], got " << str(*type);
      return false;
    }
    found.push_back(bias->value.get());
  }
  return true;
}

/// gru(x [, h0], ...), lstm(x [, h0, c0], ...), gru_cell(x, h, ...),
/// lstm_cell(x, h, c, ...).
LogicalResult Checker::checkRecurrent(Expr &call, CallInfo &info,
                                      unsigned numResults) {
  llvm::StringRef name = call.name;
  bool lstm = info.builtin->has(kLstm);
  bool cell = info.builtin->has(kCell);
  unsigned numStates = lstm ? 2 : 1;
  unsigned gates = lstm ? 4 : 3;

  llvm::SmallVector<llvm::StringRef, 10> allowed(std::begin(kWeights),
                                                 std::end(kWeights));
  if (!cell) {
    allowed.push_back("direction");
    allowed.push_back("lengths");
    allowed.append(std::begin(kReverseWeights), std::end(kReverseWeights));
  }
  bool ok = true;
  unsigned minPositional = cell ? 1 + numStates : 1;
  if (failed(checkSignature(call, minPositional, 1 + numStates, allowed, ok)))
    return failure();
  if (!cell && call.operands.size() != 1 &&
      call.operands.size() != 1 + numStates) {
    error(call.loc) << name << " takes the input alone or the input and "
                    << (lstm ? "both initial states (h0, c0)"
                             : "the initial state h0")
                    << ", got " << call.operands.size() << " arguments";
    ok = false;
  }
  unsigned maxResults = cell ? numStates : 1 + numStates;
  unsigned minResults = cell ? numStates : 1;
  if (numResults < minResults || numResults > maxResults) {
    mlir::InFlightDiagnostic diag = error(call.loc);
    diag << name << " gives ";
    if (cell)
      diag << (lstm ? "the next h and c: bind 2 names"
                    : "the next state: bind 1 name");
    else
      diag << (lstm ? "outputs, h_n and c_n: bind 1 to 3 names"
                    : "outputs and h_n: bind 1 or 2 names");
    diag << ", got " << numResults;
    ok = false;
  }

  std::optional<Direction> direction = Direction::Forward;
  if (const KeywordArg *arg = call.keyword("direction")) {
    const Expr &word = *arg->value;
    direction = word.kind == Expr::Kind::Name ? parseDirection(word.name)
                                              : std::nullopt;
    if (!direction)
      error(word.loc) << "direction must be forward, reverse or bidirectional";
  }
  bool bidirectional = direction == Direction::Bidirectional;
  Dim hidden, input;
  bool weightsOk = checkRecurrentWeights(call, kWeights, gates, hidden, input,
                                         info.weights[0]);
  for (llvm::StringLiteral key : kReverseWeights) {
    if (call.keyword(key) && direction && !bidirectional) {
      error(call.keyword(key)->loc)
          << "'" << key << "' is only for direction = bidirectional";
      ok = false;
    }
  }
  if (bidirectional)
    weightsOk &= checkRecurrentWeights(call, kReverseWeights, gates, hidden,
                                       input, info.weights[1]);

  // The input and the states, against the sizes of the weights. A leading
  // axis more is a batch of independent sequences (or cell inputs).
  unsigned directions = bidirectional ? 2 : 1;
  std::optional<Type> x = check(*call.operands[0]);
  int64_t inputRank = cell ? 1 : 2;
  if (x && weightsOk &&
      (x->elem != ElemType::F32 ||
       (x->rank() != inputRank && x->rank() != inputRank + 1) ||
       x->shape.back() != input)) {
    error(call.operands[0]->loc)
        << name << " needs an input f32[" << (cell ? "" : "S, ")
        << dimStr(input) << "] (as its weight_ih), or a batch f32[B, "
        << (cell ? "" : "S, ") << dimStr(input) << "], got " << str(*x);
    x.reset();
  }
  bool batched = x && x->rank() == inputRank + 1;
  Type state{ElemType::F32, {hidden}};
  if (batched)
    state.shape.insert(state.shape.begin(), x->shape[0]);
  if (directions == 2)
    state.shape.insert(state.shape.begin(), Dim::known(2));
  // lengths = lens: sequence b has lens[b] steps; the rest is padding.
  if (const KeywordArg *arg = call.keyword("lengths")) {
    std::optional<Type> lengths = check(*arg->value);
    if (lengths && x && !batched) {
      error(arg->loc) << "lengths are for a batch of sequences f32[B, S, "
                      << dimStr(input) << "]; the input is " << str(*x);
      ok = false;
    } else if (lengths && x &&
               (lengths->elem != ElemType::I32 ||
                lengths->shape != llvm::SmallVector<Dim, 4>{x->shape[0]})) {
      error(arg->value->loc) << "the lengths of " << name << " must be i32["
                             << dimStr(x->shape[0])
                             << "], one per sequence, got " << str(*lengths);
      ok = false;
    } else if (lengths && x) {
      // Each length bounds the rows read: checked before the kernel runs.
      ok &= succeeded(requireInRange(*arg->value, x->shape[1],
                                     "a sequence length", /*required=*/true));
      info.lengths = arg->value.get();
    }
    ok &= lengths.has_value();
  }
  for (unsigned i = 1; i < call.operands.size(); ++i) {
    std::optional<Type> type = check(*call.operands[i]);
    ok &= type.has_value();
    if (type && weightsOk && direction && *type != state) {
      error(call.operands[i]->loc)
          << "the " << (i == 1 ? "state" : "cell state") << " of " << name
          << " must be " << str(state)
          << (directions == 2 ? " (one row per direction)" : "") << ", got "
          << str(*type);
      ok = false;
    }
  }
  if (!ok || !weightsOk || !direction || !x)
    return failure();

  // Every result's type, also of those not bound: MLIRGen needs the states'.
  if (!cell) {
    Type outputs{ElemType::F32, {x->shape[x->rank() - 2], hidden}};
    if (batched)
      outputs.shape.insert(outputs.shape.begin(), x->shape[0]);
    outputs.shape.back().size *= directions;
    info.results.push_back(outputs);
  }
  info.batched = batched;
  info.results.append(numStates, state);
  info.direction = *direction;
  return success();
}

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

constexpr llvm::StringLiteral kRecurrent[] = {"gru", "lstm", "gru_cell",
                                              "lstm_cell"};

/// The keyword names of a recurrent builtin's weights: PyTorch's parameter
/// names, with `_reverse` for the backward direction of a bidirectional
/// layer.
constexpr llvm::StringLiteral kWeights[] = {"weight_ih", "weight_hh",
                                            "bias_ih", "bias_hh"};
constexpr llvm::StringLiteral kReverseWeights[] = {
    "weight_ih_reverse", "weight_hh_reverse", "bias_ih_reverse",
    "bias_hh_reverse"};

} // namespace

bool Checker::isSeq2SeqBuiltin(llvm::StringRef name) const {
  return name == "embed" || name == "linear" || name == "concat" ||
         name == "flatten" ||
         name == "log_softmax" || name == "argmax" ||
         llvm::is_contained(kRecurrent, name);
}

std::optional<llvm::SmallVector<Type, 2>>
Checker::checkSeq2SeqCall(Expr &call, unsigned numResults) {
  llvm::StringRef name = call.name;
  if (llvm::is_contained(kRecurrent, name))
    return checkRecurrent(call, numResults);
  std::optional<Type> type;
  if (name == "embed")
    type = checkEmbed(call);
  else if (name == "linear")
    type = checkLinear(call);
  else if (name == "concat")
    type = checkConcat(call);
  else if (name == "flatten")
    type = checkFlatten(call);
  else
    type = checkLastAxis(call);
  if (!type)
    return std::nullopt;
  if (numResults != 1) {
    error(call.loc) << name << " gives one value, but " << numResults
                    << " names are bound";
    return std::nullopt;
  }
  call.type = *type;
  call.results = {*type};
  return llvm::SmallVector<Type, 2>{*type};
}

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
        checks.push_back({max, what});
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
std::optional<Type> Checker::checkEmbed(Expr &call) {
  if (failed(checkSignature(call, 2, {})))
    return std::nullopt;
  auto table = checkF32(*call.operands[0], "the embedding table", 2);
  auto ids = check(*call.operands[1]);
  if (!table || !ids)
    return std::nullopt;
  if (ids->elem != ElemType::I32) {
    error(call.operands[1]->loc) << "embedding ids must be i32, got "
                                 << str(*ids);
    return std::nullopt;
  }
  Dim rows = table->shape[0];
  if (rows.isVar()) {
    error(call.operands[0]->loc)
        << "the embedding table needs a number of rows known at compile "
           "time, got "
        << str(*table);
    return std::nullopt;
  }
  std::string what = "an id of the embedding table";
  if (call.operands[0]->kind == Expr::Kind::Name)
    what += " '" + call.operands[0]->name + "'";
  if (failed(requireInRange(*call.operands[1], Dim::known(rows.size - 1), what,
                            /*required=*/true)))
    return std::nullopt;
  Type result{ElemType::F32, ids->shape};
  result.shape.push_back(table->shape[1]);
  return result;
}

/// linear(x, weight [, bias]): x W^T + b, as F.linear; x is [I] or [N, I].
std::optional<Type> Checker::checkLinear(Expr &call) {
  if (failed(checkSignature(call, 2, 3, {})))
    return std::nullopt;
  auto x = check(*call.operands[0]);
  auto weight = checkF32(*call.operands[1], "the weight of linear", 2);
  if (!x || !weight)
    return std::nullopt;
  if (x->elem != ElemType::F32 || x->rank() < 1 || x->rank() > 2) {
    error(call.operands[0]->loc)
        << "linear needs an f32 input [I] or [N, I], got " << str(*x);
    return std::nullopt;
  }
  if (weight->shape[1] != x->shape.back()) {
    error(call.operands[1]->loc)
        << "linear's weight must be [O, " << dimStr(x->shape.back())
        << "] (PyTorch's layout: outputs x inputs) for an input "
        << str(*x) << ", got " << str(*weight);
    return std::nullopt;
  }
  if (call.operands.size() == 3) {
    auto bias = checkF32(*call.operands[2], "the bias of linear", 1);
    if (!bias)
      return std::nullopt;
    if (bias->shape[0] != weight->shape[0]) {
      error(call.operands[2]->loc)
          << "linear's bias must be f32[" << dimStr(weight->shape[0])
          << "], one per output, got " << str(*bias);
      return std::nullopt;
    }
  }
  Type result = *x;
  result.shape.back() = weight->shape[0];
  return result;
}

/// concat(a, b, ...): joined along the last axis (torch.cat(..., dim=-1)).
std::optional<Type> Checker::checkConcat(Expr &call) {
  if (failed(checkSignature(call, 2, ~0u, {})))
    return std::nullopt;
  std::optional<Type> result;
  for (ExprPtr &operand : call.operands) {
    auto type = check(*operand);
    if (!type)
      return std::nullopt;
    if (type->elem != ElemType::F32 || type->isScalar()) {
      error(operand->loc) << "concat joins f32 values of rank 1 or more, got "
                          << str(*type);
      return std::nullopt;
    }
    if (type->shape.back().isVar()) {
      error(operand->loc)
          << "concat needs last axes of sizes known at compile time, got "
          << str(*type);
      return std::nullopt;
    }
    if (!result) {
      result = type;
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
      return std::nullopt;
    }
    result->shape.back().size += type->shape.back().size;
  }
  return result;
}

/// flatten(x): all axes as one, e.g. a bidirectional h_n [2, H] -> [2H].
std::optional<Type> Checker::checkFlatten(Expr &call) {
  if (failed(checkSignature(call, 1, {})))
    return std::nullopt;
  auto x = check(*call.operands[0]);
  if (!x)
    return std::nullopt;
  int64_t size = 1;
  for (const Dim &dim : x->shape)
    size *= dim.size;
  if (x->isScalar() ||
      llvm::any_of(x->shape, [](const Dim &dim) { return dim.isVar(); })) {
    error(call.operands[0]->loc)
        << "flatten needs a shape known at compile time, got " << str(*x);
    return std::nullopt;
  }
  return Type{x->elem, {Dim::known(size)}};
}

/// log_softmax(x) and argmax(x), over the last axis.
std::optional<Type> Checker::checkLastAxis(Expr &call) {
  if (failed(checkSignature(call, 1, {})))
    return std::nullopt;
  auto x = check(*call.operands[0]);
  if (!x)
    return std::nullopt;
  if (x->elem != ElemType::F32 || x->isScalar()) {
    error(call.loc) << call.name
                    << " needs f32 values of rank 1 or more (it works on the "
                       "last axis), got "
                    << str(*x);
    return std::nullopt;
  }
  if (call.name == "log_softmax")
    return x;
  Type indices{ElemType::I32, x->shape};
  indices.shape.pop_back();
  return indices;
}

/// gru(x [, h0], ...), lstm(x [, h0, c0], ...), gru_cell(x, h, ...),
/// lstm_cell(x, h, c, ...).
std::optional<llvm::SmallVector<Type, 2>>
Checker::checkRecurrent(Expr &call, unsigned numResults) {
  llvm::StringRef name = call.name;
  bool lstm = name.starts_with("lstm");
  bool cell = name.ends_with("_cell");
  unsigned numStates = lstm ? 2 : 1;
  unsigned gates = lstm ? 4 : 3;

  llvm::SmallVector<llvm::StringRef, 10> allowed(std::begin(kWeights),
                                                 std::end(kWeights));
  if (!cell) {
    allowed.push_back("direction");
    allowed.append(std::begin(kReverseWeights), std::end(kReverseWeights));
  }
  unsigned minPositional = cell ? 1 + numStates : 1;
  if (failed(checkSignature(call, minPositional, 1 + numStates, allowed)))
    return std::nullopt;
  if (!cell && call.operands.size() != 1 &&
      call.operands.size() != 1 + numStates) {
    error(call.loc) << name << " takes the input alone or the input and "
                    << (lstm ? "both initial states (h0, c0)"
                             : "the initial state h0")
                    << ", got " << call.operands.size() << " arguments";
    return std::nullopt;
  }

  bool bidirectional = false;
  if (const KeywordArg *direction = call.keyword("direction")) {
    llvm::StringRef value = direction->value->kind == Expr::Kind::Name
                                ? llvm::StringRef(direction->value->name)
                                : "";
    bidirectional = value == "bidirectional";
    if (value != "forward" && value != "reverse" && !bidirectional) {
      error(direction->value->loc)
          << "direction must be forward, reverse or bidirectional";
      return std::nullopt;
    }
  }

  // The weights of each direction: [G*H, I], [G*H, H], and both biases
  // [G*H] or neither.
  Dim hidden, input;
  auto checkWeights = [&](llvm::ArrayRef<llvm::StringLiteral> names)
      -> bool {
    const KeywordArg *wih = call.keyword(names[0]);
    const KeywordArg *whh = call.keyword(names[1]);
    if (!wih || !whh) {
      error(call.loc) << name << " needs '" << names[wih ? 1 : 0]
                      << " = ...'";
      return false;
    }
    auto hh = checkF32(*whh->value, names[1], 2);
    auto ih = checkF32(*wih->value, names[0], 2);
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
    const KeywordArg *bih = call.keyword(names[2]);
    const KeywordArg *bhh = call.keyword(names[3]);
    if (!bih != !bhh) {
      error(call.loc) << name << " takes both '" << names[2] << "' and '"
                      << names[3] << "' or neither";
      return false;
    }
    for (const KeywordArg *bias : {bih, bhh}) {
      if (!bias)
        continue;
      auto type = checkF32(*bias->value, bias->name, 1);
      if (!type)
        return false;
      if (type->shape[0] != rows) {
        error(bias->value->loc) << bias->name << " must be f32["
                                << rows.size << "], got " << str(*type);
        return false;
      }
    }
    return true;
  };
  if (!checkWeights(kWeights))
    return std::nullopt;
  for (llvm::StringLiteral key : kReverseWeights) {
    if (call.keyword(key) && !bidirectional) {
      error(call.keyword(key)->loc)
          << "'" << key << "' is only for direction = bidirectional";
      return std::nullopt;
    }
  }
  if (bidirectional && !checkWeights(kReverseWeights))
    return std::nullopt;

  // The input and the states.
  unsigned directions = bidirectional ? 2 : 1;
  auto x = check(*call.operands[0]);
  if (!x)
    return std::nullopt;
  int64_t inputRank = cell ? 1 : 2;
  if (x->elem != ElemType::F32 || x->rank() != inputRank ||
      x->shape.back() != input) {
    error(call.operands[0]->loc)
        << name << " needs an input f32[" << (cell ? "" : "S, ")
        << dimStr(input) << "] (as its weight_ih), got " << str(*x);
    return std::nullopt;
  }
  Type state{ElemType::F32, {hidden}};
  if (directions == 2)
    state.shape.insert(state.shape.begin(), Dim::known(2));
  for (unsigned i = 1; i < call.operands.size(); ++i) {
    auto type = check(*call.operands[i]);
    if (!type)
      return std::nullopt;
    if (*type != state) {
      error(call.operands[i]->loc)
          << "the " << (i == 1 ? "state" : "cell state") << " of " << name
          << " must be " << str(state)
          << (directions == 2 ? " (one row per direction)" : "") << ", got "
          << str(*type);
      return std::nullopt;
    }
  }

  llvm::SmallVector<Type, 2> results;
  if (!cell) {
    Type outputs{ElemType::F32, {x->shape[0], hidden}};
    outputs.shape.back().size *= directions;
    results.push_back(outputs);
  }
  results.append(numStates, state);
  unsigned minResults = cell ? numStates : 1;
  if (numResults < minResults || numResults > results.size()) {
    auto diag = error(call.loc);
    diag << name << " gives ";
    if (cell)
      diag << (lstm ? "the next h and c: bind 2 names"
                    : "the next state: bind 1 name");
    else
      diag << (lstm ? "outputs, h_n and c_n: bind 1 to 3 names"
                    : "outputs and h_n: bind 1 or 2 names");
    diag << ", got " << numResults;
    return std::nullopt;
  }
  // MLIRGen reads every result's type, also of those not bound.
  call.type = results.front();
  call.results.assign(results.begin(), results.end());
  results.resize(numResults);
  return results;
}

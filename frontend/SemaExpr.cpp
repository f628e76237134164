//===- SemaExpr.cpp - Types of expressions and dispatch of builtin calls --===//
//
// Operators get their types here; a call is checked by the check function
// that its entry in Builtins.def names, which records a CallInfo on it.
//
//===----------------------------------------------------------------------===//

#include "frontend/Checker.h"

#include "llvm/Support/Format.h"

#include <cmath>
#include <limits>

using namespace attnc;
using namespace attnc::sema;
using mlir::failure;
using mlir::success;

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

std::optional<Type> Checker::check(Expr &expr) {
  std::optional<Type> type;
  switch (expr.kind) {
  case Expr::Kind::Integer:
  case Expr::Kind::Float:
    type = Type{ElemType::F32, {}};
    break;
  case Expr::Kind::Name:
    type = checkName(expr);
    break;
  case Expr::Kind::Negate: {
    auto operand = check(*expr.operands[0]);
    if (operand && operand->elem != ElemType::F32) {
      error(expr.loc) << "'-' needs an f32 operand, got " << str(*operand);
      return std::nullopt;
    }
    type = operand;
    break;
  }
  case Expr::Kind::Transpose: {
    auto operand = check(*expr.operands[0]);
    if (!operand)
      return std::nullopt;
    if (operand->rank() < 2) {
      error(expr.loc) << "'.T' needs a value of rank 2 or more, got "
                      << str(*operand);
      return std::nullopt;
    }
    type = operand;
    std::swap(type->shape[type->rank() - 1], type->shape[type->rank() - 2]);
    break;
  }
  case Expr::Kind::Binary:
    type = checkBinary(expr);
    break;
  case Expr::Kind::Slice:
    type = checkSlice(expr);
    break;
  case Expr::Kind::Call: {
    auto results = checkCall(expr, 1);
    if (results)
      type = (*results)[0];
    break;
  }
  }
  if (type)
    expr.type = *type;
  return type;
}

std::optional<Type> Checker::checkName(Expr &expr) {
  const Symbol *found = lookup(expr.name);
  if (!found) {
    error(expr.loc) << "unknown name '" << expr.name << "'";
    return std::nullopt;
  }
  switch (found->kind) {
  case SymbolKind::Const: {
    // Constants become literals here, so MLIRGen sees numbers.
    replaceByValue(expr, model.consts[found->index]);
    return Type{ElemType::F32, {}};
  }
  case SymbolKind::Dim:
    error(expr.loc) << "the dim '" << expr.name
                    << "' is a size, not a value; it can only appear in types";
    return std::nullopt;
  case SymbolKind::Output:
    if (!found->assigned && !found->poisoned) {
      error(expr.loc) << "output '" << expr.name
                      << "' is read before it is assigned";
      return std::nullopt;
    }
    [[fallthrough]];
  default:
    if (found->poisoned)
      return std::nullopt;
    return found->type;
  }
}

std::optional<Type> Checker::checkBinary(Expr &expr) {
  if (expr.op == BinaryOp::Or) {
    error(expr.loc) << "'|' combines masks; it is only valid in 'mask = ...'";
    return std::nullopt;
  }
  auto lhs = check(*expr.operands[0]);
  auto rhs = check(*expr.operands[1]);
  if (!lhs || !rhs)
    return std::nullopt;
  const char *op = spelling(expr.op);
  if (lhs->elem != ElemType::F32 || rhs->elem != ElemType::F32) {
    error(expr.loc) << "'" << op << "' needs f32 operands, got " << str(*lhs)
                    << " and " << str(*rhs);
    return std::nullopt;
  }
  if (expr.op == BinaryOp::MatMul)
    return checkMatMul(expr, *lhs, *rhs);
  std::optional<Type> result = broadcast(*lhs, *rhs);
  if (!result)
    error(expr.loc) << "shape mismatch in '" << op << "': " << str(*lhs)
                    << " and " << str(*rhs)
                    << " (aligned at their last axes, the sizes of each axis "
                       "must be equal or one of them 1)";
  return result;
}

std::string sema::formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%g", value);
  return text;
}

std::optional<int64_t> sema::toInt64(double value) {
  // [-2^63, 2^63): both bounds are exact doubles; NaN fails both tests.
  if (!(value >= -0x1p63 && value < 0x1p63) || std::floor(value) != value)
    return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<Type> sema::broadcast(const Type &a, const Type &b) {
  // PyTorch's rule: align the shapes at their last axes; on each axis the
  // sizes are equal, or one of them is 1 and stretches to the other.
  const Type &longer = a.rank() >= b.rank() ? a : b;
  const Type &shorter = a.rank() >= b.rank() ? b : a;
  Type result = longer;
  int64_t skip = longer.rank() - shorter.rank();
  for (int64_t i = 0; i < shorter.rank(); ++i) {
    Dim x = longer.shape[skip + i], y = shorter.shape[i];
    if (x == y || y == Dim::known(1))
      continue;
    if (x != Dim::known(1))
      return std::nullopt;
    result.shape[skip + i] = y;
  }
  return result;
}

std::optional<Type> Checker::checkSlice(Expr &expr) {
  std::optional<Type> operand = check(*expr.operands[0]);
  if (!operand)
    return std::nullopt;
  if (expr.slices.size() > size_t(operand->rank())) {
    error(expr.loc) << "'[...]' has " << expr.slices.size()
                    << " entries, but the value " << str(*operand)
                    << " has only " << operand->rank() << " axes";
    return std::nullopt;
  }
  Type result{operand->elem, {}};
  bool ok = true;
  for (auto [axis, slice] : llvm::enumerate(expr.slices)) {
    Dim size = operand->shape[axis];
    bool whole = slice.isRange && !slice.lo && !slice.hi;
    if (whole) {
      slice.begin = 0;
      slice.end = size.isVar() ? -1 : size.size;
      result.shape.push_back(size);
      continue;
    }
    // Bounds as in Python: a negative one counts from the end.
    auto bound = [&](Expr *e, int64_t fallback) -> std::optional<int64_t> {
      if (!e)
        return fallback;
      return constantInt(*e, "a slice bound",
                         -std::numeric_limits<int32_t>::max());
    };
    // A run-time size is unknown but at least 1: its first element, and
    // everything from it, are always there.
    if (size.isVar()) {
      std::optional<int64_t> lo = bound(slice.lo.get(), 0);
      std::optional<int64_t> hi =
          slice.hi ? bound(slice.hi.get(), 0) : std::nullopt;
      if (!lo || (slice.hi && !hi)) {
        ok = false;
        continue;
      }
      bool first = *lo == 0 && (!slice.isRange || hi == 1);
      bool all = slice.isRange && *lo == 0 && !slice.hi;
      if (first || all) {
        slice.begin = 0;
        slice.end = all ? -1 : 1;
        if (slice.isRange)
          result.shape.push_back(all ? size : Dim::known(1));
        continue;
      }
      error(slice.loc) << "axis " << axis << " of " << str(*operand)
                       << " has the run-time size " << dimStr(size)
                       << "; only ':', 0, 0:1 and 0: can select from it";
      ok = false;
      continue;
    }
    std::optional<int64_t> writtenLo = bound(slice.lo.get(), 0);
    std::optional<int64_t> writtenHi =
        slice.isRange ? bound(slice.hi.get(), size.size) : writtenLo;
    if (!writtenLo || !writtenHi) {
      ok = false;
      continue;
    }
    int64_t lo = *writtenLo < 0 ? *writtenLo + size.size : *writtenLo;
    int64_t hi = *writtenHi < 0 ? *writtenHi + size.size : *writtenHi;
    if (!slice.isRange)
      hi = lo + 1;
    if (lo < 0 || hi > size.size || lo >= hi) {
      mlir::InFlightDiagnostic diag = error(slice.loc);
      if (slice.isRange)
        diag << "slice " << *writtenLo << ":" << *writtenHi;
      else
        diag << "index " << *writtenLo;
      diag << " is out of bounds for axis " << axis << " of " << str(*operand)
           << (slice.isRange ? " (a slice selects 1 to " : " (0 to ")
           << (slice.isRange ? size.size : size.size - 1)
           << (slice.isRange ? " elements)" : ")");
      ok = false;
      continue;
    }
    slice.begin = lo;
    slice.end = hi;
    if (slice.isRange)
      result.shape.push_back(Dim::known(hi - lo));
  }
  if (!ok)
    return std::nullopt;
  for (int64_t axis = expr.slices.size(); axis < operand->rank(); ++axis)
    result.shape.push_back(operand->shape[axis]);
  return result;
}

std::optional<Type> Checker::checkMatMul(Expr &expr, const Type &a,
                                         const Type &b) {
  auto mismatch = [&](const Dim &x, const Dim &y) {
    error(expr.loc) << "shape mismatch in '@': " << str(a) << " @ " << str(b)
                    << ": the inner dimensions " << dimStr(x) << " and "
                    << dimStr(y) << " differ";
    return std::nullopt;
  };
  Type result{ElemType::F32, {}};
  if (a.rank() == 2 && b.rank() == 2) {
    if (a.shape[1] != b.shape[0])
      return mismatch(a.shape[1], b.shape[0]);
    result.shape = {a.shape[0], b.shape[1]};
  } else if (a.rank() == 1 && b.rank() == 2) {
    if (a.shape[0] != b.shape[0])
      return mismatch(a.shape[0], b.shape[0]);
    result.shape = {b.shape[1]};
  } else if (a.rank() == 2 && b.rank() == 1) {
    if (a.shape[1] != b.shape[0])
      return mismatch(a.shape[1], b.shape[0]);
    result.shape = {a.shape[0]};
  } else if (a.rank() >= 3 && b.rank() == 2) {
    // A weight matrix applied to every row of a batch: [B..., M, K] @ [K, N].
    if (a.shape.back() != b.shape[0])
      return mismatch(a.shape.back(), b.shape[0]);
    result.shape = a.shape;
    result.shape.back() = b.shape[1];
  } else if (a.rank() >= 3 && b.rank() == a.rank()) {
    llvm::ArrayRef<Dim> batchA = llvm::ArrayRef<Dim>(a.shape).drop_back(2);
    llvm::ArrayRef<Dim> batchB = llvm::ArrayRef<Dim>(b.shape).drop_back(2);
    if (batchA != batchB) {
      error(expr.loc) << "shape mismatch in '@': " << str(a) << " @ "
                      << str(b) << ": the batch axes differ";
      return std::nullopt;
    }
    if (a.shape.back() != b.shape[b.rank() - 2])
      return mismatch(a.shape.back(), b.shape[b.rank() - 2]);
    result.shape = a.shape;
    result.shape.back() = b.shape.back();
  } else {
    error(expr.loc) << "'@' multiplies a matrix or vector by a matrix or "
                       "vector, a batch of matrices by a matrix, or two "
                       "batches of matrices; got "
                    << str(a) << " @ " << str(b);
    return std::nullopt;
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Builtin calls
//===----------------------------------------------------------------------===//

std::optional<llvm::SmallVector<Type, 2>>
Checker::checkCall(Expr &call, unsigned numResults) {
  static constexpr CheckFn Checker::*checks[] = {
#define BUILTIN(Id, Name, Check, ...) &Checker::check##Check,
#include "frontend/Builtins.def"
  };
  auto layer = layers.find(call.name);
  if (layer != layers.end())
    return checkLayerCall(call, layer->second, numResults);
  const BuiltinInfo *builtin = lookupBuiltin(call.name);
  if (!builtin) {
    mlir::InFlightDiagnostic diag = error(call.loc);
    diag << "unknown function '" << call.name << "'";
    std::string suggestion = suggestBuiltin(call.name);
    if (!suggestion.empty())
      diag << "; did you mean '" << suggestion << "'?";
    return std::nullopt;
  }
  std::unique_ptr<CallInfo, CallInfoDeleter> info(new CallInfo);
  info->builtin = builtin;
  CheckFn Checker::*checkFn = checks[static_cast<size_t>(builtin->id)];
  if (failed((this->*checkFn)(call, *info, numResults)))
    return std::nullopt;
  if (info->results.size() == 1 && numResults != 1) {
    error(call.loc) << call.name << " gives one value, but " << numResults
                    << " names are bound";
    return std::nullopt;
  }
  assert(numResults <= info->results.size() && "unchecked count of results");
  call.type = info->results.front();
  llvm::SmallVector<Type, 2> results(info->results.begin(),
                                     info->results.begin() + numResults);
  call.info = std::move(info);
  return results;
}

LogicalResult Checker::checkSignature(const Expr &call, unsigned minPositional,
                                      unsigned maxPositional,
                                      llvm::ArrayRef<llvm::StringRef> allowed,
                                      bool &ok) {
  llvm::StringSet<> seen;
  for (const KeywordArg &arg : call.keywords) {
    if (!llvm::is_contained(allowed, arg.name)) {
      mlir::InFlightDiagnostic diag = error(arg.loc);
      diag << call.name << " has no argument '" << arg.name << "'";
      if (!allowed.empty()) {
        diag << "; it takes ";
        llvm::interleaveComma(allowed, diag);
      }
      ok = false;
    } else if (!seen.insert(arg.name).second) {
      error(arg.loc) << "argument '" << arg.name << "' is given twice";
      ok = false;
    }
  }
  unsigned given = call.operands.size();
  if (given >= minPositional && given <= maxPositional)
    return success();
  mlir::InFlightDiagnostic diag = error(call.loc);
  diag << call.name << " takes " << minPositional;
  if (maxPositional == ~0u)
    diag << " or more";
  else if (maxPositional != minPositional)
    diag << " to " << maxPositional;
  diag << (maxPositional == 1 ? " argument" : " arguments")
       << " before its keyword arguments, got " << given;
  ok = false;
  return failure();
}

std::optional<double> Checker::constantValue(Expr &expr,
                                            llvm::StringRef what) {
  if (!check(expr))
    return std::nullopt;
  std::optional<double> value = evalConstant(expr);
  if (!value)
    error(expr.loc) << what << " must be a number known at compile time";
  return value;
}

std::optional<int64_t> Checker::constantInt(Expr &expr, llvm::StringRef what,
                                            int64_t min) {
  std::optional<double> value = constantValue(expr, what);
  if (!value)
    return std::nullopt;
  if (std::floor(*value) != *value) {
    error(expr.loc) << what << " must be an integer, got "
                    << formatNumber(*value);
    return std::nullopt;
  }
  if (*value < min) {
    error(expr.loc) << what << " must be at least " << min << ", got "
                    << formatNumber(*value);
    return std::nullopt;
  }
  // Far beyond any size a model has, and beyond what sizes may multiply to.
  if (*value > 0x1p40) {
    error(expr.loc) << what << " must be at most 2^40, got "
                    << formatNumber(*value);
    return std::nullopt;
  }
  return static_cast<int64_t>(*value);
}

std::optional<Type> Checker::checkOneOperand(Expr &call, bool &ok) {
  if (failed(checkSignature(call, 1, {}, ok)))
    return std::nullopt;
  return check(*call.operands[0]);
}

LogicalResult Checker::checkUnary(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  std::optional<Type> operand = checkOneOperand(call, ok);
  if (!operand)
    return failure();
  if (operand->elem != ElemType::F32) {
    error(call.loc) << call.name << " needs an f32 operand, got "
                    << str(*operand);
    return failure();
  }
  info.results = {*operand};
  return success(ok);
}

LogicalResult Checker::checkTranspose(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  std::optional<Type> operand = checkOneOperand(call, ok);
  if (!operand)
    return failure();
  if (operand->rank() < 2) {
    error(call.loc) << "transpose needs a value of rank 2 or more, got "
                    << str(*operand);
    return failure();
  }
  std::swap(operand->shape[operand->rank() - 1],
            operand->shape[operand->rank() - 2]);
  info.results = {*operand};
  return success(ok);
}

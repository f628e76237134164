//===- SemaExpr.cpp - Types of expressions and dispatch of builtin calls --===//
//
// Operators get their types here; a call is checked by the check function
// that its entry in Builtins.def names, which records a CallInfo on it.
//
//===----------------------------------------------------------------------===//

#include "frontend/Checker.h"

#include <cmath>

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
  // Elementwise: equal shapes, or one shape a suffix of the other (a bias
  // added to every row), or a scalar.
  const Type &longer = lhs->rank() >= rhs->rank() ? *lhs : *rhs;
  const Type &shorter = lhs->rank() >= rhs->rank() ? *rhs : *lhs;
  llvm::ArrayRef<Dim> tail = llvm::ArrayRef<Dim>(longer.shape)
                                 .take_back(shorter.rank());
  if (tail != llvm::ArrayRef<Dim>(shorter.shape)) {
    error(expr.loc) << "shape mismatch in '" << op << "': " << str(*lhs)
                    << " and " << str(*rhs)
                    << " (shapes must be equal, or one must end the other)";
    return std::nullopt;
  }
  return longer;
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
  } else if (a.rank() == 3 && b.rank() == 3) {
    if (a.shape[0] != b.shape[0]) {
      error(expr.loc) << "shape mismatch in '@': " << str(a) << " @ "
                      << str(b) << ": the batch dimensions "
                      << dimStr(a.shape[0]) << " and " << dimStr(b.shape[0])
                      << " differ";
      return std::nullopt;
    }
    if (a.shape[2] != b.shape[1])
      return mismatch(a.shape[2], b.shape[1]);
    result.shape = {a.shape[0], a.shape[1], b.shape[2]};
  } else {
    error(expr.loc) << "'@' multiplies a matrix or vector by a matrix or "
                       "vector, or two batches of matrices; got "
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
    error(expr.loc) << what << " must be an integer, got " << *value;
    return std::nullopt;
  }
  if (*value < min) {
    error(expr.loc) << what << " must be at least " << min << ", got "
                    << static_cast<int64_t>(*value);
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

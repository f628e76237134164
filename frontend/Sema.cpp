//===- Sema.cpp - Names, dims, shapes and types of a .attn model ----------===//
//
// Sema checks what the grammar cannot: that names exist and are not
// redefined, that dims and constants are what they claim, and that every
// operation gets operands of shapes it accepts. Messages speak the language
// of the source (`f32[S, 64]`), not MLIR's.
//
//===----------------------------------------------------------------------===//

#include "frontend/Sema.h"
#include "frontend/Checker.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace attnc;
using namespace attnc::sema;
using mlir::failure;
using mlir::LogicalResult;
using mlir::success;

//===----------------------------------------------------------------------===//
// Helpers shared with MLIRGen
//===----------------------------------------------------------------------===//

std::optional<double> attnc::evalConstant(const Expr &expr) {
  switch (expr.kind) {
  case Expr::Kind::Integer: return static_cast<double>(expr.intValue);
  case Expr::Kind::Float: return expr.floatValue;
  case Expr::Kind::Negate: {
    auto value = evalConstant(*expr.operands[0]);
    return value ? std::optional<double>(-*value) : std::nullopt;
  }
  case Expr::Kind::Binary: {
    auto lhs = evalConstant(*expr.operands[0]);
    auto rhs = evalConstant(*expr.operands[1]);
    if (!lhs || !rhs)
      return std::nullopt;
    switch (expr.op) {
    case BinaryOp::Add: return *lhs + *rhs;
    case BinaryOp::Sub: return *lhs - *rhs;
    case BinaryOp::Mul: return *lhs * *rhs;
    case BinaryOp::Div:
      return *rhs == 0 ? std::nullopt : std::optional<double>(*lhs / *rhs);
    default: return std::nullopt;
    }
  }
  default: return std::nullopt;
  }
}

MaskSpec attnc::decodeMask(const Expr &mask) {
  MaskSpec spec;
  std::function<void(const Expr &)> visit = [&](const Expr &term) {
    if (term.kind == Expr::Kind::Binary) {
      visit(*term.operands[0]);
      visit(*term.operands[1]);
    } else if (term.kind == Expr::Kind::Name) {
      spec.causal |= term.name == "causal";
    } else if (term.name == "padding") {
      spec.lengths = term.operands[0].get();
    } else { // window / local
      spec.window = static_cast<int64_t>(*evalConstant(*term.operands[0]));
      if (const KeywordArg *at = term.keyword("at"))
        spec.center = at->value.get();
      spec.gaussian = term.name == "local";
    }
  };
  visit(mask);
  return spec;
}

std::string attnc::formatType(const ModelDecl &model, const Type &type) {
  std::string text = type.elem == ElemType::F32 ? "f32" : "i32";
  if (type.isScalar())
    return text;
  text += "[";
  for (size_t i = 0; i < type.shape.size(); ++i) {
    const Dim &dim = type.shape[i];
    text += i ? ", " : "";
    text += dim.isVar() ? model.dims[dim.dimVar].name
                        : std::to_string(dim.size);
  }
  return text + "]";
}

//===----------------------------------------------------------------------===//
// The checker
//===----------------------------------------------------------------------===//

namespace {

constexpr llvm::StringLiteral kScoreKinds[] = {
    "dot", "scaled_dot", "general", "additive", "cosine", "location"};

bool isScoreKind(llvm::StringRef kind) {
  return llvm::is_contained(kScoreKinds, kind);
}


/// Names that cannot appear in the generated C header.
bool isCKeyword(llvm::StringRef name) {
  static const llvm::StringSet<> keywords = {
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "bool", "true", "false",
      "model", "status"};
  return keywords.contains(name) || name.starts_with("__");
}

const char *symbolKindName(SymbolKind kind) {
  switch (kind) {
  case SymbolKind::Dim: return "dim";
  case SymbolKind::Const: return "constant";
  case SymbolKind::Param: return "parameter";
  case SymbolKind::Input: return "input";
  case SymbolKind::Output: return "output";
  case SymbolKind::Local: return "local";
  }
  return "name";
}

} // namespace


bool Checker::declare(llvm::StringMap<Symbol> &scope, const std::string &name,
                      Symbol symbol) {
  const Symbol *previous = lookup(name);
  if (!previous) {
    auto found = scope.find(name);
    previous = found == scope.end() ? nullptr : &found->second;
  }
  if (previous) {
    mlir::InFlightDiagnostic diag = error(symbol.loc);
    diag << "redefinition of '" << name << "'";
    diag.attachNote(source.loc(previous->loc))
        << "'" << name << "' was first defined here as "
        << (previous->kind == SymbolKind::Input ? "an " : "a ")
        << symbolKindName(previous->kind);
    return false;
  }
  scope[name] = std::move(symbol);
  return true;
}

const Symbol *Checker::lookup(llvm::StringRef name) const {
  auto local = locals.find(name);
  if (local != locals.end())
    return &local->second;
  auto global = globals.find(name);
  return global == globals.end() ? nullptr : &global->second;
}

LogicalResult Checker::run() {
  auto checkCName = [&](llvm::StringRef name, SourceLoc loc,
                        llvm::StringRef what) {
    if (isCKeyword(name))
      error(loc) << "'" << name << "' cannot name " << what
                 << ": the generated C interface would not compile; "
                    "choose another name";
  };
  checkCName(model.name, model.loc, "a model");
  for (const DimDecl &dim : model.dims)
    checkCName(dim.name, dim.loc, "a dim");
  for (const FnDecl &fn : model.fns) {
    checkCName(fn.name, fn.loc, "an fn");
    for (const auto *args : {&fn.inputs, &fn.outputs})
      for (const ArgDecl &arg : *args)
        checkCName(arg.name, arg.loc, "an input or output");
  }
  for (auto [index, dim] : llvm::enumerate(model.dims)) {
    declare(globals, dim.name, {SymbolKind::Dim, dim.loc, int(index)});
    if (dim.max && *dim.max < 1)
      error(dim.loc) << "dim '" << dim.name
                     << "' needs an upper bound of at least 1, got "
                     << *dim.max;
  }
  checkConsts();
  for (auto [index, param] : llvm::enumerate(model.params)) {
    std::optional<Type> type = resolve(param.spec);
    if (type && llvm::any_of(type->shape, [](Dim d) { return d.isVar(); })) {
      error(param.spec.loc) << "the shape of parameter '" << param.name
                            << "' must be known at compile time; it cannot "
                               "use a run-time dim";
      type.reset();
    }
    Symbol symbol{SymbolKind::Param, param.loc, int(index)};
    if (type)
      param.type = symbol.type = *type;
    else
      symbol.poisoned = true;
    declare(globals, param.name, symbol);
  }
  if (model.fns.empty())
    error(model.loc) << "model '" << model.name
                     << "' has no entry point; add an 'fn'";
  llvm::StringMap<SourceLoc> fnNames;
  for (FnDecl &fn : model.fns) {
    auto [it, inserted] = fnNames.try_emplace(fn.name, fn.loc);
    if (!inserted) {
      mlir::InFlightDiagnostic diag = error(fn.loc);
      diag << "redefinition of fn '" << fn.name << "'";
      diag.attachNote(source.loc(it->second)) << "first defined here";
      continue;
    }
    checkFn(fn);
  }
  return mlir::failure(hadError);
}

/// Turns a name of `decl` into the literal of its value.
static void replaceByValue(Expr &expr, const ConstDecl &decl) {
  expr.kind = decl.isInteger ? Expr::Kind::Integer : Expr::Kind::Float;
  expr.intValue = decl.intValue;
  expr.floatValue = decl.floatValue;
}

bool Checker::foldConstants(
    Expr &expr,
    llvm::function_ref<void(const Expr &, const Symbol *)> notConstant) {
  if (expr.kind == Expr::Kind::Name) {
    const Symbol *found = lookup(expr.name);
    if (!found || found->kind != SymbolKind::Const) {
      notConstant(expr, found);
      return false;
    }
    replaceByValue(expr, model.consts[found->index]);
    return true;
  }
  bool ok = true;
  for (ExprPtr &operand : expr.operands)
    ok &= foldConstants(*operand, notConstant);
  return ok;
}

void Checker::checkConsts() {
  for (auto [index, decl] : llvm::enumerate(model.consts)) {
    Symbol symbol{SymbolKind::Const, decl.loc, int(index)};
    // Constants may use earlier constants: fold the names first.
    bool ok = foldConstants(*decl.value, [&](const Expr &name,
                                             const Symbol *found) {
      // Params are declared after constants; name them all the same.
      bool isParam = llvm::any_of(model.params, [&](const ParamDecl &p) {
        return p.name == name.name;
      });
      if (!found && !isParam)
        error(name.loc) << "unknown name '" << name.name << "'";
      else
        error(name.loc) << "a constant can only use numbers and earlier "
                           "constants, not the "
                        << (found ? symbolKindName(found->kind) : "parameter")
                        << " '" << name.name << "'";
    });
    std::optional<double> value = ok ? evalConstant(*decl.value) : std::nullopt;
    if (ok && !value)
      error(decl.value->loc) << "the value of constant '" << decl.name
                             << "' must be a number known at compile time";
    if (value) {
      // Integer if every literal in it is an integer and the value is whole.
      std::function<bool(const Expr &)> integral = [&](const Expr &expr) {
        if (expr.kind == Expr::Kind::Float)
          return false;
        if (expr.kind == Expr::Kind::Binary && expr.op == BinaryOp::Div)
          return false;
        return llvm::all_of(expr.operands,
                            [&](const ExprPtr &e) { return integral(*e); });
      };
      decl.isInteger = integral(*decl.value);
      decl.intValue = static_cast<int64_t>(*value);
      decl.floatValue = *value;
    }
    declare(globals, decl.name, symbol);
  }
}

std::optional<Dim> Checker::resolveDim(Expr &dim) {
  if (dim.kind == Expr::Kind::Name) {
    const Symbol *found = lookup(dim.name);
    if (!found) {
      error(dim.loc) << "unknown dim '" << dim.name << "'";
      return std::nullopt;
    }
    if (found->kind == SymbolKind::Dim)
      return Dim::var(found->index);
    if (found->kind != SymbolKind::Const) {
      error(dim.loc) << "'" << dim.name << "' is a "
                     << symbolKindName(found->kind)
                     << ", not a dim or an integer constant";
      return std::nullopt;
    }
  }
  // Arithmetic on run-time dims would need symbolic shapes.
  std::function<const Expr *(const Expr &)> findDimVar =
      [&](const Expr &expr) -> const Expr * {
    if (expr.kind == Expr::Kind::Name) {
      const Symbol *found = lookup(expr.name);
      return found && found->kind == SymbolKind::Dim ? &expr : nullptr;
    }
    for (const ExprPtr &operand : expr.operands)
      if (const Expr *var = findDimVar(*operand))
        return var;
    return nullptr;
  };
  if (const Expr *var = findDimVar(dim)) {
    error(var->loc) << "run-time dim '" << var->name
                    << "' cannot be used in arithmetic; declare another dim";
    return std::nullopt;
  }
  // Fold constant names, then evaluate.
  bool folded = foldConstants(dim, [&](const Expr &name, const Symbol *found) {
    if (!found)
      error(name.loc) << "unknown name '" << name.name << "'";
    else
      error(name.loc) << "'" << name.name << "' is a "
                      << symbolKindName(found->kind)
                      << ", not a dim or an integer constant";
  });
  if (!folded)
    return std::nullopt;
  std::optional<double> value = evalConstant(dim);
  if (!value || std::floor(*value) != *value) {
    error(dim.loc) << "a dimension must be a dim or an integer constant";
    return std::nullopt;
  }
  if (*value < 1 || *value > (1ll << 40)) {
    error(dim.loc) << "a dimension must be positive, got "
                   << static_cast<int64_t>(*value);
    return std::nullopt;
  }
  return Dim::known(static_cast<int64_t>(*value));
}

std::optional<Type> Checker::resolve(TypeSpec &spec) {
  Type type;
  type.elem = spec.elem;
  bool ok = true;
  for (ExprPtr &dim : spec.dims) {
    std::optional<Dim> resolved = resolveDim(*dim);
    ok &= resolved.has_value();
    if (resolved)
      type.shape.push_back(*resolved);
  }
  if (!ok)
    return std::nullopt;
  return type;
}

void Checker::checkFn(FnDecl &fn) {
  locals.clear();
  currentFn = &fn;
  for (auto [args, kind] : {std::make_pair(&fn.inputs, SymbolKind::Input),
                            std::make_pair(&fn.outputs, SymbolKind::Output)})
    for (auto [index, arg] : llvm::enumerate(*args)) {
      Symbol symbol{kind, arg.loc};
      symbol.index = index;
      std::optional<Type> type = resolve(arg.spec);
      if (type)
        arg.type = symbol.type = *type;
      symbol.poisoned = !type;
      declare(locals, arg.name, symbol);
    }
  for (Stmt &stmt : fn.body)
    checkStmt(fn, stmt);
  for (const ArgDecl &output : fn.outputs) {
    auto it = locals.find(output.name);
    if (it != locals.end() && it->second.kind == SymbolKind::Output &&
        !it->second.assigned && !it->second.poisoned)
      error(fn.end) << "output '" << output.name << "' of fn '" << fn.name
                    << "' is never assigned";
  }
}

void Checker::checkStmt(FnDecl &fn, Stmt &stmt) {
  unsigned numTargets = stmt.targets.size();
  llvm::SmallVector<Type, 2> types;
  if (stmt.value->kind == Expr::Kind::Call) {
    if (auto results = checkCall(*stmt.value, numTargets))
      types = *results;
  } else if (numTargets != 1) {
    error(stmt.targets[1].second)
        << "this expression gives one value, but " << numTargets
        << " names are bound";
  } else if (auto type = check(*stmt.value)) {
    types.push_back(*type);
  }
  bool ok = types.size() == numTargets;

  if (stmt.isLet) {
    for (auto [index, target] : llvm::enumerate(stmt.targets)) {
      Symbol symbol{SymbolKind::Local, target.second};
      symbol.poisoned = !ok;
      if (ok)
        symbol.type = types[index];
      if (ok && stmt.value->kind == Expr::Kind::Call &&
          stmt.value->name == "argmax") {
        const Type &scores = stmt.value->operands[0]->type;
        if (!scores.shape.back().isVar())
          symbol.indexLimit = scores.shape.back().size;
      }
      declare(locals, target.first, symbol);
    }
    return;
  }

  auto &[name, loc] = stmt.targets[0];
  auto it = locals.find(name);
  if (it == locals.end() || it->second.kind != SymbolKind::Output) {
    const Symbol *found = lookup(name);
    if (!found)
      error(loc) << "'" << name << "' is not an output of fn '" << fn.name
                 << "'; use 'let " << name << " = ...' for a local value";
    else
      error(loc) << "cannot assign to the " << symbolKindName(found->kind) << " '"
                 << name << "'; only outputs of fn '" << fn.name
                 << "' are assigned";
    return;
  }
  Symbol &output = it->second;
  if (output.assigned) {
    error(loc) << "output '" << name << "' is assigned twice";
    return;
  }
  output.assigned = true;
  if (!ok || output.poisoned) {
    output.poisoned = true;
    return;
  }
  if (types[0] != output.type)
    error(stmt.value->loc) << "output '" << name << "' is declared "
                           << str(output.type) << " but is assigned a value of "
                           << str(types[0]);
}

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

LogicalResult
Checker::checkSignature(const Expr &call, unsigned minPositional,
                        unsigned maxPositional,
                        llvm::ArrayRef<llvm::StringRef> allowed) {
  unsigned given = call.operands.size();
  if (given < minPositional || given > maxPositional) {
    auto diag = error(call.loc);
    diag << call.name << " takes " << minPositional;
    if (maxPositional == ~0u)
      diag << " or more";
    else if (maxPositional != minPositional)
      diag << " to " << maxPositional;
    diag << (maxPositional == 1 ? " argument" : " arguments")
         << " before its keyword arguments, got " << given;
    return failure();
  }
  llvm::StringSet<> seen;
  for (const KeywordArg &arg : call.keywords) {
    if (!llvm::is_contained(allowed, arg.name)) {
      auto diag = error(arg.loc);
      diag << call.name << " has no argument '" << arg.name << "'";
      if (!allowed.empty()) {
        diag << "; it takes ";
        llvm::interleaveComma(allowed, diag);
      }
      return failure();
    }
    if (!seen.insert(arg.name).second) {
      error(arg.loc) << "argument '" << arg.name << "' is given twice";
      return failure();
    }
  }
  return success();
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

std::optional<llvm::SmallVector<Type, 2>> Checker::checkCall(Expr &call,
                                                             unsigned numResults) {
  llvm::StringRef name = call.name;
  auto one = [&](std::optional<Type> type)
      -> std::optional<llvm::SmallVector<Type, 2>> {
    if (!type)
      return std::nullopt;
    if (numResults != 1) {
      error(call.loc) << call.name << " gives one value, but " << numResults
                      << " names are bound";
      return std::nullopt;
    }
    call.type = *type;
    return llvm::SmallVector<Type, 2>{*type};
  };

  if (name == "attention")
    return checkAttention(call, numResults);
  if (name == "softmax")
    return one(checkSoftmax(call));
  if (name == "context")
    return one(checkContext(call));
  if (name.consume_front("score.")) {
    if (!isScoreKind(name)) {
      error(call.loc) << "unknown score kind '" << name
                      << "'; expected one of dot, scaled_dot, general, "
                         "additive, cosine, location";
      return std::nullopt;
    }
    if (failed(checkSignature(call, 2, {"W", "U", "v", "scale"})))
      return std::nullopt;
    auto query = check(*call.operands[0]);
    auto keys = check(*call.operands[1]);
    if (!query || !keys)
      return std::nullopt;
    bool single;
    return one(checkScore(call, name, *query, *keys, /*heads=*/1, single));
  }
  if (name == "transpose") {
    if (failed(checkSignature(call, 1, {})))
      return std::nullopt;
    auto operand = check(*call.operands[0]);
    if (!operand)
      return std::nullopt;
    if (operand->rank() < 2) {
      error(call.loc) << "transpose needs a value of rank 2 or more, got "
                      << str(*operand);
      return std::nullopt;
    }
    std::swap(operand->shape[operand->rank() - 1],
              operand->shape[operand->rank() - 2]);
    return one(operand);
  }
  if (name == "tanh" || name == "sigmoid" || name == "relu" || name == "exp") {
    if (failed(checkSignature(call, 1, {})))
      return std::nullopt;
    auto operand = check(*call.operands[0]);
    if (operand && operand->elem != ElemType::F32) {
      error(call.loc) << name << " needs an f32 operand, got "
                      << str(*operand);
      return std::nullopt;
    }
    return one(operand);
  }
  if (isSeq2SeqBuiltin(name))
    return checkSeq2SeqCall(call, numResults);
  if (name == "score")
    error(call.loc) << "'score' needs a kind: score.dot, score.scaled_dot, "
                       "score.general, score.additive, score.cosine or "
                       "score.location";
  else
    error(call.loc) << "unknown function '" << name << "'";
  return std::nullopt;
}

std::optional<ScoreArgs>
Checker::checkScoreArgs(Expr &call, llvm::StringRef kind,
                        llvm::SmallVector<Type, 3> &storage) {
  bool takesW = kind == "general" || kind == "additive" || kind == "location";
  bool takesUV = kind == "additive";
  ScoreArgs args;
  storage.reserve(3);
  for (auto [key, takes, slot] :
       {std::make_tuple("W", takesW, &args.w),
        std::make_tuple("U", takesUV, &args.u),
        std::make_tuple("v", takesUV, &args.v)}) {
    const KeywordArg *arg = call.keyword(key);
    // Without U, additive takes keys that are already projected (U h_j).
    bool optional = llvm::StringRef(key) == "U";
    if (!arg) {
      if (takes && !optional) {
        error(call.loc) << "the " << kind << " score needs '" << key
                        << " = ...'";
        return std::nullopt;
      }
      continue;
    }
    if (!takes) {
      error(arg->loc) << "the " << kind << " score takes no '" << key
                      << "'";
      return std::nullopt;
    }
    auto type = check(*arg->value);
    if (!type)
      return std::nullopt;
    if (type->elem != ElemType::F32) {
      error(arg->value->loc) << "'" << key << "' must be f32, got "
                             << str(*type);
      return std::nullopt;
    }
    storage.push_back(*type);
    *slot = &storage.back();
  }
  if (const KeywordArg *scale = call.keyword("scale")) {
    if (kind != "scaled_dot") {
      error(scale->loc) << "'scale' only applies to the scaled_dot score";
      return std::nullopt;
    }
    std::optional<double> value = constantValue(*scale->value, "'scale'");
    if (!value)
      return std::nullopt;
    if (!(*value > 0) || !std::isfinite(*value)) {
      error(scale->value->loc) << "'scale' must be positive, got " << *value;
      return std::nullopt;
    }
  }
  return args;
}

std::optional<Type> Checker::checkScore(Expr &call, llvm::StringRef kind,
                                        const Type &query, const Type &keys,
                                        int64_t heads, bool &single) {
  llvm::SmallVector<Type, 3> storage;
  std::optional<ScoreArgs> args = checkScoreArgs(call, kind, storage);
  if (!args)
    return std::nullopt;
  if (query.elem != ElemType::F32 || keys.elem != ElemType::F32) {
    error(call.loc) << "queries and keys must be f32, got " << str(query)
                    << " and " << str(keys);
    return std::nullopt;
  }
  if (keys.rank() < 2) {
    error(call.operands[1]->loc)
        << "keys must have a row per key and a feature dimension, got "
        << str(keys);
    return std::nullopt;
  }
  if (query.rank() != keys.rank() && query.rank() != keys.rank() - 1) {
    error(call.operands[0]->loc)
        << "the query must be one vector per key row's batch or a block of "
           "queries: rank "
        << keys.rank() - 1 << " or " << keys.rank() << " for keys "
        << str(keys) << ", got " << str(query);
    return std::nullopt;
  }
  single = query.rank() == keys.rank() - 1;
  size_t batch = keys.rank() - 2;
  for (size_t i = 0; i < batch; ++i)
    if (query.shape[i] != keys.shape[i]) {
      error(call.loc) << "batch dimension " << i << " differs: query "
                      << str(query) << ", keys " << str(keys);
      return std::nullopt;
    }
  Dim numKeys = keys.shape[batch];
  Dim dq = query.shape.back(), dk = keys.shape.back();
  // With heads, the score sees per-head slices of the features.
  auto perHead = [&](Dim dim, const char *what) -> std::optional<Dim> {
    if (heads == 1)
      return dim;
    if (dim.isVar() || dim.size % heads != 0) {
      error(call.loc) << heads << " heads must divide the " << what
                      << " features " << dimStr(dim);
      return std::nullopt;
    }
    return Dim::known(dim.size / heads);
  };
  auto hq = perHead(dq, "query");
  if (!hq)
    return std::nullopt;
  auto hk = perHead(dk, "key");
  if (!hk)
    return std::nullopt;
  dq = *hq;
  dk = *hk;
  auto shapeIs = [](const Type *type, std::initializer_list<Dim> dims) {
    return type->shape == llvm::SmallVector<Dim, 4>(dims);
  };
  std::string q = dimStr(dq), k = dimStr(dk);
  if (kind == "dot" || kind == "scaled_dot" || kind == "cosine") {
    if (dq != dk) {
      error(call.loc) << "the " << kind
                      << " score needs queries and keys of the same feature "
                         "size, got "
                      << str(query) << " and " << str(keys);
      return std::nullopt;
    }
  } else if (kind == "general") {
    if (!shapeIs(args->w, {dq, dk})) {
      error(call.keyword("W")->loc)
          << "the general score needs W : f32[" << q << ", " << k
          << "] (query features x key features), got " << str(*args->w);
      return std::nullopt;
    }
  } else if (kind == "additive") {
    const Type *w = args->w, *u = args->u, *v = args->v;
    if (w->rank() != 2 || w->shape[1] != dq) {
      error(call.keyword("W")->loc)
          << "the additive score needs W : f32[A, " << q
          << "] (attention size x query features), got " << str(*w);
      return std::nullopt;
    }
    std::string a = dimStr(w->shape[0]);
    if (!u && dk != w->shape[0]) {
      error(call.operands[1]->loc)
          << "without U, the additive score takes projected keys (U h_j) of "
             "the attention size "
          << a << ", got " << str(keys);
      return std::nullopt;
    }
    if (u && !shapeIs(u, {w->shape[0], dk})) {
      error(call.keyword("U")->loc)
          << "the additive score needs U : f32[" << a << ", " << k
          << "] (attention size x key features), got " << str(*u);
      return std::nullopt;
    }
    if (!shapeIs(v, {w->shape[0]})) {
      error(call.keyword("v")->loc)
          << "the additive score needs v : f32[" << a
          << "] (the attention size), got " << str(*v);
      return std::nullopt;
    }
  } else { // location
    const Type *w = args->w;
    if (w->rank() != 2 || w->shape[1] != dq) {
      error(call.keyword("W")->loc)
          << "the location score needs W : f32[L, " << q
          << "] (positions x query features), got " << str(*w);
      return std::nullopt;
    }
    const DimDecl *var = numKeys.isVar() ? &model.dims[numKeys.dimVar] : nullptr;
    int64_t most = var ? var->max.value_or(-1) : numKeys.size;
    if (w->shape[0].isVar() || most < 0 || w->shape[0].size < most) {
      error(call.keyword("W")->loc)
          << "the location score needs W with a row for every key position: "
          << "W is " << str(*w) << " but there can be "
          << (most < 0 ? std::string("unboundedly many")
                       : std::to_string(most))
          << " keys" << (var && !var->max ? " (give dim '" + var->name +
                                                "' an upper bound)"
                                          : std::string());
      return std::nullopt;
    }
  }
  Type scores{ElemType::F32, {}};
  scores.shape.append(query.shape.begin(), query.shape.end() - 1);
  scores.shape.push_back(numKeys);
  return scores;
}

LogicalResult Checker::checkMaskTerm(Expr &term, const Type &scores,
                                     bool hasQueryAxis,
                                     llvm::StringSet<> &seen) {
  if (term.kind == Expr::Kind::Binary && term.op == BinaryOp::Or) {
    return success(
        succeeded(checkMaskTerm(*term.operands[0], scores, hasQueryAxis,
                                seen)) &&
        succeeded(checkMaskTerm(*term.operands[1], scores, hasQueryAxis,
                                seen)));
  }
  auto unknown = [&]() {
    error(term.loc) << "expected a mask: none, causal, padding(lengths), "
                       "window(size), window(size, at = centers) or "
                       "local(size, at = centers), combined with '|'";
    return failure();
  };
  llvm::StringRef name = term.name;
  if (term.kind != Expr::Kind::Name && term.kind != Expr::Kind::Call)
    return unknown();
  if (term.kind == Expr::Kind::Name && name != "causal" && name != "none")
    return unknown();
  if (term.kind == Expr::Kind::Call && name != "padding" &&
      name != "window" && name != "local")
    return unknown();
  llvm::StringRef group = name == "local" ? "window" : name;
  if (!seen.insert(group).second) {
    error(term.loc) << "the mask names " << name << " twice";
    return failure();
  }
  llvm::ArrayRef<Dim> perQuery =
      llvm::ArrayRef<Dim>(scores.shape).drop_back();
  if (name == "none")
    return success();
  if (name == "causal") {
    if (!hasQueryAxis) {
      error(term.loc) << "a causal mask needs a block of queries; one "
                         "decoder step has a single query";
      return failure();
    }
    return success();
  }
  if (name == "padding") {
    if (failed(checkSignature(term, 1, {})))
      return failure();
    auto lengths = check(*term.operands[0]);
    if (!lengths)
      return failure();
    if (lengths->elem != ElemType::I32 || lengths->rank() > (int64_t)perQuery.size() ||
        llvm::ArrayRef<Dim>(lengths->shape) !=
            perQuery.take_front(lengths->rank())) {
      Type expected{ElemType::I32, {}};
      expected.shape.append(perQuery.begin(), perQuery.end());
      error(term.operands[0]->loc)
          << "padding lengths must be i32, one per sequence: a leading part "
             "of "
          << str(expected) << ", got " << str(*lengths);
      return failure();
    }
    return requireInRange(*term.operands[0], scores.shape.back(),
                          "a padding length", /*required=*/false);
  }
  // window(size [, at = centers]) and local(size, at = centers)
  if (failed(checkSignature(term, 1, {"at"})))
    return failure();
  if (!constantInt(*term.operands[0], "the window size", 0))
    return failure();
  const KeywordArg *at = term.keyword("at");
  if (name == "local" && !at) {
    error(term.loc) << "local attention needs 'at = ...', the predicted "
                       "center of each window";
    return failure();
  }
  if (!at && !hasQueryAxis) {
    error(term.loc) << "a window around a single query needs 'at = ...', "
                       "the center of the window";
    return failure();
  }
  if (at) {
    auto centers = check(*at->value);
    if (!centers)
      return failure();
    Type expected{ElemType::F32, {}};
    expected.shape.append(perQuery.begin(), perQuery.end());
    if (*centers != expected) {
      error(at->value->loc) << "window centers must be " << str(expected)
                            << " (one per query), got " << str(*centers);
      return failure();
    }
  }
  return success();
}

LogicalResult Checker::checkMask(Expr &mask, const Type &scores,
                                 bool hasQueryAxis) {
  llvm::StringSet<> seen;
  return checkMaskTerm(mask, scores, hasQueryAxis, seen);
}

std::optional<Type> Checker::checkSoftmax(Expr &call) {
  if (failed(checkSignature(call, 1, {"mask"})))
    return std::nullopt;
  auto scores = check(*call.operands[0]);
  if (!scores)
    return std::nullopt;
  if (scores->elem != ElemType::F32 || scores->isScalar()) {
    error(call.operands[0]->loc)
        << "softmax needs f32 scores with a key dimension, got "
        << str(*scores);
    return std::nullopt;
  }
  if (const KeywordArg *mask = call.keyword("mask"))
    if (failed(checkMask(*mask->value, *scores, scores->rank() >= 2)))
      return std::nullopt;
  return scores;
}

std::optional<Type> Checker::checkContext(Expr &call) {
  if (failed(checkSignature(call, 2, {})))
    return std::nullopt;
  auto weights = check(*call.operands[0]);
  auto values = check(*call.operands[1]);
  if (!weights || !values)
    return std::nullopt;
  if (weights->elem != ElemType::F32 || values->elem != ElemType::F32) {
    error(call.loc) << "context needs f32 weights and values, got "
                    << str(*weights) << " and " << str(*values);
    return std::nullopt;
  }
  if (values->rank() < 2 || (weights->rank() != values->rank() &&
                             weights->rank() != values->rank() - 1)) {
    error(call.loc) << "context needs weights [..., Nk] or [..., Nq, Nk] and "
                       "values [..., Nk, dv], got "
                    << str(*weights) << " and " << str(*values);
    return std::nullopt;
  }
  Dim rows = values->shape[values->rank() - 2];
  if (weights->shape.back() != rows) {
    error(call.loc) << "context: the weights cover "
                    << dimStr(weights->shape.back())
                    << " keys but the values have " << dimStr(rows)
                    << " rows";
    return std::nullopt;
  }
  for (int64_t i = 0; i < values->rank() - 2; ++i)
    if (weights->shape[i] != values->shape[i]) {
      error(call.loc) << "context: batch dimension " << i << " differs: "
                      << str(*weights) << " and " << str(*values);
      return std::nullopt;
    }
  Type result = *weights;
  result.shape.back() = values->shape.back();
  return result;
}

std::optional<llvm::SmallVector<Type, 2>>
Checker::checkAttention(Expr &call, unsigned numResults) {
  if (failed(checkSignature(call, 3,
                            {"score", "heads", "mask", "W", "U", "v",
                             "scale"})))
    return std::nullopt;
  if (numResults > 2) {
    error(call.loc) << "attention gives its output and optionally its "
                       "weights, but "
                    << numResults << " names are bound";
    return std::nullopt;
  }
  llvm::StringRef kind = "scaled_dot";
  if (const KeywordArg *score = call.keyword("score")) {
    if (score->value->kind != Expr::Kind::Name ||
        !isScoreKind(score->value->name)) {
      error(score->value->loc)
          << "unknown score kind; expected one of dot, scaled_dot, general, "
             "additive, cosine, location";
      return std::nullopt;
    }
    kind = score->value->name;
  }
  int64_t heads = 1;
  if (const KeywordArg *arg = call.keyword("heads")) {
    auto value = constantInt(*arg->value, "'heads'", 1);
    if (!value)
      return std::nullopt;
    heads = *value;
  }
  auto query = check(*call.operands[0]);
  auto keys = check(*call.operands[1]);
  auto values = check(*call.operands[2]);
  if (!query || !keys || !values)
    return std::nullopt;
  bool single;
  auto scores = checkScore(call, kind, *query, *keys, heads, single);
  if (!scores)
    return std::nullopt;
  if (values->elem != ElemType::F32 || values->rank() != keys->rank() ||
      llvm::ArrayRef<Dim>(values->shape).drop_back() !=
          llvm::ArrayRef<Dim>(keys->shape).drop_back()) {
    error(call.operands[2]->loc)
        << "values must have a row per key like the keys " << str(*keys)
        << ", got " << str(*values);
    return std::nullopt;
  }
  Dim dv = values->shape.back();
  if (heads > 1 && (dv.isVar() || dv.size % heads != 0)) {
    error(call.loc) << heads << " heads must divide the value features "
                    << dimStr(dv);
    return std::nullopt;
  }
  if (const KeywordArg *mask = call.keyword("mask"))
    if (failed(checkMask(*mask->value, *scores, !single)))
      return std::nullopt;
  Type output = *scores;
  output.shape.back() = dv;
  llvm::SmallVector<Type, 2> results{output};
  if (numResults == 2) {
    Type weights = *scores;
    if (heads > 1)
      weights.shape.insert(weights.shape.end() - (single ? 1 : 2),
                           Dim::known(heads));
    results.push_back(weights);
  }
  call.type = output;
  return results;
}


LogicalResult attnc::checkModel(ModelDecl &model, const Source &source) {
  return Checker(model, source).run();
}

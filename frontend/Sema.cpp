//===- Sema.cpp - Names, dims, shapes and types of a .attn model ----------===//
//
// Sema checks what the grammar cannot: that names exist and are not
// redefined, that dims and constants are what they claim, and that every
// operation gets operands of shapes it accepts. Messages speak the language
// of the source (`f32[S, 64]`), not MLIR's. This file checks declarations,
// statements and names; SemaExpr.cpp expressions and builtin calls.
//
//===----------------------------------------------------------------------===//

#include "frontend/Sema.h"

#include "dialect/AttnModelAttrs.h"
#include "frontend/Checker.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace attnc;
using namespace attnc::sema;
using mlir::LogicalResult;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::optional<double> sema::evalConstant(const Expr &expr) {
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

void sema::replaceByValue(Expr &expr, const ConstDecl &decl) {
  expr.kind = decl.isInteger ? Expr::Kind::Integer : Expr::Kind::Float;
  expr.intValue = decl.intValue;
  expr.floatValue = decl.floatValue;
}

//===----------------------------------------------------------------------===//
// The checker
//===----------------------------------------------------------------------===//

namespace {

/// Names that cannot appear in the generated C header.
/// Names that cannot appear in the generated C header: what the dialect
/// does not take as a C identifier (keywords of C and C++, reserved names),
/// and the names of the prototypes' own parameters.
bool unusableAsCName(llvm::StringRef name) {
  return !mlir::attn::isCIdentifier(name) || name == "model" ||
         name == "status";
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
  if (global == globals.end())
    return nullptr;
  // A layer sees its own params only, as an nn.Module.
  if (currentFn && currentFn->isLayer &&
      global->second.kind == SymbolKind::Param)
    return nullptr;
  return &global->second;
}

LogicalResult Checker::run() {
  auto checkCName = [&](llvm::StringRef name, SourceLoc loc,
                        llvm::StringRef what) {
    if (unusableAsCName(name))
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
    declareParam(globals, param, index);
    paramIndex.try_emplace(param.name, index);
  }
  declareLayers();
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

void Checker::declareParam(llvm::StringMap<Symbol> &scope, ParamDecl &param,
                           int index) {
  std::optional<Type> type = resolve(param.spec);
  if (type && llvm::any_of(type->shape, [](Dim d) { return d.isVar(); })) {
    error(param.spec.loc) << "the shape of parameter '" << param.name
                          << "' must be known at compile time; it cannot "
                             "use a run-time dim";
    type.reset();
  }
  Symbol symbol{SymbolKind::Param, param.loc, index};
  if (type)
    param.type = symbol.type = *type;
  else
    symbol.poisoned = true;
  declare(scope, param.name, symbol);
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
      std::optional<int64_t> asInteger = toInt64(*value);
      if (decl.isInteger && !asInteger)
        error(decl.value->loc)
            << "the value of constant '" << decl.name << "', "
            << formatNumber(*value) << ", does not fit in a 64-bit integer";
      decl.intValue = asInteger.value_or(0);
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
  if (*value < 1) {
    error(dim.loc) << "a dimension must be positive, got "
                   << formatNumber(*value);
    return std::nullopt;
  }
  if (*value > 0x1p40) {
    error(dim.loc) << "a dimension must be at most 2^40, got "
                   << formatNumber(*value);
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
  // Buffers are counted and addressed in bytes with int64_t: the elements
  // (at the dims' bounds, where they have one) must fit, four bytes each.
  double elements = 1;
  for (const Dim &dim : type.shape)
    elements *= dim.isVar() ? double(model.dims[dim.dimVar].max.value_or(1))
                            : double(dim.size);
  if (elements > 0x1p60) {
    error(spec.dims.front()->loc)
        << "the type " << formatType(model, type) << " has "
        << formatNumber(elements)
        << " elements (at the dims' bounds): its size in bytes does not fit "
           "in 64 bits";
    return std::nullopt;
  }
  return type;
}

void Checker::checkFn(FnDecl &fn) {
  locals.clear();
  currentFn = &fn;
  checkBody(fn);
}

void Checker::checkBody(FnDecl &fn) {
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
      error(fn.end) << "output '" << output.name << "' of "
                    << (fn.isLayer ? "layer '" : "fn '") << fn.name
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
      if (ok && stmt.value->info)
        symbol.indexLimit = stmt.value->info->indexLimit;
      declare(locals, target.first, symbol);
    }
    return;
  }

  auto &[name, loc] = stmt.targets[0];
  auto it = locals.find(name);
  if (it == locals.end() || it->second.kind != SymbolKind::Output) {
    const Symbol *found = lookup(name);
    if (!found)
      error(loc) << "'" << name << "' is not an output of "
                 << (fn.isLayer ? "layer '" : "fn '") << fn.name
                 << "'; use 'let " << name << " = ...' for a local value";
    else
      error(loc) << "cannot assign to the " << symbolKindName(found->kind) << " '"
                 << name << "'; only outputs of "
                 << (fn.isLayer ? "layer '" : "fn '") << fn.name
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

LogicalResult attnc::checkModel(ModelDecl &model, const Source &source) {
  return Checker(model, source).run();
}

//===- AST.cpp - Copying and printing the .attn syntax tree ---------------===//

#include "frontend/AST.h"

#include "llvm/ADT/STLExtras.h"

using namespace attnc;

ExprPtr attnc::clone(const Expr &expr) {
  auto copy = std::make_unique<Expr>(expr.kind, expr.loc);
  copy->intValue = expr.intValue;
  copy->floatValue = expr.floatValue;
  copy->name = expr.name;
  copy->op = expr.op;
  for (const ExprPtr &operand : expr.operands)
    copy->operands.push_back(clone(*operand));
  for (const KeywordArg &arg : expr.keywords)
    copy->keywords.push_back({arg.name, arg.loc, clone(*arg.value)});
  for (const SliceSpec &slice : expr.slices) {
    SliceSpec &spec = copy->slices.emplace_back();
    spec.loc = slice.loc;
    spec.isRange = slice.isRange;
    spec.lo = slice.lo ? clone(*slice.lo) : nullptr;
    spec.hi = slice.hi ? clone(*slice.hi) : nullptr;
  }
  return copy;
}

const char *attnc::spelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add: return "+";
  case BinaryOp::Sub: return "-";
  case BinaryOp::Mul: return "*";
  case BinaryOp::Div: return "/";
  case BinaryOp::MatMul: return "@";
  case BinaryOp::Or: return "|";
  }
  return "?";
}

namespace {

/// Writes expressions back in source syntax, fully parenthesized.
void printExpr(const Expr &expr, llvm::raw_ostream &os) {
  switch (expr.kind) {
  case Expr::Kind::Integer: os << expr.intValue; return;
  case Expr::Kind::Float: os << expr.floatValue; return;
  case Expr::Kind::Name: os << expr.name; return;
  case Expr::Kind::Negate:
    os << "(-";
    printExpr(*expr.operands[0], os);
    os << ")";
    return;
  case Expr::Kind::Transpose:
    printExpr(*expr.operands[0], os);
    os << ".T";
    return;
  case Expr::Kind::Binary:
    os << "(";
    printExpr(*expr.operands[0], os);
    os << " " << spelling(expr.op) << " ";
    printExpr(*expr.operands[1], os);
    os << ")";
    return;
  case Expr::Kind::Slice: {
    printExpr(*expr.operands[0], os);
    os << "[";
    for (auto [i, slice] : llvm::enumerate(expr.slices)) {
      os << (i ? ", " : "");
      if (slice.lo)
        printExpr(*slice.lo, os);
      if (slice.isRange)
        os << ":";
      if (slice.hi)
        printExpr(*slice.hi, os);
    }
    os << "]";
    return;
  }
  case Expr::Kind::Call: {
    os << expr.name << "(";
    bool first = true;
    for (const ExprPtr &arg : expr.operands) {
      os << (first ? "" : ", ");
      printExpr(*arg, os);
      first = false;
    }
    for (const KeywordArg &arg : expr.keywords) {
      os << (first ? "" : ", ") << arg.name << " = ";
      printExpr(*arg.value, os);
      first = false;
    }
    os << ")";
    return;
  }
  }
}

void printLoc(SourceLoc loc, llvm::raw_ostream &os) {
  os << " @" << loc.line << ":" << loc.col;
}

void printSpec(const TypeSpec &spec, llvm::raw_ostream &os) {
  os << (spec.elem == ElemType::F32 ? "f32" : "i32");
  if (spec.dims.empty())
    return;
  os << "[";
  for (size_t i = 0; i < spec.dims.size(); ++i) {
    os << (i ? ", " : "");
    printExpr(*spec.dims[i], os);
  }
  os << "]";
}

void printArgs(const char *title, const std::vector<ArgDecl> &args,
               llvm::raw_ostream &os) {
  for (const ArgDecl &arg : args) {
    os << "    " << title << " " << arg.name << " : ";
    printSpec(arg.spec, os);
    printLoc(arg.loc, os);
    os << "\n";
  }
}

} // namespace

void attnc::dump(const ModelDecl &model, llvm::raw_ostream &os) {
  os << "Model " << model.name;
  printLoc(model.loc, os);
  os << "\n";
  for (const DimDecl &dim : model.dims) {
    os << "  Dim " << dim.name;
    if (dim.max)
      os << " <= " << *dim.max;
    printLoc(dim.loc, os);
    os << "\n";
  }
  for (const ConstDecl &decl : model.consts) {
    os << "  Const " << decl.name << " = ";
    printExpr(*decl.value, os);
    printLoc(decl.loc, os);
    os << "\n";
  }
  for (const ParamDecl &param : model.params) {
    os << "  Param " << param.name << " : ";
    printSpec(param.spec, os);
    printLoc(param.loc, os);
    os << "\n";
  }
  auto printFn = [&](const FnDecl &fn) {
    os << (fn.isLayer ? "  Layer " : "  Fn ") << fn.name;
    printLoc(fn.loc, os);
    os << "\n";
    printArgs("Input", fn.inputs, os);
    printArgs("Output", fn.outputs, os);
    printArgs("Param", fn.params, os);
    for (const Stmt &stmt : fn.body) {
      os << "    " << (stmt.isLet ? "Let " : "Assign ");
      for (size_t i = 0; i < stmt.targets.size(); ++i)
        os << (i ? ", " : "") << stmt.targets[i].first;
      os << " = ";
      printExpr(*stmt.value, os);
      printLoc(stmt.loc, os);
      os << "\n";
    }
  };
  for (const FnDecl &layer : model.layers)
    printFn(layer);
  for (const FnDecl &fn : model.fns)
    printFn(fn);
}

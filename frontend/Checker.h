//===- Checker.h - Sema's checker, shared by its source files ---*- C++ -*-===//
//
// Private to frontend/: Sema.cpp checks declarations, expressions and the
// attention builtins; SemaSeq2Seq.cpp the builtins of recurrent seq2seq
// models (embed, gru, lstm, linear, ...).
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_FRONTEND_CHECKER_H
#define ATTNC_FRONTEND_CHECKER_H

#include "frontend/AST.h"
#include "frontend/Sema.h"
#include "frontend/Source.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace attnc::sema {

using mlir::LogicalResult;

enum class SymbolKind { Dim, Const, Param, Input, Output, Local };

struct Symbol {
  SymbolKind kind;
  SourceLoc loc;
  int index = 0;      // into model.dims / consts / params / fn inputs
  Type type = {};     // params, inputs, outputs, locals
  bool poisoned = false; // bound to an expression that had an error
  bool assigned = false; // outputs
  /// i32 locals that come from argmax over N entries: each value is < N.
  std::optional<int64_t> indexLimit = std::nullopt;
};

/// Parameters that a score function takes as keyword arguments.
struct ScoreArgs {
  const Type *w = nullptr, *u = nullptr, *v = nullptr;
};

class Checker {
public:
  Checker(ModelDecl &model, const Source &source)
      : model(model), source(source) {}

  LogicalResult run();

private:
  mlir::InFlightDiagnostic error(SourceLoc loc) {
    hadError = true;
    return source.error(loc);
  }
  std::string str(const Type &type) const { return formatType(model, type); }
  std::string dimStr(const Dim &dim) const {
    return dim.isVar() ? model.dims[dim.dimVar].name : std::to_string(dim.size);
  }

  bool declare(llvm::StringMap<Symbol> &scope, const std::string &name,
               Symbol symbol);
  const Symbol *lookup(llvm::StringRef name) const;

  /// Replaces every name of a constant in `expr` by its value. Reports each
  /// other name through `notConstant` (null symbol: unknown) and then fails.
  bool foldConstants(Expr &expr,
                     llvm::function_ref<void(const Expr &, const Symbol *)>
                         notConstant);
  void checkConsts();
  std::optional<Type> resolve(TypeSpec &spec);
  std::optional<Dim> resolveDim(Expr &dim);
  void checkFn(FnDecl &fn);
  void checkStmt(FnDecl &fn, Stmt &stmt);

  // Expressions. Each reports its own errors and returns nullopt on failure;
  // a failure caused by an earlier error is silent.
  std::optional<Type> check(Expr &expr);
  std::optional<llvm::SmallVector<Type, 2>> checkCall(Expr &call,
                                                      unsigned numResults);
  std::optional<Type> checkName(Expr &expr);
  std::optional<Type> checkBinary(Expr &expr);
  std::optional<Type> checkMatMul(Expr &expr, const Type &a, const Type &b);
  std::optional<Type> checkScore(Expr &call, llvm::StringRef kind,
                                 const Type &query, const Type &keys,
                                 int64_t heads, bool &single);
  std::optional<Type> checkSoftmax(Expr &call);
  std::optional<Type> checkContext(Expr &call);
  std::optional<llvm::SmallVector<Type, 2>> checkAttention(Expr &call,
                                                           unsigned numResults);
  LogicalResult checkMask(Expr &mask, const Type &scores, bool hasQueryAxis);
  LogicalResult checkMaskTerm(Expr &term, const Type &scores,
                              bool hasQueryAxis, llvm::StringSet<> &seen);

  /// Checks call arity and keywords: `positional` exactly, keywords among
  /// `allowed`, none twice.
  LogicalResult checkSignature(const Expr &call, unsigned positional,
                               llvm::ArrayRef<llvm::StringRef> allowed) {
    return checkSignature(call, positional, positional, allowed);
  }
  /// The same with minPositional to maxPositional positional arguments.
  LogicalResult checkSignature(const Expr &call, unsigned minPositional,
                               unsigned maxPositional,
                               llvm::ArrayRef<llvm::StringRef> allowed);
  /// The value of an argument that must be known at compile time; named
  /// constants in it are folded first.
  std::optional<double> constantValue(Expr &expr, llvm::StringRef what);
  std::optional<int64_t> constantInt(Expr &expr, llvm::StringRef what,
                                     int64_t min);
  std::optional<ScoreArgs> checkScoreArgs(Expr &call, llvm::StringRef kind,
                                          llvm::SmallVector<Type, 3> &storage);

  // Builtins of seq2seq models (SemaSeq2Seq.cpp). checkSeq2SeqCall returns
  // nullopt without an error for a name that is none of them.
  bool isSeq2SeqBuiltin(llvm::StringRef name) const;
  std::optional<llvm::SmallVector<Type, 2>> checkSeq2SeqCall(Expr &call,
                                                             unsigned numResults);
  std::optional<Type> checkEmbed(Expr &call);
  std::optional<Type> checkLinear(Expr &call);
  std::optional<Type> checkConcat(Expr &call);
  std::optional<Type> checkFlatten(Expr &call);
  std::optional<Type> checkLastAxis(Expr &call);
  std::optional<llvm::SmallVector<Type, 2>> checkRecurrent(Expr &call,
                                                           unsigned numResults);
  /// f32 operand or keyword value of the given rank, or an error naming it.
  std::optional<Type> checkF32(Expr &expr, llvm::StringRef what,
                               int64_t rank);
  /// Records that the values of `operand` must be in [0, max] at run time,
  /// when it is an input; fails (with an error) when it is an i32 value
  /// whose range nothing guarantees and `required` is set.
  LogicalResult requireInRange(const Expr &operand, Dim max,
                               const std::string &what, bool required);

  ModelDecl &model;
  const Source &source;
  FnDecl *currentFn = nullptr;
  bool hadError = false;
  llvm::StringMap<Symbol> globals;
  llvm::StringMap<Symbol> locals; // of the function being checked
};

} // namespace attnc::sema

#endif // ATTNC_FRONTEND_CHECKER_H

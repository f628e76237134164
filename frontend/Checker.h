//===- Checker.h - Sema's checker, shared by its source files ---*- C++ -*-===//
//
// Private to frontend/: Sema.cpp checks declarations, statements and names,
// SemaExpr.cpp expressions and the dispatch of builtin calls through the
// table of Builtins.def, SemaAttention.cpp the attention builtins and masks,
// SemaSeq2Seq.cpp the builtins of recurrent seq2seq models.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_FRONTEND_CHECKER_H
#define ATTNC_FRONTEND_CHECKER_H

#include "frontend/AST.h"
#include "frontend/Builtins.h"
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

/// A layer and how far Sema got with it.
struct LayerState {
  FnDecl *decl = nullptr;
  enum { Unchecked, Checking, Checked, Failed } state = Unchecked;
  /// The calls of layers in its body, instantiated with each instance.
  std::vector<const Expr *> calls;
};

/// The score parameters a call passes as keyword arguments, checked.
struct ScoreArgs {
  std::optional<Type> w, u, v;
};

/// The value of a compile-time constant expression (literals, constants
/// already folded, + - * /), or nullopt.
std::optional<double> evalConstant(const Expr &expr);

/// The shape of an elementwise operation on `a` and `b`, broadcast as in
/// PyTorch, or nullopt if they do not broadcast.
std::optional<Type> broadcast(const Type &a, const Type &b);

/// A number as a message shows it: `1.5`, `-1`, `1e-05` (printf's %g).
std::string formatNumber(double value);

/// `value` as an int64_t if it is a whole number in int64_t's range; nullopt
/// otherwise (converting such a double is undefined behaviour).
std::optional<int64_t> toInt64(double value);

/// Turns a name of `decl` into the literal of its value.
void replaceByValue(Expr &expr, const ConstDecl &decl);

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

  // Declarations and statements (Sema.cpp).
  bool declare(llvm::StringMap<Symbol> &scope, const std::string &name,
               Symbol symbol);
  const Symbol *lookup(llvm::StringRef name) const;
  /// Resolves the type of `param` and declares it in `scope`.
  void declareParam(llvm::StringMap<Symbol> &scope, ParamDecl &param,
                    int index);
  /// Replaces every name of a constant in `expr` by its value. Reports each
  /// other name through `notConstant` (null symbol: unknown) and then fails.
  bool foldConstants(Expr &expr,
                     llvm::function_ref<void(const Expr &, const Symbol *)>
                         notConstant);
  void checkConsts();
  std::optional<Type> resolve(TypeSpec &spec);
  std::optional<Dim> resolveDim(Expr &dim);
  void checkFn(FnDecl &fn);
  /// The inputs, outputs and statements of an fn or a layer, in `locals`.
  void checkBody(FnDecl &fn);
  void checkStmt(FnDecl &fn, Stmt &stmt);

  // Layers (SemaLayer.cpp).
  void declareLayers();
  void checkLayer(LayerState &layer);
  std::optional<llvm::SmallVector<Type, 2>>
  checkLayerCall(Expr &call, LayerState &layer, unsigned numResults);
  /// Adds the params of an instance of `layer` named by `prefix` (and of
  /// the layers it calls) to the model's params.
  LogicalResult instantiate(LayerState &layer, llvm::StringRef prefix,
                            const Expr &call);

  // Expressions (SemaExpr.cpp). Each reports its own errors and returns
  // nullopt on failure; a failure caused by an earlier error is silent.
  std::optional<Type> check(Expr &expr);
  std::optional<Type> checkName(Expr &expr);
  std::optional<Type> checkBinary(Expr &expr);
  std::optional<Type> checkMatMul(Expr &expr, const Type &a, const Type &b);
  std::optional<Type> checkSlice(Expr &expr);

  /// Checks a call of a builtin with the check function of its entry in
  /// Builtins.def, records the CallInfo on it and returns the types of the
  /// first `numResults` values it gives.
  std::optional<llvm::SmallVector<Type, 2>> checkCall(Expr &call,
                                                      unsigned numResults);
  /// Checks call arity and keywords: `minPositional` to `maxPositional`
  /// positional arguments (~0u: no maximum), keywords among `allowed`, none
  /// twice. Reports every bad keyword and clears `ok` on any error; fails
  /// only on a wrong number of positional arguments, after which they
  /// cannot be checked.
  LogicalResult checkSignature(const Expr &call, unsigned minPositional,
                               unsigned maxPositional,
                               llvm::ArrayRef<llvm::StringRef> allowed,
                               bool &ok);
  LogicalResult checkSignature(const Expr &call, unsigned positional,
                               llvm::ArrayRef<llvm::StringRef> allowed,
                               bool &ok) {
    return checkSignature(call, positional, positional, allowed, ok);
  }
  /// The type of the one positional argument of a call that takes no
  /// keywords, or nullopt after an error.
  std::optional<Type> checkOneOperand(Expr &call, bool &ok);
  /// The value of an argument that must be known at compile time; named
  /// constants in it are folded first.
  std::optional<double> constantValue(Expr &expr, llvm::StringRef what);
  std::optional<int64_t> constantInt(Expr &expr, llvm::StringRef what,
                                     int64_t min);

  // The check functions of Builtins.def: each checks one call, reports every
  // independent error, fills in `info` (at least every result type) and
  // fails if there was an error. Builtins that give one value leave the
  // count of bound names to checkCall.
  using CheckFn = LogicalResult(Expr &call, CallInfo &info,
                                unsigned numResults);
  CheckFn checkUnary, checkTranspose;
  // Attention (SemaAttention.cpp).
  CheckFn checkScore, checkSoftmax, checkContext, checkAttention;
  // Transformer layers (SemaTransformer.cpp).
  CheckFn checkGelu, checkReduce, checkChunk, checkLayerNorm,
      checkMultiheadAttention;
  // Recurrent seq2seq models (SemaSeq2Seq.cpp).
  CheckFn checkEmbed, checkLinear, checkConcat, checkFlatten, checkLastAxis,
      checkRecurrent;

  // Helpers of the attention builtins (SemaAttention.cpp).
  /// Checks the keyword arguments W, U, v and scale of a score of `kind`
  /// and records them in `info`.
  std::optional<ScoreArgs>
  checkScoreArgs(Expr &call, mlir::attn::ScoreKind kind, CallInfo &info);
  /// The type of the scores of `query` against `keys` with `heads` heads;
  /// `single` tells whether the query is a single one (no query axis).
  std::optional<Type> scoresType(Expr &call, mlir::attn::ScoreKind kind,
                                 const Type &query, const Type &keys,
                                 int64_t heads, const ScoreArgs &args,
                                 bool &single);
  /// Checks the shapes of the score parameters against the per-head
  /// features of the queries (dq) and keys (dk).
  LogicalResult checkScoreParams(Expr &call, mlir::attn::ScoreKind kind,
                                 const Type &query, const Type &keys, Dim dq,
                                 Dim dk, Dim numKeys, const ScoreArgs &args);
  /// The features of one head: `dim` / `heads`, which must divide it.
  std::optional<Dim> perHead(const Expr &call, Dim dim, int64_t heads,
                             llvm::StringRef what);
  /// Checks `mask = ...` and decodes it into `info`. Without `scores` (an
  /// earlier error), only what does not depend on their shape is checked.
  LogicalResult checkMask(Expr &mask, const Type *scores, bool hasQueryAxis,
                          MaskInfo &info);
  LogicalResult checkMaskTerm(Expr &term, const Type *scores, bool hasQueryAxis,
                              llvm::StringSet<> &seen, MaskInfo &info);
  /// window(size [, at = centers]) and local(size, at = centers).
  LogicalResult checkWindowTerm(Expr &term, const MaskTerm &mask,
                                const Type *scores, bool hasQueryAxis,
                                MaskInfo &info);

  // Helpers of the transformer builtins (SemaTransformer.cpp).
  /// The bare word `value` is, one of `words`, or an error naming `what`.
  std::optional<llvm::StringRef> bareWord(const Expr &value,
                                          llvm::ArrayRef<llvm::StringRef> words,
                                          llvm::StringRef what);
  /// The axis of `type` that `dim` names (from 0; a negative one counts from
  /// the end, as in PyTorch).
  std::optional<int64_t> checkAxis(Expr &dim, const Type &type);

  // Helpers of the seq2seq builtins (SemaSeq2Seq.cpp).
  /// f32 operand or keyword value of the given rank, or an error naming it.
  std::optional<Type> checkF32(Expr &expr, llvm::StringRef what,
                               int64_t rank);
  /// Checks the weights of one direction of a recurrent builtin, named
  /// `names` (weight_ih, weight_hh, bias_ih, bias_hh): sets or checks the
  /// hidden and input sizes and lists the weights given in `found`.
  bool checkRecurrentWeights(Expr &call,
                             llvm::ArrayRef<llvm::StringLiteral> names,
                             unsigned gates, Dim &hidden, Dim &input,
                             llvm::SmallVectorImpl<const Expr *> &found);
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
  llvm::StringMap<LayerState> layers;
  llvm::StringMap<size_t> paramIndex; // into model.params, by full name
};

} // namespace attnc::sema

#endif // ATTNC_FRONTEND_CHECKER_H

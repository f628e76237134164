//===- AST.h - Syntax tree of the .attn language ----------------*- C++ -*-===//
//
// The parser builds this tree; Sema resolves names and fills in each
// expression's type; MLIRGen walks it. Every node keeps its source location.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_FRONTEND_AST_H
#define ATTNC_FRONTEND_AST_H

#include "frontend/Lexer.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnc {

//===----------------------------------------------------------------------===//
// Types, as Sema resolves them
//===----------------------------------------------------------------------===//

enum class ElemType { F32, I32 };

/// One dimension: a size known at compile time, or a run-time `dim` of the
/// model (by its index in ModelDecl::dims).
struct Dim {
  int64_t size = 0;
  int dimVar = -1;

  static Dim known(int64_t size) { return Dim{size, -1}; }
  static Dim var(int index) { return Dim{0, index}; }
  bool isVar() const { return dimVar >= 0; }
  bool operator==(const Dim &other) const {
    return isVar() ? dimVar == other.dimVar
                   : (!other.isVar() && size == other.size);
  }
  bool operator!=(const Dim &other) const { return !(*this == other); }
};

struct Type {
  ElemType elem = ElemType::F32;
  llvm::SmallVector<Dim, 4> shape; // empty: a scalar

  bool isScalar() const { return shape.empty(); }
  int64_t rank() const { return shape.size(); }
  bool operator==(const Type &other) const {
    return elem == other.elem && shape == other.shape;
  }
  bool operator!=(const Type &other) const { return !(*this == other); }
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

enum class BinaryOp { Add, Sub, Mul, Div, MatMul, Or };

/// The operator as written: "+", "@", ...
const char *spelling(BinaryOp op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct CallInfo; // Builtins.h
/// Deletes a CallInfo where its type is complete, so that the AST does not
/// depend on Builtins.h.
struct CallInfoDeleter {
  void operator()(CallInfo *info) const;
};

struct KeywordArg {
  std::string name;
  SourceLoc loc;
  ExprPtr value;
};

/// One entry of `x[...]`: an index `i` (the axis goes away) or a range
/// `lo:hi` with either bound optional (`:` is the whole axis).
struct SliceSpec {
  SourceLoc loc;
  bool isRange = true;
  ExprPtr lo, hi; // an index is in `lo`
  // Filled in by Sema: the elements [begin, end) of the axis; a whole axis
  // of run-time size has end = -1.
  int64_t begin = 0, end = -1;
};

struct Expr {
  enum class Kind { Integer, Float, Name, Negate, Binary, Transpose, Call,
                    Slice };

  Kind kind;
  SourceLoc loc;
  int64_t intValue = 0;    // Integer
  double floatValue = 0;   // Float
  std::string name;        // Name; Call: the callee, e.g. "score.additive"
  BinaryOp op = BinaryOp::Add;                // Binary
  std::vector<ExprPtr> operands;              // Negate/Transpose/Slice: 1,
                                              // Binary: 2, Call: positional
  std::vector<KeywordArg> keywords;           // Call
  std::vector<SliceSpec> slices;              // Slice: one per leading axis

  // Filled in by Sema.
  Type type;                                       // the (first) value
  std::unique_ptr<CallInfo, CallInfoDeleter> info; // Call: Sema's decisions

  Expr(Kind kind, SourceLoc loc) : kind(kind), loc(loc) {}
  const KeywordArg *keyword(llvm::StringRef key) const {
    for (const KeywordArg &arg : keywords)
      if (arg.name == key)
        return &arg;
    return nullptr;
  }
};

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

/// `f32[S, 2*H]` as written; Sema turns it into a Type.
struct TypeSpec {
  ElemType elem = ElemType::F32;
  SourceLoc loc;
  std::vector<ExprPtr> dims;

  // Move-only, so that vectors of declarations move rather than copy them.
  TypeSpec() = default;
  TypeSpec(TypeSpec &&) = default;
  TypeSpec &operator=(TypeSpec &&) = default;
  TypeSpec(const TypeSpec &) = delete;
  TypeSpec &operator=(const TypeSpec &) = delete;
};

struct DimDecl {
  std::string name;
  SourceLoc loc;
  std::optional<int64_t> max; // `dim S <= 512`
};

struct ConstDecl {
  std::string name;
  SourceLoc loc;
  ExprPtr value;
  // Filled in by Sema.
  bool isInteger = true;
  int64_t intValue = 0;
  double floatValue = 0;
};

/// A run-time check of an i32 input's values: each one in [0, max]. Sema
/// adds one where an input indexes memory (embedding ids, padding lengths).
struct ValueCheck {
  Dim max;
  std::string what; // "an id of the embedding table 'emb'"
  /// Whether values that are not an input must be known to be in range
  /// (embedding ids) or are then not checked (padding lengths). Layers pass
  /// it on to what their callers give for the input.
  bool required = true;
};

/// A name with a declared type: a `param`, or an input or output of an fn.
struct TypedDecl {
  std::string name;
  SourceLoc loc;
  TypeSpec spec;
  Type type;                      // filled in by Sema
  std::vector<ValueCheck> checks; // filled in by Sema (inputs)
};
using ParamDecl = TypedDecl;
using ArgDecl = TypedDecl;

/// `let a, b = expr` (isLet) or `out = expr` (an output).
struct Stmt {
  bool isLet = true;
  SourceLoc loc;
  std::vector<std::pair<std::string, SourceLoc>> targets;
  ExprPtr value;
};

/// An entry point (`fn`) or a layer (`layer`): a layer is not an entry
/// point but is inlined where it is called, and declares its own params,
/// whose names are relative to the prefix each call gives (`params = ...`).
struct FnDecl {
  std::string name;
  SourceLoc loc;
  std::vector<ArgDecl> inputs;
  std::vector<ArgDecl> outputs;
  std::vector<ParamDecl> params; // layers only
  std::vector<Stmt> body;
  SourceLoc end; // the closing brace
  bool isLayer = false;
};

struct ModelDecl {
  std::string name;
  SourceLoc loc;
  std::vector<DimDecl> dims;
  std::vector<ConstDecl> consts;
  std::vector<ParamDecl> params; // Sema appends those of layer instances
  std::vector<FnDecl> fns;
  std::vector<FnDecl> layers;
};

/// A deep copy of `expr` (without Sema's annotations).
ExprPtr clone(const Expr &expr);

/// Prints the tree in an indented, readable form (`attnc --emit=ast`).
void dump(const ModelDecl &model, llvm::raw_ostream &os);

} // namespace attnc

#endif // ATTNC_FRONTEND_AST_H

//===- Builtins.h - The builtin functions of the .attn language -*- C++ -*-===//
//
// One table, Builtins.def, lists the builtins: Sema checks each call with
// the entry's check function and records what it decided in a CallInfo on
// the call; MLIRGen emits the call from that CallInfo with the entry's emit
// function; the docs list comes from the same entries. Score kinds and mask
// names are those of the attn dialect's enums.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_FRONTEND_BUILTINS_H
#define ATTNC_FRONTEND_BUILTINS_H

#include "frontend/AST.h"

#include "dialect/AttnOps.h"

namespace attnc {

/// One enumerator per entry of Builtins.def.
enum class Builtin {
#define BUILTIN(Id, ...) Id,
#include "frontend/Builtins.def"
};

/// What a check or emit function shared by a family of builtins needs to
/// know about one member (the Flags of Builtins.def).
enum BuiltinFlags : unsigned {
  kScoreKind = 1 << 0, // called as name.KIND, e.g. score.dot
  kIndices = 1 << 1,   // argmax: the i32 index of the largest value
  kLstm = 1 << 2,      // lstm, lstm_cell: four gates and a cell state
  kCell = 1 << 3,      // gru_cell, lstm_cell: one step, not a layer
};

/// An entry of Builtins.def, without its check and emit functions (Sema
/// and MLIRGen expand the table for those).
struct BuiltinInfo {
  Builtin id;
  llvm::StringLiteral name;
  unsigned flags;
  llvm::StringLiteral section; // of docs/LANGUAGE.md
  llvm::StringLiteral signature;
  llvm::StringLiteral summary;

  bool has(BuiltinFlags flag) const { return (flags & flag) != 0; }
};

/// The builtin a callee names, or null: `tanh`; `score` for `score.dot`, and
/// also for a bare `score`, which lacks its kind.
const BuiltinInfo *lookupBuiltin(llvm::StringRef callee);

/// The kind after the dot of a callee (`dot` in `score.dot`), or "".
llvm::StringRef calleeKind(llvm::StringRef callee);

/// The callable name closest to `callee` by edit distance, if it is close
/// enough to be a typo of it; otherwise "".
std::string suggestBuiltin(llvm::StringRef callee);

/// The score kinds of the dialect, each between `prefix` and `suffix`,
/// separated by ", " and the last one by `last`: "dot, ..., location".
std::string listScoreKinds(llvm::StringRef prefix, llvm::StringRef suffix,
                           llvm::StringRef last);

/// Prints the list of builtins of docs/LANGUAGE.md (markdown).
void printBuiltinList(llvm::raw_ostream &os);

//===----------------------------------------------------------------------===//
// Mask terms and directions
//===----------------------------------------------------------------------===//

/// A term of `mask = ...` and the MaskKind bits it stands for. Its name is
/// the enum's, unless it has an alias (`local`: a window whose weights are
/// then multiplied by a Gaussian).
struct MaskTerm {
  /// What the term takes in parentheses, if anything.
  enum class Operand { None, Lengths, Size };
  /// Whether `at = centers` is allowed or needed (windows).
  enum class Center { None, Optional, Required };

  mlir::attn::MaskKind kind;
  llvm::StringLiteral alias;
  Operand operand;
  Center center;
  bool gaussian;

  std::string name() const;
};

/// The term called `name` (a bare name, or a call if `isCall`), or null.
const MaskTerm *lookupMaskTerm(llvm::StringRef name, bool isCall);

/// Every form of every term, as "none, causal, padding(lengths), ... or
/// local(size, at = centers)".
std::string listMaskForms();

/// How a recurrent layer runs over its sequence (`direction = ...`).
enum class Direction { Forward, Reverse, Bidirectional };

/// The direction a bare word names, or nullopt.
std::optional<Direction> parseDirection(llvm::StringRef word);

//===----------------------------------------------------------------------===//
// What Sema decided about a call
//===----------------------------------------------------------------------===//

/// A `mask = ...` argument decoded into the operands of the attn ops.
struct MaskInfo {
  mlir::attn::MaskKind kind = mlir::attn::MaskKind::none;
  int64_t window = 0;            // with the window bit: the half-width
  const Expr *lengths = nullptr; // padding(lengths)
  const Expr *centers = nullptr; // window(n, at = centers), local(...)
  bool gaussian = false;         // local(...)
};

/// One builtin call as Sema checked it; MLIRGen emits from this alone.
struct CallInfo {
  const BuiltinInfo *builtin = nullptr;
  /// Every value the call gives, also those no name is bound to: for
  /// attention the output and the weights.
  llvm::SmallVector<Type, 3> results;

  // score.KIND and attention.
  mlir::attn::ScoreKind score = mlir::attn::ScoreKind::scaled_dot;
  const Expr *w = nullptr, *u = nullptr, *v = nullptr;
  std::optional<double> scale;
  int64_t heads = 1;
  // softmax and attention.
  MaskInfo mask;
  // Recurrent layers and cells: per direction (forward, reverse) weight_ih,
  // weight_hh, then the biases if they are given.
  Direction direction = Direction::Forward;
  llvm::SmallVector<const Expr *, 4> weights[2];
  /// A batch of sequences (a leading axis more), with `lengths = ...`.
  bool batched = false;
  const Expr *lengths = nullptr;
  /// argmax: every index is below this, when it is known at compile time.
  std::optional<int64_t> indexLimit;
  // Reductions and chunk: the axis (from 0), kept with size 1 or not.
  int64_t axis = 0;
  bool keepdim = false;
  // gelu: its tanh form.
  bool tanhApproximation = false;
  // layer_norm.
  double eps = 1e-5;
  // multihead_attention: the nn.MultiheadAttention weights (null if absent).
  const Expr *inProjWeight = nullptr, *inProjBias = nullptr,
             *outProjWeight = nullptr, *outProjBias = nullptr;
  // A call of a layer (then `builtin` is null): the params of repetition r
  // are named `paramPrefix(r) + "." + name` (or `name` without prefix).
  const FnDecl *layer = nullptr;
  std::string params;    // `params = ...` as written, e.g. "layers.{i}"
  std::string indexName; // "i" of "{i}", or "" without an index
  int64_t repeat = 1;
  std::string paramPrefix(int64_t r) const;
};

} // namespace attnc

#endif // ATTNC_FRONTEND_BUILTINS_H

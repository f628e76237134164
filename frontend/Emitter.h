//===- Emitter.h - MLIRGen's emitter, shared by its files -------*- C++ -*-===//
//
// Private to frontend/: MLIRGen.cpp emits expressions and dispatches builtin
// calls through the table of Builtins.def; MLIRGenAttention.cpp and
// MLIRGenSeq2Seq.cpp emit the builtins. Every builtin is emitted from the
// CallInfo that Sema recorded on its call, nothing else is decided here.
//
//===----------------------------------------------------------------------===//

#ifndef ATTNC_FRONTEND_EMITTER_H
#define ATTNC_FRONTEND_EMITTER_H

#include "frontend/AST.h"
#include "frontend/Builtins.h"
#include "frontend/Source.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

namespace attnc::gen {

using mlir::FailureOr;
using mlir::Location;
using mlir::OpBuilder;
using mlir::Value;
using mlir::ValueRange;
using Values = llvm::SmallVector<Value, 2>;

/// One operand of an elementwise operation: a tensor, suffix-aligned with
/// the result, or a number.
struct Operand {
  Value tensor;
  double number = 0;
};

/// Emits the bodies of kernels: expressions and builtin calls, on tensors.
class Emitter {
public:
  Emitter(mlir::MLIRContext &context, const ModelDecl &model,
          const Source &source)
      : model(model), source(source), builder(&context) {}

protected:
  Location loc(SourceLoc at) const { return source.loc(at); }
  mlir::RankedTensorType tensorType(const Type &type);

  FailureOr<Value> emit(const Expr &expr);
  /// Emits the positional arguments of a builtin call, then the call with
  /// the emit function of its entry in Builtins.def; gives the values of the
  /// first `numResults` results.
  FailureOr<Values> emitCall(const Expr &call, unsigned numResults);

  Value empty(Location at, const Type &type);
  Value zeros(Location at, const Type &type);
  Value emitElementwise(
      Location at, const Type &type, llvm::ArrayRef<Operand> operands,
      llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> body);
  Value emitMatMul(Location at, const Expr &expr, Value a, Value b);
  Value emitSwapLastAxes(Location at, Value input, const Type &resultType);
  /// The elementwise math builtins: `fn` applied to each element of the
  /// operand, into a value of the call's type.
  FailureOr<Values>
  emitUnary(const Expr &call, llvm::ArrayRef<Value> args,
            llvm::function_ref<Value(OpBuilder &, Location, Value)> fn);
  /// The elementwise math builtins that are one op of the math dialect.
  template <typename OpT>
  FailureOr<Values> emitMathOp(const Expr &call, llvm::ArrayRef<Value> args);

  // The emit functions of Builtins.def: `args` are the call's positional
  // arguments, already emitted; `numResults` values are bound.
  using Args = llvm::ArrayRef<Value>;
  using EmitFn = FailureOr<Values>(const Expr &call, Args args,
                                   unsigned numResults);
  EmitFn emitTanh, emitSigmoid, emitRelu, emitExp, emitSqrt, emitTranspose;
  // Attention (MLIRGenAttention.cpp).
  EmitFn emitScore, emitSoftmax, emitContext, emitAttention;
  // Recurrent seq2seq models (MLIRGenSeq2Seq.cpp).
  EmitFn emitEmbed, emitLinear, emitConcat, emitFlatten, emitLogSoftmax,
      emitArgmax, emitRecurrent;

  // Helpers of the attention builtins (MLIRGenAttention.cpp).
  struct MaskOperands {
    mlir::attn::MaskKind kind = mlir::attn::MaskKind::none;
    mlir::IntegerAttr window;
    Value lengths, positions;
    bool gaussian = false;
  };
  FailureOr<MaskOperands> emitMask(const MaskInfo &mask);
  /// The W, U and v of a score (null where not given).
  FailureOr<llvm::SmallVector<Value, 3>> emitScoreParams(const CallInfo &info);
  mlir::FloatAttr scaleAttr(const CallInfo &info);

  // Helpers of the seq2seq builtins (MLIRGenSeq2Seq.cpp).
  /// A reduction over the last axis of inputs[0] into `inits` (one value
  /// per row); other inputs are either full-rank or per row.
  llvm::SmallVector<Value> reduceLastAxis(
      Location at, ValueRange inputs, ValueRange inits,
      llvm::function_ref<llvm::SmallVector<Value>(OpBuilder &, Location,
                                                  ValueRange)>
          body);
  /// `source` written into `dest` at `offsets`, with all of its sizes.
  Value insertAt(Location at, Value source, Value dest,
                 llvm::ArrayRef<mlir::OpFoldResult> offsets);
  FailureOr<llvm::SmallVector<Value>>
  emitAll(llvm::ArrayRef<const Expr *> exprs);

  const ModelDecl &model;
  const Source &source;
  OpBuilder builder;
  llvm::StringMap<Value> values;   // names visible in the current fn
  llvm::DenseMap<int, Value> dims; // run-time dims of the current fn (index)
};

} // namespace attnc::gen

#endif // ATTNC_FRONTEND_EMITTER_H

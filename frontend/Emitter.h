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
  /// The statements of an fn or a layer; the values of its outputs go to
  /// `outputs`.
  mlir::LogicalResult emitBody(const FnDecl &fn,
                               llvm::StringMap<Value> &outputs);
  /// A call of a layer, inlined for each repetition.
  FailureOr<Values> emitLayerCall(const Expr &call, llvm::ArrayRef<Value> args,
                                  unsigned numResults);

  Value empty(Location at, const Type &type);
  Value zeros(Location at, const Type &type);
  Value emitElementwise(
      Location at, const Type &type, llvm::ArrayRef<Operand> operands,
      llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> body);
  Value emitMatMul(Location at, const Expr &expr, Value a, Value b);
  /// a @ b (a @ b^T with `transposeB`) added to `init` (by default zeros)
  /// of `type`: a named linalg op, or a linalg.generic contraction for
  /// leading axes.
  Value emitContraction(Location at, Value a, Value b, bool transposeB,
                        const Type &type, Value init = Value());
  Value emitSlice(Location at, const Expr &expr, Value input);
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
  EmitFn emitTanh, emitSigmoid, emitRelu, emitExp, emitSqrt, emitRsqrt,
      emitLog, emitErf, emitTranspose;
  // Transformer layers (MLIRGenTransformer.cpp).
  EmitFn emitGelu, emitReduce, emitChunk, emitLayerNorm,
      emitMultiheadAttention;
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

  // Helpers of the transformer builtins (MLIRGenTransformer.cpp).
  /// `reduced`, `type` without `axis`, as `type` (that axis of size 1).
  Value keepAxis(Location at, Value reduced, const Type &type, int64_t axis);
  /// Elements [offset, offset + size) of `source` along `axis` and all of
  /// its other axes, as `resultType` (without the axis when it drops it).
  Value sliceAlong(Location at, Value source, int64_t axis, int64_t offset,
                   int64_t size, mlir::RankedTensorType resultType);
  /// The size of an axis of `x` as an f32 scalar.
  Value axisSize(Location at, Value x, int64_t axis);
  /// x W^T + b over the last axis of x (any leading axes), into `type`;
  /// `bias` may be null.
  Value emitLinearOf(Location at, Value x, Value weight, Value bias,
                     const Type &type);

  // Helpers of the seq2seq builtins (MLIRGenSeq2Seq.cpp).
  /// A recurrent layer over one sequence (or a cell's step): its results,
  /// every one (outputs and final states, or the next states).
  Values emitRecurrentOne(const Expr &call, Value input,
                          llvm::ArrayRef<Value> states,
                          llvm::ArrayRef<Value> forward,
                          llvm::ArrayRef<Value> backward);
  /// The same over a batch: an scf.for over the sequences, each read up to
  /// its length.
  Values emitRecurrentBatch(const Expr &call, llvm::ArrayRef<Value> args,
                            Value lengths, llvm::ArrayRef<Value> forward,
                            llvm::ArrayRef<Value> backward);
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
  llvm::StringMap<Value> paramValues; // every param of the model, by name
  std::string paramPrefix;         // of the layer instance being emitted
  llvm::DenseMap<int, Value> dims; // run-time dims of the current fn (index)
};

} // namespace attnc::gen

#endif // ATTNC_FRONTEND_EMITTER_H

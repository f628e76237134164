//===- MLIRGen.cpp - From a checked .attn model to MLIR -------------------===//

#include "frontend/MLIRGen.h"

#include "dialect/AttnOps.h"
#include "frontend/Emitter.h"
#include "frontend/InterfaceAttrs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>

using namespace attnc;
using namespace attnc::gen;
using namespace mlir;

void attnc::loadFrontendDialects(MLIRContext &context) {
  context.loadDialect<attn::AttnDialect, arith::ArithDialect,
                      bufferization::BufferizationDialect, func::FuncDialect,
                      linalg::LinalgDialect, math::MathDialect,
                      scf::SCFDialect, tensor::TensorDialect>();
}

namespace {

/// Emits the module: one kernel per fn, and the attributes that describe
/// the model's C interface.
class Generator : public Emitter {
public:
  using Emitter::Emitter;

  OwningOpRef<ModuleOp> run();

private:

  LogicalResult emitFn(const FnDecl &fn);
};

} // namespace

RankedTensorType Emitter::tensorType(const attnc::Type &type) {
  SmallVector<int64_t> shape;
  for (const Dim &dim : type.shape)
    shape.push_back(dim.isVar() ? ShapedType::kDynamic : dim.size);
  mlir::Type elem = type.elem == ElemType::F32
                        ? mlir::Type(builder.getF32Type())
                        : mlir::Type(builder.getI32Type());
  return RankedTensorType::get(shape, elem);
}

OwningOpRef<ModuleOp> Generator::run() {
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc(model.loc));
  builder.setInsertionPointToEnd(module->getBody());
  for (const FnDecl &fn : model.fns)
    if (failed(emitFn(fn)))
      return nullptr;
  // Checked here too, so that a name Sema let through is reported at the
  // model rather than as a module verifier error with the whole module.
  attn::ModelAttr interface = buildModelAttr(*builder.getContext(), model);
  if (failed(attn::verifyModelAttr(
          interface, [&] { return mlir::emitError(loc(model.loc)); })))
    return nullptr;
  (*module)->setAttr(attn::AttnDialect::getModelAttrName(), interface);
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

LogicalResult Generator::emitFn(const FnDecl &fn) {
  values.clear();
  dims.clear();
  SmallVector<mlir::Type> argTypes, resultTypes;
  
  for (const ParamDecl &param : model.params)
    argTypes.push_back(tensorType(param.type));
  for (const ArgDecl &input : fn.inputs)
    argTypes.push_back(tensorType(input.type));
  for (const ArgDecl &output : fn.outputs) {
    argTypes.push_back(tensorType(output.type));
    resultTypes.push_back(tensorType(output.type));
  }

  builder.setInsertionPointToEnd(
      cast<ModuleOp>(builder.getBlock()->getParentOp()).getBody());
  auto func = builder.create<func::FuncOp>(
      loc(fn.loc), getKernelName(model, fn),
      builder.getFunctionType(argTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entry);

  // Params and inputs are read-only; outputs are written in place. Set at
  // once: setArgAttr per argument makes a new array of all of them each time,
  // and attributes live as long as the context (100,000 params took 24 GB).
  unsigned numParams = model.params.size(), numInputs = fn.inputs.size();
  StringAttr writable = builder.getStringAttr("bufferization.writable");
  DictionaryAttr readOnly = builder.getDictionaryAttr(
      builder.getNamedAttr(writable, builder.getBoolAttr(false)));
  DictionaryAttr written = builder.getDictionaryAttr(
      builder.getNamedAttr(writable, builder.getBoolAttr(true)));
  SmallVector<DictionaryAttr> argAttrs(numParams + numInputs, readOnly);
  argAttrs.resize(argTypes.size(), written);
  func.setAllArgAttrs(argAttrs);

  paramValues.clear();
  for (auto [index, param] : llvm::enumerate(model.params))
    values[param.name] = paramValues[param.name] = entry->getArgument(index);
  auto bindDims = [&](Value arg, const attnc::Type &type, Location at) {
    for (auto [axis, dim] : llvm::enumerate(type.shape))
      if (dim.isVar() && !dims.count(dim.dimVar))
        dims[dim.dimVar] = builder.create<tensor::DimOp>(at, arg, axis);
  };
  for (auto [index, input] : llvm::enumerate(fn.inputs)) {
    Value arg = entry->getArgument(numParams + index);
    values[input.name] = arg;
    bindDims(arg, input.type, loc(input.loc));
  }
  SmallVector<Value> destinations;
  for (auto [index, output] : llvm::enumerate(fn.outputs)) {
    Value arg = entry->getArgument(numParams + numInputs + index);
    destinations.push_back(arg);
    bindDims(arg, output.type, loc(output.loc));
  }

  llvm::StringMap<Value> outputs;
  if (failed(emitBody(fn, outputs)))
    return failure();

  SmallVector<Value> returned;
  // A value given to several outputs is computed into the first one and
  // copied from there into the others: materialized twice, both would ask
  // for it to be computed in place, which bufferization refuses.
  llvm::DenseMap<Value, Value> materialized;
  for (auto [output, destination] : llvm::zip(fn.outputs, destinations)) {
    Value value = outputs.lookup(output.name);
    Location at = loc(output.loc);
    if (Value first = materialized.lookup(value))
      value = first;
    Value computed = value;
    if (value.getType() != destination.getType())
      value = builder.create<tensor::CastOp>(at, destination.getType(), value);
    Value result = builder
                       .create<bufferization::MaterializeInDestinationOp>(
                           at, value, destination)
                       .getResult();
    materialized.try_emplace(computed, result);
    returned.push_back(result);
  }
  builder.create<func::ReturnOp>(loc(fn.end), returned);
  return success();
}

LogicalResult Emitter::emitBody(const FnDecl &fn,
                                llvm::StringMap<Value> &outputs) {
  for (const Stmt &stmt : fn.body) {
    SmallVector<Value, 2> results;
    if (stmt.value->kind == Expr::Kind::Call) {
      auto called = emitCall(*stmt.value, stmt.targets.size());
      if (failed(called))
        return failure();
      results = *called;
    } else {
      auto value = emit(*stmt.value);
      if (failed(value))
        return failure();
      results.push_back(*value);
    }
    for (auto [target, value] : llvm::zip(stmt.targets, results)) {
      values[target.first] = value;
      if (!stmt.isLet)
        outputs[target.first] = value;
    }
  }
  return success();
}

FailureOr<Values> Emitter::emitLayerCall(const Expr &call, Args args,
                                         unsigned numResults) {
  const CallInfo &info = *call.info;
  const FnDecl &layer = *info.layer;
  // The layer is inlined, in a scope of its own, once per repetition.
  llvm::StringMap<Value> callerValues = std::move(values);
  std::string callerPrefix = paramPrefix;
  SmallVector<Value> inputs(args.begin(), args.end());
  Values results;
  for (int64_t r = 0; r < info.repeat; ++r) {
    std::string own = info.paramPrefix(r);
    paramPrefix = callerPrefix.empty() || own.empty()
                      ? callerPrefix + own
                      : callerPrefix + "." + own;
    values.clear();
    for (const ParamDecl &param : layer.params)
      values[param.name] = paramValues.lookup(
          paramPrefix.empty() ? param.name : paramPrefix + "." + param.name);
    for (auto [input, value] : llvm::zip(layer.inputs, inputs))
      values[input.name] = value;
    llvm::StringMap<Value> outputs;
    if (failed(emitBody(layer, outputs)))
      return failure();
    results.clear();
    for (const ArgDecl &output : layer.outputs) {
      Value value = outputs.lookup(output.name);
      mlir::Type declared = tensorType(output.type);
      if (value.getType() != declared)
        value = builder.create<tensor::CastOp>(loc(output.loc), declared,
                                               value);
      results.push_back(value);
    }
    inputs[0] = results[0]; // the next repetition's first input
  }
  values = std::move(callerValues);
  paramPrefix = callerPrefix;
  results.resize(numResults);
  return results;
}

Value Emitter::empty(Location at, const attnc::Type &type) {
  SmallVector<Value> dynamicSizes;
  for (const Dim &dim : type.shape)
    if (dim.isVar())
      dynamicSizes.push_back(dims.lookup(dim.dimVar));
  return builder.create<tensor::EmptyOp>(at, tensorType(type).getShape(),
                                         tensorType(type).getElementType(),
                                         dynamicSizes);
}

Value Emitter::zeros(Location at, const attnc::Type &type) {
  auto elem = tensorType(type).getElementType();
  Value zero = builder.create<arith::ConstantOp>(
      at, cast<TypedAttr>(builder.getZeroAttr(elem)));
  return builder.create<linalg::FillOp>(at, zero, empty(at, type))
      .getResult(0);
}

Value Emitter::emitElementwise(
    Location at, const attnc::Type &type, ArrayRef<Operand> operands,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  unsigned rank = type.rank();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (const Operand &operand : operands) {
    if (!operand.tensor)
      continue;
    unsigned operandRank =
        cast<RankedTensorType>(operand.tensor.getType()).getRank();
    // Broadcast as in PyTorch: operand axis i is result axis rank-r+i, and
    // an axis of size 1 stretches over a longer one.
    ArrayRef<int64_t> operandShape =
        cast<RankedTensorType>(operand.tensor.getType()).getShape();
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < operandRank; ++i) {
      unsigned axis = rank - operandRank + i;
      bool stretched = operandShape[i] == 1 && type.shape[axis] != Dim::known(1);
      exprs.push_back(stretched ? builder.getAffineConstantExpr(0)
                                : builder.getAffineDimExpr(axis));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, builder.getContext()));
    inputs.push_back(operand.tensor);
  }
  maps.push_back(builder.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = builder.create<linalg::GenericOp>(
      at, TypeRange{tensorType(type)}, inputs, ValueRange{empty(at, type)},
      maps, iterators,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        SmallVector<Value> scalars;
        unsigned next = 0;
        for (const Operand &operand : operands)
          scalars.push_back(
              operand.tensor
                  ? args[next++]
                  : b.create<arith::ConstantOp>(
                        bodyLoc, b.getFloatAttr(b.getF32Type(), operand.number))
                        .getResult());
        b.create<linalg::YieldOp>(bodyLoc, body(b, bodyLoc, scalars));
      });
  return generic.getResult(0);
}

Value Emitter::emitContraction(Location at, Value a, Value b, bool transposeB,
                               const attnc::Type &type, Value init) {
  unsigned rankA = cast<RankedTensorType>(a.getType()).getRank();
  unsigned rankB = cast<RankedTensorType>(b.getType()).getRank();
  if (!init)
    init = zeros(at, type);
  mlir::Type resultType = tensorType(type);
  // An array, not `ValueRange inputs{a, b}`: a ValueRange would point into
  // an initializer_list that dies at the end of its statement.
  Value inputs[] = {a, b};
  if (rankA == 1 && transposeB) {
    // linear of a vector x [I]: its weight [O, I] times x.
    Value swapped[] = {b, a};
    return builder.create<linalg::MatvecOp>(at, resultType, swapped, init)
        .getResult(0);
  }
  if (rankA == 1)
    return builder.create<linalg::VecmatOp>(at, resultType, inputs, init)
        .getResult(0);
  if (rankB == 1)
    return builder.create<linalg::MatvecOp>(at, resultType, inputs, init)
        .getResult(0);
  if (rankA == 2 && rankB == 2) {
    if (transposeB)
      return builder
          .create<linalg::MatmulTransposeBOp>(at, resultType, inputs, init)
          .getResult(0);
    return builder.create<linalg::MatmulOp>(at, resultType, inputs, init)
        .getResult(0);
  }
  if (rankA == 3 && rankB == 3 && !transposeB)
    return builder.create<linalg::BatchMatmulOp>(at, resultType, inputs, init)
        .getResult(0);
  // Leading axes: [B..., M, K] @ [K, N] with one weight matrix for every
  // row, or [B..., M, K] @ [B..., K, N]. A contraction on the shapes as they
  // are, since reshaping [B * M, N] back to [B, M, N] needs a
  // tensor.expand_shape with two run-time sizes in one group, which MLIR 19
  // cannot bufferize; attn-matmul-to-blas collapses the buffers instead.
  unsigned batch = rankB == 2 ? 0 : rankB - 2;
  unsigned rows = rankA - 1 - batch; // the M axes
  unsigned loops = rankA + 1;        // batch, rows, n, k
  auto d = [&](unsigned i) { return builder.getAffineDimExpr(i); };
  SmallVector<AffineExpr> mapA, mapB, mapC;
  for (unsigned i = 0; i < batch; ++i) {
    mapA.push_back(d(i));
    mapB.push_back(d(i));
    mapC.push_back(d(i));
  }
  for (unsigned i = 0; i < rows; ++i) {
    mapA.push_back(d(batch + i));
    mapC.push_back(d(batch + i));
  }
  AffineExpr n = d(loops - 2), k = d(loops - 1);
  mapA.push_back(k);
  mapB.append(transposeB ? SmallVector<AffineExpr>{n, k}
                         : SmallVector<AffineExpr>{k, n});
  mapC.push_back(n);
  MLIRContext *ctx = builder.getContext();
  AffineMap maps[] = {AffineMap::get(loops, 0, mapA, ctx),
                      AffineMap::get(loops, 0, mapB, ctx),
                      AffineMap::get(loops, 0, mapC, ctx)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  return builder
      .create<linalg::GenericOp>(
          at, resultType, inputs, init, maps, iterators,
          [](OpBuilder &nested, Location l, ValueRange args) {
            Value product = nested.create<arith::MulFOp>(l, args[0], args[1]);
            nested.create<linalg::YieldOp>(
                l, ValueRange{nested.create<arith::AddFOp>(l, args[2], product)
                                  .getResult()});
          })
      .getResult(0);
}

Value Emitter::emitMatMul(Location at, const Expr &expr, Value a, Value b) {
  return emitContraction(at, a, b, /*transposeB=*/false, expr.type);
}

Value Emitter::emitSwapLastAxes(Location at, Value input,
                                const attnc::Type &resultType) {
  unsigned rank = resultType.rank();
  SmallVector<int64_t> permutation = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(permutation[rank - 1], permutation[rank - 2]);
  return builder
      .create<linalg::TransposeOp>(at, input, empty(at, resultType),
                                   permutation)
      .getResult()[0];
}

Value Emitter::emitSlice(Location at, const Expr &expr, Value input) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> offsets, sizes;
  for (int64_t axis = 0; axis < inputType.getRank(); ++axis) {
    const SliceSpec *slice =
        axis < int64_t(expr.slices.size()) ? &expr.slices[axis] : nullptr;
    if (slice && slice->end >= 0) {
      offsets.push_back(builder.getIndexAttr(slice->begin));
      sizes.push_back(builder.getIndexAttr(slice->end - slice->begin));
      continue;
    }
    // A whole axis.
    offsets.push_back(builder.getIndexAttr(0));
    sizes.push_back(
        inputType.isDynamicDim(axis)
            ? OpFoldResult(builder.create<tensor::DimOp>(at, input, axis)
                               .getResult())
            : OpFoldResult(builder.getIndexAttr(inputType.getDimSize(axis))));
  }
  SmallVector<OpFoldResult> strides(inputType.getRank(),
                                    builder.getIndexAttr(1));
  // Indices (not ranges) drop their axes from the result type.
  return builder.create<tensor::ExtractSliceOp>(at, tensorType(expr.type),
                                                input, offsets, sizes, strides);
}

FailureOr<Value> Emitter::emit(const Expr &expr) {
  Location at = loc(expr.loc);
  switch (expr.kind) {
  case Expr::Kind::Integer:
  case Expr::Kind::Float: {
    double number = expr.kind == Expr::Kind::Integer
                        ? static_cast<double>(expr.intValue)
                        : expr.floatValue;
    return emitElementwise(at, expr.type, {Operand{Value(), number}},
                           [](OpBuilder &, Location, ValueRange args) {
                             return args[0];
                           });
  }
  case Expr::Kind::Name:
    return values.lookup(expr.name);
  case Expr::Kind::Negate: {
    auto operand = emit(*expr.operands[0]);
    if (failed(operand))
      return failure();
    return emitElementwise(
        at, expr.type, {Operand{*operand}},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return b.create<arith::NegFOp>(l, args[0]);
        });
  }
  case Expr::Kind::Transpose: {
    auto operand = emit(*expr.operands[0]);
    if (failed(operand))
      return failure();
    return emitSwapLastAxes(at, *operand, expr.type);
  }
  case Expr::Kind::Binary: {
    // A literal operand stays a number folded into the loop body.
    auto operandOf = [&](const Expr &side) -> FailureOr<Operand> {
      if (side.kind == Expr::Kind::Integer)
        return Operand{Value(), static_cast<double>(side.intValue)};
      if (side.kind == Expr::Kind::Float)
        return Operand{Value(), side.floatValue};
      auto value = emit(side);
      if (failed(value))
        return failure();
      return Operand{*value};
    };
    auto lhs = operandOf(*expr.operands[0]);
    auto rhs = operandOf(*expr.operands[1]);
    if (failed(lhs) || failed(rhs))
      return failure();
    if (expr.op == BinaryOp::MatMul)
      return emitMatMul(at, expr, lhs->tensor, rhs->tensor);
    BinaryOp op = expr.op;
    return emitElementwise(
        at, expr.type, {*lhs, *rhs},
        [op](OpBuilder &b, Location l, ValueRange args) -> Value {
          switch (op) {
          case BinaryOp::Add: return b.create<arith::AddFOp>(l, args[0], args[1]);
          case BinaryOp::Sub: return b.create<arith::SubFOp>(l, args[0], args[1]);
          case BinaryOp::Mul: return b.create<arith::MulFOp>(l, args[0], args[1]);
          default: return b.create<arith::DivFOp>(l, args[0], args[1]);
          }
        });
  }
  case Expr::Kind::Slice: {
    auto operand = emit(*expr.operands[0]);
    if (failed(operand))
      return failure();
    return emitSlice(at, expr, *operand);
  }
  case Expr::Kind::Call: {
    auto results = emitCall(expr, 1);
    if (failed(results))
      return failure();
    return (*results)[0];
  }
  }
  return failure();
}

//===----------------------------------------------------------------------===//
// Builtin calls
//===----------------------------------------------------------------------===//

FailureOr<Values> Emitter::emitCall(const Expr &call, unsigned numResults) {
  static constexpr EmitFn Emitter::*emitters[] = {
#define BUILTIN(Id, Name, Check, Emit, ...) &Emitter::emit##Emit,
#include "frontend/Builtins.def"
  };
  auto args = emitAll(llvm::to_vector(llvm::map_range(
      call.operands,
      [](const ExprPtr &operand) -> const Expr * { return operand.get(); })));
  if (failed(args))
    return failure();
  if (call.info->layer)
    return emitLayerCall(call, *args, numResults);
  EmitFn Emitter::*emitFn =
      emitters[static_cast<size_t>(call.info->builtin->id)];
  return (this->*emitFn)(call, *args, numResults);
}

FailureOr<SmallVector<Value>> Emitter::emitAll(ArrayRef<const Expr *> exprs) {
  SmallVector<Value> emitted;
  for (const Expr *expr : exprs) {
    auto value = emit(*expr);
    if (failed(value))
      return failure();
    emitted.push_back(*value);
  }
  return emitted;
}

FailureOr<Values>
Emitter::emitUnary(const Expr &call, Args args,
                   function_ref<Value(OpBuilder &, Location, Value)> fn) {
  return Values{emitElementwise(
      loc(call.loc), call.type, {Operand{args[0]}},
      [&](OpBuilder &b, Location l, ValueRange v) { return fn(b, l, v[0]); })};
}

template <typename OpT>
FailureOr<Values> Emitter::emitMathOp(const Expr &call, Args args) {
  return emitUnary(call, args, [](OpBuilder &b, Location l, Value x) -> Value {
    return b.create<OpT>(l, x);
  });
}

FailureOr<Values> Emitter::emitTanh(const Expr &call, Args args, unsigned) {
  return emitMathOp<math::TanhOp>(call, args);
}

FailureOr<Values> Emitter::emitExp(const Expr &call, Args args, unsigned) {
  return emitMathOp<math::ExpOp>(call, args);
}

FailureOr<Values> Emitter::emitSqrt(const Expr &call, Args args, unsigned) {
  return emitMathOp<math::SqrtOp>(call, args);
}

FailureOr<Values> Emitter::emitRsqrt(const Expr &call, Args args, unsigned) {
  return emitMathOp<math::RsqrtOp>(call, args);
}

FailureOr<Values> Emitter::emitLog(const Expr &call, Args args, unsigned) {
  return emitUnary(call, args, [](OpBuilder &b, Location l, Value x) -> Value {
    // The polynomial approximation of math.log (attn-math-approx) takes
    // subnormals for FLT_MIN: scale them into the normal range first,
    // log(x) = log(x * 2^23) - 23 log(2).
    auto constant = [&](double value) -> Value {
      return b.create<arith::ConstantOp>(l, b.getF32FloatAttr(value));
    };
    Value tiny = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OLT, x,
                                         constant(0x1p-126));
    Value scaled = b.create<arith::SelectOp>(
        l, tiny, b.create<arith::MulFOp>(l, x, constant(0x1p23)), x);
    Value log = b.create<math::LogOp>(l, scaled);
    return b.create<arith::SelectOp>(
        l, tiny, b.create<arith::SubFOp>(l, log, constant(23 * M_LN2)), log);
  });
}

FailureOr<Values> Emitter::emitErf(const Expr &call, Args args, unsigned) {
  return emitMathOp<math::ErfOp>(call, args);
}

FailureOr<Values> Emitter::emitRelu(const Expr &call, Args args, unsigned) {
  return emitUnary(call, args, [](OpBuilder &b, Location l, Value x) -> Value {
    Value zero = b.create<arith::ConstantOp>(l, b.getF32FloatAttr(0));
    return b.create<arith::MaximumFOp>(l, x, zero);
  });
}

FailureOr<Values> Emitter::emitSigmoid(const Expr &call, Args args, unsigned) {
  return emitUnary(call, args, [](OpBuilder &b, Location l, Value x) -> Value {
    // 1 / (1 + exp(-x))
    Value one = b.create<arith::ConstantOp>(l, b.getF32FloatAttr(1));
    Value negated = b.create<arith::NegFOp>(l, x);
    Value denominator =
        b.create<arith::AddFOp>(l, one, b.create<math::ExpOp>(l, negated));
    return b.create<arith::DivFOp>(l, one, denominator);
  });
}

FailureOr<Values> Emitter::emitTranspose(const Expr &call, Args args,
                                         unsigned) {
  return Values{emitSwapLastAxes(loc(call.loc), args[0], call.type)};
}

OwningOpRef<ModuleOp> attnc::emitModule(MLIRContext &context,
                                        const ModelDecl &model,
                                        const Source &source) {
  loadFrontendDialects(context);
  return Generator(context, model, source).run();
}

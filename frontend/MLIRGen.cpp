//===- MLIRGen.cpp - From a checked .attn model to MLIR -------------------===//

#include "frontend/MLIRGen.h"

#include "frontend/InterfaceAttrs.h"
#include "frontend/Sema.h"
#include "dialect/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"

#include <limits>

using namespace attnc;
using namespace mlir;

void attnc::loadFrontendDialects(MLIRContext &context) {
  context.loadDialect<attn::AttnDialect, arith::ArithDialect,
                      bufferization::BufferizationDialect, func::FuncDialect,
                      linalg::LinalgDialect, math::MathDialect,
                      tensor::TensorDialect>();
}

namespace {

/// One operand of an elementwise operation: a tensor, suffix-aligned with
/// the result, or a number.
struct Operand {
  Value tensor;
  double number = 0;
};

class Generator {
public:
  Generator(MLIRContext &context, const ModelDecl &model, const Source &source)
      : model(model), source(source), builder(&context) {}

  OwningOpRef<ModuleOp> run();

private:
  Location loc(SourceLoc at) const { return source.loc(at); }
  RankedTensorType tensorType(const attnc::Type &type);

  LogicalResult emitFn(const FnDecl &fn);
  FailureOr<SmallVector<Value, 2>> emitCall(const Expr &call,
                                            unsigned numResults);
  FailureOr<Value> emit(const Expr &expr);

  Value empty(Location at, const attnc::Type &type);
  Value zeros(Location at, const attnc::Type &type);
  Value emitElementwise(Location at, const attnc::Type &type,
                        ArrayRef<Operand> operands,
                        function_ref<Value(OpBuilder &, Location, ValueRange)>
                            body);
  Value emitMatMul(Location at, const Expr &expr, Value a, Value b);
  Value emitTranspose(Location at, Value input, const attnc::Type &resultType);
  struct MaskOperands {
    attn::MaskKind kind = attn::MaskKind::none;
    IntegerAttr window;
    Value lengths, positions;
    bool gaussian = false;
  };
  FailureOr<MaskOperands> emitMask(const Expr *mask);

  // Builtins of seq2seq models.
  FailureOr<SmallVector<Value, 2>>
  emitSeq2SeqCall(const Expr &call, ArrayRef<Value> args, unsigned numResults);
  Value emitEmbed(Location at, const Expr &call, Value table, Value ids);
  Value emitLinear(Location at, const Expr &call, ArrayRef<Value> args);
  Value emitConcat(Location at, const Expr &call, ArrayRef<Value> args);
  Value emitLogSoftmax(Location at, const Expr &call, Value x);
  Value emitArgmax(Location at, const Expr &call, Value x);
  FailureOr<SmallVector<Value, 2>> emitRecurrent(Location at, const Expr &call,
                                                 ArrayRef<Value> args,
                                                 unsigned numResults);
  /// A reduction over the last axis of inputs[0] into `inits` (one value
  /// per row); other inputs are either full-rank or per row.
  SmallVector<Value> reduceLastAxis(
      Location at, ValueRange inputs, ValueRange inits,
      function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
          body);
  /// `source` written into `dest` at `offsets`, with all of its sizes.
  Value insertAt(Location at, Value source, Value dest,
                 ArrayRef<OpFoldResult> offsets);

  const ModelDecl &model;
  const Source &source;
  OpBuilder builder;
  llvm::StringMap<Value> values;   // names visible in the current fn
  llvm::DenseMap<int, Value> dims; // run-time dims of the current fn (index)
};

RankedTensorType Generator::tensorType(const attnc::Type &type) {
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

  // Params and inputs are read-only; outputs are written in place.
  unsigned numParams = model.params.size(), numInputs = fn.inputs.size();
  for (unsigned i = 0; i < argTypes.size(); ++i)
    func.setArgAttr(i, "bufferization.writable",
                    builder.getBoolAttr(i >= numParams + numInputs));

  for (auto [index, param] : llvm::enumerate(model.params))
    values[param.name] = entry->getArgument(index);
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

  SmallVector<Value> returned;
  for (auto [output, destination] : llvm::zip(fn.outputs, destinations)) {
    Value value = outputs.lookup(output.name);
    Location at = loc(output.loc);
    if (value.getType() != destination.getType())
      value = builder.create<tensor::CastOp>(at, destination.getType(), value);
    returned.push_back(
        builder
            .create<bufferization::MaterializeInDestinationOp>(at, value,
                                                                destination)
            .getResult());
  }
  builder.create<func::ReturnOp>(loc(fn.end), returned);
  return success();
}

Value Generator::empty(Location at, const attnc::Type &type) {
  SmallVector<Value> dynamicSizes;
  for (const Dim &dim : type.shape)
    if (dim.isVar())
      dynamicSizes.push_back(dims.lookup(dim.dimVar));
  return builder.create<tensor::EmptyOp>(at, tensorType(type).getShape(),
                                         tensorType(type).getElementType(),
                                         dynamicSizes);
}

Value Generator::zeros(Location at, const attnc::Type &type) {
  auto elem = tensorType(type).getElementType();
  Value zero = builder.create<arith::ConstantOp>(
      at, cast<TypedAttr>(builder.getZeroAttr(elem)));
  return builder.create<linalg::FillOp>(at, zero, empty(at, type))
      .getResult(0);
}

Value Generator::emitElementwise(
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
    // Suffix-aligned broadcast: operand dim i is result dim rank-r+i.
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < operandRank; ++i)
      exprs.push_back(builder.getAffineDimExpr(rank - operandRank + i));
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

Value Generator::emitMatMul(Location at, const Expr &expr, Value a, Value b) {
  Value init = zeros(at, expr.type);
  mlir::Type resultType = tensorType(expr.type);
  unsigned rankA = cast<RankedTensorType>(a.getType()).getRank();
  unsigned rankB = cast<RankedTensorType>(b.getType()).getRank();
  // An array, not `ValueRange inputs{a, b}`: a ValueRange would point into
  // an initializer_list that dies at the end of its statement.
  Value inputs[] = {a, b};
  if (rankA == 2 && rankB == 2)
    return builder.create<linalg::MatmulOp>(at, resultType, inputs, init)
        .getResult(0);
  if (rankA == 1)
    return builder.create<linalg::VecmatOp>(at, resultType, inputs, init)
        .getResult(0);
  if (rankB == 1)
    return builder.create<linalg::MatvecOp>(at, resultType, inputs, init)
        .getResult(0);
  return builder.create<linalg::BatchMatmulOp>(at, resultType, inputs, init)
      .getResult(0);
}

Value Generator::emitTranspose(Location at, Value input,
                               const attnc::Type &resultType) {
  unsigned rank = resultType.rank();
  SmallVector<int64_t> permutation = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(permutation[rank - 1], permutation[rank - 2]);
  return builder
      .create<linalg::TransposeOp>(at, input, empty(at, resultType),
                                   permutation)
      .getResult()[0];
}

FailureOr<Value> Generator::emit(const Expr &expr) {
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
    return emitTranspose(at, *operand, expr.type);
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
  case Expr::Kind::Call: {
    auto results = emitCall(expr, 1);
    if (failed(results))
      return failure();
    return (*results)[0];
  }
  }
  return failure();
}

FailureOr<Generator::MaskOperands> Generator::emitMask(const Expr *mask) {
  MaskOperands operands;
  if (!mask)
    return operands;
  MaskSpec spec = decodeMask(*mask);
  if (spec.causal)
    operands.kind = operands.kind | attn::MaskKind::causal;
  if (spec.lengths) {
    operands.kind = operands.kind | attn::MaskKind::padding;
    auto lengths = emit(*spec.lengths);
    if (failed(lengths))
      return failure();
    operands.lengths = *lengths;
  }
  if (spec.window) {
    operands.kind = operands.kind | attn::MaskKind::window;
    operands.window = builder.getI64IntegerAttr(*spec.window);
    operands.gaussian = spec.gaussian;
    if (spec.center) {
      auto center = emit(*spec.center);
      if (failed(center))
        return failure();
      operands.positions = *center;
    }
  }
  return operands;
}

FailureOr<SmallVector<Value, 2>> Generator::emitCall(const Expr &call,
                                                     unsigned numResults) {
  Location at = loc(call.loc);
  llvm::StringRef name = call.name;
  SmallVector<Value> args;
  for (const ExprPtr &operand : call.operands) {
    if (name == "padding" || name == "window" || name == "local")
      break;
    auto value = emit(*operand);
    if (failed(value))
      return failure();
    args.push_back(*value);
  }
  auto keywordValue = [&](llvm::StringRef key) -> FailureOr<Value> {
    const KeywordArg *arg = call.keyword(key);
    if (!arg)
      return Value();
    return emit(*arg->value);
  };
  auto scaleAttr = [&]() -> FloatAttr {
    const KeywordArg *arg = call.keyword("scale");
    if (!arg)
      return nullptr;
    return builder.getF32FloatAttr(*evalConstant(*arg->value));
  };
  const KeywordArg *maskArg = call.keyword("mask");

  if (name.consume_front("score.") || name == "attention") {
    auto w = keywordValue("W"), u = keywordValue("U"), v = keywordValue("v");
    if (failed(w) || failed(u) || failed(v))
      return failure();
    if (call.name != "attention") {
      attn::ScoreKind kind = *attn::symbolizeScoreKind(name);
      Value scores = builder.create<attn::ScoreOp>(at, kind, args[0], args[1],
                                                   *w, *u, *v, scaleAttr());
      if (scores.getType() != tensorType(call.type))
        scores = builder.create<tensor::CastOp>(at, tensorType(call.type),
                                                scores);
      return SmallVector<Value, 2>{scores};
    }
    llvm::StringRef kindName = "scaled_dot";
    if (const KeywordArg *score = call.keyword("score"))
      kindName = score->value->name;
    int64_t heads = 1;
    if (const KeywordArg *arg = call.keyword("heads"))
      heads = static_cast<int64_t>(*evalConstant(*arg->value));
    auto mask = emitMask(maskArg ? maskArg->value.get() : nullptr);
    if (failed(mask))
      return failure();
    // The weights type: Sema's scores with a head axis for several heads.
    mlir::Type weightsType;
    if (numResults == 2) {
      auto outputType = tensorType(call.type);
      auto keysType = cast<RankedTensorType>(args[1].getType());
      SmallVector<int64_t> shape(outputType.getShape().drop_back());
      bool single = outputType.getRank() == keysType.getRank() - 1;
      shape.push_back(keysType.getDimSize(keysType.getRank() - 2));
      if (heads > 1)
        shape.insert(shape.end() - (single ? 1 : 2), heads);
      weightsType = RankedTensorType::get(shape, builder.getF32Type());
    }
    auto op = builder.create<attn::AttentionOp>(
        at, tensorType(call.type), weightsType, args[0], args[1], args[2],
        *attn::symbolizeScoreKind(kindName), *w, *u, *v, scaleAttr(),
        static_cast<uint64_t>(heads), mask->kind, mask->window, mask->lengths,
        mask->positions, mask->gaussian);
    SmallVector<Value, 2> results{op.getOutput()};
    if (numResults == 2)
      results.push_back(op.getWeights());
    return results;
  }
  if (name == "softmax") {
    auto mask = emitMask(maskArg ? maskArg->value.get() : nullptr);
    if (failed(mask))
      return failure();
    Value weights = builder.create<attn::SoftmaxOp>(
        at, args[0].getType(), args[0], mask->kind, mask->window,
        mask->lengths, mask->positions, mask->gaussian);
    return SmallVector<Value, 2>{weights};
  }
  if (name == "context") {
    Value context = builder.create<attn::ContextOp>(at, args[0], args[1]);
    if (context.getType() != tensorType(call.type))
      context = builder.create<tensor::CastOp>(at, tensorType(call.type),
                                               context);
    return SmallVector<Value, 2>{context};
  }
  if (name == "transpose")
    return SmallVector<Value, 2>{emitTranspose(at, args[0], call.type)};
  // Sema records every result type of the seq2seq builtins, and only theirs.
  if (!call.results.empty())
    return emitSeq2SeqCall(call, args, numResults);

  // Elementwise math builtins.
  auto unary = [&](function_ref<Value(OpBuilder &, Location, Value)> fn) {
    return SmallVector<Value, 2>{emitElementwise(
        at, call.type, {Operand{args[0]}},
        [&](OpBuilder &b, Location l, ValueRange x) { return fn(b, l, x[0]); })};
  };
  if (name == "tanh")
    return unary([](OpBuilder &b, Location l, Value x) -> Value {
      return b.create<math::TanhOp>(l, x);
    });
  if (name == "exp")
    return unary([](OpBuilder &b, Location l, Value x) -> Value {
      return b.create<math::ExpOp>(l, x);
    });
  if (name == "relu")
    return unary([](OpBuilder &b, Location l, Value x) -> Value {
      Value zero = b.create<arith::ConstantOp>(l, b.getF32FloatAttr(0));
      return b.create<arith::MaximumFOp>(l, x, zero);
    });
  if (name == "sigmoid")
    return unary([](OpBuilder &b, Location l, Value x) -> Value {
      // 1 / (1 + exp(-x))
      Value one = b.create<arith::ConstantOp>(l, b.getF32FloatAttr(1));
      Value negated = b.create<arith::NegFOp>(l, x);
      Value denominator = b.create<arith::AddFOp>(
          l, one, b.create<math::ExpOp>(l, negated));
      return b.create<arith::DivFOp>(l, one, denominator);
    });
  source.error(call.loc) << "internal error: no code generation for '"
                         << call.name << "'";
  return failure();
}

//===----------------------------------------------------------------------===//
// Builtins of seq2seq models
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value, 2>>
Generator::emitSeq2SeqCall(const Expr &call, ArrayRef<Value> args,
                           unsigned numResults) {
  Location at = loc(call.loc);
  llvm::StringRef name = call.name;
  Value result;
  if (name == "embed")
    result = emitEmbed(at, call, args[0], args[1]);
  else if (name == "linear")
    result = emitLinear(at, call, args);
  else if (name == "concat")
    result = emitConcat(at, call, args);
  else if (name == "flatten")
    result = builder.create<tensor::CollapseShapeOp>(
        at, tensorType(call.type), args[0],
        ArrayRef<ReassociationIndices>{llvm::to_vector(llvm::seq<int64_t>(
            0, cast<RankedTensorType>(args[0].getType()).getRank()))});
  else if (name == "log_softmax")
    result = emitLogSoftmax(at, call, args[0]);
  else if (name == "argmax")
    result = emitArgmax(at, call, args[0]);
  else
    return emitRecurrent(at, call, args, numResults);
  return SmallVector<Value, 2>{result};
}

Value Generator::insertAt(Location at, Value source, Value dest,
                          ArrayRef<OpFoldResult> offsets) {
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(builder, at, source);
  auto destType = cast<RankedTensorType>(dest.getType());
  // A source of lower rank fills the trailing axes (a row of a matrix).
  while (sizes.size() < size_t(destType.getRank()))
    sizes.insert(sizes.begin(), builder.getIndexAttr(1));
  SmallVector<OpFoldResult> strides(sizes.size(), builder.getIndexAttr(1));
  return builder.create<tensor::InsertSliceOp>(at, source, dest, offsets,
                                               sizes, strides);
}

/// One generic over the ids and the embedding axis reads table[id, e].
Value Generator::emitEmbed(Location at, const Expr &call, Value table,
                           Value ids) {
  unsigned loops = call.type.rank();
  MLIRContext *ctx = builder.getContext();
  SmallVector<AffineExpr> idExprs;
  for (unsigned i = 0; i + 1 < loops; ++i)
    idExprs.push_back(builder.getAffineDimExpr(i));
  SmallVector<AffineMap> maps{AffineMap::get(loops, 0, idExprs, ctx),
                              builder.getMultiDimIdentityMap(loops)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  return builder
      .create<linalg::GenericOp>(
          at, TypeRange{tensorType(call.type)}, ValueRange{ids},
          ValueRange{empty(at, call.type)}, maps, iterators,
          [&](OpBuilder &b, Location l, ValueRange args) {
            // The ids were checked against the table before the call.
            Value row = b.create<arith::IndexCastOp>(l, b.getIndexType(),
                                                     args[0]);
            Value column = b.create<linalg::IndexOp>(l, loops - 1);
            Value value = b.create<tensor::ExtractOp>(
                l, table, ValueRange{row, column});
            b.create<linalg::YieldOp>(l, value);
          })
      .getResult(0);
}

/// x W^T + b: a matvec for one input row, matmul_transpose_b for several.
Value Generator::emitLinear(Location at, const Expr &call,
                            ArrayRef<Value> args) {
  Value x = args[0], weight = args[1];
  Value init = zeros(at, call.type);
  mlir::Type type = tensorType(call.type);
  Value product =
      call.type.rank() == 1
          ? builder.create<linalg::MatvecOp>(at, type, ValueRange{weight, x},
                                             init)
                .getResult(0)
          : builder
                .create<linalg::MatmulTransposeBOp>(at, type,
                                                    ValueRange{x, weight}, init)
                .getResult(0);
  if (args.size() < 3)
    return product;
  return emitElementwise(at, call.type, {Operand{product}, Operand{args[2]}},
                         [](OpBuilder &b, Location l, ValueRange v) -> Value {
                           return b.create<arith::AddFOp>(l, v[0], v[1]);
                         });
}

Value Generator::emitConcat(Location at, const Expr &call,
                            ArrayRef<Value> args) {
  Value result = empty(at, call.type);
  unsigned rank = call.type.rank();
  int64_t offset = 0;
  for (Value part : args) {
    SmallVector<OpFoldResult> offsets(rank, builder.getIndexAttr(0));
    offsets.back() = builder.getIndexAttr(offset);
    result = insertAt(at, part, result, offsets);
    offset += cast<RankedTensorType>(part.getType()).getShape().back();
  }
  return result;
}

SmallVector<Value> Generator::reduceLastAxis(
    Location at, ValueRange inputs, ValueRange inits,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  unsigned loops = cast<RankedTensorType>(inputs[0].getType()).getRank();
  MLIRContext *ctx = builder.getContext();
  SmallVector<AffineExpr> rowExprs;
  for (unsigned i = 0; i + 1 < loops; ++i)
    rowExprs.push_back(builder.getAffineDimExpr(i));
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(cast<RankedTensorType>(input.getType()).getRank() == loops
                       ? builder.getMultiDimIdentityMap(loops)
                       : AffineMap::get(loops, 0, rowExprs, ctx));
  maps.append(inits.size(), AffineMap::get(loops, 0, rowExprs, ctx));
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  auto generic = builder.create<linalg::GenericOp>(
      at, inits.getTypes(), inputs, inits, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        b.create<linalg::YieldOp>(l, body(b, l, args));
      });
  return SmallVector<Value>(generic.getResults());
}

/// x - max - log(sum(exp(x - max))) per row, as torch.log_softmax.
Value Generator::emitLogSoftmax(Location at, const Expr &call, Value x) {
  attnc::Type rowType = call.type;
  rowType.shape.pop_back();
  auto constant = [&](float value) -> Value {
    return builder.create<arith::ConstantOp>(at, builder.getF32FloatAttr(value));
  };
  auto filled = [&](float value) {
    return builder
        .create<linalg::FillOp>(at, constant(value), empty(at, rowType))
        .getResult(0);
  };
  auto reassoc = arith::FastMathFlagsAttr::get(builder.getContext(),
                                               arith::FastMathFlags::reassoc);
  Value max = reduceLastAxis(
      at, x, filled(-std::numeric_limits<float>::infinity()),
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        return {b.create<arith::MaximumFOp>(l, a[0], a[1])};
      })[0];
  Value sum = reduceLastAxis(
      at, {x, max}, filled(0),
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        Value shifted = b.create<arith::SubFOp>(l, a[0], a[1]);
        Value term = b.create<math::ExpOp>(l, shifted);
        return {b.create<arith::AddFOp>(l, a[2], term, reassoc)};
      })[0];
  // max and sum are per row: broadcast them along the last axis.
  unsigned rank = call.type.rank();
  SmallVector<AffineExpr> rowExprs;
  for (unsigned i = 0; i + 1 < rank; ++i)
    rowExprs.push_back(builder.getAffineDimExpr(i));
  AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, builder.getContext());
  AffineMap id = builder.getMultiDimIdentityMap(rank);
  return builder
      .create<linalg::GenericOp>(
          at, TypeRange{tensorType(call.type)}, ValueRange{x, max, sum},
          ValueRange{empty(at, call.type)},
          SmallVector<AffineMap>{id, rowMap, rowMap, id},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &b, Location l, ValueRange a) {
            Value shifted = b.create<arith::SubFOp>(l, a[0], a[1]);
            Value logSum = b.create<math::LogOp>(l, a[2]);
            b.create<linalg::YieldOp>(
                l, ValueRange{b.create<arith::SubFOp>(l, shifted, logSum)});
          })
      .getResult(0);
}

/// The index of the largest value per row; the first one on ties, as
/// torch.argmax.
Value Generator::emitArgmax(Location at, const Expr &call, Value x) {
  attnc::Type valueType = call.type;
  valueType.elem = ElemType::F32;
  Value lowest = builder.create<arith::ConstantOp>(
      at, builder.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Value best =
      builder.create<linalg::FillOp>(at, lowest, empty(at, valueType))
          .getResult(0);
  unsigned axis = cast<RankedTensorType>(x.getType()).getRank() - 1;
  return reduceLastAxis(
      at, x, {best, zeros(at, call.type)},
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        Value index = b.create<arith::IndexCastOp>(
            l, b.getI32Type(), b.create<linalg::IndexOp>(l, axis));
        Value greater =
            b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], a[1]);
        return {b.create<arith::SelectOp>(l, greater, a[0], a[1]),
                b.create<arith::SelectOp>(l, greater, index, a[2])};
      })[1];
}

/// gru / lstm (one attn op per direction) and gru_cell / lstm_cell.
FailureOr<SmallVector<Value, 2>>
Generator::emitRecurrent(Location at, const Expr &call, ArrayRef<Value> args,
                         unsigned numResults) {
  llvm::StringRef name = call.name;
  bool lstm = name.starts_with("lstm");
  bool cell = name.ends_with("_cell");
  unsigned numStates = lstm ? 2 : 1;
  auto weightsOf = [&](llvm::StringRef suffix)
      -> FailureOr<SmallVector<Value>> {
    SmallVector<Value> weights;
    for (llvm::StringRef key :
         {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
      const KeywordArg *arg = call.keyword((key + suffix).str());
      if (!arg)
        continue;
      auto value = emit(*arg->value);
      if (failed(value))
        return failure();
      weights.push_back(*value);
    }
    return weights;
  };
  auto forward = weightsOf("");
  if (failed(forward))
    return failure();

  if (cell) {
    ValueRange biases = ArrayRef<Value>(*forward).drop_front(2);
    if (!lstm)
      return SmallVector<Value, 2>{builder.create<attn::GruCellOp>(
          at, args[1].getType(), args[0], args[1], (*forward)[0],
          (*forward)[1], biases)};
    auto op = builder.create<attn::LstmCellOp>(
        at, args[1].getType(), args[1].getType(), args[0], args[1], args[2],
        (*forward)[0], (*forward)[1], biases);
    return SmallVector<Value, 2>{op.getNextState(), op.getNextCell()};
  }

  llvm::StringRef direction = "forward";
  if (const KeywordArg *arg = call.keyword("direction"))
    direction = arg->value->name;
  // Initial states: given, or zeros. Sema records every result's type, also
  // of results not bound: [1] is the final state's, [H] or [2, H].
  const attnc::Type &stateType = call.results[1];
  SmallVector<Value> states(args.begin() + 1, args.end());
  while (states.size() < numStates)
    states.push_back(zeros(at, stateType));

  Value input = args[0];
  auto inputType = cast<RankedTensorType>(input.getType());
  // One direction: the outputs [S, H] and the final states [H].
  auto layer = [&](ArrayRef<Value> weights, ArrayRef<Value> initial,
                   bool reverse) -> SmallVector<Value> {
    auto hType = cast<RankedTensorType>(initial[0].getType());
    auto outputsType = RankedTensorType::get(
        {inputType.getDimSize(0), hType.getDimSize(0)}, hType.getElementType());
    ValueRange biases = weights.drop_front(2);
    if (!lstm) {
      auto op = builder.create<attn::GruOp>(at, outputsType, hType, input,
                                            initial[0], weights[0], weights[1],
                                            biases, reverse);
      return {op.getOutputs(), op.getFinalState()};
    }
    auto op = builder.create<attn::LstmOp>(
        at, outputsType, hType, hType, input, initial[0], initial[1],
        weights[0], weights[1], biases, reverse);
    return {op.getOutputs(), op.getFinalState(), op.getFinalCell()};
  };

  SmallVector<Value, 2> results;
  if (direction != "bidirectional") {
    results.append(layer(*forward, states, direction == "reverse"));
  } else {
    auto backward = weightsOf("_reverse");
    if (failed(backward))
      return failure();
    // States are [2, H]: row 0 runs forward, row 1 backward (PyTorch's h_n).
    int64_t hidden = stateType.shape[1].size;
    auto rowType = RankedTensorType::get({hidden}, builder.getF32Type());
    auto rows = [&](int64_t row) {
      SmallVector<Value> initial;
      for (Value state : states)
        initial.push_back(builder.create<tensor::ExtractSliceOp>(
            at, rowType, state,
            ArrayRef<OpFoldResult>{builder.getIndexAttr(row),
                                   builder.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{builder.getIndexAttr(1),
                                   builder.getIndexAttr(hidden)},
            ArrayRef<OpFoldResult>{builder.getIndexAttr(1),
                                   builder.getIndexAttr(1)}));
      return initial;
    };
    SmallVector<Value> ahead = layer(*forward, rows(0), false);
    SmallVector<Value> behind = layer(*backward, rows(1), true);
    // Outputs side by side [S, 2H]; final states stacked [2, H].
    OpFoldResult zero = builder.getIndexAttr(0);
    Value outputs = empty(at, call.results[0]);
    outputs = insertAt(at, ahead[0], outputs, {zero, zero});
    outputs = insertAt(at, behind[0], outputs,
                       {zero, builder.getIndexAttr(hidden)});
    results.push_back(outputs);
    for (unsigned i = 1; i <= numStates; ++i) {
      Value stacked = empty(at, stateType);
      stacked = insertAt(at, ahead[i], stacked, {zero, zero});
      stacked = insertAt(at, behind[i], stacked,
                         {builder.getIndexAttr(1), zero});
      results.push_back(stacked);
    }
  }
  results.resize(numResults);
  return results;
}

} // namespace

OwningOpRef<ModuleOp> attnc::emitModule(MLIRContext &context,
                                        const ModelDecl &model,
                                        const Source &source) {
  loadFrontendDialects(context);
  return Generator(context, model, source).run();
}

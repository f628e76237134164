//===- MLIRGenAttention.cpp - score, softmax, context and attention -------===//
//
// The attention builtins become the attn ops of the same names, with the
// score kind, mask, heads and scale Sema decided (CallInfo).
//
//===----------------------------------------------------------------------===//

#include "frontend/Emitter.h"

#include "dialect/AttnOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace attnc;
using namespace attnc::gen;
using namespace mlir;

FailureOr<Emitter::MaskOperands> Emitter::emitMask(const MaskInfo &mask) {
  MaskOperands operands;
  operands.kind = mask.kind;
  operands.gaussian = mask.gaussian;
  if (attn::bitEnumContainsAny(mask.kind, attn::MaskKind::window))
    operands.window = builder.getI64IntegerAttr(mask.window);
  if (mask.lengths) {
    auto lengths = emit(*mask.lengths);
    if (failed(lengths))
      return failure();
    operands.lengths = *lengths;
  }
  if (mask.centers) {
    auto centers = emit(*mask.centers);
    if (failed(centers))
      return failure();
    operands.positions = *centers;
  }
  return operands;
}

FailureOr<SmallVector<Value, 3>>
Emitter::emitScoreParams(const CallInfo &info) {
  SmallVector<Value, 3> params;
  for (const Expr *param : {info.w, info.u, info.v}) {
    if (!param) {
      params.push_back(Value());
      continue;
    }
    auto value = emit(*param);
    if (failed(value))
      return failure();
    params.push_back(*value);
  }
  return params;
}

FloatAttr Emitter::scaleAttr(const CallInfo &info) {
  return info.scale ? builder.getF32FloatAttr(*info.scale) : FloatAttr();
}

FailureOr<Values> Emitter::emitScore(const Expr &call, Args args, unsigned) {
  Location at = loc(call.loc);
  const CallInfo &info = *call.info;
  auto params = emitScoreParams(info);
  if (failed(params))
    return failure();
  Value scores = builder.create<attn::ScoreOp>(at, info.score, args[0], args[1],
                                               (*params)[0], (*params)[1],
                                               (*params)[2], scaleAttr(info));
  if (scores.getType() != tensorType(call.type))
    scores = builder.create<tensor::CastOp>(at, tensorType(call.type), scores);
  return Values{scores};
}

FailureOr<Values> Emitter::emitSoftmax(const Expr &call, Args args, unsigned) {
  auto mask = emitMask(call.info->mask);
  if (failed(mask))
    return failure();
  Value weights = builder.create<attn::SoftmaxOp>(
      loc(call.loc), args[0].getType(), args[0], mask->kind, mask->window,
      mask->lengths, mask->positions, mask->gaussian);
  return Values{weights};
}

FailureOr<Values> Emitter::emitContext(const Expr &call, Args args, unsigned) {
  Location at = loc(call.loc);
  Value context = builder.create<attn::ContextOp>(at, args[0], args[1]);
  if (context.getType() != tensorType(call.type))
    context =
        builder.create<tensor::CastOp>(at, tensorType(call.type), context);
  return Values{context};
}

FailureOr<Values> Emitter::emitAttention(const Expr &call, Args args,
                                         unsigned numResults) {
  const CallInfo &info = *call.info;
  auto params = emitScoreParams(info);
  if (failed(params))
    return failure();
  auto mask = emitMask(info.mask);
  if (failed(mask))
    return failure();
  // The weights are a result only when a name is bound to them.
  mlir::Type weightsType =
      numResults == 2 ? tensorType(info.results[1]) : mlir::Type();
  auto op = builder.create<attn::AttentionOp>(
      loc(call.loc), tensorType(info.results[0]), weightsType, args[0], args[1],
      args[2], info.score, (*params)[0], (*params)[1], (*params)[2],
      scaleAttr(info), static_cast<uint64_t>(info.heads), mask->kind,
      mask->window, mask->lengths, mask->positions, mask->gaussian);
  Values results{op.getOutput()};
  if (numResults == 2)
    results.push_back(op.getWeights());
  return results;
}

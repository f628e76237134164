//===- SemaTransformer.cpp - Checks of the builtins of transformer layers -===//
//
// gelu, the reductions, chunk, layer_norm and multihead_attention: what an
// nn.TransformerEncoderLayer or nn.TransformerDecoderLayer is made of, with
// PyTorch's names, argument order and weight layouts.
//
//===----------------------------------------------------------------------===//

#include "frontend/Checker.h"

using namespace attnc;
using namespace attnc::sema;
using mlir::failure;
using mlir::success;

std::optional<llvm::StringRef>
Checker::bareWord(const Expr &value, llvm::ArrayRef<llvm::StringRef> words,
                  llvm::StringRef what) {
  if (value.kind == Expr::Kind::Name && llvm::is_contained(words, value.name))
    return llvm::StringRef(value.name);
  mlir::InFlightDiagnostic diag = error(value.loc);
  diag << what << " must be ";
  for (auto [i, word] : llvm::enumerate(words))
    diag << (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") << word;
  return std::nullopt;
}

std::optional<int64_t> Checker::checkAxis(Expr &dim, const Type &type) {
  std::optional<int64_t> axis = constantInt(
      dim, "the axis", -std::numeric_limits<int32_t>::max());
  if (!axis)
    return std::nullopt;
  if (*axis < -type.rank() || *axis >= type.rank()) {
    error(dim.loc) << "axis " << *axis << " is out of range for "
                   << str(type) << " (" << -type.rank() << " to "
                   << type.rank() - 1 << ")";
    return std::nullopt;
  }
  return *axis < 0 ? *axis + type.rank() : *axis;
}

/// gelu(x [, approximate = none | tanh]), as F.gelu.
LogicalResult Checker::checkGelu(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  if (failed(checkSignature(call, 1, {"approximate"}, ok)))
    return failure();
  if (const KeywordArg *arg = call.keyword("approximate")) {
    auto word = bareWord(*arg->value, {"none", "tanh"}, "approximate");
    ok &= word.has_value();
    info.tanhApproximation = word && *word == "tanh";
  }
  std::optional<Type> x = check(*call.operands[0]);
  if (x && x->elem != ElemType::F32) {
    error(call.loc) << "gelu needs an f32 operand, got " << str(*x);
    return failure();
  }
  if (!x)
    return failure();
  info.results = {*x};
  return success(ok);
}

/// sum, mean, max(x, dim [, keepdim = true | false]), as torch.sum(x, dim,
/// keepdim), torch.mean and torch.amax.
LogicalResult Checker::checkReduce(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  if (failed(checkSignature(call, 2, {"keepdim"}, ok)))
    return failure();
  if (const KeywordArg *arg = call.keyword("keepdim")) {
    auto word = bareWord(*arg->value, {"true", "false"}, "keepdim");
    ok &= word.has_value();
    info.keepdim = word && *word == "true";
  }
  std::optional<Type> x = check(*call.operands[0]);
  if (x && (x->elem != ElemType::F32 || x->isScalar())) {
    error(call.operands[0]->loc)
        << call.name << " needs an f32 value of rank 1 or more, got "
        << str(*x);
    return failure();
  }
  if (!x)
    return failure();
  std::optional<int64_t> axis = checkAxis(*call.operands[1], *x);
  if (!axis)
    return failure();
  info.axis = *axis;
  Type result = *x;
  if (info.keepdim)
    result.shape[*axis] = Dim::known(1);
  else
    result.shape.erase(result.shape.begin() + *axis);
  info.results = {result};
  return success(ok);
}

/// let a, b, c = chunk(x, 3 [, dim = 0]): equal parts, as torch.chunk when
/// the size divides.
LogicalResult Checker::checkChunk(Expr &call, CallInfo &info,
                                  unsigned numResults) {
  bool ok = true;
  if (failed(checkSignature(call, 2, {"dim"}, ok)))
    return failure();
  std::optional<Type> x = check(*call.operands[0]);
  std::optional<int64_t> parts =
      constantInt(*call.operands[1], "the number of chunks", 1);
  if (!x || !parts)
    return failure();
  if (x->isScalar()) {
    error(call.operands[0]->loc) << "chunk needs a value of rank 1 or more, got "
                                 << str(*x);
    return failure();
  }
  std::optional<int64_t> axis = 0;
  if (const KeywordArg *arg = call.keyword("dim"))
    axis = checkAxis(*arg->value, *x);
  if (!axis)
    return failure();
  Dim size = x->shape[*axis];
  if (size.isVar() || size.size % *parts != 0) {
    error(call.loc) << "chunk cannot split axis " << *axis << " of " << str(*x)
                    << " into " << *parts << " equal parts"
                    << (size.isVar() ? ": its size is only known at run time"
                                     : "");
    return failure();
  }
  if (numResults != static_cast<unsigned>(*parts)) {
    error(call.loc) << "chunk gives " << *parts << " values, but "
                    << numResults << (numResults == 1 ? " name is" : " names are")
                    << " bound";
    return failure();
  }
  info.axis = *axis;
  Type part = *x;
  part.shape[*axis] = Dim::known(size.size / *parts);
  info.results.assign(*parts, part);
  return success(ok);
}

/// layer_norm(x [, weight [, bias]] [, eps = 1e-5]) over the last axis, as
/// F.layer_norm(x, x.shape[-1:], weight, bias, eps).
LogicalResult Checker::checkLayerNorm(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  if (failed(checkSignature(call, 1, 3, {"eps"}, ok)))
    return failure();
  if (const KeywordArg *arg = call.keyword("eps")) {
    std::optional<double> eps = constantValue(*arg->value, "eps");
    if (eps && *eps < 0) {
      error(arg->value->loc) << "eps must be at least 0, got "
                             << formatNumber(*eps);
      eps.reset();
    }
    ok &= eps.has_value();
    info.eps = eps.value_or(info.eps);
  }
  std::optional<Type> x = check(*call.operands[0]);
  if (x && (x->elem != ElemType::F32 || x->isScalar())) {
    error(call.operands[0]->loc)
        << "layer_norm needs an f32 value of rank 1 or more, got " << str(*x);
    return failure();
  }
  static constexpr llvm::StringLiteral what[] = {"", "the weight of layer_norm",
                                                 "the bias of layer_norm"};
  for (size_t i = 1; i < call.operands.size(); ++i) {
    std::optional<Type> affine = checkF32(*call.operands[i], what[i], 1);
    if (affine && x && affine->shape[0] != x->shape.back()) {
      error(call.operands[i]->loc)
          << what[i] << " must be f32[" << dimStr(x->shape.back())
          << "], one per element of the last axis of " << str(*x) << ", got "
          << str(*affine);
      affine.reset();
    }
    ok &= affine.has_value();
  }
  if (!x)
    return failure();
  info.results = {*x};
  return success(ok);
}

/// multihead_attention(query, key, value, in_proj_weight = w, ...): the
/// forward of nn.MultiheadAttention(E, heads, batch_first=True) in eval,
/// with its parameters as stored in its state_dict.
LogicalResult Checker::checkMultiheadAttention(Expr &call, CallInfo &info,
                                               unsigned numResults) {
  bool ok = true;
  if (failed(checkSignature(call, 3,
                            {"in_proj_weight", "in_proj_bias",
                             "out_proj_weight", "out_proj_bias", "heads",
                             "mask"},
                            ok)))
    return failure();
  if (numResults > 2) {
    error(call.loc) << "multihead_attention gives its output and optionally "
                       "its weights, but "
                    << numResults << " names are bound";
    ok = false;
  }
  for (llvm::StringRef required :
       {"in_proj_weight", "out_proj_weight", "heads"})
    if (!call.keyword(required)) {
      error(call.loc) << "multihead_attention needs '" << required << " = ...'";
      ok = false;
    }
  if (!ok)
    return failure();
  std::optional<int64_t> heads =
      constantInt(*call.keyword("heads")->value, "'heads'", 1);
  std::optional<Type> inWeight = checkF32(
      *call.keyword("in_proj_weight")->value, "in_proj_weight", 2);
  std::optional<Type> outWeight = checkF32(
      *call.keyword("out_proj_weight")->value, "out_proj_weight", 2);
  if (!heads || !inWeight || !outWeight)
    return failure();
  // in_proj_weight is [3E, E]: the q, k and v projections stacked.
  Dim embed = inWeight->shape[1];
  if (inWeight->shape[0] != Dim::known(3 * embed.size)) {
    error(call.keyword("in_proj_weight")->value->loc)
        << "in_proj_weight must be f32[3 * E, E], the q, k and v projections "
           "stacked, got "
        << str(*inWeight);
    return failure();
  }
  if (outWeight->shape[0] != embed || outWeight->shape[1] != embed) {
    error(call.keyword("out_proj_weight")->value->loc)
        << "out_proj_weight must be f32[" << embed.size << ", " << embed.size
        << "] like the model width of in_proj_weight, got " << str(*outWeight);
    ok = false;
  }
  auto checkBias = [&](llvm::StringRef name, int64_t size) {
    const KeywordArg *arg = call.keyword(name);
    if (!arg)
      return;
    std::optional<Type> bias = checkF32(*arg->value, name, 1);
    if (bias && bias->shape[0] != Dim::known(size)) {
      error(arg->value->loc) << name << " must be f32[" << size << "], got "
                             << str(*bias);
      bias.reset();
    }
    ok &= bias.has_value();
  };
  checkBias("in_proj_bias", 3 * embed.size);
  checkBias("out_proj_bias", embed.size);
  if (embed.size % *heads != 0) {
    error(call.keyword("heads")->value->loc)
        << "the model width " << embed.size << " is not divisible by "
        << *heads << " heads";
    ok = false;
  }

  // query [B..., Nq, E]; key and value [B..., Nk, E].
  const char *names[] = {"query", "key", "value"};
  std::optional<Type> operands[3];
  for (int i = 0; i < 3; ++i) {
    operands[i] = check(*call.operands[i]);
    if (operands[i] && (operands[i]->elem != ElemType::F32 ||
                        operands[i]->rank() < 2 ||
                        operands[i]->shape.back() != embed)) {
      error(call.operands[i]->loc)
          << "the " << names[i] << " of multihead_attention must be f32[..., "
          << "N, " << embed.size << "], got " << str(*operands[i]);
      operands[i].reset();
    }
    ok &= operands[i].has_value();
  }
  if (!ok)
    return failure();
  const Type &query = *operands[0], &key = *operands[1], &value = *operands[2];
  if (key != value || query.rank() != key.rank() ||
      llvm::ArrayRef<Dim>(query.shape).drop_back(2) !=
          llvm::ArrayRef<Dim>(key.shape).drop_back(2)) {
    error(call.loc) << "multihead_attention needs a key and a value of the "
                       "same shape, with the batch axes of the query; got "
                    << str(query) << ", " << str(key) << " and " << str(value);
    return failure();
  }
  Type scores = query;
  scores.shape.back() = key.shape[key.rank() - 2];
  if (const KeywordArg *mask = call.keyword("mask"))
    if (failed(checkMask(*mask->value, &scores, /*hasQueryAxis=*/true,
                         info.mask)))
      return failure();
  auto keywordExpr = [&](llvm::StringRef name) -> const Expr * {
    const KeywordArg *arg = call.keyword(name);
    return arg ? arg->value.get() : nullptr;
  };
  info.inProjWeight = keywordExpr("in_proj_weight");
  info.inProjBias = keywordExpr("in_proj_bias");
  info.outProjWeight = keywordExpr("out_proj_weight");
  info.outProjBias = keywordExpr("out_proj_bias");
  info.heads = *heads;
  Type weights = scores;
  if (*heads > 1)
    weights.shape.insert(weights.shape.end() - 2, Dim::known(*heads));
  info.results = {query, weights};
  return success();
}

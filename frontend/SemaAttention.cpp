//===- SemaAttention.cpp - score, softmax, context, attention and masks ---===//
//
// The attention builtins of docs/LANGUAGE.md sections 8.1 to 8.4 and the
// masks of section 9. Score kinds are the dialect's ScoreKind, mask terms
// the MaskKind bits they map to (Builtins.cpp).
//
//===----------------------------------------------------------------------===//

#include "frontend/Checker.h"

#include <cmath>

using namespace attnc;
using namespace attnc::sema;
using mlir::failure;
using mlir::success;
using mlir::attn::MaskKind;
using mlir::attn::ScoreKind;

//===----------------------------------------------------------------------===//
// Scores
//===----------------------------------------------------------------------===//

std::optional<ScoreArgs> Checker::checkScoreArgs(Expr &call, ScoreKind kind,
                                                 CallInfo &info) {
  llvm::StringRef kindName = mlir::attn::stringifyScoreKind(kind);
  bool takesW = kind == ScoreKind::general || kind == ScoreKind::additive ||
                kind == ScoreKind::location;
  bool takesUV = kind == ScoreKind::additive;
  ScoreArgs args;
  bool ok = true;
  for (auto [key, takes, type, operand] :
       {std::make_tuple("W", takesW, &args.w, &info.w),
        std::make_tuple("U", takesUV, &args.u, &info.u),
        std::make_tuple("v", takesUV, &args.v, &info.v)}) {
    const KeywordArg *arg = call.keyword(key);
    // Without U, additive takes keys that are already projected (U h_j).
    bool optional = llvm::StringRef(key) == "U";
    if (!arg) {
      if (takes && !optional) {
        error(call.loc) << "the " << kindName << " score needs '" << key
                        << " = ...'";
        ok = false;
      }
      continue;
    }
    if (!takes) {
      error(arg->loc) << "the " << kindName << " score takes no '" << key
                      << "'";
      ok = false;
      continue;
    }
    *type = check(*arg->value);
    if (*type && (*type)->elem != ElemType::F32) {
      error(arg->value->loc)
          << "'" << key << "' must be f32, got " << str(**type);
      type->reset();
    }
    ok &= type->has_value();
    *operand = arg->value.get();
  }
  if (const KeywordArg *scale = call.keyword("scale")) {
    std::optional<double> value;
    if (kind != ScoreKind::scaled_dot)
      error(scale->loc) << "'scale' only applies to the "
                        << mlir::attn::stringifyScoreKind(ScoreKind::scaled_dot)
                        << " score";
    else
      value = constantValue(*scale->value, "'scale'");
    if (value && (!(*value > 0) || !std::isfinite(*value))) {
      error(scale->value->loc) << "'scale' must be positive, got "
                               << formatNumber(*value);
      value.reset();
    }
    ok &= value.has_value();
    info.scale = value;
  }
  if (!ok)
    return std::nullopt;
  return args;
}

std::optional<Dim> Checker::perHead(const Expr &call, Dim dim, int64_t heads,
                                    llvm::StringRef what) {
  if (heads == 1)
    return dim;
  if (dim.isVar() || dim.size % heads != 0) {
    error(call.loc) << heads << " heads must divide the " << what
                    << " features " << dimStr(dim);
    return std::nullopt;
  }
  return Dim::known(dim.size / heads);
}

std::optional<Type> Checker::scoresType(Expr &call, ScoreKind kind,
                                        const Type &query, const Type &keys,
                                        int64_t heads, const ScoreArgs &args,
                                        bool &single) {
  if (query.elem != ElemType::F32 || keys.elem != ElemType::F32) {
    error(call.loc) << "queries and keys must be f32, got " << str(query)
                    << " and " << str(keys);
    return std::nullopt;
  }
  if (keys.rank() < 2) {
    error(call.operands[1]->loc)
        << "keys must have a row per key and a feature dimension, got "
        << str(keys);
    return std::nullopt;
  }
  if (query.rank() != keys.rank() && query.rank() != keys.rank() - 1) {
    error(call.operands[0]->loc)
        << "the query must be one vector per key row's batch or a block of "
           "queries: rank "
        << keys.rank() - 1 << " or " << keys.rank() << " for keys "
        << str(keys) << ", got " << str(query);
    return std::nullopt;
  }
  single = query.rank() == keys.rank() - 1;
  size_t batch = keys.rank() - 2;
  for (size_t i = 0; i < batch; ++i)
    if (query.shape[i] != keys.shape[i]) {
      error(call.loc) << "batch dimension " << i << " differs: query "
                      << str(query) << ", keys " << str(keys);
      return std::nullopt;
    }
  Dim numKeys = keys.shape[batch];
  // With heads, the score sees per-head slices of the features.
  std::optional<Dim> dq = perHead(call, query.shape.back(), heads, "query");
  if (!dq)
    return std::nullopt;
  std::optional<Dim> dk = perHead(call, keys.shape.back(), heads, "key");
  if (!dk)
    return std::nullopt;
  if (failed(
          checkScoreParams(call, kind, query, keys, *dq, *dk, numKeys, args)))
    return std::nullopt;
  Type scores{ElemType::F32, {}};
  scores.shape.append(query.shape.begin(), query.shape.end() - 1);
  scores.shape.push_back(numKeys);
  return scores;
}

LogicalResult Checker::checkScoreParams(Expr &call, ScoreKind kind,
                                        const Type &query, const Type &keys,
                                        Dim dq, Dim dk, Dim numKeys,
                                        const ScoreArgs &args) {
  auto shapeIs = [](const Type &type, std::initializer_list<Dim> dims) {
    return type.shape == llvm::SmallVector<Dim, 4>(dims);
  };
  llvm::StringRef kindName = mlir::attn::stringifyScoreKind(kind);
  std::string q = dimStr(dq), k = dimStr(dk);
  switch (kind) {
  case ScoreKind::dot:
  case ScoreKind::scaled_dot:
  case ScoreKind::cosine:
    if (dq != dk) {
      error(call.loc) << "the " << kindName
                      << " score needs queries and keys of the same feature "
                         "size, got "
                      << str(query) << " and " << str(keys);
      return failure();
    }
    return success();
  case ScoreKind::general:
    if (!shapeIs(*args.w, {dq, dk})) {
      error(call.keyword("W")->loc)
          << "the general score needs W : f32[" << q << ", " << k
          << "] (query features x key features), got " << str(*args.w);
      return failure();
    }
    return success();
  case ScoreKind::additive: {
    const Type &w = *args.w, &v = *args.v;
    if (w.rank() != 2 || w.shape[1] != dq) {
      error(call.keyword("W")->loc)
          << "the additive score needs W : f32[A, " << q
          << "] (attention size x query features), got " << str(w);
      return failure();
    }
    std::string a = dimStr(w.shape[0]);
    if (!args.u && dk != w.shape[0]) {
      error(call.operands[1]->loc)
          << "without U, the additive score takes projected keys (U h_j) of "
             "the attention size "
          << a << ", got " << str(keys);
      return failure();
    }
    if (args.u && !shapeIs(*args.u, {w.shape[0], dk})) {
      error(call.keyword("U")->loc)
          << "the additive score needs U : f32[" << a << ", " << k
          << "] (attention size x key features), got " << str(*args.u);
      return failure();
    }
    if (!shapeIs(v, {w.shape[0]})) {
      error(call.keyword("v")->loc)
          << "the additive score needs v : f32[" << a
          << "] (the attention size), got " << str(v);
      return failure();
    }
    return success();
  }
  case ScoreKind::location: {
    const Type &w = *args.w;
    if (w.rank() != 2 || w.shape[1] != dq) {
      error(call.keyword("W")->loc)
          << "the location score needs W : f32[L, " << q
          << "] (positions x query features), got " << str(w);
      return failure();
    }
    const DimDecl *var =
        numKeys.isVar() ? &model.dims[numKeys.dimVar] : nullptr;
    int64_t most = var ? var->max.value_or(-1) : numKeys.size;
    if (w.shape[0].isVar() || most < 0 || w.shape[0].size < most) {
      error(call.keyword("W")->loc)
          << "the location score needs W with a row for every key position: "
          << "W is " << str(w) << " but there can be "
          << (most < 0 ? std::string("unboundedly many")
                       : std::to_string(most))
          << " keys"
          << (var && !var->max ? " (give dim '" + var->name +
                                     "' an upper bound)"
                               : std::string());
      return failure();
    }
    return success();
  }
  }
  llvm_unreachable("unknown score kind");
}

LogicalResult Checker::checkScore(Expr &call, CallInfo &info, unsigned) {
  llvm::StringRef kindName = calleeKind(call.name);
  if (kindName.empty()) {
    error(call.loc) << "'" << call.name << "' needs a kind: "
                    << listScoreKinds(call.name + ".", "", " or ");
    return failure();
  }
  bool ok = true;
  std::optional<ScoreKind> kind = mlir::attn::symbolizeScoreKind(kindName);
  if (!kind) {
    error(call.loc) << "unknown score kind '" << kindName
                    << "'; expected one of " << listScoreKinds("", "", ", ");
    ok = false;
  }
  if (failed(checkSignature(call, 2, {"W", "U", "v", "scale"}, ok)))
    return failure();
  std::optional<Type> query = check(*call.operands[0]);
  std::optional<Type> keys = check(*call.operands[1]);
  if (!kind)
    return failure();
  std::optional<ScoreArgs> args = checkScoreArgs(call, *kind, info);
  if (!query || !keys || !args)
    return failure();
  bool single;
  std::optional<Type> scores =
      scoresType(call, *kind, *query, *keys, /*heads=*/1, *args, single);
  if (!scores)
    return failure();
  info.score = *kind;
  info.results = {*scores};
  return success(ok);
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

LogicalResult Checker::checkMaskTerm(Expr &term, const Type *scores,
                                     bool hasQueryAxis, llvm::StringSet<> &seen,
                                     MaskInfo &info) {
  if (term.kind == Expr::Kind::Binary && term.op == BinaryOp::Or) {
    bool lhs = succeeded(
        checkMaskTerm(*term.operands[0], scores, hasQueryAxis, seen, info));
    bool rhs = succeeded(
        checkMaskTerm(*term.operands[1], scores, hasQueryAxis, seen, info));
    return success(lhs && rhs);
  }
  const MaskTerm *mask = nullptr;
  if (term.kind == Expr::Kind::Name || term.kind == Expr::Kind::Call)
    mask = lookupMaskTerm(term.name, term.kind == Expr::Kind::Call);
  if (!mask) {
    error(term.loc) << "expected a mask: " << listMaskForms()
                    << ", combined with '|'";
    return failure();
  }
  // Terms of the same bits (window and local) exclude each other.
  if (!seen.insert(mlir::attn::stringifyMaskKind(mask->kind)).second) {
    error(term.loc) << "the mask names " << term.name << " twice";
    return failure();
  }
  info.kind = info.kind | mask->kind;
  info.gaussian |= mask->gaussian;
  llvm::ArrayRef<Dim> perQuery;
  if (scores)
    perQuery = llvm::ArrayRef<Dim>(scores->shape).drop_back();

  switch (mask->operand) {
  case MaskTerm::Operand::None:
    if (mask->kind == MaskKind::causal && scores && !hasQueryAxis) {
      error(term.loc) << "a causal mask needs a block of queries; one "
                         "decoder step has a single query";
      return failure();
    }
    return success();
  case MaskTerm::Operand::Lengths: {
    bool ok = true;
    if (failed(checkSignature(term, 1, {}, ok)))
      return failure();
    std::optional<Type> lengths = check(*term.operands[0]);
    if (!lengths)
      return failure();
    info.lengths = term.operands[0].get();
    if (!scores)
      return success(ok);
    if (lengths->elem != ElemType::I32 ||
        lengths->rank() > (int64_t)perQuery.size() ||
        llvm::ArrayRef<Dim>(lengths->shape) !=
            perQuery.take_front(lengths->rank())) {
      Type expected{ElemType::I32, {}};
      expected.shape.append(perQuery.begin(), perQuery.end());
      error(term.operands[0]->loc)
          << "padding lengths must be i32, one per sequence: a leading part "
             "of "
          << str(expected) << ", got " << str(*lengths);
      return failure();
    }
    ok &= succeeded(requireInRange(*term.operands[0], scores->shape.back(),
                                   "a padding length", /*required=*/false));
    return success(ok);
  }
  case MaskTerm::Operand::Size:
    return checkWindowTerm(term, *mask, scores, hasQueryAxis, info);
  }
  llvm_unreachable("unknown mask operand");
}

LogicalResult Checker::checkWindowTerm(Expr &term, const MaskTerm &mask,
                                       const Type *scores, bool hasQueryAxis,
                                       MaskInfo &info) {
  bool ok = true;
  if (failed(checkSignature(term, 1, {"at"}, ok)))
    return failure();
  std::optional<int64_t> size =
      constantInt(*term.operands[0], "the window size", 0);
  ok &= size.has_value();
  info.window = size.value_or(0);
  const KeywordArg *at = term.keyword("at");
  if (!at && mask.center == MaskTerm::Center::Required) {
    error(term.loc) << term.name
                    << " attention needs 'at = ...', the predicted center of "
                       "each window";
    ok = false;
  } else if (!at && scores && !hasQueryAxis) {
    error(term.loc) << "a window around a single query needs 'at = ...', "
                       "the center of the window";
    ok = false;
  }
  if (!at)
    return success(ok);
  info.centers = at->value.get();
  std::optional<Type> centers = check(*at->value);
  if (!centers || !scores)
    return success(ok && centers);
  Type expected{ElemType::F32, {}};
  expected.shape.append(scores->shape.begin(), scores->shape.end() - 1);
  if (*centers != expected) {
    error(at->value->loc) << "window centers must be " << str(expected)
                          << " (one per query), got " << str(*centers);
    return failure();
  }
  return success(ok);
}

LogicalResult Checker::checkMask(Expr &mask, const Type *scores,
                                 bool hasQueryAxis, MaskInfo &info) {
  llvm::StringSet<> seen;
  return checkMaskTerm(mask, scores, hasQueryAxis, seen, info);
}

//===----------------------------------------------------------------------===//
// softmax, context and attention
//===----------------------------------------------------------------------===//

LogicalResult Checker::checkSoftmax(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  if (failed(checkSignature(call, 1, {"mask"}, ok)))
    return failure();
  std::optional<Type> scores = check(*call.operands[0]);
  if (scores && (scores->elem != ElemType::F32 || scores->isScalar())) {
    error(call.operands[0]->loc)
        << "softmax needs f32 scores with a key dimension, got "
        << str(*scores);
    scores.reset();
  }
  ok &= scores.has_value();
  if (const KeywordArg *mask = call.keyword("mask"))
    ok &= succeeded(checkMask(*mask->value, scores ? &*scores : nullptr,
                              scores && scores->rank() >= 2, info.mask));
  if (!ok)
    return failure();
  info.results = {*scores};
  return success();
}

LogicalResult Checker::checkContext(Expr &call, CallInfo &info, unsigned) {
  bool ok = true;
  if (failed(checkSignature(call, 2, {}, ok)))
    return failure();
  std::optional<Type> weights = check(*call.operands[0]);
  std::optional<Type> values = check(*call.operands[1]);
  if (!weights || !values)
    return failure();
  if (weights->elem != ElemType::F32 || values->elem != ElemType::F32) {
    error(call.loc) << "context needs f32 weights and values, got "
                    << str(*weights) << " and " << str(*values);
    return failure();
  }
  if (values->rank() < 2 || (weights->rank() != values->rank() &&
                             weights->rank() != values->rank() - 1)) {
    error(call.loc) << "context needs weights [..., Nk] or [..., Nq, Nk] and "
                       "values [..., Nk, dv], got "
                    << str(*weights) << " and " << str(*values);
    return failure();
  }
  Dim rows = values->shape[values->rank() - 2];
  if (weights->shape.back() != rows) {
    error(call.loc) << "context: the weights cover "
                    << dimStr(weights->shape.back())
                    << " keys but the values have " << dimStr(rows)
                    << " rows";
    return failure();
  }
  for (int64_t i = 0; i < values->rank() - 2; ++i)
    if (weights->shape[i] != values->shape[i]) {
      error(call.loc) << "context: batch dimension " << i << " differs: "
                      << str(*weights) << " and " << str(*values);
      return failure();
    }
  Type result = *weights;
  result.shape.back() = values->shape.back();
  info.results = {result};
  return success(ok);
}

LogicalResult Checker::checkAttention(Expr &call, CallInfo &info,
                                      unsigned numResults) {
  bool ok = true;
  if (failed(checkSignature(
          call, 3, {"score", "heads", "mask", "W", "U", "v", "scale"}, ok)))
    return failure();
  if (numResults > 2) {
    error(call.loc) << "attention gives its output and optionally its "
                       "weights, but "
                    << numResults << " names are bound";
    ok = false;
  }
  // The keywords and the operands do not depend on each other: each is
  // checked even if another one failed.
  std::optional<ScoreKind> kind = ScoreKind::scaled_dot;
  if (const KeywordArg *score = call.keyword("score")) {
    const Expr &value = *score->value;
    kind = value.kind == Expr::Kind::Name
               ? mlir::attn::symbolizeScoreKind(value.name)
               : std::nullopt;
    if (!kind)
      error(value.loc) << "unknown score kind; expected one of "
                       << listScoreKinds("", "", ", ");
  }
  std::optional<int64_t> heads = 1;
  if (const KeywordArg *arg = call.keyword("heads"))
    heads = constantInt(*arg->value, "'heads'", 1);
  std::optional<Type> query = check(*call.operands[0]);
  std::optional<Type> keys = check(*call.operands[1]);
  std::optional<Type> values = check(*call.operands[2]);
  std::optional<ScoreArgs> args;
  if (kind)
    args = checkScoreArgs(call, *kind, info);

  std::optional<Type> scores;
  bool single = false;
  if (query && keys && heads && args)
    scores = scoresType(call, *kind, *query, *keys, *heads, *args, single);
  std::optional<Dim> dv;
  if (scores && values) {
    if (values->elem != ElemType::F32 || values->rank() != keys->rank() ||
        llvm::ArrayRef<Dim>(values->shape).drop_back() !=
            llvm::ArrayRef<Dim>(keys->shape).drop_back())
      error(call.operands[2]->loc)
          << "values must have a row per key like the keys " << str(*keys)
          << ", got " << str(*values);
    else if (perHead(call, values->shape.back(), *heads, "value"))
      dv = values->shape.back();
  }
  if (const KeywordArg *mask = call.keyword("mask"))
    ok &= succeeded(checkMask(*mask->value, scores ? &*scores : nullptr,
                              !single, info.mask));
  if (!ok || !dv)
    return failure();

  Type output = *scores;
  output.shape.back() = *dv;
  // The weights have a head axis before the query axis (or the key axis of
  // a single query).
  Type weights = *scores;
  if (*heads > 1)
    weights.shape.insert(weights.shape.end() - (single ? 1 : 2),
                         Dim::known(*heads));
  info.score = *kind;
  info.heads = *heads;
  info.results = {output, weights};
  return success();
}
